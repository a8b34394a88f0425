//! Panel defects found by use (issue 12), as a receptionist meets them in a
//! real Chromium: Anular asks first; the notice shown is the one for the
//! action just done; Clientes rows open the profile from any cell and keep
//! RUTs and dates on one line; on a phone the header stays small and
//! Configuración's staff table fits.

use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};

use super::book_in_two_days;
use super::harness::{OWNER_EMAIL, Session};

/// How many lines the text of the first element matching `css` takes.
async fn lines_of(s: &Session, css: &str) -> u64 {
    let script = format!(
        "const e = document.querySelector({css:?}); const r = document.createRange(); r.selectNodeContents(e); \
         const tops = new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))); return tops.size;"
    );
    s.browser.execute(&script, vec![]).await.expect("script").as_u64().unwrap_or(0)
}

#[tokio::test]
async fn anular_asks_first_and_the_notice_is_always_the_last_actions() {
    let Some(s) = Session::start("anular").await else { return };
    let ana = s.client("Ana Pérez", "ana@correo.cl", None, None).await;
    let service = s.bookable().await;
    book_in_two_days(&s, &ana, &service, 10).await;
    let booking = s.store.client_bookings(&s.business, ana.id, &Default::default()).await.expect("bookings");
    let id = booking.bookings[0].id;
    s.sign_in(OWNER_EMAIL).await;

    // Arriving with an old notice, then adding a note in place: the notice
    // becomes the note's, the payment's is gone.
    s.goto(&format!("/reservas/{id}?aviso=pagada")).await;
    assert_eq!(s.text("#aviso").await, "Pago registrado.");
    s.fill("#texto-atencion", "Viene con su hija.").await;
    s.click("#agregar-nota-atencion").await;
    assert_eq!(s.text_containing("#aviso", "Nota").await, "Nota de atención guardada.");
    let avisos = s.text("#avisos").await;
    assert!(!avisos.contains("Pago registrado"), "{avisos}");

    // One click on Anular only asks; nothing is cancelled yet.
    s.click("#anular").await;
    let question = s.text_containing("#anular-pregunta", "¿Anular la reserva").await;
    assert!(question.contains("Sí, anular"), "{question}");
    s.screenshot("question").await;
    let stored = s.store.get_booking(&s.business, id).await.expect("booking");
    assert_eq!(stored.state, ficha_domain::BookingState::Pending, "asking changed nothing");
    s.click("#anular-si").await;
    assert!(s.text_containing("#aviso", "anulada").await.starts_with("Reserva anulada"));
    let stored = s.store.get_booking(&s.business, id).await.expect("booking");
    assert_eq!(stored.state, ficha_domain::BookingState::Cancelled);
    s.screenshot("cancelled").await;
    s.finish().await;
}

#[tokio::test]
async fn clientes_rows_open_the_profile_from_any_cell_and_keep_ruts_and_dates_on_one_line() {
    let Some(s) = Session::start("clientes_rows").await else { return };
    let ana = s
        .client("María José Fernández de la Fuente", "maria.jose@correo.cl", Some("9 6123 4567"), Some("12.345.678-5"))
        .await;
    let service = s.bookable().await;
    book_in_two_days(&s, &ana, &service, 11).await;
    s.sign_in(OWNER_EMAIL).await;
    s.browser.set_window_size(1366, 900).await.expect("resized");
    s.goto("/clientes").await;
    s.find("tr.row-link").await;
    for column in [2, 4, 5, 6] {
        let css = format!("tr.row-link td:nth-child({column})");
        assert_eq!(lines_of(&s, &css).await, 1, "column {column} breaks across lines");
    }
    s.screenshot("desktop").await;
    // The RUT cell is not a link of its own, yet clicking it opens the
    // profile: a real mouse press at the cell's centre (WebDriver's element
    // click would refuse, seeing the row's link on top — which is the point).
    let cell = s.find("tr.row-link td:nth-child(4)").await;
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement { element: cell, duration: None, x: 0.0, y: 0.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    s.browser.perform_actions(mouse).await.expect("clicked");
    s.find("#datos-generales").await;
    assert_eq!(s.path().await, format!("/clientes/{}", ana.id));
    s.finish().await;
}

#[tokio::test]
async fn on_a_phone_the_header_stays_small_and_the_staff_table_fits() {
    let Some(s) = Session::start("phone_header").await else { return };
    s.sign_in(OWNER_EMAIL).await;
    s.browser.set_window_size(375, 812).await.expect("resized");
    let height = s.browser.execute("return window.innerHeight", vec![]).await.expect("script");
    let height = height.as_f64().unwrap_or(812.0);
    for path in ["/clientes", "/calendario", "/configuracion"] {
        s.goto(path).await;
        s.find("#buscar").await;
        let header =
            s.browser.execute("return document.querySelector('header.top').offsetHeight", vec![]).await.expect("h");
        let header = header.as_f64().unwrap_or(f64::MAX);
        assert!(header <= height * 0.22, "{path}: the header takes {header} of {height} px");
        s.fits_the_width(path).await;
    }
    s.goto("/configuracion").await;
    s.find("#equipo-tabla").await;
    s.browser.execute("document.getElementById('equipo').scrollIntoView()", vec![]).await.expect("scrolled");
    s.screenshot("staff").await;
    s.finish().await;
}
