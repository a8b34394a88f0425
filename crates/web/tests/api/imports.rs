//! Importing clients through the API, on both backends: a dry run's report
//! in the forms' words, a real import in the background and its batch,
//! both separators and Windows-1252, skip mode and a mapping by hand,
//! undo and its refusal, and every bad request named. (The export's round
//! trip through the import is in export.rs.)

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResponse, on_both_backends};

on_both_backends!(
    a_dry_run_reports_each_line_in_the_forms_words_and_changes_nothing,
    a_windows_1252_file_with_semicolons_imports_in_the_background_and_undoes,
    skipping_existing_clients_and_mapping_a_column_by_hand,
    undo_is_refused_once_an_imported_client_changed,
    bad_files_and_parameters_are_named_and_import_nothing,
    a_file_larger_than_the_apis_usual_body_limit_is_read,
    a_notes_column_is_reported_by_the_dry_run_and_imported_as_notes,
);

pub const CSV: &str = "text/csv; charset=utf-8";

/// Waits for the batch at `location` to finish, asking as a progress page
/// would, and returns it.
pub async fn finished(app: &TestApp, cookie: &str, location: &str) -> Value {
    for _ in 0..10_000 {
        let batch = app.get(location).cookie(cookie).send().await;
        assert_eq!(batch.status, StatusCode::OK, "{}", batch.body);
        if batch.body["status"] != "running" {
            return batch.body;
        }
        tokio::task::yield_now().await;
    }
    panic!("the import at {location} never finished");
}

async fn import(app: &TestApp, cookie: &str, query: &str, content_type: &str, body: Vec<u8>) -> TestResponse {
    app.post(&format!("/api/v1/clients/import{query}")).cookie(cookie).bytes(content_type, body).send().await
}

fn outcomes(report: &Value) -> Vec<(u64, String)> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| (r["line"].as_u64().expect("line"), r["outcome"].as_str().expect("outcome").to_owned()))
        .collect()
}

async fn names(app: &TestApp, cookie: &str) -> Vec<String> {
    let listed = app.get("/api/v1/clients").cookie(cookie).send().await;
    listed.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect()
}

async fn a_dry_run_reports_each_line_in_the_forms_words_and_changes_nothing(app: &TestApp) {
    let owner = app.owner().await;
    app.create_client(&owner, json!({ "name": "Bruno Díaz", "email": "bruno@correo.cl" })).await;
    let file = "name,email,phone,rut\n\
                Ana Pérez,ana@correo.cl,+56 9 6123 4567,12.345.678-5\n\
                Bruno Díaz Soto,BRUNO@correo.cl,,\n\
                Carla,carla@correo.cl,12,\n\
                ,dora@correo.cl,,\n\
                Eva,no es un correo,,\n";

    let report = import(app, &owner, "?dry_run=true", CSV, file.into()).await;

    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let expected = [(2, "created"), (3, "updated"), (4, "refused"), (5, "refused"), (6, "refused")];
    assert_eq!(outcomes(&report.body), expected.map(|(l, o)| (l, o.to_owned())));
    assert_eq!(report.body["counts"], json!({ "created": 1, "updated": 1, "unchanged": 0, "exists": 0, "refused": 3 }));
    assert_eq!(report.body["columns"][2], json!({ "header": "phone", "target": "phone" }));
    // The form's own words for the same phone.
    let form = app
        .post("/api/v1/clients")
        .cookie(&owner)
        .json(json!({ "name": "X", "email": "x@correo.cl", "phone": "12" }))
        .send()
        .await;
    let form_message = form.body["errors"][0]["message"].as_str().expect("message").to_owned();
    let carla = &report.body["rows"][2]["errors"][0];
    assert_eq!((carla["column"].as_str(), carla["code"].as_str()), (Some("phone"), Some("phone_invalid")));
    assert_eq!(carla["message"].as_str().map(str::to_lowercase), Some(form_message.to_lowercase()));
    let dora = &report.body["rows"][3]["errors"][0];
    assert_eq!((dora["field"].as_str(), dora["code"].as_str()), (Some("name"), Some("required")));
    assert_eq!(dora["message"], "El campo «nombre» es obligatorio.");
    assert_eq!(report.body["rows"][4]["errors"][0]["field"], "email");

    assert_eq!(names(app, &owner).await, ["Bruno Díaz"], "a dry run changes nothing");
}

async fn a_windows_1252_file_with_semicolons_imports_in_the_background_and_undoes(app: &TestApp) {
    let owner = app.owner().await;
    // "Nombre;Correo;Teléfono;Fecha de nacimiento" and Muñoz in Windows-1252.
    let file = b"Nombre;Correo;Tel\xe9fono;Fecha de nacimiento\r\n\
                 Carla Mu\xf1oz;carla@correo.cl;961234567;23-04-1990\r\n\
                 Ana P\xe9rez;ana@correo.cl;;\r\n"
        .to_vec();

    let started = import(app, &owner, "?file_name=agenda.csv", "text/csv", file).await;

    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    let location = started.header("location").to_owned();
    assert_eq!(location, format!("/api/v1/imports/{}", started.body["id"].as_str().expect("id")));
    assert_eq!(started.body["total_rows"], 2);
    let done = finished(app, &owner, &location).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["file_name"], "agenda.csv");
    assert_eq!((done["processed_rows"].as_u64(), done["counts"]["created"].as_u64()), (Some(2), Some(2)));
    assert_eq!(names(app, &owner).await, ["Ana Pérez", "Carla Muñoz"]);
    let found = app.get("/api/v1/clients?q=munoz").cookie(&owner).send().await;
    assert_eq!(found.body["items"][0]["phone"], "+56961234567");
    assert_eq!(found.body["items"][0]["birth_date"], "1990-04-23");

    let undone = app.post(&format!("{location}/undo")).cookie(&owner).send().await;

    assert_eq!(undone.status, StatusCode::OK, "{}", undone.body);
    assert_eq!(undone.body["status"], "undone");
    assert!(names(app, &owner).await.is_empty());
    let again = app.post(&format!("{location}/undo")).cookie(&owner).send().await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "import_already_undone"));
}

async fn skipping_existing_clients_and_mapping_a_column_by_hand(app: &TestApp) {
    let owner = app.owner().await;
    app.create_client(&owner, json!({ "name": "Bruno Díaz", "email": "bruno@correo.cl" })).await;
    let file = "Cliente;Mail;Fono;Observaciones\nBruno D.;bruno@correo.cl;961234567;x\nAna;ana@correo.cl;961234568;y\n";
    let mapping = urlencode(r#"{"Fono":"phone","Observaciones":"ignore"}"#);

    let report = import(app, &owner, &format!("?dry_run=true&existing=skip&mapping={mapping}"), CSV, file.into()).await;

    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert_eq!(outcomes(&report.body), [(2, "exists".to_owned()), (3, "created".to_owned())]);
    let targets: Vec<&str> =
        report.body["columns"].as_array().expect("columns").iter().map(|c| c["target"].as_str().expect("t")).collect();
    assert_eq!(targets, ["name", "email", "phone", "ignore"]);

    let started = import(app, &owner, &format!("?existing=skip&mapping={mapping}"), CSV, file.into()).await;
    let done = finished(app, &owner, started.header("location")).await;
    assert_eq!(done["counts"], json!({ "created": 1, "updated": 0, "unchanged": 0, "exists": 1, "refused": 0 }));
    let bruno = app.get("/api/v1/clients?q=bruno").cookie(&owner).send().await;
    assert_eq!(
        (bruno.body["items"][0]["name"].as_str(), &bruno.body["items"][0]["phone"]),
        (Some("Bruno Díaz"), &Value::Null)
    );
}

async fn undo_is_refused_once_an_imported_client_changed(app: &TestApp) {
    let owner = app.owner().await;
    let bruno = app.create_client(&owner, json!({ "name": "Bruno Díaz", "email": "bruno@correo.cl" })).await;
    let file = "Nombre,Correo,RUT\nBruno Díaz,bruno@correo.cl,12.345.678-5\nAna,ana@correo.cl,\nEva,,\n";
    let started = import(app, &owner, "", CSV, file.into()).await;
    let done = finished(app, &owner, started.header("location")).await;
    assert_eq!(done["counts"]["refused"], 1);
    assert_eq!(done["refused_rows"][0]["line"], 4);
    assert_eq!(done["refused_rows"][0]["errors"][0]["column"], "Correo");
    let id = bruno["id"].as_str().expect("id");
    let edit = app
        .patch(&format!("/api/v1/clients/{id}"))
        .cookie(&owner)
        .header("if-match", "\"2\"")
        .json(json!({ "name": "Bruno D." }))
        .send()
        .await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);

    let refused = app.post(&format!("{}/undo", started.header("location"))).cookie(&owner).send().await;

    assert_eq!((refused.status, refused.code()), (StatusCode::CONFLICT, "import_changed_since"));
    assert_eq!(refused.body["lines"], json!([2]));
    assert!(refused.body["detail"].as_str().expect("detail").contains("filas 2"), "{}", refused.body);
    assert_eq!(names(app, &owner).await, ["Ana", "Bruno D."], "nothing was undone");
}

async fn bad_files_and_parameters_are_named_and_import_nothing(app: &TestApp) {
    let owner = app.owner().await;
    let cases: [(&str, &str, &str, StatusCode, &str); 6] = [
        ("", CSV, "", StatusCode::UNPROCESSABLE_ENTITY, "file_empty"),
        ("", CSV, "Nombre;Teléfono\nAna;961234567\n", StatusCode::UNPROCESSABLE_ENTITY, "no_email_column"),
        ("", "application/json", "{}", StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        ("?dry_run=yes", CSV, "Correo\na@b.cl\n", StatusCode::BAD_REQUEST, "not_allowed"),
        (
            "?mapping=%7B%22Fono%22%3A%22phone%22%7D",
            CSV,
            "Correo\na@b.cl\n",
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_column",
        ),
        ("?mapping=%5B%5D", CSV, "Correo\na@b.cl\n", StatusCode::BAD_REQUEST, "bad_mapping"),
    ];
    for (query, media_type, body, status, code) in cases {
        let answer = import(app, &owner, query, media_type, body.into()).await;
        assert_eq!(answer.status, status, "{query} {body:?}: {}", answer.body);
        let codes = answer.field_errors();
        assert!(answer.code() == code || codes.iter().any(|c| c.contains(code)), "{query}: {}", answer.body);
    }
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let broken = import(app, &owner, "", xlsx, b"PK\x03\x04 not really".to_vec()).await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", broken.body);
    let professional = app.professional().await;
    let refused = import(app, &professional, "?dry_run=true", CSV, "Correo\na@b.cl\n".into()).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::FORBIDDEN, "owner_only"));
    let unknown = app.get("/api/v1/imports/01936f0e-7a1c-7c3e-9f10-1a2b3c4d5e6f").cookie(&owner).send().await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(names(app, &owner).await.is_empty());
}

/// The API takes 64 KiB bodies; an import's route takes files of 32 MiB.
async fn a_file_larger_than_the_apis_usual_body_limit_is_read(app: &TestApp) {
    let owner = app.owner().await;
    let mut file = String::from("Nombre;Correo;Observaciones\n");
    for n in 0..2_000 {
        file.push_str(&format!("Cliente número {n};cliente{n}@correo.cl;{}\n", "x".repeat(40)));
    }
    assert!(file.len() > 64 * 1024);

    let report = import(app, &owner, "?dry_run=true", CSV, file.into()).await;

    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert_eq!(report.body["counts"]["created"], 2_000);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn note_texts(app: &TestApp, cookie: &str, client: &str) -> Vec<String> {
    let notes = app.get(&format!("/api/v1/clients/{client}/notes")).cookie(cookie).send().await;
    notes.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["text"].as_str().expect("text").to_owned())
        .collect()
}

async fn a_notes_column_is_reported_by_the_dry_run_and_imported_as_notes(app: &TestApp) {
    let owner = app.owner().await;
    let bruno = app.create_client(&owner, json!({ "name": "Bruno Díaz", "email": "bruno@correo.cl" })).await;
    let bruno = bruno["id"].as_str().expect("id").to_owned();
    let noted = app
        .post(&format!("/api/v1/clients/{bruno}/notes"))
        .cookie(&owner)
        .json(json!({ "text": "Cliente puntual" }))
        .send()
        .await;
    assert_eq!(noted.status, StatusCode::CREATED, "{}", noted.body);
    let long = "a".repeat(5001);
    let file = format!(
        "Nombre;Correo;Observaciones\n\
         Ana Pérez;ana@correo.cl;\"Alérgica al látex\nPrefiere la tarde\"\n\
         Bruno Díaz;bruno@correo.cl;Cliente puntual\n\
         Bruno Díaz;bruno@correo.cl;Paga en efectivo\n\
         Carla;carla@correo.cl;{long}\n"
    );

    let report = import(app, &owner, "?dry_run=true", CSV, file.clone().into()).await;

    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert_eq!(report.body["columns"][2], json!({ "header": "Observaciones", "target": "note" }));
    let expected = [(2, "created"), (3, "unchanged"), (4, "updated"), (5, "refused")];
    assert_eq!(outcomes(&report.body), expected.map(|(l, o)| (l, o.to_owned())), "a note Bruno has is no change");
    assert_eq!(
        report.body["rows"][3]["errors"],
        json!([{
            "column": "Observaciones",
            "field": "note",
            "code": "too_long",
            "message": "Una nota puede tener hasta 5000 caracteres."
        }]),
        "the note form's words"
    );
    assert_eq!(note_texts(app, &owner, &bruno).await, ["Cliente puntual"], "a dry run changes nothing");

    let started = import(app, &owner, "?file_name=agenda.csv", CSV, file.into()).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    let done = finished(app, &owner, started.header("location")).await;
    assert_eq!(done["counts"], json!({ "created": 1, "updated": 1, "unchanged": 1, "exists": 0, "refused": 1 }));

    assert_eq!(note_texts(app, &owner, &bruno).await, ["Paga en efectivo", "Cliente puntual"]);
    let history = app.get(&format!("/api/v1/clients/{bruno}/history")).cookie(&owner).send().await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    let entry = &history.body["items"][0];
    assert_eq!(
        (&entry["change"], &entry["import_id"], &entry["file_name"], &entry["created"]),
        (&json!("client_imported"), &done["id"], &json!("agenda.csv"), &json!(false)),
        "{entry}"
    );
}
