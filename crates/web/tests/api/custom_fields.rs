//! "Otros datos" over the API: owners define fields, staff fill values, values
//! come with the client.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{OWNER_EMAIL, TestApp, TestResponse};

async fn define(app: &TestApp, cookie: &str, body: Value) -> Value {
    let response = app.post("/api/v1/custom-fields").cookie(cookie).json(body).send().await;
    assert_eq!(response.status, StatusCode::CREATED, "define failed: {}", response.body);
    response.body
}

async fn put_values(app: &TestApp, cookie: &str, client: &Value, etag: &str, values: Value) -> TestResponse {
    app.request(Method::PUT, &values_path(client))
        .cookie(cookie)
        .header("if-match", etag)
        .json(json!({ "values": values }))
        .send()
        .await
}

fn values_path(client: &Value) -> String {
    format!("/api/v1/clients/{}/custom-values", client["id"].as_str().expect("id"))
}

fn client_path(client: &Value) -> String {
    format!("/api/v1/clients/{}", client["id"].as_str().expect("id"))
}

fn field_path(field: &Value) -> String {
    format!("/api/v1/custom-fields/{}", field["id"].as_str().expect("id"))
}

/// The message of the error about `field`.
fn message<'a>(response: &'a TestResponse, field: &str) -> &'a str {
    let errors = response.body["errors"].as_array().expect("errors");
    let error = errors.iter().find(|e| e["field"] == field).unwrap_or_else(|| panic!("no error for {field}"));
    error["message"].as_str().expect("message")
}

async fn pet_clinic(app: &TestApp, cookie: &str) {
    define(app, cookie, json!({ "key": "mascota", "label": "Nombre de la mascota", "kind": "text", "required": true }))
        .await;
    define(app, cookie, json!({ "key": "edad", "label": "Edad", "kind": "number" })).await;
    define(
        app,
        cookie,
        json!({ "key": "comuna", "label": "Comuna", "kind": "single_choice", "options": ["Las Condes", "Ñuñoa"] }),
    )
    .await;
}

#[tokio::test]
async fn owners_define_fields_and_staff_read_them() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let professional = app.professional().await;

    let created = app
        .post("/api/v1/custom-fields")
        .cookie(&owner)
        .json(json!({
            "key": "especies",
            "label": "  Especies  ",
            "kind": "multi_choice",
            "options": ["Perro", "Gato"],
            "in_booking_form": true,
        }))
        .send()
        .await;

    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().expect("id");
    assert_eq!(created.header("location"), format!("/api/v1/custom-fields/{id}"));
    assert_eq!(created.body["label"], "Especies");
    assert_eq!(created.body["kind"], "multi_choice");
    assert_eq!(created.body["options"], json!(["Perro", "Gato"]));
    assert_eq!(created.body["in_booking_form"], true);
    assert_eq!((&created.body["required"], &created.body["visible_to_client"]), (&json!(false), &json!(false)));
    assert_eq!(created.body["position"], 1);
    assert_eq!(created.body["archived"], false);

    let refused = app
        .post("/api/v1/custom-fields")
        .cookie(&professional)
        .json(json!({ "key": "x", "label": "X", "kind": "text" }))
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.code(), "owner_only");
    let patch = app.patch(&field_path(&created.body)).cookie(&professional).json(json!({ "label": "Y" })).send().await;
    assert_eq!(patch.status, StatusCode::FORBIDDEN);
    assert_eq!(app.delete(&field_path(&created.body)).cookie(&professional).send().await.status, StatusCode::FORBIDDEN);

    let listed = app.get("/api/v1/custom-fields").cookie(&professional).send().await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["items"], json!([created.body]));
    let one = app.get(&field_path(&created.body)).cookie(&professional).send().await;
    assert_eq!(one.body, created.body);
}

#[tokio::test]
async fn a_bad_definition_is_refused_property_by_property() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;

    let refused = app
        .post("/api/v1/custom-fields")
        .cookie(&owner)
        .json(json!({ "key": "Fecha-Control", "kind": "checkbox", "required": "sí", "position": 1.5, "id": "x" }))
        .send()
        .await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut errors = refused.field_errors();
    errors.sort();
    assert_eq!(
        errors,
        [
            "id:read_only",
            "key:key_invalid",
            "kind:kind_invalid",
            "label:required",
            "position:not_whole_number",
            "required:not_boolean"
        ]
    );
    assert!(message(&refused, "kind").contains("single_choice"), "{}", refused.body);
    assert!(message(&refused, "key").contains("minúsculas"), "{}", refused.body);

    let options = app
        .post("/api/v1/custom-fields")
        .cookie(&owner)
        .json(json!({ "key": "comuna", "label": "Comuna", "kind": "single_choice", "options": ["Ñuñoa", "nunoa"] }))
        .send()
        .await;
    assert_eq!(options.field_errors(), ["options[1]:option_repeated"]);
    let missing = app
        .post("/api/v1/custom-fields")
        .cookie(&owner)
        .json(json!({ "key": "comuna", "label": "Comuna", "kind": "single_choice" }))
        .send()
        .await;
    assert_eq!(missing.field_errors(), ["options:required"]);
    let not_allowed = app
        .post("/api/v1/custom-fields")
        .cookie(&owner)
        .json(json!({ "key": "edad", "label": "Edad", "kind": "number", "options": ["1"] }))
        .header("accept-language", "en")
        .send()
        .await;
    assert_eq!(not_allowed.field_errors(), ["options:options_not_allowed"]);
    assert_eq!(message(&not_allowed, "options"), "Only choice fields (single_choice, multi_choice) have options.");
    assert!(
        app.get("/api/v1/custom-fields").cookie(&owner).send().await.body["items"]
            .as_array()
            .expect("items")
            .is_empty()
    );
}

#[tokio::test]
async fn a_key_is_used_once_per_business() {
    let app = TestApp::spawn().await;
    app.add_business("otra").await;
    let owner = app.owner().await;
    define(&app, &owner, json!({ "key": "mascota", "label": "Mascota", "kind": "text" })).await;

    let again = app
        .post("/api/v1/custom-fields")
        .cookie(&owner)
        .json(json!({ "key": "mascota", "label": "Otra", "kind": "date" }))
        .send()
        .await;

    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "field_key_taken");
    let theirs = app.login_as("otra", OWNER_EMAIL).await;
    define(&app, &theirs, json!({ "key": "mascota", "label": "Mascota", "kind": "text" })).await;
}

#[tokio::test]
async fn staff_fill_values_and_they_come_with_the_client() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let professional = app.professional().await;
    pet_clinic(&app, &owner).await;
    define(&app, &owner, json!({ "key": "control", "label": "Próximo control", "kind": "date" })).await;
    define(&app, &owner, json!({ "key": "seguro", "label": "Tiene seguro", "kind": "yes_no" })).await;
    define(&app, &owner, json!({ "key": "notas", "label": "Notas", "kind": "long_text" })).await;
    define(
        &app,
        &owner,
        json!({ "key": "especies", "label": "Especies", "kind": "multi_choice", "options": ["Perro", "Gato", "Ave"] }),
    )
    .await;
    let client = app.create_client(&professional, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
    assert_eq!(client["custom"], json!({}));

    let saved = put_values(
        &app,
        &professional,
        &client,
        "\"1\"",
        json!({
            "mascota": " Firulais ",
            "edad": "3,5",
            "comuna": "ñuñoa",
            "control": "01-05-2026",
            "seguro": "sí",
            "notas": "Alérgico al látex.\nUsa inhalador.",
            "especies": ["ave", "PERRO"],
        }),
    )
    .await;

    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.header("etag"), "\"2\"");
    let expected = json!({
        "mascota": "Firulais",
        "edad": 3.5,
        "comuna": "Ñuñoa",
        "control": "2026-05-01",
        "seguro": true,
        "notas": "Alérgico al látex.\nUsa inhalador.",
        "especies": ["Perro", "Ave"],
    });
    assert_eq!(saved.body["values"], expected);
    let displays: Vec<&str> =
        saved.body["items"].as_array().expect("items").iter().map(|i| i["display"].as_str().unwrap_or("")).collect();
    assert_eq!(
        displays,
        ["Firulais", "3,5", "Ñuñoa", "01-05-2026", "Sí", "Alérgico al látex.\nUsa inhalador.", "Perro, Ave"]
    );
    assert_eq!(saved.body["items"][2]["label"], "Comuna");

    // A typed date is a slip outside 1900–2100 (0026 for 2026), as everywhere.
    let slip = put_values(&app, &professional, &client, "\"2\"", json!({ "control": "01-05-0026" })).await;
    assert_eq!(slip.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", slip.body);
    assert_eq!(slip.field_errors(), ["values.control:date_out_of_range"]);
    assert!(message(&slip, "values.control").contains("debe estar entre 1900 y 2100"), "{}", slip.body);

    let read = app.get(&client_path(&client)).cookie(&professional).send().await;
    assert_eq!(read.header("etag"), "\"2\"");
    assert_eq!(read.body["custom"], expected);
    assert_eq!(read.body["version"], 2);
    let values = app.get(&values_path(&client)).cookie(&professional).send().await;
    assert_eq!((values.status, values.header("etag")), (StatusCode::OK, "\"2\""));
    assert_eq!(values.body, saved.body);

    // Only the keys named change; null clears; a client edit keeps the values.
    let cleared =
        put_values(&app, &professional, &client, "\"2\"", json!({ "edad": 34, "seguro": null, "especies": [] })).await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    assert_eq!(cleared.header("etag"), "\"3\"");
    assert_eq!(cleared.body["values"]["edad"], 34);
    assert_eq!(cleared.body["values"].as_object().expect("map").len(), 5);
    assert!(cleared.body["values"].get("seguro").is_none());
    let edited = app
        .patch(&client_path(&client))
        .cookie(&professional)
        .header("if-match", "\"3\"")
        .json(json!({ "name": "Ana María" }))
        .send()
        .await;
    assert_eq!(edited.header("etag"), "\"4\"");
    assert_eq!(edited.body["custom"], cleared.body["values"]);
}

#[tokio::test]
async fn values_are_checked_by_type_with_a_message_per_field() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    pet_clinic(&app, &owner).await;
    let client = app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
    let first = put_values(&app, &owner, &client, "\"1\"", json!({ "mascota": "Firulais" })).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);

    let refused = put_values(
        &app,
        &owner,
        &client,
        "\"2\"",
        json!({ "edad": "abc", "comuna": "Maipú", "mascota": null, "color": "café", "Mal Clave": 1 }),
    )
    .await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.code(), "validation_failed");
    let mut errors = refused.field_errors();
    errors.sort();
    assert_eq!(
        errors,
        [
            "values.Mal Clave:field_unknown",
            "values.color:field_unknown",
            "values.comuna:not_an_option",
            "values.edad:not_a_number",
            "values.mascota:required"
        ]
    );
    assert_eq!(message(&refused, "values.edad"), "El campo «Edad» debe ser un número, por ejemplo 34 o 3,5.");
    assert_eq!(
        message(&refused, "values.comuna"),
        "El valor de «Comuna» debe ser una de sus opciones: Las Condes, Ñuñoa."
    );
    assert_eq!(message(&refused, "values.mascota"), "El campo «Nombre de la mascota» es obligatorio.");
    assert!(message(&refused, "values.color").contains("«color»"), "{}", refused.body);

    let english = app
        .request(Method::PUT, &values_path(&client))
        .cookie(&owner)
        .header("if-match", "\"2\"")
        .header("accept-language", "en")
        .json(json!({ "values": { "edad": [1] } }))
        .send()
        .await;
    assert_eq!(message(&english, "values.edad"), "The field “Edad” must be a number, for example 34 or 3.5.");

    let read = app.get(&client_path(&client)).cookie(&owner).send().await;
    assert_eq!(read.header("etag"), "\"2\"", "nothing was saved");
    assert_eq!(read.body["custom"], json!({ "mascota": "Firulais" }));
}

#[tokio::test]
async fn odd_bodies_get_a_clear_refusal_never_a_500() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    pet_clinic(&app, &owner).await;
    let client = app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
    let put = |body: Value| {
        app.request(Method::PUT, &values_path(&client)).cookie(&owner).header("if-match", "\"1\"").json(body)
    };

    let cases = [
        (json!({ "values": [1, 2] }), "values:not_an_object"),
        (json!({}), "values:required"),
        (json!({ "values": {}, "extra": 1 }), "extra:unknown_field"),
        (json!({ "values": { "mascota": { "nombre": "x" } } }), "values.mascota:not_text"),
        (json!({ "values": { "mascota": "a\u{0007}b" } }), "values.mascota:control_characters"),
        (json!({ "values": { "mascota": "x".repeat(201) } }), "values.mascota:too_long"),
        (json!({ "values": { "edad": 1e300 } }), "values.edad:too_long"),
        (json!({ "values": { "comuna": ["Ñuñoa"] } }), "values.comuna:not_an_option"),
    ];
    for (body, expected) in cases {
        let response = put(body.clone()).send().await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", response.body);
        assert_eq!(response.field_errors(), [expected], "{body}");
    }
    let not_json = app
        .request(Method::PUT, &values_path(&client))
        .cookie(&owner)
        .header("if-match", "\"1\"")
        .raw("application/json", "{\"values\": ")
        .send()
        .await;
    assert_eq!(not_json.code(), "malformed_json");
    let bad_patch = app
        .post("/api/v1/custom-fields")
        .cookie(&owner)
        .json(json!({ "key": "k", "label": 5, "kind": "single_choice", "options": "a,b" }))
        .send()
        .await;
    assert_eq!(bad_patch.field_errors(), ["label:not_text", "options:not_a_list"]);
}

#[tokio::test]
async fn saving_values_needs_the_clients_current_etag() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    pet_clinic(&app, &owner).await;
    let client = app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;

    let without = app
        .request(Method::PUT, &values_path(&client))
        .cookie(&owner)
        .json(json!({ "values": { "mascota": "Firulais" } }))
        .send()
        .await;
    assert_eq!(without.status, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(without.code(), "if_match_required");

    let edited = app
        .patch(&client_path(&client))
        .cookie(&owner)
        .header("if-match", "\"1\"")
        .json(json!({ "phone": "961234567" }))
        .send()
        .await;
    assert_eq!(edited.status, StatusCode::OK);
    let stale = put_values(&app, &owner, &client, "\"1\"", json!({ "mascota": "Firulais" })).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.code(), "stale_version");
    assert_eq!(stale.body["current"]["phone"], "+56961234567");
    let garbage = put_values(&app, &owner, &client, "abc", json!({ "mascota": "Firulais" })).await;
    assert_eq!(garbage.status, StatusCode::PRECONDITION_FAILED);

    let read = app.get(&client_path(&client)).cookie(&owner).send().await;
    assert_eq!(read.body["custom"], json!({}));
}

#[tokio::test]
async fn a_field_with_values_is_archived_not_destroyed() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    pet_clinic(&app, &owner).await;
    let fields = app.get("/api/v1/custom-fields").cookie(&owner).send().await.body["items"].clone();
    let (mascota, edad) = (&fields[0], &fields[1]);
    let client = app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
    put_values(&app, &owner, &client, "\"1\"", json!({ "mascota": "Firulais" })).await;

    let deleted = app.delete(&field_path(edad)).cookie(&owner).send().await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&field_path(edad)).cookie(&owner).send().await.status, StatusCode::NOT_FOUND);

    let archived = app.delete(&field_path(mascota)).cookie(&owner).send().await;
    assert_eq!(archived.status, StatusCode::OK, "{}", archived.body);
    assert_eq!(archived.body["archived"], true);
    assert_eq!(archived.body["archived_at"], crate::helpers::start_time().to_string());

    let active = app.get("/api/v1/custom-fields").cookie(&owner).send().await;
    let keys: Vec<&str> =
        active.body["items"].as_array().expect("items").iter().filter_map(|f| f["key"].as_str()).collect();
    assert_eq!(keys, ["comuna"]);
    let all = app.get("/api/v1/custom-fields?include_archived=true").cookie(&owner).send().await;
    assert_eq!(all.body["items"][0], archived.body);
    let bad = app.get("/api/v1/custom-fields?include_archived=yes&x=1").cookie(&owner).send().await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.field_errors(), ["include_archived:not_allowed", "x:unknown_field"]);

    let read = app.get(&client_path(&client)).cookie(&owner).send().await;
    assert_eq!(read.body["custom"], json!({ "mascota": "Firulais" }), "the value stays");
    let values = app.get(&values_path(&client)).cookie(&owner).send().await;
    assert_eq!(values.body["items"][0]["archived"], true);
    let refused = put_values(&app, &owner, &client, "\"2\"", json!({ "mascota": "Cachupín" })).await;
    assert_eq!(refused.field_errors(), ["values.mascota:field_archived"]);
    assert_eq!(
        message(&refused, "values.mascota"),
        "El campo «Nombre de la mascota» está archivado y ya no admite valores nuevos."
    );

    let restored = app.patch(&field_path(mascota)).cookie(&owner).json(json!({ "archived": false })).send().await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.body);
    assert_eq!(restored.body["archived_at"], Value::Null);
    let saved = put_values(&app, &owner, &client, "\"2\"", json!({ "mascota": "Cachupín" })).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
}

#[tokio::test]
async fn owners_edit_fields_but_not_options_in_use() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    pet_clinic(&app, &owner).await;
    let comuna = &app.get("/api/v1/custom-fields").cookie(&owner).send().await.body["items"][2];
    let client = app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
    put_values(&app, &owner, &client, "\"1\"", json!({ "comuna": "Ñuñoa" })).await;

    let in_use = app.patch(&field_path(comuna)).cookie(&owner).json(json!({ "options": ["Las Condes"] })).send().await;
    assert_eq!(in_use.status, StatusCode::CONFLICT);
    assert_eq!(in_use.code(), "option_in_use");
    assert_eq!(in_use.body["options_in_use"], json!(["Ñuñoa"]));
    assert!(in_use.body["detail"].as_str().unwrap_or("").contains("«Ñuñoa»"), "{}", in_use.body);

    let immutable = app
        .patch(&field_path(comuna))
        .cookie(&owner)
        .json(json!({ "key": "barrio", "kind": "text", "foo": 1 }))
        .send()
        .await;
    let mut errors = immutable.field_errors();
    errors.sort();
    assert_eq!(errors, ["foo:unknown_field", "key:immutable", "kind:immutable"]);

    let edited = app
        .patch(&field_path(comuna))
        .cookie(&owner)
        .json(json!({ "label": "Comuna de residencia", "options": ["NUNOA", "Providencia"], "position": -1, "visible_to_client": true }))
        .send()
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.body["options"], json!(["NUNOA", "Providencia"]));
    assert_eq!((&edited.body["position"], &edited.body["visible_to_client"]), (&json!(-1), &json!(true)));
    let listed = app.get("/api/v1/custom-fields").cookie(&owner).send().await;
    assert_eq!(listed.body["items"][0]["key"], "comuna", "moved first");
    let read = app.get(&client_path(&client)).cookie(&owner).send().await;
    assert_eq!(read.body["custom"]["comuna"], "NUNOA", "the value follows the option's new spelling");
}

#[tokio::test]
async fn another_business_cannot_see_or_touch_fields_or_values() {
    let app = TestApp::spawn().await;
    app.add_business("otra").await;
    let mine = app.owner().await;
    let theirs = app.login_as("otra", OWNER_EMAIL).await;
    pet_clinic(&app, &mine).await;
    let mascota = app.get("/api/v1/custom-fields").cookie(&mine).send().await.body["items"][0].clone();
    let client = app.create_client(&mine, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
    put_values(&app, &mine, &client, "\"1\"", json!({ "mascota": "Firulais" })).await;

    assert_eq!(app.get(&field_path(&mascota)).cookie(&theirs).send().await.status, StatusCode::NOT_FOUND);
    let patch = app.patch(&field_path(&mascota)).cookie(&theirs).json(json!({ "label": "X" })).send().await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&field_path(&mascota)).cookie(&theirs).send().await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&values_path(&client)).cookie(&theirs).send().await.status, StatusCode::NOT_FOUND);
    let put = put_values(&app, &theirs, &client, "\"2\"", json!({})).await;
    assert_eq!(put.status, StatusCode::NOT_FOUND);
    let listed = app.get("/api/v1/custom-fields?include_archived=true").cookie(&theirs).send().await;
    assert_eq!(listed.body["items"], json!([]));
    assert_eq!(app.get("/api/v1/custom-fields/not-an-id").cookie(&mine).send().await.status, StatusCode::NOT_FOUND);

    let read = app.get(&client_path(&client)).cookie(&mine).send().await;
    assert_eq!(read.body["custom"], json!({ "mascota": "Firulais" }));
}

#[tokio::test]
async fn deleting_a_client_takes_its_values_and_frees_the_field() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    pet_clinic(&app, &owner).await;
    let mascota = app.get("/api/v1/custom-fields").cookie(&owner).send().await.body["items"][0].clone();
    let client = app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
    put_values(&app, &owner, &client, "\"1\"", json!({ "mascota": "Firulais" })).await;

    assert_eq!(app.delete(&client_path(&client)).cookie(&owner).send().await.status, StatusCode::NO_CONTENT);

    let again = app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
    let read = app.get(&client_path(&again)).cookie(&owner).send().await;
    assert_eq!(read.body["custom"], json!({}), "the new profile starts empty");
    assert_eq!(app.delete(&field_path(&mascota)).cookie(&owner).send().await.status, StatusCode::NO_CONTENT);
}
