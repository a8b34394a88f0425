//! Error pages inside the panel: a signed-in staff member who follows a
//! dead link or an old bookmark keeps the header, the menu and the search
//! box, so the way on is one click away. Signed out (or when the session
//! cannot be read) the plain, self-contained error page stays.

use askama::Template;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_LENGTH, COOKIE};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::error::ErrorWords;
use super::layout::{Chrome, Section};
use super::session::Staffer;
use crate::AppState;

#[derive(Template)]
#[template(path = "panel/error_signed_in.html")]
struct SignedInError {
    chrome: Chrome,
    title: &'static str,
    explanation: &'static str,
}

/// Middleware: an error page the panel answered is rendered again with the
/// panel's chrome when the request carries a staff session.
pub async fn with_chrome(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Only the cookies are needed to know the staff member; kept aside
    // since the request moves on.
    let mut cookies = HeaderMap::new();
    for value in request.headers().get_all(COOKIE) {
        cookies.append(COOKIE, value.clone());
    }
    let response = next.run(request).await;
    match response.extensions().get::<ErrorWords>().copied() {
        Some(words) => chromed(&state, &cookies, words, response).await,
        None => response,
    }
}

/// `response`, or the same words and status inside the panel's chrome.
pub async fn chromed(state: &AppState, headers: &HeaderMap, words: ErrorWords, response: Response) -> Response {
    let mut parts = Request::new(()).into_parts().0;
    for value in headers.get_all(COOKIE) {
        parts.headers.append(COOKIE, value.clone());
    }
    let Ok(staffer) = Staffer::from_request_parts(&mut parts, state).await else { return response };
    let page = SignedInError {
        chrome: Chrome::new(&staffer, Section::Elsewhere),
        title: words.title,
        explanation: words.explanation,
    };
    match page.render() {
        Ok(html) => {
            let (mut response_parts, _) = response.into_parts();
            response_parts.headers.remove(CONTENT_LENGTH);
            (response_parts, Html(html)).into_response()
        }
        Err(_) => response,
    }
}
