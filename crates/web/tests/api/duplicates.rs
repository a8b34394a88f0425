//! Posibles duplicados through the API: the pairs with their reasons and
//! score, "No es duplicado", per-field problems, and a professional's view
//! without blocked profiles; a custom field marked identifying, through
//! the API and Configuración.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, on_both_backends};

on_both_backends!(
    pairs_are_listed_with_reasons_and_dismissed_for_good,
    professionals_never_see_blocked_profiles_paired,
    a_field_marked_identifying_pairs_one_value_and_a_similar_name
);

async fn pairs_are_listed_with_reasons_and_dismissed_for_good(app: &TestApp) {
    let owner = app.owner().await;
    let ana =
        app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@x.cl", "rut": "12.345.678-5" })).await;
    let anita =
        app.create_client(&owner, json!({ "name": "Anita Pérez", "email": "anita@x.cl", "rut": "12345678-5" })).await;
    app.create_client(&owner, json!({ "name": "Luis Soto", "email": "luis@x.cl", "rut": "11.111.111-1" })).await;

    let listed = app.get("/api/v1/clients/duplicates").cookie(&owner).send().await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let items = listed.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{}", listed.body);
    let mut pair = [items[0]["a"]["id"].clone(), items[0]["b"]["id"].clone()];
    pair.sort_by_key(|v| v.as_str().unwrap_or("").to_owned());
    let mut expected = [ana["id"].clone(), anita["id"].clone()];
    expected.sort_by_key(|v| v.as_str().unwrap_or("").to_owned());
    assert_eq!(pair, expected);
    assert_eq!((&items[0]["reasons"], &items[0]["score"]), (&json!(["same_rut"]), &json!(100)));
    assert_eq!(listed.body["next_cursor"], json!(null));

    let bad = app.get("/api/v1/clients/duplicates?limit=0&cursor=zz").cookie(&owner).send().await;
    assert_eq!((bad.status, bad.code()), (StatusCode::BAD_REQUEST, "invalid_query"));
    assert_eq!(bad.field_errors(), ["limit:out_of_range", "cursor:bad_cursor"]);

    let dismiss = |body| app.post("/api/v1/clients/duplicates/dismiss").cookie(&owner).json(body);
    let same = dismiss(json!({ "client_a": ana["id"], "client_b": ana["id"] })).send().await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", same.body);
    assert_eq!(same.field_errors(), ["client_b:same_client"]);
    assert_eq!(
        same.body["errors"][0]["message"],
        "Indica dos clientes distintos: un cliente no es duplicado de sí mismo."
    );
    let wrong = dismiss(json!({ "client_a": "no", "extra": 1 })).send().await;
    assert_eq!(wrong.field_errors(), ["extra:unknown_field", "client_a:not_an_id", "client_b:required"]);
    let unknown =
        dismiss(json!({ "client_a": ana["id"], "client_b": "0190a000-0000-7000-8000-000000000000" })).send().await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let listed = app.get("/api/v1/clients/duplicates").cookie(&owner).send().await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1), "nothing changed");

    let done = dismiss(json!({ "client_a": anita["id"], "client_b": ana["id"] })).send().await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
    let listed = app.get("/api/v1/clients/duplicates").cookie(&owner).send().await;
    assert_eq!(listed.body["items"], json!([]));
    // `/clients/duplicates` is not read as a client id.
    let one = app.get(&format!("/api/v1/clients/{}", ana["id"].as_str().unwrap_or(""))).cookie(&owner).send().await;
    assert_eq!(one.status, StatusCode::OK);
}

async fn professionals_never_see_blocked_profiles_paired(app: &TestApp) {
    let owner = app.owner().await;
    let pro = app.professional().await;
    app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@x.cl", "phone": "+56 9 6123 4567" })).await;
    let other =
        app.create_client(&owner, json!({ "name": "Rosa Vera", "email": "rosa@x.cl", "phone": "961234567" })).await;
    let listed = app.get("/api/v1/clients/duplicates").cookie(&pro).send().await;
    assert_eq!(listed.body["items"][0]["reasons"], json!(["same_phone"]), "{}", listed.body);
    let id = other["id"].as_str().unwrap_or("");
    let blocked = app
        .post(&format!("/api/v1/clients/{id}/block"))
        .cookie(&owner)
        .json(json!({ "reason": "A pedido" }))
        .send()
        .await;
    assert_eq!(blocked.status, StatusCode::OK);
    let listed = app.get("/api/v1/clients/duplicates").cookie(&pro).send().await;
    assert_eq!(listed.body["items"], json!([]));
    let listed = app.get("/api/v1/clients/duplicates").cookie(&owner).send().await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));
}

async fn a_field_marked_identifying_pairs_one_value_and_a_similar_name(app: &TestApp) {
    let owner = app.owner().await;
    let field = json!({ "key": "ficha", "label": "N° de ficha", "kind": "text", "identifying": true });
    let created = app.post("/api/v1/custom-fields").cookie(&owner).json(field).send().await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["identifying"], true);
    for (name, email) in [("Ana Pérez", "ana@x.cl"), ("Ana Peres", "ana2@x.cl"), ("Luis Soto", "luis@x.cl")] {
        let client = app.create_client(&owner, json!({ "name": name, "email": email })).await;
        let id = client["id"].as_str().expect("id");
        let saved = app
            .request(axum::http::Method::PUT, &format!("/api/v1/clients/{id}/custom-values"))
            .cookie(&owner)
            .header("if-match", "\"1\"")
            .json(json!({ "values": { "ficha": "F-120" } }))
            .send()
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    }
    let listed = app.get("/api/v1/clients/duplicates").cookie(&owner).send().await;
    let items = listed.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "Luis Soto shares the value, not the name: {}", listed.body);
    assert_eq!(items[0]["reasons"], json!(["identifying_field_and_name"]));
    assert_eq!(items[0]["score"], 80);
    let clientes = app.get("/clientes/duplicados").cookie(&owner).send().await;
    assert!(crate::panel::html(&clientes).contains("Mismo dato identificador y nombre parecido"));
    let settings = app.get("/configuracion").cookie(&owner).send().await;
    assert!(crate::panel::html(&settings).contains("identifica al cliente</span>"));

    // Unmarked, the value pairs nobody.
    let id = created.body["id"].as_str().expect("id");
    let patch = app.patch(&format!("/api/v1/custom-fields/{id}")).cookie(&owner).json(json!({ "identifying": false }));
    assert_eq!(patch.send().await.status, StatusCode::OK);
    let listed = app.get("/api/v1/clients/duplicates").cookie(&owner).send().await;
    assert_eq!(listed.body["items"], json!([]));
}
