//! Downloads from the panel, the same files as the API's: Clientes →
//! Exportar (`/clientes/exportar?formato=csv|xlsx[&q=…][&sensibles=1]`,
//! owners only, the whole list or the search on screen) and the profile's
//! "Descargar vCard" (`/clientes/{id}/vcard`, any staff member who may see
//! the profile).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use ficha_domain::ClientId;
use ficha_store::search::SearchQuery;
use serde::Deserialize;

use super::error::{PanelError, path_id};
use super::session::{OwnerStaffer, Staffer};
use crate::AppState;
use crate::api::clients::vcard;
use crate::export::{self, Export, ExportError, Format, Separator};

#[derive(Debug, Default, Deserialize)]
pub struct ExportParams {
    #[serde(default)]
    formato: String,
    #[serde(default)]
    q: String,
    /// `1`: with the sensitive custom fields.
    #[serde(default)]
    sensibles: String,
}

pub async fn clients(
    State(state): State<AppState>,
    OwnerStaffer(staffer): OwnerStaffer,
    Query(params): Query<ExportParams>,
) -> Result<Response, PanelError> {
    let format = match params.formato.as_str() {
        "csv" => Format::Csv,
        "xlsx" => Format::Xlsx,
        _ => return Err(PanelError::BadRequest("Ese formato de exportación no existe.")),
    };
    let q = params.q.trim();
    let search = if q.is_empty() {
        None
    } else {
        Some(SearchQuery::parse(q).map_err(|_| PanelError::BadRequest("La búsqueda es demasiado larga."))?)
    };
    let request = Export { format, search, sensitive: params.sensibles == "1", separator: Separator::Semicolon };
    export::response(state.store.clone(), staffer.actor, request, state.clock.now()).await.map_err(
        |error| match error {
            ExportError::Store(error) => error.into(),
            ExportError::TooManyForXlsx => {
                PanelError::BadRequest("Una hoja de Excel admite hasta 1.048.575 clientes: exporta en CSV.")
            }
        },
    )
}

pub async fn vcard(
    State(state): State<AppState>,
    staffer: Staffer,
    Path(id): Path<String>,
) -> Result<Response, PanelError> {
    let id: ClientId = path_id(&id)?;
    let client = state.store.get_client(&staffer.actor, id).await?;
    Ok(vcard::response(&client))
}
