//! The booking site in-process: its pages and forms, per-field errors in
//! Spanish, the anonymous-booking rule seen from the pages, the manage link
//! and its deadlines, and the 404s that reveal nothing.

use axum::http::StatusCode;
use ficha_domain::{Actor, BookingRules, ChoiceOptions, FieldKey, FieldKind, FieldLabel, NewCustomField};
use jiff::{SignedDuration, Timestamp};

use crate::bookings::{Fixture, fixture};
use crate::helpers::{TestApp, TestResponse, on_both_backends, start_time};
use crate::panel::{FORM, encode, html};

on_both_backends!(
    the_site_is_a_404_until_the_business_opens_it,
    a_client_books_step_by_step_and_manages_the_booking,
    form_errors_are_shown_by_field_and_nothing_is_booked,
    an_existing_email_books_without_overwriting_or_revealing_the_profile,
    a_taken_slot_is_refused_in_spanish,
    fields_asked_in_the_booking_form_are_checked_and_stored,
    the_deadlines_refuse_a_late_cancel_and_change_nothing,
    the_client_confirms_attendance_from_the_link_until_its_deadline,
    the_birth_date_is_asked_only_when_the_business_wants_it,
    bookings_are_limited_per_email_and_per_address,
    the_privacy_notice_must_be_ticked_and_its_version_is_recorded,
    a_notice_changed_while_booking_is_refused_and_asked_again,
    whatsapp_is_asked_only_while_the_business_sends_it,
);

async fn actor(app: &TestApp) -> Actor {
    let business = app.store.business_by_slug("clinica").await.expect("read").expect("business");
    Actor::System { business: business.id }
}

/// Opens the site: notice 2 h, 60 days, cancel and reschedule until 24 h.
async fn open(app: &TestApp) -> Fixture {
    let f = fixture(app).await;
    let rules = BookingRules { online: true, ..BookingRules::default() };
    app.store.set_booking_rules(&actor(app).await, rules).await.expect("rules");
    f
}

/// The `href`s of a page that start with `prefix`, unescaped.
fn links(page: &TestResponse, prefix: &str) -> Vec<String> {
    html(page)
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with(prefix))
        .map(|href| href.replace("&#38;", "&").replace("&amp;", "&"))
        .collect()
}

async fn get_ok(app: &TestApp, path: &str) -> TestResponse {
    let page = app.get(path).send().await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", html(&page));
    page
}

/// The query value of `name` in `href`, decoded.
fn param(href: &str, name: &str) -> String {
    let query = href.split_once('?').map_or("", |(_, q)| q).split('#').next().unwrap_or("");
    let raw = query.split('&').find_map(|pair| pair.strip_prefix(&format!("{name}="))).unwrap_or("");
    raw.replace("%3A", ":").replace("%2D", "-")
}

/// The form as the page sends it: the notice (version 1, the default)
/// ticked unless `fields` holds `aviso_version` (then nothing is added:
/// the test says what is ticked).
fn datos_form(href: &str, fields: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("servicio", param(href, "servicio")),
        ("profesional", param(href, "profesional")),
        ("inicio", param(href, "inicio")),
    ];
    if !fields.iter().any(|(k, _)| *k == "aviso_version") {
        pairs.extend([("aviso_version", "1".to_owned()), ("acepta_aviso", "1".to_owned())]);
    }
    pairs.extend(fields.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    encode(&borrowed)
}

async fn post_form(app: &TestApp, path: &str, body: String) -> TestResponse {
    app.post(path).raw(FORM, body).send().await
}

/// The datos link of the first free slot with `profesional` ("cualquiera" or an id).
async fn first_slot(app: &TestApp, f: &Fixture, profesional: &str) -> String {
    let page = get_ok(app, &format!("/reservar/clinica?servicio={}&profesional={profesional}", f.service)).await;
    links(&page, "/reservar/clinica/datos").into_iter().next().expect("a free slot")
}

const CLIENT: &[(&str, &str)] =
    &[("nombre", "Marta Soto"), ("correo", "marta@mail.cl"), ("telefono", "9 6123 4567"), ("rut", "")];

async fn book(app: &TestApp, href: &str, fields: &[(&str, &str)]) -> TestResponse {
    post_form(app, "/reservar/clinica/datos", datos_form(href, fields)).await
}

pub async fn the_site_is_a_404_until_the_business_opens_it(app: &TestApp) {
    let f = fixture(app).await;
    let closed = app.get("/reservar/clinica").send().await;
    let unknown = app.get("/reservar/no-existe").send().await;
    assert_eq!(closed.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(html(&closed), html(&unknown), "a closed site and no site read the same");
    assert!(html(&closed).contains("Página no encontrada"));
    assert!(!html(&closed).contains("Clínica"), "nothing about the business");
    let rules = BookingRules { online: true, ..BookingRules::default() };
    app.store.set_booking_rules(&actor(app).await, rules).await.expect("rules");
    let page = get_ok(app, "/reservar/clinica").await;
    assert!(html(&page).contains("Kinesiología") && html(&page).contains("$25.000") && html(&page).contains("60 min"));
    assert!(page.header("content-security-policy").contains("default-src 'none'"));
    // A service taken offline is not offered, nor bookable by its link.
    let id = f.service.parse().expect("id");
    app.store.set_service_online(&actor(app).await, id, false).await.expect("offline");
    let page = get_ok(app, "/reservar/clinica").await;
    assert!(!html(&page).contains("Kinesiología"));
    let link =
        format!("/reservar/clinica/datos?servicio={}&profesional=cualquiera&inicio=2026-03-15T14:00:00Z", f.service);
    assert_eq!(app.get(&link).send().await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/reservar/clinica/reserva/abc").send().await.status, StatusCode::NOT_FOUND);
}

pub async fn a_client_books_step_by_step_and_manages_the_booking(app: &TestApp) {
    let f = open(app).await;
    // Deadlines of one hour: today's 11:00 may still be moved at 09:00.
    let rules =
        BookingRules { online: true, cancel_until_hours: 1, reschedule_until_hours: 1, ..BookingRules::default() };
    app.store.set_booking_rules(&actor(app).await, rules).await.expect("rules");
    // Step 1 → 2: the service's professionals, "Cualquiera" first.
    let page = get_ok(app, &format!("/reservar/clinica?servicio={}", f.service)).await;
    assert!(html(&page).contains("Cualquiera") && html(&page).contains("Persona de Prueba"));
    // Step 3: today (Saturday 14-03-2026, 09:00) from 11:00 on: 2 h notice.
    let page = get_ok(app, &format!("/reservar/clinica?servicio={}&profesional={}", f.service, f.pro)).await;
    assert!(html(&page).contains("Sábado 14-03-2026"), "{}", html(&page));
    assert!(html(&page).contains("Siguiente semana"));
    let slots = links(&page, "/reservar/clinica/datos");
    assert_eq!(param(&slots[0], "inicio"), "2026-03-14T14:00:00Z", "11:00 in Santiago");
    let form = get_ok(app, &slots[0]).await;
    assert!(html(&form).contains("Sábado 14-03-2026 a las 11:00"));
    assert!(html(&form).contains("name=\"sitio_web\""), "the honeypot is there");
    // Book.
    let done = book(app, &slots[0], CLIENT).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    let manage = done.header("location").to_owned();
    assert!(manage.starts_with("/reservar/clinica/reserva/") && manage.ends_with("?nueva=1"));
    let page = get_ok(app, &manage).await;
    assert!(html(&page).contains("¡Reserva lista!") && html(&page).contains("Kinesiología"));
    // The confirmation email carries the same manage link.
    let query = ficha_store::MessageQuery { limit: 10, ..Default::default() };
    let messages = app.store.messages(&actor(app).await, &query).await.expect("messages");
    let link = messages.messages.iter().find_map(|m| m.facts.link.clone()).expect("a message with the link");
    assert_eq!(format!("{link}?nueva=1"), manage);
    assert!(html(&page).contains("Pendiente de confirmación"));
    // The slot is no longer offered.
    let again = get_ok(app, &format!("/reservar/clinica?servicio={}&profesional={}", f.service, f.pro)).await;
    assert_ne!(param(&links(&again, "/reservar/clinica/datos")[0], "inicio"), "2026-03-14T14:00:00Z");
    // The client exists, with origin booking_site on the booking.
    let clients = app.get("/api/v1/clients?q=marta").cookie(&f.owner).send().await;
    assert_eq!(clients.body["items"].as_array().map_or(0, Vec::len), 1, "{}", clients.body);
    // Reschedule: the slot buttons of the manage link, then the old link shows the new time.
    let base = manage.trim_end_matches("?nueva=1").to_owned();
    let slots_page = get_ok(app, &format!("{base}/reagendar")).await;
    assert!(html(&slots_page).contains("name=\"inicio\""));
    let to = "2026-03-16T13:00:00Z"; // Monday 10:00 in Santiago
    let moved = post_form(app, &format!("{base}/reagendar"), encode(&[("profesional", &f.pro), ("inicio", to)])).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", html(&moved));
    let page = get_ok(app, &base).await;
    assert!(html(&page).contains("Lunes 16-03-2026 a las 10:00"), "{}", html(&page));
    // Cancel.
    let cancelled = post_form(app, &format!("{base}/anular"), String::new()).await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    let page = get_ok(app, cancelled.header("location")).await;
    assert!(html(&page).contains("Anulada") && html(&page).contains("quedó anulada"));
}

pub async fn form_errors_are_shown_by_field_and_nothing_is_booked(app: &TestApp) {
    let f = open(app).await;
    let slot = first_slot(app, &f, "cualquiera").await;
    let before = app.client_count(&f.owner).await;
    let wrong = [("nombre", " "), ("correo", "marta@"), ("telefono", ""), ("rut", "12.345.678-9")];
    let page = book(app, &slot, &wrong).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for id in ["nombre-error", "correo-error", "telefono-error", "rut-error"] {
        assert!(html(&page).contains(&format!("id=\"{id}\"")), "{id} shown: {}", html(&page));
    }
    assert!(html(&page).contains("Revisa los datos marcados"));
    assert!(html(&page).contains("value=\"12.345.678-9\""), "typed values kept");
    // The honeypot books nothing either.
    let mut trapped = CLIENT.to_vec();
    trapped.push(("sitio_web", "http://spam.example"));
    assert_eq!(book(app, &slot, &trapped).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.client_count(&f.owner).await, before, "nothing booked, nobody created");
}

pub async fn an_existing_email_books_without_overwriting_or_revealing_the_profile(app: &TestApp) {
    let f = open(app).await;
    let slot = first_slot(app, &f, "cualquiera").await;
    // Ana Pérez (ana@mail.cl) exists; someone types her email with another name.
    let typed = [("nombre", "Anita Intrusa"), ("correo", "ANA@mail.cl"), ("telefono", "9 6222 2222"), ("rut", "")];
    let done = book(app, &slot, &typed).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    let page = get_ok(app, done.header("location")).await;
    assert!(!html(&page).contains("Ana Pérez"), "the stored name is never shown");
    let client = app.get(&format!("/api/v1/clients/{}", f.client)).cookie(&f.owner).send().await;
    assert_eq!(client.body["name"], "Ana Pérez", "not overwritten");
    assert_eq!(client.body["phone"], "+56962222222", "an empty phone is filled");
    // Staff see what was typed on the booking's page.
    let bookings = app.get(&format!("/api/v1/clients/{}/bookings", f.client)).cookie(&f.owner).send().await;
    let booking = bookings.body["items"][0]["id"].as_str().expect("booked for Ana").to_owned();
    assert_eq!(bookings.body["items"][0]["origin"], "booking_site");
    let panel = app.get(&format!("/reservas/{booking}")).cookie(&f.owner).send().await;
    assert!(html(&panel).contains("Datos ingresados al reservar") && html(&panel).contains("Anita Intrusa"));
    assert!(html(&panel).contains("Sitio de reservas"));
    // And on the profile, by the booking.
    let profile = app.get(&format!("/clientes/{}", f.client)).cookie(&f.owner).send().await;
    assert!(html(&profile).contains("Datos ingresados al reservar: Nombre: Anita Intrusa"), "{}", html(&profile));
}

pub async fn a_taken_slot_is_refused_in_spanish(app: &TestApp) {
    let f = open(app).await;
    let slot = first_slot(app, &f, &f.pro).await;
    assert_eq!(book(app, &slot, CLIENT).await.status, StatusCode::SEE_OTHER);
    let other = [("nombre", "Otra Persona"), ("correo", "otra@mail.cl"), ("telefono", "9 6333 3333"), ("rut", "")];
    let refused = book(app, &slot, &other).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(html(&refused).contains("Alguien acaba de tomar ese horario. Elige otro horario."));
    assert!(html(&refused).contains("Ver horarios"));
}

pub async fn the_deadlines_refuse_a_late_cancel_and_change_nothing(app: &TestApp) {
    let f = open(app).await;
    // Tomorrow 11:00 in Santiago.
    let start = "2026-03-15T14:00:00Z";
    let href = format!("/reservar/clinica/datos?servicio={}&profesional={}&inicio={start}", f.service, f.pro);
    let done = book(app, &href, CLIENT).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    let base = done.header("location").trim_end_matches("?nueva=1").to_owned();
    // 23 hours before: past the 24-hour deadline.
    let late = start.parse::<Timestamp>().expect("time").checked_sub(SignedDuration::from_hours(23)).expect("time");
    app.clock.set(late);
    let page = get_ok(app, &base).await;
    assert!(!html(&page).contains("Anular reserva"), "not offered");
    let refused = post_form(app, &format!("{base}/anular"), String::new()).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(html(&refused).contains("Ya pasó el plazo para anular"));
    let page = get_ok(app, &base).await;
    assert!(html(&page).contains("Pendiente de confirmación"), "still booked");
    app.clock.set(start_time());
}

pub async fn fields_asked_in_the_booking_form_are_checked_and_stored(app: &TestApp) {
    let f = open(app).await;
    let actor = actor(app).await;
    for (key, label, kind, asked) in
        [("edad", "Edad", FieldKind::Number, true), ("interna", "Nota interna", FieldKind::Text, false)]
    {
        let new = NewCustomField {
            key: FieldKey::parse(key).expect("key"),
            label: FieldLabel::parse(label).expect("label"),
            kind,
            options: ChoiceOptions::parse(kind, &[]).expect("options"),
            required: true,
            in_booking_form: asked,
            visible_to_client: false,
            sensitive: false,
            identifying: false,
            position: None,
        };
        app.store.create_field(&actor, new).await.expect("field");
    }
    let slot = first_slot(app, &f, "cualquiera").await;
    let form = get_ok(app, &slot).await;
    assert!(html(&form).contains("Edad") && !html(&form).contains("Nota interna"), "only the fields asked");
    // Required and a number: both problems shown by the field, with the others'.
    let mut fields = vec![("nombre", ""), ("correo", "marta@mail.cl"), ("telefono", "9 6123 4567"), ("rut", "")];
    fields.push(("campo.edad", "treinta"));
    let refused = book(app, &slot, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&refused).contains("id=\"nombre-error\""));
    assert!(html(&refused).contains("value=\"treinta\""), "typed value kept");
    assert!(html(&refused).contains("class=\"field-error\">El campo «Edad»"), "{}", html(&refused));
    fields[0] = ("nombre", "Marta Soto");
    fields[4] = ("campo.edad", "34");
    let done = book(app, &slot, &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    let clients = app.get("/api/v1/clients?q=marta").cookie(&f.owner).send().await;
    let id = clients.body["items"][0]["id"].as_str().expect("client").to_owned();
    let values = app.get(&format!("/api/v1/clients/{id}/custom-values")).cookie(&f.owner).send().await;
    assert!(values.body.to_string().contains("34"), "{}", values.body);
}

/// Configuración → Reservas online: owners only; a wrong number is shown by
/// its field and nothing is saved; a right form opens the site with the
/// services ticked.
#[tokio::test]
async fn owners_set_the_booking_rules_from_configuracion() {
    use crate::panel::{csrf, submit};
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let path = "/configuracion/reservas";
    let page = app.get(path).cookie(&f.owner).send().await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(html(&page).contains("/reservar/clinica") && html(&page).contains("Kinesiología"));
    let token = csrf(&page);
    // A professional reads the rules (Configuración is read-only for them)
    // but cannot change them.
    let read = app.get(path).cookie(&f.pro_cookie).send().await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(html(&read).contains(r#"<fieldset disabled class="read-only-view">"#));
    let pro_token = csrf(&app.get("/clientes").cookie(&f.pro_cookie).send().await);
    let forged = submit(&app, &f.pro_cookie, path, &pro_token, &[("en_linea", "1")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let mut form = vec![
        ("en_linea", "1"),
        ("anticipacion", "-3"),
        ("horizonte", "30"),
        ("estado_inicial", "confirmed"),
        ("plazo_anular", "12"),
        ("plazo_reagendar", "mucho"),
        ("plazo_confirmar", "4"),
        ("exige_telefono", "1"),
        ("pide_nacimiento", "1"),
    ];
    let refused = submit(&app, &f.owner, path, &token, &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html(&refused).contains("id=\"anticipacion-error\"") && html(&refused).contains("id=\"plazo_reagendar-error\"")
    );
    assert_eq!(app.get("/reservar/clinica").send().await.status, StatusCode::NOT_FOUND, "nothing saved");

    form[1] = ("anticipacion", "3");
    form[5] = ("plazo_reagendar", "6");
    form.push(("servicios", &f.service));
    let saved = submit(&app, &f.owner, path, &token, &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", html(&saved));
    let rules = app.store.booking_rules(&actor(&app).await).await.expect("rules");
    assert!(rules.online && rules.require_phone && !rules.require_rut && rules.ask_birth_date);
    assert_eq!((rules.min_notice_hours, rules.horizon_days, rules.reschedule_until_hours), (3, 30, 6));
    assert_eq!(rules.confirm_until_hours, 4);
    assert_eq!(rules.start_state, ficha_domain::BookingState::Confirmed);
    let site = app.get("/reservar/clinica").send().await;
    assert!(html(&site).contains("Kinesiología"));
    // Unticked: the service leaves the site.
    form.pop();
    submit(&app, &f.owner, path, &token, &form).await;
    assert!(!html(&app.get("/reservar/clinica").send().await).contains("Kinesiología"));
    app.finish().await;
}

pub async fn the_client_confirms_attendance_from_the_link_until_its_deadline(app: &TestApp) {
    let f = open(app).await;
    let rules = BookingRules { online: true, confirm_until_hours: 3, ..BookingRules::default() };
    app.store.set_booking_rules(&actor(app).await, rules).await.expect("rules");
    let start = "2026-03-15T14:00:00Z";
    let href = format!("/reservar/clinica/datos?servicio={}&profesional={}&inicio={start}", f.service, f.pro);
    let done = book(app, &href, CLIENT).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    let base = done.header("location").trim_end_matches("?nueva=1").to_owned();
    // 2 hours before: past the 3-hour deadline — not offered, and refused.
    let at = |hours: i64| start.parse::<Timestamp>().expect("time").checked_sub(SignedDuration::from_hours(hours));
    app.clock.set(at(2).expect("time"));
    let page = get_ok(app, &base).await;
    assert!(!html(&page).contains("Confirmar asistencia</button>"), "not offered");
    assert!(html(&page).contains("Ya no se puede confirmar en línea"));
    let refused = post_form(app, &format!("{base}/confirmar"), String::new()).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(html(&refused).contains("Ya pasó el plazo para confirmar tu asistencia"));
    assert!(html(&get_ok(app, &base).await).contains("Pendiente de confirmación"), "nothing changed");
    // In time: confirmed.
    app.clock.set(at(4).expect("time"));
    assert!(html(&get_ok(app, &base).await).contains("Confirmar asistencia</button>"));
    let confirmed = post_form(app, &format!("{base}/confirmar"), String::new()).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    let page = get_ok(app, confirmed.header("location")).await;
    assert!(html(&page).contains("Confirmaste tu asistencia") && html(&page).contains("<strong>Confirmada</strong>"));
    app.clock.set(start_time());
}

pub async fn the_birth_date_is_asked_only_when_the_business_wants_it(app: &TestApp) {
    let f = open(app).await;
    let slot = first_slot(app, &f, &f.pro).await;
    assert!(!html(&get_ok(app, &slot).await).contains("name=\"nacimiento\""), "not asked by default");
    let rules = BookingRules { online: true, ask_birth_date: true, ..BookingRules::default() };
    app.store.set_booking_rules(&actor(app).await, rules).await.expect("rules");
    assert!(html(&get_ok(app, &slot).await).contains("name=\"nacimiento\""));
    // A date in the future is refused by its field, and nothing is booked.
    let mut fields = CLIENT.to_vec();
    fields.push(("nacimiento", "2030-01-01"));
    let refused = book(app, &slot, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&refused).contains("id=\"nacimiento-error\""), "{}", html(&refused));
    let clients = app.get("/api/v1/clients?q=marta").cookie(&f.owner).send().await;
    assert_eq!(clients.body["items"].as_array().map_or(9, Vec::len), 0, "nothing booked");
    // A real date is stored on the new profile.
    fields.pop();
    fields.push(("nacimiento", "1990-04-23"));
    let done = book(app, &slot, &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    let clients = app.get("/api/v1/clients?q=marta").cookie(&f.owner).send().await;
    assert_eq!(clients.body["items"][0]["birth_date"], "1990-04-23", "{}", clients.body);
}

/// Six bookings an hour per email, twenty per address (in-process requests
/// all come from one unknown address): the next is refused in Spanish with
/// `Retry-After`, and books nothing.
pub async fn bookings_are_limited_per_email_and_per_address(app: &TestApp) {
    let f = open(app).await;
    let found = |q: &'static str| {
        let owner = f.owner.clone();
        async move {
            let clients = app.get(&format!("/api/v1/clients?q={q}")).cookie(&owner).send().await;
            clients.body["items"].as_array().map_or(0, Vec::len)
        }
    };
    for _ in 0..6 {
        let slot = first_slot(app, &f, &f.pro).await;
        assert_eq!(book(app, &slot, CLIENT).await.status, StatusCode::SEE_OTHER);
    }
    let slot = first_slot(app, &f, &f.pro).await;
    let refused = book(app, &slot, CLIENT).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html(&refused).contains("Hiciste demasiadas solicitudes seguidas. Inténtalo de nuevo en"));
    assert!(refused.header("retry-after").parse::<u32>().is_ok_and(|s| (1..=3600).contains(&s)));
    let marta = app.get("/api/v1/clients?q=marta").cookie(&f.owner).send().await;
    let id = marta.body["items"][0]["id"].as_str().expect("client").to_owned();
    let bookings = app.get(&format!("/api/v1/clients/{id}/bookings")).cookie(&f.owner).send().await;
    assert_eq!(bookings.body["items"].as_array().map_or(0, Vec::len), 6, "the seventh booked nothing");
    // Other emails from the same address: up to twenty requests in all.
    for n in 0..13 {
        let email = format!("otra{n}@mail.cl");
        let who = [("nombre", "Otra Persona"), ("correo", email.as_str()), ("telefono", "9 6333 3333"), ("rut", "")];
        let slot = first_slot(app, &f, &f.pro).await;
        assert_eq!(book(app, &slot, &who).await.status, StatusCode::SEE_OTHER, "booking {n}");
    }
    let who = [("nombre", "Nueva"), ("correo", "nueva@mail.cl"), ("telefono", "9 6333 3333"), ("rut", "")];
    let slot = first_slot(app, &f, &f.pro).await;
    assert_eq!(book(app, &slot, &who).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(found("nueva").await, 0, "no profile made");
    // An hour later the window has passed.
    app.clock.set(start_time().checked_add(SignedDuration::from_hours(1)).expect("time"));
    let slot = first_slot(app, &f, &f.pro).await;
    assert_eq!(book(app, &slot, &who).await.status, StatusCode::SEE_OTHER);
    assert_eq!(found("nueva").await, 1);
    app.clock.set(start_time());
}

/// The id of the client with this email, by the API's search.
async fn client_id(app: &TestApp, f: &Fixture, email: &str) -> String {
    let found = app.get(&format!("/api/v1/clients?q={email}")).cookie(&f.owner).send().await;
    found.body["items"][0]["id"].as_str().expect("the client").to_owned()
}

pub async fn the_privacy_notice_must_be_ticked_and_its_version_is_recorded(app: &TestApp) {
    let f = open(app).await;
    let slot = first_slot(app, &f, &f.pro).await;
    let form = get_ok(app, &slot).await;
    assert!(html(&form).contains("Leí y acepto el aviso de privacidad"), "{}", html(&form));
    assert!(html(&form).contains("href=\"/reservar/clinica/aviso-de-privacidad\""));
    assert!(html(&form).contains("name=\"aviso_version\" value=\"1\""));
    assert!(!html(&form).contains("acepta_whatsapp"), "WhatsApp off: not asked");
    // The notice itself: the product's default, version 1.
    let notice = get_ok(app, "/reservar/clinica/aviso-de-privacidad").await;
    assert!(html(&notice).contains("Versión 1") && html(&notice).contains("Ley 21.719"), "{}", html(&notice));
    // Not ticked: the field says so, the typed data stay, nothing is booked.
    let before = app.client_count(&f.owner).await;
    let mut unticked = CLIENT.to_vec();
    unticked.push(("aviso_version", "1"));
    let refused = book(app, &slot, &unticked).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&refused).contains("id=\"aviso-error\""), "{}", html(&refused));
    assert!(html(&refused).contains("Para reservar debes leer y aceptar el aviso de privacidad."));
    assert!(html(&refused).contains("value=\"Marta Soto\""), "typed values kept");
    assert_eq!(app.client_count(&f.owner).await, before, "nothing booked");
    // Ticked: booked, with the version on the booking.
    let done = book(app, &slot, CLIENT).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    let id = client_id(app, &f, "marta@mail.cl").await;
    let bookings = app.get(&format!("/api/v1/clients/{id}/bookings")).cookie(&f.owner).send().await;
    assert_eq!(bookings.body["items"][0]["consent"]["version"], 1, "{}", bookings.body);
    assert_eq!(bookings.body["items"][0]["consent"]["whatsapp_opt_in"], serde_json::Value::Null);
    // Staff see it on the profile: per booking, and the latest in the data.
    let profile = get_ok_as(app, &format!("/clientes/{id}"), &f.owner).await;
    assert!(
        html(&profile).contains("Aviso de privacidad v1 aceptado · WhatsApp: no se preguntó"),
        "{}",
        html(&profile)
    );
    assert!(html(&profile).contains("Aviso de privacidad v1, aceptado el 14-03-2026 09:00"));
}

async fn get_ok_as(app: &TestApp, path: &str, cookie: &str) -> TestResponse {
    let page = app.get(path).cookie(cookie).send().await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", html(&page));
    page
}

pub async fn a_notice_changed_while_booking_is_refused_and_asked_again(app: &TestApp) {
    let f = open(app).await;
    let slot = first_slot(app, &f, &f.pro).await;
    // The client opened the form on version 1; the owner then saves theirs.
    let text = ficha_domain::NoticeText::parse("Aviso de la Clínica.\n\nUsamos tus datos para tus reservas.");
    app.store.set_privacy_notice(&actor(app).await, text.expect("valid")).await.expect("v2");
    let before = app.client_count(&f.owner).await;
    let mut stale = CLIENT.to_vec();
    stale.extend([("aviso_version", "1"), ("acepta_aviso", "1")]);
    let refused = book(app, &slot, &stale).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(html(&refused).contains("El aviso de privacidad cambió mientras reservabas"), "{}", html(&refused));
    assert!(html(&refused).contains("name=\"aviso_version\" value=\"2\""), "the form now asks for the new one");
    assert!(!html(&refused).contains("id=\"acepta_aviso\" name=\"acepta_aviso\" value=\"1\" required checked"));
    assert_eq!(app.client_count(&f.owner).await, before, "nothing booked");
    let notice = get_ok(app, "/reservar/clinica/aviso-de-privacidad").await;
    assert!(html(&notice).contains("Versión 2 · vigente desde 14-03-2026"), "{}", html(&notice));
    assert!(html(&notice).contains("Usamos tus datos para tus reservas."));
    let mut current = CLIENT.to_vec();
    current.extend([("aviso_version", "2"), ("acepta_aviso", "1")]);
    assert_eq!(book(app, &slot, &current).await.status, StatusCode::SEE_OTHER);
    // The client reads in Mi cuenta which version they accepted, and the notice.
    let cookie = crate::mi_cuenta::signed_in(app, "marta@mail.cl").await;
    let account = get_ok_as(app, "/reservar/clinica/mi-cuenta", &cookie).await;
    let text = html(&account);
    assert!(text.contains("Aceptaste su aviso de privacidad (versión 2) el 14-03-2026"), "{text}");
    assert!(
        text.contains("<a href=\"/reservar/clinica/aviso-de-privacidad\">Leer el aviso de privacidad</a>"),
        "{text}"
    );
}

pub async fn whatsapp_is_asked_only_while_the_business_sends_it(app: &TestApp) {
    use ficha_domain::{NoticeKind, NotificationSettings, Template, WhatsappSettings};
    let f = open(app).await;
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
    app.store.set_notification_settings(&actor(app).await, settings).await.expect("settings");
    let slots = {
        let page = get_ok(app, &format!("/reservar/clinica?servicio={}&profesional={}", f.service, f.pro)).await;
        links(&page, "/reservar/clinica/datos")
    };
    let form = get_ok(app, &slots[0]).await;
    assert!(html(&form).contains("Quiero recibir avisos de mis reservas por WhatsApp"));
    assert!(html(&form).contains("name=\"acepta_whatsapp\" value=\"1\">"), "unticked by default");
    // Ticked: an opt-in, on the booking and as the client's choice.
    let mut ticked = CLIENT.to_vec();
    ticked.push(("acepta_whatsapp", "1"));
    assert_eq!(book(app, &slots[0], &ticked).await.status, StatusCode::SEE_OTHER);
    let id = client_id(app, &f, "marta@mail.cl").await;
    let prefs = app.get(&format!("/api/v1/clients/{id}/notification-preferences")).cookie(&f.owner).send().await;
    assert_eq!(prefs.body["whatsapp"], true, "{}", prefs.body);
    // The next booking unticked: an opt-out.
    let later = slots.last().expect("another slot");
    assert_eq!(book(app, later, CLIENT).await.status, StatusCode::SEE_OTHER);
    let prefs = app.get(&format!("/api/v1/clients/{id}/notification-preferences")).cookie(&f.owner).send().await;
    assert_eq!(prefs.body["whatsapp"], false, "{}", prefs.body);
    let profile = get_ok_as(app, &format!("/clientes/{id}"), &f.owner).await;
    assert!(html(&profile).contains("WhatsApp: sí") && html(&profile).contains("WhatsApp: no"), "{}", html(&profile));
}
