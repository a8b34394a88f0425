//! Mi cuenta, `/reservar/{slug}/mi-cuenta`: the client's own area on the
//! business's booking site.
//!
//! - `sign_in.rs`: the email form; a one-time 6-digit code and link by
//!   email (the same "te enviamos un código" page whether or not the email
//!   has a profile); the optional password; sign out here or everywhere.
//! - `home.rs`: Reservas (upcoming and past), Por reservar, the shared
//!   attention notes, and Mis datos at a glance.
//! - `bookings.rs`: Confirmar asistencia, Anular, Reagendar and Agendar, by
//!   `BookingSiteStore::change_as_client` (the business's deadlines,
//!   checked in the store; another client's booking is not found).
//! - `requests.rs`: Mis solicitudes — requests about their data (Ley
//!   21.719) filed in two clicks, with status, due date and answer.
//! - `data.rs`: Mis datos (the panel's parsers), the email change verified
//!   at the new address, and the password.
//!
//! The session is its own cookie (`ficha_cliente`), scoped to the
//! business's path, its secret stored hashed with the business; it makes a
//! `Actor::Client` that only these handlers use. The staff's extractors
//! never read it, so it opens nothing of the panel or the API. Every POST
//! made while signed in carries the session's CSRF token.

mod bookings;
mod data;
mod home;
mod privacy;
pub(crate) mod requests;
pub(crate) mod sign_in;

use axum::Router;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ficha_domain::{Actor, ClientId};
use jiff::tz::TimeZone;
use sha2::{Digest, Sha256};

use super::{Site, SiteError};
use crate::AppState;
use crate::auth::secret;
use crate::panel::form::FormData;
use crate::panel::session::same_secret;

/// The client's session cookie: not the staff's `ficha_session`.
pub const CLIENT_COOKIE: &str = "ficha_cliente";
/// A client stays signed in for 30 days on a device.
const SESSION_DAYS: i64 = 30;
const CSRF_FIELD: &str = "csrf";

pub fn routes() -> Router<AppState> {
    let base = "/reservar/{slug}/mi-cuenta";
    Router::new()
        .route(base, get(home::show))
        .route(&format!("{base}/entrar"), post(sign_in::request_code))
        .route(&format!("{base}/codigo"), post(sign_in::enter_code))
        .route(&format!("{base}/clave"), post(sign_in::enter_password))
        .route(&format!("{base}/enlace/{{token}}"), get(sign_in::link_page).post(sign_in::enter_link))
        .route(&format!("{base}/salir"), post(sign_in::sign_out))
        .route(&format!("{base}/salir-todos"), post(sign_in::sign_out_everywhere))
        .route(&format!("{base}/reservas/{{id}}/anular"), post(bookings::cancel))
        .route(&format!("{base}/reservas/{{id}}/confirmar"), post(bookings::confirm))
        .route(&format!("{base}/reservas/{{id}}/reagendar"), get(bookings::slots).post(bookings::reschedule))
        .route(&format!("{base}/datos"), get(data::form).post(data::submit))
        .route(&format!("{base}/contrasena"), post(data::set_password))
        .route(&format!("{base}/notificaciones"), post(privacy::save_preferences))
        .route(&format!("{base}/archivo-de-datos"), get(privacy::data_page))
        .route(&format!("{base}/archivo-de-datos.json"), get(privacy::data_json))
        .route(&format!("{base}/solicitudes"), post(requests::file))
        .route(&format!("{base}/correo/{{token}}"), get(data::email_page).post(data::confirm_email))
}

/// The business of `slug`, whether or not it books online now: a client
/// may still see and cancel what they booked.
pub async fn business_site(state: &AppState, slug: &str) -> Result<Site, SiteError> {
    let business = state.store.business_by_slug(slug).await?.ok_or(SiteError::NotFound)?;
    let actor = Actor::System { business: business.id };
    let rules = state.store.booking_rules(&actor).await?;
    let zone = TimeZone::get(&business.time_zone).unwrap_or(TimeZone::UTC);
    Ok(Site { business, actor, rules, zone })
}

/// A signed-in client of one business.
pub struct Account {
    pub site: Site,
    pub client: ClientId,
    /// What every call about this client acts as.
    pub actor: Actor,
    pub csrf: String,
    token_hash: Vec<u8>,
}

impl Account {
    pub fn base(&self) -> String {
        base(&self.site)
    }
}

pub fn base(site: &Site) -> String {
    format!("{}/mi-cuenta", site.home())
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The client signed in to this business, if the request's cookie is a
/// live session of it. Another business's session is simply none.
pub async fn signed_in(state: &AppState, site: Site, headers: &HeaderMap) -> Result<Option<Account>, SiteError> {
    let Some(secret) = cookie(headers, CLIENT_COOKIE).filter(|s| !s.is_empty()) else { return Ok(None) };
    let token_hash = secret::hash(secret);
    let Some(client) = state.store.client_session(&site.actor, &token_hash, state.clock.now()).await? else {
        return Ok(None);
    };
    let actor = Actor::Client { business: site.business.id, client };
    Ok(Some(Account { site, client, actor, csrf: csrf_token(secret), token_hash }))
}

/// The signed-in client, or a redirect to Mi cuenta's sign-in.
pub async fn required(
    state: &AppState,
    slug: &str,
    headers: &HeaderMap,
) -> Result<Result<Account, Response>, SiteError> {
    let site = business_site(state, slug).await?;
    let sign_in = base(&site);
    Ok(signed_in(state, site, headers).await?.ok_or_else(|| Redirect::to(&sign_in).into_response()))
}

/// The signed-in client whose form carries the session's CSRF token; a
/// form without it (forged on another site) changes nothing.
pub async fn submitted(
    state: &AppState,
    slug: &str,
    headers: &HeaderMap,
    form: &FormData,
) -> Result<Result<Account, Response>, SiteError> {
    match required(state, slug, headers).await? {
        Ok(account) if same_secret(form.get(CSRF_FIELD), &account.csrf) => Ok(Ok(account)),
        Ok(_) => Err(SiteError::Forbidden),
        Err(redirect) => Ok(Err(redirect)),
    }
}

fn csrf_token(session_secret: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"ficha client csrf\n");
    hasher.update(session_secret.as_bytes());
    URL_SAFE_NO_PAD.encode(hasher.finalize())
}

/// `Set-Cookie` for the client's session, sent only under the business's
/// own path.
fn session_cookie(site: &Site, secret: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{CLIENT_COOKIE}={secret}; Path={}; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}", site.home())
}

/// Opens a session for `client` and answers with a redirect to Mi cuenta
/// that sets its cookie.
pub async fn open_session(state: &AppState, site: &Site, client: ClientId) -> Result<Response, SiteError> {
    let secret = secret::generate().map_err(|_| SiteError::Internal)?;
    let now = state.clock.now();
    let expires = now + jiff::SignedDuration::from_hours(24 * SESSION_DAYS);
    state.store.open_client_session(&site.actor, client, &secret::hash(&secret), now, expires).await?;
    let cookie = session_cookie(site, &secret, SESSION_DAYS * 24 * 3600, state.config.secure_cookies);
    with_cookie(Redirect::to(&base(site)).into_response(), &cookie)
}

/// A redirect to Mi cuenta's sign-in that forgets the cookie.
fn signed_out(state: &AppState, site: &Site, notice: &str) -> Result<Response, SiteError> {
    let cookie = session_cookie(site, "", 0, state.config.secure_cookies);
    let to = format!("{}{}", base(site), crate::panel::format::query(&[("aviso", notice)]));
    with_cookie(Redirect::to(&to).into_response(), &cookie)
}

fn with_cookie(mut response: Response, cookie: &str) -> Result<Response, SiteError> {
    let value = HeaderValue::from_str(cookie).map_err(|_| SiteError::Internal)?;
    response.headers_mut().append(SET_COOKIE, value);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_belong_to_their_session_and_differ_from_the_panels() {
        assert_eq!(csrf_token("a"), csrf_token("a"));
        assert_ne!(csrf_token("a"), csrf_token("b"));
        assert_ne!(csrf_token("a"), crate::panel::session::csrf_token("a"));
    }

    #[test]
    fn the_cookie_is_read_by_its_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(axum::http::header::COOKIE, HeaderValue::from_static("ficha_session=x; ficha_cliente=y"));
        assert_eq!(cookie(&headers, CLIENT_COOKIE), Some("y"));
        assert_eq!(cookie(&headers, "ficha"), None);
    }
}
