//! A path whose percent-escapes are not UTF-8 names nothing we serve. Left
//! to the routes, axum's `Path` extractor would answer a plain-text 400;
//! here it gets the same "not found" as any unknown path — problem+json
//! under `/api/`, the panel's page elsewhere.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

pub async fn utf8_paths(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if decodes_to_utf8(request.uri().path()) {
        return next.run(request).await;
    }
    let (parts, _) = request.into_parts();
    crate::panel::not_found(State(state), parts.uri, parts.headers).await
}

/// Whether the path, its `%XX` escapes decoded, is UTF-8 (a `%` not followed
/// by two hex digits is kept as it is, as axum does).
fn decodes_to_utf8(path: &str) -> bool {
    if !path.contains('%') {
        return true;
    }
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                i += 3;
            }
            None => {
                decoded.push(bytes[i]);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&decoded).is_ok()
}

#[cfg(test)]
mod tests {
    use super::decodes_to_utf8;

    #[test]
    fn escapes_of_utf8_pass_and_broken_ones_do_not() {
        assert!(decodes_to_utf8("/api/v1/clients/abc"));
        assert!(decodes_to_utf8("/clientes/Mu%C3%B1oz"));
        assert!(decodes_to_utf8("/api/v1/clients/100%"));
        assert!(!decodes_to_utf8("/api/v1/clients/%FF"));
        assert!(!decodes_to_utf8("/api/v1/clients/%C3"));
        assert!(!decodes_to_utf8("/clientes/%ED%A0%80"));
    }
}
