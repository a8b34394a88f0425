//! Fusionar perfiles in Chromium (issue 13): at a desk and on a 375×812
//! phone, from "Posibles duplicados" to the side-by-side choices, the
//! merge, the absorbed address leading to the survivor, and "Deshacer
//! fusión" bringing the profile back. Screenshots in
//! `test-output/merge-*.png`.

use ficha_domain::NoteText;

use crate::harness::{OWNER_EMAIL, Session};

async fn fits(s: &Session, step: &str) {
    s.fits_the_width(step).await;
    s.screenshot(step).await;
}

#[tokio::test]
async fn two_profiles_of_one_person_are_merged_on_a_phone_and_the_merge_undone() {
    let Some(s) = Session::start("merge").await else { return };
    let ana = s.client("Ana Pérez Soto", "ana.perez@correo.cl", Some("9 6123 4567"), Some("12.345.678-5")).await;
    let anita = s.client("Ana Perez", "anita.perez.soto@otrocorreo.cl", Some("9 8765 4321"), Some("12345678-5")).await;
    let note = NoteText::parse("Prefiere atención en la tarde").expect("note");
    s.store.add_note(&s.business, anita.id, note).await.expect("note");
    s.sign_in(OWNER_EMAIL).await;
    let (first, second) = if ana.id < anita.id { (&ana, &anita) } else { (&anita, &ana) };

    // At a desk: the pair in Posibles duplicados, then side by side.
    s.browser.set_window_size(1280, 900).await.expect("desk");
    s.goto("/clientes/duplicados").await;
    s.click(&format!("a[href='/clientes/{}/fusionar?con={}']", first.id, second.id)).await;
    s.find("#fusionar").await;
    assert!(s.text("#elegir-campo_email").await.contains("anita.perez.soto@otrocorreo.cl"));
    assert!(s.text("#se-mueve").await.contains("1 nota"));
    fits(&s, "1-desk").await;
    // The profile to keep is Ana Pérez Soto's: swap if the pair came the other way.
    if first.id != ana.id {
        s.click("#intercambiar").await;
        s.text_containing("#queda", "Ana Pérez Soto").await;
    }

    // On a phone: the same page, nothing scrolling sideways.
    s.browser.set_window_size(375, 812).await.expect("phone");
    s.goto(&format!("/clientes/{}/fusionar?con={}", ana.id, anita.id)).await;
    fits(&s, "2-phone").await;
    // Keep the other profile's phone: the whole option is the target.
    s.click("#elegir-campo_phone label:nth-of-type(2)").await;
    let checked = s
        .browser
        .execute("return document.querySelector('#elegir-campo_phone input[value=absorbed]').checked", vec![])
        .await
        .expect("script");
    assert_eq!(checked, serde_json::json!(true));
    s.browser
        .execute("document.getElementById('confirmar-fusion').scrollIntoView({block: 'center'})", vec![])
        .await
        .expect("scrolled");
    fits(&s, "3-phone-choices").await;
    s.click("#confirmar-fusion").await;

    // The survivor, with everything, and the way back.
    s.text_containing("#aviso-fusion", "Perfiles fusionados").await;
    assert_eq!(s.path().await, format!("/clientes/{}", ana.id));
    assert!(s.text("#cabecera-telefono").await.contains("9 8765 4321"));
    s.text_containing("#lista-notas", "Prefiere atención en la tarde").await;
    fits(&s, "4-phone-merged").await;

    // The absorbed profile's address leads to the survivor.
    s.goto(&format!("/clientes/{}", anita.id)).await;
    s.find("#fusiones").await;
    assert_eq!(s.path().await, format!("/clientes/{}", ana.id));

    // Deshacer fusión: the profile comes back with its own data.
    s.click("#fusiones .merge-undo button").await;
    s.text_containing(".alert.ok", "Fusión deshecha").await;
    assert_eq!(s.path().await, format!("/clientes/{}", anita.id));
    assert!(s.text("#cabecera-correo").await.contains("anita.perez.soto@otrocorreo.cl"));
    s.text_containing("#lista-notas", "Prefiere atención en la tarde").await;
    fits(&s, "5-phone-undone").await;
    s.finish().await;
}
