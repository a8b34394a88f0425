//! The panel's notifications in-process: Configuración → Notificaciones
//! (saved, refused in Spanish, CSRF, owners only), the
//! business-wide list with "Reenviar", and the profile's section with the
//! client's choices.

use axum::http::StatusCode;
use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::bookings::{booked, fixture};
use crate::helpers::TestApp;
use crate::panel::{FORM, csrf, encode, html, submit};

const SETTINGS: &str = "/configuracion/notificaciones";

async fn settings(app: &TestApp, cookie: &str) -> Value {
    app.get("/api/v1/settings/notifications").cookie(cookie).send().await.body
}

#[tokio::test]
async fn the_owner_saves_the_settings_and_the_token_never_comes_back() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let page = app.get(SETTINGS).cookie(&owner).send().await;
    assert_eq!(page.status, StatusCode::OK);
    let text = html(&page);
    assert!(text.contains("id=\"conf-notificaciones\" aria-current=\"page\""), "a tab of Configuración");
    assert!(text.contains("<option value=\"1440\" selected>24 horas antes</option>"), "{text}");
    assert!(text.contains("Sin token guardado"));

    let token = csrf(&page);
    let fields = [
        ("remitente", "Clínica Alameda"),
        ("recordatorio", "120"),
        ("wa_activo", "on"),
        ("wa_numero", "106540352242922"),
        ("wa_token", "EAAG-secreto-del-panel"),
        ("plantilla_booking_created", "reserva_creada"),
        ("idioma_booking_created", "es_CL"),
        ("plantilla_reminder", ""),
        ("idioma_reminder", "es"),
    ];
    let saved = submit(&app, &owner, SETTINGS, &token, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", html(&saved));
    assert_eq!(saved.header("location"), "/configuracion/notificaciones?guardada=1");
    let stored = settings(&app, &owner).await;
    assert_eq!(stored["reminder_lead_minutes"], 120);
    assert_eq!(stored["sender_name"], "Clínica Alameda");
    assert_eq!(stored["whatsapp"]["enabled"], true);
    assert_eq!(stored["whatsapp"]["access_token_set"], true);
    assert_eq!(
        stored["whatsapp"]["templates"],
        json!({ "booking_created": { "name": "reserva_creada", "language": "es_CL" } })
    );

    let again = app.get(&format!("{SETTINGS}?guardada=1")).cookie(&owner).send().await;
    let text = html(&again);
    assert!(text.contains("Configuración de notificaciones guardada."));
    assert!(text.contains("Hay un token guardado"));
    assert!(!text.contains("secreto"), "the token is never sent back");
    assert!(text.contains("<option value=\"120\" selected>2 horas antes</option>"));
    assert!(text.contains("value=\"reserva_creada\""));

    // Saving again without typing the token keeps it.
    let kept =
        submit(&app, &owner, SETTINGS, &token, &fields.map(|(k, v)| (k, if k == "wa_token" { "" } else { v }))).await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER);
    assert_eq!(settings(&app, &owner).await, stored);
}

#[tokio::test]
async fn a_refused_form_shows_each_fields_words_and_saves_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let before = settings(&app, &owner).await;
    let token = csrf(&app.get(SETTINGS).cookie(&owner).send().await);
    let refused = submit(
        &app,
        &owner,
        SETTINGS,
        &token,
        &[
            ("remitente", "Clínica"),
            ("recordatorio", "999999"),
            ("wa_activo", "on"),
            ("wa_numero", "+56 9 1234 5678"),
            ("wa_token", "otro-secreto"),
            ("plantilla_reminder", "Recordatorio Cita"),
            ("idioma_reminder", "español"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = html(&refused);
    assert!(text.contains("Revisa los campos marcados: no se guardó nada."));
    assert!(text.contains("debe ser un número entero entre 1 y 20160"), "{text}");
    assert!(text.contains("El identificador del número de WhatsApp tiene solo dígitos"), "{text}");
    assert!(text.contains("El nombre de la plantilla de «Recordatorio» debe ser el que aprobó Meta"), "{text}");
    assert!(text.contains("El idioma de la plantilla de «Recordatorio» debe ser un código como es o es_CL"), "{text}");
    // What was typed stays, but the token is not shown back.
    assert!(text.contains("value=\"+56 9 1234 5678\""));
    assert!(text.contains("value=\"Recordatorio Cita\""));
    assert!(!text.contains("otro-secreto"));
    assert!(text.contains("escríbelo otra vez"));
    assert_eq!(settings(&app, &owner).await, before, "nothing saved");

    // Turning WhatsApp on without an id or a token says what is missing.
    let missing = submit(&app, &owner, SETTINGS, &token, &[("recordatorio", ""), ("wa_activo", "on")]).await;
    let text = html(&missing);
    assert!(text.contains("Para activar WhatsApp falta el identificador del número de WhatsApp."), "{text}");
    assert!(text.contains("Para activar WhatsApp falta el token de acceso de WhatsApp."), "{text}");
    assert_eq!(settings(&app, &owner).await, before);
}

#[tokio::test]
async fn the_settings_form_needs_the_sessions_token_and_an_owner() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let pro = app.professional().await;
    let before = settings(&app, &owner).await;
    for token in ["", "forjado"] {
        let body = encode(&[("recordatorio", ""), ("csrf", token)]);
        let response = app.post(SETTINGS).cookie(&owner).raw(FORM, body).send().await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{token:?}");
        assert!(html(&response).contains("El formulario expiró"));
    }

    // Unlike the rest of Configuración (read-only for professionals), the
    // notification settings are owners-only, reading included: no tab, 403.
    let list = app.get("/notificaciones").cookie(&pro).send().await;
    assert_eq!(list.status, StatusCode::OK);
    let general = app.get("/configuracion").cookie(&pro).send().await;
    assert!(!html(&general).contains("/configuracion/notificaciones"), "no tab for professionals");
    let page = app.get(SETTINGS).cookie(&pro).send().await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(html(&page).contains("Solo para dueños"));
    let forged = submit(&app, &pro, SETTINGS, &csrf(&list), &[("recordatorio", "")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(html(&forged).contains("Solo para dueños"));
    assert_eq!(settings(&app, &owner).await, before, "nothing changed");
}

/// Fails every message due now, as a worker would.
async fn fail_due(app: &TestApp, reason: &str) {
    for claim in app.store.claim_due(SignedDuration::from_secs(60), 100).await.expect("claimed") {
        assert!(app.store.mark_failed(&claim, reason).await.expect("marked"));
    }
}

#[tokio::test]
async fn the_list_shows_messages_by_status_and_a_failed_one_is_sent_again() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    booked(&app, &f, "2026-03-16T10:00").await;
    let page = app.get("/notificaciones").cookie(&f.pro_cookie).send().await;
    assert_eq!(page.status, StatusCode::OK);
    let text = html(&page);
    assert!(text.contains("href=\"/notificaciones\" aria-current=\"page\""), "in the header's nav");
    for words in [
        "Reserva creada",
        "Recordatorio",
        "Correo",
        "ana@mail.cl",
        "Pendiente",
        "14-03-2026 09:00",
        "Sale 15-03-2026 10:00",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    assert!(text.contains(&format!("<a href=\"/clientes/{}\">Ana Pérez</a>", f.client)));
    assert!(text.contains("Kinesiología · 16-03-2026 10:00"));
    assert!(!text.contains("Reenviar</button>"), "nothing failed yet");

    fail_due(&app, "Buzón lleno <550>").await;
    let failed = app.get("/notificaciones?estado=failed").cookie(&f.pro_cookie).send().await;
    let text = html(&failed);
    assert!(text.contains("<option value=\"failed\" selected>Fallido</option>"));
    assert!(text.contains("Buzón lleno &#60;550&#62;"), "escaped: {text}");
    assert!(!text.contains("Recordatorio<"), "only failed ones");
    let message = app.get("/api/v1/notifications?status=failed").cookie(&f.owner).send().await;
    let id = message.body["items"][0]["id"].as_str().expect("a failed message").to_owned();
    let action = format!("/notificaciones/{id}/reenviar");
    assert!(text.contains(&format!("action=\"{action}\"")));

    let forged = app.post(&action).cookie(&f.pro_cookie).raw(FORM, "volver=lista").send().await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let token = csrf(&failed);
    let sent =
        submit(&app, &f.pro_cookie, &action, &token, &[("volver", "lista"), ("estado", "failed"), ("cliente", "")])
            .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(sent.header("location"), "/notificaciones?estado=failed&aviso=reenviado");
    let after = app.get(&format!("/api/v1/notifications/{id}")).cookie(&f.owner).send().await;
    assert_eq!(after.body["status"], "pending");
    let notice = app.get(sent.header("location")).cookie(&f.pro_cookie).send().await;
    assert!(html(&notice).contains("Mensaje reenviado"));
    assert!(html(&notice).contains("No hay mensajes con ese estado."));

    // Pressed again (an old page) from the profile: back there, explained.
    let again = submit(&app, &f.pro_cookie, &action, &token, &[("volver", "perfil")]).await;
    assert_eq!(again.header("location"), format!("/clientes/{}?guardado=no-reenviable#notificaciones", f.client));
    let profile = app.get(again.header("location")).cookie(&f.pro_cookie).send().await;
    assert!(html(&profile).contains("Ese mensaje ya no está fallido, así que no se reenvió."));

    // One client's messages only.
    let other = app.create_client(&f.owner, json!({ "name": "Luis Rojas", "email": "luis@mail.cl" })).await;
    let other_page = app
        .get(&format!("/notificaciones?cliente={}", other["id"].as_str().expect("id")))
        .cookie(&f.owner)
        .send()
        .await;
    assert!(html(&other_page).contains("Mensajes a <a"), "{}", html(&other_page));
    assert!(html(&other_page).contains("Aún no se ha enviado ningún mensaje"));
}

#[tokio::test]
async fn the_profile_lists_the_clients_messages_and_saves_its_choices() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let path = format!("/clientes/{}", f.client);
    let empty = app.get(&path).cookie(&f.owner).send().await;
    assert!(html(&empty).contains("Aún no se le ha enviado ningún mensaje."));

    booked(&app, &f, "2026-03-16T10:00").await;
    let page = app.get(&path).cookie(&f.pro_cookie).send().await;
    let text = html(&page);
    assert!(text.contains("id=\"notificaciones\">Notificaciones</h2>"));
    assert!(text.contains("id=\"lista-notificaciones\""));
    assert!(text.contains("Reserva creada") && text.contains("Pendiente") && text.contains("Correo"));
    assert!(text.contains("name=\"whatsapp\" id=\"recibe-whatsapp\" checked"));
    assert!(text.contains("name=\"recordatorios\" id=\"recibe-recordatorios\" checked"));

    let action = format!("{path}/notificaciones");
    let forged = app.post(&action).cookie(&f.pro_cookie).raw(FORM, "whatsapp=on").send().await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let saved = submit(&app, &f.pro_cookie, &action, &csrf(&page), &[("whatsapp", "on")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.header("location"), format!("{path}?guardado=preferencias#notificaciones"));
    let stored = app.get(&format!("/api/v1/clients/{}/notification-preferences", f.client)).cookie(&f.owner);
    assert_eq!(stored.send().await.body, json!({ "whatsapp": true, "reminders": false }));

    let after = app.get(saved.header("location")).cookie(&f.pro_cookie).send().await;
    let text = html(&after);
    assert!(text.contains("Preferencias de notificación guardadas."));
    assert!(text.contains("name=\"recordatorios\" id=\"recibe-recordatorios\">"), "unticked now");
    assert!(text.contains("Anulado"), "the pending reminder was cancelled: {text}");
    assert!(text.contains("<span class=\"new\">recibir WhatsApp, no recibir recordatorios</span>"), "in Historial");

    let unknown = app.post("/clientes/0190a0a0-0000-7000-8000-000000000000/notificaciones").cookie(&f.pro_cookie);
    let token = csrf(&after);
    let unknown = unknown.raw(FORM, encode(&[("csrf", &token)])).send().await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
