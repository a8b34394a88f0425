//! Mi cuenta on a 375×812 phone: the client signs in with the code of the
//! email (read from the outbox), sees the booking and the note the staff
//! shared (not the private one), edits their phone, and the staff's profile
//! shows that edit in Historial as the client's; a pack bought online is
//! scheduled session by session from Por reservar, and a cancel past the
//! deadline is not offered and refused. Screenshots in
//! `test-output/mi_cuenta-*.png` and `mi_cuenta_pack-*.png`.

use fantoccini::Locator;
use ficha_domain::{
    BookingRules, BookingState, ClientName, Clp, Email, Minutes, NewService, NoteText, NoticeKind, Origin, ServiceName,
    Sessions, Visibility,
};
use ficha_store::{Link, MessageQuery, NewBooking, OnlineBooking, Typed};

use crate::harness::{OWNER_EMAIL, Session};

async fn fits(s: &Session, step: &str) {
    s.fits_the_width(step).await;
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
    let newest = s.text_containing("#lista-historial .history-item", "9 8765 4321").await;
    assert!(newest.contains("9 6123 4567 → 9 8765 4321"), "{newest}");
    assert!(newest.contains("El cliente (Mi cuenta)"), "{newest}");
    s.browser.execute("document.getElementById('historial').scrollIntoView()", vec![]).await.expect("scrolled");
    s.screenshot("7-staff-history").await;
    s.finish().await;
}

/// Signs in to Mi cuenta with the latest emailed code for `email`.
pub async fn sign_in_to_mi_cuenta(s: &Session, email: &str) {
    s.goto("/reservar/clinica/mi-cuenta").await;
    s.fill("#correo", email).await;
    s.click("form[action$='/entrar'] button[type=submit]").await;
    s.find("#codigo").await;
    let query = MessageQuery { limit: 20, ..MessageQuery::default() };
    let messages = s.store.messages(&s.business, &query).await.expect("outbox").messages;
    let sent = messages.iter().find(|m| m.kind == NoticeKind::SignInLink && m.recipient == email).expect("sign-in");
    s.fill("#codigo", sent.facts.code.as_deref().expect("a code")).await;
    s.click("form[action$='/codigo'] button[type=submit]").await;
    s.find("#por-reservar").await;
}

/// The "Agendar" links of Por reservar.
async fn agendar_links(s: &Session) -> usize {
    let links = s.browser.find_all(Locator::Css("#por-reservar a.button")).await.expect("links");
    links.len()
}

#[tokio::test]
async fn on_a_phone_a_pack_bought_online_is_scheduled_session_by_session_and_a_late_cancel_is_refused() {
    let Some(s) = Session::start("mi_cuenta_pack").await else { return };
    let single = s.bookable().await;
    let pack = NewService {
        name: ServiceName::parse("Pack 3 sesiones").expect("valid"),
        duration: Minutes::new(30).expect("valid"),
        price: Clp::new(60_000).expect("valid"),
        sessions: Sessions::new(3).expect("valid"),
        professionals: single.professionals.clone(),
    };
    let pack = s.store.create_service(&s.business, pack).await.expect("pack");
    // A client may cancel online until 48 hours before; the first session
    // is a day away.
    let rules = BookingRules { online: true, cancel_until_hours: 48, ..BookingRules::default() };
    s.store.set_booking_rules(&s.business, rules).await.expect("rules");
    let zone = jiff::tz::TimeZone::get("America/Santiago").expect("zone");
    let tomorrow = jiff::Timestamp::now().to_zoned(zone.clone()).date().tomorrow().expect("date");
    let start = tomorrow.at(12, 0, 0, 0).to_zoned(zone).expect("time").timestamp();
    let bought = OnlineBooking {
        service: pack.id,
        professional: None,
        start,
        client: Typed {
            name: ClientName::parse("Pía Rojas").expect("valid"),
            email: Email::parse("pia@correo.cl").expect("valid"),
            phone: None,
            rut: None,
            birth_date: None,
            values: Vec::new(),
        },
        link: Link { token_hash: b"pack".to_vec(), path: "/reservar/clinica/reserva/pack".into() },
        consent: ficha_domain::Acceptance { notice_version: 1, whatsapp_opt_in: false },
    };
    s.store.book_online(&s.business, bought).await.expect("bought online");
    s.browser.set_window_size(375, 812).await.expect("resized");
    sign_in_to_mi_cuenta(&s, "pia@correo.cl").await;

    // Por reservar: two sessions, each scheduled from its Agendar.
    assert_eq!(agendar_links(&s).await, 2, "{}", s.text("#por-reservar").await);
    fits(&s, "1-por-reservar").await;
    for left in [1, 0] {
        s.click("#por-reservar a.button").await;
        s.find("button.slot").await;
        fits(&s, "2-agendar").await;
        let slots = s.browser.find_all(Locator::Css("button.slot")).await.expect("slots");
        slots.last().expect("a slot").click().await.expect("clicked");
        s.text_containing("p.alert", "nuevo horario").await;
        assert_eq!(agendar_links(&s).await, left);
    }
    let upcoming = s.text("#reservas").await;
    for n in 1..=3 {
        assert!(upcoming.contains(&format!("Sesión {n} de 3")), "{upcoming}");
    }
    assert!(s.text("#por-reservar").await.contains("No te quedan sesiones por reservar"));
    fits(&s, "3-scheduled").await;

    // The first session is inside the 48-hour deadline: no Anular, the
    // reason said; and the server refuses a forged cancel too.
    let mut first = String::new();
    for item in s.browser.find_all(Locator::Css("#reservas li")).await.expect("items") {
        let text = item.text().await.expect("text");
        if text.contains("Sesión 1 de 3") {
            first = text;
        }
    }
    assert!(first.contains("Ya no se puede anular en línea") || first.contains("Contacta al negocio"), "{first}");
    let source = s.browser.source().await.expect("source");
    let sessions = s.store.client_bookings(&s.business, bought_client(&s).await, &Default::default()).await;
    let first_id = sessions
        .expect("bookings")
        .bookings
        .iter()
        .find(|b| b.when.map(|w| w.start()) == Some(start))
        .expect("first")
        .id;
    assert!(!source.contains(&format!("/reservas/{first_id}/anular")), "not offered");
    let forged = format!(
        "const f = document.createElement('form'); f.method = 'post'; \
         f.action = location.pathname.replace(/\\/$/, '') + '/reservas/{first_id}/anular'; \
         const c = document.createElement('input'); c.type = 'hidden'; c.name = 'csrf'; \
         c.value = document.querySelector('input[name=csrf]').value; f.appendChild(c); \
         document.body.appendChild(f); f.submit();"
    );
    s.browser.execute(&forged, vec![]).await.expect("submitted");
    s.text_containing("main", "Ya pasó el plazo para anular esta reserva en línea").await;
    fits(&s, "4-late-cancel").await;
    let after = s.store.get_booking(&s.business, first_id).await.expect("booking");
    assert_eq!(after.state, BookingState::Pending, "still booked");
    s.finish().await;
}

async fn bought_client(s: &Session) -> ficha_domain::ClientId {
    let clients = s.store.list_clients(&s.business, &Default::default()).await.expect("clients");
    clients.clients.iter().find(|c| c.email.as_str() == "pia@correo.cl").expect("client").id
}
