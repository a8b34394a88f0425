//! Fusionar perfiles in-process: from "Posibles duplicados" and from the
//! profile's Más acciones (search for the other one), the side-by-side
//! choices, the counts of what moves, the merge (CSRF, owners only), the
//! absorbed address leading to the survivor, and "Deshacer fusión".

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::panel::{csrf, html, submit};

#[tokio::test]
async fn an_owner_merges_two_profiles_side_by_side_and_undoes_it() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let ana = app
        .create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@mail.cl", "phone": "+56 9 6123 4567" }))
        .await;
    let anita = app
        .create_client(
            &owner,
            json!({ "name": "Ana Pérez", "email": "anita@otro.cl", "phone": "987654321", "rut": "12.345.678-5" }),
        )
        .await;
    let (ana, anita) = (ana["id"].as_str().unwrap_or("").to_owned(), anita["id"].as_str().unwrap_or("").to_owned());
    let note = app
        .post(&format!("/api/v1/clients/{anita}/notes"))
        .cookie(&owner)
        .json(json!({ "text": "Prefiere la tarde" }))
        .send()
        .await;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.body);

    // Más acciones leads to the page, which finds the other profile.
    let profile = app.get(&format!("/clientes/{ana}")).cookie(&owner).send().await;
    assert!(html(&profile).contains(&format!("href=\"/clientes/{ana}/fusionar\"")), "{}", html(&profile));
    let search = app.get(&format!("/clientes/{ana}/fusionar?q=anita")).cookie(&owner).send().await;
    assert_eq!(search.status, StatusCode::OK);
    assert!(html(&search).contains(&format!("href=\"/clientes/{ana}/fusionar?con={anita}\"")), "{}", html(&search));
    let by_id = app.get(&format!("/clientes/{ana}/fusionar?q={anita}")).cookie(&owner).send().await;
    assert_eq!(by_id.header("location"), format!("/clientes/{ana}/fusionar?con={anita}"));

    // Side by side: a choice where they differ, the rest said plainly.
    let page = app.get(&format!("/clientes/{ana}/fusionar?con={anita}")).cookie(&owner).send().await;
    assert_eq!(page.status, StatusCode::OK);
    let text = html(&page).to_owned();
    assert!(text.contains("id=\"elegir-campo_email\"") && text.contains("id=\"elegir-campo_phone\""), "{text}");
    assert!(text.contains("id=\"igual-campo_name\"") && text.contains("igual en ambos"), "{text}");
    assert!(text.contains("id=\"igual-campo_rut\"") && text.contains("12.345.678-5"), "{text}");
    assert!(text.contains("1 nota</li>"), "{text}");
    assert!(text.contains("Fusionar perfiles"));

    // Professionals cannot; a form without its token does nothing.
    let pro = app.professional().await;
    let refused = app.get(&format!("/clientes/{ana}/fusionar?con={anita}")).cookie(&pro).send().await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let path = format!("/clientes/{ana}/fusionar");
    let forged = submit(&app, &owner, &path, "falso", &[("con", &anita)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // A choice missing (a form without the radios) is asked for again.
    let token = csrf(&page);
    let missing = submit(&app, &owner, &path, &token, &[("con", &anita), ("campo_email", "survivor")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&missing).contains("Elige qué valor conservar en cada campo marcado."), "{}", html(&missing));
    assert!(html(&missing).contains("merge-choice missing\" id=\"elegir-campo_phone\""), "{}", html(&missing));

    let done = submit(
        &app,
        &owner,
        &path,
        &token,
        &[("con", &anita), ("campo_email", "survivor"), ("campo_phone", "absorbed")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", html(&done));
    assert_eq!(done.header("location"), format!("/clientes/{ana}?guardado=fusionado#fusiones"));
    let merged = app.get(done.header("location")).cookie(&owner).send().await;
    let text = html(&merged).to_owned();
    assert!(text.contains("Perfiles fusionados"), "{text}");
    assert!(text.contains("9 8765 4321") && text.contains("Prefiere la tarde"), "{text}");
    assert!(text.contains("Deshacer fusión") && text.contains("anita@otro.cl"), "{text}");
    assert!(text.contains("Fusionado: absorbió el perfil"), "the history says it: {text}");
    // The professional sees the merged profile but no undo.
    let seen = app.get(&format!("/clientes/{ana}")).cookie(&pro).send().await;
    assert!(!html(&seen).contains("Deshacer fusión"));

    // The absorbed address leads to the survivor.
    let old = app.get(&format!("/clientes/{anita}")).cookie(&owner).send().await;
    assert_eq!(old.status, StatusCode::SEE_OTHER);
    assert_eq!(old.header("location"), format!("/clientes/{ana}"));

    // Deshacer fusión brings it back.
    let token = csrf(&merged);
    let undo_path = text
        .split("action=\"/fusiones/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|rest| format!("/fusiones/{rest}"))
        .expect("the undo form");
    let undone = submit(&app, &owner, &undo_path, &token, &[]).await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER);
    assert_eq!(undone.header("location"), format!("/clientes/{anita}?guardado=separado#arriba"));
    let back = app.get(&format!("/clientes/{anita}")).cookie(&owner).send().await;
    let text = html(&back);
    assert!(
        text.contains("Fusión deshecha") && text.contains("Prefiere la tarde") && text.contains("anita@otro.cl"),
        "{text}"
    );
    let again = submit(&app, &owner, &undo_path, &token, &[]).await;
    assert_eq!(again.header("location"), format!("/clientes/{ana}?guardado=fusion-deshecha#fusiones"));
    let said = app.get(again.header("location")).cookie(&owner).send().await;
    assert!(html(&said).contains("Esa fusión ya se había deshecho."));
    app.finish().await;
}

#[tokio::test]
async fn a_pair_of_possible_duplicates_is_merged_from_its_list() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let a =
        app.create_client(&owner, json!({ "name": "Rosa Vera", "email": "rosa@x.cl", "rut": "11.111.111-1" })).await;
    let b =
        app.create_client(&owner, json!({ "name": "Rosa Vera M.", "email": "rosa2@x.cl", "rut": "11111111-1" })).await;
    let (a, b) = (a["id"].as_str().unwrap_or(""), b["id"].as_str().unwrap_or(""));
    let (first, second) = if a < b { (a, b) } else { (b, a) };
    let list = app.get("/clientes/duplicados").cookie(&owner).send().await;
    assert!(html(&list).contains(&format!("href=\"/clientes/{first}/fusionar?con={second}\"")), "{}", html(&list));
    let pro = app.professional().await;
    let list = app.get("/clientes/duplicados").cookie(&pro).send().await;
    assert!(!html(&list).contains("/fusionar?con="), "professionals do not merge");
    app.finish().await;
}
