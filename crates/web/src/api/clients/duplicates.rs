//! `GET /clients/duplicates` (the suggested pairs of profiles that may be
//! one person, best first) and `POST /clients/duplicates/dismiss` ("No es
//! duplicado"). Literal segments, so they win over `/clients/{id}`.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use ficha_domain::ClientId;
use ficha_store::{DuplicatePair, PairCursor};
use serde_json::{Value, json};

use super::listing::{DEFAULT_LIMIT, MAX_LIMIT};
use super::view::client_json;
use crate::AppState;
use crate::auth::Caller;
use crate::input::{JsonObject, Problems};
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

const PARAMETERS: &[&str] = &["limit", "cursor"];
const FIELDS: &[&str] = &["client_a", "client_b"];

/// `{"a", "b", "reasons", "score"}`: both clients as `GET /clients/{id}`
/// shows them (without custom values), the smaller id first.
pub fn pair_json(pair: &DuplicatePair) -> Value {
    json!({
        "a": client_json(&pair.a),
        "b": client_json(&pair.b),
        "reasons": pair.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "score": pair.score,
    })
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let mut limit = DEFAULT_LIMIT;
    let mut after = None;
    let mut problems = Vec::new();
    for (name, value) in &params {
        match name.as_str() {
            "limit" => match value.parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => limit = n,
                _ => problems.push(FieldProblem::new("limit", FieldProblemKind::OutOfRange { min: 1, max: MAX_LIMIT })),
            },
            "cursor" if value.is_empty() => {}
            "cursor" => match PairCursor::decode(value) {
                Some(cursor) => after = Some(cursor),
                None => problems.push(FieldProblem::new("cursor", FieldProblemKind::BadCursor)),
            },
            other => problems.push(FieldProblem::new(other, FieldProblemKind::Unknown { allowed: PARAMETERS })),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::InvalidQuery(problems));
    }
    let page = state.store.duplicate_suggestions(&actor, limit, after.as_ref()).await?;
    Ok(Json(json!({
        "items": page.pairs.iter().map(pair_json).collect::<Vec<_>>(),
        "next_cursor": page.next.map(|c| c.encode()),
    })))
}

/// One of the body's two ids.
fn id(body: &JsonObject, problems: &mut Problems, field: &str) -> Option<ClientId> {
    let text = problems.read(body.text(field));
    let text = problems.required(field, text.map(|t| t.map(str::to_owned)))?;
    match text.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            problems.push(field, FieldProblemKind::NotAnId);
            None
        }
    }
}

/// `{"client_a", "client_b"}`, in either order: the pair is never
/// suggested again. Answers 204.
pub async fn dismiss(
    State(state): State<AppState>,
    Caller(actor): Caller,
    body: JsonObject,
) -> Result<StatusCode, ApiError> {
    let mut problems = Problems(body.check_fields(FIELDS, &[]));
    let a = id(&body, &mut problems, "client_a");
    let b = id(&body, &mut problems, "client_b");
    if let (Some(a), Some(b)) = (a, b)
        && a == b
    {
        problems.push("client_b", FieldProblemKind::SameClient);
    }
    let (a, b) = problems.finish(a.zip(b))?;
    state.store.dismiss_duplicate(&actor, a, b).await?;
    Ok(StatusCode::NO_CONTENT)
}
