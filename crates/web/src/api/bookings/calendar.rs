//! `GET /calendar?date=YYYY-MM-DD&view=day|week&professional_id=…`: the
//! bookings of a local day (or its Monday-to-Sunday week) of one
//! professional or all, cancelled ones left out, each with what its card
//! shows and a link to the client's profile.

use axum::Json;
use axum::extract::{Query, State};
use ficha_domain::availability::day_span;
use ficha_domain::{FieldError, StaffId};
use serde_json::{Value, json};

use super::view::{booking_json, local_time};
use crate::AppState;
use crate::api::professionals::business_zone;
use crate::auth::Caller;
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

const PARAMETERS: &[&str] = &["date", "view", "professional_id"];
const VIEWS: &[&str] = &["day", "week"];

pub async fn calendar(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let (mut date, mut week, mut staff) = (None, false, None);
    let mut problems = Vec::new();
    let mut problem = |field: &str, kind| problems.push(FieldProblem::new(field, kind));
    for (name, value) in &params {
        match name.as_str() {
            "date" => match ficha_domain::dates::parse_iso_in_range(value) {
                Ok(day) => date = Some(day),
                Err(error) => problem("date", FieldProblemKind::Invalid(error)),
            },
            "view" if VIEWS.contains(&value.as_str()) => week = value == "week",
            "view" => problem("view", FieldProblemKind::NotOneOf { allowed: VIEWS }),
            "professional_id" => match value.parse::<StaffId>() {
                Ok(id) => staff = Some(id),
                Err(_) => problem("professional_id", FieldProblemKind::NotAnId),
            },
            other => problem(other, FieldProblemKind::Unknown { allowed: PARAMETERS }),
        }
    }
    if date.is_none() && !params.iter().any(|(n, _)| n == "date") {
        problem("date", FieldProblemKind::Invalid(FieldError::Required));
    }
    let Some(date) = date.filter(|_| problems.is_empty()) else { return Err(ApiError::InvalidQuery(problems)) };

    let zone = business_zone(&state, &actor).await?;
    let (first, days) = if week { (ficha_domain::availability::monday_of(date), 7) } else { (date, 1) };
    let last = first.checked_add(jiff::Span::new().days(days - 1)).unwrap_or(first);
    let (Some((from, _)), Some((_, to))) = (day_span(first, &zone), day_span(last, &zone)) else {
        return Err(ApiError::InvalidQuery(vec![FieldProblem::new(
            "date",
            FieldProblemKind::Invalid(FieldError::DateFormat),
        )]));
    };
    let entries = state.store.calendar(&actor, staff, from, to, false).await?;
    let items: Vec<Value> = entries
        .iter()
        .map(|entry| {
            let mut json = booking_json(&entry.booking, &zone);
            json["client"] = json!({
                "id": entry.booking.client,
                "name": entry.client_name,
                "href": format!("/api/v1/clients/{}", entry.booking.client),
            });
            json["service"] = json!({ "id": entry.booking.service, "name": entry.service_name });
            json
        })
        .collect();
    Ok(Json(json!({
        "from": local_time(from, &zone),
        "to": local_time(to, &zone),
        "first_day": first.to_string(),
        "last_day": last.to_string(),
        "time_zone": zone.iana_name(),
        "items": items,
    })))
}
