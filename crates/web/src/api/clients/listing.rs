//! `GET /clients`: one page of the business's clients in a chosen order, or,
//! with `q`, the clients that match a search, best first.

use axum::Json;
use axum::extract::{Query, State};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ficha_domain::FieldError;
use ficha_store::search::{self, Matched, QueryError, SearchQuery};
use ficha_store::{ClientSort, Cursor, ListQuery};
use serde_json::{Value, json};

use super::view::client_json;
use crate::AppState;
use crate::auth::Caller;
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;
const PARAMETERS: &[&str] = &["q", "sort", "limit", "cursor"];
const SORTS: &[&str] = &["name", "-name", "registered_at", "-registered_at", "last_booking_at", "-last_booking_at"];

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let search_text = params.iter().find(|(name, _)| name == "q").map(|(_, value)| value.trim());
    if let Some(text) = search_text.filter(|text| !text.is_empty()) {
        return search(&state, &actor, text, &params).await;
    }
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
            // An empty `q` lists; a non-empty one never reaches here.
            "q" => {}
            "sort" => match ClientSort::parse(value) {
                Some(sort) => query.sort = sort,
                None => problems.push(FieldProblem::new("sort", FieldProblemKind::NotOneOf { allowed: SORTS })),
            },
            "limit" => match value.parse::<u32>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => query.limit = limit,
                _ => problems.push(FieldProblem::new("limit", FieldProblemKind::OutOfRange { min: 1, max: MAX_LIMIT })),
            },
            // An empty cursor is the first page, as if absent.
            "cursor" if value.is_empty() => {}
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

/// A search: `q` read by the store's query rules, paged by an offset cursor.
async fn search(
    state: &AppState,
    actor: &ficha_domain::Actor,
    text: &str,
    params: &[(String, String)],
) -> Result<Json<Value>, ApiError> {
    let mut problems = Vec::new();
    let query = match SearchQuery::parse(text) {
        Ok(query) => Some(query),
        Err(QueryError::TooLong) => {
            problems.push(FieldProblem::new(
                "q",
                FieldProblemKind::Invalid(FieldError::TooLong { max: search::MAX_QUERY_CHARS }),
            ));
            None
        }
    };
    let list = list_query(params).err();
    let (mut offset, mut limit) = (0, DEFAULT_LIMIT);
    for (name, value) in params {
        match name.as_str() {
            "limit" => limit = value.parse().unwrap_or(DEFAULT_LIMIT),
            "cursor" if value.is_empty() => {}
            "cursor" => match search_offset(value) {
                Some(start) => offset = start,
                None => problems.push(FieldProblem::new("cursor", FieldProblemKind::BadCursor)),
            },
            _ => {}
        }
    }
    // Problems with sort and limit are the list's; a list cursor is not a
    // search cursor, and that was said above.
    if let Some(ApiError::InvalidQuery(list_problems)) = list {
        problems.extend(list_problems.into_iter().filter(|p| p.field != "cursor"));
    }
    let Some(query) = query.filter(|_| problems.is_empty()) else {
        return Err(ApiError::InvalidQuery(problems));
    };
    let page = state.store.search_clients(actor, &query, offset, limit).await?;
    let items: Vec<Value> = page
        .hits
        .iter()
        .map(|hit| {
            let mut item = client_json(&hit.client);
            item["matched"] = hit.matched.iter().map(matched_name).collect();
            item
        })
        .collect();
    Ok(Json(json!({
        "items": items,
        "next_cursor": page.next_offset.map(search_cursor),
    })))
}

fn matched_name(matched: &Matched) -> Value {
    match matched {
        Matched::Name => json!("name"),
        Matched::Email => json!("email"),
        Matched::Phone => json!("phone"),
        Matched::Rut => json!("rut"),
        Matched::Custom(label) => json!(format!("custom:{label}")),
    }
}

/// Search pages continue at an offset; the cursor says so, opaquely.
fn search_cursor(offset: u32) -> String {
    URL_SAFE_NO_PAD.encode(format!("search\n{offset}"))
}

fn search_offset(cursor: &str) -> Option<u32> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    text.strip_prefix("search\n")?.parse().ok()
}
