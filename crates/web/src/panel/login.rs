//! `/entrar` and `/salir`: staff sign in with the business's slug, their
//! email and password (the JSON API's rules and throttle), and sign out.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use serde::Deserialize;

use super::assets::Links;
use super::error::{PanelError, page_with};
use super::form::{FormData, Submitted};
use super::session::{LOGIN_COOKIE, LOGIN_TOKEN_SECS, Staffer, login_cookie, login_cookie_header, same_secret};
use crate::AppState;
use crate::auth::{expired_session_cookie, secret, session_cookie, sign_in};
use crate::problem::ApiError;

#[derive(Template)]
#[template(path = "panel/login.html")]
struct LoginPage {
    assets: Links,
    token: String,
    business: String,
    email: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

/// The login form, with a fresh double-submit token in a cookie and the form.
fn login_page(state: &AppState, status: StatusCode, business: &str, email: &str, error: Option<String>) -> Response {
    login_page_with(state, status, business, email, error, None)
}

fn login_page_with(
    state: &AppState,
    status: StatusCode,
    business: &str,
    email: &str,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Response {
    let Ok(token) = secret::generate() else { return PanelError::Internal.into_response() };
    let page = LoginPage {
        assets: Links::default(),
        token: token.clone(),
        business: business.to_owned(),
        email: email.to_owned(),
        error,
        notice,
    };
    let mut response = match page_with(status, &page) {
        Ok(response) => response,
        Err(error) => return error.into_response(),
    };
    if let Ok(cookie) =
        HeaderValue::from_str(&login_cookie_header(&token, LOGIN_TOKEN_SECS, state.config.secure_cookies))
    {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

#[derive(Debug, Deserialize)]
pub struct FormParams {
    /// The business's slug, filled in (the link `ficha serve` prints).
    #[serde(default)]
    negocio: String,
    /// What just happened, to say on the page (`salida-todos`).
    #[serde(default)]
    aviso: String,
}

pub async fn form(State(state): State<AppState>, Query(params): Query<FormParams>, mut parts: Parts) -> Response {
    if Staffer::from_request_parts(&mut parts, &state).await.is_ok() {
        return Redirect::to("/clientes").into_response();
    }
    let notice = (params.aviso == "salida-todos").then_some("Cerraste tu sesión en todos los dispositivos.");
    login_page_with(&state, StatusCode::OK, params.negocio.trim(), "", None, notice)
}

pub async fn submit(
    State(state): State<AppState>,
    parts: Parts,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = FormData::new(fields);
    let (business, email, password) = (form.get("negocio").trim(), form.get("correo").trim(), form.get("clave"));
    let token_matches = login_cookie(&parts).is_some_and(|cookie| same_secret(form.get(LOGIN_COOKIE), cookie));
    if !token_matches {
        let error = "El formulario expiró. Vuelve a escribir tu contraseña y entra de nuevo.";
        return login_page(&state, StatusCode::FORBIDDEN, business, email, Some(error.into()));
    }
    if business.is_empty() || email.is_empty() || password.is_empty() {
        let error = "Completa el negocio, el correo y la contraseña.";
        return login_page(&state, StatusCode::UNPROCESSABLE_ENTITY, business, email, Some(error.into()));
    }
    let signed_in = match sign_in(&state, business, email, password.to_owned()).await {
        Ok(signed_in) => signed_in,
        Err(ApiError::InvalidCredentials) => {
            let error = "El negocio, el correo o la contraseña no son correctos.";
            return login_page(&state, StatusCode::UNAUTHORIZED, business, email, Some(error.into()));
        }
        Err(ApiError::TooManyAttempts { wait_secs }) => {
            let error = format!("Demasiados intentos; espera {wait_secs} segundos y vuelve a intentarlo.");
            return login_page(&state, StatusCode::TOO_MANY_REQUESTS, business, email, Some(error));
        }
        Err(other) => return PanelError::from(other).into_response(),
    };
    let secure = state.config.secure_cookies;
    let mut response = Redirect::to("/clientes").into_response();
    let cookies = [
        session_cookie(&signed_in.secret, state.config.session_ttl.as_secs(), secure),
        login_cookie_header("", 0, secure),
    ];
    for cookie in cookies {
        if let Ok(cookie) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, cookie);
        }
    }
    response
}

/// Ends the session (the form's token checked like any other's) and goes
/// back to the login page.
pub async fn logout(
    State(state): State<AppState>,
    Submitted { staffer, .. }: Submitted,
) -> Result<Response, PanelError> {
    state.store.delete_session(&staffer.session_hash).await?;
    let mut response = Redirect::to("/entrar").into_response();
    if let Ok(cookie) = HeaderValue::from_str(&expired_session_cookie(state.config.secure_cookies)) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    Ok(response)
}
