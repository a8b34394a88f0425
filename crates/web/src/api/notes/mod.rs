//! `/clients/{id}/notes`: general notes about a client, for staff. Who may
//! change a note (its author or an owner) is decided by the store; a refusal
//! is 403 `not_note_author` and changes nothing.

mod input;
pub mod view;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ficha_domain::{AccessKind, NoteId, Viewer};
use serde_json::{Value, json};

use super::clients::client_id;
use crate::AppState;
use crate::auth::Caller;
use crate::input::JsonObject;
use crate::problem::ApiError;
use view::note_json;

/// Ids that do not parse name no note: 404, like an unknown id.
fn note_id(text: &str) -> Result<NoteId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound)
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(client): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let client = client_id(&client)?;
    let viewer = Viewer::Staff(actor);
    let (notes, ()) = tokio::try_join!(
        state.store.notes(&viewer, client),
        state.store.record_access(&actor, client, AccessKind::Notes),
    )?;
    Ok(Json(json!({ "items": notes.iter().map(note_json).collect::<Vec<_>>() })))
}

/// `{"text": "..."}` → the note, 201 with its `Location`.
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(client): Path<String>,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let client = client_id(&client)?;
    let text = input::note_text(&body)?;
    let note = state.store.add_note(&actor, client, text).await?;
    let mut response = (StatusCode::CREATED, Json(note_json(&note))).into_response();
    if let Ok(location) = HeaderValue::from_str(&view::href(&note)) {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

pub async fn read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((client, note)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let note = state.store.note(&Viewer::Staff(actor), client_id(&client)?, note_id(&note)?).await?;
    Ok(Json(note_json(&note)))
}

/// Replaces the text. Notes carry no version: the last edit wins, and the
/// history keeps every text the note had.
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((client, note)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let (client, note) = (client_id(&client)?, note_id(&note)?);
    let text = input::note_text(&body)?;
    let note = state.store.edit_note(&actor, client, note, text).await?;
    Ok(Json(note_json(&note)))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((client, note)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_note(&actor, client_id(&client)?, note_id(&note)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
