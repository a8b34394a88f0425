//! `/clients/{id}/access-log`: who read the client's profile, notes, history
//! or data file, newest first; owners only (an API token counts as one).
//! `?format=csv` is the same log as a spreadsheet, in Spanish, for the
//! owner's records or the client's access request. Reading it is itself
//! logged, by the store.

mod csv;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use ficha_domain::{AccessEntry, AccessKind};
use ficha_store::{HistoryCursor, HistoryQuery};
use serde_json::{Value, json};

use super::clients::client_id;
use super::notes::view::who_json;
use super::professionals::business_zone;
use crate::AppState;
use crate::auth::Owner;
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;
/// A CSV is the whole log at once, up to this many rows (two years of a
/// client's reads fit); a longer one names its next part in a `Link` header.
pub const CSV_LIMIT: u32 = 10_000;
const PARAMETERS: &[&str] = &["limit", "cursor", "format"];
const FORMATS: &[&str] = &["json", "csv"];

struct Params {
    query: HistoryQuery,
    csv: bool,
}

pub async fn client_access_log(
    State(state): State<AppState>,
    Owner(actor): Owner,
    Path(client): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let client = client_id(&client)?;
    let Params { query, csv } = params_of(&params)?;
    let page = state.store.access_log(&actor, client, &query, AccessKind::AccessLog).await?;
    if csv {
        let zone = business_zone(&state, &actor).await?;
        return Ok(csv::response(client, &page, &zone));
    }
    Ok(Json(json!({
        "items": page.entries.iter().map(entry_json).collect::<Vec<_>>(),
        "next_cursor": page.next.map(|c| c.encode()),
    }))
    .into_response())
}

/// `{"id", "at", "by", "kind"}`: `at` RFC 3339 in UTC, `by` as in the
/// history (a staff member's name as it was at the time), `kind` what was
/// read (`profile`, `notes`, `attention_notes`, `history`, `data_file`,
/// `access_log`).
fn entry_json(entry: &AccessEntry) -> Value {
    json!({
        "id": entry.id,
        "at": entry.at.to_string(),
        "by": who_json(&entry.who),
        "kind": entry.kind.as_str(),
    })
}

fn params_of(params: &[(String, String)]) -> Result<Params, ApiError> {
    let mut limit = None;
    let mut query = HistoryQuery { after: None, limit: DEFAULT_LIMIT };
    let mut csv = false;
    let mut problems = Vec::new();
    for (name, value) in params {
        match name.as_str() {
            "limit" => match value.parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => limit = Some(n),
                _ => problems.push(FieldProblem::new("limit", FieldProblemKind::OutOfRange { min: 1, max: MAX_LIMIT })),
            },
            // Empty is the first page, as the schema's plain string allows.
            "cursor" if value.is_empty() => {}
            "cursor" => match HistoryCursor::decode(value) {
                Some(cursor) => query.after = Some(cursor),
                None => problems.push(FieldProblem::new("cursor", FieldProblemKind::BadCursor)),
            },
            "format" => match value.as_str() {
                "json" => csv = false,
                "csv" => csv = true,
                _ => problems.push(FieldProblem::new("format", FieldProblemKind::NotOneOf { allowed: FORMATS })),
            },
            other => problems.push(FieldProblem::new(other, FieldProblemKind::Unknown { allowed: PARAMETERS })),
        }
    }
    query.limit = match (limit, csv) {
        (Some(n), _) => n,
        (None, true) => CSV_LIMIT,
        (None, false) => DEFAULT_LIMIT,
    };
    if problems.is_empty() { Ok(Params { query, csv }) } else { Err(ApiError::InvalidQuery(problems)) }
}
