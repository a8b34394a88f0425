//! Calendar feeds through the API and the feed URL itself, on both
//! backends: a professional's subscription shows their bookings only, with
//! the client's initials (full names when the business chooses), nothing
//! of notes or custom values, "Reservado" for a blocked client; a revoked
//! or unknown token is a bare 404, and another business's feed never shows
//! this business.

use axum::http::StatusCode;
use icalendar::{Calendar, Component};
use serde_json::{Value, json};

use crate::bookings::{Fixture, booked, create_service, fixture};
use crate::helpers::{OWNER_EMAIL, PRO_EMAIL, TestApp, TestResponse, on_both_backends};

on_both_backends!(
    a_feed_shows_the_professionals_bookings_as_the_business_chose,
    feeds_are_revoked_and_stay_inside_their_business,
);

/// The feed's path (`/calendario.ics/…`) from the address the API gave.
fn feed_path(created: &TestResponse) -> String {
    let url = created.body["url"].as_str().expect("a url");
    let start = url.find("/calendario.ics/").expect("the feed's path");
    url[start..].to_owned()
}

async fn subscribe(app: &TestApp, cookie: &str, label: &str) -> TestResponse {
    let created = app.post("/api/v1/calendar-feeds").cookie(cookie).json(json!({ "label": label })).send().await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created
}

/// The feed's text, checked to be a calendar.
async fn read_feed(app: &TestApp, path: &str) -> String {
    let response = app.get(path).send().await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.header("content-type"), "text/calendar; charset=utf-8");
    response.body.as_str().expect("text").to_owned()
}

/// (UID, SUMMARY, STATUS, DTSTART) of each event, parsed back.
fn events(ics: &str) -> Vec<(String, String, String, String)> {
    let calendar: Calendar = ics.parse().expect("an iCalendar");
    calendar
        .events()
        .map(|e| {
            let value = |key: &str| e.property_value(key).unwrap_or_default().to_owned();
            (value("UID"), value("SUMMARY"), value("STATUS"), value("DTSTART"))
        })
        .collect()
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

async fn owner_id(app: &TestApp, f: &Fixture) -> String {
    let staff = app.get("/api/v1/professionals").cookie(&f.owner).send().await;
    staff.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["role"] == "owner"))
        .map(id)
        .expect("the owner")
}

async fn a_feed_shows_the_professionals_bookings_as_the_business_chose(app: &TestApp) {
    let f = fixture(app).await;
    // What the clinic knows of Ana and must not leave: a note, an attention
    // note, a custom value, her email.
    let field = json!({ "key": "diagnostico", "label": "Diagnóstico", "kind": "text", "sensitive": true });
    let made = app.post("/api/v1/custom-fields").cookie(&f.owner).json(field).send().await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let values = app
        .put(&format!("/api/v1/clients/{}/custom-values", f.client))
        .cookie(&f.owner)
        .header("if-match", "*")
        .json(json!({ "values": { "diagnostico": "Hernia lumbar" } }))
        .send()
        .await;
    assert_eq!(values.status, StatusCode::OK, "{}", values.body);
    let note = json!({ "text": "Alérgica al látex" });
    let noted = app.post(&format!("/api/v1/clients/{}/notes", f.client)).cookie(&f.owner).json(note).send().await;
    assert_eq!(noted.status, StatusCode::CREATED, "{}", noted.body);

    let first = booked(app, &f, "2026-03-16T10:00").await;
    let second = booked(app, &f, "2026-03-17T15:00").await;
    let cancelled = booked(app, &f, "2026-03-18T10:00").await;
    let attention = json!({ "kind": "private", "text": "Dolor crónico" });
    let path = format!("/api/v1/bookings/{}/notes", id(&first));
    assert_eq!(app.post(&path).cookie(&f.owner).json(attention).send().await.status, StatusCode::CREATED);
    let path = format!("/api/v1/bookings/{}/cancel", id(&cancelled));
    assert_eq!(app.post(&path).cookie(&f.owner).json(json!({})).send().await.status, StatusCode::OK);
    // The owner's own booking at the same time is not the professional's.
    let owner = owner_id(app, &f).await;
    let hours = json!([["09:00", "18:00"]]);
    let week = json!({ "monday": hours, "tuesday": hours, "wednesday": hours, "thursday": hours,
        "friday": hours, "saturday": hours, "sunday": hours });
    let agenda = app.put(&format!("/api/v1/professionals/{owner}/agenda")).cookie(&f.owner).json(week).send().await;
    assert_eq!(agenda.status, StatusCode::OK, "{}", agenda.body);
    let facial = create_service(app, &f.owner, "Facial", 60, 1, &owner).await;
    let theirs =
        json!({ "client_id": f.client, "service_id": facial, "professional_id": owner, "start": "2026-03-16T10:00" });
    assert_eq!(app.post("/api/v1/bookings").cookie(&f.owner).json(theirs).send().await.status, StatusCode::CREATED);

    let created = subscribe(app, &f.pro_cookie, "iPhone").await;
    assert!(created.body["webcal_url"].as_str().expect("webcal").starts_with("webcal://"), "{}", created.body);
    let path = feed_path(&created);
    let ics = read_feed(app, &path).await;
    let shown = events(&ics);
    assert_eq!(
        shown,
        [
            (
                format!("{}@ficha", id(&first)),
                "Kinesiología · A.P.".into(),
                "TENTATIVE".into(),
                "20260316T130000Z".into()
            ),
            (
                format!("{}@ficha", id(&second)),
                "Kinesiología · A.P.".into(),
                "TENTATIVE".into(),
                "20260317T180000Z".into()
            ),
        ],
        "{ics}"
    );
    for secret in ["Ana", "Pérez", "látex", "Dolor", "Hernia", "ana@mail.cl", "Facial"] {
        assert!(!ics.contains(secret), "{secret} in the feed:\n{ics}");
    }
    assert!(ics.contains("SEQUENCE:0"), "{ics}");
    assert!(ics.contains("LAST-MODIFIED:20260314T120000Z"), "{ics}");

    // An unchanged feed answers 304 to its ETag; a change makes a new one.
    let first_read = app.get(&path).send().await;
    let etag = first_read.header("etag").to_owned();
    assert!(etag.starts_with('"'), "{etag:?}");
    assert_eq!(first_read.header("cache-control"), "private, max-age=300");
    assert_eq!(app.get(&path).header("if-none-match", &etag).send().await.status, StatusCode::NOT_MODIFIED);
    let confirm = format!("/api/v1/bookings/{}/confirm", id(&first));
    assert_eq!(app.post(&confirm).cookie(&f.owner).json(json!({})).send().await.status, StatusCode::OK);
    let changed = app.get(&path).header("if-none-match", &etag).send().await;
    assert_eq!(changed.status, StatusCode::OK);
    let ics = changed.body.as_str().expect("text");
    assert_eq!(events(ics)[0].2, "CONFIRMED");
    assert!(ics.contains("SEQUENCE:1"), "{ics}");

    // Full names, when the owner chooses them; the professional may not.
    let by_pro = app.put("/api/v1/settings/calendar-feeds").cookie(&f.pro_cookie).json(json!({ "full_names": true }));
    assert_eq!(by_pro.send().await.status, StatusCode::FORBIDDEN);
    let set =
        app.put("/api/v1/settings/calendar-feeds").cookie(&f.owner).json(json!({ "full_names": true })).send().await;
    assert_eq!((set.status, &set.body), (StatusCode::OK, &json!({ "full_names": true })));
    let read = app.get("/api/v1/settings/calendar-feeds").cookie(&f.pro_cookie).send().await;
    assert_eq!(read.body, json!({ "full_names": true }));
    let shown = events(&read_feed(app, &path).await);
    assert!(shown.iter().all(|e| e.1 == "Kinesiología · Ana Pérez"), "{shown:?}");

    // A blocked client's time shows only as taken, whatever the setting.
    let block = app.post(&format!("/api/v1/clients/{}/block", f.client)).cookie(&f.owner);
    assert_eq!(block.json(json!({ "reason": "Pidió el bloqueo" })).send().await.status, StatusCode::OK);
    let ics = read_feed(app, &path).await;
    assert!(events(&ics).iter().all(|e| e.1 == "Reservado"), "{ics}");
    assert!(!ics.contains("Ana") && !ics.contains("Kinesiología"), "{ics}");
}

async fn feeds_are_revoked_and_stay_inside_their_business(app: &TestApp) {
    let f = fixture(app).await;
    booked(app, &f, "2026-03-16T10:00").await;
    let phone = subscribe(app, &f.pro_cookie, "iPhone").await;
    let laptop = subscribe(app, &f.pro_cookie, "Notebook").await;
    assert_eq!(phone.body["last_used_at"], Value::Null);
    read_feed(app, &feed_path(&phone)).await;

    let listed = app.get("/api/v1/calendar-feeds").cookie(&f.pro_cookie).send().await;
    let items = listed.body["items"].as_array().expect("items");
    assert_eq!(items.iter().map(|i| i["label"].as_str().unwrap_or("")).collect::<Vec<_>>(), ["iPhone", "Notebook"]);
    assert_eq!(items[0]["last_used_at"], "2026-03-14T12:00:00Z");
    assert!(items.iter().all(|i| i.get("url").is_none()), "the secret is shown only once: {}", listed.body);
    assert!(!listed.body.to_string().contains(&feed_path(&phone)[16..]));

    // Bad input is refused field by field, and saves nothing.
    let empty = app.post("/api/v1/calendar-feeds").cookie(&f.pro_cookie).json(json!({ "label": "  " })).send().await;
    assert_eq!(
        (empty.status, empty.field_errors()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["label:required".to_owned()])
    );
    let sneaky = json!({ "label": "x", "url": "http://x" });
    let sneaky = app.post("/api/v1/calendar-feeds").cookie(&f.pro_cookie).json(sneaky).send().await;
    assert_eq!(sneaky.field_errors(), ["url:read_only"]);
    // A professional keeps to their own feeds; the owner reaches theirs.
    let owner = owner_id(app, &f).await;
    let theirs = json!({ "label": "x", "staff_id": owner });
    let theirs = app.post("/api/v1/calendar-feeds").cookie(&f.pro_cookie).json(theirs).send().await;
    assert_eq!((theirs.status, theirs.code()), (StatusCode::FORBIDDEN, "owner_only"));
    let others = app.get(&format!("/api/v1/calendar-feeds?staff_id={owner}")).cookie(&f.pro_cookie).send().await;
    assert_eq!(others.status, StatusCode::FORBIDDEN);
    let of_pro = app.get(&format!("/api/v1/calendar-feeds?staff_id={}", f.pro)).cookie(&f.owner).send().await;
    assert_eq!(of_pro.body["items"].as_array().map(Vec::len), Some(2));
    let own = app.get("/api/v1/calendar-feeds").cookie(&f.owner).send().await;
    assert_eq!(own.body, json!({ "items": [] }));
    // An API token has no bookings of its own: it names whose.
    let token = app.post("/api/v1/tokens").cookie(&f.owner).json(json!({ "name": "Agenda web" })).send().await;
    let bearer = format!("Bearer {}", token.body["token"].as_str().expect("token"));
    let listed = app.get("/api/v1/calendar-feeds").header("authorization", &bearer).send().await;
    assert_eq!((listed.status, listed.field_errors()), (StatusCode::BAD_REQUEST, vec!["staff_id:required".to_owned()]));
    let made = json!({ "label": "Integración", "staff_id": f.pro });
    let made = app.post("/api/v1/calendar-feeds").header("authorization", &bearer).json(made).send().await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);

    // Another business: its feeds show none of this one's bookings, and it
    // neither lists nor revokes this one's feeds.
    app.add_business("otra").await;
    let other_pro = app.login_as("otra", PRO_EMAIL).await;
    let other_owner = app.login_as("otra", OWNER_EMAIL).await;
    let other = subscribe(app, &other_pro, "Android").await;
    assert!(events(&read_feed(app, &feed_path(&other)).await).is_empty());
    let foreign = app.get(&format!("/api/v1/calendar-feeds?staff_id={}", f.pro)).cookie(&other_owner).send().await;
    assert_eq!(foreign.body, json!({ "items": [] }));
    let phone_id = id(&phone.body);
    let foreign = app.delete(&format!("/api/v1/calendar-feeds/{phone_id}")).cookie(&other_owner).send().await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    read_feed(app, &feed_path(&phone)).await;

    // Revoked: the URL is a bare 404, like one never made.
    let revoked = app.delete(&format!("/api/v1/calendar-feeds/{phone_id}")).cookie(&f.pro_cookie).send().await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let gone = app.get(&feed_path(&phone)).send().await;
    assert_eq!((gone.status, &gone.body), (StatusCode::NOT_FOUND, &Value::Null));
    let never = app.get("/calendario.ics/no-such-token").send().await;
    assert_eq!((never.status, &never.body), (StatusCode::NOT_FOUND, &Value::Null));
    read_feed(app, &feed_path(&laptop)).await;
    let again = app.delete(&format!("/api/v1/calendar-feeds/{phone_id}")).cookie(&f.pro_cookie).send().await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}
