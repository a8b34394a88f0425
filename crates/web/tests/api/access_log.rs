//! The access log (Ley 21.719): each staff read of a client's profile,
//! notes, attention notes and history is logged; owners read the log (JSON
//! by cursor, or CSV), professionals may not; reading it is itself logged;
//! the profile page shows owners "Accesos". Both backends.

use axum::http::StatusCode;
use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_backends};
use crate::notes::colleague;
use crate::panel::html;

on_both_backends!(
    every_read_path_is_logged_with_who_and_owners_see_it_newest_first,
    writes_and_lists_are_not_reads_of_a_profile,
    professionals_may_not_read_the_log_and_their_attempt_leaves_nothing,
    the_log_pages_by_cursor_and_refuses_bad_parameters,
    the_log_downloads_as_csv_in_spanish_and_the_download_is_logged,
    another_business_cannot_read_or_leave_entries_in_the_log,
    the_profile_page_is_one_entry_and_only_owners_see_accesos,
);

async fn client(app: &TestApp, cookie: &str) -> String {
    let created = app.create_client(cookie, json!({ "name": "Ana Pérez", "email": "ana@mail.cl" })).await;
    created["id"].as_str().expect("id").to_owned()
}

async fn log(app: &TestApp, cookie: &str, client: &str) -> Vec<Value> {
    let response = app.get(&format!("/api/v1/clients/{client}/access-log")).cookie(cookie).send().await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["items"].as_array().expect("items").clone()
}

/// Each entry as `kind by-name` (or the kind of who, for a token).
fn seen(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| {
            let by = i["by"]["name"].as_str().unwrap_or_else(|| i["by"]["kind"].as_str().unwrap_or(""));
            format!("{} {by}", i["kind"].as_str().unwrap_or(""))
        })
        .collect()
}

async fn token(app: &TestApp, owner: &str) -> String {
    let created = app.post("/api/v1/tokens").cookie(owner).json(json!({ "name": "Agenda web" })).send().await;
    format!("Bearer {}", created.body["token"].as_str().expect("token"))
}

async fn every_read_path_is_logged_with_who_and_owners_see_it_newest_first(app: &TestApp) {
    let owner = app.owner().await;
    let julia = colleague(app).await;
    let bearer = token(app, &owner).await;
    let id = client(app, &owner).await;
    for path in ["", "/notes", "/attention-notes", "/history"] {
        app.clock.advance(SignedDuration::from_mins(1));
        let read = app.get(&format!("/api/v1/clients/{id}{path}")).cookie(&julia).send().await;
        assert_eq!(read.status, StatusCode::OK, "{path}: {}", read.body);
    }
    app.clock.advance(SignedDuration::from_mins(1));
    let read = app.get(&format!("/api/v1/clients/{id}")).header("authorization", &bearer).send().await;
    assert_eq!(read.status, StatusCode::OK);
    app.clock.advance(SignedDuration::from_mins(1));

    let items = log(app, &owner, &id).await;
    assert_eq!(
        seen(&items),
        [
            "access_log Persona de Prueba",
            "profile integration",
            "history Julia Rojas",
            "attention_notes Julia Rojas",
            "notes Julia Rojas",
            "profile Julia Rojas",
        ]
    );
    // When, in UTC, to the test clock's minute: 12:00 plus one per read.
    assert_eq!(items[0]["at"], "2026-03-14T12:06:00Z");
    assert_eq!(items[5]["at"], "2026-03-14T12:01:00Z");
    assert_eq!(items[2]["by"]["kind"], "staff");

    // Reading the log is a read too: the next read shows the previous one.
    let again = log(app, &owner, &id).await;
    assert_eq!(seen(&again[..2]), ["access_log Persona de Prueba", "access_log Persona de Prueba"]);
}

async fn writes_and_lists_are_not_reads_of_a_profile(app: &TestApp) {
    let owner = app.owner().await;
    let id = client(app, &owner).await;
    let listed = app.get("/api/v1/clients").cookie(&owner).send().await;
    assert_eq!(listed.status, StatusCode::OK);
    let note = app.post(&format!("/api/v1/clients/{id}/notes")).cookie(&owner).json(json!({ "text": "Hola" })).send();
    assert_eq!(note.await.status, StatusCode::CREATED);
    assert_eq!(seen(&log(app, &owner, &id).await), ["access_log Persona de Prueba"]);
}

async fn professionals_may_not_read_the_log_and_their_attempt_leaves_nothing(app: &TestApp) {
    let owner = app.owner().await;
    let pro = app.professional().await;
    let id = client(app, &owner).await;
    for format in ["", "?format=csv"] {
        let refused = app.get(&format!("/api/v1/clients/{id}/access-log{format}")).cookie(&pro).send().await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(refused.code(), "owner_only");
    }
    assert_eq!(seen(&log(app, &owner, &id).await), ["access_log Persona de Prueba"]);
    let anonymous = app.get(&format!("/api/v1/clients/{id}/access-log")).send().await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

async fn the_log_pages_by_cursor_and_refuses_bad_parameters(app: &TestApp) {
    let owner = app.owner().await;
    let julia = colleague(app).await;
    let id = client(app, &owner).await;
    for _ in 0..4 {
        app.clock.advance(SignedDuration::from_secs(1));
        app.get(&format!("/api/v1/clients/{id}/notes")).cookie(&julia).send().await;
    }
    app.clock.advance(SignedDuration::from_secs(1));
    let path = format!("/api/v1/clients/{id}/access-log");
    let mut seen_all = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app.get(&format!("{path}?limit=2&cursor={cursor}")).cookie(&owner).send().await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let items = page.body["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen_all.extend(items.iter().map(|i| i["id"].clone()));
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    // The first page's own read, then Julia's four; each later page's read
    // is newer than where that page starts.
    assert_eq!(seen_all.len(), 5);

    for (query, field) in [("limit=0", "limit"), ("cursor=nope", "cursor"), ("format=xml", "format"), ("q=1", "q")] {
        let refused = app.get(&format!("{path}?{query}")).cookie(&owner).send().await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(refused.code(), "invalid_query");
        assert!(refused.field_errors().iter().any(|e| e.starts_with(&format!("{field}:"))), "{query}");
    }
}

async fn the_log_downloads_as_csv_in_spanish_and_the_download_is_logged(app: &TestApp) {
    let owner = app.owner().await;
    let julia = colleague(app).await;
    let id = client(app, &owner).await;
    app.clock.advance(SignedDuration::from_mins(5));
    app.get(&format!("/api/v1/clients/{id}")).cookie(&julia).send().await;
    app.clock.advance(SignedDuration::from_mins(5));

    let csv = app.get(&format!("/api/v1/clients/{id}/access-log?format=csv")).cookie(&owner).send().await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(csv.header("content-disposition"), format!("attachment; filename=\"accesos-{id}.csv\""));
    // 12:10 UTC is 09:10 in Santiago on 14-03-2026.
    assert_eq!(
        csv.body.as_str().expect("text"),
        "Fecha,Quién,Qué\r\n\
         14-03-2026 09:10,Persona de Prueba,Registro de accesos\r\n\
         14-03-2026 09:05,Julia Rojas,Ficha del cliente\r\n"
    );
    assert!(csv.header("link").is_empty(), "one part holds it all");

    let two = app.get(&format!("/api/v1/clients/{id}/access-log?format=csv&limit=1")).cookie(&owner).send().await;
    assert!(two.header("link").contains("format=csv&cursor="), "{}", two.header("link"));
    assert!(two.header("link").ends_with("rel=\"next\""));
}

async fn another_business_cannot_read_or_leave_entries_in_the_log(app: &TestApp) {
    let owner = app.owner().await;
    let id = client(app, &owner).await;
    app.add_business("otra").await;
    let other = app.login_as("otra", crate::helpers::OWNER_EMAIL).await;
    for path in ["", "/notes", "/history", "/access-log"] {
        let response = app.get(&format!("/api/v1/clients/{id}{path}")).cookie(&other).send().await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(seen(&log(app, &owner, &id).await), ["access_log Persona de Prueba"]);
}

async fn the_profile_page_is_one_entry_and_only_owners_see_accesos(app: &TestApp) {
    let owner = app.owner().await;
    let julia = colleague(app).await;
    let id = client(app, &owner).await;
    let path = format!("/clientes/{id}");
    app.clock.advance(SignedDuration::from_mins(1));
    let hers = app.get(&path).cookie(&julia).send().await;
    assert_eq!(hers.status, StatusCode::OK);
    let hers = html(&hers);
    assert!(!hers.contains("id=\"accesos\"") && !hers.contains("#accesos"), "no Accesos for a professional");
    app.clock.advance(SignedDuration::from_mins(1));

    let page = app.get(&path).cookie(&owner).send().await;
    let page = html(&page);
    assert!(page.contains("href=\"#accesos\""), "the nav leads to Accesos");
    let section = &page[page.find("<h2 id=\"accesos\">Accesos</h2>").expect("Accesos")..];
    let section = &section[..section.find("</section>").expect("end")];
    let rows: Vec<&str> = section.split("<li class=\"history-item access-item\">").skip(1).collect();
    assert_eq!(rows.len(), 2, "one entry per page view: {section}");
    // Newest first, in the business's time (UTC-3), dd-mm-aaaa.
    assert!(rows[0].contains("<time>14-03-2026 09:02</time> · Persona de Prueba"), "{}", rows[0]);
    assert!(rows[0].contains("Ficha del cliente"));
    assert!(rows[1].contains("<time>14-03-2026 09:01</time> · Julia Rojas"), "{}", rows[1]);
    assert!(section.contains(&format!("href=\"/api/v1/clients/{id}/access-log?format=csv\"")), "the download");

    // Its pages by cursor: at ten a page, the eleventh view is on the next.
    for _ in 0..10 {
        app.clock.advance(SignedDuration::from_secs(1));
        app.get(&path).cookie(&julia).send().await;
    }
    let page = app.get(&path).cookie(&owner).send().await;
    let page = html(&page);
    let next = page.split("id=\"accesos-anteriores\"").next().expect("page");
    let href = next.rsplit("href=\"").next().expect("href").split('"').next().expect("end").replace("&amp;", "&");
    assert!(href.starts_with(&format!("{path}?accesos=")), "{href}");
    let older = app.get(&href).cookie(&owner).send().await;
    let older = html(&older);
    let section = &older[older.find("<h2 id=\"accesos\">").expect("Accesos")..];
    assert!(section.contains("Julia Rojas") && section.contains("« Más recientes"), "the older page");
}

#[tokio::test]
async fn owners_set_how_long_accesses_are_kept_and_a_bad_number_saves_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let path = "/configuracion/accesos";
    let page = app.get(path).cookie(&owner).send().await;
    assert_eq!(page.status, StatusCode::OK);
    let token = crate::panel::csrf(&page);
    assert!(
        html(&page).contains("id=\"dias\" name=\"dias\" inputmode=\"numeric\" value=\"730\""),
        "two years by default"
    );

    for typed in ["29", "3654", "dos años", ""] {
        let refused = crate::panel::submit(&app, &owner, path, &token, &[("dias", typed)]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert!(html(&refused).contains("Escribe un número entero de días entre 30 y 3653 (diez años)."), "{typed}");
    }
    let unchanged = app.get(path).cookie(&owner).send().await;
    assert!(html(&unchanged).contains("value=\"730\""), "nothing saved");

    let saved = crate::panel::submit(&app, &owner, path, &token, &[("dias", " 365 ")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.header("location"), "/configuracion/accesos?guardado=1");
    let page = app.get("/configuracion/accesos?guardado=1").cookie(&owner).send().await;
    assert!(html(&page).contains("value=\"365\"") && html(&page).contains("Plazo del registro de accesos guardado."));

    // A professional neither sees the tab nor opens or posts the page.
    let pro = app.professional().await;
    let settings = app.get("/configuracion/reservas").cookie(&pro).send().await;
    assert!(!html(&settings).contains("/configuracion/accesos"));
    assert_eq!(app.get(path).cookie(&pro).send().await.status, StatusCode::FORBIDDEN);
    let pro_token = crate::panel::csrf(&settings);
    let refused = crate::panel::submit(&app, &pro, path, &pro_token, &[("dias", "30")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let page = app.get(path).cookie(&owner).send().await;
    assert!(html(&page).contains("value=\"365\""));
    app.finish().await;
}
