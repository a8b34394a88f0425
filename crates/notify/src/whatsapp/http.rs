//! A small HTTPS client for the Cloud API: hyper over rustls (see `tls`),
//! HTTP/1.1, one JSON POST with a bearer token, a bounded answer, and a
//! deadline. Plain `http://` is allowed for a local test server.

use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Request, StatusCode, header};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client as Pool;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::SendError;

/// The whole exchange (connect, send, read the answer) must fit in this.
const DEADLINE: Duration = Duration::from_secs(30);
/// Larger answers are not the API's.
const MAX_ANSWER: usize = 64 * 1024;

/// A provider's answer: its status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Bytes,
}

pub struct Client {
    pool: Pool<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl Client {
    pub fn new() -> Result<Self, rustls::Error> {
        let connector = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(crate::tls::provider())?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self { pool: Pool::builder(TokioExecutor::new()).build(connector) })
    }

    /// POSTs `body` as JSON to `url` with `Authorization: Bearer {token}`.
    /// Anything short of an answer (bad address, refused, timed out, cut
    /// off) is temporary.
    pub async fn post_json(&self, url: &str, token: &str, body: Vec<u8>) -> Result<Answer, SendError> {
        let request = Request::post(url)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| SendError::Permanent(format!("No se pudo armar la solicitud a WhatsApp: {e}")))?;
        let exchange = async {
            let response = self
                .pool
                .request(request)
                .await
                .map_err(|e| SendError::Temporary(format!("No se pudo conectar con WhatsApp: {}", chain(&e))))?;
            let status = response.status();
            let body = Limited::new(response.into_body(), MAX_ANSWER)
                .collect()
                .await
                .map_err(|e| SendError::Temporary(format!("La respuesta de WhatsApp se cortó: {e}")))?
                .to_bytes();
            Ok(Answer { status, body })
        };
        tokio::time::timeout(DEADLINE, exchange)
            .await
            .map_err(|_| SendError::Temporary("WhatsApp no respondió a tiempo".to_owned()))?
    }
}

/// An error with its causes ("client error (Connect): tcp connect error:
/// Connection refused").
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
