//! Notifications through the API, on both backends: the messages a booking
//! writes, the list's filters and pages, sending a failed one again, a
//! client's choices (and their history entry), and the business's settings
//! — the WhatsApp access token never shown back.

use axum::http::StatusCode;
use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::bookings::{Fixture, booked, fixture};
use crate::helpers::{OWNER_EMAIL, TestApp, on_both_backends};

on_both_backends!(
    a_booking_writes_a_pending_email_to_the_client_listed_for_the_business_and_the_client,
    the_list_filters_by_status_and_pages_and_names_bad_parameters,
    only_a_failed_message_is_sent_again_and_another_business_sees_none,
    the_clients_choices_are_saved_recorded_and_respected,
    owners_set_the_settings_and_the_access_token_is_never_shown,
    bad_settings_are_refused_field_by_field_and_nothing_is_saved,
    with_whatsapp_on_a_booking_also_writes_a_whatsapp_message,
);

async fn list(app: &TestApp, cookie: &str, path: &str) -> Vec<Value> {
    let response = app.get(path).cookie(cookie).send().await;
    assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.body);
    response.body["items"].as_array().expect("items").clone()
}

/// `kind/channel/status` of each message, newest first.
fn kinds(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|m| {
            format!(
                "{}/{}/{}",
                m["kind"].as_str().unwrap_or(""),
                m["channel"].as_str().unwrap_or(""),
                m["status"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn find<'a>(items: &'a [Value], kind: &str) -> &'a Value {
    items.iter().find(|m| m["kind"] == kind).unwrap_or_else(|| panic!("no {kind} in {items:?}"))
}

/// The message ids of `kind` as a worker would take them, then failed.
async fn fail_due_messages(app: &TestApp, reason: &str) -> Vec<String> {
    let claimed = app.store.claim_due(SignedDuration::from_secs(60), 100).await.expect("claimed");
    let mut failed = Vec::new();
    for claim in &claimed {
        assert!(app.store.mark_failed(claim, reason).await.expect("marked"));
        failed.push(claim.message.id.to_string());
    }
    failed
}

async fn a_booking_writes_a_pending_email_to_the_client_listed_for_the_business_and_the_client(app: &TestApp) {
    let f = fixture(app).await;
    // The clock stands at 2026-03-14 09:00 in Santiago (UTC−3 in March).
    let booking = booked(app, &f, "2026-03-16T10:00").await;
    let everyone = list(app, &f.pro_cookie, "/api/v1/notifications").await;
    let created = find(&everyone, "booking_created");
    assert_eq!(created["channel"], "email");
    assert_eq!(created["recipient"], "ana@mail.cl");
    assert_eq!(created["status"], "pending");
    assert_eq!(created["attempts"], 0);
    assert_eq!(created["client_id"], f.client.as_str());
    assert_eq!(created["booking_id"], booking["id"]);
    assert_eq!(created["created_at"], "2026-03-14T09:00:00-03:00", "in the business's offset");
    assert_eq!(created["next_attempt_at"], "2026-03-14T09:00:00-03:00", "due at once");
    assert_eq!(created["sent_at"], Value::Null);
    assert_eq!(created["last_error"], Value::Null);
    assert_eq!(created["summary"], "Kinesiología · 16-03-2026 10:00");
    assert_eq!(created["client"], format!("/api/v1/clients/{}", f.client));
    // The default reminder goes 24 hours before.
    let reminder = find(&everyone, "reminder");
    assert_eq!(
        (reminder["status"].clone(), reminder["next_attempt_at"].clone()),
        (json!("pending"), json!("2026-03-15T10:00:00-03:00"))
    );

    let of_client = list(app, &f.owner, &format!("/api/v1/clients/{}/notifications", f.client)).await;
    assert_eq!(kinds(&of_client), kinds(&everyone));
    let one = app.get(created["href"].as_str().expect("href")).cookie(&f.owner).send().await;
    assert_eq!((one.status, &one.body), (StatusCode::OK, created));

    let other = app.create_client(&f.owner, json!({ "name": "Luis Rojas", "email": "luis@mail.cl" })).await;
    let none =
        list(app, &f.owner, &format!("/api/v1/clients/{}/notifications", other["id"].as_str().expect("id"))).await;
    assert!(none.is_empty(), "{none:?}");
    let by_query = list(app, &f.owner, &format!("/api/v1/notifications?client_id={}", f.client)).await;
    assert_eq!(by_query.len(), everyone.len());
    let unknown = app.get("/api/v1/clients/0190a0a0-0000-7000-8000-000000000000/notifications").cookie(&f.owner);
    assert_eq!(unknown.send().await.status, StatusCode::NOT_FOUND);
    let unknown = app.get("/api/v1/notifications/0190a0a0-0000-7000-8000-000000000000").cookie(&f.owner);
    assert_eq!(unknown.send().await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/notifications").send().await.status, StatusCode::UNAUTHORIZED);
}

async fn the_list_filters_by_status_and_pages_and_names_bad_parameters(app: &TestApp) {
    let f = fixture(app).await;
    booked(app, &f, "2026-03-16T10:00").await;
    booked(app, &f, "2026-03-17T10:00").await;
    let all = list(app, &f.owner, "/api/v1/notifications").await;
    assert_eq!(all.len(), 4, "two bookings, each an email and a reminder: {all:?}");
    assert!(list(app, &f.owner, "/api/v1/notifications?status=sent").await.is_empty());
    assert_eq!(list(app, &f.owner, "/api/v1/notifications?status=pending").await.len(), 4);

    // Newest first, in pages.
    let first = app.get("/api/v1/notifications?limit=3").cookie(&f.owner).send().await;
    let cursor = first.body["next_cursor"].as_str().expect("a next page").to_owned();
    let second = app.get(&format!("/api/v1/notifications?limit=3&cursor={cursor}")).cookie(&f.owner).send().await;
    assert_eq!(second.body["next_cursor"], Value::Null);
    let paged: Vec<Value> = [first.body["items"].clone(), second.body["items"].clone()]
        .iter()
        .flat_map(|page| page.as_array().expect("items").clone())
        .collect();
    let ids = |items: &[Value]| items.iter().map(|m| m["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&paged), ids(&all));
    let created: Vec<&str> = all.iter().map(|m| m["created_at"].as_str().unwrap_or("")).collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first: {created:?}");

    let bad =
        app.get("/api/v1/notifications?status=enviado&cursor=nope&limit=0&color=rojo").cookie(&f.owner).send().await;
    assert_eq!((bad.status, bad.code()), (StatusCode::BAD_REQUEST, "invalid_query"));
    assert_eq!(
        bad.field_errors(),
        ["status:not_allowed", "cursor:bad_cursor", "limit:out_of_range", "color:unknown_field"]
    );
    let message = bad.body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("«estado»") && message.contains("pending, sending, sent, failed, cancelled"), "{message}");
    let path = format!("/api/v1/clients/{}/notifications?client_id={}", f.client, f.client);
    let bad = app.get(&path).cookie(&f.owner).send().await;
    assert_eq!(bad.field_errors(), ["client_id:unknown_field"], "the client is in the path");
}

async fn only_a_failed_message_is_sent_again_and_another_business_sees_none(app: &TestApp) {
    let f = fixture(app).await;
    booked(app, &f, "2026-03-16T10:00").await;
    let pending = find(&list(app, &f.owner, "/api/v1/notifications").await, "booking_created").clone();
    let resend = format!("{}/resend", pending["href"].as_str().expect("href"));
    let refused = app.post(&resend).cookie(&f.owner).json(json!({})).send().await;
    assert_eq!((refused.status, refused.code()), (StatusCode::CONFLICT, "not_resendable"));
    assert_eq!(refused.body["title"], "Solo se puede reenviar un mensaje fallido.");

    // A worker takes what is due now (the email, not the reminder) and fails it.
    let failed = fail_due_messages(app, "Buzón inexistente (550)").await;
    assert_eq!(failed, [pending["id"].as_str().expect("id")]);
    let failures = list(app, &f.owner, "/api/v1/notifications?status=failed").await;
    assert_eq!(kinds(&failures), ["booking_created/email/failed"]);
    assert_eq!(failures[0]["last_error"], "Buzón inexistente (550)");
    assert_eq!(failures[0]["attempts"], 1);

    let with_fields = app.post(&resend).cookie(&f.owner).json(json!({ "now": true })).send().await;
    assert_eq!(with_fields.field_errors(), ["now:unknown_field"]);
    let sent_again = app.post(&resend).cookie(&f.pro_cookie).json(json!({})).send().await;
    assert_eq!(sent_again.status, StatusCode::OK, "{}", sent_again.body);
    assert_eq!(
        (sent_again.body["id"].clone(), sent_again.body["status"].clone()),
        (pending["id"].clone(), json!("pending"))
    );
    assert_eq!(sent_again.body["attempts"], 0, "counted anew");
    let twice = app.post(&resend).cookie(&f.owner).json(json!({})).send().await;
    assert_eq!(twice.code(), "not_resendable");

    app.add_business("otra").await;
    let theirs = app.login_as("otra", OWNER_EMAIL).await;
    assert!(list(app, &theirs, "/api/v1/notifications").await.is_empty());
    let href = pending["href"].as_str().expect("href");
    assert_eq!(app.get(href).cookie(&theirs).send().await.status, StatusCode::NOT_FOUND);
    let foreign = app.post(&resend).cookie(&theirs).json(json!({})).send().await;
    assert_eq!((foreign.status, foreign.code()), (StatusCode::NOT_FOUND, "not_found"));
    let path = format!("/api/v1/clients/{}/notification-preferences", f.client);
    assert_eq!(app.get(&path).cookie(&theirs).send().await.status, StatusCode::NOT_FOUND);
    let put = app.put(&path).cookie(&theirs).json(json!({ "whatsapp": false, "reminders": false })).send().await;
    assert_eq!(put.status, StatusCode::NOT_FOUND);
    let mine = app.get(&path).cookie(&f.owner).send().await;
    assert_eq!(mine.body, json!({ "whatsapp": true, "reminders": true }), "unchanged");
}

async fn the_clients_choices_are_saved_recorded_and_respected(app: &TestApp) {
    let f = fixture(app).await;
    booked(app, &f, "2026-03-16T10:00").await;
    let path = format!("/api/v1/clients/{}/notification-preferences", f.client);
    let stored = app.get(&path).cookie(&f.pro_cookie).send().await;
    assert_eq!((stored.status, stored.body.clone()), (StatusCode::OK, json!({ "whatsapp": true, "reminders": true })));

    let bad = app.put(&path).cookie(&f.owner).json(json!({ "whatsapp": "no", "email": false })).send().await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.field_errors(), ["email:unknown_field", "whatsapp:not_boolean", "reminders:required"]);

    let saved = app.put(&path).cookie(&f.pro_cookie).json(json!({ "whatsapp": true, "reminders": false })).send().await;
    assert_eq!((saved.status, saved.body.clone()), (StatusCode::OK, json!({ "whatsapp": true, "reminders": false })));
    assert_eq!(app.get(&path).cookie(&f.owner).send().await.body, saved.body);

    // The pending reminder is no longer wanted.
    let messages = list(app, &f.owner, &format!("/api/v1/clients/{}/notifications", f.client)).await;
    assert_eq!(find(&messages, "reminder")["status"], "cancelled");
    assert_eq!(find(&messages, "booking_created")["status"], "pending");
    // A later booking writes no reminder.
    booked(app, &f, "2026-03-18T10:00").await;
    let messages = list(app, &f.owner, "/api/v1/notifications?status=pending").await;
    assert_eq!(kinds(&messages), ["booking_created/email/pending", "booking_created/email/pending"]);

    // Recorded in the client's history, with who.
    let history = app.get(&format!("/api/v1/clients/{}/history", f.client)).cookie(&f.owner).send().await;
    let entry = history.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|e| e["change"] == "notification_preferences"))
        .unwrap_or_else(|| panic!("no preferences entry: {}", history.body));
    assert_eq!(entry["by"]["kind"], "staff", "{entry}");
    assert_eq!(entry["old"], json!({ "whatsapp": true, "reminders": true }));
    assert_eq!(entry["new"], json!({ "whatsapp": true, "reminders": false }));
}

fn settings_body(token: Option<&str>) -> Value {
    let mut whatsapp = json!({
        "enabled": true,
        "phone_number_id": "106540352242922",
        "templates": {
            "booking_created": { "name": "reserva_creada", "language": "es_CL" },
            "reminder": { "name": "recordatorio_cita", "language": "es" },
        },
    });
    if let Some(token) = token {
        whatsapp["access_token"] = json!(token);
    }
    json!({ "sender_name": "Clínica Alameda · Reservas", "reminder_lead_minutes": 120, "whatsapp": whatsapp })
}

const TOKEN: &str = "EAAGm0PX4ZCpsBAKZC-secreto";

async fn owners_set_the_settings_and_the_access_token_is_never_shown(app: &TestApp) {
    let owner = app.owner().await;
    let pro = app.professional().await;
    // Settings are the owners' (they hold the access token), like every setting.
    let hidden = app.get("/api/v1/settings/notifications").cookie(&pro).send().await;
    assert_eq!((hidden.status, hidden.code()), (StatusCode::FORBIDDEN, "owner_only"));
    let defaults = app.get("/api/v1/settings/notifications").cookie(&owner).send().await;
    assert_eq!(defaults.status, StatusCode::OK);
    assert_eq!(
        defaults.body,
        json!({
            "sender_name": null,
            "reminder_lead_minutes": 1440,
            "whatsapp": { "enabled": false, "phone_number_id": "", "access_token_set": false, "templates": {} },
        })
    );

    let denied = app.put("/api/v1/settings/notifications").cookie(&pro).json(settings_body(Some(TOKEN))).send().await;
    assert_eq!((denied.status, denied.code()), (StatusCode::FORBIDDEN, "owner_only"));
    let unchanged = app.get("/api/v1/settings/notifications").cookie(&owner).send().await;
    assert_eq!(unchanged.body, defaults.body);

    let saved = app.put("/api/v1/settings/notifications").cookie(&owner).json(settings_body(Some(TOKEN))).send().await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.body["whatsapp"]["access_token_set"], true);
    assert_eq!(
        saved.body["whatsapp"]["templates"]["booking_created"],
        json!({ "name": "reserva_creada", "language": "es_CL" })
    );
    assert_eq!(saved.body["reminder_lead_minutes"], 120);
    assert_eq!(saved.body["sender_name"], "Clínica Alameda · Reservas");
    let read = app.get("/api/v1/settings/notifications").cookie(&owner).send().await;
    assert_eq!(read.body, saved.body);
    assert!(!read.body.to_string().contains("secreto"), "the token is never shown: {}", read.body);
    assert!(!saved.body.to_string().contains("secreto"));

    // Without a token the stored one stays (and enables the channel);
    // null forgets it.
    let kept = app.put("/api/v1/settings/notifications").cookie(&owner).json(settings_body(None)).send().await;
    assert_eq!((kept.status, kept.body["whatsapp"]["access_token_set"].clone()), (StatusCode::OK, json!(true)));
    let empty = app.put("/api/v1/settings/notifications").cookie(&owner).json(settings_body(Some(""))).send().await;
    assert_eq!(empty.body["whatsapp"]["access_token_set"], true, "an empty token keeps the stored one");
    let mut off = settings_body(None);
    off["whatsapp"]["enabled"] = json!(false);
    off["whatsapp"]["access_token"] = Value::Null;
    off["reminder_lead_minutes"] = Value::Null;
    off["sender_name"] = Value::Null;
    let forgotten = app.put("/api/v1/settings/notifications").cookie(&owner).json(off).send().await;
    assert_eq!(forgotten.status, StatusCode::OK, "{}", forgotten.body);
    assert_eq!(forgotten.body["whatsapp"]["access_token_set"], false);
    assert_eq!(
        (forgotten.body["reminder_lead_minutes"].clone(), forgotten.body["sender_name"].clone()),
        (Value::Null, Value::Null)
    );
    let enable = app.put("/api/v1/settings/notifications").cookie(&owner).json(settings_body(None)).send().await;
    assert_eq!(enable.field_errors(), ["whatsapp.access_token:required"], "no token stored any more");
}

async fn bad_settings_are_refused_field_by_field_and_nothing_is_saved(app: &TestApp) {
    let owner = app.owner().await;
    let saved = app.put("/api/v1/settings/notifications").cookie(&owner).json(settings_body(Some(TOKEN))).send().await;
    assert_eq!(saved.status, StatusCode::OK);
    let bad = json!({
        "sender_name": "x".repeat(101),
        "reminder_lead_minutes": 0,
        "colour": "azul",
        "whatsapp": {
            "enabled": true,
            "phone_number_id": "+56 9 1234 5678",
            "access_token": "con espacios",
            "access_token_set": true,
            "templates": {
                "booking_created": { "name": "Reserva Creada", "language": "español" },
                "sign_in_link": { "name": "acceso", "language": "es" },
                "reminder": { "name": "recordatorio" },
            },
        },
    });
    let refused = app.put("/api/v1/settings/notifications").cookie(&owner).json(bad).send().await;
    assert_eq!((refused.status, refused.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    let mut errors = refused.field_errors();
    errors.sort();
    assert_eq!(
        errors,
        [
            "colour:unknown_field",
            "reminder_lead_minutes:out_of_range",
            "sender_name:too_long",
            "whatsapp.access_token:access_token_invalid",
            "whatsapp.access_token_set:read_only",
            "whatsapp.phone_number_id:phone_number_id_invalid",
            "whatsapp.templates.booking_created.language:template_language_invalid",
            "whatsapp.templates.booking_created.name:template_name_invalid",
            "whatsapp.templates.reminder.language:required",
            "whatsapp.templates.sign_in_link:not_whatsapp_kind",
        ]
    );
    let words: Vec<&str> =
        refused.body["errors"].as_array().expect("errors").iter().filter_map(|e| e["message"].as_str()).collect();
    assert!(words.iter().any(|w| w.contains("nombre de la plantilla de «Reserva creada»")), "{words:?}");
    assert!(words.iter().any(|w| w.contains("solo por correo")), "{words:?}");
    let english = app
        .put("/api/v1/settings/notifications")
        .cookie(&owner)
        .header("accept-language", "en")
        .json(json!({ "reminder_lead_minutes": 60, "whatsapp": { "enabled": true, "access_token": null } }))
        .send()
        .await;
    assert_eq!(english.field_errors(), ["whatsapp.phone_number_id:required", "whatsapp.access_token:required"]);
    assert_eq!(
        english.body["errors"][0]["message"],
        "WhatsApp cannot be turned on without the WhatsApp phone-number id."
    );
    let missing = app.put("/api/v1/settings/notifications").cookie(&owner).json(json!({})).send().await;
    assert_eq!(missing.field_errors(), ["reminder_lead_minutes:required", "whatsapp:required"]);

    let after = app.get("/api/v1/settings/notifications").cookie(&owner).send().await;
    assert_eq!(after.body, saved.body, "nothing was saved");
}

async fn with_whatsapp_on_a_booking_also_writes_a_whatsapp_message(app: &TestApp) {
    let f: Fixture = fixture(app).await;
    let path = format!("/api/v1/clients/{}", f.client);
    let client = app.get(&path).cookie(&f.owner).send().await;
    let etag = client.header("etag").to_owned();
    let phone = app.patch(&path).cookie(&f.owner).header("if-match", &etag).json(json!({ "phone": "9 6123 4567" }));
    assert_eq!(phone.send().await.status, StatusCode::OK);
    let on = app.put("/api/v1/settings/notifications").cookie(&f.owner).json(settings_body(Some(TOKEN))).send().await;
    assert_eq!(on.status, StatusCode::OK);

    booked(app, &f, "2026-03-16T10:00").await;
    let messages = list(app, &f.owner, "/api/v1/notifications").await;
    let whatsapp: Vec<&Value> = messages.iter().filter(|m| m["channel"] == "whatsapp").collect();
    assert_eq!(whatsapp.len(), 2, "booking_created and reminder have templates: {messages:?}");
    assert!(whatsapp.iter().all(|m| m["recipient"] == "+56961234567"));
    assert!(!messages.iter().any(|m| m.to_string().contains("secreto")));

    // Opted out of WhatsApp: the pending ones are cancelled, new ones go by email.
    let path = format!("/api/v1/clients/{}/notification-preferences", f.client);
    let out = app.put(&path).cookie(&f.owner).json(json!({ "whatsapp": false, "reminders": true })).send().await;
    assert_eq!(out.status, StatusCode::OK);
    let after = list(app, &f.owner, "/api/v1/notifications?status=pending").await;
    assert!(after.iter().all(|m| m["channel"] == "email"), "{after:?}");
    booked(app, &f, "2026-03-18T10:00").await;
    let pending = list(app, &f.owner, "/api/v1/notifications?status=pending").await;
    assert!(pending.iter().all(|m| m["channel"] == "email"), "{pending:?}");
}
