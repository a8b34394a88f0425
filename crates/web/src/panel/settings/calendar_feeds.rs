//! Configuración → Calendario en el teléfono: what the staff's calendar
//! feeds (`/calendario/suscripciones`) say about clients. Initials unless an
//! owner ticks full names: a feed ends up in Google Calendar or on a phone,
//! outside the business's care. Professionals see the choice, read-only.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::panel::error::{PanelError, page_with};
use crate::panel::form::OwnerSubmitted;
use crate::panel::layout::{Chrome, Section};
use crate::panel::session::Staffer;

#[derive(Template)]
#[template(path = "panel/settings_calendar_feeds.html")]
struct FeedSettingsPage {
    chrome: Chrome,
    settings_tab: &'static str,
    full_names: bool,
    saved: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    #[serde(default)]
    guardado: String,
}

pub async fn show(
    State(state): State<AppState>,
    staffer: Staffer,
    Query(notice): Query<Notice>,
) -> Result<Response, PanelError> {
    let full_names = state.store.feed_full_names(&staffer.actor).await?;
    let page = FeedSettingsPage {
        chrome: Chrome::new(&staffer, Section::Settings),
        settings_tab: "calendario",
        full_names,
        saved: notice.guardado == "1",
    };
    page_with(StatusCode::OK, &page)
}

pub async fn save(
    State(state): State<AppState>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    state.store.set_feed_full_names(&staffer.actor, form.ticked("nombres_completos")).await?;
    Ok(Redirect::to("/configuracion/calendario?guardado=1").into_response())
}
