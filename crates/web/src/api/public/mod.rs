//! `/api/v1/public/{slug}/…`: the booking site as JSON, for businesses that
//! put the booking flow inside their own website. No session and no API
//! token: it acts as `Actor::System` of the slug's business, like the site,
//! and keeps the site's rules by calling the same code (`site::pages` for
//! what is bookable, `site::slots::Calendars` for the free times,
//! `BookingSiteStore::book_online` / `change_online` for the writes).
//!
//! - `services.rs`: what may be booked, with who performs it;
//! - `availability.rs`: the free start times of a few days;
//! - `bookings.rs`: a booking, answered with its manage token;
//! - `manage.rs`: what the manage token opens and the client's changes;
//! - `input.rs` reads the bodies, `view.rs` writes the answers, `words.rs`
//!   says the site's refusals; `cors.rs` lets other websites call it.
//!
//! An unknown slug and a business with online booking off are the same
//! 404; a wrong token too. Nothing answered reveals whether an email
//! already had a profile: the booking answer holds only the booking.

pub mod availability;
pub mod bookings;
pub mod cors;
mod input;
pub mod manage;
pub mod privacy_notice;
pub mod services;
pub(crate) mod view;
pub mod words;

use ficha_domain::{BookingRule, SiteRule};
use ficha_store::StoreError;

use crate::problem::ApiError;
use crate::site::SiteError;

impl From<SiteError> for ApiError {
    fn from(error: SiteError) -> Self {
        match error {
            SiteError::NotFound => Self::NotFound,
            // Only Mi cuenta's forms (a missing CSRF token) raise it; the
            // public API has no session to forge.
            SiteError::Forbidden | SiteError::Internal => Self::Internal,
            // Never said publicly: as a service closed to online booking.
            SiteError::Blocked => Self::SiteRefused(ficha_domain::SiteRule::NotBookable),
        }
    }
}

/// A store refusal as the public API says it. An overlap names the other
/// booking on the staff API; here it is only "taken".
fn refusal(error: StoreError) -> ApiError {
    match error {
        StoreError::Refused(BookingRule::Overlap { .. }) => ApiError::SiteRefused(SiteRule::SlotTaken),
        other => other.into(),
    }
}
