//! The booking site on a 375×812 phone: a new client books end to end, then
//! moves the booking from the manage link of the confirmation email (sent
//! by the worker to a real SMTP server). Screenshots of each step in
//! `test-output/site-*.png`.

use ficha_domain::BookingRules;

use crate::harness::Session;
use crate::mail::Mailbox;

/// Fails when the page scrolls sideways at the phone's width.
async fn fits(s: &Session, step: &str) {
    s.fits_the_width(step).await;
    s.screenshot(step).await;
}

#[tokio::test]
async fn on_a_phone_a_new_client_books_and_then_reschedules_from_the_link() {
    let Some(s) = Session::start("site").await else { return };
    let Some(mail) = Mailbox::start("site", s.store.clone(), &s.base) else { return };
    s.bookable().await;
    let rules = BookingRules { online: true, reschedule_until_hours: 1, ..BookingRules::default() };
    s.store.set_booking_rules(&s.business, rules).await.expect("rules");
    s.browser.set_window_size(375, 812).await.expect("resized");

    s.goto("/reservar/clinica").await;
    assert!(s.text("h1").await.contains("Reserva tu hora"));
    fits(&s, "1-services").await;
    s.click("a.option").await;
    s.find("a.chip").await;
    fits(&s, "2-professional").await;
    s.click("a.chip").await; // Cualquiera
    s.find("a.slot").await;
    fits(&s, "3-slots").await;
    let chosen = s.text("a.slot").await;
    s.click("a.slot").await;

    // The data form: empty, then every problem at once, then right.
    s.find("#nombre").await;
    assert!(s.text(".summary").await.contains(&chosen));
    fits(&s, "4-form").await;
    s.fill("#correo", "marta@").await;
    s.click("button[type=submit]").await;
    s.find("#nombre-error").await;
    s.find("#correo-error").await;
    s.find("#telefono-error").await;
    s.find("#aviso-error").await;
    fits(&s, "5-form-errors").await;
    s.fill("#nombre", "Marta Soto").await;
    s.fill("#correo", "marta@correo.cl").await;
    s.fill("#telefono", "9 6123 4567").await;
    s.click("#acepta_aviso").await;
    s.click("button[type=submit]").await;

    // Confirmation, with the manage link.
    assert_eq!(s.text("h1").await, "¡Reserva lista!");
    assert!(s.text(".summary").await.contains(&chosen));
    assert!(s.path().await.starts_with("/reservar/clinica/reserva/"));
    fits(&s, "6-confirmation").await;
    let clients = s.store.list_clients(&s.business, &Default::default()).await.expect("clients");
    assert_eq!(clients.total, 1, "the client was created");

    // The confirmation email's manage link opens the booking; reschedule
    // from there: another slot.
    let link = mail.link("marta@correo.cl", &s.url("/reservar/clinica/reserva/")).await;
    assert!(link.len() > s.url("/reservar/clinica/reserva/").len() + 40, "a long random token: {link}");
    s.browser.goto(&link).await.expect("the emailed link opens");
    assert_eq!(s.text("h1").await, "Tu reserva");
    assert!(s.text(".summary").await.contains(&chosen));
    s.click("a.button").await;
    s.find("button.slot").await;
    fits(&s, "7-reschedule").await;
    let buttons = s.browser.find_all(fantoccini::Locator::Css("button.slot")).await.expect("slots");
    let later = buttons.last().expect("a later slot");
    let new_time = later.text().await.expect("text");
    later.click().await.expect("clicked");
    s.find(".alert").await;
    assert!(s.text(".alert").await.contains("nuevo horario"));
    assert!(s.text(".summary").await.contains(&new_time));
    fits(&s, "8-rescheduled").await;
    s.finish().await;
}
