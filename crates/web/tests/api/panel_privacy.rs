//! Configuración → Aviso de privacidad (owners write, every changed text a
//! new version, the old ones kept) and sensitive custom fields (marked on
//! the profile, never told as what a search matched).

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;
use crate::panel::{csrf, html, submit};

const PAGE: &str = "/configuracion/privacidad";

#[tokio::test]
async fn owners_write_the_privacy_notice_and_every_version_stays() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let page = app.get(PAGE).cookie(&owner).send().await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(html(&page).contains("Vigente: versión 1 (aviso por defecto de Ficha"), "{}", html(&page));
    assert!(html(&page).contains("Aún no hay versiones guardadas"));
    let token = csrf(&page);
    // Blank: refused by the field, nothing saved.
    let blank = submit(&app, &owner, PAGE, &token, &[("texto", "  ")]).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&blank).contains("id=\"texto-error\""), "{}", html(&blank));
    let first = submit(&app, &owner, PAGE, &token, &[("texto", "Aviso de <b>la Clínica</b>.")]).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", html(&first));
    let second = submit(&app, &owner, PAGE, &token, &[("texto", "Segundo aviso.\nCon dos líneas.")]).await;
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    // The same text again is no new version.
    submit(&app, &owner, PAGE, &token, &[("texto", "Segundo aviso.\nCon dos líneas.")]).await;
    let page = app.get(&format!("{PAGE}?guardado=1")).cookie(&owner).send().await;
    let body = html(&page);
    assert!(body.contains("Aviso de privacidad guardado."));
    // Version 1 is the default (kept as it read); the owner's are 2 and 3.
    assert!(body.contains("Vigente: versión 3."), "{body}");
    assert!(body.contains("Versión 3 · 14-03-2026 09:00") && body.contains("Versión 2 · 14-03-2026 09:00"), "{body}");
    assert!(body.contains("Versión 1 · 14-03-2026 09:00 · Aviso por defecto de Ficha"), "{body}");
    assert!(
        body.contains("Aviso de &#60;b&#62;la Clínica&#60;/b&#62;.") || body.contains("Aviso de &lt;b&gt;la Clínica")
    );
    assert!(!body.contains("Versión 4"));
    // The booking site reads the new one.
    let site = app.store.business_by_slug("clinica").await.expect("read").expect("business");
    let actor = ficha_domain::Actor::System { business: site.id };
    let rules = ficha_domain::BookingRules { online: true, ..Default::default() };
    app.store.set_booking_rules(&actor, rules).await.expect("rules");
    let notice = app.get("/reservar/clinica/aviso-de-privacidad").send().await;
    assert!(html(&notice).contains("Segundo aviso.\nCon dos líneas."), "{}", html(&notice));
}

#[tokio::test]
async fn professionals_read_the_notice_but_cannot_change_it() {
    let app = TestApp::spawn().await;
    let pro = app.professional().await;
    let page = app.get(PAGE).cookie(&pro).send().await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!html(&page).contains("form-privacidad"), "no form for a professional");
    let refused = submit(&app, &pro, PAGE, &csrf(&page), &[("texto", "Otro aviso.")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let owner = app.owner().await;
    assert!(html(&app.get(PAGE).cookie(&owner).send().await).contains("Vigente: versión 1 (aviso por defecto"));
}

#[tokio::test]
async fn a_sensitive_field_is_marked_and_never_shown_as_what_matched() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let token = csrf(&app.get("/configuracion").cookie(&owner).send().await);
    let fields = [("etiqueta", "Diagnóstico"), ("tipo", "text"), ("sensible", "1")];
    let created = submit(&app, &owner, "/configuracion/campos", &token, &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", html(&created));
    assert!(html(&app.get("/configuracion").cookie(&owner).send().await).contains("Dato sensible</span>"));
    let listed = app.get("/api/v1/custom-fields").cookie(&owner).send().await;
    assert_eq!(listed.body["items"][0]["sensitive"], true, "{}", listed.body);
    let client = app.create_client(&owner, json!({ "name": "Rosa Díaz", "email": "rosa@mail.cl" })).await;
    let id = client["id"].as_str().expect("id");
    let saved = app
        .request(Method::PUT, &format!("/api/v1/clients/{id}/custom-values"))
        .cookie(&owner)
        .header("if-match", "\"1\"")
        .json(json!({ "values": { "diagnostico": "Lumbago crónico" } }))
        .send()
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let profile = app.get(&format!("/clientes/{id}")).cookie(&owner).send().await;
    assert!(html(&profile).contains("Diagnóstico <span class=\"sensitive-mark\">"), "{}", html(&profile));
    // Found by it, but the result never says by what.
    let panel = app.get("/buscar?q=lumbago").cookie(&owner).send().await;
    assert!(html(&panel).contains("Rosa Díaz"), "{}", html(&panel));
    assert!(!html(&panel).contains("Diagnóstico"), "{}", html(&panel));
    let api = app.get("/api/v1/clients?q=lumbago").cookie(&owner).send().await;
    assert_eq!(api.body["items"][0]["id"], id);
    assert_eq!(api.body["items"][0]["matched"], json!([]), "{}", api.body);
    // Unmarked through the API, it is told again.
    let field = listed.body["items"][0]["id"].as_str().expect("id");
    let patch = app.patch(&format!("/api/v1/custom-fields/{field}")).cookie(&owner).json(json!({ "sensitive": false }));
    assert_eq!(patch.send().await.status, StatusCode::OK);
    let api = app.get("/api/v1/clients?q=lumbago").cookie(&owner).send().await;
    assert_eq!(api.body["items"][0]["matched"], json!(["custom:Diagnóstico"]));
}
