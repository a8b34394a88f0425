//! The panel in a real headless Chromium: what a receptionist does, step by
//! step, with a screenshot of each test in `test-output/`.

mod agendar;
mod calendar;
mod harness;
mod import;
mod mail;
mod merge;
mod mi_cuenta;
mod panel_pages;
mod phone_calendar;
mod profile;
mod rights;
mod site;

use fantoccini::key::Key;
use ficha_domain::Client;

use harness::{OWNER_EMAIL, PRO_EMAIL, Session};

fn profile_path(client: &Client) -> String {
    format!("/clientes/{}", client.id)
}

#[tokio::test]
async fn a_profile_is_reached_from_the_search_box_and_from_clientes() {
    let Some(s) = Session::start("reach_profile").await else { return };
    let ana = s.client("Ana María Núñez", "ana@correo.cl", Some("9 6123 4567"), None).await;
    s.client("Anabella Soto", "anabella@correo.cl", None, None).await;
    s.sign_in(OWNER_EMAIL).await;

    // The search box, with the keyboard: typing shows results; ↓ and Enter open one.
    s.fill("#buscar", "nunez").await;
    let hit = s.find("#buscar-resultados .hit").await;
    assert!(hit.text().await.expect("text").contains("Ana María Núñez"));
    assert!(s.text("#buscar-resultados").await.contains("coincide en nombre"));
    s.screenshot("search-results").await;
    let search = s.find("#buscar").await;
    search.send_keys(&Key::Down.to_string()).await.expect("down");
    search.send_keys(&Key::Enter.to_string()).await.expect("enter");
    s.find("#datos-generales").await;
    assert_eq!(s.path().await, profile_path(&ana));
    assert_eq!(s.text("#nombre-cliente").await, "Ana María Núñez");

    // Escape closes the results without leaving the page.
    s.fill("#buscar", "soto").await;
    s.find("#buscar-resultados .hit").await;
    s.find("#buscar").await.send_keys(&Key::Escape.to_string()).await.expect("escape");
    let hidden = s.browser.execute("return document.getElementById('buscar-resultados').hidden", vec![]).await;
    assert_eq!(hidden.expect("script"), serde_json::json!(true));

    // Clientes: the list, then the name.
    s.click("nav a[href='/clientes']").await;
    assert!(s.text(".count").await.contains("2 clientes"));
    s.click(&format!("table.clients a[href='{}']", profile_path(&ana))).await;
    s.find("#datos-generales").await;
    assert_eq!(s.text("#nombre-cliente").await, "Ana María Núñez");
    s.screenshot("profile").await;
    s.finish().await;
}

#[tokio::test]
async fn a_wrong_phone_and_rut_are_explained_and_nothing_is_saved_then_right_ones_are() {
    let Some(s) = Session::start("edit_phone_rut").await else { return };
    let ana = s.client("Ana Pérez", "ana@correo.cl", Some("9 6123 4567"), None).await;
    s.sign_in(OWNER_EMAIL).await;
    s.goto(&profile_path(&ana)).await;
    s.click("#editar-datos").await;

    s.fill("#telefono", "123").await;
    s.fill("#rut", "12.345.678-9").await;
    s.fill("#nombre", "Ana Pérez Soto").await;
    s.click("#guardar-datos").await;
    let phone_error = s.text("#telefono-error").await;
    assert!(phone_error.contains("no es un número válido"), "{phone_error}");
    assert!(s.text("#rut-error").await.contains("dígito verificador"));
    // What was typed stays in the form, and nothing was saved.
    assert_eq!(s.find("#telefono").await.prop("value").await.expect("value").as_deref(), Some("123"));
    s.screenshot("errors").await;
    let stored = s.store.get_client(&s.business, ana.id).await.expect("client");
    assert_eq!((stored.name.as_str(), stored.phone, stored.rut, stored.version), ("Ana Pérez", ana.phone, None, 1));

    s.fill("#telefono", "+56 9 8765 4321").await;
    s.fill("#rut", "12345678-5").await;
    s.click("#guardar-datos").await;
    assert_eq!(s.text(".alert.ok").await, "Datos generales guardados.");
    // Saved, the data read as values again.
    assert_eq!(s.text("#valor-telefono").await, "9 8765 4321");
    assert_eq!(s.text("#valor-rut").await, "12.345.678-5");
    let stored = s.store.get_client(&s.business, ana.id).await.expect("client");
    assert_eq!(stored.phone.as_ref().map(|p| p.e164()), Some("+56987654321"));
    assert_eq!(stored.rut.map(|r| r.canonical()).as_deref(), Some("12345678-5"));
    assert_eq!(stored.name.as_str(), "Ana Pérez Soto");
    s.screenshot("saved").await;
    s.finish().await;
}

#[tokio::test]
async fn the_whatsapp_button_opens_a_chat_with_the_clients_number_or_says_why_not() {
    let Some(s) = Session::start("whatsapp").await else { return };
    let ana = s.client("Ana Pérez", "ana@correo.cl", Some("+56 9 6123 4567"), None).await;
    let luis = s.client("Luis Rojas", "luis@correo.cl", None, None).await;
    s.sign_in(OWNER_EMAIL).await;

    s.goto(&profile_path(&ana)).await;
    let href = s.find("a#whatsapp").await.attr("href").await.expect("attr").expect("href");
    assert_eq!(href, "https://wa.me/56961234567?text=Hola%20Ana%2C%20te%20escribimos%20de%20Cl%C3%ADnica%20Alameda.");
    s.screenshot("with-phone").await;

    s.goto(&profile_path(&luis)).await;
    let button = s.find("#whatsapp").await;
    assert_eq!(button.attr("aria-disabled").await.expect("attr").as_deref(), Some("true"));
    assert_eq!(button.attr("href").await.expect("attr"), None, "no link without a phone");
    assert!(s.text("#whatsapp-motivo").await.contains("Sin teléfono"));
    s.finish().await;
}

#[tokio::test]
async fn a_deleted_client_is_gone_and_the_same_email_starts_an_empty_profile() {
    let Some(s) = Session::start("delete_recreate").await else { return };
    let ana = s.client("Ana Pérez", "ana@correo.cl", Some("9 6123 4567"), Some("12.345.678-5")).await;
    s.sign_in(OWNER_EMAIL).await;
    s.goto(&profile_path(&ana)).await;
    // A value in "Otros datos" first, to see it does not come back.
    s.click("#editar-otros").await;
    s.click("select[name='campo.comuna'] option[value='Ñuñoa'], select[name='campo.comuna'] option:nth-child(2)").await;
    s.click("#guardar-otros").await;
    assert_eq!(s.text(".alert.ok").await, "Otros datos guardados.");

    s.click("#mas-acciones summary").await;
    s.click("#eliminar-cliente").await;
    let confirmation = s.text("main").await;
    assert!(confirmation.contains("¿Eliminar a Ana Pérez?"));
    assert!(confirmation.contains("su único valor de «Otros datos»"));
    assert!(confirmation.contains("sus notas (no tiene ninguna)"), "{confirmation}");
    assert!(confirmation.contains("su historial de cambios"), "{confirmation}");
    s.screenshot("confirm").await;
    s.click("button[type=submit].danger").await;
    assert_eq!(s.text(".alert.ok").await, "Se eliminó a Ana Pérez y toda su ficha.");
    assert!(s.store.get_client(&s.business, ana.id).await.is_err());

    s.click("a[href='/clientes/nuevo']").await;
    s.fill("#nombre", "Ana Pérez").await;
    s.fill("#correo", "ana@correo.cl").await;
    s.click("form[action='/clientes'] button.primary").await;
    assert_eq!(s.text(".alert.ok").await, "Cliente creado.");
    assert_ne!(s.path().await, profile_path(&ana), "a new profile");
    for empty in ["#valor-telefono", "#valor-rut", "#valor-nacimiento"] {
        assert!(s.text(empty).await.starts_with("No registrad"), "{empty}");
    }
    let comuna = s.text("#otros-valores").await;
    assert!(comuna.contains("Comuna") && comuna.contains("Sin dato"), "no custom value comes back: {comuna}");
    s.screenshot("recreated").await;
    s.finish().await;
}

#[tokio::test]
async fn a_professional_sees_configuracion_read_only() {
    let Some(s) = Session::start("professional").await else { return };
    s.sign_in(PRO_EMAIL).await;
    let nav = s.text("nav.nav").await;
    assert!(nav.contains("Clientes") && nav.contains("Configuración"), "{nav}");
    s.goto("/configuracion").await;
    assert_eq!(s.text("h1").await, "Configuración");
    s.text_containing("#solo-lectura", "Solo lectura").await;
    s.goto("/configuracion/agendas").await;
    s.find("#solo-lectura").await;
    let enabled = s
        .browser
        .execute(
            "return Array.from(document.querySelectorAll('main input, main select, main textarea')) \
               .filter(e => !e.matches(':disabled')).map(e => e.name || e.id);",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(enabled, serde_json::json!([]), "every control of the agenda is disabled for a professional");
    s.screenshot("read-only-agenda").await;
    s.finish().await;
}

#[tokio::test]
async fn on_a_375_px_phone_the_profile_fits_the_screen() {
    let Some(s) = Session::start("phone").await else { return };
    let ana = s
        .client(
            "María José Fernández de la Fuente",
            "maria.jose.fernandez@correo.cl",
            Some("9 6123 4567"),
            Some("12.345.678-5"),
        )
        .await;
    s.sign_in(OWNER_EMAIL).await;
    s.browser.set_window_size(375, 812).await.expect("resized");
    let width = s.browser.execute("return window.innerWidth", vec![]).await.expect("script");
    assert!(width.as_u64().is_some_and(|w| w <= 375), "viewport {width}");
    for path in [profile_path(&ana), "/clientes".to_owned()] {
        s.goto(&path).await;
        s.find("#buscar").await;
        s.fits_the_width(&path).await;
    }
    s.goto(&profile_path(&ana)).await;
    s.find("#datos-generales").await;
    s.screenshot("profile").await;
    s.finish().await;
}

#[tokio::test]
async fn agendar_from_the_profile_then_its_calendar_card_leads_back_to_the_profile() {
    let Some(s) = Session::start("agendar_calendar").await else { return };
    let ana = s.client("Ana María Núñez", "ana@correo.cl", Some("9 6123 4567"), None).await;
    let service = s.bookable().await;
    let zone = jiff::tz::TimeZone::get("America/Santiago").expect("zone");
    let tomorrow = jiff::Timestamp::now().to_zoned(zone).date().tomorrow().expect("a tomorrow");
    let day = tomorrow.strftime("%d-%m-%Y").to_string();
    s.sign_in(OWNER_EMAIL).await;

    // From the profile: Agendar, then service → professional (each choice
    // reloads the step), a date, a free slot.
    s.goto(&profile_path(&ana)).await;
    s.click("#agendar").await;
    s.find("#servicio").await.select_by_value(&service.id.to_string()).await.expect("service chosen");
    s.find("#profesional").await.select_by_label("Andrés Ibáñez").await.expect("professional chosen");
    s.fill("#fecha", &day).await;
    s.click("#ver-horarios").await;
    s.text_containing("#horarios", &day).await;
    s.click("#horarios-libres label:first-child").await;
    s.screenshot("agendar").await;
    s.click("#confirmar-agenda").await;
    assert_eq!(s.text("#aviso").await, "Reserva agendada.");
    assert!(s.path().await.starts_with("/reservas/"));
    let when = s.text("#reserva-cuando").await;
    assert!(when.starts_with(&format!("{day} 08:00")), "{when}");

    // On the calendar of that day, its block; it opens the booking, whose
    // client name opens the profile.
    s.click("nav a[href='/calendario']").await;
    s.fill("#cal-fecha", &day).await;
    s.click(".cal-filters button[type=submit]").await;
    let card = s.find(".cal-block.state-pending").await;
    let text = card.text().await.expect("text");
    assert!(
        text.contains("08:00–08:30") && text.contains("Ana María Núñez") && text.contains("Consulta kinesiológica"),
        "{text}"
    );
    s.browser.set_window_size(375, 800).await.expect("phone size");
    s.screenshot("calendar-phone").await;
    s.browser.set_window_size(1280, 900).await.expect("desktop size");
    card.click().await.expect("card opens");
    s.click("#reserva-cliente").await;
    s.find("#datos-generales").await;
    assert_eq!(s.path().await, profile_path(&ana));
    assert!(s.text("#lista-reservas").await.contains(&format!("{day} 08:00")));
    assert_eq!(s.text("#stat-reservas").await, "1");
    s.screenshot("profile-after").await;
    s.finish().await;
}

#[tokio::test]
async fn a_note_added_on_the_profile_is_listed_and_a_phone_edit_shows_in_the_history() {
    let Some(s) = Session::start("notes_history").await else { return };
    let ana = s.client("Ana Pérez", "ana@correo.cl", Some("9 6123 4567"), None).await;
    s.sign_in(OWNER_EMAIL).await;
    s.goto(&profile_path(&ana)).await;
    assert!(s.text("#sin-notas").await.contains("Aún no hay notas"));

    s.fill("#nota-nueva", "Alérgica al látex.\nPrefiere horas en la mañana.").await;
    s.click("form.note-form button.primary").await;
    s.text_containing(".alert.ok", "Nota guardada.").await;
    let listed = s.text("#lista-notas .note").await;
    assert!(listed.contains("Alérgica al látex.\nPrefiere horas en la mañana."), "line breaks kept: {listed}");
    assert!(listed.contains("Carolina Fuentes ·"), "author shown: {listed}");
    s.browser.execute("document.getElementById('notas').scrollIntoView()", vec![]).await.expect("scrolled");
    s.screenshot("note-listed").await;

    s.click("#ir-datos").await;
    s.click("#editar-datos").await;
    s.fill("#telefono", "+56 9 8765 4321").await;
    s.click("#guardar-datos").await;
    s.text_containing(".alert.ok", "Datos generales guardados.").await;
    let newest = s.text("#lista-historial .history-item").await;
    assert!(newest.contains("Teléfono 9 6123 4567 → 9 8765 4321"), "{newest}");
    let history = s.text("#lista-historial").await;
    assert!(history.contains("Nota agregada"), "{history}");
    s.browser.execute("document.getElementById('historial').scrollIntoView()", vec![]).await.expect("scrolled");
    s.screenshot("history").await;
    s.finish().await;
}

#[tokio::test]
async fn the_booking_page_updates_in_place_notes_added_deleted_and_a_confirmation() {
    let Some(s) = Session::start("attention_in_place").await else { return };
    let ana = s.client("Ana Pérez", "ana@correo.cl", None, None).await;
    let service = s.bookable().await;
    let professional = service.professionals.iter().next().copied();
    let start = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24);
    let new = ficha_store::NewBooking {
        client: ana.id,
        service: service.id,
        professional,
        start: Some(start),
        end: None,
        state: ficha_domain::BookingState::Pending,
        origin: ficha_domain::Origin::Panel,
        override_agenda: true,
    };
    let booking = s.store.book(&s.business, new).await.expect("booked").remove(0);
    s.sign_in(OWNER_EMAIL).await;
    s.goto(&format!("/reservas/{}", booking.id)).await;
    assert!(s.text("#sin-notas-atencion").await.contains("no tiene notas"));

    // A mark on this page's window: a reload would lose it.
    s.browser.execute("window.sinRecargar = true;", vec![]).await.expect("script ran");
    s.fill("#texto-atencion", "Trae sus exámenes la próxima vez.").await;
    s.click("#seccion-notas-atencion input[value=compartida]").await;
    s.click("#agregar-nota-atencion").await;
    let listed = s.text_containing("#lista-notas-atencion", "Trae sus exámenes").await;
    assert!(listed.contains("Compartida"), "{listed}");
    s.screenshot("added").await;
    let kept = s.browser.execute("return window.sinRecargar === true;", vec![]).await.expect("script ran");
    assert_eq!(kept, serde_json::Value::Bool(true), "the page was updated in place, not reloaded");

    s.click("#lista-notas-atencion button.link").await;
    s.text_containing("#seccion-notas-atencion", "no tiene notas").await;
    let kept = s.browser.execute("return window.sinRecargar === true;", vec![]).await.expect("script ran");
    assert_eq!(kept, serde_json::Value::Bool(true), "deleted in place too");
    let left = s.store.booking_notes(&ficha_domain::Viewer::Staff(s.business), booking.id).await.expect("notes");
    assert!(left.is_empty(), "the note is gone from the store");

    // The booking's own actions update the page in place as well.
    s.click("#confirmar").await;
    assert_eq!(s.text_containing("#aviso", "confirmada").await, "Reserva confirmada.");
    let kept = s.browser.execute("return window.sinRecargar === true;", vec![]).await.expect("script ran");
    assert_eq!(kept, serde_json::Value::Bool(true), "confirmed in place");
    assert!(s.browser.current_url().await.expect("url").as_str().ends_with("?aviso=confirmada"));
    let stored = s.store.get_booking(&s.business, booking.id).await.expect("booking");
    assert_eq!(stored.state, ficha_domain::BookingState::Confirmed);
    s.finish().await;
}

/// Books `client` in two days at `hour`, through the store.
async fn book_in_two_days(s: &Session, client: &Client, service: &ficha_domain::Service, hour: i8) {
    let zone = jiff::tz::TimeZone::get("America/Santiago").expect("zone");
    let day = jiff::Timestamp::now().to_zoned(zone.clone()).date().checked_add(jiff::ToSpan::days(2)).expect("a day");
    let start = day.at(hour, 0, 0, 0).to_zoned(zone).expect("a time").timestamp();
    let new = ficha_store::NewBooking {
        client: client.id,
        service: service.id,
        professional: service.professionals.iter().next().copied(),
        start: Some(start),
        end: None,
        state: ficha_domain::BookingState::Pending,
        origin: ficha_domain::Origin::Panel,
        override_agenda: true,
    };
    s.store.book(&s.business, new).await.expect("booked");
}

#[tokio::test]
async fn notifications_are_listed_a_failed_one_is_sent_again_and_the_profile_keeps_the_clients_choices() {
    let Some(s) = Session::start("notifications").await else { return };
    let ana = s
        .client(
            "María José Fernández de la Fuente",
            "maria.jose.fernandez.delafuente@correo.cl",
            Some("9 6123 4567"),
            None,
        )
        .await;
    let luis = s.client("Luis Rojas", "luis@correo.cl", None, None).await;
    let service = s.bookable().await;
    book_in_two_days(&s, &ana, &service, 10).await;
    // A worker took Ana's confirmation and the provider refused it.
    for claim in s.store.claim_due(jiff::SignedDuration::from_secs(60), 10).await.expect("claimed") {
        let reason = "El servidor de correo rechazó la dirección: 550 5.1.1 buzón inexistente";
        assert!(s.store.mark_failed(&claim, reason).await.expect("marked"));
    }
    book_in_two_days(&s, &luis, &service, 12).await;
    s.sign_in(OWNER_EMAIL).await;
    s.browser.set_window_size(1366, 900).await.expect("desktop size");

    s.click("nav a[href='/notificaciones']").await;
    let table = s.text("#lista-mensajes").await;
    for words in
        ["Luis Rojas", "María José Fernández de la Fuente", "Reserva creada", "Recordatorio", "Fallido", "Pendiente"]
    {
        assert!(table.contains(words), "{words}: {table}");
    }
    assert!(table.contains("buzón inexistente"), "{table}");
    s.screenshot("list-desktop").await;

    s.find("#estado").await.select_by_value("failed").await.expect("filtered");
    s.text_containing("#lista-mensajes", "Fallido").await;
    assert!(!s.text("#lista-mensajes").await.contains("Luis Rojas"), "only failed ones");
    s.browser.set_window_size(375, 812).await.expect("phone size");
    s.fits_the_width("/notificaciones").await;
    s.screenshot("failed-phone").await;
    s.click("#lista-mensajes button[type=submit]").await;
    assert!(s.text("#aviso").await.contains("Mensaje reenviado"));
    assert!(s.text("main").await.contains("No hay mensajes con ese estado."));
    s.goto("/notificaciones").await;
    s.find("#lista-mensajes").await;
    s.fits_the_width("/notificaciones").await;
    s.screenshot("list-phone").await;

    // The profile: what was sent to the client, and what it chose.
    s.goto(&profile_path(&ana)).await;
    let section = s.text("#lista-notificaciones").await;
    assert!(section.contains("Reserva creada") && section.contains("Pendiente"), "{section}");
    assert!(!section.contains("Luis"), "only this client's messages");
    s.fits_the_width("the profile").await;
    s.browser.execute("document.getElementById('notificaciones').scrollIntoView()", vec![]).await.expect("scrolled");
    s.screenshot("profile-phone").await;
    s.click("#recibe-recordatorios").await;
    s.click("#guardar-preferencias").await;
    assert_eq!(
        s.text_containing("#aviso-notificaciones", "guardadas").await,
        "Preferencias de notificación guardadas."
    );
    assert!(!s.find("#recibe-recordatorios").await.is_selected().await.expect("state"));
    assert!(s.find("#recibe-whatsapp").await.is_selected().await.expect("state"));
    assert!(s.text("#lista-notificaciones").await.contains("Anulado"), "the reminder is no longer wanted");
    let history = s.text("#lista-historial .history-item").await;
    assert!(history.contains("Notificaciones") && history.contains("no recibir recordatorios"), "{history}");
    let chosen = s.store.client_preferences(&s.business, ana.id).await.expect("preferences");
    assert!(chosen.no_reminders && !chosen.no_whatsapp);
    s.browser.set_window_size(1366, 900).await.expect("desktop size");
    s.browser.execute("document.getElementById('notificaciones').scrollIntoView()", vec![]).await.expect("scrolled");
    s.screenshot("profile-desktop").await;
    s.finish().await;
}

#[tokio::test]
async fn the_owner_turns_whatsapp_on_in_configuracion_and_a_mistake_is_explained() {
    let Some(s) = Session::start("notification_settings").await else { return };
    s.sign_in(OWNER_EMAIL).await;
    s.browser.set_window_size(1366, 900).await.expect("desktop size");
    s.click("nav a[href='/configuracion']").await;
    s.click("#conf-notificaciones").await;
    s.find("#form-notificaciones").await;
    s.screenshot("desktop").await;
    s.browser.execute("document.getElementById('wa_activo').scrollIntoView()", vec![]).await.expect("scrolled");
    s.screenshot("desktop-whatsapp").await;

    s.find("#recordatorio").await.select_by_label("2 horas antes").await.expect("chosen");
    s.click("#wa_activo").await;
    s.fill("#wa_numero", "+56 9 1234 5678").await;
    s.fill("#plantilla_booking_created", "reserva_creada").await;
    s.click("#guardar-notificaciones").await;
    let error = s.text("#wa_numero-error").await;
    assert!(error.contains("solo dígitos"), "{error}");
    assert!(s.text("#wa_token-error").await.contains("Para activar WhatsApp falta el token"));
    s.browser.set_window_size(375, 812).await.expect("phone size");
    s.fits_the_width("the refused form").await;
    s.browser.execute("document.getElementById('wa_numero').scrollIntoView()", vec![]).await.expect("scrolled");
    s.screenshot("errors-phone").await;

    s.fill("#wa_numero", "106540352242922").await;
    s.fill("#wa_token", "EAAG-token-de-prueba").await;
    s.click("#guardar-notificaciones").await;
    assert_eq!(s.text("#aviso").await, "Configuración de notificaciones guardada.");
    assert!(s.text("#wa_token-guardado").await.contains("Hay un token guardado"));
    let stored = s.store.notification_settings(&s.business).await.expect("settings");
    assert!(stored.whatsapp.enabled);
    assert_eq!(stored.whatsapp.access_token, "EAAG-token-de-prueba");
    assert_eq!(stored.reminder_lead, ficha_domain::ReminderLead::Minutes(120));
    let source = s.browser.source().await.expect("source");
    assert!(!source.contains("EAAG-token-de-prueba"), "the token is not in the page");
    s.screenshot("saved-phone").await;

    // Like the rest of Configuración, not for professionals.
    s.click("button.link").await;
    s.sign_in(PRO_EMAIL).await;
    s.goto("/configuracion/notificaciones").await;
    assert_eq!(s.text("h1").await, "Solo para dueños");
    s.finish().await;
}
