//! The Calendario's time grid in-process: where blocks sit (rows, lanes),
//! the hours shown, shaded breaks, the "now" line, cancelled bookings behind
//! their toggle, the week's professional; and the two clicks from an empty
//! quarter-hour: the client chooser `/agendar` (and its refusals) and "Nuevo
//! cliente", which comes back to Agendar with the chosen time.

use axum::http::StatusCode;
use ficha_domain::{
    Actor, Attendance, Booking, BookingId, BookingState, ClientId, Interval, Origin, Payment, ServiceId, StaffId,
};
use jiff::Timestamp;

use crate::bookings::{Fixture, booked, fixture};
use crate::helpers::TestApp;
use crate::panel::{csrf, html, submit};

/// Stores a booking as given (no rules: how staff's out-of-hours overlaps
/// look to the calendar).
async fn import(app: &TestApp, f: &Fixture, start: &str, end: &str, state: BookingState) -> BookingId {
    let business = app.store.business_by_slug("clinica").await.expect("read").expect("business");
    let at = |text: &str| -> Timestamp { text.parse().expect("timestamp") };
    let id = BookingId::generate();
    let booking = Booking {
        id,
        client: f.client.parse::<ClientId>().expect("id"),
        service: f.service.parse::<ServiceId>().expect("id"),
        professional: Some(f.pro.parse::<StaffId>().expect("id")),
        when: Some(Interval::new(at(start), at(end)).expect("interval")),
        state,
        payment: Payment::Unpaid,
        attendance: Attendance::Unknown,
        origin: Origin::Panel,
        created_by: None,
        created_at: at(start),
        pack: None,
    };
    app.store.import_bookings(&Actor::System { business: business.id }, vec![booking]).await.expect("imported");
    id
}

#[tokio::test]
async fn the_day_grid_places_overlapping_bookings_side_by_side_and_hides_cancelled_ones() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    // Monday 16-03-2026, Santiago is UTC−3: 10:00–11:00 booked; 10:30–11:30
    // overlaps it (made out of hours by staff); 15:00 was cancelled.
    booked(&app, &f, "2026-03-16T10:00").await;
    import(&app, &f, "2026-03-16T13:30:00Z", "2026-03-16T14:30:00Z", BookingState::Confirmed).await;
    import(&app, &f, "2026-03-16T18:00:00Z", "2026-03-16T19:00:00Z", BookingState::Cancelled).await;

    let page = app.get("/calendario?fecha=16-03-2026").cookie(&f.owner).send().await;
    assert_eq!(page.status, StatusCode::OK);
    let body = html(&page);
    // The agenda is 09:00–13:00 and 14:00–18:00: rows 09:00 to 17:45.
    assert!(body.contains("<div class=\"cal-hour\">09:00</div>") && body.contains(">17:00</div>"), "{body}");
    assert!(!body.contains(">08:00</div>") && !body.contains(">18:00</div>"), "{body}");
    assert!(body.contains("value=\"09:00\"") && body.contains("value=\"17:45\"") && !body.contains("value=\"18:00\""));
    // 10:00 is row 5; the two bookings make one cluster of six quarters, in two lanes.
    assert!(body.contains("class=\"cal-cluster gr5 gs6\""), "{body}");
    assert!(body.contains("class=\"cal-block state-pending gr1 gs4 gl1\""), "{body}");
    assert!(body.contains("class=\"cal-block state-confirmed gr3 gs4 gl2\""), "{body}");
    assert!(body.contains("10:00–11:00") && body.contains("10:30–11:30") && body.contains("Ana Pérez"));
    // Taken quarters are no buttons; the lunch break is shaded.
    assert!(!body.contains("value=\"10:00\"") && !body.contains("value=\"11:15\""), "busy quarters");
    assert!(body.contains("<button class=\"cal-slot\" name=\"hora\" value=\"12:45\""), "{body}");
    assert!(body.contains("<button class=\"cal-slot off hour\" name=\"hora\" value=\"13:00\""), "{body}");
    assert!(body.contains("<input type=\"hidden\" name=\"fecha\" value=\"2026-03-16\">"));
    // Cancelled: hidden, counted, one click away.
    assert!(!body.contains("state-cancelled") && !body.contains("15:00–16:00"), "{body}");
    assert!(body.contains("Mostrar anuladas (1)"), "{body}");
    assert!(body.contains("2 reservas"), "{body}");
    assert!(!body.contains("class=\"cal-now"), "not today");

    let shown = app.get("/calendario?fecha=16-03-2026&anuladas=1").cookie(&f.owner).send().await;
    let shown = html(&shown);
    assert!(shown.contains("class=\"cal-block state-cancelled") && shown.contains("15:00–16:00"), "{shown}");
    assert!(shown.contains("Ocultar anuladas"));
    assert!(
        shown.contains("<button class=\"cal-slot hour\" name=\"hora\" value=\"15:00\""),
        "a cancelled one frees it"
    );
    assert!(shown.contains("name=\"anuladas\" value=\"1\""), "the filters keep the toggle");
    app.finish().await;
}

#[tokio::test]
async fn today_has_a_now_line_a_day_nobody_works_says_so_and_the_week_is_one_professionals() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    // The test clock: Saturday 14-03-2026 09:00 in Santiago, the grid's first row.
    let today = html(&app.get("/calendario").cookie(&f.owner).send().await).to_owned();
    assert!(today.contains("Sábado 14-03-2026"), "{today}");
    assert!(today.contains("class=\"cal-now gr1 m0\""), "{today}");

    // An agenda with no hours: nobody works, 08:00–20:00 shown.
    let closed = serde_json::json!({});
    let put = app.put(&format!("/api/v1/professionals/{}/agenda", f.pro)).cookie(&f.owner).json(closed).send().await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let empty = html(&app.get("/calendario?fecha=16-03-2026").cookie(&f.owner).send().await).to_owned();
    assert!(empty.contains("Nadie atiende este día."), "{empty}");
    assert!(empty.contains(">08:00</div>") && empty.contains(">19:00</div>") && !empty.contains(">20:00</div>"));
    assert!(empty.contains("value=\"19:45\"") && empty.contains("· no atiende"), "{empty}");

    // The week: the owner has no agenda, so the first professional's.
    let week = html(&app.get("/calendario?fecha=18-03-2026&vista=semana").cookie(&f.owner).send().await).to_owned();
    assert!(week.contains("Semana del 16-03-2026 al 22-03-2026 · Persona de Prueba"), "{week}");
    assert_eq!(week.matches("<section class=\"cal-col").count(), 7);
    assert!(week.contains(">Lun 16-03") && week.contains(">Mié 18-03") && week.contains(">Dom 22-03"), "{week}");
    assert!(!week.contains("<option value=\"\">Todos</option>"), "one professional a week");

    // A date that cannot be read is said by the field; today is shown.
    let bad = html(&app.get("/calendario?fecha=31-02-2026").cookie(&f.owner).send().await).to_owned();
    assert!(bad.contains("Escribe la fecha como dd-mm-aaaa.") && bad.contains("value=\"31-02-2026\""), "{bad}");
    app.finish().await;
}

#[tokio::test]
async fn an_empty_quarter_asks_for_the_client_and_leads_to_agendar_with_the_time() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let chosen = format!("profesional={}&fecha=2026-03-16&hora=10:15", f.pro);
    let asked = app.get(&format!("/agendar?{chosen}")).cookie(&f.owner).send().await;
    assert_eq!(asked.status, StatusCode::OK);
    let body = html(&asked);
    assert!(body.contains("¿Para qué cliente?"), "{body}");
    assert!(body.contains("Agendar con Persona de Prueba el lunes 16-03-2026 a las 10:15."), "{body}");

    let found = app.get(&format!("/agendar?{chosen}&q=perez")).cookie(&f.owner).send().await;
    let body = html(&found);
    let href = format!(
        "/clientes/{}/agendar?profesional={}&#38;fecha=2026-03-16&#38;hora=10%3A15&#38;desde=calendario",
        f.client, f.pro
    );
    assert!(body.contains(&href), "{body}");
    assert!(body.contains("value=\"perez\""), "the search stays in its box");
    let none = app.get(&format!("/agendar?{chosen}&q=zzzz")).cookie(&f.owner).send().await;
    assert!(html(&none).contains("Ningún cliente coincide con «zzzz»"));
    // The link it leads to opens Agendar for that client, the time kept.
    let agendar = app.get(&href.replace("&#38;", "&")).cookie(&f.owner).send().await;
    assert_eq!(agendar.status, StatusCode::OK);
    assert!(html(&agendar).contains("10:15"), "{}", html(&agendar));

    // Nuevo cliente carries the time through its form and comes back to Agendar.
    let new_form = app.get(&format!("/clientes/nuevo?{chosen}")).cookie(&f.owner).send().await;
    let form_html = html(&new_form);
    assert!(form_html.contains("name=\"hora\" value=\"10:15\"") && form_html.contains("id=\"sigue-agendando\""));
    let token = csrf(&new_form);
    let fields = [
        ("nombre", "Bruno Díaz"),
        ("correo", "bruno@correo.cl"),
        ("profesional", f.pro.as_str()),
        ("fecha", "2026-03-16"),
        ("hora", "10:15"),
    ];
    let created = submit(&app, &f.owner, "/clientes", &token, &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", html(&created));
    let location = created.header("location");
    assert!(location.starts_with("/clientes/") && location.contains("/agendar?profesional="), "{location}");
    assert!(location.ends_with("&fecha=2026-03-16&hora=10%3A15&desde=calendario"), "{location}");
    // Without a chosen time, a new client opens their profile as before.
    let plain = submit(&app, &f.owner, "/clientes", &token, &[("nombre", "Rosa Díaz"), ("correo", "rosa@correo.cl")]);
    assert!(plain.await.header("location").ends_with("?guardado=nuevo"));
    app.finish().await;
}

#[tokio::test]
async fn a_broken_slot_link_is_refused_with_what_is_wrong() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let refused = app.get("/agendar?profesional=nadie&fecha=31-02-2026&hora=25:00&q=ana").cookie(&f.owner).send().await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let body = html(&refused);
    assert!(body.contains("El profesional no es de este negocio"), "{body}");
    assert!(body.contains("La fecha no se entiende") && body.contains("La hora no se entiende"), "{body}");
    assert!(!body.contains("/agendar?profesional="), "no client links");
    let other = app.add_business("otra").await;
    let foreign = app.store.list_staff(&other).await.expect("staff");
    let theirs = foreign.first().map(|s| s.id.to_string()).unwrap_or_default();
    let path = format!("/agendar?profesional={theirs}&fecha=2026-03-16&hora=10:00");
    let cross = app.get(&path).cookie(&f.owner).send().await;
    assert_eq!(cross.status, StatusCode::BAD_REQUEST, "another business's professional is not ours");
    app.finish().await;
}
