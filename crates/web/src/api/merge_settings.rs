//! `/settings/merges`: whether the business lets professionals merge
//! profiles (and dismiss suggested duplicate pairs). Off unless an owner
//! turns it on; undoing a merge stays the owners' either way.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Caller;
use crate::input::{JsonObject, Problems};
use crate::problem::ApiError;

const FIELDS: &[&str] = &["professionals_may_merge"];

/// Anyone on the staff reads it (a professional learns whether they may).
pub async fn settings(State(state): State<AppState>, Caller(actor): Caller) -> Result<Json<Value>, ApiError> {
    let allowed = state.store.professionals_may_merge(&actor).await?;
    Ok(Json(json!({ "professionals_may_merge": allowed })))
}

/// Owners: `{"professionals_may_merge": true}`.
pub async fn set_settings(
    State(state): State<AppState>,
    Caller(actor): Caller,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    if !actor.is_owner() {
        return Err(ApiError::OwnerOnly);
    }
    let mut problems = Problems(body.check_fields(FIELDS, &[]));
    let allowed = problems.read(body.boolean("professionals_may_merge"));
    let allowed = problems.required("professionals_may_merge", allowed);
    let allowed = problems.finish(allowed)?;
    state.store.set_professionals_may_merge(&actor, allowed).await?;
    Ok(Json(json!({ "professionals_may_merge": allowed })))
}
