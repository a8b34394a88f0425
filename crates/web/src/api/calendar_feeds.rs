//! `/calendar-feeds`: private iCalendar subscription URLs of a staff
//! member's bookings (one per device), and `/settings/calendar-feeds`,
//! whether they show clients' full names.
//!
//! Each staff member lists, creates and revokes their own; owners (and API
//! tokens, which act as owners) also anyone's of the business, naming them
//! by `staff_id` — an API token has no bookings of its own, so it must. The
//! feed's secret comes back once, inside `url`, when it is created.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use ficha_domain::{Actor, CalendarFeed, FeedLabel, StaffId};
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{Caller, secret};
use crate::feeds;
use crate::input::{JsonObject, Problems};
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

const PARAMETERS: &[&str] = &["staff_id"];
const FIELDS: &[&str] = &["label", "staff_id"];
const READ_ONLY: &[&str] = &["id", "created_at", "last_used_at", "url", "webcal_url"];
const SETTINGS: &[&str] = &["full_names"];

fn feed_json(feed: &CalendarFeed) -> Value {
    json!({
        "id": feed.id,
        "staff_id": feed.staff,
        "label": feed.label.as_str(),
        "created_at": feed.created_at.to_string(),
        "last_used_at": feed.last_used_at.map(|t| t.to_string()),
    })
}

/// Whose feeds: the one named, else the caller's own. Naming someone else
/// is for owners.
fn whose(actor: &Actor, named: Option<StaffId>, field: &'static str) -> Result<StaffId, Vec<FieldProblem>> {
    let own = match actor {
        Actor::Staff { staff, .. } => *staff,
        _ => None,
    };
    match (named, own) {
        (Some(named), Some(own)) if named == own => Ok(named),
        (Some(named), _) if actor.is_owner() => Ok(named),
        (Some(_), _) => Err(Vec::new()),
        (None, Some(own)) => Ok(own),
        (None, None) => {
            Err(vec![FieldProblem::new(field, FieldProblemKind::Invalid(ficha_domain::FieldError::Required))])
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let mut named = None;
    let mut problems = Vec::new();
    for (name, value) in &params {
        match name.as_str() {
            "staff_id" => match value.parse::<StaffId>() {
                Ok(id) => named = Some(id),
                Err(_) => problems.push(FieldProblem::new("staff_id", FieldProblemKind::NotAnId)),
            },
            other => problems.push(FieldProblem::new(other, FieldProblemKind::Unknown { allowed: PARAMETERS })),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::InvalidQuery(problems));
    }
    let staff = match whose(&actor, named, "staff_id") {
        Ok(staff) => staff,
        Err(problems) if problems.is_empty() => return Err(ApiError::OwnerOnly),
        Err(problems) => return Err(ApiError::InvalidQuery(problems)),
    };
    let feeds = state.store.list_calendar_feeds(&actor, staff).await?;
    Ok(Json(json!({ "items": feeds.iter().map(feed_json).collect::<Vec<_>>() })))
}

/// `{"label": "iPhone", "staff_id"?: …}` → 201 with the feed and, this
/// once, its `url` (and `webcal_url`, which opens the calendar app).
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    body: JsonObject,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut problems = Problems(body.check_fields(FIELDS, READ_ONLY));
    let label = problems.read(body.text("label")).map(|text| text.map(FeedLabel::parse));
    let label = match label {
        Some(Some(parsed)) => problems.take("label", parsed),
        Some(None) => problems.take::<FeedLabel>("label", Err(ficha_domain::FieldError::Required)),
        None => None,
    };
    let named = match problems.read(body.text("staff_id")) {
        Some(Some(text)) => match text.parse::<StaffId>() {
            Ok(id) => Some(id),
            Err(_) => {
                problems.push("staff_id", FieldProblemKind::NotAnId);
                None
            }
        },
        _ => None,
    };
    let staff = match whose(&actor, named, "staff_id") {
        Ok(staff) => Some(staff),
        Err(refused) if refused.is_empty() && problems.0.is_empty() => return Err(ApiError::OwnerOnly),
        Err(refused) => {
            problems.0.extend(refused);
            None
        }
    };
    let (label, staff) = problems.finish(label.zip(staff))?;
    let (token, url) = feeds::mint(&headers, state.config.secure_cookies).map_err(|e| {
        tracing::error!(error = %e, "no randomness for a calendar feed");
        ApiError::Internal
    })?;
    let created = state.store.create_calendar_feed(&actor, staff, label, &secret::hash(&token)).await?;
    let mut body = feed_json(&created);
    body["webcal_url"] = json!(feeds::webcal(&url));
    body["url"] = json!(url);
    Ok((StatusCode::CREATED, Json(body)))
}

pub async fn revoke(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = id.parse().map_err(|_| ApiError::NotFound)?;
    state.store.revoke_calendar_feed(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Anyone on the staff reads what feeds show.
pub async fn settings(State(state): State<AppState>, Caller(actor): Caller) -> Result<Json<Value>, ApiError> {
    let full_names = state.store.feed_full_names(&actor).await?;
    Ok(Json(json!({ "full_names": full_names })))
}

/// Owners: `{"full_names": true}`.
pub async fn set_settings(
    State(state): State<AppState>,
    Caller(actor): Caller,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    if !actor.is_owner() {
        return Err(ApiError::OwnerOnly);
    }
    let mut problems = Problems(body.check_fields(SETTINGS, &[]));
    let full_names = problems.read(body.boolean("full_names"));
    let full_names = problems.required("full_names", full_names);
    let full_names = problems.finish(full_names)?;
    state.store.set_feed_full_names(&actor, full_names).await?;
    Ok(Json(json!({ "full_names": full_names })))
}
