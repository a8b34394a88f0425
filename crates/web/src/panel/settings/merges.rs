//! Configuración → Fusión de perfiles: whether professionals may merge two
//! profiles of one person (and say "No es duplicado"), as owners do. Off
//! unless an owner ticks it; undoing a merge stays the owners' either way.
//! Professionals see the choice, read-only: it tells them whether they may.

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
#[template(path = "panel/settings_merges.html")]
struct MergeSettingsPage {
    chrome: Chrome,
    settings_tab: &'static str,
    allowed: bool,
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
    let allowed = state.store.professionals_may_merge(&staffer.actor).await?;
    let page = MergeSettingsPage {
        chrome: Chrome::new(&staffer, Section::Settings),
        settings_tab: "fusiones",
        allowed,
        saved: notice.guardado == "1",
    };
    page_with(StatusCode::OK, &page)
}

pub async fn save(
    State(state): State<AppState>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    state.store.set_professionals_may_merge(&staffer.actor, form.ticked("profesionales_fusionan")).await?;
    Ok(Redirect::to("/configuracion/fusiones?guardado=1").into_response())
}
