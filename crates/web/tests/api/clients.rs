use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{OWNER_EMAIL, TestApp, start_time};

#[tokio::test]
async fn create_read_list_edit_delete() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;

    let created = app
        .post("/api/v1/clients")
        .cookie(&cookie)
        .json(json!({
            "name": "  María José   Núñez-Ortúzar ",
            "email": "MJ.Nunez@Mail.cl",
            "phone": "9 6123 4567",
            "rut": "12345678-5",
            "birth_date": "23-04-1990",
        }))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.header("etag"), "\"1\"");
    let id = created.body["id"].as_str().expect("id").to_owned();
    assert_eq!(created.header("location"), format!("/api/v1/clients/{id}"));
    assert_eq!(created.body["name"], "María José Núñez-Ortúzar");
    assert_eq!(created.body["phone"], "+56961234567");
    assert_eq!(created.body["phone_display"], "9 6123 4567");
    assert_eq!(created.body["rut"], "12345678-5");
    assert_eq!(created.body["rut_display"], "12.345.678-5");
    assert_eq!(created.body["birth_date"], "1990-04-23");
    assert_eq!(created.body["registered_at"], start_time().to_string());
    assert_eq!(created.body["last_booking_at"], serde_json::Value::Null);

    let read = app.get(&format!("/api/v1/clients/{id}")).cookie(&cookie).send().await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, created.body);

    let listed = app.get("/api/v1/clients").cookie(&cookie).send().await;
    assert_eq!(listed.body["total"], 1);
    assert_eq!(listed.body["items"][0]["id"], id.as_str());

    let edited = app
        .patch(&format!("/api/v1/clients/{id}"))
        .cookie(&cookie)
        .header("if-match", "\"1\"")
        .json(json!({ "phone": "+56 2 2345 6789", "rut": null }))
        .send()
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.header("etag"), "\"2\"");
    assert_eq!(edited.body["phone"], "+56223456789");
    assert_eq!(edited.body["rut"], serde_json::Value::Null);
    assert_eq!(edited.body["name"], "María José Núñez-Ortúzar", "untouched fields stay");

    let deleted = app.delete(&format!("/api/v1/clients/{id}")).cookie(&cookie).send().await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = app.get(&format!("/api/v1/clients/{id}")).cookie(&cookie).send().await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.code(), "not_found");
}

#[tokio::test]
async fn after_deletion_the_same_email_registers_again_and_starts_empty() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let old =
        app.create_client(&cookie, json!({ "name": "Ana Pérez", "email": "ana@mail.cl", "rut": "12.345.678-5" })).await;
    let old_id = old["id"].as_str().expect("id");
    app.delete(&format!("/api/v1/clients/{old_id}")).cookie(&cookie).send().await;

    let again = app.create_client(&cookie, json!({ "name": "Ana Pérez", "email": "Ana@Mail.cl" })).await;
    assert_ne!(again["id"], old["id"]);
    assert_eq!(again["rut"], serde_json::Value::Null);
    assert_eq!(again["version"], 1);
}

#[tokio::test]
async fn the_list_pages_and_sorts() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    for (i, name) in ["Zoe Ríos", "Álvaro Pérez", "ana soto", "Bea Núñez", "Carlos Muñoz"].iter().enumerate() {
        app.create_client(&cookie, json!({ "name": name, "email": format!("c{i}@mail.cl") })).await;
        app.clock.advance(jiff::SignedDuration::from_mins(1));
    }
    let first = app.get("/api/v1/clients?limit=2").cookie(&cookie).send().await;
    let names = |body: &serde_json::Value| -> Vec<String> {
        body["items"].as_array().expect("items").iter().map(|c| c["name"].as_str().unwrap_or("").to_owned()).collect()
    };
    assert_eq!(names(&first.body), ["Álvaro Pérez", "ana soto"]);
    assert_eq!(first.body["total"], 5);
    let cursor = first.body["next_cursor"].as_str().expect("more pages");
    let second = app.get(&format!("/api/v1/clients?limit=2&cursor={cursor}")).cookie(&cookie).send().await;
    assert_eq!(names(&second.body), ["Bea Núñez", "Carlos Muñoz"]);

    let newest = app.get("/api/v1/clients?sort=-registered_at&limit=1").cookie(&cookie).send().await;
    assert_eq!(names(&newest.body), ["Carlos Muñoz"]);
}

#[tokio::test]
async fn another_business_cannot_see_or_touch_a_client() {
    let app = TestApp::spawn().await;
    app.add_business("otra").await;
    let mine = app.owner().await;
    let theirs = app.login_as("otra", OWNER_EMAIL).await;
    let client = app.create_client(&mine, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
    let path = format!("/api/v1/clients/{}", client["id"].as_str().expect("id"));

    assert_eq!(app.get(&path).cookie(&theirs).send().await.status, StatusCode::NOT_FOUND);
    let patch = app.patch(&path).cookie(&theirs).header("if-match", "\"1\"").json(json!({ "name": "X" })).send().await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&path).cookie(&theirs).send().await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.client_count(&theirs).await, 0);

    let still = app.get(&path).cookie(&mine).send().await;
    assert_eq!(still.body["name"], "Ana Pérez");
    // The same email is free in the other business.
    app.create_client(&theirs, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
}

#[tokio::test]
async fn professionals_work_with_clients_too() {
    let app = TestApp::spawn().await;
    let professional = app.professional().await;
    app.create_client(&professional, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
    assert_eq!(app.client_count(&professional).await, 1);
}
