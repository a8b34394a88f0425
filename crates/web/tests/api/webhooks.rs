//! `/webhooks/whatsapp`: Meta's delivery statuses change a message only when
//! signed with the app secret; the subscription handshake echoes the
//! challenge only for the configured verify token.

use axum::http::StatusCode;
use ficha_domain::{Channel, NoticeKind, NotificationSettings, Template, WhatsappSettings};
use ficha_store::{Delivery, MessageQuery};
use ficha_web::{AppState, WebConfig, router};
use hmac::{KeyInit, Mac};
use jiff::SignedDuration;
use serde_json::json;

use crate::bookings::{booked, fixture};
use crate::helpers::TestApp;

const SECRET: &str = "app-secret-de-meta";

fn signature(body: &str, secret: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body.as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// A WhatsApp message of the business taken by the provider as `wamid`.
async fn sent_whatsapp(app: &mut TestApp, wamid: &str) -> ficha_domain::MessageId {
    let config = WebConfig {
        whatsapp_app_secret: Some(SECRET.into()),
        whatsapp_verify_token: Some("verificame".into()),
        ..WebConfig::default()
    };
    app.router = router(AppState::new(app.store.clone(), app.clock.clone(), config));
    let f = fixture(app).await;
    let actor = ficha_domain::Actor::System {
        business: app.store.business_by_slug("clinica").await.expect("read").expect("there").id,
    };
    let settings = NotificationSettings {
        whatsapp: WhatsappSettings {
            enabled: true,
            phone_number_id: "106540352242922".into(),
            access_token: "EAAG".into(),
            templates: [(NoticeKind::BookingCreated, Template { name: "reserva".into(), language: "es".into() })]
                .into(),
        },
        ..NotificationSettings::default()
    };
    app.store.set_notification_settings(&actor, settings).await.expect("settings");
    let client = app.store.get_client(&actor, f.client.parse().expect("id")).await.expect("client");
    let phone = ficha_domain::ClientChanges {
        phone: Some(Some(ficha_domain::Phone::parse("961234567").expect("phone"))),
        ..Default::default()
    };
    app.store.update_client(&actor, client.id, client.version, phone).await.expect("phone");
    booked(app, &f, "2026-03-16T10:00").await;
    let claimed = app.store.claim_due(SignedDuration::from_secs(60), 10).await.expect("claimed");
    let claim = claimed.iter().find(|c| c.message.channel == Channel::Whatsapp).expect("a WhatsApp message");
    assert!(app.store.mark_sent(claim, Some(wamid)).await.expect("marked"));
    claim.message.id
}

fn statuses(wamid: &str, status: &str) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "statuses": [{"id": wamid, "status": status, "timestamp": "1773662400", "recipient_id": "56961234567"}]
    }}]}]})
    .to_string()
}

async fn delivery(app: &TestApp, id: ficha_domain::MessageId) -> Option<Delivery> {
    let actor = ficha_domain::Actor::System {
        business: app.store.business_by_slug("clinica").await.expect("read").expect("there").id,
    };
    app.store.message(&actor, id).await.expect("message").delivery
}

#[tokio::test]
async fn a_signed_status_updates_the_message_and_an_unsigned_or_forged_one_changes_nothing() {
    let mut app = TestApp::spawn().await;
    let id = sent_whatsapp(&mut app, "wamid.ABC").await;

    let body = statuses("wamid.ABC", "read");
    let unsigned = app.post("/webhooks/whatsapp").raw("application/json", body.clone()).send().await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unsigned.code(), "bad_signature");
    let forged = app
        .post("/webhooks/whatsapp")
        .header("x-hub-signature-256", &signature(&body, "another-secret"))
        .raw("application/json", body.clone())
        .send()
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let tampered = app
        .post("/webhooks/whatsapp")
        .header("x-hub-signature-256", &signature(&statuses("wamid.ABC", "delivered"), SECRET))
        .raw("application/json", body.clone())
        .send()
        .await;
    assert_eq!(tampered.status, StatusCode::UNAUTHORIZED, "the signature of another body");
    assert_eq!(delivery(&app, id).await, None, "nothing changed");

    let signed = app
        .post("/webhooks/whatsapp")
        .header("x-hub-signature-256", &signature(&body, SECRET))
        .raw("application/json", body)
        .send()
        .await;
    assert_eq!(signed.status, StatusCode::OK);
    assert_eq!(delivery(&app, id).await, Some(Delivery::Read));
    app.finish().await;
}

#[tokio::test]
async fn a_failed_status_fails_the_message_with_the_reason() {
    let mut app = TestApp::spawn().await;
    let id = sent_whatsapp(&mut app, "wamid.XYZ").await;
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "statuses": [{"id": "wamid.XYZ", "status": "failed", "timestamp": "1773662400", "recipient_id": "56961234567",
            "errors": [{"code": 131026, "title": "Message undeliverable", "message": "Message undeliverable"}]}]
    }}]}]})
    .to_string();
    let signed = app
        .post("/webhooks/whatsapp")
        .header("x-hub-signature-256", &signature(&body, SECRET))
        .raw("application/json", body)
        .send()
        .await;
    assert_eq!(signed.status, StatusCode::OK);
    let actor = ficha_domain::Actor::System {
        business: app.store.business_by_slug("clinica").await.expect("read").expect("there").id,
    };
    let failed = MessageQuery { status: Some(ficha_domain::MessageStatus::Failed), ..Default::default() };
    let listed = app.store.messages(&actor, &failed).await.expect("listed").messages;
    assert_eq!(listed.iter().map(|m| m.id).collect::<Vec<_>>(), [id]);
    assert!(listed[0].last_error.as_deref().is_some_and(|e| !e.is_empty()));
    app.finish().await;
}

#[tokio::test]
async fn the_handshake_echoes_the_challenge_only_for_the_verify_token() {
    let mut app = TestApp::spawn().await;
    let config = WebConfig { whatsapp_verify_token: Some("verificame".into()), ..WebConfig::default() };
    app.router = router(AppState::new(app.store.clone(), app.clock.clone(), config));
    let good = "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verificame&hub.challenge=1158201444";
    let answer = app.get(good).send().await;
    assert_eq!((answer.status, answer.body.to_string()), (StatusCode::OK, "1158201444".to_owned()));
    let bad = "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=otro&hub.challenge=1158201444";
    assert_eq!(app.get(bad).send().await.status, StatusCode::FORBIDDEN);
    app.finish().await;
}
