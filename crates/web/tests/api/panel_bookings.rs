//! The panel's bookings pages in-process: Agendar, the booking page and its
//! actions, the calendar, the profile's bookings — CSRF refusals, refused
//! changes that change nothing, escaping, and what each page shows.

use axum::http::StatusCode;
use serde_json::json;

use crate::bookings::{Fixture, booked, fixture};
use crate::helpers::{TestApp, TestResponse};
use crate::panel::{FORM, csrf, encode, html, submit};

fn agendar(f: &Fixture) -> String {
    format!("/clientes/{}/agendar", f.client)
}

/// The Agendar page with service, professional and date chosen.
async fn agendar_page(app: &TestApp, f: &Fixture, date: &str) -> TestResponse {
    let path = format!("{}?servicio={}&profesional={}&fecha={date}", agendar(f), f.service, f.pro);
    let page = app.get(&path).cookie(&f.owner).send().await;
    assert_eq!(page.status, StatusCode::OK, "{}", html(&page));
    page
}

async fn state_of(app: &TestApp, f: &Fixture, booking: &str) -> String {
    let read = app.get(&format!("/api/v1/bookings/{booking}")).cookie(&f.owner).send().await;
    read.body["state"].as_str().unwrap_or("").to_owned()
}

async fn calendar_count(app: &TestApp, f: &Fixture, date: &str) -> usize {
    let cal = app.get(&format!("/api/v1/calendar?date={date}&view=week")).cookie(&f.owner).send().await;
    cal.body["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn agendar_offers_free_slots_books_one_and_the_profile_and_calendar_show_it() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    // Sunday 15-03-2026; 10:00 is already taken.
    booked(&app, &f, "2026-03-15T10:00").await;
    let page = agendar_page(&app, &f, "15-03-2026").await;
    let body = html(&page);
    assert!(body.contains("Horarios libres del 15-03-2026"), "{body}");
    assert!(body.contains("> 09:00</label>") && body.contains("> 11:00</label>"), "{body}");
    assert!(!body.contains("> 10:00</label>"), "a taken hour is not offered");
    assert!(!body.contains("> 13:00</label>"), "the break is not offered");

    // 11:00 in Santiago (UTC−3) is 14:00 UTC.
    let token = csrf(&page);
    let pairs = [("servicio", f.service.as_str()), ("profesional", &f.pro), ("fecha", "15-03-2026")];
    let mut form = pairs.to_vec();
    form.push(("inicio", "2026-03-15T14:00:00Z"));
    let done = submit(&app, &f.owner, &agendar(&f), &token, &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    let location = done.header("location").to_owned();
    assert!(location.starts_with("/reservas/") && location.ends_with("?aviso=agendada"), "{location}");

    let booking = app.get(&location).cookie(&f.owner).send().await;
    let booking_html = html(&booking);
    assert!(booking_html.contains("Reserva agendada."));
    assert!(booking_html.contains("15-03-2026 11:00–12:00"), "{booking_html}");
    assert!(booking_html.contains(&format!("href=\"/clientes/{}\" id=\"reserva-cliente\">Ana Pérez", f.client)));

    let profile = app.get(&format!("/clientes/{}", f.client)).cookie(&f.owner).send().await;
    let profile_html = html(&profile);
    assert!(profile_html.contains("15-03-2026 11:00"), "{profile_html}");
    assert!(profile_html.contains("<dd id=\"stat-reservas\">2</dd>"), "{profile_html}");
    assert!(profile_html.contains("$0"), "nothing paid yet");

    let calendar = app.get("/calendario?fecha=15-03-2026").cookie(&f.owner).send().await;
    let calendar_html = html(&calendar);
    assert!(calendar_html.contains("11:00–12:00") && calendar_html.contains("10:00–11:00"), "{calendar_html}");
    assert!(calendar_html.contains("Domingo 15-03-2026"));
    app.finish().await;
}

#[tokio::test]
async fn forms_without_the_sessions_token_change_nothing() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let booking = booked(&app, &f, "2026-03-16T10:00").await;
    let id = booking["id"].as_str().expect("id");
    let agenda_form = encode(&[
        ("servicio", &f.service),
        ("profesional", &f.pro),
        ("fecha", "16-03-2026"),
        ("inicio", "2026-03-16T15:00:00Z"),
        ("csrf", "forjado"),
    ]);
    let refused = app.post(&agendar(&f)).cookie(&f.owner).raw(FORM, agenda_form).send().await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(html(&refused).contains("El formulario expiró"));
    assert_eq!(calendar_count(&app, &f, "2026-03-16").await, 1, "nothing booked");

    for action in ["confirmar", "anular", "asistencia", "pago"] {
        let response = app
            .post(&format!("/reservas/{id}/{action}"))
            .cookie(&f.owner)
            .raw(FORM, "asistencia=attended&monto=1000&medio=cash&fecha=14-03-2026")
            .send()
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{action}");
    }
    let read = app.get(&format!("/api/v1/bookings/{id}")).cookie(&f.owner).send().await;
    assert_eq!((read.body["state"].as_str(), read.body["payment"]["paid"].as_bool()), (Some("pending"), Some(false)));
    app.finish().await;
}

/// A cancelled booking is not paid anew: no "Marcar pagada" unless a
/// payment was recorded before (which may still be corrected or removed).
#[tokio::test]
async fn a_cancelled_unpaid_booking_offers_no_payment() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let booking = booked(&app, &f, "2026-03-16T10:00").await;
    let path = format!("/reservas/{}", booking["id"].as_str().expect("id"));
    let page = app.get(&path).cookie(&f.owner).send().await;
    assert!(html(&page).contains("id=\"marcar-pagada\""), "offered while live");
    let token = csrf(&page);
    let cancelled = submit(&app, &f.owner, &format!("{path}/anular"), &token, &[]).await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    let page = app.get(&path).cookie(&f.owner).send().await;
    assert!(!html(&page).contains("id=\"marcar-pagada\"") && !html(&page).contains("Marcar pagada"), "{}", html(&page));
}

#[tokio::test]
async fn the_booking_page_confirms_pays_and_cancels_and_a_refused_change_is_explained() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let booking = booked(&app, &f, "2026-03-16T10:00").await;
    let path = format!("/reservas/{}", booking["id"].as_str().expect("id"));
    let id = booking["id"].as_str().expect("id");
    let page = app.get(&path).cookie(&f.pro_cookie).send().await;
    let token = csrf(&page);

    let confirmed = submit(&app, &f.pro_cookie, &format!("{path}/confirmar"), &token, &[]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app, &f, id).await, "confirmed");

    // A wrong amount is shown next to its field; nothing is saved.
    let bad = [("monto", "veinte"), ("medio", "debit"), ("fecha", "14-03-2026")];
    let wrong = submit(&app, &f.pro_cookie, &format!("{path}/pago"), &token, &bad).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&wrong).contains("Escribe el monto en pesos"), "{}", html(&wrong));
    // A payment dated in the future is the backend's refusal.
    let future = [("monto", "$25.000"), ("medio", "debit"), ("fecha", "20-03-2026")];
    let refused = submit(&app, &f.pro_cookie, &format!("{path}/pago"), &token, &future).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&refused).contains("La fecha de pago no puede ser futura."), "{}", html(&refused));
    let read = app.get(&format!("/api/v1/bookings/{id}")).cookie(&f.owner).send().await;
    assert_eq!(read.body["payment"]["paid"], false);

    let good = [("monto", "$25.000"), ("medio", "debit"), ("fecha", "14-03-2026")];
    let paid = submit(&app, &f.pro_cookie, &format!("{path}/pago"), &token, &good).await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", html(&paid));
    let shown = app.get(&path).cookie(&f.owner).send().await;
    assert!(html(&shown).contains("Pagada $25.000 · Débito · 14-03-2026"), "{}", html(&shown));
    // "Corregir pago" starts from what is recorded, so saving it again works.
    assert!(html(&shown).contains("<option value=\"debit\" selected>"), "{}", html(&shown));
    assert!(html(&shown).contains("name=\"fecha\" value=\"14-03-2026\""));
    let again = [("monto", "25000"), ("medio", "debit"), ("fecha", "14-03-2026")];
    let resaved = submit(&app, &f.pro_cookie, &format!("{path}/pago"), &token, &again).await;
    assert_eq!(resaved.status, StatusCode::SEE_OTHER, "{}", html(&resaved));

    let cancelled = submit(&app, &f.pro_cookie, &format!("{path}/anular"), &token, &[]).await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    assert_eq!(calendar_count(&app, &f, "2026-03-16").await, 0, "cancelled bookings leave the calendar");

    // Confirming a cancelled booking (a stale page's button) is refused.
    let again = submit(&app, &f.pro_cookie, &format!("{path}/confirmar"), &token, &[]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = html(&again);
    assert!(
        body.contains("La reserva no puede pasar a ese estado. Una reserva anulada no puede quedar confirmada."),
        "{body}"
    );
    assert!(body.contains("No se cambió nada."));
    assert_eq!(state_of(&app, &f, id).await, "cancelled");

    // Attendance cannot be marked before the start.
    let early = submit(&app, &f.pro_cookie, &format!("{path}/asistencia"), &token, &[("asistencia", "attended")]).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.finish().await;
}

#[tokio::test]
async fn a_time_the_clock_change_skips_is_explained_next_to_the_hour() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    // Chile moves its clocks from 00:00 to 01:00 on Sunday 06-09-2026.
    let page = agendar_page(&app, &f, "06-09-2026").await;
    let token = csrf(&page);
    let form = [
        ("servicio", f.service.as_str()),
        ("profesional", &f.pro),
        ("fecha", "06-09-2026"),
        ("fuera_de_horario", "on"),
        ("hora", "00:30"),
    ];
    let refused = submit(&app, &f.owner, &agendar(&f), &token, &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = html(&refused);
    assert!(
        body.contains(
            "id=\"hora-error\">La hora 00:30 del 06-09-2026 no existe: ese día los relojes se adelantan una hora."
        ),
        "{body}"
    );
    assert_eq!(calendar_count(&app, &f, "2026-09-06").await, 0);

    // Outside the agenda without the check box: only free slots count.
    let no_slot = submit(&app, &f.owner, &agendar(&f), &token, &form[..3]).await;
    assert!(html(&no_slot).contains("Elige uno de los horarios disponibles."));
    // With it, a time outside the hours is booked.
    let mut late = form.to_vec();
    late[4] = ("hora", "20:00");
    let booked_late = submit(&app, &f.owner, &agendar(&f), &token, &late).await;
    assert_eq!(booked_late.status, StatusCode::SEE_OTHER, "{}", html(&booked_late));
    assert_eq!(calendar_count(&app, &f, "2026-09-06").await, 1);
    app.finish().await;
}

#[tokio::test]
async fn a_long_history_is_paged_and_filtered_on_the_profile() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    for day in 16..=27 {
        for hour in ["09:00", "10:00"] {
            booked(&app, &f, &format!("2026-03-{day}T{hour}")).await;
        }
    }
    let cancelled = booked(&app, &f, "2026-03-28T09:00").await;
    let id = cancelled["id"].as_str().expect("id");
    let response = app.post(&format!("/api/v1/bookings/{id}/cancel")).cookie(&f.owner).json(json!({})).send().await;
    assert_eq!(response.status, StatusCode::OK);

    let profile = format!("/clientes/{}", f.client);
    let first = app.get(&profile).cookie(&f.owner).send().await;
    let body = html(&first);
    assert_eq!(body.matches("class=\"booking-item state-").count(), 20, "one page of 20");
    assert!(body.contains("<dd id=\"stat-reservas\">25</dd>") && body.contains("<dd id=\"stat-anuladas\">1</dd>"));
    assert!(body.contains("16-03-2026 09:00"), "upcoming: soonest first");
    let start = body.find("id=\"reservas-siguientes\"").map(|i| body[..i].rfind("href=\"").expect("href") + 6);
    let next = &body[start.expect("a next page")..];
    let next = next[..next.find('"').expect("end")].replace("&#38;", "&").replace("&amp;", "&");
    let second = app.get(&next).cookie(&f.owner).send().await;
    assert_eq!(html(&second).matches("class=\"booking-item state-").count(), 5, "{next}");

    let only_cancelled = app.get(&format!("{profile}?estado=cancelled")).cookie(&f.owner).send().await;
    let body = html(&only_cancelled);
    assert_eq!(body.matches("class=\"booking-item state-cancelled\"").count(), 1, "{body}");
    assert_eq!(body.matches("class=\"booking-item state-").count(), 1);
    app.finish().await;
}

#[tokio::test]
async fn names_on_booking_pages_are_shown_as_text() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let name = "<script>alert(1)</script> Pérez";
    let evil = app.create_client(&f.owner, json!({ "name": name, "email": "x@correo.cl" })).await;
    let evil_id = evil["id"].as_str().expect("id");
    let body =
        json!({ "client_id": evil_id, "service_id": f.service, "professional_id": f.pro, "start": "2026-03-16T10:00" });
    let made = app.post("/api/v1/bookings").cookie(&f.owner).json(body).send().await;
    let booking = made.body["items"][0]["id"].as_str().expect("id").to_owned();
    for path in [
        "/calendario?fecha=16-03-2026".to_owned(),
        "/calendario?fecha=16-03-2026&vista=semana".to_owned(),
        format!("/reservas/{booking}"),
        format!("/clientes/{evil_id}/agendar"),
        format!("/clientes/{evil_id}"),
    ] {
        let response = app.get(&path).cookie(&f.owner).send().await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        let page = html(&response);
        assert!(!page.contains("<script>alert"), "{path} runs the name");
        assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62; Pérez"), "{path}");
    }
    app.finish().await;
}

#[tokio::test]
async fn professionals_read_services_and_agendas_but_get_403_on_changes() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let token = csrf(&app.get(&format!("/clientes/{}", f.client)).cookie(&f.pro_cookie).send().await);
    for path in [
        "/configuracion/servicios".to_owned(),
        format!("/configuracion/servicios/{}", f.service),
        format!("/configuracion/agendas/{}", f.pro),
        "/configuracion/reservas".to_owned(),
    ] {
        let page = app.get(&path).cookie(&f.pro_cookie).send().await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(html(&page).contains(r#"<fieldset disabled class="read-only-view">"#), "{path}");
        let post = submit(
            &app,
            &f.pro_cookie,
            &path,
            &token,
            &[("nombre", "Otro"), ("duracion", "30"), ("precio", "1"), ("sesiones", "1"), ("monday", "")],
        )
        .await;
        assert_eq!(post.status, StatusCode::FORBIDDEN, "{path}");
    }
    let services = app.get("/api/v1/services").cookie(&f.owner).send().await;
    assert_eq!(services.body["items"].as_array().map(Vec::len), Some(1), "nothing created");
    assert_eq!(services.body["items"][0]["name"], "Kinesiología", "nothing renamed");
    let agenda = app.get(&format!("/api/v1/professionals/{}/agenda", f.pro)).cookie(&f.owner).send().await;
    assert_eq!(agenda.body["monday"], json!([["09:00", "13:00"], ["14:00", "18:00"]]));
    app.finish().await;
}

#[tokio::test]
async fn owners_create_and_edit_services_and_set_agendas() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let page = app.get("/configuracion/servicios").cookie(&f.owner).send().await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(html(&page).contains("Kinesiología") && html(&page).contains("$25.000"));
    let token = csrf(&page);

    let forged = app
        .post("/configuracion/servicios")
        .cookie(&f.owner)
        .raw(FORM, encode(&[("nombre", "Masaje"), ("duracion", "30"), ("precio", "1000"), ("sesiones", "1")]))
        .send()
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let wrong = [
        ("nombre", "Masaje <b>"),
        ("duracion", "0"),
        ("precio", "$18.000"),
        ("sesiones", "1"),
        ("profesionales", &f.pro),
    ];
    let refused = submit(&app, &f.owner, "/configuracion/servicios", &token, &wrong).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = html(&refused);
    assert!(body.contains("duración (minutos)"), "{body}");
    assert!(body.contains("value=\"Masaje &#60;b&#62;\""), "the typed name is kept, escaped");
    let mut right = wrong.to_vec();
    right[1] = ("duracion", "30");
    let created = submit(&app, &f.owner, "/configuracion/servicios", &token, &right).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", html(&created));
    let services = app.get("/api/v1/services").cookie(&f.owner).send().await;
    let masaje =
        services.body["items"].as_array().and_then(|items| items.iter().find(|s| s["name"] == "Masaje <b>")).cloned();
    let masaje = masaje.expect("created");
    assert_eq!((masaje["duration_minutes"].as_i64(), masaje["price_clp"].as_i64()), (Some(30), Some(18_000)));

    let edit = format!("/configuracion/servicios/{}", f.service);
    let saved = submit(
        &app,
        &f.owner,
        &edit,
        &token,
        &[("nombre", "Kine"), ("duracion", "45"), ("precio", "20000"), ("sesiones", "5"), ("profesionales", &f.pro)],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", html(&saved));
    let read = app.get(&format!("/api/v1/services/{}", f.service)).cookie(&f.owner).send().await;
    assert_eq!((read.body["name"].as_str(), read.body["sessions"].as_i64()), (Some("Kine"), Some(5)));

    // Agendas: a wrong range is explained and nothing saved; a right one is.
    let path = format!("/configuracion/agendas/{}", f.pro);
    let bad = submit(&app, &f.owner, &path, &token, &[("monday", "13:00-09:00"), ("libres", "18-09-2026")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&bad).contains("class=\"error-text\""), "{}", html(&bad));
    let agenda = app.get(&format!("/api/v1/professionals/{}/agenda", f.pro)).cookie(&f.owner).send().await;
    assert_eq!(agenda.body["tuesday"], json!([["09:00", "13:00"], ["14:00", "18:00"]]), "unchanged");
    let good =
        [("monday", "08:30-12:00, 15:00-19:00"), ("friday", "10:00-14:00"), ("libres", "18-09-2026, 19-09-2026")];
    let ok = submit(&app, &f.owner, &path, &token, &good).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", html(&ok));
    let agenda = app.get(&format!("/api/v1/professionals/{}/agenda", f.pro)).cookie(&f.owner).send().await;
    assert_eq!(agenda.body["monday"], json!([["08:30", "12:00"], ["15:00", "19:00"]]));
    assert_eq!(agenda.body["tuesday"], json!([]));
    assert_eq!(agenda.body["days_off"], json!(["2026-09-18", "2026-09-19"]));
    let shown = app.get(&path).cookie(&f.owner).send().await;
    assert!(
        html(&shown).contains("value=\"08:30-12:00, 15:00-19:00\"") && html(&shown).contains("18-09-2026, 19-09-2026")
    );
    app.finish().await;
}

#[tokio::test]
async fn a_pack_session_por_reservar_gets_its_date_from_the_agendar_page() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let pack = crate::bookings::create_service(&app, &f.owner, "Pack kine", 60, 3, &f.pro).await;
    let body = json!({ "client_id": f.client, "service_id": pack });
    let bought = app.post("/api/v1/bookings").cookie(&f.owner).json(body).send().await;
    assert_eq!(bought.status, StatusCode::CREATED, "{}", bought.body);
    let first = bought.body["items"][0]["id"].as_str().expect("id").to_owned();

    let profile = app.get(&format!("/clientes/{}", f.client)).cookie(&f.owner).send().await;
    let body = html(&profile);
    assert!(body.contains("Pack kine: 0 de 3 sesiones usadas, 3 por reservar"), "{body}");
    assert!(body.contains(&format!("/clientes/{}/agendar?reserva={first}", f.client)));

    let path = format!("{}?reserva={first}&profesional={}&fecha=16-03-2026", agendar(&f), f.pro);
    let page = app.get(&path).cookie(&f.owner).send().await;
    assert!(html(&page).contains("Agendar sesión · "), "{}", html(&page));
    let form = [
        ("reserva", first.as_str()),
        ("profesional", &f.pro),
        ("fecha", "16-03-2026"),
        ("inicio", "2026-03-16T12:00:00Z"),
    ];
    let done = submit(&app, &f.owner, &agendar(&f), &csrf(&page), &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    assert_eq!(done.header("location"), format!("/reservas/{first}?aviso=agendada"));
    let profile = app.get(&format!("/clientes/{}", f.client)).cookie(&f.owner).send().await;
    assert!(html(&profile).contains("Pack kine: 1 de 3 sesiones usadas, 2 por reservar"), "{}", html(&profile));
    assert!(html(&profile).contains("16-03-2026 09:00"));
    app.finish().await;
}

#[tokio::test]
async fn attendance_is_marked_once_started_corrected_and_a_payment_removed() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    // Started an hour ago (the clock is 09:00 in Santiago on 14-03-2026).
    let body = json!({ "client_id": f.client, "service_id": f.service, "professional_id": f.pro,
        "start": "2026-03-14T08:00", "override": true });
    let made = app.post("/api/v1/bookings").cookie(&f.owner).json(body).send().await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let id = made.body["items"][0]["id"].as_str().expect("id").to_owned();
    let path = format!("/reservas/{id}");
    let page = app.get(&path).cookie(&f.owner).send().await;
    assert!(html(&page).contains("id=\"asistio\"") && !html(&page).contains("id=\"quitar-asistencia\""));
    let token = csrf(&page);

    let marked = submit(&app, &f.owner, &format!("{path}/asistencia"), &token, &[("asistencia", "no_show")]).await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER);
    let shown = app.get(&path).cookie(&f.owner).send().await;
    assert!(html(&shown).contains("<dd id=\"reserva-asistencia\">No asistió</dd>"), "{}", html(&shown));
    assert!(html(&shown).contains("id=\"quitar-asistencia\"") && !html(&shown).contains("id=\"no-asistio\""));
    // A booking with attendance marked cannot be cancelled: refused, explained.
    let cancel = submit(&app, &f.owner, &format!("{path}/anular"), &token, &[]).await;
    assert_eq!(cancel.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&cancel).contains("La asistencia ya está marcada."), "{}", html(&cancel));
    assert_eq!(state_of(&app, &f, &id).await, "pending");
    let profile = app.get(&format!("/clientes/{}", f.client)).cookie(&f.owner).send().await;
    assert!(html(&profile).contains("<dd id=\"stat-no-asistio\">1</dd>"));
    // The header flags it, for whoever speaks to the client next.
    assert!(html(&profile).contains("<a class=\"head-tag warning\" href=\"/clientes/"), "{}", html(&profile));
    assert!(html(&profile).contains("#resumen\">1 inasistencia</a>"), "{}", html(&profile));

    let cleared = submit(&app, &f.owner, &format!("{path}/asistencia"), &token, &[("asistencia", "unknown")]).await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER);
    let good = [("monto", "25000"), ("medio", "cash"), ("fecha", "14-03-2026")];
    assert_eq!(submit(&app, &f.owner, &format!("{path}/pago"), &token, &good).await.status, StatusCode::SEE_OTHER);
    let profile = app.get(&format!("/clientes/{}", f.client)).cookie(&f.owner).send().await;
    assert!(html(&profile).contains("<dd id=\"stat-pagado\">$25.000</dd>"), "{}", html(&profile));
    let removed = submit(&app, &f.owner, &format!("{path}/pago"), &token, &[("quitar", "1")]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let shown = app.get(&path).cookie(&f.owner).send().await;
    assert!(html(&shown).contains("<dd id=\"reserva-pago\">Sin pagar</dd>"), "{}", html(&shown));
    app.finish().await;
}
