//! Configuración → Solicitudes de datos (owners): the days the business
//! gives itself to answer a data-subject request, 1 to 30 calendar days
//! (Ley 21.719 allows 30). Requests already filed keep their due date.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::DueDays;
use serde::Deserialize;

use crate::AppState;
use crate::panel::error::{PanelError, page_with};
use crate::panel::form::OwnerSubmitted;
use crate::panel::layout::{Chrome, Section};
use crate::panel::session::OwnerStaffer;

#[derive(Template)]
#[template(path = "panel/settings_data_requests.html")]
struct DueDaysPage {
    chrome: Chrome,
    settings_tab: &'static str,
    days: String,
    error: Option<String>,
    saved: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    #[serde(default)]
    guardado: String,
}

pub async fn show(
    State(state): State<AppState>,
    OwnerStaffer(staffer): OwnerStaffer,
    Query(notice): Query<Notice>,
) -> Result<Response, PanelError> {
    let days = state.store.data_request_due_days(&staffer.actor).await?;
    let page = DueDaysPage {
        chrome: Chrome::new(&staffer, Section::Settings),
        settings_tab: "solicitudes",
        days: days.get().to_string(),
        error: None,
        saved: notice.guardado == "1",
    };
    page_with(StatusCode::OK, &page)
}

pub async fn save(
    State(state): State<AppState>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let typed = form.get("plazo").trim();
    match typed.parse::<i64>().ok().and_then(DueDays::new) {
        Some(days) => {
            state.store.set_data_request_due_days(&staffer.actor, days).await?;
            Ok(Redirect::to("/configuracion/solicitudes?guardado=1").into_response())
        }
        None => {
            let page = DueDaysPage {
                chrome: Chrome::new(&staffer, Section::Settings),
                settings_tab: "solicitudes",
                days: typed.to_owned(),
                error: Some(format!(
                    "Escribe un número entero de días entre {} y {} (la ley da como máximo {}).",
                    DueDays::MIN,
                    DueDays::MAX,
                    DueDays::MAX
                )),
                saved: false,
            };
            page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
