//! WhatsApp against a local server with the Cloud API's shapes: the exact
//! request, and what each kind of answer means for the outbox.

use std::collections::BTreeMap;

use ficha_domain::{Channel, NoticeKind, NotificationSettings, Template, WhatsappSettings};
use ficha_notify::whatsapp::{DEFAULT_BASE_URL, WhatsappTransport};
use ficha_notify::{SendError, Transport};

use crate::harness::{FakeGraph, closed_port, facts, message};

const ACCEPTED: &str = r#"{"messaging_product":"whatsapp","contacts":[{"input":"56961234567","wa_id":"56961234567"}],"messages":[{"id":"wamid.HBgLNTY5NjEyMzQ1NjcVAgARGBI"}]}"#;

fn settings() -> NotificationSettings {
    let templates: BTreeMap<NoticeKind, Template> =
        [(NoticeKind::BookingCreated, Template { name: "reserva_agendada".into(), language: "es".into() })].into();
    NotificationSettings {
        whatsapp: WhatsappSettings {
            enabled: true,
            phone_number_id: "106540352242922".into(),
            access_token: "EAAG-token".into(),
            templates,
        },
        ..Default::default()
    }
}

fn created() -> ficha_store::Message {
    message(NoticeKind::BookingCreated, Channel::Whatsapp, "+56961234567", facts())
}

#[tokio::test]
async fn a_template_message_is_posted_exactly_and_its_id_kept() {
    let graph = FakeGraph::start(200, ACCEPTED).await;
    let whatsapp = WhatsappTransport::new(&graph.base).expect("valid URL");
    assert_eq!(whatsapp.send(&created(), &settings()).await, Ok(Some("wamid.HBgLNTY5NjEyMzQ1NjcVAgARGBI".into())));

    let requests = graph.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v21.0/106540352242922/messages");
    assert_eq!(request.authorization.as_deref(), Some("Bearer EAAG-token"));
    assert_eq!(request.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        request.body,
        r#"{"messaging_product":"whatsapp","to":"56961234567","type":"template","template":{"name":"reserva_agendada","language":{"code":"es"},"components":[{"type":"body","parameters":[{"type":"text","text":"Ana Pérez"},{"type":"text","text":"Clínica Alameda"},{"type":"text","text":"10-12-2026 10:00"},{"type":"text","text":"Kinesiología"},{"type":"text","text":"Juan Soto"}]}]}}"#
    );
}

#[tokio::test]
async fn an_undeliverable_number_is_permanent_with_the_providers_words() {
    let graph = FakeGraph::start(
        400,
        r#"{"error":{"message":"(#131026) Message Undeliverable.","type":"OAuthException","code":131026,"error_data":{"messaging_product":"whatsapp","details":"Message Undeliverable."},"fbtrace_id":"AbCdEf"}}"#,
    )
    .await;
    let result = WhatsappTransport::new(&graph.base).expect("valid URL").send(&created(), &settings()).await;
    assert_eq!(
        result,
        Err(SendError::Permanent(
            "WhatsApp no pudo entregar el mensaje: el número no usa WhatsApp o no puede recibirlo \
             ((#131026) Message Undeliverable. — Message Undeliverable.)"
                .into()
        ))
    );
}

#[tokio::test]
async fn a_rate_limit_is_temporary() {
    let graph = FakeGraph::start(
        429,
        r#"{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"error_data":{"messaging_product":"whatsapp","details":"Cloud API message throughput has been reached."},"fbtrace_id":"AbCdEf"}}"#,
    )
    .await;
    let result = WhatsappTransport::new(&graph.base).expect("valid URL").send(&created(), &settings()).await;
    assert!(
        matches!(&result, Err(SendError::Temporary(reason)) if reason.contains("(#130429) Rate limit hit")),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_rejected_template_or_token_is_permanent() {
    for (code, words) in [
        (132001, "(#132001) Template name does not exist in the translation"),
        (190, "Error validating access token: Session has expired"),
    ] {
        let answer =
            format!(r#"{{"error":{{"message":"{words}","type":"OAuthException","code":{code},"fbtrace_id":"X"}}}}"#);
        let graph = FakeGraph::start(if code == 190 { 401 } else { 400 }, answer).await;
        let result = WhatsappTransport::new(&graph.base).expect("valid URL").send(&created(), &settings()).await;
        assert!(matches!(&result, Err(SendError::Permanent(reason)) if reason.contains(words)), "{code}: {result:?}");
    }
}

#[tokio::test]
async fn a_kind_without_template_is_permanent_and_nothing_is_posted() {
    let graph = FakeGraph::start(200, ACCEPTED).await;
    let reminder = message(NoticeKind::Reminder, Channel::Whatsapp, "+56961234567", facts());
    let result = WhatsappTransport::new(&graph.base).expect("valid URL").send(&reminder, &settings()).await;
    assert_eq!(
        result,
        Err(SendError::Permanent("La plantilla de WhatsApp para «recordatorio» no está configurada".into()))
    );
    assert!(graph.requests().is_empty());
}

#[tokio::test]
async fn no_server_is_temporary() {
    let whatsapp = WhatsappTransport::new(&format!("http://127.0.0.1:{}/v21.0", closed_port())).expect("valid URL");
    let result = whatsapp.send(&created(), &settings()).await;
    assert!(
        matches!(&result, Err(SendError::Temporary(reason)) if reason.starts_with("No se pudo conectar con WhatsApp")),
        "{result:?}"
    );
}

#[test]
fn the_base_url_is_checked() {
    assert!(WhatsappTransport::new(DEFAULT_BASE_URL).is_ok());
    assert_eq!(
        WhatsappTransport::new(DEFAULT_BASE_URL).expect("valid").endpoint("123"),
        "https://graph.facebook.com/v21.0/123/messages"
    );
    for bad in ["graph.facebook.com", "ftp://x/v21.0", "https://x/v21.0?a=b"] {
        assert!(WhatsappTransport::new(bad).is_err(), "{bad}");
    }
}
