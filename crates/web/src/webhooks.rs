//! `/webhooks/whatsapp`: Meta's calls about WhatsApp messages we sent.
//!
//! - `GET` is the subscription handshake: Meta sends the verify token the
//!   operator configured and a challenge to echo.
//! - `POST` carries delivery statuses (sent, delivered, read, failed). It is
//!   trusted only when `X-Hub-Signature-256` is the HMAC-SHA256 of the exact
//!   body with the app secret; anything else is refused and changes nothing.
//!   A signed call is answered 200 even when it names no message of ours,
//!   so Meta does not retry it forever.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ficha_notify::whatsapp::webhook::{parse_statuses, verify_signature};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::problem::ApiError;

pub fn router() -> Router<AppState> {
    Router::new().route("/webhooks/whatsapp", get(handshake).post(statuses))
}

#[derive(Debug, Deserialize)]
struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

async fn handshake(State(state): State<AppState>, Query(hub): Query<Handshake>) -> Result<String, StatusCode> {
    let expected = state.config.whatsapp_verify_token.as_deref().filter(|token| !token.is_empty());
    match (expected, hub.mode.as_deref(), hub.verify_token.as_deref(), hub.challenge) {
        (Some(expected), Some("subscribe"), Some(given), Some(challenge)) if given == expected => Ok(challenge),
        _ => Err(StatusCode::FORBIDDEN),
    }
}

async fn statuses(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let secret = state.config.whatsapp_app_secret.as_deref().unwrap_or_default();
    let signature = headers.get("x-hub-signature-256").and_then(|value| value.to_str().ok());
    if !verify_signature(secret, &body, signature) {
        return Ok(bad_signature());
    }
    for update in parse_statuses(&body) {
        let known = state.store.delivery_report(&update.provider_id, update.status, update.error.as_deref()).await?;
        if !known {
            tracing::info!(provider_id = %update.provider_id, "WhatsApp status for a message we do not know");
        }
    }
    Ok(StatusCode::OK.into_response())
}

/// 401 as problem+json: the caller is Meta's servers, not a person, so the
/// words are for whoever reads the integration's logs.
fn bad_signature() -> Response {
    let problem = json!({
        "type": "urn:ficha:problem:bad_signature",
        "code": "bad_signature",
        "status": 401,
        "title": "La firma X-Hub-Signature-256 no corresponde a este contenido.",
    });
    (StatusCode::UNAUTHORIZED, [(CONTENT_TYPE, "application/problem+json")], problem.to_string()).into_response()
}
