//! Ley 21.719 as the people involved live it, in Chromium. On a 375×812
//! phone, anyone files a request on the booking site's Privacidad page with
//! the emailed code, and a client files another from Mi cuenta; at a desk,
//! the owner finds both in Solicitudes de datos and answers one, and the
//! client reads the answer on the phone. Then the owner blocks a profile
//! from Más acciones: the banner shows, the professional can neither find
//! nor open it, until the owner unblocks it. Screenshots in
//! `test-output/rights-*.png` and `rights_block-*.png`.

use fantoccini::Locator;
use ficha_domain::{BookingRules, NoticeKind};
use ficha_store::MessageQuery;

use crate::harness::{OWNER_EMAIL, PRO_EMAIL, Session};
use crate::mi_cuenta::sign_in_to_mi_cuenta;

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

async fn scroll_to(s: &Session, id: &str) {
    s.browser.execute(&format!("document.getElementById('{id}').scrollIntoView()"), vec![]).await.expect("scrolled");
}

/// The newest privacy code emailed to `email`, read from the outbox.
async fn privacy_code(s: &Session, email: &str) -> String {
    let query = MessageQuery { limit: 20, ..MessageQuery::default() };
    let messages = s.store.messages(&s.business, &query).await.expect("outbox").messages;
    let sent = messages
        .iter()
        .find(|m| m.kind == NoticeKind::PrivacyCode && m.recipient == email)
        .expect("the privacy code email");
    sent.facts.code.clone().expect("a code")
}

#[tokio::test]
async fn requests_filed_on_a_phone_are_answered_by_the_owner_and_the_answer_reaches_mi_cuenta() {
    let Some(s) = Session::start("rights").await else { return };
    let rules = BookingRules { online: true, ..BookingRules::default() };
    s.store.set_booking_rules(&s.business, rules).await.expect("rules");
    s.client("Ana Pérez", "ana@correo.cl", Some("9 6123 4567"), None).await;
    phone(&s).await;

    // Privacidad, from the booking site's footer: a form sent empty says
    // what is missing, field by field.
    s.goto("/reservar/clinica").await;
    s.click("#enlace-privacidad").await;
    s.find("#form-privacidad").await;
    fits(&s, "1-privacidad").await;
    s.click("#form-privacidad button[type=submit]").await;
    s.text_containing("#revisa", "No se envió nada").await;
    s.text_containing("#derecho-error", "Elige qué quieres pedir").await;
    s.text_containing("#correo-error", "Escribe tu correo").await;
    fits(&s, "2-missing").await;

    // Access, confirmed with the emailed code.
    s.click("input[name=derecho][value=access]").await;
    s.fill("#correo", "ana@correo.cl").await;
    s.click("#form-privacidad button[type=submit]").await;
    s.find("#codigo").await;
    s.text_containing("main", "Te enviamos un código de 6 dígitos").await;
    fits(&s, "3-code").await;
    s.fill("#codigo", &privacy_code(&s, "ana@correo.cl").await).await;
    s.click("form[action$='/privacidad/codigo'] button[type=submit]").await;
    s.text_containing("#recibida", "Recibimos tu solicitud").await;
    assert!(!s.text("#plazo").await.is_empty(), "the due date is said");
    fits(&s, "4-filed").await;

    // Mi cuenta: the request is there; a second one takes two clicks.
    sign_in_to_mi_cuenta(&s, "ana@correo.cl").await;
    let mine = s.text("#mis-solicitudes").await;
    assert!(mine.contains("Acceso · Recibida"), "{mine}");
    s.click("#form-solicitud input[name=derecho][value=erasure]").await;
    s.click("#form-solicitud button[type=submit]").await;
    s.text_containing("#aviso-solicitud", "Recibimos tu solicitud").await;
    let mine = s.text_containing("#mis-solicitudes", "Supresión").await;
    assert!(mine.contains("Supresión · Recibida") && mine.contains("Plazo de respuesta"), "{mine}");
    assert!(s.text("#aviso-aceptado").await.contains("Leer el aviso de privacidad"));
    scroll_to(&s, "solicitudes").await;
    fits(&s, "5-mi-cuenta").await;

    // The owner's register, at a desk: both requests, one answered.
    desk(&s).await;
    s.sign_in(OWNER_EMAIL).await;
    s.goto("/clientes/solicitudes").await;
    let register = s.text("#lista-solicitudes").await;
    assert!(register.contains("Acceso") && register.contains("Supresión"), "{register}");
    assert!(register.contains("Ana Pérez"), "matched to the profile: {register}");
    s.screenshot("6-register").await;
    phone(&s).await;
    fits(&s, "7-register-phone").await;
    desk(&s).await;
    let links = s.browser.find_all(Locator::Css("#lista-solicitudes a")).await.expect("links");
    let mut access = None;
    for link in links {
        if link.text().await.expect("text") == "Acceso" {
            access = Some(link);
        }
    }
    access.expect("the access request").click().await.expect("opened");
    s.click("#form-en-curso button[type=submit]").await;
    s.text_containing("#estado-solicitud", "En curso").await;
    s.fill("#respuesta", "Te enviamos tu archivo de datos; también está en Mi cuenta.").await;
    s.click("#form-responder button[type=submit]").await;
    s.text_containing("#estado-solicitud", "Respondida").await;
    s.screenshot("8-answered").await;

    // The client reads the answer on the phone.
    phone(&s).await;
    s.goto("/reservar/clinica/mi-cuenta").await;
    let mine = s.text_containing("#mis-solicitudes", "Respondida").await;
    assert!(mine.contains("Te enviamos tu archivo de datos"), "{mine}");
    scroll_to(&s, "solicitudes").await;
    fits(&s, "9-answer").await;
    s.finish().await;
}

#[tokio::test]
async fn a_blocked_profile_shows_its_banner_and_is_gone_for_the_professional_until_unblocked() {
    let Some(s) = Session::start("rights_block").await else { return };
    let ana = s.client("Ana Pérez", "ana@correo.cl", Some("9 6123 4567"), None).await;
    let profile = format!("/clientes/{}", ana.id);
    desk(&s).await;
    s.sign_in(OWNER_EMAIL).await;
    s.goto(&profile).await;

    // Más acciones → Bloquear perfil: an empty reason is said, then blocked.
    s.click("#mas-acciones summary").await;
    s.click("#bloquear button[type=submit]").await;
    s.find("#motivo-bloqueo-error").await;
    s.screenshot("1-reason-missing").await;
    phone(&s).await;
    fits(&s, "1-reason-missing-phone").await;
    desk(&s).await;
    s.fill("#motivo-bloqueo", "A pedido de la clienta (Ley 21.719)").await;
    s.click("#bloquear button[type=submit]").await;
    let banner = s.text_containing("#perfil-bloqueado", "bloqueado").await;
    assert!(banner.contains("A pedido de la clienta"), "{banner}");
    s.screenshot("2-blocked").await;
    phone(&s).await;
    fits(&s, "3-blocked-phone").await;

    // The professional neither finds it nor opens it.
    desk(&s).await;
    s.browser.delete_all_cookies().await.expect("signed out");
    s.sign_in(PRO_EMAIL).await;
    s.fill("#buscar", "ana perez").await;
    s.text_containing("#buscar-resultados", "Ningún cliente coincide").await;
    s.goto(&profile).await;
    s.text_containing("main", "No encontrado").await;
    s.screenshot("4-professional").await;

    // Unblocked by the owner, it is back for everyone.
    s.browser.delete_all_cookies().await.expect("signed out");
    s.sign_in(OWNER_EMAIL).await;
    s.goto(&profile).await;
    s.click("#perfil-bloqueado button[type=submit]").await;
    s.find("#mas-acciones").await;
    for _ in 0..50 {
        if s.browser.find(Locator::Css("#perfil-bloqueado")).await.is_err() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(s.browser.find(Locator::Css("#perfil-bloqueado")).await.is_err(), "the banner is gone");
    s.browser.delete_all_cookies().await.expect("signed out");
    s.sign_in(PRO_EMAIL).await;
    s.fill("#buscar", "ana perez").await;
    s.text_containing("#buscar-resultados .hit", "Ana Pérez").await;
    s.finish().await;
}
