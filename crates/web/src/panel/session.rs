//! Who is using the panel, from the same session cookie the JSON API reads,
//! and the tokens that protect forms from cross-site forgery.
//!
//! CSRF, signed in: every form carries a token derived from the session's
//! secret (SHA-256 of a fixed label and the secret). Only a page served to
//! the holder of the cookie can know it; the server keeps nothing extra.
//! Signing in, before any session: the login page sets a random
//! `ficha_login` cookie (`SameSite=Strict`, `HttpOnly`) and puts the same
//! value in the form (double submit); another site can neither read nor set
//! it, so it cannot sign a browser into an account of its choosing.
//! Tokens are compared in constant time.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ficha_domain::{Actor, Business, Staff};
use ficha_store::DueCounts;
use jiff::tz::TimeZone;
use sha2::{Digest, Sha256};

use super::error::PanelError;
use crate::AppState;
use crate::auth::{cookie, secret, session_secret};

/// The hidden field that carries the CSRF token in every panel form.
pub const CSRF_FIELD: &str = "csrf";
/// The cookie and field of the login form's double-submit token.
pub const LOGIN_COOKIE: &str = "ficha_login";
/// How long a login form stays usable.
pub const LOGIN_TOKEN_SECS: u64 = 3600;

/// A signed-in staff member, their business, and their forms' token.
#[derive(Debug, Clone)]
pub struct Staffer {
    pub actor: Actor,
    pub staff: Staff,
    pub business: Business,
    pub csrf: String,
    /// The hash under which the session is stored (for logging out).
    pub session_hash: Vec<u8>,
    /// For owners: data requests overdue and due within
    /// `REQUESTS_DUE_SOON_DAYS` (the header's flag); zero for others and
    /// on `NoHeader` routes.
    pub requests_due: DueCounts,
}

/// Days before its due date a data request is flagged in the header.
pub const REQUESTS_DUE_SOON_DAYS: i64 = 5;

/// On a route whose answers never show the panel's header (the search
/// box's fragments, asked at every keystroke; the printable data file):
/// its `Staffer` skips the header's count of data requests.
#[derive(Debug, Clone, Copy)]
pub struct NoHeader;

impl Staffer {
    pub fn is_owner(&self) -> bool {
        self.actor.is_owner()
    }

    /// The business's time zone; times are shown in it.
    pub fn zone(&self) -> TimeZone {
        TimeZone::get(&self.business.time_zone).unwrap_or(TimeZone::UTC)
    }
}

impl FromRequestParts<AppState> for Staffer {
    type Rejection = PanelError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let secret = session_secret(parts).ok_or(PanelError::SignIn)?;
        let session_hash = secret::hash(secret);
        let session = state.store.session(&session_hash, state.clock.now()).await?;
        let session = session.ok_or(PanelError::SignIn)?;
        let actor = session.actor();
        let business = state.store.business(&actor).await?;
        let requests_due = if actor.is_owner() && parts.extensions.get::<NoHeader>().is_none() {
            // One count over the partial index of open requests.
            let zone = TimeZone::get(&business.time_zone).unwrap_or(TimeZone::UTC);
            let today = state.clock.now().to_zoned(zone).date();
            let soon = today.saturating_add(jiff::Span::new().days(REQUESTS_DUE_SOON_DAYS));
            state.store.data_requests_due(&actor, today, soon).await?
        } else {
            DueCounts::default()
        };
        Ok(Self { actor, staff: session.staff, business, csrf: csrf_token(secret), session_hash, requests_due })
    }
}

/// A staff member with owner rights; others get the 403 page.
pub struct OwnerStaffer(pub Staffer);

impl FromRequestParts<AppState> for OwnerStaffer {
    type Rejection = PanelError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let staffer = Staffer::from_request_parts(parts, state).await?;
        if staffer.is_owner() { Ok(Self(staffer)) } else { Err(PanelError::OwnersOnly) }
    }
}

/// The CSRF token of the session with this secret.
pub fn csrf_token(session_secret: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"ficha panel csrf\n");
    hasher.update(session_secret.as_bytes());
    URL_SAFE_NO_PAD.encode(hasher.finalize())
}

/// Equal, compared in time that depends only on the lengths.
pub fn same_secret(given: &str, expected: &str) -> bool {
    let (given, expected) = (given.as_bytes(), expected.as_bytes());
    if given.is_empty() || given.len() != expected.len() {
        return false;
    }
    given.iter().zip(expected).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0
}

/// The login form's token from its cookie, if the browser sent one.
pub fn login_cookie(parts: &Parts) -> Option<&str> {
    cookie(parts, LOGIN_COOKIE)
}

/// `Set-Cookie` for the login form's token: only sent back to `/entrar`.
pub fn login_cookie_header(token: &str, max_age_secs: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{LOGIN_COOKIE}={token}; Path=/entrar; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_belong_to_their_session() {
        let token = csrf_token("secret-a");
        assert_eq!(token, csrf_token("secret-a"));
        assert_ne!(token, csrf_token("secret-b"));
        assert!(same_secret(&token, &csrf_token("secret-a")));
        assert!(!same_secret(&csrf_token("secret-b"), &token));
        assert!(!same_secret("", ""), "an empty token never matches");
        assert!(!same_secret(&token[..10], &token));
    }
}
