//! Mi cuenta on a 375×812 phone: the client signs in with the code of the
//! email (read from the outbox), sees the booking and the note the staff
//! shared (not the private one), edits their phone, and the staff's profile
//! shows that edit in Historial as the client's. Screenshots in
//! `test-output/mi_cuenta-*.png`.

use ficha_domain::{BookingRules, BookingState, NoteText, NoticeKind, Origin, Visibility};
use ficha_store::{MessageQuery, NewBooking};

use crate::harness::{OWNER_EMAIL, Session};

async fn fits(s: &Session, step: &str) {
    let overflow = s
        .browser
        .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth", vec![])
        .await
        .expect("script");
    assert_eq!(overflow.as_i64(), Some(0), "{step} scrolls sideways");
    s.screenshot(step).await;
}

#[tokio::test]
async fn on_a_phone_a_client_signs_in_with_the_code_sees_the_shared_note_and_edits_the_phone() {
    let Some(s) = Session::start("mi_cuenta").await else { return };
    let service = s.bookable().await;
    let rules = BookingRules { online: true, ..BookingRules::default() };
    s.store.set_booking_rules(&s.business, rules).await.expect("rules");
    let ana = s.client("Ana Pérez", "ana@correo.cl", Some("9 6123 4567"), None).await;
    let new = NewBooking {
        client: ana.id,
        service: service.id,
        professional: service.professionals.iter().next().copied(),
        start: Some(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(72)),
        end: None,
        state: BookingState::Confirmed,
        origin: Origin::Panel,
        override_agenda: true,
    };
    let booking = s.store.book(&s.business, new).await.expect("booked").remove(0);
    let note = |text: &str| NoteText::parse(text).expect("text");
    s.store
        .add_attention_note(&s.business, booking.id, Visibility::Shared, note("Haz los ejercicios dos veces al día."))
        .await
        .expect("shared note");
    s.store
        .add_attention_note(&s.business, booking.id, Visibility::Private, note("Posible hernia: revisar."))
        .await
        .expect("private note");
    s.browser.set_window_size(375, 812).await.expect("resized");

    // From the booking site's header to the sign-in form.
    s.goto("/reservar/clinica").await;
    s.click("a.account").await;
    s.find("#correo").await;
    fits(&s, "1-sign-in").await;
    s.fill("#correo", "ana@correo.cl").await;
    s.click("form[action$='/entrar'] button[type=submit]").await;
    s.find("#codigo").await;
    s.text_containing("main", "Te enviamos un código").await;
    fits(&s, "2-code").await;
    let query = MessageQuery { limit: 10, ..MessageQuery::default() };
    let messages = s.store.messages(&s.business, &query).await.expect("outbox").messages;
    let sent = messages.iter().find(|m| m.kind == NoticeKind::SignInLink).expect("the sign-in email");
    assert_eq!(sent.recipient, "ana@correo.cl");
    s.fill("#codigo", sent.facts.code.as_deref().expect("a code")).await;
    s.click("form[action$='/codigo'] button[type=submit]").await;

    // Mi cuenta: the booking, the shared note and never the private one.
    s.text_containing("h1", "Hola, Ana Pérez").await;
    let bookings = s.text("#reservas").await;
    assert!(bookings.contains("Consulta kinesiológica") && bookings.contains("Confirmada"), "{bookings}");
    let notes = s.text("#notas").await;
    assert!(notes.contains("Haz los ejercicios dos veces al día."), "{notes}");
    assert!(!s.browser.source().await.expect("source").contains("hernia"), "the private note is not in the page");
    fits(&s, "3-mi-cuenta").await;
    s.browser.execute("document.getElementById('notas').scrollIntoView()", vec![]).await.expect("scrolled");
    s.screenshot("4-notes").await;

    // Mis datos: a wrong phone is explained, a right one saved.
    s.click("a[href$='/mi-cuenta/datos']").await;
    s.fill("#telefono", "123").await;
    s.click("form[action$='/datos'] button[type=submit]").await;
    s.text_containing("#telefono-error", "no es un número válido").await;
    fits(&s, "5-datos-error").await;
    s.fill("#telefono", "9 8765 4321").await;
    s.click("form[action$='/datos'] button[type=submit]").await;
    s.text_containing("p.alert", "Guardamos tus datos.").await;
    assert!(s.text("#datos").await.contains("9 8765 4321"));
    fits(&s, "6-saved").await;

    // The staff's profile shows the edit in Historial, as the client's.
    s.browser.set_window_size(1280, 900).await.expect("desktop size");
    s.sign_in(OWNER_EMAIL).await;
    s.goto(&format!("/clientes/{}", ana.id)).await;
    let newest = s.text_containing("#lista-historial .history-item", "+56987654321").await;
    assert!(newest.contains("+56961234567 → +56987654321"), "{newest}");
    assert!(newest.contains("El cliente (Mi cuenta)"), "{newest}");
    s.browser.execute("document.getElementById('historial').scrollIntoView()", vec![]).await.expect("scrolled");
    s.screenshot("7-staff-history").await;
    s.finish().await;
}
