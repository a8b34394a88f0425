//! Configuración → Registro de accesos (owners): how long the business keeps
//! who-looked-at-which-profile, in days (two years unless set). A separate
//! page and route, so other privacy settings can sit beside it. Entries older
//! than the retention are pruned by `serve`'s maintenance task.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::AccessRetention;
use serde::Deserialize;

use crate::AppState;
use crate::panel::error::{PanelError, page_with};
use crate::panel::form::OwnerSubmitted;
use crate::panel::layout::{Chrome, Section};
use crate::panel::session::{OwnerStaffer, Staffer};

#[derive(Template)]
#[template(path = "panel/settings_access_log.html")]
struct AccessLogPage {
    chrome: Chrome,
    settings_tab: &'static str,
    days: String,
    default_days: u16,
    min_days: u16,
    max_days: u16,
    error: Option<String>,
    saved: bool,
}

impl AccessLogPage {
    fn new(staffer: &Staffer, days: String) -> Self {
        Self {
            chrome: Chrome::new(staffer, Section::Settings),
            settings_tab: "accesos",
            days,
            default_days: AccessRetention::DEFAULT.as_days(),
            min_days: AccessRetention::MIN_DAYS,
            max_days: AccessRetention::MAX_DAYS,
            error: None,
            saved: false,
        }
    }
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
    let retention = state.store.access_retention(&staffer.actor).await?;
    let mut page = AccessLogPage::new(&staffer, retention.as_days().to_string());
    page.saved = notice.guardado == "1";
    page_with(StatusCode::OK, &page)
}

pub async fn save(
    State(state): State<AppState>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let typed = form.get("dias").trim().to_owned();
    let Some(retention) = typed.parse::<i64>().ok().and_then(|d| AccessRetention::days(d).ok()) else {
        let mut page = AccessLogPage::new(&staffer, typed);
        page.error = Some(format!(
            "Escribe un número entero de días entre {} y {} (diez años).",
            AccessRetention::MIN_DAYS,
            AccessRetention::MAX_DAYS
        ));
        return page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    state.store.set_access_retention(&staffer.actor, retention).await?;
    Ok(Redirect::to("/configuracion/accesos?guardado=1").into_response())
}
