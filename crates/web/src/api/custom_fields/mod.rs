//! `/custom-fields`: the business's own client fields ("Otros datos"). Staff
//! read them; owners define, edit and remove them. Clients' values are under
//! `/clients/{id}/custom-values` (see `values`).

mod input;
pub mod values;
pub mod view;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ficha_domain::CustomFieldId;
use ficha_store::Removed;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{Caller, Owner};
use crate::input::JsonObject;
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};
use view::field_json;

const LIST_PARAMETERS: &[&str] = &["include_archived"];
const BOOLEANS: &[&str] = &["true", "false"];

/// Ids that do not parse name no field: 404, like an unknown id.
fn field_id(text: &str) -> Result<CustomFieldId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound)
}

/// `?include_archived=true` adds the archived fields.
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let mut include_archived = false;
    let mut problems = Vec::new();
    for (name, value) in &params {
        match (name.as_str(), value.as_str()) {
            ("include_archived", "true") => include_archived = true,
            ("include_archived", "false") => include_archived = false,
            ("include_archived", _) => {
                problems.push(FieldProblem::new(name.as_str(), FieldProblemKind::NotOneOf { allowed: BOOLEANS }));
            }
            _ => {
                problems.push(FieldProblem::new(name.as_str(), FieldProblemKind::Unknown { allowed: LIST_PARAMETERS }))
            }
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::InvalidQuery(problems));
    }
    let fields = state.store.list_fields(&actor, include_archived).await?;
    Ok(Json(json!({ "items": fields.iter().map(field_json).collect::<Vec<_>>() })))
}

pub async fn read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let field = state.store.get_field(&actor, field_id(&id)?).await?;
    Ok(Json(field_json(&field)))
}

pub async fn create(
    State(state): State<AppState>,
    Owner(actor): Owner,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let new = input::new_field(&body)?;
    let field = state.store.create_field(&actor, new).await?;
    let mut response = (StatusCode::CREATED, Json(field_json(&field))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/custom-fields/{}", field.id)) {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

/// Partial update: label, options, flags, position, `archived`. Key and
/// kind never change.
pub async fn update(
    State(state): State<AppState>,
    Owner(actor): Owner,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let id = field_id(&id)?;
    // The stored kind decides what options may be; it never changes, so
    // reading it before the update cannot race.
    let field = state.store.get_field(&actor, id).await?;
    let changes = input::field_changes(&body, &field)?;
    let updated = state.store.update_field(&actor, id, changes).await?;
    Ok(Json(field_json(&updated)))
}

/// 204 when the field had no values and is gone; 200 with the field when
/// clients have values of it and it was archived instead.
pub async fn remove(
    State(state): State<AppState>,
    Owner(actor): Owner,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    match state.store.remove_field(&actor, field_id(&id)?).await? {
        Removed::Deleted => Ok(StatusCode::NO_CONTENT.into_response()),
        Removed::Archived(field) => Ok((StatusCode::OK, Json(field_json(&field))).into_response()),
    }
}
