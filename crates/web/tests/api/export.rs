//! The client export and the vCard through the API, on both backends: the
//! CSV's columns, values and escaping, a search's export, sensitive fields
//! out unless asked, owners only, the XLSX's cells, pages past the first,
//! and a client's vCard (hidden like the profile when blocked).

use std::io::Read;

use axum::http::{Method, StatusCode};
use ficha_domain::{Actor, ClientName, Email, NewClient};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResponse, on_both_backends};
use crate::imports::{CSV, finished};

on_both_backends!(
    the_csv_holds_every_column_in_the_panels_words_and_escapes_what_it_must,
    sensitive_fields_go_in_only_when_an_owner_asks,
    a_search_exports_only_the_clients_it_finds,
    only_owners_export_and_bad_parameters_are_named,
    the_xlsx_holds_the_csvs_cells_as_text,
    an_export_reads_every_page_of_a_large_list,
    a_vcard_holds_name_email_phone_and_birthday,
    a_blocked_profiles_vcard_is_hidden_from_professionals,
    an_exported_csv_read_back_as_documented_gives_the_same_clients,
    an_exported_csv_imports_back_unchanged,
    an_exported_xlsx_imports_back_unchanged,
);

const BOM: &str = "\u{feff}";
const HEADER: &str = "Nombre;Correo;Teléfono;RUT;Fecha de nacimiento;Fecha de registro;Última reserva;Nombre de la mascota;Edad;\
     Comunas;Indicaciones";

async fn field(app: &TestApp, owner: &str, body: Value) {
    let created = app.post("/api/v1/custom-fields").cookie(owner).json(body).send().await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
}

/// Fields of every shape (one sensitive) and two clients, one with
/// everything filled and a name that needs quoting.
async fn registry(app: &TestApp) -> (String, String) {
    let owner = app.owner().await;
    field(app, &owner, json!({ "key": "mascota", "label": "Nombre de la mascota", "kind": "text" })).await;
    field(app, &owner, json!({ "key": "edad", "label": "Edad", "kind": "number" })).await;
    let comunas =
        json!({ "key": "comunas", "label": "Comunas", "kind": "multi_choice", "options": ["Ñuñoa", "Maipú"] });
    field(app, &owner, comunas).await;
    field(app, &owner, json!({ "key": "indicaciones", "label": "Indicaciones", "kind": "long_text" })).await;
    let diagnosis = json!({ "key": "diagnostico", "label": "Diagnóstico", "kind": "text", "sensitive": true });
    field(app, &owner, diagnosis).await;
    let ana = app
        .create_client(
            &owner,
            json!({ "name": "Núñez; \"Ana\"", "email": "Ana@Correo.cl", "phone": "+56 9 6123 4567",
                    "rut": "12.345.678-5", "birth_date": "1990-04-23" }),
        )
        .await;
    let id = ana["id"].as_str().expect("id").to_owned();
    let values = json!({ "values": {
        "mascota": "=Firulais", "edad": 3.5, "comunas": ["maipu", "Ñuñoa"],
        "indicaciones": "Alérgica al látex.\nUsa inhalador.", "diagnostico": "Lumbago crónico" } });
    let saved = app
        .request(Method::PUT, &format!("/api/v1/clients/{id}/custom-values"))
        .cookie(&owner)
        .header("if-match", "\"1\"")
        .json(values)
        .send()
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    app.create_client(&owner, json!({ "name": "Bruno Díaz", "email": "bruno@correo.cl" })).await;
    (owner, id)
}

fn text(response: &TestResponse) -> &str {
    std::str::from_utf8(&response.bytes).expect("UTF-8")
}

async fn export(app: &TestApp, cookie: &str, query: &str) -> TestResponse {
    app.get(&format!("/api/v1/clients/export{query}")).cookie(cookie).send().await
}

const ANA_ROW: &str = "\"Núñez; \"\"Ana\"\"\";Ana@Correo.cl;+56961234567;12345678-5;23-04-1990;14-03-2026 09:00;;\
     '=Firulais;3,5;\"Ñuñoa\nMaipú\";\"Alérgica al látex.\nUsa inhalador.\"\r\n";

async fn the_csv_holds_every_column_in_the_panels_words_and_escapes_what_it_must(app: &TestApp) {
    let (owner, _) = registry(app).await;

    let csv = export(app, &owner, "?format=csv").await;

    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8; header=present");
    assert_eq!(csv.header("content-disposition"), "attachment; filename=\"clientes-clinica-14-03-2026.csv\"");
    assert_eq!(csv.header("cache-control"), "no-store");
    // Name order: Bruno before Núñez; registered at 12:00 UTC, 09:00 in Santiago.
    let expected = format!("{BOM}{HEADER}\r\nBruno Díaz;bruno@correo.cl;;;;14-03-2026 09:00;;;;;\r\n{ANA_ROW}");
    assert_eq!(text(&csv), expected);
    // Without `format`, CSV; with `,` on request.
    assert_eq!(text(&export(app, &owner, "").await), expected);
    let comma = export(app, &owner, "?separator=comma").await;
    assert!(text(&comma).starts_with(&format!("{BOM}{}\r\n", HEADER.replace(';', ","))), "{}", text(&comma));
    let ana = "\"Núñez; \"\"Ana\"\"\",Ana@Correo.cl,+56961234567,12345678-5,23-04-1990,14-03-2026 09:00,,\
               '=Firulais,\"3,5\",\"Ñuñoa\nMaipú\",\"Alérgica al látex.\nUsa inhalador.\"\r\n";
    assert!(text(&comma).ends_with(ana), "{}", text(&comma));
}

async fn sensitive_fields_go_in_only_when_an_owner_asks(app: &TestApp) {
    let (owner, _) = registry(app).await;
    let default = export(app, &owner, "?format=csv").await;
    assert!(!text(&default).contains("Diagnóstico") && !text(&default).contains("Lumbago"), "{}", text(&default));
    let declined = export(app, &owner, "?sensitive=false").await;
    assert_eq!(text(&declined), text(&default));

    let asked = export(app, &owner, "?format=csv&sensitive=true").await;

    assert_eq!(asked.status, StatusCode::OK);
    let lines: Vec<&str> = text(&asked).split("\r\n").collect();
    assert_eq!(lines[0], format!("{BOM}{HEADER};Diagnóstico"));
    assert_eq!(lines[1], "Bruno Díaz;bruno@correo.cl;;;;14-03-2026 09:00;;;;;;");
    assert!(text(&asked).ends_with("Usa inhalador.\";Lumbago crónico\r\n"), "{}", text(&asked));
}

async fn a_search_exports_only_the_clients_it_finds(app: &TestApp) {
    let (owner, _) = registry(app).await;

    let found = export(app, &owner, "?q=nunez").await;

    assert_eq!(found.status, StatusCode::OK);
    assert_eq!(text(&found), format!("{BOM}{HEADER}\r\n{ANA_ROW}"));
    let none = export(app, &owner, "?q=zzzzzz").await;
    assert_eq!(text(&none), format!("{BOM}{HEADER}\r\n"), "a search that finds nobody is the header alone");
    let blank = export(app, &owner, "?q=%20").await;
    assert_eq!(text(&blank), text(&export(app, &owner, "").await), "an empty search is the whole list");
}

async fn only_owners_export_and_bad_parameters_are_named(app: &TestApp) {
    let (owner, _) = registry(app).await;
    let pro = app.professional().await;
    for query in ["?format=csv", "?format=xlsx", "?sensitive=true"] {
        let refused = export(app, &pro, query).await;
        assert_eq!((refused.status, refused.code()), (StatusCode::FORBIDDEN, "owner_only"), "{query}");
        assert_eq!(refused.header("content-type"), "application/problem+json");
        assert_eq!(refused.body["title"], "Solo el dueño del negocio puede hacer esto.");
    }
    assert_eq!(export(app, "", "").await.status, StatusCode::UNAUTHORIZED);

    let q = "a".repeat(201);
    let bad = export(app, &owner, &format!("?format=pdf&sensitive=si&separator=tab&lote=1&q={q}")).await;

    assert_eq!((bad.status, bad.code()), (StatusCode::BAD_REQUEST, "invalid_query"), "{}", bad.body);
    assert_eq!(
        bad.field_errors(),
        ["format:not_allowed", "sensitive:not_allowed", "separator:not_allowed", "lote:unknown_field", "q:too_long"]
    );
    assert_eq!(bad.body["errors"][0]["message"], "El parámetro «format» debe ser uno de: csv, xlsx.");
}

/// The text of every cell of the XLSX's one sheet, row by row, as
/// rust_xlsxwriter writes them in constant-memory mode (inline strings).
fn sheet_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX is a zip");
    let mut xml = String::new();
    archive.by_name("xl/worksheets/sheet1.xml").expect("the sheet").read_to_string(&mut xml).expect("UTF-8");
    let mut workbook = String::new();
    archive.by_name("xl/workbook.xml").expect("the workbook").read_to_string(&mut workbook).expect("UTF-8");
    assert!(workbook.contains("name=\"Clientes\""), "{workbook}");
    let unescape = |t: &str| t.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    xml.split("<row ")
        .skip(1)
        .map(|row| {
            row.split("<t")
                .skip(1)
                .filter_map(|cell| cell.split_once('>').map(|(_, rest)| rest))
                .filter_map(|rest| rest.split_once("</t>").map(|(t, _)| unescape(t)))
                .collect()
        })
        .collect()
}

async fn the_xlsx_holds_the_csvs_cells_as_text(app: &TestApp) {
    let (owner, _) = registry(app).await;

    let xlsx = export(app, &owner, "?format=xlsx&sensitive=true").await;

    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(xlsx.header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_eq!(xlsx.header("content-disposition"), "attachment; filename=\"clientes-clinica-14-03-2026.xlsx\"");
    let rows = sheet_rows(&xlsx.bytes);
    assert_eq!(rows.len(), 3, "{rows:?}");
    let header: Vec<String> = HEADER.split(';').map(str::to_owned).chain(["Diagnóstico".to_owned()]).collect();
    assert_eq!(rows[0], header);
    // Empty cells are left out; every written one is text, no formula.
    assert_eq!(rows[1], ["Bruno Díaz", "bruno@correo.cl", "14-03-2026 09:00"]);
    assert_eq!(
        rows[2],
        [
            "Núñez; \"Ana\"",
            "Ana@Correo.cl",
            "+56961234567",
            "12345678-5",
            "23-04-1990",
            "14-03-2026 09:00",
            "=Firulais",
            "3,5",
            "Ñuñoa\nMaipú",
            "Alérgica al látex.\nUsa inhalador.",
            "Lumbago crónico"
        ]
    );
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&xlsx.bytes[..])).expect("zip");
    let mut xml = String::new();
    archive.by_name("xl/worksheets/sheet1.xml").expect("sheet").read_to_string(&mut xml).expect("UTF-8");
    assert!(!xml.contains("<f>"), "no formulas");

    let found = export(app, &owner, "?format=xlsx&q=bruno").await;
    assert_eq!(sheet_rows(&found.bytes).len(), 2);
}

async fn an_export_reads_every_page_of_a_large_list(app: &TestApp) {
    let owner = app.owner().await;
    let business = app.store.business_by_slug("clinica").await.expect("read").expect("exists");
    let actor = Actor::System { business: business.id };
    // Two pages and a bit: 1 101 clients, names sorting as numbered.
    let clients: Vec<NewClient> = (0..1101)
        .map(|n| NewClient {
            name: ClientName::parse(&format!("Cliente {n:04}")).expect("valid"),
            email: Email::parse(&format!("c{n}@correo.cl")).expect("valid"),
            phone: None,
            rut: None,
            birth_date: None,
        })
        .collect();
    app.store.import_clients(&actor, clients).await.expect("imported");

    let csv = export(app, &owner, "").await;

    let names: Vec<&str> = text(&csv).split("\r\n").skip(1).filter(|l| !l.is_empty()).map(|l| &l[..12]).collect();
    let expected: Vec<String> = (0..1101).map(|n| format!("Cliente {n:04}")).collect();
    assert_eq!(names, expected, "each client once, in name order");
    let xlsx = export(app, &owner, "?format=xlsx").await;
    assert_eq!(sheet_rows(&xlsx.bytes).len(), 1102);
}

async fn a_vcard_holds_name_email_phone_and_birthday(app: &TestApp) {
    let (owner, id) = registry(app).await;
    let pro = app.professional().await;

    let card = app.get(&format!("/api/v1/clients/{id}/vcard")).cookie(&pro).send().await;

    assert_eq!(card.status, StatusCode::OK, "{}", card.body);
    assert_eq!(card.header("content-type"), "text/vcard; charset=utf-8");
    assert_eq!(card.header("content-disposition"), "attachment; filename=\"nunez-ana.vcf\"");
    let expected = format!(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:-//Ficha//ES\r\nUID:urn:uuid:{id}\r\nFN:Núñez\\; \"Ana\"\r\n\
         N:;Núñez\\; \"Ana\";;;\r\nEMAIL:Ana@Correo.cl\r\nTEL;VALUE=uri:tel:+56961234567\r\nBDAY:19900423\r\n\
         END:VCARD\r\n"
    );
    assert_eq!(text(&card), expected);
    assert!(!text(&card).contains("Lumbago") && !text(&card).contains("Firulais"), "no custom values");
    let unknown = app.get(&format!("/api/v1/clients/{}/vcard", uuid::Uuid::now_v7())).cookie(&owner).send().await;
    assert_eq!((unknown.status, unknown.code()), (StatusCode::NOT_FOUND, "not_found"));
    assert_eq!(app.get(&format!("/api/v1/clients/{id}/vcard")).send().await.status, StatusCode::UNAUTHORIZED);
}

async fn a_blocked_profiles_vcard_is_hidden_from_professionals(app: &TestApp) {
    let (owner, id) = registry(app).await;
    let pro = app.professional().await;
    let block = app.post(&format!("/api/v1/clients/{id}/block")).cookie(&owner).json(json!({ "reason": "Pedido" }));
    assert_eq!(block.send().await.status, StatusCode::OK);

    let hidden = app.get(&format!("/api/v1/clients/{id}/vcard")).cookie(&pro).send().await;

    assert_eq!((hidden.status, hidden.code()), (StatusCode::NOT_FOUND, "not_found"), "{}", hidden.body);
    let shown = app.get(&format!("/api/v1/clients/{id}/vcard")).cookie(&owner).send().await;
    assert_eq!(shown.status, StatusCode::OK);
    // The owner's export still lists the blocked profile, as the owner's
    // Clientes page does.
    assert!(text(&export(app, &owner, "").await).contains("Ana@Correo.cl"));
}

/// What `export/cells.rs` promises the import: each cell read as written
/// (a `'` before `=`, `+`, `-` or `@` dropped, several choices one per
/// line, the system's columns skipped) gives the same clients back. Here
/// the "import" is the API: every client is deleted, then created again
/// from its row, and the new export is the old one, byte for byte (the
/// clock stands still, so even the registration times match).
async fn an_exported_csv_read_back_as_documented_gives_the_same_clients(app: &TestApp) {
    let (owner, _) = registry(app).await;
    let before = export(app, &owner, "?sensitive=true").await;
    let fields = app.get("/api/v1/custom-fields").cookie(&owner).send().await.body["items"].clone();
    let listed = app.get("/api/v1/clients").cookie(&owner).send().await.body["items"].clone();
    for client in listed.as_array().expect("items") {
        let id = client["id"].as_str().expect("id");
        assert_eq!(
            app.delete(&format!("/api/v1/clients/{id}")).cookie(&owner).send().await.status,
            StatusCode::NO_CONTENT
        );
    }

    let body = text(&before).strip_prefix(BOM).expect("a BOM");
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(body.as_bytes());
    let headers: Vec<String> = reader.headers().expect("header").iter().map(str::to_owned).collect();
    let undefused = |cell: &str| match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_owned(),
        _ => cell.to_owned(),
    };
    for record in reader.records() {
        let record = record.expect("a row");
        let mut general = serde_json::Map::new();
        let mut values = serde_json::Map::new();
        for (header, cell) in headers.iter().zip(record.iter()) {
            let cell = undefused(cell);
            if cell.is_empty() {
                continue;
            }
            let general_key = match header.as_str() {
                "Nombre" => Some("name"),
                "Correo" => Some("email"),
                "Teléfono" => Some("phone"),
                "RUT" => Some("rut"),
                "Fecha de nacimiento" => Some("birth_date"),
                _ => None,
            };
            if let Some(key) = general_key {
                general.insert(key.to_owned(), json!(cell));
                continue;
            }
            if matches!(header.as_str(), "Fecha de registro" | "Última reserva") {
                continue;
            }
            let field = fields
                .as_array()
                .expect("fields")
                .iter()
                .find(|f| f["label"] == json!(header) || f["key"] == json!(header))
                .expect("a column per field");
            let value =
                if field["kind"] == "multi_choice" { json!(cell.split('\n').collect::<Vec<_>>()) } else { json!(cell) };
            values.insert(field["key"].as_str().expect("key").to_owned(), value);
        }
        let created = app.create_client(&owner, Value::Object(general)).await;
        let id = created["id"].as_str().expect("id");
        let saved = app
            .request(Method::PUT, &format!("/api/v1/clients/{id}/custom-values"))
            .cookie(&owner)
            .header("if-match", "\"1\"")
            .json(json!({ "values": values }))
            .send()
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    }

    let after = export(app, &owner, "?sensitive=true").await;
    assert_eq!(text(&after), text(&before));
}

async fn delete_every_client(app: &TestApp, owner: &str) {
    let listed = app.get("/api/v1/clients").cookie(owner).send().await.body["items"].clone();
    for client in listed.as_array().expect("items") {
        let id = client["id"].as_str().expect("id");
        assert_eq!(
            app.delete(&format!("/api/v1/clients/{id}")).cookie(owner).send().await.status,
            StatusCode::NO_CONTENT
        );
    }
}

/// Imports `file` for real and waits for it; returns the batch.
async fn import_file(app: &TestApp, owner: &str, media_type: &str, file: Vec<u8>) -> Value {
    let started = app.post("/api/v1/clients/import").cookie(owner).bytes(media_type, file).send().await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    let batch = finished(app, owner, started.header("location")).await;
    assert_eq!(batch["status"], "done", "{batch}");
    batch
}

/// The round trip through the import: the export re-imported over the same
/// clients changes nothing; after the clients are gone it brings them back
/// exactly as they were.
async fn an_exported_csv_imports_back_unchanged(app: &TestApp) {
    let (owner, _) = registry(app).await;
    let before = export(app, &owner, "?sensitive=true").await;

    let dry =
        app.post("/api/v1/clients/import?dry_run=true").cookie(&owner).bytes(CSV, before.bytes.clone()).send().await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(dry.body["counts"], json!({ "created": 0, "updated": 0, "unchanged": 2, "exists": 0, "refused": 0 }));
    let again = import_file(app, &owner, CSV, before.bytes.clone()).await;
    assert_eq!(again["counts"]["unchanged"], 2);
    delete_every_client(app, &owner).await;

    let batch = import_file(app, &owner, CSV, before.bytes.clone()).await;

    assert_eq!(batch["counts"]["created"], 2, "{batch}");
    let after = export(app, &owner, "?sensitive=true").await;
    assert_eq!(text(&after), text(&before));
}

async fn an_exported_xlsx_imports_back_unchanged(app: &TestApp) {
    let (owner, _) = registry(app).await;
    let csv = export(app, &owner, "?sensitive=true").await;
    let xlsx = export(app, &owner, "?sensitive=true&format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    delete_every_client(app, &owner).await;

    let batch =
        import_file(app, &owner, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.bytes).await;

    assert_eq!(batch["counts"]["created"], 2, "{batch}");
    let after = export(app, &owner, "?sensitive=true").await;
    assert_eq!(text(&after), text(&csv));
}
