//! Mi cuenta in-process, on both backends: sign-in by emailed code or link
//! (no account enumeration, single use, expiry, the wrong-code limit), the
//! client session's isolation (staff routes, another client's bookings,
//! another business), deadlines refused by the server, Mis datos (errors by
//! field, the email change verified at the new address and refused when
//! taken, edits in Historial as the client's), shared notes only, and a
//! session por reservar scheduled by the client.

use axum::http::StatusCode;
use ficha_domain::{Actor, BookingRules, BookingState, NoteText, NoticeKind, Visibility};
use ficha_store::MessageQuery;
use jiff::SignedDuration;
use serde_json::json;

use crate::bookings::{Fixture, booked, create_service, fixture};
use crate::helpers::{TestApp, TestResponse, on_both_backends};
use crate::panel::{FORM, encode, html};

on_both_backends!(
    an_unknown_email_gets_the_same_page_and_nothing_is_sent,
    a_code_opens_once_and_dies_after_wrong_codes_or_time,
    the_emailed_link_signs_in_once,
    a_client_session_opens_nothing_of_staff_other_clients_or_businesses,
    signing_out_here_or_everywhere_ends_the_sessions,
    mi_cuenta_shows_bookings_and_only_shared_notes,
    deadlines_are_refused_by_the_server_and_change_nothing,
    mis_datos_errors_are_shown_by_field_and_nothing_is_saved,
    an_email_change_waits_for_its_link_and_a_taken_email_is_refused,
    a_client_edit_is_in_historial_as_the_client,
    a_session_por_reservar_is_scheduled_from_mi_cuenta,
    a_password_set_in_mi_cuenta_signs_in,
    sign_in_requests_are_limited_per_email,
    attendance_is_confirmed_from_mi_cuenta_until_its_deadline,
    mi_cuenta_opts_out_gives_the_data_file_and_shows_a_block,
);

const BASE: &str = "/reservar/clinica/mi-cuenta";

pub(crate) async fn actor(app: &TestApp) -> Actor {
    let business = app.store.business_by_slug("clinica").await.expect("read").expect("business");
    Actor::System { business: business.id }
}

/// The fixture (Ana, ana@mail.cl, a professional, a one-hour service), the
/// site open, cancel and reschedule until 24 h before.
pub(crate) async fn open(app: &TestApp) -> Fixture {
    let f = fixture(app).await;
    let rules = BookingRules { online: true, ..BookingRules::default() };
    app.store.set_booking_rules(&actor(app).await, rules).await.expect("rules");
    f
}

pub(crate) async fn post(app: &TestApp, path: &str, pairs: &[(&str, &str)], cookie: Option<&str>) -> TestResponse {
    let request = app.post(path).raw(FORM, encode(pairs));
    match cookie {
        Some(cookie) => request.cookie(cookie).send().await,
        None => request.send().await,
    }
}

async fn get(app: &TestApp, path: &str, cookie: &str) -> TestResponse {
    app.get(path).cookie(cookie).send().await
}

/// The hidden `name` of the first form that has it.
pub(crate) fn hidden(page: &TestResponse, name: &str) -> String {
    let html = html(page);
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} in {html}")) + marker.len();
    html[start..].split('"').next().expect("value").to_owned()
}

async fn sign_in_messages(app: &TestApp) -> Vec<ficha_store::Message> {
    let query = MessageQuery { limit: 100, ..MessageQuery::default() };
    let page = app.store.messages(&actor(app).await, &query).await.expect("messages");
    page.messages.into_iter().filter(|m| m.kind == NoticeKind::SignInLink).collect()
}

/// Asks a code for `email`: the code form's page, and the newest code sent.
async fn ask_code(app: &TestApp, email: &str) -> (TestResponse, Option<String>) {
    let page = post(app, &format!("{BASE}/entrar"), &[("correo", email)], None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", html(&page));
    let code = sign_in_messages(app).await.into_iter().next().and_then(|m| m.facts.code);
    (page, code)
}

async fn enter_code(app: &TestApp, page: &TestResponse, code: &str) -> TestResponse {
    let intento = hidden(page, "intento");
    post(app, &format!("{BASE}/codigo"), &[("intento", &intento), ("codigo", code)], None).await
}

/// The client cookie a response sets (`ficha_cliente=…`).
fn session_cookie(response: &TestResponse) -> String {
    let set = response
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("ficha_cliente="))
        .expect("a client cookie")
        .to_owned();
    set.split(';').next().expect("pair").to_owned()
}

/// Signs `email` in with the emailed code; the session cookie.
pub(crate) async fn signed_in(app: &TestApp, email: &str) -> String {
    let (page, code) = ask_code(app, email).await;
    let done = enter_code(app, &page, &code.expect("a code was sent")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    assert_eq!(done.header("location"), BASE);
    session_cookie(&done)
}

/// Mi cuenta's page and its CSRF token.
async fn home(app: &TestApp, cookie: &str) -> (TestResponse, String) {
    let page = get(app, BASE, cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = hidden(&page, "csrf");
    (page, csrf)
}

pub async fn an_unknown_email_gets_the_same_page_and_nothing_is_sent(app: &TestApp) {
    open(app).await;
    let (known, code) = ask_code(app, "ANA@mail.cl").await;
    assert!(code.is_some_and(|c| c.len() == 6 && c.chars().all(|d| d.is_ascii_digit())));
    let sent = sign_in_messages(app).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].recipient, "ana@mail.cl", "to the stored address");
    assert!(sent[0].facts.link.as_deref().is_some_and(|l| l.starts_with("/reservar/clinica/mi-cuenta/enlace/")));

    let unknown = post(app, &format!("{BASE}/entrar"), &[("correo", "nadie@mail.cl")], None).await;
    assert_eq!(unknown.status, known.status);
    assert_eq!(sign_in_messages(app).await.len(), 1, "nothing sent for an email with no profile");
    // The same page, but for the email typed and the random sign-in id.
    let same =
        |page: &TestResponse, email: &str| html(page).replace(&hidden(page, "intento"), "ID").replace(email, "EMAIL");
    assert_eq!(same(&known, "ANA@mail.cl"), same(&unknown, "nadie@mail.cl"));
    assert!(html(&unknown).contains("Te enviamos un código"));
    // A code typed for it opens nothing.
    let refused = enter_code(app, &unknown, "123456").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&refused).contains("El código no es correcto"));
}

pub async fn a_code_opens_once_and_dies_after_wrong_codes_or_time(app: &TestApp) {
    open(app).await;
    let (page, code) = ask_code(app, "ana@mail.cl").await;
    let code = code.expect("code");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = enter_code(app, &page, wrong).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.headers.get("set-cookie").is_none(), "no session");
    let done = enter_code(app, &page, &code).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let cookie = done.header("set-cookie").to_owned();
    assert!(
        cookie.contains("Path=/reservar/clinica;") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax")
    );
    assert_eq!(enter_code(app, &page, &code).await.status, StatusCode::UNPROCESSABLE_ENTITY, "single use");

    // Five wrong codes kill it: the right one then opens nothing.
    let (page, code) = ask_code(app, "ana@mail.cl").await;
    let code = code.expect("code");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(enter_code(app, &page, wrong).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(enter_code(app, &page, &code).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Sixteen minutes later a code no longer works.
    let (page, code) = ask_code(app, "ana@mail.cl").await;
    app.clock.advance(SignedDuration::from_mins(16));
    assert_eq!(enter_code(app, &page, &code.expect("code")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

pub async fn the_emailed_link_signs_in_once(app: &TestApp) {
    open(app).await;
    ask_code(app, "ana@mail.cl").await;
    let link = sign_in_messages(app).await[0].facts.link.clone().expect("link");
    // Opening it changes nothing (mail scanners follow links): a button does.
    let page = app.get(&link).send().await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(html(&page).contains("Entrar"));
    let done = app.post(&link).raw(FORM, "").send().await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let cookie = session_cookie(&done);
    assert!(html(&get(app, BASE, &cookie).await).contains("Hola, Ana Pérez"));
    let again = app.post(&link).raw(FORM, "").send().await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(html(&again).contains("ya se usó o venció"));
}

pub async fn a_client_session_opens_nothing_of_staff_other_clients_or_businesses(app: &TestApp) {
    let f = open(app).await;
    booked(app, &f, "2026-03-17T10:00").await;
    let bea = app.create_client(&f.owner, json!({ "name": "Bea Rojas", "email": "bea@mail.cl" })).await;
    let bea_booking = app
        .post("/api/v1/bookings")
        .cookie(&f.owner)
        .json(json!({ "client_id": bea["id"], "service_id": f.service, "professional_id": f.pro, "start": "2026-03-18T10:00" }))
        .send()
        .await;
    let bea_booking = bea_booking.body["items"][0]["id"].as_str().expect("id").to_owned();
    let cookie = signed_in(app, "ana@mail.cl").await;
    let (_, csrf) = home(app, &cookie).await;

    // Staff routes: the API asks for a staff sign-in, the panel sends to its login.
    assert_eq!(get(app, "/api/v1/clients", &cookie).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(get(app, &format!("/api/v1/clients/{}", f.client), &cookie).await.status, StatusCode::UNAUTHORIZED);
    let panel = get(app, "/clientes", &cookie).await;
    assert_eq!(panel.status, StatusCode::SEE_OTHER);
    assert!(panel.header("location").starts_with("/entrar"));

    // Another client's booking: not found, and unchanged.
    let cancel = format!("{BASE}/reservas/{bea_booking}/anular");
    let refused = post(app, &cancel, &[("csrf", &csrf)], Some(&cookie)).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(
        get(app, &format!("{BASE}/reservas/{bea_booking}/reagendar"), &cookie).await.status,
        StatusCode::NOT_FOUND
    );
    let id = bea_booking.parse().expect("id");
    assert_ne!(app.store.get_booking(&actor(app).await, id).await.expect("read").state, BookingState::Cancelled);

    // Another business: the cookie signs nobody in there.
    app.add_business("otra").await;
    let other = app.store.business_by_slug("otra").await.expect("read").expect("business");
    let rules = BookingRules { online: true, ..BookingRules::default() };
    app.store.set_booking_rules(&Actor::System { business: other.id }, rules).await.expect("rules");
    let there = get(app, "/reservar/otra/mi-cuenta", &cookie).await;
    assert_eq!(there.status, StatusCode::OK);
    assert!(html(&there).contains("Enviarme un código") && !html(&there).contains("Ana"));

    // A form without the session's token (forged elsewhere) changes nothing.
    let own = app.get(&format!("/api/v1/clients/{}/bookings", f.client)).cookie(&f.owner).send().await;
    let own = own.body["items"][0]["id"].as_str().expect("id").to_owned();
    let forged = post(app, &format!("{BASE}/reservas/{own}/anular"), &[("csrf", "x")], Some(&cookie)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let id = own.parse().expect("id");
    assert_ne!(app.store.get_booking(&actor(app).await, id).await.expect("read").state, BookingState::Cancelled);
}

pub async fn signing_out_here_or_everywhere_ends_the_sessions(app: &TestApp) {
    open(app).await;
    let phone = signed_in(app, "ana@mail.cl").await;
    let laptop = signed_in(app, "ana@mail.cl").await;
    let (_, csrf) = home(app, &phone).await;
    let out = post(app, &format!("{BASE}/salir"), &[("csrf", &csrf)], Some(&phone)).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    assert!(html(&get(app, BASE, &phone).await).contains("Enviarme un código"), "signed out");
    assert!(html(&get(app, BASE, &laptop).await).contains("Hola, Ana"), "the other device still in");
    let tablet = signed_in(app, "ana@mail.cl").await;
    let (_, csrf) = home(app, &laptop).await;
    let out = post(app, &format!("{BASE}/salir-todos"), &[("csrf", &csrf)], Some(&laptop)).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(html(&get(app, BASE, &laptop).await).contains("Enviarme un código"));
    assert!(html(&get(app, BASE, &tablet).await).contains("Enviarme un código"), "every device signed out");
}

pub async fn mi_cuenta_shows_bookings_and_only_shared_notes(app: &TestApp) {
    let f = open(app).await;
    let next = booked(app, &f, "2026-03-17T10:00").await;
    let booking = next["id"].as_str().expect("id").parse().expect("id");
    let owner = actor(app).await;
    let text = |t: &str| NoteText::parse(t).expect("text");
    app.store
        .add_attention_note(&owner, booking, Visibility::Shared, text("Ejercicios: 3 series"))
        .await
        .expect("note");
    app.store
        .add_attention_note(&owner, booking, Visibility::Private, text("Dolor lumbar crónico"))
        .await
        .expect("note");
    let cookie = signed_in(app, "ana@mail.cl").await;
    let (page, _) = home(app, &cookie).await;
    let page = html(&page);
    assert!(page.contains("Kinesiología") && page.contains("17-03-2026 10:00"), "{page}");
    assert!(
        page.contains("Estado: <strong>Pendiente</strong>") || page.contains("Estado: <strong>Confirmada</strong>")
    );
    assert!(page.contains("Pago: Sin pagar") || page.contains("Pago: "), "payment shown");
    assert!(page.contains("Ejercicios: 3 series"), "the shared note");
    assert!(!page.contains("Dolor lumbar"), "never the private one");
    assert!(page.contains("Anular") && page.contains("Reagendar"));
    assert!(page.contains("ana@mail.cl"), "Mis datos at a glance");
}

pub async fn deadlines_are_refused_by_the_server_and_change_nothing(app: &TestApp) {
    let f = open(app).await;
    // Today 17:00 in Santiago: eight hours away, inside the 24-hour deadline.
    let soon = booked(app, &f, "2026-03-14T17:00").await;
    let id = soon["id"].as_str().expect("id").to_owned();
    let cookie = signed_in(app, "ana@mail.cl").await;
    let (page, csrf) = home(app, &cookie).await;
    assert!(!html(&page).contains(&format!("reservas/{id}/anular")), "not offered");
    assert!(html(&page).contains("Ya no se puede anular en línea"));
    let refused = post(app, &format!("{BASE}/reservas/{id}/anular"), &[("csrf", &csrf)], Some(&cookie)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(html(&refused).contains("anular"), "{}", html(&refused));
    let moved = post(
        app,
        &format!("{BASE}/reservas/{id}/reagendar"),
        &[("csrf", &csrf), ("profesional", "cualquiera"), ("inicio", "2026-03-20T13:00:00Z")],
        Some(&cookie),
    )
    .await;
    assert_eq!(moved.status, StatusCode::CONFLICT);
    let stored = app.store.get_booking(&actor(app).await, id.parse().expect("id")).await.expect("read");
    assert_ne!(stored.state, BookingState::Cancelled);
    assert_eq!(stored.when.map(|w| w.start().to_string()).as_deref(), Some("2026-03-14T20:00:00Z"));
}

async fn datos(app: &TestApp, cookie: &str, changes: &[(&str, &str)]) -> TestResponse {
    let form = get(app, &format!("{BASE}/datos"), cookie).await;
    assert_eq!(form.status, StatusCode::OK);
    let (csrf, version) = (hidden(&form, "csrf"), hidden(&form, "version"));
    let mut pairs = vec![
        ("csrf", csrf.as_str()),
        ("version", version.as_str()),
        ("nombre", "Ana Pérez"),
        ("correo", "ana@mail.cl"),
        ("telefono", ""),
        ("rut", ""),
        ("nacimiento", ""),
    ];
    for (key, value) in changes {
        pairs.retain(|(k, _)| k != key);
        pairs.push((key, value));
    }
    post(app, &format!("{BASE}/datos"), &pairs, Some(cookie)).await
}

pub async fn mis_datos_errors_are_shown_by_field_and_nothing_is_saved(app: &TestApp) {
    let f = open(app).await;
    let cookie = signed_in(app, "ana@mail.cl").await;
    let refused = datos(app, &cookie, &[("nombre", "Ana Soto"), ("telefono", "123"), ("rut", "12.345.678-9")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(&refused);
    assert!(page.contains("id=\"telefono-error\"") && page.contains("id=\"rut-error\""), "{page}");
    assert!(!page.contains("id=\"nombre-error\""));
    let stored = app.get(&format!("/api/v1/clients/{}", f.client)).cookie(&f.owner).send().await;
    assert_eq!(stored.body["name"], "Ana Pérez", "nothing saved");
}

pub async fn an_email_change_waits_for_its_link_and_a_taken_email_is_refused(app: &TestApp) {
    let f = open(app).await;
    app.create_client(&f.owner, json!({ "name": "Bea Rojas", "email": "bea@mail.cl" })).await;
    let cookie = signed_in(app, "ana@mail.cl").await;
    let taken = datos(app, &cookie, &[("correo", "BEA@mail.cl"), ("telefono", "9 6123 4567")]).await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(html(&taken).contains("Ese correo no se puede usar"));
    assert!(!html(&taken).contains("Bea Rojas"), "never whose");
    let client = app.get(&format!("/api/v1/clients/{}", f.client)).cookie(&f.owner).send().await;
    assert_eq!((client.body["email"].as_str(), client.body["phone"].as_str()), (Some("ana@mail.cl"), None));

    let asked = datos(app, &cookie, &[("correo", "ana.nueva@mail.cl")]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", html(&asked));
    assert!(asked.header("location").contains("aviso=correo"));
    let client = app.get(&format!("/api/v1/clients/{}", f.client)).cookie(&f.owner).send().await;
    assert_eq!(client.body["email"], "ana@mail.cl", "not before the link");
    let form = get(app, &format!("{BASE}/datos"), &cookie).await;
    assert!(html(&form).contains("Tu nuevo correo ana.nueva@mail.cl espera confirmación"), "{}", html(&form));
    let query = MessageQuery { limit: 100, ..MessageQuery::default() };
    let messages = app.store.messages(&actor(app).await, &query).await.expect("messages").messages;
    let verify = messages.iter().find(|m| m.kind == NoticeKind::EmailChange).expect("a verification");
    assert_eq!(verify.recipient, "ana.nueva@mail.cl", "to the new address");
    let link = verify.facts.link.clone().expect("link");
    assert_eq!(app.get(&link).send().await.status, StatusCode::OK);
    let done = app.post(&link).raw(FORM, "").send().await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(html(&done).contains("Tu correo quedó cambiado a ana.nueva@mail.cl"));
    let client = app.get(&format!("/api/v1/clients/{}", f.client)).cookie(&f.owner).send().await;
    assert_eq!(client.body["email"], "ana.nueva@mail.cl");
    assert!(!html(&get(app, &format!("{BASE}/datos"), &cookie).await).contains("espera confirmación"));
    assert_eq!(app.post(&link).raw(FORM, "").send().await.status, StatusCode::GONE, "once");
}

pub async fn a_client_edit_is_in_historial_as_the_client(app: &TestApp) {
    let f = open(app).await;
    let cookie = signed_in(app, "ana@mail.cl").await;
    let saved = datos(app, &cookie, &[("telefono", "9 6123 4567")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", html(&saved));
    let history = app.get(&format!("/api/v1/clients/{}/history", f.client)).cookie(&f.owner).send().await;
    let newest = &history.body["items"][0];
    assert_eq!(newest["by"]["kind"], "client", "{}", history.body);
    assert_eq!(newest["new"], "+56961234567");
    let profile = get(app, &format!("/clientes/{}", f.client), &f.owner).await;
    assert!(html(&profile).contains("El cliente (Mi cuenta)"), "the panel's Historial says who");
}

pub async fn a_session_por_reservar_is_scheduled_from_mi_cuenta(app: &TestApp) {
    let f = open(app).await;
    let pack = create_service(app, &f.owner, "Pack 3", 60, 3, &f.pro).await;
    let bought = app
        .post("/api/v1/bookings")
        .cookie(&f.owner)
        .json(
            json!({ "client_id": f.client, "service_id": pack, "professional_id": f.pro, "start": "2026-03-16T10:00" }),
        )
        .send()
        .await;
    assert_eq!(bought.status, StatusCode::CREATED, "{}", bought.body);
    let cookie = signed_in(app, "ana@mail.cl").await;
    let (page, csrf) = home(app, &cookie).await;
    let agendar: Vec<&str> = html(&page)
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.ends_with("/reagendar"))
        .collect();
    assert!(html(&page).contains("Sesión 2 de 3") && html(&page).contains(">Agendar<"), "{}", html(&page));
    let session = agendar.last().expect("an Agendar link").to_string();
    let week = get(app, &session, &cookie).await;
    assert_eq!(week.status, StatusCode::OK);
    // The first slot button carries its start.
    let start = hidden(&week, "inicio");
    let pairs = [("csrf", csrf.as_str()), ("profesional", "cualquiera"), ("inicio", start.as_str())];
    let done = post(app, &session, &pairs, Some(&cookie)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    let client = f.client.parse().expect("id");
    let left = app.store.por_reservar(&actor(app).await, client).await.expect("left");
    assert_eq!(left.sessions.len(), 1, "one session scheduled");
}

pub async fn a_password_set_in_mi_cuenta_signs_in(app: &TestApp) {
    open(app).await;
    let cookie = signed_in(app, "ana@mail.cl").await;
    let (_, csrf) = home(app, &cookie).await;
    let path = format!("{BASE}/contrasena");
    let short =
        post(app, &path, &[("csrf", &csrf), ("contrasena", "corta"), ("repetir", "corta")], Some(&cookie)).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let good = "una clave larga 7";
    let set = post(app, &path, &[("csrf", &csrf), ("contrasena", good), ("repetir", good)], Some(&cookie)).await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    let wrong =
        post(app, &format!("{BASE}/clave"), &[("correo", "ana@mail.cl"), ("contrasena", "otra clave 1")], None).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let nobody = post(app, &format!("{BASE}/clave"), &[("correo", "nadie@mail.cl"), ("contrasena", good)], None).await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    let right = post(app, &format!("{BASE}/clave"), &[("correo", "Ana@Mail.cl"), ("contrasena", good)], None).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    assert!(html(&get(app, BASE, &session_cookie(&right)).await).contains("Hola, Ana"));
}

pub async fn sign_in_requests_are_limited_per_email(app: &TestApp) {
    open(app).await;
    for _ in 0..5 {
        ask_code(app, "nadie@mail.cl").await;
    }
    // Counted for an email with no profile too: the limit tells nothing.
    let refused = post(app, &format!("{BASE}/entrar"), &[("correo", "NADIE@mail.cl")], None).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html(&refused).contains("Hiciste demasiadas solicitudes seguidas"));
    assert!(!refused.header("retry-after").is_empty());
    assert!(sign_in_messages(app).await.is_empty());
}

pub async fn attendance_is_confirmed_from_mi_cuenta_until_its_deadline(app: &TestApp) {
    let f = open(app).await;
    let rules = BookingRules { online: true, confirm_until_hours: 48, ..BookingRules::default() };
    app.store.set_booking_rules(&actor(app).await, rules).await.expect("rules");
    // Staff bookings start pending: one in four days, one tomorrow (inside 48 h).
    let later = booked(app, &f, "2026-03-18T10:00").await["id"].as_str().expect("id").to_owned();
    let soon = booked(app, &f, "2026-03-15T10:00").await["id"].as_str().expect("id").to_owned();
    let cookie = signed_in(app, "ana@mail.cl").await;
    let (page, csrf) = home(app, &cookie).await;
    assert!(html(&page).contains(&format!("reservas/{later}/confirmar")));
    assert!(!html(&page).contains(&format!("reservas/{soon}/confirmar")), "past its deadline: not offered");
    let done = post(app, &format!("{BASE}/reservas/{later}/confirmar"), &[("csrf", &csrf)], Some(&cookie)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let state = |id: &str| {
        let id = id.parse().expect("id");
        async move { app.store.get_booking(&actor(app).await, id).await.expect("read").state }
    };
    assert_eq!(state(&later).await, BookingState::Confirmed);
    let late = post(app, &format!("{BASE}/reservas/{soon}/confirmar"), &[("csrf", &csrf)], Some(&cookie)).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(state(&soon).await, BookingState::Pending, "refused by the server, unchanged");
}

pub async fn mi_cuenta_opts_out_gives_the_data_file_and_shows_a_block(app: &TestApp) {
    let f = open(app).await;
    let booking = booked(app, &f, "2026-03-16T10:00").await;
    let booking: ficha_domain::BookingId = booking["id"].as_str().expect("id").parse().expect("id");
    let system = actor(app).await;
    for (visibility, text) in
        [(Visibility::Private, "Sospecha de hernia, interna"), (Visibility::Shared, "Reposo 2 días")]
    {
        let text = NoteText::parse(text).expect("text");
        app.store.add_attention_note(&system, booking, visibility, text).await.expect("note");
    }
    let cookie = signed_in(app, "ana@mail.cl").await;

    // Oposición: the client turns WhatsApp off, recorded as from Mi cuenta.
    let (page, csrf) = home(app, &cookie).await;
    assert!(html(&page).contains("Recibir mensajes por WhatsApp"));
    let saved =
        post(app, &format!("{BASE}/notificaciones"), &[("csrf", &csrf), ("recordatorios", "1")], Some(&cookie)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", html(&saved));
    let client: ficha_domain::ClientId = f.client.parse().expect("id");
    let chosen = app.store.client_preferences(&system, client).await.expect("read");
    assert!(chosen.no_whatsapp && !chosen.no_reminders, "{chosen:?}");
    let history = app.get(&format!("/api/v1/clients/{}/history", f.client)).cookie(&f.owner).send().await;
    let entry = &history.body["items"][0];
    assert_eq!(
        (&entry["change"], &entry["source"], &entry["by"]["kind"]),
        (&json!("notification_preferences"), &json!("mi_cuenta"), &json!("client"))
    );
    let forged = post(app, &format!("{BASE}/notificaciones"), &[("whatsapp", "1")], Some(&cookie)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no token, no change");

    // The data file: every section, the shared note, never the private one.
    let file = get(app, &format!("{BASE}/archivo-de-datos.json"), &cookie).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body["client"]["email"], "ana@mail.cl");
    assert_eq!(file.body["attention_notes"]["shared"][0]["text"], "Reposo 2 días");
    assert_eq!(file.body["attention_notes"]["private"], json!([]));
    assert!(!file.body.to_string().contains("hernia"), "{}", file.body);
    let readable = get(app, &format!("{BASE}/archivo-de-datos"), &cookie).await;
    let text = html(&readable);
    assert!(text.contains("Archivo de datos de Ana Pérez") && text.contains("Reposo 2 días"), "{text}");
    assert!(text.contains("16-03-2026") && !text.contains("hernia"), "{text}");
    // Not signed in: nothing but the way to sign in.
    let anonymous = app.get(&format!("{BASE}/archivo-de-datos.json")).send().await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);

    // Blocked: the client sees it, and their edits change nothing.
    let reason = ficha_domain::BlockReason::parse("Solicitud de bloqueo").expect("reason");
    app.store.block_client(&system, client, reason).await.expect("blocked");
    let (page, csrf) = home(app, &cookie).await;
    assert!(html(&page).contains("Tu perfil está bloqueado desde el 14-03-2026, como lo pediste"), "{}", html(&page));
    let version = hidden(&get(app, &format!("{BASE}/datos"), &cookie).await, "version");
    let edit = post(
        app,
        &format!("{BASE}/datos"),
        &[("csrf", &csrf), ("version", &version), ("nombre", "Ana Soto"), ("correo", "ana@mail.cl")],
        Some(&cookie),
    )
    .await;
    assert_eq!(edit.status, StatusCode::CONFLICT, "{}", html(&edit));
    assert!(html(&edit).contains("Tu perfil está bloqueado"));
}
