//! `/calendario/suscripciones` ("Tu calendario en el teléfono"): the signed-in
//! staff member's calendar feeds — one per device, each with a label — and
//! the form that makes one. The address carries the feed's secret, so it is
//! shown once, on the page that answers the creation, and never again (only
//! its hash is kept). "Revocar" ends a feed at once.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{CalendarFeed, FeedId, FeedLabel, FieldError};
use serde::Deserialize;

use super::error::{PanelError, page_with, path_id};
use super::form::Submitted;
use super::format;
use super::layout::{Chrome, Section};
use super::session::Staffer;
use crate::AppState;
use crate::auth::secret;
use crate::feeds;
use crate::i18n::Lang;
use crate::problem::{FieldProblem, FieldProblemKind};

const PATH: &str = "/calendario/suscripciones";

#[derive(Template)]
#[template(path = "panel/calendar_feeds.html")]
struct FeedsPage {
    chrome: Chrome,
    feeds: Vec<FeedRow>,
    /// The label typed (kept after a refusal).
    label: String,
    error: Option<String>,
    /// Just made: its label and address, shown this once.
    created: Option<Created>,
    revoked: bool,
    days_back: i64,
    days_ahead: i64,
}

struct FeedRow {
    id: String,
    label: String,
    created: String,
    last_used: String,
}

struct Created {
    label: String,
    url: String,
    webcal: String,
}

impl FeedsPage {
    fn new(staffer: &Staffer, feeds: &[CalendarFeed]) -> Self {
        let zone = staffer.zone();
        Self {
            chrome: Chrome::new(staffer, Section::Calendar),
            feeds: feeds
                .iter()
                .map(|f| FeedRow {
                    id: f.id.to_string(),
                    label: f.label.as_str().to_owned(),
                    created: format::date_time(f.created_at, &zone),
                    last_used: f.last_used_at.map_or_else(|| "Nunca".to_owned(), |at| format::date_time(at, &zone)),
                })
                .collect(),
            label: String::new(),
            error: None,
            created: None,
            revoked: false,
            days_back: feeds::DAYS_BACK,
            days_ahead: feeds::DAYS_AHEAD,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    #[serde(default)]
    revocada: String,
}

async fn own_feeds(state: &AppState, staffer: &Staffer) -> Result<Vec<CalendarFeed>, PanelError> {
    Ok(state.store.list_calendar_feeds(&staffer.actor, staffer.staff.id).await?)
}

pub async fn show(
    State(state): State<AppState>,
    staffer: Staffer,
    Query(notice): Query<Notice>,
) -> Result<Response, PanelError> {
    let feeds = own_feeds(&state, &staffer).await?;
    let mut page = FeedsPage::new(&staffer, &feeds);
    page.revoked = notice.revocada == "1";
    page_with(StatusCode::OK, &page)
}

/// Makes a feed and answers with its address (not a redirect: the address
/// must not travel in a URL or come back on a reload).
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Submitted { staffer, form }: Submitted,
) -> Result<Response, PanelError> {
    let typed = form.get("nombre");
    let label = match FeedLabel::parse(typed) {
        Ok(label) => label,
        Err(error) => {
            let feeds = own_feeds(&state, &staffer).await?;
            let mut page = FeedsPage::new(&staffer, &feeds);
            typed.clone_into(&mut page.label);
            page.error = Some(label_message(&error));
            return page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let (token, url) = feeds::mint(&headers, state.config.secure_cookies).map_err(|e| {
        tracing::error!(error = %e, "no randomness for a calendar feed");
        PanelError::Internal
    })?;
    let created = state
        .store
        .create_calendar_feed(&staffer.actor, staffer.staff.id, label.clone(), &secret::hash(&token))
        .await?;
    let feeds = own_feeds(&state, &staffer).await?;
    let mut page = FeedsPage::new(&staffer, &feeds);
    page.created = Some(Created { label: created.label.as_str().to_owned(), webcal: feeds::webcal(&url), url });
    page_with(StatusCode::CREATED, &page)
}

fn label_message(error: &FieldError) -> String {
    match error {
        FieldError::Required => "Escribe un nombre para reconocer esta suscripción, por ejemplo «iPhone».".to_owned(),
        other => FieldProblem::new("nombre", FieldProblemKind::Invalid(other.clone())).message(Lang::Es),
    }
}

/// Ends one of the staff member's own feeds.
pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { staffer, .. }: Submitted,
) -> Result<Response, PanelError> {
    let id: FeedId = path_id(&id)?;
    state.store.revoke_calendar_feed(&staffer.actor, id).await?;
    Ok(Redirect::to(&format!("{PATH}?revocada=1")).into_response())
}
