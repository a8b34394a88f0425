//! Ley 21.719 through the API, on both backends: bloqueo (owners block and
//! unblock; a blocked profile refuses edits with `client_blocked`, is not
//! found by professionals and leaves their lists), and the one-client data
//! file (every section, staff-only notes only when asked, tenancy).

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::bookings::{Fixture, booked, fixture};
use crate::helpers::{TestApp, on_both_backends};

on_both_backends!(
    owners_block_a_profile_which_then_refuses_every_change_until_unblocked,
    the_data_file_holds_every_section_and_private_notes_only_when_asked,
);

async fn block(app: &TestApp, cookie: &str, client: &str, body: Value) -> crate::helpers::TestResponse {
    app.post(&format!("/api/v1/clients/{client}/block")).cookie(cookie).json(body).send().await
}

async fn owners_block_a_profile_which_then_refuses_every_change_until_unblocked(app: &TestApp) {
    let Fixture { owner, pro_cookie, client, .. } = fixture(app).await;
    let path = format!("/api/v1/clients/{client}");

    let by_pro = block(app, &pro_cookie, &client, json!({ "reason": "No" })).await;
    assert_eq!((by_pro.status, by_pro.code()), (StatusCode::FORBIDDEN, "owner_only"));
    let empty = block(app, &owner, &client, json!({ "reason": "  " })).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.body);
    assert_eq!(empty.field_errors(), ["reason:required"]);
    assert_eq!(empty.body["errors"][0]["message"], "El campo «motivo» es obligatorio.");
    let read = app.get(&path).cookie(&owner).send().await;
    assert_eq!(read.body["blocked"], false, "nothing changed: {}", read.body);

    let blocked = block(app, &owner, &client, json!({ "reason": "A pedido de la clienta" })).await;
    assert_eq!(blocked.status, StatusCode::OK, "{}", blocked.body);
    assert_eq!(blocked.body["blocked"], true);
    assert_eq!(blocked.body["blocked_reason"], "A pedido de la clienta");
    let read = app.get(&path).cookie(&owner).send().await;
    assert_eq!(
        (&read.body["blocked"], &read.body["blocked_reason"], &read.body["blocked_since"]),
        (&json!(true), &json!("A pedido de la clienta"), &json!("2026-03-14T12:00:00Z"))
    );
    let etag = read.header("etag").to_owned();

    // Frozen: the owner's edit is refused in Spanish, nothing changes.
    let edit =
        app.patch(&path).cookie(&owner).header("if-match", &etag).json(json!({ "name": "Ana Soto" })).send().await;
    assert_eq!((edit.status, edit.code()), (StatusCode::CONFLICT, "client_blocked"), "{}", edit.body);
    assert_eq!(edit.body["title"], "El perfil del cliente está bloqueado.");
    let note = app.post(&format!("{path}/notes")).cookie(&owner).json(json!({ "text": "hola" })).send().await;
    assert_eq!(note.code(), "client_blocked");
    let f = fixture_again(app, &owner, &client).await;
    let booking = crate::bookings::book(app, &f, json!({ "start": "2026-03-16T10:00" })).await;
    assert_eq!(booking.code(), "client_blocked", "{}", booking.body);

    // Hidden from the professional: not found, not listed.
    assert_eq!(app.get(&path).cookie(&pro_cookie).send().await.status, StatusCode::NOT_FOUND);
    let listed = app.get("/api/v1/clients").cookie(&pro_cookie).send().await;
    assert_eq!(listed.body["items"], json!([]), "{}", listed.body);
    let listed = app.get("/api/v1/clients").cookie(&owner).send().await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));
    // Nor through what hangs from the profile: every sub-resource is 404 to
    // the professional and answers the owner.
    for part in [
        "bookings",
        "por-reservar",
        "stats",
        "custom-values",
        "notes",
        "attention-notes",
        "history",
        "notifications",
        "notification-preferences",
    ] {
        let hidden = app.get(&format!("{path}/{part}")).cookie(&pro_cookie).send().await;
        assert_eq!((hidden.status, hidden.code()), (StatusCode::NOT_FOUND, "not_found"), "{part}: {}", hidden.body);
        let shown = app.get(&format!("{path}/{part}")).cookie(&owner).send().await;
        assert_eq!(shown.status, StatusCode::OK, "{part}: {}", shown.body);
    }
    let note = app.post(&format!("{path}/notes")).cookie(&pro_cookie).json(json!({ "text": "hola" })).send().await;
    assert_eq!(note.status, StatusCode::NOT_FOUND, "a professional's write finds nothing either");

    // In the history, with the reason.
    let history = app.get(&format!("{path}/history")).cookie(&owner).send().await;
    assert_eq!(history.body["items"][0]["change"], "client_blocked", "{}", history.body);
    assert_eq!(history.body["items"][0]["new"], "A pedido de la clienta");

    let unblocked = app.post(&format!("{path}/unblock")).cookie(&owner).json(json!({})).send().await;
    assert_eq!((unblocked.status, &unblocked.body["blocked"]), (StatusCode::OK, &json!(false)));
    let edit =
        app.patch(&path).cookie(&owner).header("if-match", &etag).json(json!({ "name": "Ana Soto" })).send().await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);
    assert_eq!(app.get(&path).cookie(&pro_cookie).send().await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("{path}/notes")).cookie(&pro_cookie).send().await.status, StatusCode::OK);

    // Another business's owner reaches nothing.
    app.add_business("otra").await;
    let other = app.login_as("otra", crate::helpers::OWNER_EMAIL).await;
    let foreign = block(app, &other, &client, json!({ "reason": "x" })).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
}

/// The fixture's service and professional, for booking the same client.
async fn fixture_again(app: &TestApp, owner: &str, client: &str) -> Fixture {
    let services = app.get("/api/v1/services").cookie(owner).send().await;
    let service = services.body["items"][0]["id"].as_str().expect("service").to_owned();
    let staff = app.get("/api/v1/professionals").cookie(owner).send().await;
    let pro = staff.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["role"] == "professional"))
        .and_then(|s| s["id"].as_str())
        .expect("a professional")
        .to_owned();
    Fixture { owner: owner.to_owned(), pro_cookie: String::new(), pro, service, client: client.to_owned() }
}

async fn the_data_file_holds_every_section_and_private_notes_only_when_asked(app: &TestApp) {
    let f = fixture(app).await;
    let booking = booked(app, &f, "2026-03-16T10:00").await;
    let booking = booking["id"].as_str().expect("id");
    let add = |kind: &'static str, text: &'static str| {
        app.post(&format!("/api/v1/bookings/{booking}/notes"))
            .cookie(&f.owner)
            .json(json!({ "kind": kind, "text": text }))
            .send()
    };
    assert_eq!(add("private", "Dolor lumbar crónico, nota interna").await.status, StatusCode::CREATED);
    assert_eq!(add("shared", "Ejercicios: 3 series diarias").await.status, StatusCode::CREATED);
    let general = app
        .post(&format!("/api/v1/clients/{}/notes", f.client))
        .cookie(&f.owner)
        .json(json!({ "text": "Prefiere la mañana, nota general" }))
        .send()
        .await;
    assert_eq!(general.status, StatusCode::CREATED);
    let out = json!({ "whatsapp": false, "reminders": true });
    let chose = app
        .put(&format!("/api/v1/clients/{}/notification-preferences", f.client))
        .cookie(&f.owner)
        .json(out)
        .send()
        .await;
    assert_eq!(chose.status, StatusCode::OK, "{}", chose.body);

    let path = format!("/api/v1/clients/{}/data-file", f.client);
    let file = app.get(&path).cookie(&f.owner).send().await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert!(file.header("content-disposition").starts_with("attachment"), "a file to keep");
    for section in [
        "generated_at",
        "business",
        "private_notes_included",
        "client",
        "bookings",
        "packs",
        "notes",
        "attention_notes",
        "notification_preferences",
        "notifications",
        "history",
    ] {
        assert!(file.body.get(section).is_some(), "{section} in {}", file.body);
    }
    assert_eq!(file.body["client"]["name"], "Ana Pérez");
    assert_eq!(file.body["client"]["blocked"], false);
    assert_eq!(file.body["bookings"][0]["id"], booking);
    assert_eq!(file.body["bookings"][0]["payment"], json!({ "paid": false }));
    assert_eq!(file.body["bookings"][0]["service_name"], "Kinesiología");
    assert_eq!(file.body["attention_notes"]["shared"][0]["text"], "Ejercicios: 3 series diarias");
    assert_eq!(file.body["notification_preferences"], json!({ "whatsapp": false, "reminders": true }));
    assert!(file.body["notifications"].as_array().is_some_and(|m| !m.is_empty()), "the booking's email");
    let changes: Vec<&str> =
        file.body["history"].as_array().expect("history").iter().filter_map(|e| e["change"].as_str()).collect();
    assert!(changes.contains(&"booking_created") && changes.contains(&"notification_preferences"), "{changes:?}");
    let opt_out =
        file.body["history"].as_array().expect("history").iter().find(|e| e["change"] == "notification_preferences");
    assert_eq!(opt_out.map(|e| &e["source"]), Some(&json!("api")), "where the opt-out was made");
    // Without asking, no staff-only note anywhere in the file (nor its
    // history entry).
    let text = file.body.to_string();
    assert!(!text.contains("nota interna") && !text.contains("nota general"), "{text}");
    assert_eq!(file.body["private_notes_included"], false);

    let with = app.get(&format!("{path}?private=true")).cookie(&f.owner).send().await;
    assert_eq!(with.body["attention_notes"]["private"][0]["text"], "Dolor lumbar crónico, nota interna");
    assert_eq!(with.body["notes"][0]["text"], "Prefiere la mañana, nota general");

    let bad = app.get(&format!("{path}?private=si&x=1")).cookie(&f.owner).send().await;
    assert_eq!((bad.status, bad.code()), (StatusCode::BAD_REQUEST, "invalid_query"));
    assert_eq!(bad.field_errors(), ["private:not_allowed", "x:unknown_field"]);

    app.add_business("otra").await;
    let other = app.login_as("otra", crate::helpers::OWNER_EMAIL).await;
    assert_eq!(app.get(&path).cookie(&other).send().await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&path).send().await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_panel_blocks_with_a_reason_shows_the_banner_and_the_data_file() {
    use crate::panel::{csrf, html, submit};
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let profile = format!("/clientes/{}", f.client);
    let page = app.get(&profile).cookie(&f.owner).send().await;
    let token = csrf(&page);
    assert!(html(&page).contains("Bloquear perfil"), "owners get the form");
    assert!(html(&page).contains("href=\"/clientes/") && html(&page).contains("/archivo-de-datos\""));
    let pro_page = app.get(&profile).cookie(&f.pro_cookie).send().await;
    assert!(!html(&pro_page).contains("Bloquear perfil"), "professionals do not");

    // An empty reason: said by the field, nothing blocked.
    let refused = submit(&app, &f.owner, &format!("{profile}/bloquear"), &token, &[("motivo", " ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&refused).contains("Escribe el motivo del bloqueo"), "{}", html(&refused));
    let pro_token = csrf(&pro_page);
    let by_pro = submit(&app, &f.pro_cookie, &format!("{profile}/bloquear"), &pro_token, &[("motivo", "x")]).await;
    assert_eq!(by_pro.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&profile).cookie(&f.pro_cookie).send().await.status, StatusCode::OK, "still open");

    let blocked =
        submit(&app, &f.owner, &format!("{profile}/bloquear"), &token, &[("motivo", "A pedido de <Ana>")]).await;
    assert_eq!(blocked.status, StatusCode::SEE_OTHER);
    let page = app.get(&profile).cookie(&f.owner).send().await;
    assert!(html(&page).contains("Perfil bloqueado desde 14-03-2026: A pedido de &#60;Ana&#62;"), "{}", html(&page));
    assert_eq!(app.get(&profile).cookie(&f.pro_cookie).send().await.status, StatusCode::NOT_FOUND);
    let list = app.get("/clientes").cookie(&f.pro_cookie).send().await;
    assert!(!html(&list).contains("Ana Pérez"), "not in a professional's list");
    // An edit through the panel: the page says so, nothing changes.
    let edit = submit(&app, &f.owner, &format!("{profile}/notas"), &token, &[("texto", "hola")]).await;
    assert_eq!(edit.status, StatusCode::CONFLICT);
    assert!(html(&edit).contains("Este perfil está bloqueado"));

    let file = app.get(&format!("{profile}/archivo-de-datos")).cookie(&f.owner).send().await;
    assert_eq!(file.status, StatusCode::OK);
    let text = html(&file);
    for heading in
        ["Datos", "Reservas", "Packs de sesiones", "Notas de atención compartidas", "Notificaciones", "Historial"]
    {
        assert!(text.contains(&format!(">{heading}</h2>")), "{heading} in {text}");
    }
    assert!(text.contains("Perfil bloqueado"), "the file says it is blocked");
    assert!(!text.contains("Notas generales (internas)"), "without staff-only notes unless asked");
    let with = app.get(&format!("{profile}/archivo-de-datos?privadas=1")).cookie(&f.owner).send().await;
    assert!(html(&with).contains("Notas generales (internas)"));

    let unblocked = submit(&app, &f.owner, &format!("{profile}/desbloquear"), &token, &[]).await;
    assert_eq!(unblocked.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&profile).cookie(&f.pro_cookie).send().await.status, StatusCode::OK);
    app.finish().await;
}
