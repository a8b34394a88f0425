//! `GET /clients`: one page of the business's clients in a chosen order.

use axum::Json;
use axum::extract::{Query, State};
use ficha_store::{ClientSort, Cursor, ListQuery};
use serde_json::{Value, json};

use super::view::client_json;
use crate::AppState;
use crate::auth::Caller;
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;
const PARAMETERS: &[&str] = &["sort", "limit", "cursor"];
const SORTS: &[&str] = &["name", "-name", "registered_at", "-registered_at", "last_booking_at", "-last_booking_at"];

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let query = list_query(&params)?;
    let page = state.store.list_clients(&actor, &query).await?;
    Ok(Json(json!({
        "items": page.clients.iter().map(client_json).collect::<Vec<_>>(),
        "total": page.total,
        "next_cursor": page.next.map(|c| c.encode()),
    })))
}

fn list_query(params: &[(String, String)]) -> Result<ListQuery, ApiError> {
    let mut query = ListQuery { limit: DEFAULT_LIMIT, ..Default::default() };
    let mut problems = Vec::new();
    let mut cursor = None;
    for (name, value) in params {
        match name.as_str() {
            "sort" => match ClientSort::parse(value) {
                Some(sort) => query.sort = sort,
                None => problems.push(FieldProblem::new("sort", FieldProblemKind::NotOneOf { allowed: SORTS })),
            },
            "limit" => match value.parse::<u32>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => query.limit = limit,
                _ => problems.push(FieldProblem::new("limit", FieldProblemKind::OutOfRange { min: 1, max: MAX_LIMIT })),
            },
            "cursor" => match Cursor::decode(value) {
                Some(decoded) => cursor = Some(decoded),
                None => problems.push(FieldProblem::new("cursor", FieldProblemKind::BadCursor)),
            },
            other => problems.push(FieldProblem::new(other, FieldProblemKind::Unknown { allowed: PARAMETERS })),
        }
    }
    // A cursor continues the sort it was made for; with another sort it would
    // silently restart, so it is refused.
    if let Some(cursor) = cursor {
        if cursor.sort == query.sort {
            query.after = Some(cursor);
        } else {
            problems.push(FieldProblem::new("cursor", FieldProblemKind::BadCursor));
        }
    }
    if problems.is_empty() { Ok(query) } else { Err(ApiError::InvalidQuery(problems)) }
}
