//! Configuración → Aviso de privacidad: the notice the booking site shows
//! and every client accepts with a booking (Ley 21.719). Owners write it;
//! each save of a changed text is a new version and the old ones stay as
//! they were, listed below with who wrote them and when. Until the owner
//! writes one, the product's default is in force as version 1.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{NoticeText, PrivacyNotice};
use serde::Deserialize;

use crate::AppState;
use crate::i18n::Lang;
use crate::panel::error::{PanelError, page_with};
use crate::panel::form::OwnerSubmitted;
use crate::panel::format::date_time;
use crate::panel::layout::{Chrome, Section};
use crate::panel::session::Staffer;
use crate::problem::{FieldProblem, FieldProblemKind};

/// One version as the list shows it.
pub struct VersionRow {
    pub version: u32,
    pub when: String,
    pub author: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "panel/settings_privacy.html")]
struct PrivacyPage {
    chrome: Chrome,
    settings_tab: &'static str,
    site_href: String,
    current_version: u32,
    current_is_default: bool,
    draft: String,
    error: Option<String>,
    versions: Vec<VersionRow>,
    saved: bool,
}

fn row(notice: &PrivacyNotice, staffer: &Staffer) -> VersionRow {
    let author = match (&notice.author, notice.is_default) {
        (_, true) => "Aviso por defecto de Ficha".to_owned(),
        (Some((_, name)), false) => name.clone(),
        (None, false) => "Integración (API)".to_owned(),
    };
    VersionRow {
        version: notice.version,
        when: notice.written_at.map(|at| date_time(at, &staffer.zone())).unwrap_or_default(),
        author,
        text: notice.text.clone(),
    }
}

impl PrivacyPage {
    async fn new(state: &AppState, staffer: &Staffer) -> Result<Self, PanelError> {
        let current = state.store.privacy_notice(&staffer.actor).await?;
        let versions = state.store.privacy_notice_versions(&staffer.actor).await?;
        Ok(Self {
            chrome: Chrome::new(staffer, Section::Settings),
            settings_tab: "privacidad",
            site_href: format!("/reservar/{}/aviso-de-privacidad", staffer.business.slug.as_str()),
            current_version: current.version,
            current_is_default: current.is_default,
            draft: current.text,
            error: None,
            versions: versions.iter().map(|n| row(n, staffer)).collect(),
            saved: false,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Saved {
    #[serde(default)]
    guardado: String,
}

pub async fn show(
    State(state): State<AppState>,
    staffer: Staffer,
    Query(saved): Query<Saved>,
) -> Result<Response, PanelError> {
    let mut page = PrivacyPage::new(&state, &staffer).await?;
    page.saved = saved.guardado == "1";
    page_with(StatusCode::OK, &page)
}

pub async fn save(
    State(state): State<AppState>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    match NoticeText::parse(form.get("texto")) {
        Ok(text) => {
            state.store.set_privacy_notice(&staffer.actor, text).await?;
            Ok(Redirect::to("/configuracion/privacidad?guardado=1").into_response())
        }
        Err(error) => {
            let mut page = PrivacyPage::new(&state, &staffer).await?;
            page.draft = form.get("texto").to_owned();
            page.error = Some(FieldProblem::new("texto", FieldProblemKind::Invalid(error)).message(Lang::Es));
            page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
