//! `/auth`: staff sign in and out; who am I.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ficha_domain::{Actor, Staff};
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{Caller, expired_session_cookie, secret, session_cookie, session_secret, sign_in};
use crate::input::JsonObject;
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};
use crate::site::limits::ClientAddress;
use ficha_domain::FieldError;

const LOGIN_FIELDS: &[&str] = &["business", "email", "password"];

/// Signs a staff member in: `{"business": slug, "email", "password"}`. Sets
/// the session cookie; the same answer whether the business, the email or the
/// password was wrong, so logins reveal nothing; repeated failures get 429
/// with `Retry-After`.
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let mut problems = body.check_fields(LOGIN_FIELDS, &[]);
    let mut field = |name: &str| match body.text(name) {
        Ok(Some(text)) if !text.trim().is_empty() => Some(text.to_owned()),
        Ok(_) => {
            problems.push(FieldProblem::new(name, FieldProblemKind::Invalid(FieldError::Required)));
            None
        }
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let (business, email, password) = (field("business"), field("email"), field("password"));
    let (Some(business), Some(email), Some(password)) = (business, email, password) else {
        return Err(ApiError::Validation(problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }

    let signed_in = sign_in(&state, &business, &email, password, &address).await?;
    let cookie = session_cookie(&signed_in.secret, state.config.session_ttl.as_secs(), state.config.secure_cookies);
    let business = state.store.business(&Actor::System { business: signed_in.staff.business }).await?;
    let body = json!({
        "staff": staff_json(&signed_in.staff),
        "business": { "slug": business.slug.as_str(), "name": business.name },
        "expires_at": signed_in.expires_at.to_string(),
    });
    let mut response = Json(body).into_response();
    if let Ok(cookie) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Ends the session of the cookie, if any, and clears the cookie.
pub async fn logout(State(state): State<AppState>, parts: Parts) -> Result<Response, ApiError> {
    if let Some(session) = session_secret(&parts) {
        state.store.delete_session(&secret::hash(session)).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(cookie) = HeaderValue::from_str(&expired_session_cookie(state.config.secure_cookies)) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    Ok(response)
}

/// The caller: their business and role (and account, for a staff session).
pub async fn me(State(state): State<AppState>, Caller(actor): Caller) -> Result<Json<Value>, ApiError> {
    let business = state.store.business(&actor).await?;
    let (role, staff_id) = match actor {
        Actor::Staff { role, staff, .. } => (role.as_str(), staff),
        Actor::System { .. } => ("owner", None),
        // Never a caller of the staff API: client sessions are not read there.
        Actor::Client { .. } => ("client", None),
    };
    Ok(Json(json!({
        "business": { "slug": business.slug.as_str(), "name": business.name, "time_zone": business.time_zone },
        "role": role,
        "staff_id": staff_id,
        "via": if staff_id.is_some() { "session" } else { "api_token" },
    })))
}

fn staff_json(staff: &Staff) -> Value {
    json!({ "id": staff.id, "name": staff.name.as_str(), "email": staff.email.as_str(), "role": staff.role.as_str() })
}
