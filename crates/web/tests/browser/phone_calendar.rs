//! Two things people take out of the panel, in Chromium: a professional
//! puts their bookings in their phone's calendar (Calendario → "Tu
//! calendario en el teléfono": a subscription per device, its address shown
//! once, revocable), and an owner exports the client list from Clientes.
//! Screenshots in `test-output/phone_calendar-*.png` and `export-*.png`,
//! each step checked not to scroll sideways on a 375×812 phone.

use serde_json::Value;

use crate::harness::{OWNER_EMAIL, PRO_EMAIL, Session};

async fn fits(s: &Session, step: &str) {
    s.fits_the_width(step).await;
    s.screenshot(step).await;
}

async fn phone(s: &Session) {
    s.browser.set_window_size(375, 812).await.expect("phone size");
}

async fn desk(s: &Session) {
    s.browser.set_window_size(1280, 900).await.expect("desktop size");
}

/// What the server answers the page's own origin for `url`: (status, body).
/// Asked past the browser's cache (a feed may be cached for minutes).
async fn fetched(s: &Session, url: &str) -> (u64, String) {
    let script = "var x = new XMLHttpRequest(); x.open('GET', arguments[0], false); \
                  x.setRequestHeader('Cache-Control', 'no-cache'); x.send(); return [x.status, x.responseText];";
    let answer = s.browser.execute(script, vec![Value::from(url)]).await.expect("fetched");
    let status = answer[0].as_u64().expect("a status");
    (status, answer[1].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn a_professional_subscribes_a_phone_to_their_bookings_and_revokes_it() {
    let Some(s) = Session::start("phone_calendar").await else { return };
    s.sign_in(PRO_EMAIL).await;
    phone(&s).await;

    s.goto("/calendario").await;
    s.click("#suscripciones").await;
    s.find("#form-suscripcion").await;
    s.text_containing("#sin-suscripciones", "Aún no tienes suscripciones").await;
    fits(&s, "1-empty").await;

    // A subscription needs a name for the device; nothing is made without.
    s.click("#form-suscripcion button[type=submit]").await;
    s.find("#nombre-error").await;
    assert!(!s.text("#nombre-error").await.is_empty(), "the missing name is said");
    fits(&s, "2-missing-name").await;

    s.fill("#nombre", "iPhone").await;
    s.click("#form-suscripcion button[type=submit]").await;
    s.text_containing("#nueva-suscripcion", "iPhone").await;
    let address = s.find("#direccion").await.prop("value").await.expect("value").expect("the address");
    assert!(address.contains("/calendario.ics/"), "{address}");
    let webcal = s.find("#abrir-calendario").await.attr("href").await.expect("href").expect("a link");
    assert!(webcal.starts_with("webcal://"), "{webcal}");
    fits(&s, "3-created").await;
    let (status, body) = fetched(&s, &address).await;
    assert_eq!(status, 200);
    assert!(body.starts_with("BEGIN:VCALENDAR"), "{body}");

    // Shown once: back on the page, the list names the device, not its address.
    s.goto("/calendario/suscripciones").await;
    s.text_containing("#suscripciones", "iPhone").await;
    assert!(!s.text("main").await.contains(&address), "the address is not shown again");
    desk(&s).await;
    s.screenshot("4-list-desk").await;
    phone(&s).await;
    fits(&s, "5-list-phone").await;

    s.click("#suscripciones button[type=submit]").await;
    s.text_containing("#aviso", "Suscripción revocada").await;
    fits(&s, "6-revoked").await;
    assert_eq!(fetched(&s, &address).await.0, 404, "a revoked address shows nothing");
    s.finish().await;
}

#[tokio::test]
async fn an_owner_exports_the_list_or_the_search_from_clientes() {
    let Some(s) = Session::start("export").await else { return };
    s.client("Ana Pérez", "ana@correo.cl", Some("9 6123 4567"), None).await;
    s.client("Bruno Díaz", "bruno@correo.cl", None, None).await;
    s.sign_in(OWNER_EMAIL).await;
    desk(&s).await;

    s.goto("/clientes").await;
    s.text_containing("#exportar", "Exportar todos los clientes").await;
    s.screenshot("1-clientes-desk").await;
    phone(&s).await;
    fits(&s, "2-clientes-phone").await;

    // What the CSV button downloads, fetched the way the form asks for it.
    let (status, csv) = fetched(&s, &s.url("/clientes/exportar?formato=csv")).await;
    assert_eq!(status, 200);
    assert!(csv.contains("Ana Pérez") && csv.contains("Bruno Díaz"), "{csv}");

    s.goto("/clientes?q=ana").await;
    s.text_containing("#exportar", "Exportar estos resultados").await;
    fits(&s, "3-search-phone").await;
    let (_, found) = fetched(&s, &s.url("/clientes/exportar?formato=csv&q=ana")).await;
    assert!(found.contains("Ana Pérez") && !found.contains("Bruno Díaz"), "{found}");
    s.finish().await;
}
