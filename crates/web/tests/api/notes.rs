//! General notes, the client history and the trace of deleted clients,
//! through the API, on both backends.

use axum::http::StatusCode;
use ficha_domain::{ClientName, Email, NewStaff, Role};
use ficha_web::auth::password;
use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, on_both_backends, start_time};

on_both_backends!(
    notes_are_added_listed_newest_first_edited_and_deleted,
    a_professional_cannot_change_a_colleagues_note_and_nothing_changes,
    empty_and_over_long_notes_are_refused_in_spanish_and_nothing_is_stored,
    a_note_is_stored_and_returned_exactly_as_typed,
    history_records_edits_custom_values_and_notes_newest_first,
    deleting_a_client_leaves_one_anonymous_record_for_owners,
    another_business_cannot_reach_notes_or_history,
);

/// Another professional of "clinica", signed in.
pub(crate) async fn colleague(app: &TestApp) -> String {
    let business = app.store.business_by_slug("clinica").await.expect("read").expect("exists");
    let actor = ficha_domain::Actor::System { business: business.id };
    let staff = NewStaff {
        name: ClientName::parse("Julia Rojas").expect("valid"),
        email: Email::parse("julia@clinica.cl").expect("valid"),
        role: Role::Professional,
        password_hash: password::hash(PASSWORD).expect("hash"),
    };
    app.store.create_staff(&actor, staff).await.expect("staff");
    app.login_as("clinica", "julia@clinica.cl").await
}

async fn client(app: &TestApp, cookie: &str) -> String {
    let created = app.create_client(cookie, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
    created["id"].as_str().expect("id").to_owned()
}

async fn add_note(app: &TestApp, cookie: &str, client: &str, text: &str) -> Value {
    let response =
        app.post(&format!("/api/v1/clients/{client}/notes")).cookie(cookie).json(json!({ "text": text })).send().await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.body
}

async fn notes(app: &TestApp, cookie: &str, client: &str) -> Vec<Value> {
    let response = app.get(&format!("/api/v1/clients/{client}/notes")).cookie(cookie).send().await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["items"].as_array().expect("items").clone()
}

async fn history(app: &TestApp, cookie: &str, client: &str) -> Vec<Value> {
    let response = app.get(&format!("/api/v1/clients/{client}/history")).cookie(cookie).send().await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["items"].as_array().expect("items").clone()
}

/// Each entry as `change old → new` (or the field/label it was about).
fn summary(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| {
            let about = e.get("field").or_else(|| e.get("label")).and_then(Value::as_str).unwrap_or("");
            format!("{} {about} {} → {}", e["change"].as_str().unwrap_or(""), e["old"], e["new"])
        })
        .collect()
}

async fn notes_are_added_listed_newest_first_edited_and_deleted(app: &TestApp) {
    let owner = app.owner().await;
    let ana = client(app, &owner).await;

    let first = add_note(app, &owner, &ana, "  cliente puntual  ").await;
    assert_eq!(first["text"], "cliente puntual");
    assert_eq!(first["author"]["kind"], "staff");
    assert_eq!(first["author"]["name"], "Persona de Prueba");
    assert!(first["author"]["id"].is_string());
    assert_eq!(first["created_at"], start_time().to_string());
    assert_eq!(first["edited_at"], Value::Null);
    app.clock.advance(SignedDuration::from_mins(3));
    let second = add_note(app, &owner, &ana, "alérgica al látex").await;

    let listed = notes(app, &owner, &ana).await;
    let texts: Vec<&str> = listed.iter().map(|n| n["text"].as_str().unwrap_or("")).collect();
    assert_eq!(texts, ["alérgica al látex", "cliente puntual"]);

    let href = second["href"].as_str().expect("href");
    let edited = app.patch(href).cookie(&owner).json(json!({ "text": "alérgica al látex y al polen" })).send().await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.body["text"], "alérgica al látex y al polen");
    assert_eq!(edited.body["edited_at"], (start_time() + SignedDuration::from_mins(3)).to_string());
    let read = app.get(href).cookie(&owner).send().await;
    assert_eq!(read.body, edited.body);

    let deleted = app.delete(href).cookie(&owner).send().await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(href).cookie(&owner).send().await.status, StatusCode::NOT_FOUND);
    assert_eq!(notes(app, &owner, &ana).await.len(), 1);
}

async fn a_professional_cannot_change_a_colleagues_note_and_nothing_changes(app: &TestApp) {
    let pro = app.professional().await;
    let julia = colleague(app).await;
    let ana = client(app, &pro).await;
    let note = add_note(app, &pro, &ana, "cliente puntual").await;
    let href = note["href"].as_str().expect("href");

    let edit = app.patch(href).cookie(&julia).json(json!({ "text": "no viene nunca" })).send().await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN, "{}", edit.body);
    assert_eq!(edit.code(), "not_note_author");
    assert_eq!(edit.header("content-type"), "application/problem+json");
    assert_eq!(
        edit.body["title"],
        "Solo quien escribió la nota, o el dueño del negocio, puede modificarla o eliminarla."
    );
    let delete = app.delete(href).cookie(&julia).send().await;
    assert_eq!(delete.status, StatusCode::FORBIDDEN);
    assert_eq!(delete.code(), "not_note_author");

    assert_eq!(notes(app, &julia, &ana).await, std::slice::from_ref(&note), "the note is as it was");
    assert_eq!(summary(&history(app, &julia, &ana).await), ["note_added  null → \"cliente puntual\""]);

    // Its author and an owner may.
    let own = app.patch(href).cookie(&pro).json(json!({ "text": "muy puntual" })).send().await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    let owner = app.owner().await;
    let by_owner = app.delete(href).cookie(&owner).send().await;
    assert_eq!(by_owner.status, StatusCode::NO_CONTENT);
}

async fn empty_and_over_long_notes_are_refused_in_spanish_and_nothing_is_stored(app: &TestApp) {
    let owner = app.owner().await;
    let ana = client(app, &owner).await;
    let path = format!("/api/v1/clients/{ana}/notes");

    for empty in ["", "   \n\t "] {
        let response = app.post(&path).cookie(&owner).json(json!({ "text": empty })).send().await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
        assert_eq!(response.code(), "validation_failed");
        assert_eq!(response.field_errors(), ["text:required"]);
        assert_eq!(response.body["errors"][0]["message"], "El campo «texto» es obligatorio.");
    }
    let missing = app.post(&path).cookie(&owner).json(json!({})).send().await;
    assert_eq!(missing.field_errors(), ["text:required"]);
    let not_text = app.post(&path).cookie(&owner).json(json!({ "text": 42, "author": "yo" })).send().await;
    assert_eq!(not_text.field_errors(), ["author:read_only", "text:not_text"]);

    let too_long = app.post(&path).cookie(&owner).json(json!({ "text": "ñ".repeat(5001) })).send().await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_long.field_errors(), ["text:too_long"]);
    assert_eq!(too_long.body["errors"][0]["message"], "El campo «texto» admite como máximo 5000 caracteres.");
    assert!(notes(app, &owner, &ana).await.is_empty(), "nothing was stored");

    let longest = add_note(app, &owner, &ana, &"ñ".repeat(5000)).await;
    let edit =
        app.patch(longest["href"].as_str().expect("href")).cookie(&owner).json(json!({ "text": " " })).send().await;
    assert_eq!(edit.field_errors(), ["text:required"]);
    assert_eq!(notes(app, &owner, &ana).await, [longest]);
}

async fn a_note_is_stored_and_returned_exactly_as_typed(app: &TestApp) {
    let owner = app.owner().await;
    let ana = client(app, &owner).await;
    let typed = "<script>alert(\"hola\")</script>\n<b>negrita</b> & más";
    let note = add_note(app, &owner, &ana, typed).await;
    assert_eq!(note["text"], typed);
    let listed = app.get(&format!("/api/v1/clients/{ana}/notes")).cookie(&owner).send().await;
    assert_eq!(listed.header("content-type"), "application/json");
    assert_eq!(listed.body["items"][0]["text"], typed);
}

async fn history_records_edits_custom_values_and_notes_newest_first(app: &TestApp) {
    let owner = app.owner().await;
    let pro = app.professional().await;
    let ana = client(app, &owner).await;
    let field = app
        .post("/api/v1/custom-fields")
        .cookie(&owner)
        .json(json!({ "key": "mascota", "label": "Nombre de la mascota", "kind": "text" }))
        .send()
        .await;
    assert_eq!(field.status, StatusCode::CREATED, "{}", field.body);

    app.clock.advance(SignedDuration::from_mins(1));
    let edit = app
        .patch(&format!("/api/v1/clients/{ana}"))
        .cookie(&pro)
        .header("if-match", "\"1\"")
        .json(json!({ "phone": "9 6123 4567", "name": "Ana Pérez Soto" }))
        .send()
        .await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);
    app.clock.advance(SignedDuration::from_mins(1));
    let values = app
        .request(axum::http::Method::PUT, &format!("/api/v1/clients/{ana}/custom-values"))
        .cookie(&pro)
        .header("if-match", "\"2\"")
        .json(json!({ "values": { "mascota": "Firulais" } }))
        .send()
        .await;
    assert_eq!(values.status, StatusCode::OK, "{}", values.body);
    app.clock.advance(SignedDuration::from_mins(1));
    let note = add_note(app, &pro, &ana, "cliente puntual").await;
    let href = note["href"].as_str().expect("href");
    app.patch(href).cookie(&pro).json(json!({ "text": "muy puntual" })).send().await;
    app.delete(href).cookie(&owner).send().await;

    let entries = history(app, &owner, &ana).await;
    assert_eq!(
        summary(&entries),
        [
            "note_deleted  \"muy puntual\" → null",
            "note_edited  \"cliente puntual\" → \"muy puntual\"",
            "note_added  null → \"cliente puntual\"",
            "custom_value Nombre de la mascota null → \"Firulais\"",
            "field phone null → \"+56961234567\"",
            "field name \"Ana Pérez\" → \"Ana Pérez Soto\"",
        ]
    );
    assert_eq!(entries[0]["note_id"], note["id"]);
    assert_eq!(entries[3]["at"], (start_time() + SignedDuration::from_mins(2)).to_string());
    assert_eq!(entries[5]["by"]["kind"], "staff");
    assert_eq!(entries[5]["by"]["name"], "Persona de Prueba");

    // Paged newest first: two pages of three, nothing repeated or lost.
    let first = app.get(&format!("/api/v1/clients/{ana}/history?limit=3")).cookie(&owner).send().await;
    let cursor = first.body["next_cursor"].as_str().expect("more follow").to_owned();
    let second = app.get(&format!("/api/v1/clients/{ana}/history?limit=3&cursor={cursor}")).cookie(&owner).send().await;
    let mut paged = first.body["items"].as_array().expect("items").clone();
    paged.extend(second.body["items"].as_array().expect("items").iter().cloned());
    assert_eq!(paged, entries);
    assert_eq!(second.body["next_cursor"], Value::Null);

    let bad = app.get(&format!("/api/v1/clients/{ana}/history?cursor=nope&limit=0")).cookie(&owner).send().await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.field_errors(), ["cursor:bad_cursor", "limit:out_of_range"]);
}

async fn deleting_a_client_leaves_one_anonymous_record_for_owners(app: &TestApp) {
    let owner = app.owner().await;
    let pro = app.professional().await;
    let ana = client(app, &owner).await;
    add_note(app, &pro, &ana, "alérgica al látex").await;
    app.clock.advance(SignedDuration::from_hours(1));

    let deleted = app.delete(&format!("/api/v1/clients/{ana}")).cookie(&pro).send().await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    let gone = app.get(&format!("/api/v1/clients/{ana}/history")).cookie(&owner).send().await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("/api/v1/clients/{ana}/notes")).cookie(&owner).send().await.status,
        StatusCode::NOT_FOUND
    );

    let deletions = app.get("/api/v1/deletions").cookie(&owner).send().await;
    assert_eq!(deletions.status, StatusCode::OK, "{}", deletions.body);
    let items = deletions.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["at"], (start_time() + SignedDuration::from_hours(1)).to_string());
    assert_eq!(items[0]["by"]["name"], "Persona de Prueba");
    let text = deletions.body.to_string();
    for private in ["Ana", "ana@mail.cl", "látex", ana.as_str()] {
        assert!(!text.contains(private), "the record is anonymous: {text}");
    }

    let refused = app.get("/api/v1/deletions").cookie(&pro).send().await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.code(), "owner_only");
}

async fn another_business_cannot_reach_notes_or_history(app: &TestApp) {
    let owner = app.owner().await;
    let ana = client(app, &owner).await;
    let note = add_note(app, &owner, &ana, "cliente puntual").await;
    let href = note["href"].as_str().expect("href");
    app.add_business("otra").await;
    let outsider = app.login_as("otra", crate::helpers::OWNER_EMAIL).await;

    for path in [format!("/api/v1/clients/{ana}/notes"), format!("/api/v1/clients/{ana}/history"), href.to_owned()] {
        let response = app.get(&path).cookie(&outsider).send().await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
    }
    let edit = app.patch(href).cookie(&outsider).json(json!({ "text": "hackeado" })).send().await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND);
    let delete = app.delete(href).cookie(&outsider).send().await;
    assert_eq!(delete.status, StatusCode::NOT_FOUND);
    let add =
        app.post(&format!("/api/v1/clients/{ana}/notes")).cookie(&outsider).json(json!({ "text": "x" })).send().await;
    assert_eq!(add.status, StatusCode::NOT_FOUND);
    assert_eq!(notes(app, &owner, &ana).await, [note]);
    let garbage = app.get(&format!("/api/v1/clients/{ana}/notes/not-an-id")).cookie(&owner).send().await;
    assert_eq!(garbage.status, StatusCode::NOT_FOUND);
    let unauthenticated = app.get(&format!("/api/v1/clients/{ana}/notes")).send().await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
}
