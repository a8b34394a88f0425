//! `/public/{slug}/bookings/manage/{token}`: what a manage token opens — the
//! booking as it is now (a reschedule keeps the booking, so an old token
//! still finds it) with the changes the client may still make and until
//! when — and the changes themselves, through the store's
//! `change_online`, which checks the business's deadlines inside the
//! transaction. Like the site's manage page, this answers even with online
//! booking turned off: a client can still see and cancel what they booked.

use axum::Json;
use axum::extract::{Path, State};
use ficha_domain::{Actor, Booking, BookingRule, BookingState, SiteRule};
use ficha_store::{Link, OnlineChange};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::view::booking_json;
use super::{input, refusal};
use crate::AppState;
use crate::api::bookings::view::local_time;
use crate::auth::secret;
use crate::input::JsonObject;
use crate::problem::ApiError;
use crate::site::Site;

/// The business of `slug` (open or not), the booking the token opens, and
/// the link as the site's messages carry it.
async fn managed(state: &AppState, slug: &str, token: &str) -> Result<(Site, Booking, Link), ApiError> {
    let business = state.store.business_by_slug(slug).await?.ok_or(ApiError::NotFound)?;
    let actor = Actor::System { business: business.id };
    let rules = state.store.booking_rules(&actor).await?;
    let zone = TimeZone::get(&business.time_zone).unwrap_or(TimeZone::UTC);
    let site = Site { business, actor, rules, zone };
    let token_hash = secret::hash(token);
    let booking = state.store.linked_booking(&site.actor, &token_hash).await?;
    let link = Link { token_hash, path: format!("{}/reserva/{token}", site.home()) };
    Ok((site, booking, link))
}

/// One change's window: whether it is open now, and its deadline.
fn window(start: Option<Timestamp>, open: bool, hours: u32, zone: &TimeZone) -> Value {
    let until = start.and_then(|s| s.checked_sub(SignedDuration::from_hours(i64::from(hours))).ok());
    json!({ "allowed": open, "until": until.map(|u| local_time(u, zone)) })
}

/// The booking with what the client may still do to it.
async fn answer(state: &AppState, site: &Site, booking: &Booking) -> Result<Json<Value>, ApiError> {
    let service = state.store.get_service(&site.actor, booking.service).await?;
    let staff = state.store.list_staff(&site.actor).await?;
    let mut json = booking_json(booking, &service, &staff, &site.zone);
    let (now, rules, zone) = (state.clock.now(), &site.rules, &site.zone);
    let start = booking.when.map(|w| w.start());
    let live = booking.state != BookingState::Cancelled;
    let cancel = live && start.is_some_and(|s| rules.may_cancel(s, now).is_ok());
    let reschedule = live && rules.online && start.is_some_and(|s| rules.may_reschedule(s, now).is_ok());
    let pending = booking.state == BookingState::Pending;
    let confirm = pending && start.is_some_and(|s| rules.may_confirm(s, now).is_ok());
    json["actions"] = json!({
        "confirm": window(start, confirm, rules.confirm_until_hours, zone),
        "cancel": window(start, cancel, rules.cancel_until_hours, zone),
        "reschedule": window(start, reschedule, rules.reschedule_until_hours, zone),
    });
    Ok(Json(json))
}

pub async fn read(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (site, booking, _) = managed(&state, &slug, &token).await?;
    answer(&state, &site, &booking).await
}

pub async fn cancel(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    change(&state, &slug, &token, &body, OnlineChange::Cancel).await
}

/// The client says they will come: `pending` → `confirmed` (again: no
/// change, no error).
pub async fn confirm(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    change(&state, &slug, &token, &body, OnlineChange::Confirm).await
}

/// A change that takes no input (an empty JSON object) through the link.
async fn change(
    state: &AppState,
    slug: &str,
    token: &str,
    body: &JsonObject,
    change: OnlineChange,
) -> Result<Json<Value>, ApiError> {
    input::nothing(body)?;
    let (site, _, link) = managed(state, slug, token).await?;
    let booking = state.store.change_online(&site.actor, &link, change).await.map_err(refusal)?;
    answer(state, &site, &booking).await
}

/// A new time, with the professional named or (absent, `cualquiera`) the
/// first of the service's who is free then. Only while the site is open,
/// like the site's Reagendar.
pub async fn reschedule(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let (site, booking, link) = managed(&state, &slug, &token).await?;
    let (professional, start) = input::reschedule(&body, &site.zone)?;
    if !site.rules.online {
        return Err(ApiError::SiteRefused(SiteRule::Closed));
    }
    let service = state.store.get_service(&site.actor, booking.service).await?;
    if professional.is_some_and(|pro| !service.performed_by(pro)) {
        return Err(ApiError::Refused(BookingRule::ServiceNotPerformed));
    }
    let change = OnlineChange::Reschedule { professional, start };
    let booking = state.store.change_online(&site.actor, &link, change).await.map_err(refusal)?;
    answer(&state, &site, &booking).await
}
