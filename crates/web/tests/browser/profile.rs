//! The client profile at a glance, in a real browser at 1366×900 and on a
//! 375×812 phone: the header that stays, the anchors to each section, data
//! shown as values until "Editar", a refused note brought back to its box,
//! and the history's empty "before" laid out as one line.

use ficha_domain::{BirthDate, ClientName, Email, NewClient, NoteText, Phone, Rut};
use serde_json::Value;

use crate::harness::{OWNER_EMAIL, Session};

const SIZES: [(u32, u32, &str); 2] = [(1366, 900, "desktop"), (375, 812, "phone")];

/// Ana: phone, RUT, a birth date (36 or 35 years old today) and a note.
async fn ana(s: &Session) -> ficha_domain::Client {
    let today = jiff::Zoned::now().date();
    let new = NewClient {
        name: ClientName::parse("María José Fernández de la Fuente").expect("valid"),
        email: Email::parse("maria.jose.fernandez@correo.cl").expect("valid"),
        phone: Some(Phone::parse("9 6123 4567").expect("valid")),
        rut: Some(Rut::parse("12.345.678-5").expect("valid")),
        birth_date: Some(BirthDate::parse("23-04-1990", today).expect("valid")),
    };
    let ana = s.store.create_client(&s.business, new).await.expect("client");
    let note = NoteText::parse("Alérgica al látex: usar guantes de nitrilo en cada atención.").expect("valid");
    s.store.add_note(&s.business, ana.id, note).await.expect("note");
    ana
}

/// `css`'s box in the viewport: top, bottom, left, right, height.
async fn rect(s: &Session, css: &str) -> [f64; 5] {
    let script = "const r = document.querySelector(arguments[0]).getBoundingClientRect(); \
                  return [r.top, r.bottom, r.left, r.right, r.height];";
    let value = s.browser.execute(script, vec![Value::from(css)]).await.expect("script");
    let numbers: Vec<f64> = value.as_array().expect("array").iter().map(|n| n.as_f64().expect("number")).collect();
    [numbers[0], numbers[1], numbers[2], numbers[3], numbers[4]]
}

async fn script(s: &Session, code: &str) -> Value {
    s.browser.execute(code, vec![]).await.expect("script")
}

/// The focused element's id once it is `expected` (the page's script
/// focuses after the load), or whatever has the focus after a second.
async fn focus_settled(s: &Session, expected: &str) -> String {
    let mut focused = String::new();
    for _ in 0..10 {
        focused = script(s, "return document.activeElement.id").await.as_str().unwrap_or_default().to_owned();
        if focused == expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    focused
}

#[tokio::test]
async fn the_header_says_who_and_stays_in_view_while_the_anchors_lead_to_each_section() {
    let Some(s) = Session::start("profile_header").await else { return };
    let ana = ana(&s).await;
    let path = format!("/clientes/{}", ana.id);
    s.sign_in(OWNER_EMAIL).await;
    for (width, height, size) in SIZES {
        s.browser.set_window_size(width, height).await.expect("resized");
        s.goto(&path).await;
        let head = s.text("#cabecera").await;
        for fact in [
            "María José Fernández de la Fuente",
            "9 6123 4567",
            "maria.jose.fernandez@correo.cl",
            "RUT 12.345.678-5",
            "años",
            "Nota: Alérgica al látex",
        ] {
            assert!(head.contains(fact), "{size}: {fact} in {head}");
        }
        s.fits_the_width(size).await;
        s.screenshot(&format!("{size}-top")).await;
        // Compact: the header leaves most of the screen to the page.
        let [_, _, _, _, head_height] = rect(&s, "#cabecera").await;
        assert!(head_height < f64::from(height) * 0.26, "{size}: the header is {head_height}px tall");

        // An anchor of the nav leads to its section, below the header.
        s.click("#ir-historial").await;
        let url = s.browser.current_url().await.expect("url");
        assert_eq!(url.fragment(), Some("historial"), "{size}");
        let [head_top, head_bottom, ..] = rect(&s, "#cabecera").await;
        let [title_top, title_bottom, ..] = rect(&s, "#historial").await;
        assert!((-0.5..1.0).contains(&head_top), "{size}: the header stays at the top ({head_top})");
        assert!(title_top >= head_bottom - 0.5, "{size}: Historial is not under the header");
        assert!(title_bottom <= f64::from(height), "{size}: Historial is in view");
        let scrolled = script(&s, "return window.scrollY").await.as_f64().expect("number");
        assert!(scrolled > 300.0, "{size}: the page scrolled ({scrolled})");
        // What is on top at the name's place is the name itself.
        let on_top = script(
            &s,
            "const r = document.getElementById('nombre-cliente').getBoundingClientRect(); \
             return document.elementFromPoint(r.left + 5, r.top + r.height / 2).id",
        )
        .await;
        assert_eq!(on_top, Value::from("nombre-cliente"), "{size}: the name is visible");
        assert!(s.text("#cabecera").await.contains("9 6123 4567"), "{size}");
        s.screenshot(&format!("{size}-historial")).await;

        s.click("#ir-reservas").await;
        let [_, head_bottom, ..] = rect(&s, "#cabecera").await;
        let [title_top, ..] = rect(&s, "#reservas").await;
        assert!(title_top >= head_bottom - 0.5, "{size}: Reservas is not under the header");
        assert!(s.text("#sin-reservas").await.contains("Agendar"), "{size}");
    }

    // "Más acciones" opens a menu with Eliminar.
    s.browser.set_window_size(1366, 900).await.expect("resized");
    s.goto(&path).await;
    s.click("#mas-acciones summary").await;
    assert!(s.find("#eliminar-cliente").await.is_displayed().await.expect("displayed"));
    s.screenshot("desktop-menu").await;
    s.finish().await;
}

#[tokio::test]
async fn datos_show_values_editar_opens_the_form_a_bad_rut_is_refused_and_a_good_one_reads_back() {
    let Some(s) = Session::start("profile_datos").await else { return };
    let luis = s.client("Luis Alberto Rojas Manríquez", "luis.alberto.rojas.manriquez@correo.cl", None, None).await;
    let path = format!("/clientes/{}", luis.id);
    s.sign_in(OWNER_EMAIL).await;
    for (width, height, size) in SIZES {
        s.browser.set_window_size(width, height).await.expect("resized");
        s.goto(&path).await;
        assert_eq!(s.text("#valor-rut").await, "No registrado", "{size}");
        assert!(s.browser.find(fantoccini::Locator::Css("#rut")).await.is_err(), "{size}: no form until Editar");
        s.click("#editar-datos").await;

        // An empty RUT looks empty: no example inside it, one under it.
        let rut = s.find("#rut").await;
        assert_eq!(rut.prop("value").await.expect("value").as_deref(), Some(""));
        let placeholder = rut.attr("placeholder").await.expect("attr").unwrap_or_default();
        assert!(placeholder.is_empty(), "{size}: placeholder {placeholder:?} reads as data");
        assert_eq!(s.text("#rut-ejemplo").await, "Ej.: 12.345.678-5");
        // Long names and emails fit their fields (these 38 characters on a
        // desktop; on a phone the field takes the card's whole width).
        let [_, _, left, right, _] = rect(&s, "#correo").await;
        let email_width = right - left;
        if size == "desktop" {
            let needed = script(
                &s,
                "const c = document.createElement('canvas').getContext('2d'); \
                 c.font = getComputedStyle(document.getElementById('correo')).font; \
                 return c.measureText(document.getElementById('correo').value).width",
            )
            .await
            .as_f64()
            .expect("number");
            assert!(email_width > needed + 20.0, "{size}: the email ({needed}px) fits its field ({email_width}px)");
        } else {
            let [_, _, card_left, card_right, _] = rect(&s, "#form-datos").await;
            assert!(email_width >= card_right - card_left - 1.0, "{size}: the email field takes the whole width");
        }
        s.fits_the_width(size).await;
        s.screenshot(&format!("{size}-editing")).await;

        // A wrong RUT: refused by the field, what was typed kept, nothing saved.
        s.fill("#nombre", "Luis Rojas").await;
        s.fill("#rut", "12.345.678-9").await;
        s.click("#guardar-datos").await;
        let error = s.text("#rut-error").await;
        assert!(error.contains("dígito verificador"), "{size}: {error}");
        let [_, field_bottom, ..] = rect(&s, "#rut").await;
        let [error_top, ..] = rect(&s, "#rut-error").await;
        assert!(error_top >= field_bottom && error_top - field_bottom < 60.0, "{size}: the message is by the field");
        assert_eq!(s.find("#rut").await.prop("value").await.expect("value").as_deref(), Some("12.345.678-9"));
        assert_eq!(focus_settled(&s, "rut").await, "rut", "{size}: the cursor waits in the refused field");
        assert_eq!(s.find("#nombre").await.prop("value").await.expect("value").as_deref(), Some("Luis Rojas"));
        let stored = s.store.get_client(&s.business, luis.id).await.expect("client");
        assert_eq!((stored.name.as_str(), stored.rut), ("Luis Alberto Rojas Manríquez", None), "{size}");
        s.browser.execute("document.getElementById('rut').scrollIntoView({block: 'center'})", vec![]).await.ok();
        s.screenshot(&format!("{size}-refused")).await;

        // A good one reads back as a value.
        s.fill("#nombre", "Luis Alberto Rojas Manríquez").await;
        s.fill("#rut", "12345678-5").await;
        s.click("#guardar-datos").await;
        assert_eq!(s.text_containing(".alert.ok", "guardados").await, "Datos generales guardados.");
        assert_eq!(s.text("#valor-rut").await, "12.345.678-5", "{size}");
        assert!(s.browser.find(fantoccini::Locator::Css("#rut")).await.is_err(), "{size}: read-only again");
        s.screenshot(&format!("{size}-saved")).await;

        // Historial: the empty "before" is one line and hides nothing.
        let entry = s.text("#lista-historial .history-item").await;
        assert!(entry.contains("RUT (vacío) → 12.345.678-5"), "{size}: {entry}");
        s.browser.execute("document.getElementById('historial').scrollIntoView()", vec![]).await.expect("scrolled");
        let [meta_top, meta_bottom, ..] = rect(&s, "#lista-historial .history-item .note-meta").await;
        let [old_top, old_bottom, _, _, old_height] = rect(&s, "#lista-historial .history-item .old").await;
        let line = script(
            &s,
            "return parseFloat(getComputedStyle(document.querySelector('#lista-historial .history-item .old')).lineHeight)",
        )
        .await
        .as_f64()
        .unwrap_or(24.0);
        assert!(old_height <= line * 1.2, "{size}: (vacío) is {old_height}px tall, a line is {line}px");
        assert!(old_top >= meta_bottom || old_bottom <= meta_top, "{size}: (vacío) covers the date and author");
        s.screenshot(&format!("{size}-history")).await;

        // Back to empty for the next size.
        let changes = ficha_domain::ClientChanges { rut: Some(None), ..Default::default() };
        let current = s.store.get_client(&s.business, luis.id).await.expect("client");
        s.store.update_client(&s.business, luis.id, current.version, changes).await.expect("cleared");
    }
    s.finish().await;
}

#[tokio::test]
async fn a_refused_note_comes_back_to_its_box_with_the_message_and_the_focus() {
    let Some(s) = Session::start("profile_note").await else { return };
    let luis = s.client("Luis Rojas", "luis@correo.cl", Some("9 6123 4567"), None).await;
    let path = format!("/clientes/{}", luis.id);
    s.sign_in(OWNER_EMAIL).await;
    for (width, height, size) in SIZES {
        s.browser.set_window_size(width, height).await.expect("resized");
        s.goto(&path).await;
        // The empty "Notas" offers the box: the link puts the cursor there.
        s.click("#resumen-sin-nota label").await;
        assert_eq!(script(&s, "return document.activeElement.id").await, Value::from("nota-nueva"), "{size}");

        s.fill("#nota-nueva", "   ").await;
        s.click("#agregar-nota").await;
        let error = s.text("#nota-nueva-error").await;
        assert!(error.contains("no puede quedar vacía"), "{size}: {error}");
        assert_eq!(focus_settled(&s, "nota-nueva").await, "nota-nueva", "{size}: focus");
        let [_, head_bottom, ..] = rect(&s, "#cabecera").await;
        let [box_top, ..] = rect(&s, "#nota-nueva").await;
        let [_, error_bottom, ..] = rect(&s, "#nota-nueva-error").await;
        assert!(box_top >= head_bottom - 0.5, "{size}: the box is not under the header");
        assert!(error_bottom <= f64::from(height), "{size}: the message is in view ({error_bottom})");
        s.screenshot(&format!("{size}-refused-note")).await;
    }
    assert!(s.store.notes(&ficha_domain::Viewer::Staff(s.business), luis.id).await.expect("notes").is_empty());
    s.finish().await;
}
