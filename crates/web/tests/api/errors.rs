//! Bad input gets a precise answer and changes nothing; never a 500.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn app_with_client() -> (TestApp, String, Value) {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let client =
        app.create_client(&cookie, json!({ "name": "Ana Pérez", "email": "ana@mail.cl", "rut": "12.345.678-5" })).await;
    (app, cookie, client)
}

fn path_of(client: &Value) -> String {
    format!("/api/v1/clients/{}", client["id"].as_str().expect("id"))
}

#[tokio::test]
async fn a_bad_rut_is_refused_with_its_reason() {
    let (app, cookie, _) = app_with_client().await;
    let response = app
        .post("/api/v1/clients")
        .cookie(&cookie)
        .json(json!({ "name": "Bea Soto", "email": "bea@mail.cl", "rut": "12.345.678-9" }))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.header("content-type"), "application/problem+json");
    assert_eq!(response.code(), "validation_failed");
    assert_eq!(response.field_errors(), ["rut:rut_check_digit"]);
    assert_eq!(
        response.body["errors"][0]["message"],
        "El dígito verificador del RUT no corresponde al número. Revisa que esté bien escrito."
    );
    assert_eq!(app.client_count(&cookie).await, 1, "nothing was created");

    let malformed = app
        .post("/api/v1/clients")
        .cookie(&cookie)
        .json(json!({ "name": "Bea Soto", "email": "bea@mail.cl", "rut": "12.3a5.678-5" }))
        .send()
        .await;
    assert_eq!(malformed.field_errors(), ["rut:rut_format"]);
}

#[tokio::test]
async fn every_bad_field_is_reported_at_once() {
    let (app, cookie, _) = app_with_client().await;
    let response = app
        .post("/api/v1/clients")
        .cookie(&cookie)
        .json(json!({
            "name": "x".repeat(121),
            "email": "bea@",
            "phone": "123",
            "birth_date": "2999-01-01",
            "favourite_colour": "azul",
        }))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut errors = response.field_errors();
    errors.sort();
    assert_eq!(
        errors,
        [
            "birth_date:date_in_future",
            "email:email_invalid",
            "favourite_colour:unknown_field",
            "name:too_long",
            "phone:phone_invalid",
        ]
    );
    assert_eq!(app.client_count(&cookie).await, 1);
}

#[tokio::test]
async fn missing_required_fields_and_wrong_types_are_named() {
    let (app, cookie, _) = app_with_client().await;
    let response =
        app.post("/api/v1/clients").cookie(&cookie).json(json!({ "name": 42, "phone": ["9 6123 4567"] })).send().await;
    let mut errors = response.field_errors();
    errors.sort();
    assert_eq!(errors, ["email:required", "name:not_text", "phone:not_text"]);
}

#[tokio::test]
async fn a_duplicate_email_is_a_conflict_naming_the_existing_profile() {
    let (app, cookie, ana) = app_with_client().await;
    let response = app
        .post("/api/v1/clients")
        .cookie(&cookie)
        .json(json!({ "name": "Ana P.", "email": " ANA@mail.CL" }))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(response.code(), "email_taken");
    assert_eq!(response.body["existing_client_id"], ana["id"]);
    assert_eq!(response.body["existing_client"], path_of(&ana));
    assert!(response.body["detail"].as_str().unwrap_or("").contains("une los perfiles"));
    assert_eq!(app.client_count(&cookie).await, 1);

    let bea = app.create_client(&cookie, json!({ "name": "Bea Soto", "email": "bea@mail.cl" })).await;
    let edit = app
        .patch(&path_of(&bea))
        .cookie(&cookie)
        .header("if-match", "\"1\"")
        .json(json!({ "email": "ana@mail.cl" }))
        .send()
        .await;
    assert_eq!(edit.status, StatusCode::CONFLICT);
    assert_eq!(edit.body["existing_client_id"], ana["id"]);
}

#[tokio::test]
async fn a_stale_if_match_is_refused_and_shows_the_current_data() {
    let (app, cookie, client) = app_with_client().await;
    let path = path_of(&client);
    let first =
        app.patch(&path).cookie(&cookie).header("if-match", "\"1\"").json(json!({ "name": "Ana Uno" })).send().await;
    assert_eq!(first.status, StatusCode::OK);

    let second =
        app.patch(&path).cookie(&cookie).header("if-match", "\"1\"").json(json!({ "name": "Ana Dos" })).send().await;
    assert_eq!(second.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(second.code(), "stale_version");
    assert_eq!(second.body["current"]["name"], "Ana Uno");
    assert_eq!(second.body["current"]["version"], 2);
    assert_eq!(app.get(&path).cookie(&cookie).send().await.body["name"], "Ana Uno");
}

#[tokio::test]
async fn an_edit_without_if_match_is_refused() {
    let (app, cookie, client) = app_with_client().await;
    let response = app.patch(&path_of(&client)).cookie(&cookie).json(json!({ "name": "Otra" })).send().await;
    assert_eq!(response.status, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(response.code(), "if_match_required");
    assert_eq!(app.get(&path_of(&client)).cookie(&cookie).send().await.body["name"], "Ana Pérez");
}

#[tokio::test]
async fn writing_a_read_only_field_is_refused_by_name() {
    let (app, cookie, client) = app_with_client().await;
    let path = path_of(&client);
    for field in ["registered_at", "last_booking_at", "id", "version"] {
        let mut body = json!({ "name": "Ana María" });
        body[field] = json!("2020-01-01T00:00:00Z");
        let response = app.patch(&path).cookie(&cookie).header("if-match", "\"1\"").json(body).send().await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(response.field_errors(), [format!("{field}:read_only")]);
    }
    let registered = app
        .patch(&path)
        .cookie(&cookie)
        .header("if-match", "\"1\"")
        .json(json!({ "registered_at": "2020-01-01T00:00:00Z" }))
        .send()
        .await;
    assert_eq!(
        registered.body["errors"][0]["message"],
        "El campo «fecha de registro» lo mantiene el sistema y no se puede modificar."
    );
    let unchanged = app.get(&path).cookie(&cookie).send().await;
    assert_eq!(unchanged.body, client, "nothing changed");

    let on_create = app
        .post("/api/v1/clients")
        .cookie(&cookie)
        .json(json!({ "name": "Bea", "email": "bea@mail.cl", "registered_at": "2020-01-01T00:00:00Z" }))
        .send()
        .await;
    assert_eq!(on_create.field_errors(), ["registered_at:read_only"]);
}

#[tokio::test]
async fn malformed_json_says_where() {
    let (app, cookie, _) = app_with_client().await;
    let response = app
        .post("/api/v1/clients")
        .cookie(&cookie)
        .raw("application/json", "{\"name\": \"Bea\",\n \"email\": }")
        .send()
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.code(), "malformed_json");
    assert_eq!(response.body["detail"], "Error de sintaxis en la línea 2, columna 11.");

    let not_object = app.post("/api/v1/clients").cookie(&cookie).raw("application/json", "[1, 2]").send().await;
    assert_eq!(not_object.status, StatusCode::BAD_REQUEST);
    assert_eq!(not_object.code(), "not_an_object");
    assert_eq!(app.client_count(&cookie).await, 1);
}

#[tokio::test]
async fn a_wrong_content_type_is_refused() {
    let (app, cookie, _) = app_with_client().await;
    let response =
        app.post("/api/v1/clients").cookie(&cookie).raw("application/x-www-form-urlencoded", "name=Bea").send().await;
    assert_eq!(response.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(response.code(), "unsupported_media_type");
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let (app, cookie, _) = app_with_client().await;
    let body = json!({ "name": "a".repeat(70 * 1024), "email": "bea@mail.cl" });
    let response = app.post("/api/v1/clients").cookie(&cookie).json(body).send().await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(response.code(), "payload_too_large");
}

#[tokio::test]
async fn bad_list_parameters_are_explained() {
    let (app, cookie, _) = app_with_client().await;
    let response = app.get("/api/v1/clients?limit=0&sort=email&cursor=xyz&page=2").cookie(&cookie).send().await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.code(), "invalid_query");
    let mut errors = response.field_errors();
    errors.sort();
    assert_eq!(errors, ["cursor:bad_cursor", "limit:out_of_range", "page:unknown_field", "sort:not_allowed"]);
}

#[tokio::test]
async fn unknown_ids_and_routes_are_problem_documents() {
    let (app, cookie, _) = app_with_client().await;
    for path in
        ["/api/v1/clients/not-a-uuid", "/api/v1/clients/01890000-0000-7000-8000-000000000000", "/api/v1/nothing"]
    {
        let response = app.get(path).cookie(&cookie).send().await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(response.header("content-type"), "application/problem+json", "{path}");
    }
    let wrong_method = app.request(axum::http::Method::PUT, "/api/v1/clients").cookie(&cookie).send().await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.code(), "method_not_allowed");
}

#[tokio::test]
async fn english_is_served_when_asked_for() {
    let (app, cookie, _) = app_with_client().await;
    let response = app
        .post("/api/v1/clients")
        .cookie(&cookie)
        .header("accept-language", "en-US,en;q=0.9")
        .json(json!({ "name": "Bea", "email": "bea@mail.cl", "rut": "12.345.678-9" }))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.body["title"], "The submitted data is not valid.");
    assert_eq!(response.body["errors"][0]["message"], "The RUT's check digit does not match its number.");
    assert_eq!(response.header("content-type"), "application/problem+json");
}
