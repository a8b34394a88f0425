//! `/bookings`: booking a client, and each change of a booking (confirm,
//! cancel, reschedule, attendance, payment) as its own action with its own
//! rules. The calendar (`calendar`) and the client profile's views
//! (`profile`) read them.

pub mod calendar;
pub(crate) mod input;
pub mod profile;
pub mod view;
pub mod words;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ficha_domain::{Actor, BookingId};
use ficha_store::BookingChange;
use serde_json::{Value, json};
use view::booking_json;

use crate::AppState;
use crate::api::professionals::business_zone;
use crate::api::public::view::consent_json;
use crate::auth::Caller;
use crate::input::JsonObject;
use crate::problem::ApiError;

/// Ids that do not parse name no booking: 404, like an unknown id.
fn booking_id(text: &str) -> Result<BookingId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound)
}

/// Books a client: `{"items": [...]}` with the booking, or a pack's sessions
/// (the first at `start` when one is given, the others "por reservar").
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let zone = business_zone(&state, &actor).await?;
    let new = input::new_booking(&body, &zone)?;
    let booked = state.store.book(&actor, new).await?;
    let items: Vec<Value> = booked.iter().map(|b| booking_json(b, &zone)).collect();
    let mut response = (StatusCode::CREATED, Json(json!({ "items": items }))).into_response();
    if let Some(first) = booked.first()
        && let Ok(location) = HeaderValue::from_str(&format!("/api/v1/bookings/{}", first.id))
    {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

pub async fn read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let booking = state.store.get_booking(&actor, booking_id(&id)?).await?;
    let zone = business_zone(&state, &actor).await?;
    let mut answer = booking_json(&booking, &zone);
    if let Some((_, consent)) = state.store.consents_of(&actor, &[booking.id]).await?.first() {
        answer["consent"] = consent_json(consent, &zone);
    }
    Ok(Json(answer))
}

async fn change(state: &AppState, actor: &Actor, id: &str, change: BookingChange) -> Result<Json<Value>, ApiError> {
    let zone = business_zone(state, actor).await?;
    let booking = state.store.change_booking(actor, booking_id(id)?, change).await?;
    Ok(Json(booking_json(&booking, &zone)))
}

pub async fn confirm(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    input::nothing(&body)?;
    change(&state, &actor, &id, BookingChange::Confirm).await
}

pub async fn cancel(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    input::nothing(&body)?;
    change(&state, &actor, &id, BookingChange::Cancel).await
}

/// A new time (and maybe professional); also schedules a pack session "por
/// reservar" and puts a cancelled booking back on the calendar.
pub async fn reschedule(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let zone = business_zone(&state, &actor).await?;
    let to = input::new_time(&body, &zone)?;
    change(&state, &actor, &id, BookingChange::Reschedule(to)).await
}

pub async fn attendance(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let attendance = input::attendance(&body)?;
    change(&state, &actor, &id, BookingChange::Attendance(attendance)).await
}

pub async fn payment(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let payment = input::payment(&body)?;
    change(&state, &actor, &id, BookingChange::Payment(payment)).await
}
