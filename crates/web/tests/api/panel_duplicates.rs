//! Clientes → "Posibles duplicados" in-process: the link on Clientes, the
//! pairs side by side with their reasons in Spanish, the notice
//! on a profile with suggestions, "No es duplicado" (CSRF), and a
//! professional's view without blocked profiles.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::panel::{csrf, html, submit};

const LIST: &str = "/clientes/duplicados";
const DISMISS: &str = "/clientes/duplicados/descartar";

#[tokio::test]
async fn staff_see_the_pairs_and_dismiss_one_for_good() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let ana = app
        .create_client(
            &owner,
            json!({ "name": "Catalina González", "email": "cata@x.cl", "birth_date": "1990-04-23", "phone": "+56 9 6123 4567" }),
        )
        .await;
    let other = app
        .create_client(
            &owner,
            json!({ "name": "Gonzales Catalina", "email": "cata2@x.cl", "birth_date": "1990-04-23", "phone": "961234567" }),
        )
        .await;
    let lone = app.create_client(&owner, json!({ "name": "Luis Soto", "email": "luis@x.cl" })).await;
    let (ana, other, lone) =
        (ana["id"].as_str().unwrap_or(""), other["id"].as_str().unwrap_or(""), lone["id"].as_str().unwrap_or(""));

    let clients = app.get("/clientes").cookie(&owner).send().await;
    assert!(html(&clients).contains("href=\"/clientes/duplicados\""), "{}", html(&clients));
    assert!(
        html(&clients).contains("id=\"duplicados-cuenta\" title=\"Pares por revisar\">1</span>"),
        "the count beside the link"
    );

    let page = app.get(LIST).cookie(&owner).send().await;
    assert_eq!(page.status, StatusCode::OK);
    let text = html(&page).to_owned();
    assert!(text.contains("Mismo teléfono"), "{text}");
    assert!(text.contains("Misma fecha de nacimiento y nombre parecido"));
    assert!(text.contains("23-04-1990"), "birth dates the Chilean way");
    assert!(
        text.contains(&format!("href=\"/clientes/{ana}\"")) && text.contains(&format!("href=\"/clientes/{other}\""))
    );
    assert!(text.contains("No es duplicado"));

    // The profile says so, and links to its pairs; a profile without says nothing.
    let profile = app.get(&format!("/clientes/{ana}")).cookie(&owner).send().await;
    assert!(html(&profile).contains("Este cliente podría estar duplicado"));
    assert!(html(&profile).contains(&format!("href=\"/clientes/duplicados?cliente={ana}\"")));
    let single = app.get(&format!("/clientes/{lone}")).cookie(&owner).send().await;
    assert!(!html(&single).contains("podría estar duplicado"));
    let of_one = app.get(&format!("{LIST}?cliente={ana}")).cookie(&owner).send().await;
    assert!(html(&of_one).contains("Posibles duplicados de Catalina González"));

    // Without the form's token nothing happens.
    let token = csrf(&page);
    let forged = submit(&app, &owner, DISMISS, "falso", &[("a", ana), ("b", other)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(html(&app.get(LIST).cookie(&owner).send().await).contains("No es duplicado"));

    let volver = format!("{LIST}?cliente={ana}");
    let done = submit(&app, &owner, DISMISS, &token, &[("a", other), ("b", ana), ("volver", &volver)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    assert_eq!(done.header("location"), format!("{LIST}?cliente={ana}&descartado=1"));
    let after = app.get(done.header("location")).cookie(&owner).send().await;
    let text = html(&after);
    assert!(text.contains("ya no se sugerirá") && text.contains("No hay posibles duplicados."), "{text}");
    let profile = app.get(&format!("/clientes/{ana}")).cookie(&owner).send().await;
    assert!(!html(&profile).contains("podría estar duplicado"));
    let clients = app.get("/clientes").cookie(&owner).send().await;
    assert!(!html(&clients).contains("duplicados-cuenta"), "no pair left, no count");

    // Elsewhere is never where the form sends the user.
    let elsewhere =
        submit(&app, &owner, DISMISS, &token, &[("a", ana), ("b", other), ("volver", "https://example.com")]).await;
    assert_eq!(elsewhere.header("location"), format!("{LIST}?descartado=1"));
    app.finish().await;
}

#[tokio::test]
async fn professionals_never_see_a_blocked_profile_paired() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let pro = app.professional().await;
    let ana = app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "a@x.cl", "rut": "12345678-5" })).await;
    let twin = app.create_client(&owner, json!({ "name": "Ana Soto", "email": "b@x.cl", "rut": "12.345.678-5" })).await;
    let text = html(&app.get(LIST).cookie(&pro).send().await).to_owned();
    assert!(text.contains("Mismo RUT"), "{text}");
    let twin = twin["id"].as_str().unwrap_or("");
    let blocked = app
        .post(&format!("/api/v1/clients/{twin}/block"))
        .cookie(&owner)
        .json(json!({ "reason": "A pedido" }))
        .send()
        .await;
    assert_eq!(blocked.status, StatusCode::OK);
    let page = app.get(LIST).cookie(&pro).send().await;
    assert!(html(&page).contains("No hay posibles duplicados."));
    let ana = ana["id"].as_str().unwrap_or("");
    // Even where professionals may dismiss pairs, not one they cannot see.
    let allowed =
        app.put("/api/v1/settings/merges").cookie(&owner).json(json!({ "professionals_may_merge": true })).send().await;
    assert_eq!(allowed.status, StatusCode::OK);
    let forged = submit(&app, &pro, DISMISS, &csrf(&page), &[("a", ana), ("b", twin)]).await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);
    assert!(html(&app.get(LIST).cookie(&owner).send().await).contains("Mismo RUT"), "owners still see it");
    app.finish().await;
}
