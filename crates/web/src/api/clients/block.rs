//! `/clients/{id}/block` and `/unblock` (bloqueo, owners only), and the
//! block's fields in the client's JSON.

use axum::Json;
use axum::extract::{Path, State};
use ficha_domain::{Actor, Block, BlockReason, ClientId};
use serde_json::{Value, json};

use super::client_id;
use crate::AppState;
use crate::auth::Caller;
use crate::input::{JsonObject, Problems};
use crate::problem::ApiError;

/// `{"blocked", "blocked_since", "blocked_reason"}`.
pub fn block_json(block: Option<&Block>) -> Value {
    json!({
        "blocked": block.is_some(),
        "blocked_since": block.map(|b| b.since.to_string()),
        "blocked_reason": block.map(|b| b.reason.as_str()),
    })
}

/// Adds the block's fields to a client's JSON for an owner (a professional
/// never reads a blocked profile, so the fields would always say "open").
pub async fn with_block(state: &AppState, actor: &Actor, id: ClientId, mut json: Value) -> Result<Value, ApiError> {
    if actor.is_owner() {
        let block = state.store.client_block(actor, id).await?;
        if let (Some(target), Value::Object(fields)) = (json.as_object_mut(), block_json(block.as_ref())) {
            target.extend(fields);
        }
    }
    Ok(json)
}

/// `{"reason": "…"}`: the one field, required, one line of 1 to 500
/// characters.
fn reason(body: &JsonObject) -> Result<BlockReason, ApiError> {
    let mut problems = Problems(body.check_fields(&["reason"], &[]));
    let text = problems.read(body.text("reason"));
    let text = problems.required("reason", text.map(|t| t.map(str::to_owned)));
    let reason = text.and_then(|t| problems.take("reason", BlockReason::parse(&t)));
    problems.finish(reason)
}

/// Blocks the profile; answers the block. Blocking a blocked profile
/// answers its first block.
pub async fn block(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let id = client_id(&id)?;
    let reason = reason(&body)?;
    let block = state.store.block_client(&actor, id, reason).await?;
    Ok(Json(block_json(Some(&block))))
}

/// Lifts the block; answers `{"blocked": false, …}`.
pub async fn unblock(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let id = client_id(&id)?;
    crate::api::notifications::input::nothing(&body)?;
    state.store.unblock_client(&actor, id).await?;
    Ok(Json(block_json(None)))
}
