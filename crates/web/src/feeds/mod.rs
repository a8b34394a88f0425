//! `GET /calendario.ics/{token}`: a staff member's bookings as a private
//! iCalendar subscription (Google Calendar, a phone's calendar). No session:
//! the token in the URL is the credential, so an unknown or revoked one is a
//! bare 404 that says nothing more. Calendar apps poll every few minutes;
//! each poll is one read by the token's hash and one range read of the
//! bookings, and an unchanged feed answers 304 to its ETag.
//!
//! What a feed shows is decided in `ficha_domain::calendar_feed` (the
//! title) and `ics.rs` (the event): never notes, custom values or contact
//! data.

pub(crate) mod ics;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, HOST, IF_NONE_MATCH, REFERRER_POLICY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::SignedDuration;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::secret;

/// Where feeds are served; the token follows.
pub const PATH: &str = "/calendario.ics";

/// How far back a feed reaches: last month's appointments stay visible.
pub const DAYS_BACK: i64 = 30;
/// How far ahead: about half a year of agenda.
pub const DAYS_AHEAD: i64 = 180;

pub fn router() -> Router<AppState> {
    Router::new().route("/calendario.ics/{token}", get(serve))
}

async fn serve(State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    match answer(&state, &token, &headers).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(error = %error, "a calendar feed could not be read");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn answer(state: &AppState, token: &str, headers: &HeaderMap) -> Result<Response, ficha_store::StoreError> {
    let now = state.clock.now();
    let Some(feed) = state.store.open_calendar_feed(&secret::hash(token), now).await? else {
        return Ok(not_found());
    };
    let from = now - SignedDuration::from_hours(24 * DAYS_BACK);
    let to = now + SignedDuration::from_hours(24 * DAYS_AHEAD);
    let events = state.store.feed_events(&feed, from, to).await?;
    let body = ics::calendar(&feed, &events);
    let etag = format!("\"{}\"", hex(&Sha256::digest(body.as_bytes())[..16]));
    let fresh = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim().trim_start_matches("W/") == etag));
    let mut response = if fresh { StatusCode::NOT_MODIFIED.into_response() } else { body.into_response() };
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    // Only the subscriber's own calendar keeps it, and asks again within
    // minutes; the URL itself is the secret, so it is never passed on.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, etag);
    }
    Ok(response)
}

/// Unknown, revoked or malformed: the same bare answer.
fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(CACHE_CONTROL, HeaderValue::from_static("no-store"))]).into_response()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The feed's address as the person who made it reached Ficha: the scheme
/// from `--secure-cookies` (on behind TLS), the host from the request.
pub fn url(headers: &HeaderMap, secure: bool, token: &str) -> String {
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if secure { "https" } else { "http" };
    format!("{scheme}://{host}{PATH}/{token}")
}

/// The same address for "subscribe" links: `webcal://` opens the calendar
/// app instead of downloading a file.
pub fn webcal(url: &str) -> String {
    match url.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => url.to_owned(),
    }
}

/// A fresh token and its URL.
pub fn mint(headers: &HeaderMap, secure: bool) -> Result<(String, String), getrandom::Error> {
    let token = secret::generate()?;
    let url = url(headers, secure, &token);
    Ok((token, url))
}
