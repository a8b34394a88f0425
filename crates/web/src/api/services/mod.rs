//! `/services`: what the business offers. Staff read them; owners create
//! and edit them.

mod input;
pub mod view;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ficha_domain::ServiceId;
use serde_json::{Value, json};

pub use input::staff_ids;
use view::service_json;

use crate::AppState;
use crate::auth::{Caller, Owner};
use crate::input::JsonObject;
use crate::problem::ApiError;

/// Ids that do not parse name no service: 404, like an unknown id.
fn service_id(text: &str) -> Result<ServiceId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound)
}

pub async fn list(State(state): State<AppState>, Caller(actor): Caller) -> Result<Json<Value>, ApiError> {
    let services = state.store.list_services(&actor).await?;
    Ok(Json(json!({ "items": services.iter().map(service_json).collect::<Vec<_>>() })))
}

pub async fn read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(service_json(&state.store.get_service(&actor, service_id(&id)?).await?)))
}

pub async fn create(
    State(state): State<AppState>,
    Owner(actor): Owner,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let service = state.store.create_service(&actor, input::new_service(&body)?).await?;
    let mut response = (StatusCode::CREATED, Json(service_json(&service))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/services/{}", service.id)) {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

/// 204, unless the service has bookings (409 `service_in_use`).
pub async fn delete(
    State(state): State<AppState>,
    Owner(actor): Owner,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_service(&actor, service_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Partial update. A new number of sessions applies to packs bought later.
pub async fn update(
    State(state): State<AppState>,
    Owner(actor): Owner,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let id = service_id(&id)?;
    let changes = input::service_changes(&body)?;
    Ok(Json(service_json(&state.store.update_service(&actor, id, changes).await?)))
}
