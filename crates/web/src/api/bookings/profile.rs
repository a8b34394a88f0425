//! The bookings side of a client's profile: their bookings (filtered,
//! paged), their sessions "por reservar" with the packs' use, and stats.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use ficha_domain::BookingState;
use ficha_store::{BookingCursor, BookingQuery, When};
use serde_json::{Value, json};

use super::view::booking_json;
use crate::AppState;
use crate::api::clients::client_id;
use crate::api::professionals::business_zone;
use crate::api::public::view::consent_json;
use crate::auth::Caller;
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;
const PARAMETERS: &[&str] = &["when", "state", "limit", "cursor"];

fn query(params: &[(String, String)]) -> Result<BookingQuery, ApiError> {
    let mut query = BookingQuery { limit: DEFAULT_LIMIT, ..Default::default() };
    let mut cursor = None;
    let mut problems = Vec::new();
    for (name, value) in params {
        let kind = match name.as_str() {
            "when" => When::parse(value)
                .map(|w| query.when = w)
                .err_if_none(FieldProblemKind::NotOneOf { allowed: When::NAMES }),
            "state" => BookingState::parse(value)
                .map(|s| query.state = Some(s))
                .err_if_none(FieldProblemKind::NotOneOf { allowed: BookingState::NAMES }),
            "limit" => value
                .parse::<u32>()
                .ok()
                .filter(|l| (1..=MAX_LIMIT).contains(l))
                .map(|l| query.limit = l)
                .err_if_none(FieldProblemKind::OutOfRange { min: 1, max: MAX_LIMIT }),
            // An empty cursor is the first page, as if absent.
            "cursor" if value.is_empty() => None,
            "cursor" => BookingCursor::decode(value).map(|c| cursor = Some(c)).err_if_none(FieldProblemKind::BadCursor),
            _ => Some(FieldProblemKind::Unknown { allowed: PARAMETERS }),
        };
        if let Some(kind) = kind {
            problems.push(FieldProblem::new(name.as_str(), kind));
        }
    }
    // A cursor belongs to the listing it came from.
    match cursor {
        Some(c) if c.when != query.when => problems.push(FieldProblem::new("cursor", FieldProblemKind::BadCursor)),
        other => query.after = other,
    }
    if problems.is_empty() { Ok(query) } else { Err(ApiError::InvalidQuery(problems)) }
}

/// `Some(problem)` when a parameter's value did not read.
trait ErrIfNone {
    fn err_if_none(self, kind: FieldProblemKind) -> Option<FieldProblemKind>;
}

impl ErrIfNone for Option<()> {
    fn err_if_none(self, kind: FieldProblemKind) -> Option<FieldProblemKind> {
        match self {
            Some(()) => None,
            None => Some(kind),
        }
    }
}

/// `?when=upcoming|past|all&state=…&limit=…&cursor=…`: upcoming soonest
/// first, past and all latest first.
pub async fn bookings(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let id = client_id(&id)?;
    let query = query(&params)?;
    let page = state.store.client_bookings(&actor, id, &query).await?;
    let zone = business_zone(&state, &actor).await?;
    let ids: Vec<_> = page.bookings.iter().map(|b| b.id).collect();
    let consents = state.store.consents_of(&actor, &ids).await?;
    let items = page.bookings.iter().map(|b| {
        let mut item = booking_json(b, &zone);
        if let Some((_, consent)) = consents.iter().find(|(id, _)| *id == b.id) {
            item["consent"] = consent_json(consent, &zone);
        }
        item
    });
    Ok(Json(json!({
        "items": items.collect::<Vec<_>>(),
        "next_cursor": page.next.map(|c| c.encode()),
    })))
}

pub async fn por_reservar(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = client_id(&id)?;
    let open = state.store.por_reservar(&actor, id).await?;
    let zone = business_zone(&state, &actor).await?;
    let names: BTreeMap<_, _> =
        state.store.list_services(&actor).await?.into_iter().map(|s| (s.id, s.name.as_str().to_owned())).collect();
    let packs: Vec<Value> = open
        .packs
        .iter()
        .map(|p| {
            json!({
                "id": p.pack,
                "service_id": p.service,
                "service_name": names.get(&p.service),
                "sessions": p.sessions,
                "used": p.used,
                "left": p.left,
            })
        })
        .collect();
    Ok(Json(json!({
        "items": open.sessions.iter().map(|b| booking_json(b, &zone)).collect::<Vec<_>>(),
        "packs": packs,
    })))
}

pub async fn stats(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = client_id(&id)?;
    let stats = state.store.client_stats(&actor, id).await?;
    let zone = business_zone(&state, &actor).await?;
    Ok(Json(json!({
        "bookings": stats.bookings,
        "attended": stats.attended,
        "cancelled": stats.cancelled,
        "no_shows": stats.no_shows,
        "total_paid": stats.total_paid,
        "next_appointment": stats.next_appointment.as_ref().map(|b| booking_json(b, &zone)),
    })))
}
