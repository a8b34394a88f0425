//! What the tests share: messages as the outbox hands them over, the SMTP
//! sink process, and a stand-in for the Graph API.
//!
//! The sink is `tests/support/smtp_sink.rs` (shared with the `ficha`
//! binary's tests) over `smtp_sink.py` on aiosmtpd (`scripts/test` installs
//! it). Without aiosmtpd the SMTP tests skip with one line, except with
//! `CI=true`, where they fail.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use ficha_domain::{BookingFacts, BookingId, Channel, Facts, MessageId, MessageStatus, NoticeKind};
use ficha_store::Message;
use jiff::Timestamp;
use tokio::sync::oneshot;

#[path = "../support/smtp_sink.rs"]
mod smtp_sink;
pub use smtp_sink::{Received, SmtpSink};

pub const MAIL_FROM: &str = "reservas@alameda.cl";
pub const PUBLIC_URL: &str = "http://127.0.0.1:8080";

pub fn at(text: &str) -> Timestamp {
    text.parse().expect("valid timestamp")
}

/// A booking at Clínica Alameda (Santiago) on 10-12-2026 at 10:00 local
/// (13:00 UTC, summer time).
pub fn facts() -> Facts {
    Facts {
        business_name: "Clínica Alameda".into(),
        business_slug: "alameda".into(),
        time_zone: "America/Santiago".into(),
        client_name: "Ana Pérez".into(),
        booking: Some(BookingFacts {
            id: BookingId::generate(),
            service: "Kinesiología".into(),
            professional: Some("Juan Soto".into()),
            start: Some(at("2026-12-10T13:00:00Z")),
            end: Some(at("2026-12-10T14:00:00Z")),
            previous_start: None,
            sequence: 0,
            state: "confirmed".into(),
            price: 25_000,
            pack: None,
        }),
        note: None,
        link: None,
        code: None,
        data_request: None,
    }
}

pub fn message(kind: NoticeKind, channel: Channel, recipient: &str, facts: Facts) -> Message {
    Message {
        id: MessageId::generate(),
        client: None,
        booking: facts.booking.as_ref().map(|b| b.id),
        channel,
        recipient: recipient.into(),
        kind,
        facts,
        status: MessageStatus::Sending,
        attempts: 1,
        next_attempt_at: at("2026-12-01T12:00:00Z"),
        last_error: None,
        provider_id: None,
        delivery: None,
        created_at: at("2026-12-01T12:00:00Z"),
        sent_at: None,
    }
}

pub fn email(kind: NoticeKind, facts: Facts) -> Message {
    message(kind, Channel::Email, "ana@correo.cl", facts)
}

/// A port nothing listens on (bound, then let go).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("address").port()
}

/// One request the stand-in Graph API received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub body: String,
}

/// A local HTTP server in the Graph API's place: records each request and
/// answers every one with the same status and JSON body.
pub struct FakeGraph {
    /// What to give `WhatsappTransport::new`: `http://127.0.0.1:PORT/v21.0`.
    pub base: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    stop: Option<oneshot::Sender<()>>,
}

impl FakeGraph {
    pub async fn start(status: u16, answer: impl Into<String>) -> Self {
        let answer: String = answer.into();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let record = seen.clone();
        let status = StatusCode::from_u16(status).expect("status");
        let app = axum::Router::new().fallback(
            move |method: axum::http::Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let record = record.clone();
                async move {
                    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
                    record.lock().expect("not poisoned").push(Seen {
                        method: method.to_string(),
                        path: uri.path().to_owned(),
                        authorization: header("authorization"),
                        content_type: header("content-type"),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    (status, [("content-type", "application/json")], answer)
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let base = format!("http://{}/v21.0", listener.local_addr().expect("bound"));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
                .expect("the stand-in API serves");
        });
        Self { base, seen, stop: Some(stop) }
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }
}

impl Drop for FakeGraph {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
