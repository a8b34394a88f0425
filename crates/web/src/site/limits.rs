//! Limits on what anyone may ask of the booking site without signing in:
//! bookings and sign-in requests, counted per client address and per email
//! in the database (`RequestLimitStore`), so every instance agrees.
//!
//! Subjects are hashed before they are stored: the counters keep no
//! address or email. A failing count lets the request through (and logs):
//! the request itself then meets the same database, and a broken limiter
//! must not close a business's booking site.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use ficha_store::LimitKey;
use jiff::SignedDuration;
use sha2::{Digest, Sha256};

use crate::AppState;

/// One limit: at most `max` requests per `window` for one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Bookings (site form and public API) from one address.
    BookingPerAddress,
    /// Bookings for one email.
    BookingPerEmail,
    /// Sign-in codes asked from one address.
    SignInPerAddress,
    /// Sign-in codes asked for one email.
    SignInPerEmail,
}

impl Limit {
    fn scope(self) -> &'static str {
        match self {
            Self::BookingPerAddress => "booking_address",
            Self::BookingPerEmail => "booking_email",
            Self::SignInPerAddress => "sign_in_address",
            Self::SignInPerEmail => "sign_in_email",
        }
    }

    /// A reception desk or a family books several times an hour from one
    /// address; a script books hundreds.
    pub fn max(self) -> u32 {
        match self {
            Self::BookingPerAddress => 20,
            Self::BookingPerEmail => 6,
            Self::SignInPerAddress => 20,
            Self::SignInPerEmail => 5,
        }
    }

    pub fn window(self) -> SignedDuration {
        match self {
            Self::BookingPerAddress | Self::BookingPerEmail => SignedDuration::from_hours(1),
            Self::SignInPerAddress | Self::SignInPerEmail => SignedDuration::from_mins(15),
        }
    }
}

/// A request over its limit: nothing was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub retry_after: SignedDuration,
}

impl Refused {
    /// Whole seconds, at least one, for `Retry-After`.
    pub fn retry_after_secs(self) -> i64 {
        self.retry_after.as_secs().max(1)
    }

    /// What the client reads.
    pub fn spanish(self) -> String {
        let minutes = (self.retry_after_secs() + 59) / 60;
        let when = if minutes <= 1 { "un minuto".to_owned() } else { format!("{minutes} minutos") };
        format!("Hiciste demasiadas solicitudes seguidas. Inténtalo de nuevo en {when}.")
    }
}

/// Counts one request of `subject` (an address or a lower-cased email)
/// against `limit`.
pub async fn allow(state: &AppState, limit: Limit, subject: &str) -> Result<(), Refused> {
    let now = state.clock.now();
    let key = LimitKey { scope: limit.scope(), subject: hashed(subject) };
    match state.store.count_request(&key, now, limit.window()).await {
        Ok(count) if count > limit.max() => {
            let ends = ficha_store::request_limits::window_start(now, limit.window()) + limit.window();
            Err(Refused { retry_after: ends.duration_since(now) })
        }
        Ok(_) => Ok(()),
        Err(error) => {
            tracing::error!(error = &error as &dyn std::error::Error, "request limit not counted");
            Ok(())
        }
    }
}

pub(crate) fn hashed(subject: &str) -> String {
    Sha256::digest(subject.trim().to_lowercase().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a request comes from: the connection's peer, or, behind a proxy
/// the operator trusts (`--trust-forwarded-for`), the address the proxy
/// appended last to `X-Forwarded-For` (earlier entries are the client's to
/// forge). `unknown` when neither is known (in-process tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.config.trust_forwarded_for {
            let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).next_back();
            let last = forwarded.and_then(|list| list.rsplit(',').next()).map(str::trim);
            if let Some(address) = last.and_then(|a| a.parse::<IpAddr>().ok()) {
                return Ok(Self(address.to_string()));
            }
        }
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip().to_string());
        Ok(Self(peer.unwrap_or_else(|| "unknown".to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_when_to_try_again() {
        let soon = Refused { retry_after: SignedDuration::from_secs(20) };
        assert_eq!(soon.spanish(), "Hiciste demasiadas solicitudes seguidas. Inténtalo de nuevo en un minuto.");
        let later = Refused { retry_after: SignedDuration::from_secs(601) };
        assert!(later.spanish().ends_with("en 11 minutos."));
        assert_eq!(Refused { retry_after: SignedDuration::ZERO }.retry_after_secs(), 1);
    }

    #[test]
    fn subjects_are_stored_hashed_and_case_blind() {
        assert_eq!(hashed(" Ana@Mail.cl"), hashed("ana@mail.cl"));
        assert_eq!(hashed("ana@mail.cl").len(), 64);
        assert!(!hashed("ana@mail.cl").contains("ana"));
    }
}
