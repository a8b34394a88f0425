//! The site's own stylesheet, at a content-hashed URL cached for a year.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::SiteError;

const CSS: &str = include_str!("../../assets/site.css");

static CSS_NAME: LazyLock<String> = LazyLock::new(|| {
    let hash: String = Sha256::digest(CSS.as_bytes()).iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("site-{hash}.css")
});

pub fn css_link() -> String {
    format!("/reservar-assets/{}", *CSS_NAME)
}

pub async fn serve(Path(name): Path<String>) -> Result<Response, SiteError> {
    if name != *CSS_NAME {
        return Err(SiteError::NotFound);
    }
    let headers = [(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "public, max-age=31536000, immutable")];
    Ok((headers, CSS).into_response())
}
