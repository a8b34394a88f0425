//! Calendario → "Tu calendario en el teléfono" in the panel: a refused empty
//! name says why in Spanish and saves nothing; a new subscription's address
//! is shown once and works; "Revocar" ends it. Configuración → Calendario en
//! el teléfono is the owners' choice of full names.

use axum::http::StatusCode;
use ficha_domain::Actor;

use crate::helpers::{TestApp, TestResponse};
use crate::panel::{csrf, html, submit};

const PAGE: &str = "/calendario/suscripciones";

/// The feed's path inside the page's copy field.
fn shown_path(page: &TestResponse) -> Option<String> {
    let html = html(page);
    let start = html.find("/calendario.ics/")?;
    Some(html[start..].split('"').next().expect("attribute").to_owned())
}

#[tokio::test]
async fn a_professional_creates_sees_the_address_once_and_revokes() {
    let app = TestApp::spawn().await;
    let pro = app.professional().await;
    let calendar = app.get("/calendario").cookie(&pro).send().await;
    assert!(html(&calendar).contains("href=\"/calendario/suscripciones\""), "Calendario links to the page");

    let page = app.get(PAGE).cookie(&pro).send().await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(html(&page).contains("Aún no tienes suscripciones."));
    let token = csrf(&page);

    let refused = submit(&app, &pro, PAGE, &token, &[("nombre", "   ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&refused).contains("Escribe un nombre para reconocer esta suscripción, por ejemplo «iPhone»."));
    assert!(shown_path(&refused).is_none());
    assert!(html(&refused).contains("Aún no tienes suscripciones."), "nothing saved");

    let created = submit(&app, &pro, PAGE, &token, &[("nombre", "iPhone de Pedro")]).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert!(html(&created).contains("Suscripción «iPhone de Pedro» creada"));
    assert!(html(&created).contains("no se vuelve a mostrar"));
    let path = shown_path(&created).expect("the address, once");
    assert!(html(&created).contains(&format!("href=\"webcal://localhost{path}\"")), "{}", html(&created));
    let feed = app.get(&path).send().await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(feed.header("content-type"), "text/calendar; charset=utf-8");

    let later = app.get(PAGE).cookie(&pro).send().await;
    assert!(shown_path(&later).is_none(), "the address is not shown again");
    assert!(html(&later).contains("iPhone de Pedro"));
    // Created and last used (the read above), in the business's time.
    assert_eq!(html(&later).matches("\">14-03-2026 09:00</td>").count(), 2, "{}", html(&later));

    let id = html(&later).split("/calendario/suscripciones/").nth(1).and_then(|s| s.split('/').next()).expect("id");
    let revoked = submit(&app, &pro, &format!("{PAGE}/{id}/revocar"), &token, &[]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(revoked.header("location"), "/calendario/suscripciones?revocada=1");
    let after = app.get("/calendario/suscripciones?revocada=1").cookie(&pro).send().await;
    assert!(html(&after).contains("Suscripción revocada"));
    assert!(html(&after).contains("Aún no tienes suscripciones."));
    assert_eq!(app.get(&path).send().await.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

#[tokio::test]
async fn full_names_are_the_owners_choice_in_configuracion() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let pro = app.professional().await;
    let page = app.get("/configuracion/calendario").cookie(&owner).send().await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(html(&page).contains("Mostrar el nombre completo del cliente en vez de sus iniciales"));
    assert!(!html(&page).contains("checked"), "initials by default");

    let by_pro = app.get("/configuracion/calendario").cookie(&pro).send().await;
    assert!(html(&by_pro).contains("disabled"), "professionals see it read-only");
    let refused = submit(&app, &pro, "/configuracion/calendario", &csrf(&by_pro), &[("nombres_completos", "1")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let saved = submit(&app, &owner, "/configuracion/calendario", &csrf(&page), &[("nombres_completos", "1")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let business = app.store.business_by_slug("clinica").await.expect("read").expect("business");
    assert!(app.store.feed_full_names(&Actor::System { business: business.id }).await.expect("read"));
    let page = app.get("/configuracion/calendario?guardado=1").cookie(&owner).send().await;
    assert!(html(&page).contains("checked"));
    let cleared = submit(&app, &owner, "/configuracion/calendario", &csrf(&page), &[]).await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER);
    assert!(!app.store.feed_full_names(&Actor::System { business: business.id }).await.expect("read"));
    app.finish().await;
}
