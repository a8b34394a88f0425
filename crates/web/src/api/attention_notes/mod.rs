//! Attention notes: `/bookings/{id}/notes` (a booking's notes, each
//! `private` or `shared`) and `/clients/{id}/attention-notes` (all of a
//! client's, grouped by kind). For staff; what a client may see of them is
//! decided by the store (`Viewer`). Who may change a note (its author or an
//! owner) too: a refusal is 403 `not_note_author` and changes nothing.

mod input;
pub mod view;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ficha_domain::{AccessKind, AttentionNoteId, BookingId, Viewer};
use serde_json::{Value, json};

use super::clients::client_id;
use crate::AppState;
use crate::api::professionals::business_zone;
use crate::auth::Caller;
use crate::input::JsonObject;
use crate::problem::ApiError;
use view::{attention_note_json, booked_note_json};

/// Ids that do not parse name nothing: 404, like an unknown id.
fn ids(booking: &str, note: &str) -> Result<(BookingId, AttentionNoteId), ApiError> {
    Ok((booking_id(booking)?, note.parse().map_err(|_| ApiError::NotFound)?))
}

fn booking_id(text: &str) -> Result<BookingId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound)
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(booking): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let notes = state.store.booking_notes(&Viewer::Staff(actor), booking_id(&booking)?).await?;
    Ok(Json(json!({ "items": notes.iter().map(attention_note_json).collect::<Vec<_>>() })))
}

/// `{"kind": "private"|"shared", "text": "..."}` → the note, 201 with its
/// `Location`.
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(booking): Path<String>,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let booking = booking_id(&booking)?;
    let (kind, text) = input::new_note(&body)?;
    let note = state.store.add_attention_note(&actor, booking, kind, text).await?;
    let mut response = (StatusCode::CREATED, Json(attention_note_json(&note))).into_response();
    if let Ok(location) = HeaderValue::from_str(&view::href(&note)) {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

pub async fn read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((booking, note)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (booking, note) = ids(&booking, &note)?;
    let note = state.store.attention_note(&Viewer::Staff(actor), booking, note).await?;
    Ok(Json(attention_note_json(&note)))
}

/// Replaces the text; the last edit wins and the history keeps every text.
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((booking, note)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let (booking, note) = ids(&booking, &note)?;
    let text = input::edited_text(&body)?;
    let note = state.store.edit_attention_note(&actor, booking, note, text).await?;
    Ok(Json(attention_note_json(&note)))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((booking, note)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (booking, note) = ids(&booking, &note)?;
    state.store.delete_attention_note(&actor, booking, note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `{"private": [...], "shared": [...]}`, each newest first with its booking.
pub async fn of_client(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(client): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let client = client_id(&client)?;
    let zone = business_zone(&state, &actor).await?;
    let viewer = Viewer::Staff(actor);
    let (notes, ()) = tokio::try_join!(
        state.store.client_attention_notes(&viewer, client),
        state.store.record_access(&actor, client, AccessKind::AttentionNotes),
    )?;
    let group =
        |notes: &[ficha_store::BookedNote]| notes.iter().map(|n| booked_note_json(n, &zone)).collect::<Vec<_>>();
    Ok(Json(json!({ "private": group(&notes.private), "shared": group(&notes.shared) })))
}
