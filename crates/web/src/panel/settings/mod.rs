//! `/configuracion`, for owners: the business's own fields ("Otros datos":
//! create, edit, reorder, archive), its staff accounts (list, add), its
//! services (`services`), the professionals' agendas (`agendas`), the
//! notifications (`notifications`), the booking site's rules
//! (`booking_site`) and its privacy notice (`privacy`) and the days to answer a data request (`data_requests`),
//! whether professionals may merge profiles (`merges`). Professionals get the 403 page and do
//! not see the link.

pub mod access_log;
pub mod agendas;
pub mod booking_site;
pub mod calendar_feeds;
pub mod data_requests;
mod fields;
pub mod merges;
pub mod notifications;
pub mod privacy;
pub mod services;
mod staff;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::error::{PanelError, page_with};
use super::layout::{Chrome, Section};
use super::session::Staffer;
use crate::AppState;

use fields::{FieldRow, NewFieldForm};
pub use fields::{create_field, move_field, set_archived, update_field};
pub use staff::create_staff;
use staff::{NewStaffForm, StaffRow};

#[derive(Template)]
#[template(path = "panel/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    fields: Vec<FieldRow>,
    new_field: NewFieldForm,
    kinds: Vec<(&'static str, &'static str)>,
    staff: Vec<StaffRow>,
    new_staff: NewStaffForm,
    notice: Option<&'static str>,
    settings_tab: &'static str,
}

impl SettingsPage {
    async fn load(state: &AppState, staffer: &Staffer) -> Result<Self, PanelError> {
        let fields = state.store.list_fields(&staffer.actor, true).await?;
        let active = fields.iter().filter(|f| !f.is_archived()).count();
        let mut rows: Vec<FieldRow> = fields.iter().map(FieldRow::new).collect();
        // Active fields in their order, then the archived ones.
        rows.sort_by_key(|row| row.archived);
        for (i, row) in rows.iter_mut().enumerate() {
            row.first = i == 0;
            row.last = i + 1 == active;
        }
        let staff = state.store.list_staff(&staffer.actor).await?.iter().map(StaffRow::new).collect();
        Ok(Self {
            chrome: Chrome::new(staffer, Section::Settings),
            fields: rows,
            new_field: NewFieldForm::default(),
            kinds: fields::KINDS.to_vec(),
            staff,
            new_staff: NewStaffForm::default(),
            notice: None,
            settings_tab: "general",
        })
    }
}

#[derive(Debug, Deserialize)]
pub struct ShowParams {
    #[serde(default)]
    aviso: String,
}

pub async fn show(
    State(state): State<AppState>,
    staffer: Staffer,
    Query(params): Query<ShowParams>,
) -> Result<Response, PanelError> {
    let mut page = SettingsPage::load(&state, &staffer).await?;
    page.notice = match params.aviso.as_str() {
        "campo-creado" => Some("Campo creado."),
        "campo-guardado" => Some("Campo guardado."),
        "campo-movido" => Some("Orden de los campos guardado."),
        "campo-archivado" => {
            Some("Campo archivado: ya no aparece en las fichas para editar, y sus valores se conservan.")
        }
        "campo-restaurado" => Some("Campo restaurado."),
        "cuenta-creada" => Some("Cuenta creada. Comparte la contraseña con la persona por un canal seguro."),
        _ => None,
    };
    page_with(StatusCode::OK, &page)
}
