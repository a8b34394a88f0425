//! `/data-requests`: the register of data-subject requests (Ley 21.719) —
//! the list (open ones first by due date; `?status=&client_id=`), one
//! request, recording one that came by email, phone or in person, and its
//! steps (`PATCH`: status, answer, the one extension); and
//! `/settings/data-requests`, the days the business gives itself to answer.
//! Owners only: the store answers anyone else `owner_only` (403).

pub mod input;
pub mod view;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ficha_domain::{Actor, DataRequestId};
use jiff::civil::Date;
use serde_json::{Value, json};

use super::professionals::business_zone;
use crate::AppState;
use crate::auth::Caller;
use crate::input::JsonObject;
use crate::problem::ApiError;
use view::request_json;

/// Ids that do not parse name no request: 404, like an unknown id.
fn request_id(text: &str) -> Result<DataRequestId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound)
}

/// The business's date now: what "overdue" is measured on.
async fn today(state: &AppState, actor: &Actor) -> Result<Date, ApiError> {
    Ok(state.clock.now().to_zoned(business_zone(state, actor).await?).date())
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let filter = input::filter(&params)?;
    let requests = state.store.data_requests(&actor, &filter).await?;
    let today = today(&state, &actor).await?;
    let items: Vec<Value> = requests.iter().map(|r| request_json(r, today)).collect();
    Ok(Json(json!({ "items": items })))
}

pub async fn read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let request = state.store.data_request(&actor, request_id(&id)?).await?;
    Ok(Json(request_json(&request, today(&state, &actor).await?)))
}

/// Records a request that came by email, phone or in person: 201.
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    body: JsonObject,
) -> Result<Response, ApiError> {
    // Professionals hear 403 before anything about their body.
    if !actor.is_owner() {
        return Err(ApiError::OwnerOnly);
    }
    let new = input::new_request(&body)?;
    let request = state.store.file_data_request(&actor, new).await?;
    let json = request_json(&request, today(&state, &actor).await?);
    let mut response = (StatusCode::CREATED, Json(json)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/data-requests/{}", request.id)) {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

/// One step: start, answer, refuse, or extend once. An illegal one is 409.
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let id = request_id(&id)?;
    if !actor.is_owner() {
        return Err(ApiError::OwnerOnly);
    }
    let step = input::step(&body)?;
    let request = state.store.step_data_request(&actor, id, step).await?;
    Ok(Json(request_json(&request, today(&state, &actor).await?)))
}

pub async fn settings(State(state): State<AppState>, Caller(actor): Caller) -> Result<Json<Value>, ApiError> {
    if !actor.is_owner() {
        return Err(ApiError::OwnerOnly);
    }
    let days = state.store.data_request_due_days(&actor).await?;
    Ok(Json(json!({ "due_days": days.get() })))
}

pub async fn set_settings(
    State(state): State<AppState>,
    Caller(actor): Caller,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    if !actor.is_owner() {
        return Err(ApiError::OwnerOnly);
    }
    let days = input::due_days(&body)?;
    state.store.set_data_request_due_days(&actor, days).await?;
    Ok(Json(json!({ "due_days": days.get() })))
}
