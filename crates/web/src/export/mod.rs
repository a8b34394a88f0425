//! Clients leaving Ficha as files: the business's client list (or a
//! search's results) as CSV or XLSX, streamed a page at a time, and one
//! client as a vCard (`vcard.rs`).
//!
//! The list export is for owners only (the API's `Owner`, the panel's
//! `OwnerStaffer`, and checked again here): a whole client list leaving the
//! system is a data-protection matter the business answers for. Sensitive
//! custom fields stay out unless asked for by name (Ley 21.719).
//!
//! It writes no entry to the access log: the log answers "who looked at
//! this person's profile", one row per read, and an export of a million
//! clients would write a million rows and drown the profile reads the log
//! is kept for. Each export is logged instead (tracing, `client export`)
//! with who, the format, whether sensitive fields went in, and a search.

pub mod cells;
mod csv;
mod rows;
pub mod vcard;
mod xlsx;

use std::sync::Arc;

use axum::body::Body;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ficha_domain::Actor;
use ficha_store::search::SearchQuery;
use ficha_store::{ListQuery, Store, StoreError};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use cells::Columns;
use rows::Rows;
pub use xlsx::MAX_ROWS as MAX_XLSX_ROWS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// The CSV's field separator: `;` by default (Excel in Chile), `,` for
/// other programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Separator {
    #[default]
    Semicolon,
    Comma,
}

impl Separator {
    fn byte(self) -> u8 {
        match self {
            Self::Semicolon => b';',
            Self::Comma => b',',
        }
    }
}

/// What to export.
#[derive(Debug, Clone)]
pub struct Export {
    pub format: Format,
    /// The clients a search finds (at most what the search ranks, a few
    /// hundred), instead of every client.
    pub search: Option<SearchQuery>,
    /// Whether sensitive custom fields go in.
    pub sensitive: bool,
    pub separator: Separator,
}

#[derive(Debug)]
pub enum ExportError {
    Store(StoreError),
    /// More clients than an Excel sheet has rows: CSV has no limit.
    TooManyForXlsx,
}

impl From<StoreError> for ExportError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

/// The export's response: headers now, the body as it is read. Owners
/// only (`OwnerOnly` for anyone else).
pub async fn response(
    store: Arc<dyn Store>,
    actor: Actor,
    export: Export,
    now: Timestamp,
) -> Result<Response, ExportError> {
    if !actor.is_owner() {
        return Err(StoreError::OwnerOnly.into());
    }
    let business = store.business(&actor).await?;
    if export.format == Format::Xlsx && export.search.is_none() {
        let total = store.list_clients(&actor, &ListQuery { limit: 1, ..Default::default() }).await?.total;
        if total > MAX_XLSX_ROWS {
            return Err(ExportError::TooManyForXlsx);
        }
    }
    let zone = TimeZone::get(&business.time_zone).unwrap_or(TimeZone::UTC);
    let fields = store.list_fields(&actor, false).await?;
    let columns = Columns::new(fields, export.sensitive, zone.clone());
    tracing::info!(
        business = business.slug.as_str(),
        actor = ?actor,
        format = ?export.format,
        sensitive = export.sensitive,
        search = export.search.is_some(),
        "client export"
    );
    let rows = Rows::new(store, actor, columns, export.search);
    let today = now.to_zoned(zone).date().strftime("%d-%m-%Y");
    let (body, content_type, extension) = match export.format {
        Format::Csv => (csv::body(rows, export.separator), "text/csv; charset=utf-8; header=present", "csv"),
        Format::Xlsx => (xlsx::body(rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    };
    let file = format!("attachment; filename=\"clientes-{}-{today}.{extension}\"", business.slug.as_str());
    Ok(attachment(body, content_type, &file))
}

/// A download: its type, its file name, never cached (personal data).
pub fn attachment(body: Body, content_type: &'static str, disposition: &str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(disposition) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    response
}
