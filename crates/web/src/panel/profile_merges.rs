//! The profile's merges an owner may still undo ("Deshacer fusión", within
//! 30 days), and the undo itself: `POST /fusiones/{id}/deshacer`, which
//! comes back to the profile that returned, or to the survivor with why it
//! could not.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{ClientId, MergeId};
use ficha_store::{MergeRefusal, StoreError};

use super::error::{PanelError, path_id};
use super::form::OwnerSubmitted;
use super::format::date_time;
use super::session::Staffer;
use crate::AppState;

/// One merge the profile survived that can still be undone.
pub struct MergeLine {
    pub absorbed: String,
    pub when: String,
    pub who: String,
    pub until: String,
    pub action: String,
}

#[derive(Default)]
pub struct MergesSection {
    pub lines: Vec<MergeLine>,
}

impl MergesSection {
    /// Only owners undo, so only they read the merges.
    pub async fn load(state: &AppState, staffer: &Staffer, client: ClientId) -> Result<Self, PanelError> {
        if !staffer.is_owner() {
            return Ok(Self::default());
        }
        let now = state.clock.now();
        let zone = staffer.zone();
        let merges = state.store.merges_of(&staffer.actor, client).await?;
        let lines = merges
            .iter()
            .filter(|m| m.undoable_at(now))
            .map(|m| MergeLine {
                absorbed: format!("{} ({})", m.absorbed_name, m.absorbed_email),
                when: date_time(m.at, &zone),
                who: super::profile_notes::who_name(&m.who),
                until: date_time(m.undo_until, &zone),
                action: format!("/fusiones/{}/deshacer", m.id),
            })
            .collect();
        Ok(Self { lines })
    }
}

/// The profile's notice after an undo was refused, by `?guardado=`.
pub fn refused_notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "fusion-correo" => {
            "No se pudo deshacer la fusión: el correo de ese perfil ya es de otro cliente. Cámbialo o elimina ese otro perfil primero. No se cambió nada."
        }
        "fusion-vencida" => "No se pudo deshacer la fusión: pasaron más de 30 días. No se cambió nada.",
        "fusion-deshecha" => "Esa fusión ya se había deshecho.",
        "fusion-bloqueado" => "No se pudo deshacer la fusión: el perfil está bloqueado. No se cambió nada.",
        _ => return None,
    })
}

pub async fn undo(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OwnerSubmitted { staffer, form: _ }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let merge: MergeId = path_id(&id)?;
    let summary = state.store.get_merge(&staffer.actor, merge).await?;
    let refused = match state.store.undo_merge(&staffer.actor, merge).await {
        Ok(client) => {
            return Ok(Redirect::to(&format!("/clientes/{}?guardado=separado#arriba", client.id)).into_response());
        }
        Err(StoreError::MergeRefused(MergeRefusal::EmailReused { .. })) => "fusion-correo",
        Err(StoreError::MergeRefused(MergeRefusal::UndoExpired)) => "fusion-vencida",
        Err(StoreError::MergeRefused(MergeRefusal::AlreadyUndone)) => "fusion-deshecha",
        Err(StoreError::ClientBlocked) => "fusion-bloqueado",
        Err(other) => return Err(other.into()),
    };
    Ok(Redirect::to(&format!("/clientes/{}?guardado={refused}#fusiones", summary.survivor)).into_response())
}
