//! `/cuenta`: the signed-in staff member's own account — who they are, and
//! "Cerrar sesión en todos los dispositivos", for anyone (owner or not) who
//! left a session open on a shared computer or lost a phone.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};

use super::error::{PanelError, page};
use super::form::Submitted;
use super::layout::{Chrome, Section};
use super::session::Staffer;
use crate::AppState;
use crate::auth::expired_session_cookie;

#[derive(Template)]
#[template(path = "panel/account.html")]
struct AccountPage {
    chrome: Chrome,
    name: String,
    email: String,
    role: &'static str,
}

pub async fn show(staffer: Staffer) -> Result<Response, PanelError> {
    page(&AccountPage {
        chrome: Chrome::new(&staffer, Section::Elsewhere),
        name: staffer.staff.name.to_string(),
        email: staffer.staff.email.to_string(),
        role: if staffer.is_owner() { "Dueño o dueña" } else { "Profesional" },
    })
}

/// Ends every session of the account, this one too, and goes to the login
/// page, which says so.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    Submitted { staffer, .. }: Submitted,
) -> Result<Response, PanelError> {
    state.store.end_staff_sessions(&staffer.actor, staffer.staff.id).await?;
    let mut response = Redirect::to("/entrar?aviso=salida-todos").into_response();
    if let Ok(cookie) = HeaderValue::from_str(&expired_session_cookie(state.config.secure_cookies)) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    Ok(response)
}
