//! `GET /clients?q=`: search through the API.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn search_finds_by_name_phone_and_rut_and_says_what_matched() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    app.create_client(
        &cookie,
        json!({ "name": "María José Muñoz Pérez", "email": "mj@mail.cl", "phone": "+56 9 6123 5678", "rut": "12.345.678-5" }),
    )
    .await;
    app.create_client(&cookie, json!({ "name": "Valentina Pérez", "email": "vale@mail.cl" })).await;

    let search = |q: &str| app.get(&format!("/api/v1/clients?q={q}")).cookie(&cookie).send();
    let by_name = search("munoz").await;
    assert_eq!(by_name.status, StatusCode::OK);
    assert_eq!(by_name.body["items"][0]["name"], "María José Muñoz Pérez");
    assert_eq!(by_name.body["items"][0]["matched"], json!(["name"]));

    let by_tail = search("5678").await;
    assert_eq!(by_tail.body["items"][0]["matched"], json!(["phone"]));
    let by_rut = search("12345678").await;
    assert_eq!(by_rut.body["items"][0]["matched"], json!(["rut"]));
    let typo = search("Peres").await;
    assert_eq!(typo.body["items"].as_array().map(Vec::len), Some(2), "{}", typo.body);
}

#[tokio::test]
async fn search_pages_with_its_cursor() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    for i in 0..7 {
        app.create_client(&cookie, json!({ "name": format!("Paciente {i}"), "email": format!("p{i}@mail.cl") })).await;
    }
    let first = app.get("/api/v1/clients?q=paciente&limit=5").cookie(&cookie).send().await;
    assert_eq!(first.body["items"].as_array().map(Vec::len), Some(5));
    let cursor = first.body["next_cursor"].as_str().expect("more");
    let second = app.get(&format!("/api/v1/clients?q=paciente&limit=5&cursor={cursor}")).cookie(&cookie).send().await;
    assert_eq!(second.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(second.body["next_cursor"], serde_json::Value::Null);
}

#[tokio::test]
async fn over_long_or_symbol_only_queries_never_fail() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    app.create_client(&cookie, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;

    let long = app.get(&format!("/api/v1/clients?q={}", "a".repeat(201))).cookie(&cookie).send().await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
    assert_eq!(long.field_errors(), ["q:too_long"]);

    for q in ["%22", "*", "%22*()%5E:", "NEAR(", "OR", "-"] {
        let response = app.get(&format!("/api/v1/clients?q={q}")).cookie(&cookie).send().await;
        assert_eq!(response.status, StatusCode::OK, "{q}: {}", response.body);
        assert!(response.body["items"].as_array().is_some_and(Vec::is_empty), "{q}: {}", response.body);
    }
    let bad_cursor = app.get("/api/v1/clients?q=ana&cursor=zzz").cookie(&cookie).send().await;
    assert_eq!(bad_cursor.field_errors(), ["cursor:bad_cursor"]);
}

#[tokio::test]
async fn search_never_shows_another_business() {
    let app = TestApp::spawn().await;
    app.add_business("otra").await;
    let mine = app.owner().await;
    let theirs = app.login_as("otra", crate::helpers::OWNER_EMAIL).await;
    app.create_client(&mine, json!({ "name": "Ana Pérez", "email": "ana@mail.cl", "phone": "961234567" })).await;
    for q in ["ana", "perez", "4567", "ana@mail"] {
        let response = app.get(&format!("/api/v1/clients?q={q}")).cookie(&theirs).send().await;
        assert!(response.body["items"].as_array().is_some_and(Vec::is_empty), "{q}");
    }
}
