//! A one-time message carried from an action to the page it redirects to,
//! when the message names something the link must not carry: after a
//! deletion the list says whom, though the profile is gone. The name rides
//! in a short-lived cookie scoped to `/clientes` that the list clears; a
//! link alone cannot make the panel say a name.

use axum::http::HeaderMap;
use axum::http::header::{HeaderValue, SET_COOKIE};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::auth::cookie_in;

const DELETED: &str = "ficha_eliminado";

/// Remembers the deleted client's name for the next page of the list.
pub fn remember_deleted(response: &mut Response, name: &str) {
    let value =
        format!("{DELETED}={}; Path=/clientes; HttpOnly; SameSite=Strict; Max-Age=60", URL_SAFE_NO_PAD.encode(name));
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// The name a deletion remembered, if this request carries it.
pub fn deleted_name(headers: &HeaderMap) -> Option<String> {
    let encoded = cookie_in(headers, DELETED)?;
    String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).ok()?).ok().filter(|name| !name.trim().is_empty())
}

/// Forgets it: the message is said once.
pub fn clear(response: &mut Response) {
    let value = HeaderValue::from_static("ficha_eliminado=; Path=/clientes; HttpOnly; SameSite=Strict; Max-Age=0");
    response.headers_mut().append(SET_COOKIE, value);
}
