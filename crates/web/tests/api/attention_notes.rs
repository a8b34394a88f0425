//! Attention notes on bookings and the history of bookings, through the API,
//! on both backends. What a client viewer sees is the store's rule (contract
//! cases); here, every rule staff reach over HTTP.

use axum::http::StatusCode;
use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::helpers::{OWNER_EMAIL, TestApp, on_both_backends, start_time};
use crate::notes::colleague;

on_both_backends!(
    notes_on_a_booking_are_listed_newest_first_and_grouped_by_kind_on_the_profile,
    a_professional_cannot_change_a_colleagues_attention_note_and_nothing_changes,
    empty_over_long_or_kindless_attention_notes_are_refused_and_nothing_is_stored,
    an_attention_note_is_stored_and_returned_exactly_as_typed,
    booking_and_attention_note_changes_appear_in_the_clients_history,
    attention_notes_are_out_of_reach_of_another_business_and_go_with_their_client,
);

/// The owner's and professional's cookies, a client and a past booking of
/// hers with the professional (staff override the agenda).
struct Fixture {
    owner: String,
    pro: String,
    client: String,
    booking: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let owner = app.owner().await;
    let pro = app.professional().await;
    let staff = app.get("/api/v1/professionals").cookie(&owner).send().await;
    let pro_id = staff.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["role"] == "professional"))
        .and_then(|s| s["id"].as_str())
        .expect("a professional")
        .to_owned();
    let service = json!({
        "name": "Kinesiología", "duration_minutes": 60, "price_clp": 25000, "sessions": 1, "professional_ids": [pro_id],
    });
    let service = app.post("/api/v1/services").cookie(&owner).json(service).send().await;
    assert_eq!(service.status, StatusCode::CREATED, "{}", service.body);
    let client = app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
    let client = client["id"].as_str().expect("id").to_owned();
    let booking = json!({
        "client_id": client, "service_id": service.body["id"], "professional_id": pro_id,
        "start": "2026-03-13T10:00", "override": true,
    });
    let booked = app.post("/api/v1/bookings").cookie(&owner).json(booking).send().await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let booking = booked.body["items"][0]["id"].as_str().expect("id").to_owned();
    Fixture { owner, pro, client, booking }
}

async fn add(app: &TestApp, cookie: &str, booking: &str, kind: &str, text: &str) -> Value {
    let response = app
        .post(&format!("/api/v1/bookings/{booking}/notes"))
        .cookie(cookie)
        .json(json!({ "kind": kind, "text": text }))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    assert_eq!(response.header("location"), response.body["href"].as_str().unwrap_or(""));
    response.body
}

async fn on_booking(app: &TestApp, cookie: &str, booking: &str) -> Vec<Value> {
    let response = app.get(&format!("/api/v1/bookings/{booking}/notes")).cookie(cookie).send().await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["items"].as_array().expect("items").clone()
}

fn texts(notes: &Value) -> Vec<&str> {
    notes.as_array().map(|n| n.iter().filter_map(|n| n["text"].as_str()).collect()).unwrap_or_default()
}

async fn notes_on_a_booking_are_listed_newest_first_and_grouped_by_kind_on_the_profile(app: &TestApp) {
    let f = fixture(app).await;
    let first = add(app, &f.pro, &f.booking, "private", "contractura en trapecio").await;
    assert_eq!(first["kind"], "private");
    assert_eq!(first["booking_id"], f.booking.as_str());
    assert_eq!(first["client_id"], f.client.as_str());
    assert_eq!(first["author"]["name"], "Persona de Prueba");
    assert_eq!(first["created_at"], start_time().to_string());
    app.clock.advance(SignedDuration::from_mins(1));
    add(app, &f.owner, &f.booking, "shared", "aplicar calor 20 minutos").await;
    app.clock.advance(SignedDuration::from_mins(1));
    add(app, &f.pro, &f.booking, "private", "evaluar derivación").await;

    let listed = on_booking(app, &f.pro, &f.booking).await;
    let listed: Vec<&str> = listed.iter().filter_map(|n| n["text"].as_str()).collect();
    assert_eq!(listed, ["evaluar derivación", "aplicar calor 20 minutos", "contractura en trapecio"]);
    let read = app.get(first["href"].as_str().expect("href")).cookie(&f.owner).send().await;
    assert_eq!(read.body, first);

    let profile = app.get(&format!("/api/v1/clients/{}/attention-notes", f.client)).cookie(&f.pro).send().await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.body);
    assert_eq!(texts(&profile.body["private"]), ["evaluar derivación", "contractura en trapecio"]);
    assert_eq!(texts(&profile.body["shared"]), ["aplicar calor 20 minutos"]);
    let booking = &profile.body["shared"][0]["booking"];
    assert_eq!(booking["id"], f.booking.as_str());
    assert_eq!(booking["start"], "2026-03-13T10:00:00-03:00", "in the business's zone");
    assert_eq!(booking["service_name"], "Kinesiología");
}

async fn history(app: &TestApp, f: &Fixture) -> Value {
    let response = app.get(&format!("/api/v1/clients/{}/history", f.client)).cookie(&f.owner).send().await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["items"].clone()
}

async fn a_professional_cannot_change_a_colleagues_attention_note_and_nothing_changes(app: &TestApp) {
    let f = fixture(app).await;
    let julia = colleague(app).await;
    let note = add(app, &f.pro, &f.booking, "shared", "reposo 48 horas").await;
    let href = note["href"].as_str().expect("href");
    let before = history(app, &f).await;

    let edit = app.patch(href).cookie(&julia).json(json!({ "text": "sin reposo" })).send().await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN, "{}", edit.body);
    assert_eq!(edit.code(), "not_note_author");
    assert_eq!(edit.header("content-type"), "application/problem+json");
    let delete = app.delete(href).cookie(&julia).send().await;
    assert_eq!((delete.status, delete.code()), (StatusCode::FORBIDDEN, "not_note_author"));
    assert_eq!(on_booking(app, &julia, &f.booking).await, std::slice::from_ref(&note), "the note is as it was");
    assert_eq!(history(app, &f).await, before, "and no history was written");

    let own = app.patch(href).cookie(&f.pro).json(json!({ "text": "reposo 24 horas" })).send().await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(own.body["text"], "reposo 24 horas");
    let by_owner = app.delete(href).cookie(&f.owner).send().await;
    assert_eq!(by_owner.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(href).cookie(&f.owner).send().await.status, StatusCode::NOT_FOUND);
}

async fn empty_over_long_or_kindless_attention_notes_are_refused_and_nothing_is_stored(app: &TestApp) {
    let f = fixture(app).await;
    let path = format!("/api/v1/bookings/{}/notes", f.booking);
    let post = |body: Value| app.post(&path).cookie(&f.owner).json(body).send();

    let empty = post(json!({ "kind": "private", "text": "  \n " })).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.body);
    assert_eq!(empty.field_errors(), ["text:required"]);
    assert_eq!(empty.body["errors"][0]["message"], "El campo «texto» es obligatorio.");
    let too_long = post(json!({ "kind": "shared", "text": "ñ".repeat(5001) })).await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_long.field_errors(), ["text:too_long"]);
    assert_eq!(too_long.body["errors"][0]["message"], "El campo «texto» admite como máximo 5000 caracteres.");
    let kindless = post(json!({ "text": "x" })).await;
    assert_eq!(kindless.field_errors(), ["kind:required"]);
    let public = post(json!({ "kind": "public", "text": "x", "author": "yo" })).await;
    assert_eq!(public.field_errors(), ["author:read_only", "kind:not_allowed"]);
    assert!(on_booking(app, &f.owner, &f.booking).await.is_empty(), "nothing was stored");

    let longest = add(app, &f.owner, &f.booking, "private", &"ñ".repeat(5000)).await;
    let href = longest["href"].as_str().expect("href");
    let blank = app.patch(href).cookie(&f.owner).json(json!({ "text": "" })).send().await;
    assert_eq!(blank.field_errors(), ["text:required"]);
    let rekind = app.patch(href).cookie(&f.owner).json(json!({ "text": "x", "kind": "shared" })).send().await;
    assert_eq!(rekind.field_errors(), ["kind:immutable"]);
    assert_eq!(on_booking(app, &f.owner, &f.booking).await, [longest]);
}

async fn an_attention_note_is_stored_and_returned_exactly_as_typed(app: &TestApp) {
    let f = fixture(app).await;
    let typed = "<script>alert(\"hola\")</script>\n<b>negrita</b> & más";
    let note = add(app, &f.owner, &f.booking, "shared", typed).await;
    assert_eq!(note["text"], typed);
    let listed = app.get(&format!("/api/v1/bookings/{}/notes", f.booking)).cookie(&f.owner).send().await;
    assert_eq!(listed.header("content-type"), "application/json");
    assert_eq!(listed.body["items"][0]["text"], typed);
    let profile = app.get(&format!("/api/v1/clients/{}/attention-notes", f.client)).cookie(&f.owner).send().await;
    assert_eq!(profile.body["shared"][0]["text"], typed);
}

async fn booking_and_attention_note_changes_appear_in_the_clients_history(app: &TestApp) {
    let f = fixture(app).await;
    let booking = format!("/api/v1/bookings/{}", f.booking);
    app.clock.advance(SignedDuration::from_mins(1));
    let moved = app
        .post(&format!("{booking}/reschedule"))
        .cookie(&f.pro)
        .json(json!({ "start": "2026-03-13T11:00", "override": true }))
        .send()
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let confirmed = app.post(&format!("{booking}/confirm")).cookie(&f.pro).json(json!({})).send().await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let payment = json!({ "paid": true, "amount": 25000, "method": "debit", "date": "2026-03-13" });
    let paid = app.put(&format!("{booking}/payment")).cookie(&f.owner).json(payment.clone()).send().await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    let cancelled = app.post(&format!("{booking}/cancel")).cookie(&f.owner).json(json!({})).send().await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let note = add(app, &f.pro, &f.booking, "private", "dolor 7/10").await;
    let href = note["href"].as_str().expect("href");
    app.patch(href).cookie(&f.pro).json(json!({ "text": "dolor 5/10" })).send().await;
    app.delete(href).cookie(&f.owner).send().await;

    let history = history(app, &f).await;
    let entries = history.as_array().expect("items");
    let shown: Vec<String> =
        entries.iter().map(|e| format!("{} {} → {}", e["change"].as_str().unwrap_or(""), e["old"], e["new"])).collect();
    assert_eq!(
        shown,
        [
            "attention_note_deleted \"dolor 5/10\" → null",
            "attention_note_edited \"dolor 7/10\" → \"dolor 5/10\"",
            "attention_note_added null → \"dolor 7/10\"",
            "booking_cancelled null → null",
            &format!("booking_payment {} → {}", json!({ "paid": false }), payment),
            "booking_confirmed null → null",
            "booking_rescheduled \"2026-03-13T13:00:00Z\" → \"2026-03-13T14:00:00Z\"",
            "booking_created null → \"2026-03-13T13:00:00Z\"",
        ]
    );
    assert!(entries.iter().all(|e| e["booking_id"] == f.booking.as_str()), "each names its booking");
    assert_eq!(entries[0]["note_id"], note["id"]);
    assert_eq!(entries[0]["note_kind"], "private");
    assert_eq!(entries[0]["by"]["kind"], "staff");
    assert_eq!(entries[0]["at"], (start_time() + SignedDuration::from_mins(1)).to_string());
    assert_eq!(entries[7]["at"], start_time().to_string());
}

async fn attention_notes_are_out_of_reach_of_another_business_and_go_with_their_client(app: &TestApp) {
    let f = fixture(app).await;
    let note = add(app, &f.pro, &f.booking, "shared", "aplicar calor").await;
    let href = note["href"].as_str().expect("href");
    app.add_business("otra").await;
    let outsider = app.login_as("otra", OWNER_EMAIL).await;

    let reads = [
        format!("/api/v1/bookings/{}/notes", f.booking),
        format!("/api/v1/clients/{}/attention-notes", f.client),
        href.to_owned(),
    ];
    for path in &reads {
        assert_eq!(app.get(path).cookie(&outsider).send().await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let edit = app.patch(href).cookie(&outsider).json(json!({ "text": "hackeado" })).send().await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(href).cookie(&outsider).send().await.status, StatusCode::NOT_FOUND);
    let added = app
        .post(&format!("/api/v1/bookings/{}/notes", f.booking))
        .cookie(&outsider)
        .json(json!({ "kind": "shared", "text": "intruso" }))
        .send()
        .await;
    assert_eq!(added.status, StatusCode::NOT_FOUND);
    assert_eq!(on_booking(app, &f.owner, &f.booking).await, std::slice::from_ref(&note));
    // Through another booking, the note is not found either.
    let wrong = href.replace(&f.booking, "0190c0de-0000-7000-8000-000000000000");
    assert_eq!(app.get(&wrong).cookie(&f.owner).send().await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("{href}x")).cookie(&f.owner).send().await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(href).send().await.status, StatusCode::UNAUTHORIZED);

    let deleted = app.delete(&format!("/api/v1/clients/{}", f.client)).cookie(&f.owner).send().await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    for path in &reads {
        assert_eq!(app.get(path).cookie(&f.owner).send().await.status, StatusCode::NOT_FOUND, "{path}");
    }
}
