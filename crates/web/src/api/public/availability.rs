//! `GET /public/{slug}/availability?service=&professional=&from=&days=`:
//! the free start times of `days` days (default 7, at most 14) from `from`
//! (default today, in the business's zone), for one professional or any
//! ("Cualquiera": absent, empty or `cualquiera`). The same
//! `site::slots::Calendars` the site's week uses: agendas, breaks, days
//! off, bookings, minimum notice and horizon. A range with no free time
//! names the first later date that has one, so nobody has to guess past
//! empty weeks.

use axum::Json;
use axum::extract::{Path, Query, State};
use ficha_domain::{BookingRule, FieldError, ServiceId};
use jiff::civil::Date;
use serde_json::{Value, json};

use super::view::slot_json;
use crate::AppState;
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};
use crate::site::Site;
use crate::site::pages::{bookable, chosen_professionals};
use crate::site::slots::Calendars;

const PARAMETERS: &[&str] = &["service", "professional", "from", "days"];
pub const DEFAULT_DAYS: u32 = 7;
pub const MAX_DAYS: u32 = 14;

/// What was asked, each parameter read on its own.
struct Asked {
    service: ServiceId,
    /// "cualquiera" or a professional's id, as the site's links say it.
    professional: String,
    from: Option<Date>,
    days: u32,
}

fn read(params: &[(String, String)]) -> Result<Asked, ApiError> {
    let mut problems = Vec::new();
    let (mut service, mut professional, mut from, mut days) = (None, String::from("cualquiera"), None, DEFAULT_DAYS);
    let invalid = |field: &str, error| FieldProblem::new(field, FieldProblemKind::Invalid(error));
    for (name, value) in params {
        match name.as_str() {
            "service" => match value.parse::<ServiceId>() {
                Ok(id) => service = Some(id),
                Err(_) => problems.push(FieldProblem::new("service", FieldProblemKind::NotAnId)),
            },
            "professional" if value.is_empty() || value == "cualquiera" => {}
            "professional" => match value.parse::<ficha_domain::StaffId>() {
                Ok(id) => professional = id.to_string(),
                Err(_) => problems.push(FieldProblem::new("professional", FieldProblemKind::NotAnId)),
            },
            "from" => match ficha_domain::dates::parse_iso_in_range(value) {
                Ok(date) => from = Some(date),
                Err(error) => problems.push(invalid("from", error)),
            },
            "days" => match value.parse::<u32>() {
                Ok(n) if (1..=MAX_DAYS).contains(&n) => days = n,
                _ => problems.push(FieldProblem::new("days", FieldProblemKind::OutOfRange { min: 1, max: MAX_DAYS })),
            },
            _ => problems.push(FieldProblem::new(name.as_str(), FieldProblemKind::Unknown { allowed: PARAMETERS })),
        }
    }
    if service.is_none() && !problems.iter().any(|p| p.field == "service") {
        problems.push(invalid("service", FieldError::Required));
    }
    match service {
        Some(service) if problems.is_empty() => Ok(Asked { service, professional, from, days }),
        _ => Err(ApiError::InvalidQuery(problems)),
    }
}

pub async fn free(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let site = Site::open(&state, &slug).await?;
    let asked = read(&params)?;
    let services = bookable(&state, &site).await?;
    // A service not offered online reads as no service at all.
    let service =
        services.into_iter().find(|s| s.id == asked.service).ok_or(ApiError::Refused(BookingRule::ServiceUnknown))?;
    let pros = chosen_professionals(&service, &asked.professional)
        .ok_or(ApiError::Refused(BookingRule::ServiceNotPerformed))?;
    let zone = &site.zone;
    let today = state.clock.now().to_zoned(zone.clone()).date();
    let from = asked.from.unwrap_or(today);
    let mut calendars = Calendars::read(&state, &site.actor, &service, &pros, &site.rules, zone).await?;
    let length = service.duration.duration();
    let mut dates = Vec::new();
    let mut date = from;
    let mut any = false;
    for _ in 0..asked.days {
        let slots: Vec<Value> = calendars
            .day(date)
            .await?
            .into_iter()
            .filter_map(|start| Some(slot_json(start, start.checked_add(length).ok()?, zone)))
            .collect();
        any |= !slots.is_empty();
        dates.push(json!({ "date": date.to_string(), "slots": slots }));
        let Ok(next) = date.tomorrow() else { break };
        date = next;
    }
    let first_available = if any { None } else { calendars.first_free_day(date).await? };
    Ok(Json(json!({
        "service_id": service.id,
        "professional_id": pros.first().filter(|_| asked.professional != "cualquiera"),
        "time_zone": zone.iana_name(),
        "bookable_until": calendars.last_date.to_string(),
        "days": dates,
        "first_available_date": first_available.map(|d| d.to_string()),
    })))
}
