//! `/professionals`: the business's staff as the calendar sees them, each
//! with an agenda (owners set it) and free slots.

mod agenda;

use axum::Json;
use axum::extract::{Path, Query, State};
use ficha_domain::availability::{SLOT_STEP, day_span, free_slots};
use ficha_domain::{Actor, ServiceId, StaffId};
use ficha_store::bookings::record::agenda_json;
use ficha_store::bookings::rules;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::bookings::view::local_time;
use crate::auth::{Caller, Owner};
use crate::input::JsonObject;
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

/// Ids that do not parse name nobody: 404, like an unknown id.
pub(crate) fn staff_id(text: &str) -> Result<StaffId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound)
}

/// The business's time zone.
pub(crate) async fn business_zone(state: &AppState, actor: &Actor) -> Result<TimeZone, ApiError> {
    Ok(rules::zone(&state.store.business(actor).await?.time_zone))
}

pub async fn list(State(state): State<AppState>, Caller(actor): Caller) -> Result<Json<Value>, ApiError> {
    let staff = state.store.list_staff(&actor).await?;
    let items: Vec<Value> = staff
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "name": s.name.as_str(),
                "role": s.role.as_str(),
                "agenda": format!("/api/v1/professionals/{}/agenda", s.id),
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

fn agenda_response(staff: StaffId, agenda: &ficha_domain::Agenda, zone: &TimeZone) -> Json<Value> {
    let mut json = agenda_json(agenda);
    json["professional_id"] = json!(staff);
    json["time_zone"] = json!(zone.iana_name());
    Json(json)
}

pub async fn read_agenda(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let staff = staff_id(&id)?;
    let agenda = state.store.agenda(&actor, staff).await?;
    Ok(agenda_response(staff, &agenda, &business_zone(&state, &actor).await?))
}

/// Replaces the whole agenda; bookings already made stay where they are.
pub async fn write_agenda(
    State(state): State<AppState>,
    Owner(actor): Owner,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let staff = staff_id(&id)?;
    let agenda = state.store.set_agenda(&actor, staff, agenda::agenda(&body)?).await?;
    Ok(agenda_response(staff, &agenda, &business_zone(&state, &actor).await?))
}

const AVAILABILITY_PARAMETERS: &[&str] = &["service_id", "date"];

/// `?service_id=…&date=YYYY-MM-DD`: the start times still free that day (in
/// the business's time zone) for the service with this professional.
pub async fn availability(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let staff = staff_id(&id)?;
    let mut problems = Vec::new();
    let (mut service, mut date) = (None, None);
    for (name, value) in &params {
        match name.as_str() {
            "service_id" => match value.parse::<ServiceId>() {
                Ok(id) => service = Some(id),
                Err(_) => problems.push(FieldProblem::new("service_id", FieldProblemKind::NotAnId)),
            },
            "date" => match ficha_domain::dates::parse_iso_in_range(value) {
                Ok(day) => date = Some(day),
                Err(error) => problems.push(FieldProblem::new("date", FieldProblemKind::Invalid(error))),
            },
            _ => problems
                .push(FieldProblem::new(name.as_str(), FieldProblemKind::Unknown { allowed: AVAILABILITY_PARAMETERS })),
        }
    }
    for (field, missing) in [("service_id", service.is_none()), ("date", date.is_none())] {
        if missing && !problems.iter().any(|p| p.field == field) {
            problems.push(FieldProblem::new(field, FieldProblemKind::Invalid(ficha_domain::FieldError::Required)));
        }
    }
    let (Some(service), Some(date)) = (service, date) else { return Err(ApiError::InvalidQuery(problems)) };
    if !problems.is_empty() {
        return Err(ApiError::InvalidQuery(problems));
    }
    let agenda = state.store.agenda(&actor, staff).await?;
    let service = match state.store.get_service(&actor, service).await {
        Err(ficha_store::StoreError::NotFound) => {
            return Err(ApiError::Refused(ficha_domain::BookingRule::ServiceUnknown));
        }
        other => other?,
    };
    if !service.performed_by(staff) {
        return Err(ApiError::Refused(ficha_domain::BookingRule::ServiceNotPerformed));
    }
    let zone = business_zone(&state, &actor).await?;
    let slots = open_slots(&state, &actor, staff, &agenda, &service, date, &zone).await?.ok_or(ApiError::NotFound)?;
    let slots: Vec<Value> = slots
        .iter()
        .map(|s| json!({ "start": local_time(s.start(), &zone), "end": local_time(s.end(), &zone) }))
        .collect();
    Ok(Json(json!({
        "professional_id": staff,
        "service_id": service.id,
        "date": date.to_string(),
        "time_zone": zone.iana_name(),
        "step_minutes": SLOT_STEP.as_mins(),
        "slots": slots,
    })))
}

/// The start times still free on `date` for `service` with the professional
/// `staff` of `agenda`; `None` for a date the zone cannot place.
pub(crate) async fn open_slots(
    state: &AppState,
    actor: &Actor,
    staff: StaffId,
    agenda: &ficha_domain::Agenda,
    service: &ficha_domain::Service,
    date: Date,
    zone: &TimeZone,
) -> Result<Option<Vec<ficha_domain::Interval>>, ficha_store::StoreError> {
    let Some((from, to)) = day_span(date, zone) else { return Ok(None) };
    let busy = state.store.busy(actor, staff, from, to).await?;
    Ok(Some(free_slots(agenda, date, zone, service.duration.duration(), &busy, state.clock.now())))
}
