//! The data-request register through the API, on both backends: recording
//! one (due date, history, the requester's email), the legal steps and the
//! one extension (409 otherwise, nothing changed), the filters, per-field
//! problems, owners only, and another business's requests unreachable.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_backends};

on_both_backends!(
    an_owner_records_a_request_due_in_thirty_days_told_and_in_history,
    a_request_moves_only_by_legal_steps_and_extends_once,
    bad_requests_and_steps_are_refused_field_by_field,
    professionals_and_other_businesses_reach_no_request,
    the_due_days_setting_is_owners_and_checked,
);

async fn ana(app: &TestApp, cookie: &str) -> String {
    let client = app.create_client(cookie, json!({ "name": "Ana Pérez", "email": "ana@example.cl" })).await;
    client["id"].as_str().expect("id").to_owned()
}

async fn record(app: &TestApp, cookie: &str, body: Value) -> Value {
    let response = app.post("/api/v1/data-requests").cookie(cookie).json(body).send().await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.body
}

async fn step(app: &TestApp, cookie: &str, id: &str, body: Value) -> crate::helpers::TestResponse {
    app.patch(&format!("/api/v1/data-requests/{id}")).cookie(cookie).json(body).send().await
}

async fn an_owner_records_a_request_due_in_thirty_days_told_and_in_history(app: &TestApp) {
    let owner = app.owner().await;
    let client = ana(app, &owner).await;
    let body = json!({ "right": "erasure", "channel": "phone", "client_id": client, "detail": "Borrar mi ficha" });
    let filed = record(app, &owner, body).await;
    // The harness clock: 2026-03-14 in Santiago.
    assert_eq!(filed["received_on"], "2026-03-14");
    assert_eq!(filed["due_on"], "2026-04-13");
    assert_eq!((filed["status"].as_str(), filed["overdue"].as_bool()), (Some("received"), Some(false)));
    assert_eq!((filed["email"].as_str(), filed["client_name"].as_str()), (Some("ana@example.cl"), Some("Ana Pérez")));

    let id = filed["id"].as_str().expect("id");
    let read = app.get(&format!("/api/v1/data-requests/{id}")).cookie(&owner).send().await;
    assert_eq!((read.status, &read.body), (StatusCode::OK, &filed));

    let history = app.get(&format!("/api/v1/clients/{client}/history")).cookie(&owner).send().await;
    let entry = &history.body["items"][0];
    assert_eq!((entry["change"].as_str(), entry["right"].as_str()), (Some("data_request"), Some("erasure")));
    assert_eq!(entry["new"], json!({ "event": "received", "due_on": "2026-04-13" }));

    let messages = app.get("/api/v1/notifications?status=pending").cookie(&owner).send().await;
    let told = messages.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|m| m["kind"] == "data_request_received" && m["recipient"] == "ana@example.cl");
    assert!(told, "the requester is emailed the receipt: {}", messages.body);

    // Without a profile: the address is who is answered.
    let stranger =
        record(app, &owner, json!({ "right": "access", "channel": "email", "email": "otro@example.cl" })).await;
    assert_eq!((stranger["client_id"].clone(), stranger["email"].as_str()), (Value::Null, Some("otro@example.cl")));

    // Thirty-one days later it is overdue, and listed first.
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 31));
    let owner = app.owner().await;
    let list = app.get("/api/v1/data-requests").cookie(&owner).send().await;
    let items = list.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|r| r["overdue"] == true), "{items:?}");
    let open = app.get("/api/v1/data-requests?status=received").cookie(&owner).send().await;
    assert_eq!(open.body["items"].as_array().map(Vec::len), Some(2));
    let of_ana = app.get(&format!("/api/v1/data-requests?client_id={client}")).cookie(&owner).send().await;
    assert_eq!(of_ana.body["items"].as_array().map(Vec::len), Some(1));
}

async fn a_request_moves_only_by_legal_steps_and_extends_once(app: &TestApp) {
    let owner = app.owner().await;
    let client = ana(app, &owner).await;
    let filed = record(app, &owner, json!({ "right": "access", "channel": "in_person", "client_id": client })).await;
    let id = filed["id"].as_str().expect("id");

    let early = step(app, &owner, id, json!({ "status": "answered", "response": "Adjuntamos sus datos." })).await;
    assert_eq!((early.status, early.code()), (StatusCode::CONFLICT, "request_step_not_allowed"));
    let extended = step(app, &owner, id, json!({ "extension_reason": "Fichas en papel" })).await;
    assert_eq!(extended.status, StatusCode::OK, "{}", extended.body);
    assert_eq!(extended.body["due_on"], "2026-05-13");
    assert_eq!(extended.body["extension"]["previous_due_on"], "2026-04-13");
    let twice = step(app, &owner, id, json!({ "extension_reason": "otra vez" })).await;
    assert_eq!((twice.status, twice.code()), (StatusCode::CONFLICT, "request_already_extended"));

    let started = step(app, &owner, id, json!({ "status": "in_progress" })).await;
    assert_eq!(started.body["status"], "in_progress");
    let answer = json!({ "status": "answered", "response": "Adjuntamos sus datos.", "action_taken": "Archivo JSON" });
    let answered = step(app, &owner, id, answer).await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    assert_eq!(
        (answered.body["status"].as_str(), answered.body["response"].as_str()),
        (Some("answered"), Some("Adjuntamos sus datos."))
    );
    assert!(answered.body["closed_at"].is_string());
    let reopened = step(app, &owner, id, json!({ "status": "in_progress" })).await;
    assert_eq!((reopened.status, reopened.code()), (StatusCode::CONFLICT, "request_step_not_allowed"));
    let closed = step(app, &owner, id, json!({ "extension_reason": "tarde" })).await;
    assert_eq!((closed.status, closed.code()), (StatusCode::CONFLICT, "request_closed"));
    let read = app.get(&format!("/api/v1/data-requests/{id}")).cookie(&owner).send().await;
    assert_eq!(read.body, answered.body, "a refused step changed nothing");

    let messages = app.get("/api/v1/notifications").cookie(&owner).send().await;
    let answers = messages.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["kind"] == "data_request_answered")
        .count();
    assert_eq!(answers, 1);
}

async fn bad_requests_and_steps_are_refused_field_by_field(app: &TestApp) {
    let owner = app.owner().await;
    let bad = app
        .post("/api/v1/data-requests")
        .cookie(&owner)
        .json(json!({ "right": "olvido", "channel": "privacy_page", "email": "no es correo", "status": "answered" }))
        .send()
        .await;
    assert_eq!((bad.status, bad.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    let fields = bad.field_errors();
    for expected in ["right:not_allowed", "channel:not_allowed", "email:email_invalid", "status:read_only"] {
        assert!(fields.contains(&expected.to_owned()), "{expected} in {fields:?}");
    }
    let nobody = app
        .post("/api/v1/data-requests")
        .cookie(&owner)
        .json(json!({ "right": "access", "channel": "phone" }))
        .send()
        .await;
    assert_eq!(nobody.field_errors(), vec!["email:required".to_owned()]);
    let missing = app
        .post("/api/v1/data-requests")
        .cookie(&owner)
        .json(json!({ "right": "access", "channel": "phone", "client_id": "01938c5d-1111-7aaa-8bbb-0c0c0c0c0c0c" }))
        .send()
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let list = app.get("/api/v1/data-requests").cookie(&owner).send().await;
    assert_eq!(list.body["items"], json!([]), "nothing was recorded");

    let filed = record(app, &owner, json!({ "right": "access", "channel": "email", "email": "a@example.cl" })).await;
    let id = filed["id"].as_str().expect("id");
    step(app, &owner, id, json!({ "status": "in_progress" })).await;
    let no_answer = step(app, &owner, id, json!({ "status": "refused", "response": "   " })).await;
    assert_eq!(no_answer.field_errors(), vec!["response:required".to_owned()]);
    let odd = step(app, &owner, id, json!({ "status": "received" })).await;
    assert_eq!(odd.field_errors(), vec!["status:not_allowed".to_owned()]);
    let bad_filter = app.get("/api/v1/data-requests?status=abierta&x=1").cookie(&owner).send().await;
    assert_eq!((bad_filter.status, bad_filter.code()), (StatusCode::BAD_REQUEST, "invalid_query"));
    let unknown = app.get("/api/v1/data-requests/no-es-id").cookie(&owner).send().await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

async fn professionals_and_other_businesses_reach_no_request(app: &TestApp) {
    let owner = app.owner().await;
    let filed = record(app, &owner, json!({ "right": "access", "channel": "email", "email": "a@example.cl" })).await;
    let id = filed["id"].as_str().expect("id");
    let pro = app.professional().await;
    for response in [
        app.get("/api/v1/data-requests").cookie(&pro).send().await,
        app.get(&format!("/api/v1/data-requests/{id}")).cookie(&pro).send().await,
        step(app, &pro, id, json!({ "status": "in_progress" })).await,
        app.post("/api/v1/data-requests").cookie(&pro).json(json!({})).send().await,
        app.get("/api/v1/settings/data-requests").cookie(&pro).send().await,
    ] {
        assert_eq!((response.status, response.code()), (StatusCode::FORBIDDEN, "owner_only"), "{}", response.body);
    }
    app.add_business("otra").await;
    let other = app.login_as("otra", crate::helpers::OWNER_EMAIL).await;
    let theirs = app.get(&format!("/api/v1/data-requests/{id}")).cookie(&other).send().await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let moved = step(app, &other, id, json!({ "status": "in_progress" })).await;
    assert_eq!(moved.status, StatusCode::NOT_FOUND);
    let list = app.get("/api/v1/data-requests").cookie(&other).send().await;
    assert_eq!(list.body["items"], json!([]));
    let mine = app.get(&format!("/api/v1/data-requests/{id}")).cookie(&owner).send().await;
    assert_eq!(mine.body["status"], "received");
}

async fn the_due_days_setting_is_owners_and_checked(app: &TestApp) {
    let owner = app.owner().await;
    let read = app.get("/api/v1/settings/data-requests").cookie(&owner).send().await;
    assert_eq!(read.body, json!({ "due_days": 30 }));
    for bad in [json!({ "due_days": 31 }), json!({ "due_days": 0 }), json!({ "due_days": "10" }), json!({})] {
        let refused = app.put("/api/v1/settings/data-requests").cookie(&owner).json(bad.clone()).send().await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", refused.body);
    }
    let set = app.put("/api/v1/settings/data-requests").cookie(&owner).json(json!({ "due_days": 10 })).send().await;
    assert_eq!(set.body, json!({ "due_days": 10 }));
    let filed = record(app, &owner, json!({ "right": "access", "channel": "email", "email": "a@example.cl" })).await;
    assert_eq!(filed["due_on"], "2026-03-24");
}
