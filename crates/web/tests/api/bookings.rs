//! Services, agendas, bookings, packs, the calendar and the profile's
//! bookings, through the API, on both backends: every case below runs once
//! on SQLite and once on PostgreSQL.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResponse, on_both_backends};

on_both_backends!(
    owners_manage_services_and_agendas_and_professionals_read_them,
    a_booking_goes_through_its_states_and_shows_on_the_calendar,
    each_bad_booking_gets_its_own_answer_and_writes_nothing,
    bookings_on_the_days_chile_changes_its_clocks,
    a_pack_leaves_sessions_por_reservar_until_scheduled,
    the_profile_pages_filters_and_counts_bookings,
    deleting_a_client_frees_its_slots,
    racing_requests_for_one_slot_let_exactly_one_through,
);

/// The business of `TestApp` set up for booking: the professional works
/// 09:00–13:00 and 14:00–18:00 every day and performs a one-hour service.
pub(crate) struct Fixture {
    pub owner: String,
    pub pro_cookie: String,
    pub pro: String,
    pub service: String,
    pub client: String,
}

pub(crate) async fn fixture(app: &TestApp) -> Fixture {
    let owner = app.owner().await;
    let pro_cookie = app.professional().await;
    let staff = app.get("/api/v1/professionals").cookie(&owner).send().await;
    let pro = staff.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["role"] == "professional"))
        .and_then(|s| s["id"].as_str())
        .expect("a professional")
        .to_owned();
    let hours = json!([["09:00", "13:00"], ["14:00", "18:00"]]);
    let week = json!({
        "monday": hours, "tuesday": hours, "wednesday": hours, "thursday": hours,
        "friday": hours, "saturday": hours, "sunday": hours,
    });
    let agenda = app.put(&format!("/api/v1/professionals/{pro}/agenda")).cookie(&owner).json(week).send().await;
    assert_eq!(agenda.status, StatusCode::OK, "{}", agenda.body);
    let service = create_service(app, &owner, "Kinesiología", 60, 1, &pro).await;
    let client = app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
    Fixture { owner, pro_cookie, pro, service, client: client["id"].as_str().expect("id").to_owned() }
}

pub(crate) async fn create_service(
    app: &TestApp,
    owner: &str,
    name: &str,
    minutes: i64,
    sessions: i64,
    pro: &str,
) -> String {
    let body = json!({
        "name": name, "duration_minutes": minutes, "price_clp": 25000, "sessions": sessions, "professional_ids": [pro],
    });
    let created = app.post("/api/v1/services").cookie(owner).json(body).send().await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body["id"].as_str().expect("id").to_owned()
}

pub(crate) async fn book(app: &TestApp, f: &Fixture, extra: Value) -> TestResponse {
    let mut body = json!({ "client_id": f.client, "service_id": f.service, "professional_id": f.pro });
    for (key, value) in extra.as_object().expect("object") {
        body[key] = value.clone();
    }
    app.post("/api/v1/bookings").cookie(&f.owner).json(body).send().await
}

pub(crate) async fn booked(app: &TestApp, f: &Fixture, start: &str) -> Value {
    let response = book(app, f, json!({ "start": start })).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.body["items"][0].clone()
}

async fn calendar(app: &TestApp, f: &Fixture, query: &str) -> Vec<String> {
    let response = app.get(&format!("/api/v1/calendar?{query}")).cookie(&f.owner).send().await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|b| b["id"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn client_booking_count(app: &TestApp, f: &Fixture) -> usize {
    let response = app.get(&format!("/api/v1/clients/{}/bookings?limit=100", f.client)).cookie(&f.owner).send().await;
    response.body["items"].as_array().map_or(0, Vec::len)
}

async fn owners_manage_services_and_agendas_and_professionals_read_them(app: &TestApp) {
    let f = fixture(app).await;
    let denied = app
        .post("/api/v1/services")
        .cookie(&f.pro_cookie)
        .json(json!({ "name": "Masaje", "duration_minutes": 30, "price_clp": 1000 }))
        .send()
        .await;
    assert_eq!((denied.status, denied.code()), (StatusCode::FORBIDDEN, "owner_only"));
    let agenda =
        app.put(&format!("/api/v1/professionals/{}/agenda", f.pro)).cookie(&f.pro_cookie).json(json!({})).send();
    assert_eq!(agenda.await.status, StatusCode::FORBIDDEN);

    let read = app.get(&format!("/api/v1/professionals/{}/agenda", f.pro)).cookie(&f.pro_cookie).send().await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["monday"], json!([["09:00", "13:00"], ["14:00", "18:00"]]));
    assert_eq!(read.body["time_zone"], "America/Santiago");
    let services = app.get("/api/v1/services").cookie(&f.pro_cookie).send().await;
    assert_eq!(services.body["items"][0]["name"], "Kinesiología");
    assert_eq!(services.body["items"][0]["professional_ids"], json!([f.pro]));

    let bad = app
        .post("/api/v1/services")
        .cookie(&f.owner)
        .json(json!({ "name": "", "duration_minutes": 0, "price_clp": -5, "sessions": 99 }))
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.field_errors(),
        ["name:required", "duration_minutes:out_of_range", "price_clp:out_of_range", "sessions:out_of_range"]
    );
    let bad_agenda = app
        .put(&format!("/api/v1/professionals/{}/agenda", f.pro))
        .cookie(&f.owner)
        .json(json!({ "monday": [["13:00", "09:00"]], "tuesday": [["09:00", "12:00"], ["11:00", "14:00"]], "friday": [["9", "10:00"]] }))
        .send()
        .await;
    assert_eq!(
        bad_agenda.field_errors(),
        ["monday[0]:end_not_after_start", "tuesday:ranges_overlap", "friday[0]:time_format"]
    );
    let message = bad_agenda.body["errors"][0]["message"].as_str().unwrap_or("");
    assert_eq!(message, "En «lunes (n.º 1)» el término debe ser posterior al inicio.");
    let unchanged = app.get(&format!("/api/v1/professionals/{}/agenda", f.pro)).cookie(&f.owner).send().await;
    assert_eq!(unchanged.body["tuesday"], json!([["09:00", "13:00"], ["14:00", "18:00"]]), "nothing was saved");

    let patched = app
        .patch(&format!("/api/v1/services/{}", f.service))
        .cookie(&f.owner)
        .json(json!({ "price_clp": 30000 }))
        .send()
        .await;
    assert_eq!((patched.status, patched.body["price_clp"].clone()), (StatusCode::OK, json!(30000)));

    booked(app, &f, "2026-03-16T10:00").await;
    let in_use = app.delete(&format!("/api/v1/services/{}", f.service)).cookie(&f.owner).send().await;
    assert_eq!((in_use.status, in_use.code()), (StatusCode::CONFLICT, "service_in_use"));
    let spare = create_service(app, &f.owner, "Masaje", 30, 1, &f.pro).await;
    let denied = app.delete(&format!("/api/v1/services/{spare}")).cookie(&f.pro_cookie).send().await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let deleted = app.delete(&format!("/api/v1/services/{spare}")).cookie(&f.owner).send().await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/services/{spare}")).cookie(&f.owner).send().await.status,
        StatusCode::NOT_FOUND
    );
}

async fn a_booking_goes_through_its_states_and_shows_on_the_calendar(app: &TestApp) {
    let f = fixture(app).await;
    // The clock stands at 2026-03-14 09:00 in Santiago (UTC−3 in March).
    let created = book(app, &f, json!({ "start": "2026-03-16T10:00" })).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let booking = &created.body["items"][0];
    let id = booking["id"].as_str().expect("id").to_owned();
    assert_eq!(created.header("location"), format!("/api/v1/bookings/{id}"));
    assert_eq!(booking["start"], "2026-03-16T10:00:00-03:00");
    assert_eq!(booking["end"], "2026-03-16T11:00:00-03:00", "the service's hour");
    assert_eq!((booking["state"].clone(), booking["origin"].clone()), (json!("pending"), json!("panel")));
    assert_eq!(booking["payment"], json!({ "paid": false }));
    let client = app.get(&format!("/api/v1/clients/{}", f.client)).cookie(&f.owner).send().await;
    assert_eq!(client.body["last_booking_at"], "2026-03-14T12:00:00Z", "set to when it was booked");

    let day = calendar(app, &f, "date=2026-03-16").await;
    assert_eq!(day, [id.as_str()]);
    let card = app.get("/api/v1/calendar?date=2026-03-16").cookie(&f.pro_cookie).send().await;
    assert_eq!(card.body["items"][0]["client"]["name"], "Ana Pérez");
    assert_eq!(card.body["items"][0]["client"]["id"], f.client.as_str());
    assert_eq!(card.body["items"][0]["service"]["name"], "Kinesiología");
    assert_eq!(calendar(app, &f, "date=2026-03-18&view=week").await, [id.as_str()], "Monday 16 to Sunday 22");
    assert!(calendar(app, &f, "date=2026-03-15").await.is_empty());

    let confirm =
        app.post(&format!("/api/v1/bookings/{id}/confirm")).cookie(&f.pro_cookie).json(json!({})).send().await;
    assert_eq!(confirm.body["state"], "confirmed");
    let early = app
        .put(&format!("/api/v1/bookings/{id}/attendance"))
        .cookie(&f.owner)
        .json(json!({ "attendance": "attended" }))
        .send()
        .await;
    assert_eq!((early.status, early.code()), (StatusCode::UNPROCESSABLE_ENTITY, "attendance_before_start"));

    let cancel = app.post(&format!("/api/v1/bookings/{id}/cancel")).cookie(&f.owner).json(json!({})).send().await;
    assert_eq!(cancel.body["state"], "cancelled");
    assert!(calendar(app, &f, "date=2026-03-16").await.is_empty(), "off the calendar");
    assert_eq!(client_booking_count(app, &f).await, 1, "still on the profile");
    let again = app.post(&format!("/api/v1/bookings/{id}/confirm")).cookie(&f.owner).json(json!({})).send().await;
    assert_eq!((again.status, again.code()), (StatusCode::UNPROCESSABLE_ENTITY, "transition_not_allowed"));
    assert!(again.body["detail"].as_str().unwrap_or("").contains("anulada"), "{}", again.body);

    let back = app
        .post(&format!("/api/v1/bookings/{id}/reschedule"))
        .cookie(&f.owner)
        .json(json!({ "start": "2026-03-16T15:00" }))
        .send()
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(
        (back.body["state"].clone(), back.body["start"].clone()),
        (json!("pending"), json!("2026-03-16T15:00:00-03:00"))
    );
    assert_eq!(calendar(app, &f, "date=2026-03-16").await, [id.as_str()], "back on the calendar");

    app.clock.set("2026-03-16T18:30:00Z".parse().expect("time"));
    // Two days later the morning's sessions have expired.
    let f = Fixture { owner: app.owner().await, ..f };
    let attended = app
        .put(&format!("/api/v1/bookings/{id}/attendance"))
        .cookie(&f.owner)
        .json(json!({ "attendance": "attended" }))
        .send()
        .await;
    assert_eq!(attended.body["attendance"], "attended", "{}", attended.body);
    let paid = app
        .put(&format!("/api/v1/bookings/{id}/payment"))
        .cookie(&f.owner)
        .json(json!({ "paid": true, "amount": 25000, "method": "debit", "date": "2026-03-16" }))
        .send()
        .await;
    assert_eq!(paid.body["payment"], json!({ "paid": true, "amount": 25000, "method": "debit", "date": "2026-03-16" }));
    let future = app
        .put(&format!("/api/v1/bookings/{id}/payment"))
        .cookie(&f.owner)
        .json(json!({ "paid": true, "amount": 25000, "method": "cash", "date": "2026-03-17" }))
        .send()
        .await;
    assert_eq!(future.code(), "paid_in_future");
    let read = app.get(&format!("/api/v1/bookings/{id}")).cookie(&f.owner).send().await;
    assert_eq!(read.body, paid.body, "the refused payment changed nothing");
}

async fn each_bad_booking_gets_its_own_answer_and_writes_nothing(app: &TestApp) {
    let f = fixture(app).await;
    let first = booked(app, &f, "2026-03-16T10:00").await;

    let overlap = book(app, &f, json!({ "start": "2026-03-16T10:30" })).await;
    assert_eq!((overlap.status, overlap.code()), (StatusCode::CONFLICT, "slot_taken"));
    assert_eq!(overlap.body["conflicting_booking_id"], first["id"]);
    let backwards = book(app, &f, json!({ "start": "2026-03-16T16:00", "end": "2026-03-16T15:00" })).await;
    assert_eq!((backwards.status, backwards.code()), (StatusCode::UNPROCESSABLE_ENTITY, "end_not_after_start"));
    let lunch = book(app, &f, json!({ "start": "2026-03-16T13:00" })).await;
    assert_eq!(lunch.code(), "outside_working_hours");
    assert!(lunch.body["title"].as_str().unwrap_or("").contains("horario"), "{}", lunch.body);
    let site = book(app, &f, json!({ "start": "2026-03-16T13:00", "origin": "booking_site", "override": true })).await;
    assert_eq!(site.code(), "override_not_allowed");
    let past = book(app, &f, json!({ "start": "2026-03-13T10:00" })).await;
    assert_eq!(past.code(), "in_the_past");

    let owner_id = app.get("/api/v1/professionals").cookie(&f.owner).send().await.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["role"] == "owner"))
        .and_then(|s| s["id"].as_str())
        .expect("owner")
        .to_owned();
    let not_theirs = book(app, &f, json!({ "start": "2026-03-16T15:00", "professional_id": owner_id })).await;
    assert_eq!(not_theirs.code(), "service_not_performed");

    let norte = app.add_business("norte").await;
    let stranger = app
        .store
        .create_client(
            &norte,
            ficha_domain::NewClient {
                name: ficha_domain::ClientName::parse("Otra Persona").expect("valid"),
                email: ficha_domain::Email::parse("otra@mail.cl").expect("valid"),
                phone: None,
                rut: None,
                birth_date: None,
            },
        )
        .await
        .expect("client");
    let foreign = book(app, &f, json!({ "start": "2026-03-16T15:00", "client_id": stranger.id.to_string() })).await;
    assert_eq!((foreign.status, foreign.code()), (StatusCode::UNPROCESSABLE_ENTITY, "client_unknown"));

    let malformed =
        book(app, &f, json!({ "start": "mañana", "client_id": "x", "state": "cancelled", "color": 1 })).await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        malformed.field_errors(),
        ["color:unknown_field", "client_id:not_an_id", "start:datetime_format", "state:not_allowed"]
    );

    assert_eq!(client_booking_count(app, &f).await, 1, "only the first booking was written");

    let forced = book(app, &f, json!({ "start": "2026-03-16T13:00", "override": true })).await;
    assert_eq!(forced.status, StatusCode::CREATED, "staff override: {}", forced.body);
    let forced_past = book(app, &f, json!({ "start": "2026-03-13T10:00", "override": true })).await;
    assert_eq!(forced_past.status, StatusCode::CREATED, "staff override: {}", forced_past.body);
}

/// 2026 in Santiago: the clocks go back at the end of Saturday April 4
/// (23:00–23:59 happens twice) and forward at the start of Sunday
/// September 6 (00:00–00:59 does not exist).
async fn bookings_on_the_days_chile_changes_its_clocks(app: &TestApp) {
    let f = fixture(app).await;
    let april = booked(app, &f, "2026-04-05T10:00").await;
    assert_eq!(april["start"], "2026-04-05T10:00:00-04:00", "winter time from April 5");
    let before = booked(app, &f, "2026-04-04T10:00").await;
    assert_eq!(before["start"], "2026-04-04T10:00:00-03:00");
    let september = booked(app, &f, "2026-09-06T10:00").await;
    assert_eq!(september["start"], "2026-09-06T10:00:00-03:00", "summer time from September 6");
    assert_eq!(september["end"], "2026-09-06T11:00:00-03:00");

    let gap = book(app, &f, json!({ "start": "2026-09-06T00:30", "override": true })).await;
    assert_eq!(
        (gap.status, gap.field_errors()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["start:time_in_gap".to_owned()])
    );
    let message = gap.body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("00:30 del 06-09-2026 no existe"), "{message}");

    let twice = book(app, &f, json!({ "start": "2026-04-04T23:30", "override": true })).await;
    assert_eq!(twice.field_errors(), ["start:time_ambiguous"]);
    let message = twice.body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("2026-04-04T23:30:00-03:00") && message.contains("2026-04-04T23:30:00-04:00"),
        "{message}"
    );
    let second = book(app, &f, json!({ "start": "2026-04-04T23:30:00-04:00", "override": true })).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(second.body["items"][0]["start"], "2026-04-04T23:30:00-04:00", "the second 23:30");
    let first = book(
        app,
        &f,
        json!({ "start": "2026-04-04T23:00:00-03:00", "end": "2026-04-04T23:30:00-03:00", "override": true }),
    );
    assert_eq!(first.await.status, StatusCode::CREATED, "the first 23:00–23:30 is another hour");

    let slots = |date: &str| {
        app.get(&format!("/api/v1/professionals/{}/availability?service_id={}&date={date}", f.pro, f.service))
            .cookie(&f.owner)
            .send()
    };
    let sunday = slots("2026-09-06").await;
    assert_eq!(sunday.status, StatusCode::OK, "{}", sunday.body);
    let starts: Vec<&str> =
        sunday.body["slots"].as_array().expect("slots").iter().filter_map(|s| s["start"].as_str()).collect();
    assert_eq!(starts.first(), Some(&"2026-09-06T09:00:00-03:00"));
    assert!(!starts.contains(&"2026-09-06T10:00:00-03:00"), "the booked hour is taken");
    assert!(starts.contains(&"2026-09-06T11:00:00-03:00"));
    let saturday = slots("2026-09-05").await;
    assert_eq!(saturday.body["slots"][0]["start"], "2026-09-05T09:00:00-04:00");
    assert_eq!(
        saturday.body["slots"].as_array().map(Vec::len),
        Some(26),
        "7 hours of work, 1-hour slots every 15 minutes"
    );
}

async fn a_pack_leaves_sessions_por_reservar_until_scheduled(app: &TestApp) {
    let f = fixture(app).await;
    let pack = create_service(app, &f.owner, "Drenaje linfático", 45, 3, &f.pro).await;
    let bought = app
        .post("/api/v1/bookings")
        .cookie(&f.owner)
        .json(json!({ "client_id": f.client, "service_id": pack }))
        .send()
        .await;
    assert_eq!(bought.status, StatusCode::CREATED, "{}", bought.body);
    let sessions = bought.body["items"].as_array().expect("items").clone();
    assert_eq!(sessions.len(), 3);
    assert!(sessions.iter().all(|s| s["start"].is_null() && s["professional_id"].is_null()));
    assert_eq!(sessions[2]["pack"]["number"], 3);

    let single =
        app.post("/api/v1/bookings").cookie(&f.owner).json(json!({ "client_id": f.client, "service_id": f.service }));
    assert_eq!(single.send().await.code(), "start_required");

    let second = sessions[1]["id"].as_str().expect("id");
    let scheduled = app
        .post(&format!("/api/v1/bookings/{second}/reschedule"))
        .cookie(&f.pro_cookie)
        .json(json!({ "start": "2026-03-17T09:00", "professional_id": f.pro }))
        .send()
        .await;
    assert_eq!(scheduled.status, StatusCode::OK, "{}", scheduled.body);
    assert_eq!(scheduled.body["end"], "2026-03-17T09:45:00-03:00", "the pack's 45 minutes");
    let unplaced = app
        .post(&format!("/api/v1/bookings/{}/reschedule", sessions[0]["id"].as_str().expect("id")))
        .cookie(&f.owner)
        .json(json!({ "start": "2026-03-17T09:30" }))
        .send()
        .await;
    assert_eq!(unplaced.code(), "professional_required", "a session por reservar has nobody yet");

    let open = app.get(&format!("/api/v1/clients/{}/por-reservar", f.client)).cookie(&f.owner).send().await;
    let numbers: Vec<i64> =
        open.body["items"].as_array().expect("items").iter().filter_map(|s| s["pack"]["number"].as_i64()).collect();
    assert_eq!(numbers, [1, 3]);
    assert_eq!(open.body["packs"][0]["service_name"], "Drenaje linfático");
    assert_eq!((open.body["packs"][0]["used"].clone(), open.body["packs"][0]["left"].clone()), (json!(1), json!(2)));
    assert_eq!(calendar(app, &f, "date=2026-03-17").await, [second.to_owned()]);
}

async fn the_profile_pages_filters_and_counts_bookings(app: &TestApp) {
    let f = fixture(app).await;
    let mut ids = Vec::new();
    for day in 16..=19 {
        for hour in [9, 10, 11] {
            ids.push(
                booked(app, &f, &format!("2026-03-{day}T{hour:02}:00")).await["id"].as_str().expect("id").to_owned(),
            );
        }
    }
    let cancel =
        app.post(&format!("/api/v1/bookings/{}/cancel", ids[11])).cookie(&f.owner).json(json!({})).send().await;
    assert_eq!(cancel.status, StatusCode::OK);
    app.clock.set("2026-03-17T13:30:00Z".parse().expect("time")); // 10:30 on the 17th
    // Three days later the morning's sessions have expired.
    let f = Fixture { owner: app.owner().await, pro_cookie: app.professional().await, ..f };

    let mut seen = Vec::new();
    let mut path = format!("/api/v1/clients/{}/bookings?when=upcoming&limit=2", f.client);
    loop {
        let page = app.get(&path).cookie(&f.owner).send().await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        seen.extend(
            page.body["items"].as_array().expect("items").iter().map(|b| b["id"].as_str().unwrap_or("").to_owned()),
        );
        match page.body["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/api/v1/clients/{}/bookings?when=upcoming&limit=2&cursor={cursor}", f.client)
            }
            None => break,
        }
    }
    assert_eq!(seen, ids[5..].to_vec(), "from 11:00 on the 17th, soonest first, each once");
    let past = app.get(&format!("/api/v1/clients/{}/bookings?when=past", f.client)).cookie(&f.owner).send().await;
    assert_eq!(past.body["items"][0]["id"], ids[4].as_str(), "latest first: the one in progress");
    let cancelled =
        app.get(&format!("/api/v1/clients/{}/bookings?state=cancelled", f.client)).cookie(&f.owner).send().await;
    assert_eq!(cancelled.body["items"].as_array().map(Vec::len), Some(1));
    let bad = app
        .get(&format!("/api/v1/clients/{}/bookings?when=later&limit=0&cursor=xyz", f.client))
        .cookie(&f.owner)
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.field_errors(), ["when:not_allowed", "limit:out_of_range", "cursor:bad_cursor"]);

    for (id, mark) in [(&ids[0], "attended"), (&ids[1], "no_show")] {
        let marked = app
            .put(&format!("/api/v1/bookings/{id}/attendance"))
            .cookie(&f.owner)
            .json(json!({ "attendance": mark }))
            .send();
        assert_eq!(marked.await.status, StatusCode::OK);
    }
    let payment = json!({ "paid": true, "amount": 18000, "method": "cash", "date": "2026-03-16" });
    app.put(&format!("/api/v1/bookings/{}/payment", ids[0])).cookie(&f.owner).json(payment).send().await;
    let stats = app.get(&format!("/api/v1/clients/{}/stats", f.client)).cookie(&f.pro_cookie).send().await;
    assert_eq!(stats.status, StatusCode::OK);
    assert_eq!(
        (stats.body["bookings"].clone(), stats.body["attended"].clone(), stats.body["no_shows"].clone()),
        (json!(12), json!(1), json!(1))
    );
    assert_eq!((stats.body["cancelled"].clone(), stats.body["total_paid"].clone()), (json!(1), json!(18000)));
    assert_eq!(stats.body["next_appointment"]["id"], ids[5].as_str());

    app.add_business("norte").await;
    let outsider = app.login_as("norte", crate::helpers::OWNER_EMAIL).await;
    let hidden = app.get(&format!("/api/v1/clients/{}/stats", f.client)).cookie(&outsider).send().await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let hidden = app.get(&format!("/api/v1/bookings/{}", ids[0])).cookie(&outsider).send().await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

async fn deleting_a_client_frees_its_slots(app: &TestApp) {
    let f = fixture(app).await;
    let first = booked(app, &f, "2026-03-16T10:00").await;
    let deleted = app.delete(&format!("/api/v1/clients/{}", f.client)).cookie(&f.owner).send().await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone =
        app.get(&format!("/api/v1/bookings/{}", first["id"].as_str().expect("id"))).cookie(&f.owner).send().await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(calendar(app, &f, "date=2026-03-16").await.is_empty());
    let other = app.create_client(&f.owner, json!({ "name": "Bea Soto", "email": "bea@mail.cl" })).await;
    let again = Fixture { client: other["id"].as_str().expect("id").to_owned(), ..f };
    booked(app, &again, "2026-03-16T10:00").await;
}

/// Two requests for overlapping times at once, 50 times: one 201, one 409.
async fn racing_requests_for_one_slot_let_exactly_one_through(app: &TestApp) {
    let f = fixture(app).await;
    for race in 0..50 {
        let day = 16 + race / 4;
        let hour = [9, 11, 14, 16][race % 4];
        let (a, b) = tokio::join!(
            book(app, &f, json!({ "start": format!("2026-03-{day:02}T{hour:02}:00") })),
            book(app, &f, json!({ "start": format!("2026-03-{day:02}T{hour:02}:30") })),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT], "race {race}: {} {}", a.body, b.body);
    }
    assert_eq!(client_booking_count(app, &f).await, 50);
}
