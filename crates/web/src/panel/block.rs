//! Bloqueo from the profile (owners): "Bloquear perfil" with a reason in
//! "Más acciones", "Desbloquear" on the banner; and the profile's
//! "Archivo de datos" (staff). Plain routes the requests register can link
//! to: `POST /clientes/{id}/bloquear`, `POST /clientes/{id}/desbloquear`,
//! `GET /clientes/{id}/archivo-de-datos[?privadas=1]`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{BlockReason, ClientId, FieldError};
use serde::Deserialize;

use super::error::{PanelError, page_with, path_id};
use super::form::OwnerSubmitted;
use super::profile::{BlockForm, with_block_refused};
use super::session::Staffer;
use crate::AppState;
use crate::data_file::page::{Links, page};
use crate::data_file::{DataFile, Reader};

/// The reason's problem in the panel's words.
fn reason_problem(error: &FieldError) -> String {
    match error {
        FieldError::Required => "Escribe el motivo del bloqueo (por ejemplo, «a pedido del cliente»).".into(),
        FieldError::TooLong { max } => format!("El motivo admite como máximo {max} caracteres."),
        FieldError::ControlCharacters => "El motivo debe ir en una sola línea.".into(),
        _ => "El motivo no es válido.".into(),
    }
}

pub async fn block(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let client: ClientId = path_id(&id)?;
    let typed = form.get("motivo").to_owned();
    match BlockReason::parse(&typed) {
        Ok(reason) => {
            state.store.block_client(&staffer.actor, client, reason).await?;
            Ok(Redirect::to(&format!("/clientes/{client}?guardado=bloqueado")).into_response())
        }
        Err(error) => {
            let form = BlockForm { reason: typed, error: Some(reason_problem(&error)) };
            with_block_refused(&state, &staffer, &id, form).await
        }
    }
}

pub async fn unblock(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OwnerSubmitted { staffer, .. }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let client: ClientId = path_id(&id)?;
    state.store.unblock_client(&staffer.actor, client).await?;
    Ok(Redirect::to(&format!("/clientes/{client}?guardado=desbloqueado")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct DataFileParams {
    /// `1`: with the staff-only notes.
    #[serde(default)]
    privadas: String,
}

pub async fn data_file(
    State(state): State<AppState>,
    staffer: Staffer,
    Path(id): Path<String>,
    Query(params): Query<DataFileParams>,
) -> Result<Response, PanelError> {
    let client: ClientId = path_id(&id)?;
    let private = params.privadas == "1";
    let reader = Reader::Staff { actor: staffer.actor, private };
    let file = DataFile::gather(state.store.as_ref(), reader, client, state.clock.now()).await?;
    let api = format!("/api/v1/clients/{client}/data-file");
    let links = Links {
        css: super::assets::Links::default().css,
        back_href: format!("/clientes/{client}"),
        json_href: if private { format!("{api}?private=true") } else { api },
        private_href: format!("/clientes/{client}/archivo-de-datos?privadas=1"),
        for_client: false,
    };
    page_with(StatusCode::OK, &page(&file, links))
}
