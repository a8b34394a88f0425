//! `POST /public/{slug}/bookings`: a booking by the business's client,
//! through the site's own transaction (`BookingSiteStore::book_online`):
//! the email finds or creates the profile without overwriting it, the
//! booking's origin is `booking_site`, a pack books its first session.
//!
//! A valid request is counted against the site's limits per client address
//! and per email (`site::limits`, in the database); over either it is 429
//! with `Retry-After`, and nothing is booked.
//!
//! The answer is 201 with the booking and its manage token — the same
//! secret the site's confirmation email links to (only its hash is
//! stored). It holds nothing of the client's profile, not even its id, so
//! it reads the same whether the email was known or not.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ficha_domain::{BookingRule, CustomField, SiteRule};
use ficha_store::{Link, OnlineBooking};
use serde_json::json;

use super::view::{booking_json, consent_json};
use super::{input, refusal};
use crate::AppState;
use crate::auth::secret;
use crate::input::JsonObject;
use crate::problem::ApiError;
use crate::site::Site;
use crate::site::limits::{self, ClientAddress, Limit};
use crate::site::pages::bookable;

/// The business's fields asked in the booking form, in their order.
async fn asked_fields(state: &AppState, site: &Site) -> Result<Vec<CustomField>, ApiError> {
    let fields = state.store.list_fields(&site.actor, false).await?;
    Ok(fields.into_iter().filter(|f| f.in_booking_form).collect())
}

/// Where a manage token leads: the site's page (what the emails link to)
/// and this API.
pub fn manage_json(site: &Site, token: &str) -> serde_json::Value {
    json!({
        "token": token,
        "url": format!("{}/reserva/{token}", site.home()),
        "href": format!("/api/v1/public/{}/bookings/manage/{token}", site.business.slug.as_str()),
    })
}

pub async fn create(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ClientAddress(address): ClientAddress,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let site = Site::open(&state, &slug).await?;
    let asked = asked_fields(&state, &site).await?;
    let today = state.clock.now().to_zoned(site.zone.clone()).date();
    let request = input::booking(&body, &site.rules, &asked, &site.zone, today)?;
    // The choices the site would offer: a service bookable online and one
    // of its professionals.
    let services = bookable(&state, &site).await?;
    let service =
        services.into_iter().find(|s| s.id == request.service).ok_or(ApiError::SiteRefused(SiteRule::NotBookable))?;
    if request.professional.is_some_and(|pro| !service.performed_by(pro)) {
        return Err(ApiError::Refused(BookingRule::ServiceNotPerformed));
    }
    // Counted once the request is valid, as the site's form does: a typo
    // costs the client nothing.
    let limited = match limits::allow(&state, Limit::BookingPerAddress, &address).await {
        Ok(()) => limits::allow(&state, Limit::BookingPerEmail, &request.client.email.key()).await,
        refused => refused,
    };
    if let Err(refused) = limited {
        return Err(ApiError::TooManyRequests { wait_secs: refused.retry_after_secs().unsigned_abs() });
    }
    let token = secret::generate().map_err(|_| ApiError::Internal)?;
    let path = format!("{}/reserva/{token}", site.home());
    let online = OnlineBooking {
        service: service.id,
        professional: request.professional,
        start: request.start,
        client: request.client,
        link: Link { token_hash: secret::hash(&token), path },
        consent: request.consent,
    };
    let booking = state.store.book_online(&site.actor, online).await.map_err(refusal)?;
    let staff = state.store.list_staff(&site.actor).await?;
    let mut answer = booking_json(&booking, &service, &staff, &site.zone);
    if let Some((_, consent)) = state.store.consents_of(&site.actor, &[booking.id]).await?.first() {
        answer["consent"] = consent_json(consent, &site.zone);
    }
    let manage = manage_json(&site, &token);
    let location = HeaderValue::from_str(manage["href"].as_str().unwrap_or_default()).ok();
    answer["manage"] = manage;
    let mut response = (StatusCode::CREATED, Json(answer)).into_response();
    if let Some(location) = location {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}
