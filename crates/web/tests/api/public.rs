//! The public booking API (`/api/v1/public/{slug}/…`) on both backends: what
//! is offered, the free times, a booking and its manage token, every
//! field's problem at once, the anonymous-booking rule, a taken slot, the
//! deadlines, the 404s, and CORS on this prefix only.

use axum::http::{Method, StatusCode};
use ficha_domain::{Actor, BookingRules, ChoiceOptions, FieldKey, FieldKind, FieldLabel, NewCustomField};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::bookings::{Fixture, booked, create_service, fixture};
use crate::helpers::{TestApp, TestResponse, on_both_backends, start_time};

on_both_backends!(
    services_are_those_offered_online_with_their_professionals,
    availability_keeps_notice_horizon_bookings_and_cualquiera,
    availability_names_the_first_free_date_past_an_empty_range,
    a_booking_is_created_and_staff_see_it_from_the_booking_site,
    every_field_problem_is_named_at_once_and_nothing_is_booked,
    an_existing_email_is_neither_overwritten_nor_revealed,
    a_taken_slot_is_409_and_one_booking_stays,
    the_manage_token_shows_reschedules_and_cancels,
    the_deadlines_refuse_and_change_nothing,
    closed_unknown_and_wrong_tokens_are_404s_that_read_alike,
    cors_is_open_on_the_public_prefix_only,
    bookings_over_the_limit_per_email_are_429_and_book_nothing,
    a_booking_needs_the_current_privacy_notice_and_records_its_consent,
);

const BASE: &str = "/api/v1/public/clinica";

async fn actor(app: &TestApp) -> Actor {
    let business = app.store.business_by_slug("clinica").await.expect("read").expect("business");
    Actor::System { business: business.id }
}

async fn set_rules(app: &TestApp, rules: BookingRules) {
    app.store.set_booking_rules(&actor(app).await, rules).await.expect("rules");
}

/// The fixture (a professional free 09–13 and 14–18 every day, a 60-minute
/// service), with the site open: 2 h notice, 60 days, deadlines of 24 h.
async fn open(app: &TestApp) -> Fixture {
    let f = fixture(app).await;
    set_rules(app, BookingRules { online: true, ..BookingRules::default() }).await;
    f
}

fn client(name: &str, email: &str) -> Value {
    json!({ "name": name, "email": email, "phone": "9 6123 4567" })
}

/// Posts `body`; a booking gets the client's acceptance of the default
/// notice (version 1) unless the test says otherwise.
async fn post(app: &TestApp, path: &str, mut body: Value) -> TestResponse {
    if path == "/bookings" && body.get("privacy_notice").is_none() {
        body["privacy_notice"] = json!({ "accepted": true, "version": 1 });
    }
    post_as_is(app, path, body).await
}

async fn post_as_is(app: &TestApp, path: &str, body: Value) -> TestResponse {
    app.post(&format!("{BASE}{path}")).json(body).send().await
}

async fn get(app: &TestApp, path: &str) -> TestResponse {
    app.get(&format!("{BASE}{path}")).send().await
}

/// Books `start` with the fixture's professional; asserts 201.
async fn book_at(app: &TestApp, f: &Fixture, start: &str, who: Value) -> Value {
    let body = json!({ "service": f.service, "professional": f.pro, "start": start, "client": who });
    let done = post(app, "/bookings", body).await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    done.body
}

/// The starts of `date` in an availability answer.
fn starts(availability: &Value, date: &str) -> Vec<String> {
    availability["days"]
        .as_array()
        .expect("days")
        .iter()
        .find(|d| d["date"] == date)
        .map(|d| d["slots"].as_array().expect("slots").iter().map(|s| s["start"].as_str().unwrap_or("").to_owned()))
        .map(Iterator::collect)
        .unwrap_or_default()
}

/// A JSON value's shape: its keys, recursively, without the values.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        Value::Null => json!("null"),
        _ => json!("value"),
    }
}

async fn staff_ids(app: &TestApp, f: &Fixture) -> (String, String) {
    let staff = app.get("/api/v1/professionals").cookie(&f.owner).send().await;
    let id = |role: &str| {
        staff.body["items"].as_array().and_then(|items| items.iter().find(|s| s["role"] == role)).expect("staff")["id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    (id("owner"), id("professional"))
}

pub async fn services_are_those_offered_online_with_their_professionals(app: &TestApp) {
    let f = open(app).await;
    let masaje = create_service(app, &f.owner, "Masaje", 30, 1, &f.pro).await;
    app.store.set_service_online(&actor(app).await, masaje.parse().expect("id"), false).await.expect("offline");
    let pack = create_service(app, &f.owner, "Pack kine", 60, 4, &f.pro).await;
    let listed = get(app, "/services").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let names: Vec<&str> =
        listed.body["items"].as_array().expect("items").iter().filter_map(|s| s["name"].as_str()).collect();
    assert!(names.contains(&"Kinesiología") && names.contains(&"Pack kine"), "{names:?}");
    assert!(!names.contains(&"Masaje"), "a service taken offline is not offered");
    let kine = listed.body["items"].as_array().expect("items").iter().find(|s| s["id"] == f.service).expect("kine");
    assert_eq!(kine["duration_minutes"], 60);
    assert_eq!(kine["price_text"], "$25.000");
    assert_eq!(kine["professionals"], json!([{ "id": f.pro, "name": "Persona de Prueba" }]));
    let pack = listed.body["items"].as_array().expect("items").iter().find(|s| s["id"] == pack).expect("pack");
    assert_eq!((pack["sessions"].clone(), pack["is_pack"].clone()), (json!(4), json!(true)));
    assert_eq!(listed.body["business"]["time_zone"], "America/Santiago");
}

pub async fn availability_keeps_notice_horizon_bookings_and_cualquiera(app: &TestApp) {
    let f = open(app).await;
    // Now is Saturday 14-03-2026 09:00 in Santiago: 2 h notice leaves 11:00 first.
    let one = get(app, &format!("/availability?service={}&professional={}", f.service, f.pro)).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert_eq!(one.body["days"].as_array().map(Vec::len), Some(7), "a week by default");
    let today = &one.body["days"][0];
    assert_eq!(today["date"], "2026-03-14");
    assert_eq!(today["slots"][0]["start"], "2026-03-14T11:00:00-03:00");
    assert_eq!(today["slots"][0]["end"], "2026-03-14T12:00:00-03:00");
    assert_eq!(
        (today["slots"][0]["local_date"].clone(), today["slots"][0]["local_time"].clone()),
        (json!("2026-03-14"), json!("11:00"))
    );
    assert!(one.body["first_available_date"].is_null(), "the range has free times");
    // The professional's booking at 11:00 takes it away from them…
    booked(app, &f, "2026-03-14T14:00:00Z").await;
    let one = get(app, &format!("/availability?service={}&professional={}", f.service, f.pro)).await;
    assert!(!starts(&one.body, "2026-03-14").contains(&"2026-03-14T11:00:00-03:00".to_owned()), "{}", one.body);
    // …but "Cualquiera" still offers it once the owner performs the service too.
    let (owner_id, pro_id) = staff_ids(app, &f).await;
    let hours = json!([["09:00", "13:00"]]);
    let agenda = json!({ "monday": hours, "tuesday": hours, "wednesday": hours, "thursday": hours,
                         "friday": hours, "saturday": hours, "sunday": hours });
    let put = app.put(&format!("/api/v1/professionals/{owner_id}/agenda")).cookie(&f.owner).json(agenda).send().await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let patch = json!({ "professional_ids": [owner_id, pro_id] });
    let changed = app.patch(&format!("/api/v1/services/{}", f.service)).cookie(&f.owner).json(patch).send().await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let any = get(app, &format!("/availability?service={}", f.service)).await;
    assert_eq!(starts(&any.body, "2026-03-14")[0], "2026-03-14T11:00:00-03:00", "{}", any.body);
    let named = get(app, &format!("/availability?service={}&professional=cualquiera", f.service)).await;
    assert_eq!(starts(&named.body, "2026-03-14"), starts(&any.body, "2026-03-14"));
    // The horizon: three days ahead ends on the 17th.
    set_rules(app, BookingRules { online: true, horizon_days: 3, ..BookingRules::default() }).await;
    let short = get(app, &format!("/availability?service={}&from=2026-03-16&days=4", f.service)).await;
    assert_eq!(short.body["bookable_until"], "2026-03-17");
    assert!(!starts(&short.body, "2026-03-17").is_empty() && starts(&short.body, "2026-03-18").is_empty());
    assert!(short.body["first_available_date"].is_null());
    // Bad parameters are named each, in Spanish.
    let bad = get(app, "/availability?days=15&from=ayer&color=rojo").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let mut errors = bad.field_errors();
    errors.sort();
    assert_eq!(errors, ["color:unknown_field", "days:out_of_range", "from:date_format", "service:required"]);
    let days = bad.body["errors"].as_array().expect("errors").iter().find(|e| e["field"] == "days").expect("days");
    assert!(days["message"].as_str().unwrap_or("").contains("entre 1 y 14"), "{days}");
    // A professional who does not perform the service, a service not offered.
    let masaje = create_service(app, &f.owner, "Masaje", 30, 1, &f.pro).await;
    app.store.set_service_online(&actor(app).await, masaje.parse().expect("id"), false).await.expect("offline");
    assert_eq!(get(app, &format!("/availability?service={masaje}")).await.code(), "service_unknown");
    let stranger = "0190d5b8-0000-7000-8000-000000000000";
    let refused = get(app, &format!("/availability?service={}&professional={stranger}", f.service)).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::UNPROCESSABLE_ENTITY, "service_not_performed"));
}

pub async fn availability_names_the_first_free_date_past_an_empty_range(app: &TestApp) {
    let f = open(app).await;
    // Only Mondays.
    let agenda = json!({ "monday": [["09:00", "13:00"]] });
    let put = app.put(&format!("/api/v1/professionals/{}/agenda", f.pro)).cookie(&f.owner).json(agenda).send().await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let tuesday = get(app, &format!("/availability?service={}&from=2026-03-17&days=3", f.service)).await;
    assert_eq!(tuesday.status, StatusCode::OK, "{}", tuesday.body);
    assert!(tuesday.body["days"].as_array().expect("days").iter().all(|d| d["slots"] == json!([])));
    assert_eq!(tuesday.body["first_available_date"], "2026-03-23", "the next Monday");
}

pub async fn a_booking_is_created_and_staff_see_it_from_the_booking_site(app: &TestApp) {
    let f = open(app).await;
    let done = book_at(app, &f, "2026-03-14T11:00:00-03:00", client("Marta Soto", "marta@mail.cl")).await;
    assert_eq!(done["state"], "pending");
    assert_eq!(done["service"]["name"], "Kinesiología");
    assert_eq!(done["professional"]["id"], f.pro.as_str());
    assert_eq!(
        (done["start"].clone(), done["end"].clone()),
        (json!("2026-03-14T11:00:00-03:00"), json!("2026-03-14T12:00:00-03:00"))
    );
    let token = done["manage"]["token"].as_str().expect("token").to_owned();
    assert_eq!(token.len(), 43, "256 random bits");
    assert_eq!(done["manage"]["url"], format!("/reservar/clinica/reserva/{token}"));
    // The manage url is the site's page, and the token opens the booking here too.
    assert_eq!(app.get(&format!("/reservar/clinica/reserva/{token}")).send().await.status, StatusCode::OK);
    let managed = get(app, &format!("/bookings/manage/{token}")).await;
    assert_eq!((managed.status, managed.body["id"].clone()), (StatusCode::OK, done["id"].clone()));
    // Staff see it, from the booking site, for the new client.
    let staff =
        app.get(&format!("/api/v1/bookings/{}", done["id"].as_str().expect("id"))).cookie(&f.owner).send().await;
    assert_eq!(staff.status, StatusCode::OK);
    assert_eq!(staff.body["origin"], "booking_site");
    let marta = app.get("/api/v1/clients?q=marta").cookie(&f.owner).send().await;
    assert_eq!(marta.body["items"][0]["id"], staff.body["client_id"]);
    // The slot is gone from the free times.
    let free = get(app, &format!("/availability?service={}&professional={}", f.service, f.pro)).await;
    assert!(!starts(&free.body, "2026-03-14").contains(&"2026-03-14T11:00:00-03:00".to_owned()));
    // A pack books its first session; the rest wait "por reservar".
    let pack = create_service(app, &f.owner, "Pack kine", 60, 3, &f.pro).await;
    let body = json!({ "service": pack, "start": "2026-03-16T10:00:00-03:00", "client": client("Marta Soto", "marta@mail.cl") });
    let bought = post(app, "/bookings", body).await;
    assert_eq!(bought.status, StatusCode::CREATED, "{}", bought.body);
    assert_eq!(bought.body["pack"], json!({ "number": 1, "of": 3 }));
    let id = staff.body["client_id"].as_str().expect("client");
    let waiting = app.get(&format!("/api/v1/clients/{id}/por-reservar")).cookie(&f.owner).send().await;
    assert_eq!(waiting.body["items"].as_array().map(Vec::len), Some(2), "{}", waiting.body);
}

pub async fn every_field_problem_is_named_at_once_and_nothing_is_booked(app: &TestApp) {
    let f = open(app).await;
    let field = NewCustomField {
        key: FieldKey::parse("edad").expect("key"),
        label: FieldLabel::parse("Edad").expect("label"),
        kind: FieldKind::Number,
        options: ChoiceOptions::parse(FieldKind::Number, &[]).expect("options"),
        required: true,
        in_booking_form: true,
        visible_to_client: false,
        sensitive: false,
        identifying: false,
        position: None,
    };
    app.store.create_field(&actor(app).await, field).await.expect("field");
    let before = app.client_count(&f.owner).await;
    // The birth date is refused by name while the business does not ask it.
    let wrong = json!({ "name": " ", "email": "marta@", "rut": "12.345.678-9", "birth_date": "1990-04-23",
                        "values": { "mascota": "Firulais" } });
    let body = json!({ "service": f.service, "professional": "nadie", "start": "mañana", "client": wrong, "extra": 1 });
    let refused = post(app, "/bookings", body).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    let mut errors = refused.field_errors();
    errors.sort();
    assert_eq!(
        errors,
        [
            "client.birth_date:unknown_field",
            "client.email:email_invalid",
            "client.name:required",
            "client.phone:required",
            "client.rut:rut_check_digit",
            "client.values.edad:required",
            "client.values.mascota:field_unknown",
            "extra:unknown_field",
            "professional:not_an_id",
            "start:datetime_format",
        ],
        "{}",
        refused.body
    );
    let message = |field: &str| {
        refused.body["errors"].as_array().expect("errors").iter().find(|e| e["field"] == field).expect(field)["message"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    assert!(message("client.phone").contains("teléfono"), "{}", message("client.phone"));
    assert!(message("client.values.edad").contains("Edad"), "{}", message("client.values.edad"));
    assert_eq!(app.client_count(&f.owner).await, before, "nobody created");
    let free = get(app, &format!("/availability?service={}&professional={}", f.service, f.pro)).await;
    assert_eq!(starts(&free.body, "2026-03-14")[0], "2026-03-14T11:00:00-03:00", "nothing booked");
    // Not JSON at all: the API's usual 415.
    let form = app.post(&format!("{BASE}/bookings")).raw("application/x-www-form-urlencoded", "a=b").send().await;
    assert_eq!(form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Asked, it is read by the panel's rules.
    set_rules(app, BookingRules { online: true, ask_birth_date: true, ..BookingRules::default() }).await;
    let body = json!({ "service": f.service, "start": "2026-03-14T11:00",
                       "client": { "name": "Marta Soto", "email": "marta@mail.cl", "phone": "9 6123 4567",
                                   "birth_date": "31-02-1990", "values": { "edad": 34 } } });
    assert_eq!(post(app, "/bookings", body).await.field_errors(), ["client.birth_date:date_format"]);
    // Fixed, the same request books, and the answers are kept on the profile.
    let right = json!({ "name": "Marta Soto", "email": "marta@mail.cl", "phone": "9 6123 4567",
                        "birth_date": "23-04-1990", "values": { "edad": 34 } });
    book_at(app, &f, "2026-03-14T11:00", right).await;
    let marta = app.get("/api/v1/clients?q=marta").cookie(&f.owner).send().await;
    let id = marta.body["items"][0]["id"].as_str().expect("client");
    let values = app.get(&format!("/api/v1/clients/{id}/custom-values")).cookie(&f.owner).send().await;
    assert_eq!(values.body["values"]["edad"], 34, "{}", values.body);
    let profile = app.get(&format!("/api/v1/clients/{id}")).cookie(&f.owner).send().await;
    assert_eq!(profile.body["birth_date"], "1990-04-23");
}

pub async fn an_existing_email_is_neither_overwritten_nor_revealed(app: &TestApp) {
    let f = open(app).await;
    // Ana Pérez (ana@mail.cl) exists, with no phone; someone types her email.
    let known = book_at(app, &f, "2026-03-14T11:00:00-03:00", client("Anita Intrusa", "ANA@mail.cl")).await;
    let fresh = book_at(app, &f, "2026-03-14T12:00:00-03:00", client("Nueva Persona", "nueva@mail.cl")).await;
    assert_eq!(shape(&known), shape(&fresh), "the same answer, field for field");
    assert!(!known.to_string().contains("Ana Pérez") && !known.to_string().contains(&f.client));
    let ana = app.get(&format!("/api/v1/clients/{}", f.client)).cookie(&f.owner).send().await;
    assert_eq!(ana.body["name"], "Ana Pérez", "not overwritten");
    assert_eq!(ana.body["phone"], "+56961234567", "an empty field is filled");
    let staff =
        app.get(&format!("/api/v1/bookings/{}", known["id"].as_str().expect("id"))).cookie(&f.owner).send().await;
    assert_eq!(staff.body["client_id"], f.client.as_str(), "booked for Ana");
    // Staff see what was typed, on the booking's page.
    let page = app.get(&format!("/reservas/{}", known["id"].as_str().expect("id"))).cookie(&f.owner).send().await;
    let html = page.body.as_str().unwrap_or("");
    assert!(html.contains("Datos ingresados al reservar") && html.contains("Anita Intrusa"));
    // And the manage token's view shows the booking, not the profile.
    let token = known["manage"]["token"].as_str().expect("token");
    let managed = get(app, &format!("/bookings/manage/{token}")).await;
    assert!(!managed.body.to_string().contains("Ana") && !managed.body.to_string().contains("Anita"));
}

pub async fn a_taken_slot_is_409_and_one_booking_stays(app: &TestApp) {
    let f = open(app).await;
    book_at(app, &f, "2026-03-14T11:00:00-03:00", client("Marta Soto", "marta@mail.cl")).await;
    let body = json!({ "service": f.service, "professional": f.pro, "start": "2026-03-14T14:00:00Z",
                       "client": client("Otra Persona", "otra@mail.cl") });
    let refused = post(app, "/bookings", body.clone()).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::CONFLICT, "slot_taken"));
    assert_eq!(refused.header("content-type"), "application/problem+json");
    assert_eq!(refused.body["detail"], "Alguien acaba de tomar ese horario. Elige otro horario.");
    assert!(refused.body.get("conflicting_booking_id").is_none(), "nothing about the other booking");
    let mut body = body;
    body["privacy_notice"] = json!({ "accepted": true, "version": 1 });
    let english = app.post(&format!("{BASE}/bookings")).header("accept-language", "en").json(body).send().await;
    assert_eq!(english.body["detail"], "Someone has just taken that time. Choose another time.");
    let day = app.get("/api/v1/calendar?date=2026-03-14").cookie(&f.owner).send().await;
    assert_eq!(day.body["items"].as_array().map(Vec::len), Some(1), "{}", day.body);
    // Too soon is the site's rule too.
    let soon =
        json!({ "service": f.service, "start": "2026-03-14T10:00:00-03:00", "client": client("Otra", "otra@mail.cl") });
    let refused = post(app, "/bookings", soon).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::UNPROCESSABLE_ENTITY, "too_soon"));
    assert_eq!(app.client_count(&f.owner).await, 2, "Ana and Marta; nobody else created");
}

pub async fn the_manage_token_shows_reschedules_and_cancels(app: &TestApp) {
    let f = open(app).await;
    let done = book_at(app, &f, "2026-03-16T11:00:00-03:00", client("Marta Soto", "marta@mail.cl")).await;
    let token = done["manage"]["token"].as_str().expect("token").to_owned();
    let path = format!("/bookings/manage/{token}");
    let seen = get(app, &path).await;
    assert_eq!(seen.body["actions"]["cancel"], json!({ "allowed": true, "until": "2026-03-15T11:00:00-03:00" }));
    assert_eq!(seen.body["actions"]["reschedule"]["allowed"], true);
    assert_eq!(seen.body["actions"]["confirm"], json!({ "allowed": true, "until": "2026-03-16T09:00:00-03:00" }));
    // Confirm attendance (twice is no error), then it is no longer offered.
    for _ in 0..2 {
        let confirmed = post(app, &format!("{path}/confirm"), json!({})).await;
        assert_eq!((confirmed.status, confirmed.body["state"].clone()), (StatusCode::OK, json!("confirmed")));
    }
    assert_eq!(get(app, &path).await.body["actions"]["confirm"]["allowed"], false);
    let staff =
        app.get(&format!("/api/v1/bookings/{}", done["id"].as_str().expect("id"))).cookie(&f.owner).send().await;
    assert_eq!(staff.body["state"], "confirmed");
    // Reschedule to Tuesday 10:00 with anyone: the same token shows the new time.
    let moved = post(app, &format!("{path}/reschedule"), json!({ "start": "2026-03-17T10:00:00-03:00" })).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body["id"], done["id"]);
    assert_eq!(get(app, &path).await.body["start"], "2026-03-17T10:00:00-03:00");
    let refused = post(app, &format!("{path}/reschedule"), json!({ "start": "tarde", "color": "rojo" })).await;
    let mut errors = refused.field_errors();
    errors.sort();
    assert_eq!(errors, ["color:unknown_field", "start:datetime_format"]);
    // Cancel takes `{}`.
    let cancelled = post(app, &format!("{path}/cancel"), json!({})).await;
    assert_eq!((cancelled.status, cancelled.body["state"].clone()), (StatusCode::OK, json!("cancelled")));
    let seen = get(app, &path).await;
    assert_eq!(seen.body["state"], "cancelled");
    assert_eq!(seen.body["actions"]["cancel"]["allowed"], false);
    // A cancelled booking does not come back through the token.
    let back = post(app, &format!("{path}/reschedule"), json!({ "start": "2026-03-18T10:00:00-03:00" })).await;
    assert_eq!(back.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", back.body);
    assert_eq!(get(app, &path).await.body["state"], "cancelled");
}

pub async fn the_deadlines_refuse_and_change_nothing(app: &TestApp) {
    let f = open(app).await;
    let start = "2026-03-15T14:00:00Z"; // Sunday 11:00 in Santiago.
    let done = book_at(app, &f, start, client("Marta Soto", "marta@mail.cl")).await;
    let path = format!("/bookings/manage/{}", done["manage"]["token"].as_str().expect("token"));
    // 23 hours before: past the 24-hour deadlines.
    let late = start.parse::<Timestamp>().expect("time").checked_sub(SignedDuration::from_hours(23)).expect("time");
    app.clock.set(late);
    let seen = get(app, &path).await;
    assert_eq!(seen.body["actions"]["cancel"]["allowed"], false);
    assert_eq!(seen.body["actions"]["reschedule"]["allowed"], false);
    let cancel = post(app, &format!("{path}/cancel"), json!({})).await;
    assert_eq!((cancel.status, cancel.code()), (StatusCode::CONFLICT, "cancel_deadline"));
    assert!(cancel.body["detail"].as_str().unwrap_or("").contains("Ya pasó el plazo para anular"));
    let moved = post(app, &format!("{path}/reschedule"), json!({ "start": "2026-03-18T10:00:00-03:00" })).await;
    assert_eq!((moved.status, moved.code()), (StatusCode::CONFLICT, "reschedule_deadline"));
    // Confirming stays open until 2 hours before; 1 hour before it is refused.
    assert_eq!(get(app, &path).await.body["actions"]["confirm"]["allowed"], true);
    app.clock.set(start.parse::<Timestamp>().expect("time").checked_sub(SignedDuration::from_hours(1)).expect("time"));
    let confirm = post(app, &format!("{path}/confirm"), json!({})).await;
    assert_eq!((confirm.status, confirm.code()), (StatusCode::CONFLICT, "confirm_deadline"));
    let seen = get(app, &path).await;
    assert_eq!(
        (seen.body["state"].clone(), seen.body["start"].clone()),
        (json!("pending"), json!("2026-03-15T11:00:00-03:00"))
    );
    app.clock.set(start_time());
}

pub async fn closed_unknown_and_wrong_tokens_are_404s_that_read_alike(app: &TestApp) {
    let f = fixture(app).await;
    let closed = get(app, "/services").await;
    let unknown = app.get("/api/v1/public/no-existe/services").send().await;
    assert_eq!((closed.status, closed.code()), (StatusCode::NOT_FOUND, "not_found"));
    assert_eq!(closed.body, unknown.body, "a closed business and no business read the same");
    assert_eq!(closed.header("content-type"), "application/problem+json");
    let availability = get(app, &format!("/availability?service={}", f.service)).await;
    assert_eq!(availability.status, StatusCode::NOT_FOUND);
    let body =
        json!({ "service": f.service, "start": "2026-03-16T10:00:00-03:00", "client": client("Marta", "m@mail.cl") });
    assert_eq!(post(app, "/bookings", body).await.status, StatusCode::NOT_FOUND);
    set_rules(app, BookingRules { online: true, ..BookingRules::default() }).await;
    for path in ["/bookings/manage/abc", "/bookings/manage/abc/cancel"] {
        let wrong = if path.ends_with("cancel") { post(app, path, json!({})).await } else { get(app, path).await };
        assert_eq!((wrong.status, wrong.code()), (StatusCode::NOT_FOUND, "not_found"), "{path}");
    }
    // Another business's token opens nothing here.
    app.add_business("otra").await;
    let done = book_at(app, &f, "2026-03-16T10:00:00-03:00", client("Marta Soto", "marta@mail.cl")).await;
    let token = done["manage"]["token"].as_str().expect("token");
    let elsewhere = app.get(&format!("/api/v1/public/otra/bookings/manage/{token}")).send().await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
}

pub async fn cors_is_open_on_the_public_prefix_only(app: &TestApp) {
    let f = open(app).await;
    let preflight = app
        .request(Method::OPTIONS, &format!("{BASE}/bookings"))
        .header("origin", "https://clinica.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await;
    assert_eq!(preflight.status, StatusCode::NO_CONTENT);
    assert_eq!(preflight.header("access-control-allow-origin"), "*");
    assert!(preflight.header("access-control-allow-methods").contains("POST"));
    assert!(preflight.header("access-control-allow-headers").contains("content-type"));
    assert_eq!(preflight.header("access-control-allow-credentials"), "", "never with credentials");
    let listed = app.get(&format!("{BASE}/services")).header("origin", "https://clinica.example").send().await;
    assert_eq!(listed.header("access-control-allow-origin"), "*");
    let refused = app.get(&format!("{BASE}/availability")).header("origin", "https://x.example").send().await;
    assert_eq!((refused.status, refused.header("access-control-allow-origin")), (StatusCode::BAD_REQUEST, "*"));
    // The staff API is not opened to other sites.
    let staff = app.get("/api/v1/services").cookie(&f.owner).header("origin", "https://clinica.example").send().await;
    assert_eq!(staff.header("access-control-allow-origin"), "");
    let staff_preflight = app
        .request(Method::OPTIONS, "/api/v1/bookings")
        .header("origin", "https://clinica.example")
        .header("access-control-request-method", "POST")
        .send()
        .await;
    assert_eq!(staff_preflight.header("access-control-allow-origin"), "");
}

pub async fn bookings_over_the_limit_per_email_are_429_and_book_nothing(app: &TestApp) {
    let f = open(app).await;
    // Six bookings an hour for one email (the site's own limit), on Monday.
    for hour in 9..15 {
        let at = format!("2026-03-16T{hour:02}:00:00-03:00");
        let who = client("Marta Soto", if hour % 2 == 0 { "marta@mail.cl" } else { "MARTA@mail.cl" });
        let body = json!({ "service": f.service, "professional": f.pro, "start": at, "client": who });
        let done = post(app, "/bookings", body).await;
        if hour == 13 {
            assert_eq!(done.code(), "slot_taken", "13:00 is the break; the try still counts");
        } else {
            assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
        }
    }
    let body = json!({ "service": f.service, "professional": f.pro, "start": "2026-03-16T16:00:00-03:00",
                       "client": client("Marta Soto", "marta@mail.cl") });
    let refused = post(app, "/bookings", body.clone()).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"));
    let wait: i64 = refused.header("retry-after").parse().expect("seconds");
    assert!((1..=3600).contains(&wait), "{wait}");
    assert!(refused.body["detail"].as_str().unwrap_or("").contains("no se hizo nada"), "{}", refused.body);
    assert_eq!(refused.header("access-control-allow-origin"), "*");
    let free =
        get(app, &format!("/availability?service={}&professional={}&from=2026-03-16&days=1", f.service, f.pro)).await;
    assert!(starts(&free.body, "2026-03-16").contains(&"2026-03-16T16:00:00-03:00".to_owned()), "nothing booked");
    // Another email from the same place still books; after the hour, Marta too.
    let other = json!({ "service": f.service, "professional": f.pro, "start": "2026-03-16T16:00:00-03:00",
                        "client": client("Otra Persona", "otra@mail.cl") });
    assert_eq!(post(app, "/bookings", other).await.status, StatusCode::CREATED);
    app.clock.set(start_time().checked_add(SignedDuration::from_hours(2)).expect("time"));
    let later = json!({ "service": f.service, "professional": f.pro, "start": "2026-03-16T17:00:00-03:00",
                        "client": client("Marta Soto", "marta@mail.cl") });
    assert_eq!(post(app, "/bookings", later).await.status, StatusCode::CREATED);
    app.clock.set(start_time());
}

/// Every field path of a JSON value (`days[].slots[].start`), arrays read
/// as the union of their items: what an example and an answer must share.
fn paths(value: &Value, at: &str, into: &mut std::collections::BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = format!("{at}.{key}");
                into.insert(path.clone());
                paths(inner, &path, into);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| paths(item, &format!("{at}[]"), into)),
        _ => {}
    }
}

fn field_paths(value: &Value) -> std::collections::BTreeSet<String> {
    let mut set = std::collections::BTreeSet::new();
    paths(value, "", &mut set);
    set
}

/// The OpenAPI examples of the public API are real answers' shapes, and
/// its operations ask for no credentials.
#[tokio::test]
async fn the_documented_examples_have_the_shape_of_the_answers() {
    let app = TestApp::spawn().await;
    let f = open(&app).await;
    let document: Value = serde_json::from_str(ficha_web::api::openapi_document()).expect("valid JSON");
    let example = |path: &str, method: &str, status: &str| {
        document["paths"][format!("/api/v1/public/{{slug}}{path}")][method]["responses"][status]["content"]
            ["application/json"]["example"]
            .clone()
    };
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item").iter().filter(|(m, _)| *m != "parameters") {
            if path.starts_with("/api/v1/public/") {
                assert_eq!(operation["security"], json!([]), "{method} {path}");
            }
        }
    }
    let services = get(&app, "/services").await;
    assert_eq!(field_paths(&example("/services", "get", "200")), field_paths(&services.body));
    let free = get(&app, &format!("/availability?service={}", f.service)).await;
    assert_eq!(field_paths(&example("/availability", "get", "200")), field_paths(&free.body));
    let created = book_at(&app, &f, "2026-03-16T10:00:00-03:00", client("Marta Soto", "marta@mail.cl")).await;
    assert_eq!(field_paths(&example("/bookings", "post", "201")), field_paths(&created));
    let token = created["manage"]["token"].as_str().expect("token");
    let managed = get(&app, &format!("/bookings/manage/{token}")).await;
    assert_eq!(field_paths(&example("/bookings/manage/{token}", "get", "200")), field_paths(&managed.body));
    let cancelled = post(&app, &format!("/bookings/manage/{token}/cancel"), json!({})).await;
    assert_eq!(field_paths(&example("/bookings/manage/{token}/cancel", "post", "200")), field_paths(&cancelled.body));
    app.finish().await;
}

pub async fn a_booking_needs_the_current_privacy_notice_and_records_its_consent(app: &TestApp) {
    let f = open(app).await;
    // The notice to show: the product's default as version 1; WhatsApp off.
    let notice = get(app, "/privacy-notice").await;
    assert_eq!(notice.status, StatusCode::OK, "{}", notice.body);
    assert_eq!(notice.body["version"], 1);
    assert_eq!(notice.body["default"], true);
    assert_eq!(notice.body["whatsapp_opt_in_offered"], false);
    assert!(notice.body["text"].as_str().is_some_and(|t| t.contains("Ley 21.719")));
    let before = app.client_count(&f.owner).await;
    let start = "2026-03-16T10:00:00-03:00";
    let base = json!({ "service": f.service, "professional": f.pro, "start": start,
                       "client": client("Marta Soto", "marta@mail.cl") });
    // Missing, not accepted, or a version that is not a number: 422, by name.
    let missing = post_as_is(app, "/bookings", base.clone()).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", missing.body);
    assert_eq!(missing.field_errors(), ["privacy_notice:privacy_notice_not_accepted"]);
    let mut refused = base.clone();
    refused["privacy_notice"] = json!({ "accepted": false, "version": "uno" });
    refused["whatsapp_opt_in"] = json!("sí");
    let refused = post_as_is(app, "/bookings", refused).await;
    assert_eq!(
        refused.field_errors(),
        [
            "whatsapp_opt_in:not_boolean",
            "privacy_notice.accepted:privacy_notice_not_accepted",
            "privacy_notice.version:not_whole_number"
        ]
    );
    assert!(refused.body["errors"][1]["message"].as_str().is_some_and(|d| d.contains("aviso de privacidad")));
    assert_eq!(app.client_count(&f.owner).await, before, "nothing booked");
    // The owner writes the business's own notice: version 2 (1 stays the
    // default); the default read before is stale now.
    let written = ficha_domain::NoticeText::parse("Aviso de la Clínica.").expect("valid");
    app.store.set_privacy_notice(&actor(app).await, written).await.expect("v2");
    let mut stale = base.clone();
    stale["privacy_notice"] = json!({ "accepted": true, "version": 1 });
    let stale = post_as_is(app, "/bookings", stale).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert_eq!(stale.code(), "privacy_notice_outdated");
    assert_eq!(app.client_count(&f.owner).await, before, "nothing booked");
    assert_eq!(get(app, "/privacy-notice").await.body["version"], 2);
    let mut current = base;
    current["privacy_notice"] = json!({ "accepted": true, "version": 2 });
    let done = post_as_is(app, "/bookings", current).await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    assert_eq!(done.body["consent"]["version"], 2);
    assert_eq!(done.body["consent"]["whatsapp_opt_in"], Value::Null, "WhatsApp off: not asked");
    assert_eq!(done.body["consent"]["accepted_at"], "2026-03-14T09:00:00-03:00");
    // Staff read the same consent on the booking.
    let id = done.body["id"].as_str().expect("id");
    let staff = app.get(&format!("/api/v1/bookings/{id}")).cookie(&f.owner).send().await;
    assert_eq!(staff.body["consent"], done.body["consent"]);
}
