//! The forms of the profile's "Notas": add, edit, delete. A text the domain
//! refuses comes back next to its box with nothing saved; a professional's
//! (forged) change of a colleague's note gets the 403 page, from the store's
//! `NotNoteAuthor` or, when the text is wrong too, from the same rule here.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{ClientId, NoteId, Viewer};

use super::error::{PanelError, path_id};
use super::form::Submitted;
use super::profile::notes_refused;
use super::profile_notes::parse_text;
use crate::AppState;

fn ids(client: &str, note: &str) -> Result<(ClientId, NoteId), PanelError> {
    let client = path_id(client)?;
    let note = path_id(note)?;
    Ok((client, note))
}

fn back(client: ClientId, what: &str) -> Response {
    Redirect::to(&format!("/clientes/{client}?guardado={what}#notas")).into_response()
}

pub async fn add(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { staffer, form }: Submitted,
) -> Result<Response, PanelError> {
    let client: ClientId = path_id(&id)?;
    let typed = form.get("texto");
    match parse_text(typed) {
        Ok(text) => {
            state.store.add_note(&staffer.actor, client, text).await?;
            Ok(back(client, "nota"))
        }
        Err(message) => {
            notes_refused(&state, &staffer, &id, |notes| {
                notes.draft = typed.to_owned();
                notes.error = Some(message);
            })
            .await
        }
    }
}

pub async fn edit(
    State(state): State<AppState>,
    Path((id, note)): Path<(String, String)>,
    Submitted { staffer, form }: Submitted,
) -> Result<Response, PanelError> {
    let (client, note) = ids(&id, &note)?;
    let typed = form.get("texto");
    match parse_text(typed) {
        Ok(text) => {
            state.store.edit_note(&staffer.actor, client, note, text).await?;
            Ok(back(client, "nota"))
        }
        Err(message) => {
            // A colleague's note is refused as such before its text is explained.
            let stored = state.store.note(&Viewer::Staff(staffer.actor), client, note).await?;
            if !stored.may_be_changed_by(&staffer.actor) {
                return Err(PanelError::NotYourNote);
            }
            notes_refused(&state, &staffer, &id, |notes| notes.refuse_edit(note, typed, message)).await
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    Path((id, note)): Path<(String, String)>,
    Submitted { staffer, .. }: Submitted,
) -> Result<Response, PanelError> {
    let (client, note) = ids(&id, &note)?;
    state.store.delete_note(&staffer.actor, client, note).await?;
    Ok(back(client, "nota-eliminada"))
}
