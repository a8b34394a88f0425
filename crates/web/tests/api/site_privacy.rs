//! The channel for requests about one's data, on both backends: the
//! booking site's Privacidad page (linked from the footer) files one after
//! an emailed 6-digit code — a real email in the outbox, the code works
//! once, five wrong codes lock it, sending is limited — matched to the
//! profile by email; and Mi cuenta files one in two clicks and shows its
//! status, due date and answer.

use axum::http::StatusCode;
use ficha_domain::{BookingRules, NoticeKind};
use ficha_notify::render::{Links, render};
use ficha_store::{Message, MessageQuery};
use serde_json::json;

use crate::helpers::{TestApp, TestResponse, on_both_backends};
use crate::mi_cuenta::{actor, hidden, open, post, signed_in};
use crate::panel::html;

on_both_backends!(
    the_privacy_page_files_a_request_after_the_emailed_code,
    five_wrong_codes_lock_a_privacy_request,
    privacy_codes_are_limited_per_email,
    a_client_files_from_mi_cuenta_in_two_clicks_and_sees_the_answer,
    the_privacy_notice_is_readable_while_the_business_does_not_book_online,
);

const PAGE: &str = "/reservar/clinica/privacidad";

async fn messages(app: &TestApp, kind: NoticeKind) -> Vec<Message> {
    let query = MessageQuery { limit: 100, ..MessageQuery::default() };
    let page = app.store.messages(&actor(app).await, &query).await.expect("messages");
    page.messages.into_iter().filter(|m| m.kind == kind).collect()
}

/// Asks a code for `email`; the code page and the code read from the email.
async fn ask(app: &TestApp, email: &str, right: &str) -> (TestResponse, String) {
    let page = post(app, PAGE, &[("derecho", right), ("correo", email), ("detalle", "Por favor")], None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", html(&page));
    let sent = messages(app, NoticeKind::PrivacyCode).await;
    let email = render(&sent[0], &Links::new("http://127.0.0.1:8080"));
    let code = email.text.split("Código: ").nth(1).expect("a code in the email")[..6].to_owned();
    (page, code)
}

async fn enter(app: &TestApp, page: &TestResponse, code: &str) -> TestResponse {
    let intento = hidden(page, "intento");
    post(app, &format!("{PAGE}/codigo"), &[("intento", &intento), ("codigo", code)], None).await
}

pub async fn the_privacy_page_files_a_request_after_the_emailed_code(app: &TestApp) {
    let f = open(app).await;
    let start = app.get("/reservar/clinica").send().await;
    assert!(html(&start).contains("href=\"/reservar/clinica/privacidad\""), "linked from the footer");
    let form = app.get(PAGE).send().await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(html(&form).contains("Supresión"));

    let refused = post(app, PAGE, &[("correo", "ana@"), ("derecho", "olvido")], None).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = html(&refused);
    assert!(text.contains("Escribe tu correo, por ejemplo nombre@correo.cl."));
    assert!(text.contains("Elige qué quieres pedir sobre tus datos."));
    assert!(messages(app, NoticeKind::PrivacyCode).await.is_empty(), "nothing sent");

    let (page, code) = ask(app, "ANA@mail.cl", "erasure").await;
    assert!(html(&page).contains("Te enviamos un código de 6 dígitos a <strong>ANA@mail.cl</strong>"));
    let sent = messages(app, NoticeKind::PrivacyCode).await;
    assert_eq!((sent.len(), sent[0].recipient.as_str()), (1, "ANA@mail.cl"), "to the address typed");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = enter(app, &page, wrong).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&refused).contains("El código no es correcto"));

    let filed = enter(app, &page, &code).await;
    assert_eq!(filed.status, StatusCode::OK, "{}", html(&filed));
    let text = html(&filed);
    assert!(text.contains("Recibimos tu solicitud"), "{text}");
    assert!(text.contains("<strong id=\"plazo\" class=\"nowrap\">13-04-2026</strong>"), "{text}");
    let again = enter(app, &page, &code).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "the code works once");

    let list = app.get("/api/v1/data-requests").cookie(&f.owner).send().await;
    let items = list.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["client_id"].as_str(), Some(f.client.as_str()), "matched by email");
    assert_eq!((items[0]["channel"].as_str(), items[0]["right"].as_str()), (Some("privacy_page"), Some("erasure")));
    assert_eq!(items[0]["detail"], "Por favor");
    let receipts = messages(app, NoticeKind::DataRequestReceived).await;
    assert_eq!(receipts.len(), 1);
    let receipt = render(&receipts[0], &Links::new("http://127.0.0.1:8080"));
    assert!(receipt.text.contains("a más tardar el 13-04-2026"), "{}", receipt.text);

    // An address with no profile files too; the page says the same.
    let (page, code) = ask(app, "nadie@mail.cl", "access").await;
    let _ = page;
    let sent = messages(app, NoticeKind::PrivacyCode).await;
    assert_eq!(sent[0].recipient, "nadie@mail.cl");
    let other = enter(app, &page, &code).await;
    assert!(html(&other).contains("Recibimos tu solicitud"));
    let list = app.get("/api/v1/data-requests?status=received").cookie(&f.owner).send().await;
    let stranger =
        list.body["items"].as_array().expect("items").iter().find(|r| r["email"] == "nadie@mail.cl").cloned();
    assert_eq!(stranger.map(|r| r["client_id"].clone()), Some(json!(null)));
}

pub async fn five_wrong_codes_lock_a_privacy_request(app: &TestApp) {
    let f = open(app).await;
    let (page, code) = ask(app, "ana@mail.cl", "access").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(enter(app, &page, wrong).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let locked = enter(app, &page, &code).await;
    assert_eq!(locked.status, StatusCode::UNPROCESSABLE_ENTITY, "dead after 5 wrong codes");
    let list = app.get("/api/v1/data-requests").cookie(&f.owner).send().await;
    assert_eq!(list.body["items"], json!([]), "nothing filed");
}

pub async fn privacy_codes_are_limited_per_email(app: &TestApp) {
    open(app).await;
    for _ in 0..5 {
        let page = post(app, PAGE, &[("derecho", "access"), ("correo", "ana@mail.cl")], None).await;
        assert_eq!(page.status, StatusCode::OK);
    }
    let refused = post(app, PAGE, &[("derecho", "access"), ("correo", "Ana@Mail.cl")], None).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!refused.header("retry-after").is_empty());
    assert_eq!(messages(app, NoticeKind::PrivacyCode).await.len(), 5, "no sixth code");
}

pub async fn a_client_files_from_mi_cuenta_in_two_clicks_and_sees_the_answer(app: &TestApp) {
    let f = open(app).await;
    let cookie = signed_in(app, "ana@mail.cl").await;
    let base = "/reservar/clinica/mi-cuenta";
    let home = app.get(base).cookie(&cookie).send().await;
    assert!(html(&home).contains("Aún no has hecho solicitudes."));
    let csrf = hidden(&home, "csrf");

    let forged = post(app, &format!("{base}/solicitudes"), &[("derecho", "access")], Some(&cookie)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "without the session's token nothing is filed");
    let none = post(app, &format!("{base}/solicitudes"), &[("csrf", &csrf)], Some(&cookie)).await;
    let page = app.get(none.header("location")).cookie(&cookie).send().await;
    assert!(html(&page).contains("Elige qué quieres pedir sobre tus datos: no se envió nada."));

    // Choose the right, send.
    let filed =
        post(app, &format!("{base}/solicitudes"), &[("csrf", &csrf), ("derecho", "portability")], Some(&cookie)).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER);
    let page = app.get(filed.header("location")).cookie(&cookie).send().await;
    let text = html(&page);
    assert!(text.contains("Recibimos tu solicitud."), "{text}");
    assert!(text.contains("<strong>Portabilidad</strong> · Recibida"), "{text}");
    assert!(text.contains("Plazo de respuesta: <span class=\"nowrap\">13-04-2026</span>"), "{text}");

    let list = app.get("/api/v1/data-requests").cookie(&f.owner).send().await;
    let request = &list.body["items"][0];
    assert_eq!(
        (request["channel"].as_str(), request["client_id"].as_str()),
        (Some("account"), Some(f.client.as_str()))
    );
    let id = request["id"].as_str().expect("id");
    let path = format!("/api/v1/data-requests/{id}");
    app.patch(&path).cookie(&f.owner).json(json!({ "status": "in_progress" })).send().await;
    let answer = json!({ "status": "answered", "response": "Te enviamos tus datos en JSON." });
    let answered = app.patch(&path).cookie(&f.owner).json(answer).send().await;
    assert_eq!(answered.status, StatusCode::OK);
    let page = app.get(base).cookie(&cookie).send().await;
    let text = html(&page);
    assert!(text.contains("<strong>Portabilidad</strong> · Respondida"), "{text}");
    assert!(text.contains("Te enviamos tus datos en JSON."));
    assert_eq!(messages(app, NoticeKind::DataRequestAnswered).await.len(), 1, "told by email too");
}

/// Privacidad is open while online booking is off, so the notice it links
/// to must be too: a link from it never leads to "no encontrada".
pub async fn the_privacy_notice_is_readable_while_the_business_does_not_book_online(app: &TestApp) {
    open(app).await;
    let rules = BookingRules { online: false, ..BookingRules::default() };
    app.store.set_booking_rules(&actor(app).await, rules).await.expect("rules");
    let form = app.get(PAGE).send().await;
    assert_eq!(form.status, StatusCode::OK);
    let text = html(&form);
    assert!(text.contains("href=\"/reservar/clinica/aviso-de-privacidad\" id=\"aviso\""), "{text}");
    assert!(text.contains("id=\"enlace-aviso\""), "and from the footer: {text}");
    let notice = app.get("/reservar/clinica/aviso-de-privacidad").send().await;
    assert_eq!(notice.status, StatusCode::OK, "{}", html(&notice));
    assert!(html(&notice).contains("Versión 1"), "{}", html(&notice));
}
