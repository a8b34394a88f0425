//! Who is calling: a staff member with a login session (cookie), or an
//! integrator with a business's API token (`Authorization: Bearer`).
//!
//! Cookie-authenticated API writes are safe from cross-site forgery because
//! the session cookie is `SameSite=Lax` (browsers do not send it on
//! cross-site POST/PATCH/DELETE) and every write takes a JSON body, which a
//! cross-site HTML form cannot send. The panel's HTML forms carry a CSRF
//! token besides (`panel::session`).
//!
//! `sign_in` (API and panel alike) goes through `throttle`: growing delays
//! after repeated failures, counted in the database.

pub mod password;
pub mod secret;
mod sign_in;
pub mod throttle;

pub use sign_in::{SignedIn, sign_in};

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use ficha_domain::Actor;

use crate::AppState;
use crate::problem::ApiError;

pub const SESSION_COOKIE: &str = "ficha_session";

/// The authenticated caller of a request.
#[derive(Debug, Clone, Copy)]
pub struct Caller(pub Actor);

/// A caller with owner rights (an owner's session, or an API token).
#[derive(Debug, Clone, Copy)]
pub struct Owner(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Already read by a layer before the route (api/blocked.rs).
        if let Some(caller) = parts.extensions.get::<Self>() {
            return Ok(*caller);
        }
        let now = state.clock.now();
        if let Some(token) = bearer_token(parts) {
            let token = state.store.use_api_token(&secret::hash(token), now).await?;
            return token.map(|t| Self(t.actor())).ok_or(ApiError::Unauthenticated);
        }
        if let Some(session) = session_secret(parts) {
            let session = state.store.session(&secret::hash(session), now).await?;
            return session.map(|s| Self(s.actor())).ok_or(ApiError::Unauthenticated);
        }
        Err(ApiError::Unauthenticated)
    }
}

impl FromRequestParts<AppState> for Owner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Caller(actor) = Caller::from_request_parts(parts, state).await?;
        if actor.is_owner() { Ok(Self(actor)) } else { Err(ApiError::OwnerOnly) }
    }
}

fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The session cookie's secret, if the request carries one.
pub fn session_secret(parts: &Parts) -> Option<&str> {
    cookie(parts, SESSION_COOKIE)
}

/// The value of the cookie `name`, if the request carries it.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_in(&parts.headers, name)
}

/// The value of the cookie `name` among these request headers.
pub fn cookie_in<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

/// `Set-Cookie` value that stores a session secret in the browser.
pub fn session_cookie(secret: &str, max_age_secs: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

/// `Set-Cookie` value that removes the session cookie.
pub fn expired_session_cookie(secure: bool) -> String {
    session_cookie("", 0, secure)
}
