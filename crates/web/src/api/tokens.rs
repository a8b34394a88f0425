//! `/tokens`: the business's API tokens for integrators. Owners only. The
//! secret is shown once, when created.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ficha_domain::FieldError;
use ficha_store::ApiToken;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{Owner, secret};
use crate::input::JsonObject;
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

const MAX_NAME_CHARS: usize = 80;

fn token_json(token: &ApiToken) -> Value {
    json!({
        "id": token.id,
        "name": token.name,
        "created_at": token.created_at.to_string(),
        "last_used_at": token.last_used_at.map(|t| t.to_string()),
    })
}

pub async fn list(State(state): State<AppState>, Owner(actor): Owner) -> Result<Json<Value>, ApiError> {
    let tokens = state.store.list_api_tokens(&actor).await?;
    Ok(Json(json!({ "items": tokens.iter().map(token_json).collect::<Vec<_>>() })))
}

/// `{"name": "..."}` → the token, with its secret under `token`.
pub async fn create(
    State(state): State<AppState>,
    Owner(actor): Owner,
    body: JsonObject,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut problems = body.check_fields(&["name"], &["id", "created_at", "last_used_at", "token"]);
    let name = match body.text("name") {
        Ok(Some(name)) if name.trim().is_empty() => Err(FieldError::Required),
        Ok(Some(name)) if name.trim().chars().count() > MAX_NAME_CHARS => {
            Err(FieldError::TooLong { max: MAX_NAME_CHARS })
        }
        Ok(Some(name)) if name.chars().any(char::is_control) => Err(FieldError::ControlCharacters),
        Ok(Some(name)) => Ok(name.trim().to_owned()),
        Ok(None) => Err(FieldError::Required),
        Err(problem) => {
            problems.push(problem);
            Err(FieldError::Required)
        }
    };
    let name = match name {
        Ok(name) if problems.is_empty() => name,
        Ok(_) => return Err(ApiError::Validation(problems)),
        Err(error) => {
            if problems.iter().all(|p| p.field != "name") {
                problems.push(FieldProblem::new("name", FieldProblemKind::Invalid(error)));
            }
            return Err(ApiError::Validation(problems));
        }
    };
    let token = secret::generate_api_token().map_err(|e| {
        tracing::error!(error = %e, "no randomness for an API token");
        ApiError::Internal
    })?;
    let created = state.store.create_api_token(&actor, &name, &secret::hash(&token)).await?;
    let mut body = token_json(&created);
    body["token"] = json!(token);
    Ok((StatusCode::CREATED, Json(body)))
}

pub async fn revoke(
    State(state): State<AppState>,
    Owner(actor): Owner,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = id.parse().map_err(|_| ApiError::NotFound)?;
    state.store.revoke_api_token(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
