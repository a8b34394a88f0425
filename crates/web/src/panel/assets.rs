//! Our own stylesheet and script, compiled into the binary. Their URLs carry
//! a hash of their content, so browsers may keep them for a year and still
//! get a new version the moment it changes.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::error::PanelError;

const CSS: &str = include_str!("../../assets/panel.css");
const JS: &str = include_str!("../../assets/panel.js");

static CSS_NAME: LazyLock<String> = LazyLock::new(|| format!("panel-{}.css", short_hash(CSS)));
static JS_NAME: LazyLock<String> = LazyLock::new(|| format!("panel-{}.js", short_hash(JS)));

fn short_hash(content: &str) -> String {
    Sha256::digest(content.as_bytes()).iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// Where pages link the assets from.
#[derive(Debug, Clone)]
pub struct Links {
    pub css: String,
    pub js: String,
}

impl Default for Links {
    fn default() -> Self {
        Self { css: format!("/assets/{}", *CSS_NAME), js: format!("/assets/{}", *JS_NAME) }
    }
}

pub async fn serve(Path(name): Path<String>) -> Result<Response, PanelError> {
    let (content, kind) = if name == *CSS_NAME {
        (CSS, "text/css; charset=utf-8")
    } else if name == *JS_NAME {
        (JS, "text/javascript; charset=utf-8")
    } else {
        return Err(PanelError::NotFound);
    };
    Ok(([(CONTENT_TYPE, kind), (CACHE_CONTROL, "public, max-age=31536000, immutable")], content).into_response())
}
