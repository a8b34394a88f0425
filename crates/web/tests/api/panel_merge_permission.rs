//! "Los profesionales pueden fusionar perfiles" in the panel: Configuración
//! → Fusión de perfiles (owners change it; professionals see it
//! read-only), and a professional's merge controls — "Fusionar…" and "No
//! es duplicado" on Posibles duplicados, "Fusionar con otro cliente…" on
//! the profile, the merge page itself — shown and working only while it
//! is on. "Deshacer fusión" stays the owners'.

use axum::http::StatusCode;
use ficha_domain::Actor;
use serde_json::json;

use crate::helpers::TestApp;
use crate::panel::{csrf, html, submit};

const SETTINGS: &str = "/configuracion/fusiones";

#[tokio::test]
async fn owners_choose_in_configuracion_and_professionals_read_it() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let pro = app.professional().await;
    let page = app.get(SETTINGS).cookie(&owner).send().await;
    assert_eq!(page.status, StatusCode::OK);
    let text = html(&page).to_owned();
    assert!(text.contains("Los profesionales pueden fusionar perfiles"), "{text}");
    assert!(!text.contains("checked"), "off by default");
    assert!(text.contains("id=\"conf-fusiones\" aria-current=\"page\""), "its tab in Configuración");

    let by_pro = app.get(SETTINGS).cookie(&pro).send().await;
    assert_eq!(by_pro.status, StatusCode::OK);
    assert!(html(&by_pro).contains("disabled"), "professionals see it read-only");
    let refused = submit(&app, &pro, SETTINGS, &csrf(&by_pro), &[("profesionales_fusionan", "1")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let business = app.store.business_by_slug("clinica").await.expect("read").expect("business");
    let system = Actor::System { business: business.id };
    assert!(!app.store.professionals_may_merge(&system).await.expect("read"), "nothing changed");

    let saved = submit(&app, &owner, SETTINGS, &csrf(&page), &[("profesionales_fusionan", "1")]).await;
    assert_eq!((saved.status, saved.header("location")), (StatusCode::SEE_OTHER, "/configuracion/fusiones?guardado=1"));
    assert!(app.store.professionals_may_merge(&system).await.expect("read"));
    let page = app.get("/configuracion/fusiones?guardado=1").cookie(&owner).send().await;
    assert!(html(&page).contains("Preferencia de fusión de perfiles guardada.") && html(&page).contains("checked"));
    let cleared = submit(&app, &owner, SETTINGS, &csrf(&page), &[]).await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER);
    assert!(!app.store.professionals_may_merge(&system).await.expect("read"));
    app.finish().await;
}

#[tokio::test]
async fn a_professional_sees_and_uses_fusionar_only_while_allowed() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let pro = app.professional().await;
    let ana =
        app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@mail.cl", "rut": "12345678-5" })).await;
    let twin = app
        .create_client(&owner, json!({ "name": "Ana Perez", "email": "anita@otro.cl", "rut": "12.345.678-5" }))
        .await;
    let (ana, twin) = (ana["id"].as_str().unwrap_or("").to_owned(), twin["id"].as_str().unwrap_or("").to_owned());
    let merge_link = format!("/clientes/{ana}/fusionar?con={twin}");
    let profile_link = format!("href=\"/clientes/{ana}/fusionar\"");
    let merge_path = format!("/clientes/{ana}/fusionar");

    // Off: the pair is listed, without its buttons; no link on the profile;
    // the page and its form refuse.
    let list = app.get("/clientes/duplicados").cookie(&pro).send().await;
    let text = html(&list).to_owned();
    assert!(text.contains("Mismo RUT"), "{text}");
    assert!(!text.contains("Fusionar…") && !text.contains("No es duplicado</button>"), "{text}");
    assert!(text.contains("Los dueños del negocio pueden fusionarlos"), "{text}");
    let profile = app.get(&format!("/clientes/{ana}")).cookie(&pro).send().await;
    assert!(!html(&profile).contains(&profile_link), "{}", html(&profile));
    assert_eq!(app.get(&merge_link).cookie(&pro).send().await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&merge_path).cookie(&pro).send().await.status, StatusCode::FORBIDDEN, "nor its search");
    let token = csrf(&profile);
    let choices = [("con", twin.as_str()), ("campo_name", "survivor"), ("campo_email", "survivor")];
    let forged = submit(&app, &pro, &merge_path, &token, &choices).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let dismissed = submit(&app, &pro, "/clientes/duplicados/descartar", &token, &[("a", &ana), ("b", &twin)]).await;
    assert_eq!(dismissed.status, StatusCode::FORBIDDEN);
    // Owners see both buttons all along.
    let by_owner = html(&app.get("/clientes/duplicados").cookie(&owner).send().await).to_owned();
    assert!(by_owner.contains("Fusionar…") && by_owner.contains("No es duplicado</button>"), "{by_owner}");

    // On: the buttons and the link appear, and the merge goes through.
    let settings = app.get(SETTINGS).cookie(&owner).send().await;
    submit(&app, &owner, SETTINGS, &csrf(&settings), &[("profesionales_fusionan", "1")]).await;
    let text = html(&app.get("/clientes/duplicados").cookie(&pro).send().await).to_owned();
    assert!(text.contains(&format!("href=\"{merge_link}\"")) && text.contains("No es duplicado</button>"), "{text}");
    let profile = app.get(&format!("/clientes/{ana}")).cookie(&pro).send().await;
    assert!(html(&profile).contains(&profile_link));
    let page = app.get(&merge_link).cookie(&pro).send().await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(html(&page).contains("Fusionar perfiles"));
    let done = submit(&app, &pro, &merge_path, &csrf(&page), &choices).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    let merged = app.get(done.header("location")).cookie(&pro).send().await;
    let text = html(&merged).to_owned();
    assert!(text.contains("Perfiles fusionados"), "{text}");
    assert!(!text.contains("Deshacer fusión"), "undo stays the owners'");
    let by_owner = app.get(done.header("location")).cookie(&owner).send().await;
    assert!(html(&by_owner).contains("Deshacer fusión") && html(&by_owner).contains("Persona de Prueba"));
    app.finish().await;
}
