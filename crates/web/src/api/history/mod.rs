//! `/clients/{id}/history`: a client's audit trail, newest first; and
//! `/deletions`: the anonymous trace of deleted clients, for owners.

pub mod view;

use axum::Json;
use axum::extract::{Path, Query, State};
use ficha_domain::AccessKind;
use ficha_store::{HistoryCursor, HistoryQuery};
use serde_json::{Value, json};

use super::clients::client_id;
use crate::AppState;
use crate::auth::{Caller, Owner};
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};
use view::{deletion_json, entry_json};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;
const PARAMETERS: &[&str] = &["limit", "cursor"];

pub async fn client_history(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(client): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let client = client_id(&client)?;
    let query = page_query(&params)?;
    let (page, ()) = tokio::try_join!(
        state.store.client_history(&actor, client, &query),
        state.store.record_access(&actor, client, AccessKind::History),
    )?;
    Ok(Json(json!({
        "items": page.entries.iter().map(entry_json).collect::<Vec<_>>(),
        "next_cursor": page.next.map(|c| c.encode()),
    })))
}

pub async fn deletions(
    State(state): State<AppState>,
    Owner(actor): Owner,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let query = page_query(&params)?;
    let page = state.store.deletions(&actor, &query).await?;
    Ok(Json(json!({
        "items": page.deletions.iter().map(deletion_json).collect::<Vec<_>>(),
        "next_cursor": page.next.map(|c| c.encode()),
    })))
}

fn page_query(params: &[(String, String)]) -> Result<HistoryQuery, ApiError> {
    let mut query = HistoryQuery { after: None, limit: DEFAULT_LIMIT };
    let mut problems = Vec::new();
    for (name, value) in params {
        match name.as_str() {
            "limit" => match value.parse::<u32>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => query.limit = limit,
                _ => problems.push(FieldProblem::new("limit", FieldProblemKind::OutOfRange { min: 1, max: MAX_LIMIT })),
            },
            // An empty cursor is the first page, as if absent.
            "cursor" if value.is_empty() => {}
            "cursor" => match HistoryCursor::decode(value) {
                Some(cursor) => query.after = Some(cursor),
                None => problems.push(FieldProblem::new("cursor", FieldProblemKind::BadCursor)),
            },
            other => problems.push(FieldProblem::new(other, FieldProblemKind::Unknown { allowed: PARAMETERS })),
        }
    }
    if problems.is_empty() { Ok(query) } else { Err(ApiError::InvalidQuery(problems)) }
}
