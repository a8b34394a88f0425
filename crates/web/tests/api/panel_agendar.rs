//! Agendar finding time: the week strip's counts, "Primer horario
//! disponible" over days off and a full day (up to the horizon), the
//! professional preselected, `?hora=` preselected or offered off-hours, the
//! summary, and where the menu and the booking page's breadcrumb lead.
//!
//! Today is Saturday 14-03-2026, 09:00 in Santiago (UTC−3); the fixture's
//! professional works 09:00–13:00 and 14:00–18:00 every day and performs a
//! one-hour "Kinesiología" at $25.000: slots start every 15 minutes, 26 a
//! day (09:00–12:00 and 14:00–17:00).

use axum::http::StatusCode;
use ficha_domain::{Actor, BookingRules};
use serde_json::json;

use crate::bookings::{Fixture, booked, fixture};
use crate::helpers::{TestApp, TestResponse, on_both_backends};
use crate::panel::{csrf, html, submit};

on_both_backends!(the_week_strip_counts_each_days_free_slots, the_first_free_day_is_found_up_to_the_horizon);

fn agendar(f: &Fixture) -> String {
    format!("/clientes/{}/agendar", f.client)
}

async fn page(app: &TestApp, f: &Fixture, query: &str) -> TestResponse {
    let path = format!("{}?{query}", agendar(f));
    let page = app.get(&path).cookie(&f.owner).send().await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", html(&page));
    page
}

/// The `href` of the element with `id`, unescaped.
fn href_of(page: &str, id: &str) -> Option<String> {
    let at = page.find(&format!("id=\"{id}\""))?;
    let start = page[..at].rfind("href=\"")? + 6;
    page[start..].split('"').next().map(unescape)
}

/// Every `href` of `page` that contains `part`, unescaped.
fn links_with(page: &str, part: &str) -> Vec<String> {
    page.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(unescape)
        .filter(|href| href.contains(part))
        .collect()
}

fn unescape(href: &str) -> String {
    href.replace("&#38;", "&").replace("&amp;", "&")
}

async fn set_agenda(app: &TestApp, f: &Fixture, staff: &str, days_off: &[String]) {
    let hours = json!([["09:00", "13:00"], ["14:00", "18:00"]]);
    let week = json!({
        "monday": hours, "tuesday": hours, "wednesday": hours, "thursday": hours,
        "friday": hours, "saturday": hours, "sunday": hours, "days_off": days_off,
    });
    let agenda = app.put(&format!("/api/v1/professionals/{staff}/agenda")).cookie(&f.owner).json(week).send().await;
    assert_eq!(agenda.status, StatusCode::OK, "{}", agenda.body);
}

pub async fn the_week_strip_counts_each_days_free_slots(app: &TestApp) {
    let f = fixture(app).await;
    booked(app, &f, "2026-03-18T10:00").await;
    booked(app, &f, "2026-03-18T15:00").await;
    let chosen = format!("servicio={}&profesional={}", f.service, f.pro);

    // Wednesday 18 in the week of Monday 16: 10:00 and 15:00 taken, so the
    // seven starts overlapping each (09:15–10:45, 14:15–15:45) are gone.
    let shown = page(app, &f, &format!("{chosen}&fecha=2026-03-18")).await;
    let body = html(&shown);
    assert!(body.contains("aria-label=\"Miércoles 18-03-2026: 12 horarios libres\" aria-current=\"date\""), "{body}");
    for day in ["Lunes 16-03-2026", "Martes 17-03-2026", "Domingo 22-03-2026"] {
        assert!(body.contains(&format!("aria-label=\"{day}: 26 horarios libres\"")), "{day}: {body}");
    }
    assert_eq!(body.matches("class=\"week-day").count(), 7, "seven days");
    assert_eq!(body.matches("name=\"inicio\"").count(), 12, "the list agrees with the strip");
    assert!(!body.contains("value=\"2026-03-18T13:00:00Z\""), "10:00 is taken");
    // Each day links to itself, with the choices kept.
    let monday = links_with(body, "fecha=2026-03-16");
    assert!(monday.iter().any(|l| l.contains(&f.service) && l.contains(&f.pro)), "{monday:?}");
    // A week back stops at today; a week on keeps the weekday.
    assert!(href_of(body, "semana-anterior").is_some_and(|l| l.contains("fecha=2026-03-14")), "{body}");
    assert!(href_of(body, "semana-siguiente").is_some_and(|l| l.contains("fecha=2026-03-25")), "{body}");

    // This week: Monday to Friday are past (no link, no count), no week back.
    let today = page(app, &f, &format!("{chosen}&fecha=14-03-2026")).await;
    let body = html(&today);
    assert_eq!(body.matches("class=\"week-day past\"").count(), 5, "{body}");
    assert!(body.contains("aria-label=\"Domingo 15-03-2026: 26 horarios libres\""), "{body}");
    assert!(!body.contains("id=\"semana-anterior\""), "nothing to book before today");
}

pub async fn the_first_free_day_is_found_up_to_the_horizon(app: &TestApp) {
    let f = fixture(app).await;
    // Days off from today to Thursday 19; Friday 20 fully booked: the first
    // free day is Saturday 21, the week after the one shown.
    let days_off: Vec<String> = (14..=19).map(|day| format!("2026-03-{day}")).collect();
    set_agenda(app, &f, &f.pro, &days_off).await;
    for hour in ["09:00", "10:00", "11:00", "12:00", "14:00", "15:00", "16:00", "17:00"] {
        booked(app, &f, &format!("2026-03-20T{hour}")).await;
    }
    let chosen = format!("servicio={}&profesional={}", f.service, f.pro);
    let full = page(app, &f, &format!("{chosen}&fecha=2026-03-20")).await;
    assert!(html(&full).contains("aria-label=\"Viernes 20-03-2026: 0 horarios libres\""), "{}", html(&full));
    let shown = page(app, &f, &chosen).await;
    let body = html(&shown);
    assert!(body.contains("aria-label=\"Sábado 14-03-2026: 0 horarios libres\""), "{body}");
    assert!(body.contains("id=\"sin-horarios\""), "nothing today");
    let jump = href_of(body, "primer-horario").expect("Primer horario disponible");
    assert!(jump.contains("primero=1") && !jump.contains("fecha="), "{jump}");
    let jump = jump.trim_end_matches("#horarios").to_owned();

    // The site is closed: the search goes 90 days ahead.
    assert!(body.contains("Busca desde hoy, hasta 90 días."), "{body}");
    let found = app.get(&jump).cookie(&f.owner).send().await;
    assert_eq!(found.status, StatusCode::SEE_OTHER, "{}", html(&found));
    let location = found.header("location").to_owned();
    assert!(location.contains("fecha=2026-03-21") && !location.contains("primero"), "{location}");
    let (path, at) = location.split_once('#').expect("a fragment");
    assert_eq!(at, "horarios", "it opens at the free slots");
    let landed = app.get(path).cookie(&f.owner).send().await;
    let body = html(&landed);
    assert!(body.contains("Horarios libres del 21-03-2026"), "{body}");
    assert!(body.contains("aria-label=\"Sábado 21-03-2026: 26 horarios libres\" aria-current=\"date\""), "{body}");

    // With the site open, its horizon (5 days: to the 19th) bounds the search.
    let business = app.store.business_by_slug("clinica").await.expect("read").expect("business");
    let actor = Actor::System { business: business.id };
    let rules = BookingRules { online: true, horizon_days: 5, ..BookingRules::default() };
    app.store.set_booking_rules(&actor, rules).await.expect("rules");
    let none = app.get(&jump).cookie(&f.owner).send().await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(
        html(&none).contains("id=\"sin-primer-horario\">No hay horarios libres en los próximos 5 días.</p>"),
        "{}",
        html(&none)
    );
}

#[tokio::test]
async fn the_professional_is_preselected_when_only_one_performs_it_or_by_the_packs_last_session() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let only = page(&app, &f, &format!("servicio={}", f.service)).await;
    let body = html(&only);
    assert!(body.contains(&format!("<option value=\"{}\" selected>", f.pro)), "{body}");
    assert!(body.contains("id=\"profesional-preelegido\">Es quien realiza este servicio.</p>"), "{body}");
    assert!(body.contains("id=\"horarios-libres\""), "its slots shown at once");

    // A pack two people perform: its first session was with the owner.
    let staff = app.get("/api/v1/professionals").cookie(&f.owner).send().await;
    let owner = staff.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["role"] == "owner"))
        .and_then(|s| s["id"].as_str())
        .expect("the owner")
        .to_owned();
    set_agenda(&app, &f, &owner, &[]).await;
    let body = json!({
        "name": "Pack kine", "duration_minutes": 60, "price_clp": 90000, "sessions": 3,
        "professional_ids": [f.pro, owner],
    });
    let pack = app.post("/api/v1/services").cookie(&f.owner).json(body).send().await;
    assert_eq!(pack.status, StatusCode::CREATED, "{}", pack.body);
    let pack = pack.body["id"].as_str().expect("id").to_owned();
    let nobody = page(&app, &f, &format!("servicio={pack}")).await;
    assert!(!html(&nobody).contains("id=\"horarios\""), "two perform it: nobody chosen");

    let buy =
        json!({ "client_id": f.client, "service_id": pack, "professional_id": owner, "start": "2026-03-16T10:00" });
    let bought = app.post("/api/v1/bookings").cookie(&f.owner).json(buy).send().await;
    assert_eq!(bought.status, StatusCode::CREATED, "{}", bought.body);
    let second = bought.body["items"][1]["id"].as_str().expect("id").to_owned();
    let next = page(&app, &f, &format!("reserva={second}&fecha=2026-03-23")).await;
    let body = html(&next);
    assert!(body.contains(&format!("<option value=\"{owner}\" selected>")), "{body}");
    assert!(body.contains("Atendió la sesión anterior de este pack."), "{body}");
    assert!(body.contains("id=\"resumen-sesion\">Sesión 2 de 3</dd>"), "{body}");
    assert!(body.contains("<dt>Precio del pack</dt><dd id=\"resumen-precio\">$90.000</dd>"), "{body}");
    app.finish().await;
}

#[tokio::test]
async fn an_hour_asked_for_is_kept_then_preselected_or_offered_off_hours() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    // The calendar's empty slot: professional, date and hour, no service.
    let asked = page(&app, &f, &format!("profesional={}&fecha=2026-03-16&hora=10:00", f.pro)).await;
    let body = html(&asked);
    assert!(body.contains("<input type=\"hidden\" name=\"hora\" value=\"10:00\">"), "{body}");
    assert!(body.contains(&format!("<input type=\"hidden\" name=\"profesional\" value=\"{}\">", f.pro)), "{body}");
    assert!(body.contains("<input type=\"hidden\" name=\"fecha\" value=\"2026-03-16\">"), "{body}");
    assert!(body.contains("id=\"hora-pedida\">Hora pedida: 10:00."), "{body}");

    // The service chosen (the GET form sends all of it): 10:00 is free.
    let chosen = format!("servicio={}&profesional={}&fecha=2026-03-16", f.service, f.pro);
    let free = page(&app, &f, &format!("{chosen}&hora=10:00")).await;
    let body = html(&free);
    assert!(body.contains("value=\"2026-03-16T13:00:00Z\" checked> 10:00</label>"), "{body}");
    assert!(body.contains("id=\"fuera_de_horario\"> Fuera de horario"), "not ticked: {body}");
    assert!(body.contains("id=\"resumen-hora\">10:00</dd>"), "{body}");
    assert!(body.contains("<input type=\"hidden\" name=\"hora\" value=\"10:00\">"), "kept for the next reload");

    // 13:30 is the break: "Fuera de horario" ticked with it, and why.
    let taken = page(&app, &f, &format!("{chosen}&hora=13:30")).await;
    let body = html(&taken);
    assert!(!body.contains("Z\" checked>"), "no slot checked: {body}");
    assert!(body.contains("id=\"fuera_de_horario\" checked>"), "{body}");
    assert!(body.contains("id=\"hora\" name=\"hora\" value=\"13:30\""), "{body}");
    assert!(
        body.contains("Las 13:30 no es un horario libre de Persona de Prueba; puedes agendar fuera de horario."),
        "{body}"
    );
    assert!(body.contains("id=\"resumen-hora\">13:30 (fuera de horario)</dd>"), "{body}");
    // Booked as offered.
    let form = [
        ("servicio", f.service.as_str()),
        ("profesional", &f.pro),
        ("fecha", "2026-03-16"),
        ("fuera_de_horario", "on"),
        ("hora", "13:30"),
    ];
    let done = submit(&app, &f.owner, &agendar(&f), &csrf(&taken), &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    let booking = app.get(done.header("location")).cookie(&f.owner).send().await;
    assert!(html(&booking).contains("16-03-2026 13:30–14:30"), "{}", html(&booking));
    app.finish().await;
}

#[tokio::test]
async fn the_summary_reads_back_what_will_be_booked_and_the_date_field_shows_the_day() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let chosen = format!("servicio={}&profesional={}&fecha=16-03-2026", f.service, f.pro);
    let shown = page(&app, &f, &chosen).await;
    let body = html(&shown);
    // Typed dd-mm-aaaa as everywhere in the panel; a native picker beside it.
    assert!(body.contains("id=\"fecha\" name=\"fecha\" value=\"16-03-2026\""), "{body}");
    assert!(body.contains("type=\"date\" id=\"fecha-calendario\" value=\"2026-03-16\""), "{body}");
    assert!(body.contains("id=\"fecha-elegida\">Lunes 16-03-2026</p>"), "{body}");
    for (id, value) in [
        ("resumen-servicio", "Kinesiología"),
        ("resumen-profesional", "Persona de Prueba"),
        ("resumen-fecha", "Lunes 16-03-2026"),
        ("resumen-hora", "Elige un horario"),
        ("resumen-precio", "$25.000"),
    ] {
        assert!(body.contains(&format!("id=\"{id}\">{value}</dd>")), "{id}: {body}");
    }
    assert!(!body.contains("id=\"resumen-sesion\""), "not a pack");
    // A date that cannot be read is said by the field; today is shown.
    let typo = page(&app, &f, &format!("servicio={}&profesional={}&fecha=31-02-2026", f.service, f.pro)).await;
    let body = html(&typo);
    assert!(body.contains("id=\"fecha\" name=\"fecha\" value=\"31-02-2026\""), "kept as typed: {body}");
    assert!(body.contains("id=\"fecha-error\">Escribe una fecha dd-mm-aaaa entre 1900 y 2100"), "{body}");
    assert!(body.contains("Horarios libres del 14-03-2026"), "{body}");

    // 11:00 is taken meanwhile: refused, and the summary does not claim it.
    let form = [
        ("servicio", f.service.as_str()),
        ("profesional", &f.pro),
        ("fecha", "16-03-2026"),
        ("inicio", "2026-03-16T14:00:00Z"),
    ];
    booked(&app, &f, "2026-03-16T11:00").await;
    let refused = submit(&app, &f.owner, &agendar(&f), &csrf(&shown), &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", html(&refused));
    assert!(html(&refused).contains("id=\"rechazo\""), "{}", html(&refused));
    assert!(html(&refused).contains("id=\"resumen-hora\">Elige un horario</dd>"), "{}", html(&refused));
    // A slot picked on a page refused for another reason stays in the summary.
    let no_hour = [
        ("servicio", f.service.as_str()),
        ("profesional", &f.pro),
        ("fecha", "16-03-2026"),
        ("inicio", "2026-03-16T15:00:00Z"),
        ("fuera_de_horario", "on"),
        ("hora", "a las doce"),
    ];
    let wrong = submit(&app, &f.owner, &agendar(&f), &csrf(&shown), &no_hour).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", html(&wrong));
    assert!(html(&wrong).contains("Escribe la hora como HH:MM"), "{}", html(&wrong));
    assert!(html(&wrong).contains("value=\"2026-03-16T15:00:00Z\" checked> 12:00</label>"), "{}", html(&wrong));
    app.finish().await;
}

#[tokio::test]
async fn agendar_is_under_clientes_and_the_booking_page_leads_back_where_it_was_opened_from() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let clientes = "<a href=\"/clientes\" aria-current=\"page\">Clientes</a>";
    let calendario = "<a href=\"/calendario\" aria-current=\"page\">Calendario</a>";
    let from_profile = page(&app, &f, "").await;
    assert!(html(&from_profile).contains(clientes) && !html(&from_profile).contains(calendario));
    let from_calendar = page(&app, &f, "desde=calendario").await;
    assert!(html(&from_calendar).contains(calendario) && !html(&from_calendar).contains(clientes));

    let booking = booked(&app, &f, "2026-03-16T10:00").await;
    let id = booking["id"].as_str().expect("id");
    let path = format!("/reservas/{id}");
    // The profile's list says where it leads from.
    let profile = app.get(&format!("/clientes/{}", f.client)).cookie(&f.owner).send().await;
    assert!(html(&profile).contains(&format!("href=\"{path}?desde=perfil\"")), "{}", html(&profile));

    let to_profile = format!(
        "id=\"migas\"><a href=\"/clientes\">Clientes</a> / <a href=\"/clientes/{}\">Ana Pérez</a> / Reserva</p>",
        f.client
    );
    let to_day = "id=\"migas\"><a href=\"/calendario\">Calendario</a> / \
                  <a href=\"/calendario?fecha=2026-03-16\">Lunes 16-03-2026</a> / Reserva</p>";
    for (query, referer, crumbs, menu) in [
        ("", None, to_profile.as_str(), clientes),
        ("?desde=perfil", Some("http://ficha.test/calendario"), to_profile.as_str(), clientes),
        ("?desde=calendario", None, to_day, calendario),
        // After one of its own actions, the page keeps where it came from.
        ("?aviso=confirmada", Some(&*format!("http://ficha.test{path}?desde=calendario")), to_day, calendario),
    ] {
        let mut request = app.get(&format!("{path}{query}")).cookie(&f.owner);
        if let Some(referer) = referer {
            request = request.header("referer", referer);
        }
        let shown = request.send().await;
        assert!(html(&shown).contains(crumbs), "{query} {referer:?}: {}", html(&shown));
        assert!(html(&shown).contains(menu), "{query}");
    }
    // Opened from a calendar view, it goes back to that very view.
    let week = app
        .get(&path)
        .cookie(&f.owner)
        .header("referer", "http://ficha.test/calendario?fecha=2026-03-16&vista=semana")
        .send()
        .await;
    assert!(html(&week).contains("vista=semana\">Lunes 16-03-2026</a> / Reserva</p>"), "{}", html(&week));
    assert_eq!(links_with(html(&week), "vista=semana"), vec!["/calendario?fecha=2026-03-16&vista=semana".to_owned()]);

    // Booked from Agendar opened on the calendar: the booking page says so.
    let shown =
        page(&app, &f, &format!("servicio={}&profesional={}&fecha=2026-03-17&desde=calendario", f.service, f.pro))
            .await;
    let form = [
        ("servicio", f.service.as_str()),
        ("profesional", &f.pro),
        ("fecha", "2026-03-17"),
        ("desde", "calendario"),
        ("inicio", "2026-03-17T12:00:00Z"),
    ];
    let done = submit(&app, &f.owner, &agendar(&f), &csrf(&shown), &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    assert!(done.header("location").ends_with("?aviso=agendada&desde=calendario"), "{}", done.header("location"));
    app.finish().await;
}

#[tokio::test]
async fn reagendar_offers_the_bookings_own_time_and_the_hours_overlapping_it() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let booking = booked(&app, &f, "2026-03-16T10:00").await;
    let id = booking["id"].as_str().expect("id");
    let moving = page(&app, &f, &format!("reserva={id}&fecha=2026-03-16")).await;
    let body = html(&moving);
    // Half an hour later overlaps only the booking being moved: offered.
    assert!(body.contains("value=\"2026-03-16T13:30:00Z\""), "{body}");
    assert!(body.contains("aria-label=\"Lunes 16-03-2026: 26 horarios libres\""), "{body}");
    let form = [("reserva", id), ("profesional", &f.pro), ("fecha", "2026-03-16"), ("inicio", "2026-03-16T13:30:00Z")];
    let done = submit(&app, &f.owner, &agendar(&f), &csrf(&moving), &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    let shown = app.get(done.header("location")).cookie(&f.owner).send().await;
    assert!(html(&shown).contains("16-03-2026 10:30–11:30"), "{}", html(&shown));
    // For anyone else that time is taken.
    let other = page(&app, &f, &format!("servicio={}&profesional={}&fecha=2026-03-16", f.service, f.pro)).await;
    assert!(!html(&other).contains("value=\"2026-03-16T13:30:00Z\""), "{}", html(&other));
    app.finish().await;
}
