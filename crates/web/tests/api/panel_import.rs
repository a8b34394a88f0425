//! Clientes → "Importar clientes" in-process: upload (multipart, CSRF),
//! the mapping step with recognised columns preselected and an unknown one
//! mapped by hand, the dry run's counts and Spanish errors, the CSV of the
//! refused rows, the import in the background with its progress page, the
//! counts, and "Deshacer importación". Professionals get the 403 page.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, TestResponse};
use crate::panel::{csrf, html, submit};

const BOUNDARY: &str = "ficha-prueba-limite";

async fn upload(app: &TestApp, cookie: &str, token: &str, name: &str, file: &[u8]) -> TestResponse {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"archivo\"; filename=\"{name}\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    app.post("/clientes/importar")
        .cookie(cookie)
        .bytes(&format!("multipart/form-data; boundary={BOUNDARY}"), body)
        .send()
        .await
}

/// The option chosen in the select `id` of a page.
fn selected(page: &str, id: &str) -> String {
    let start = page.find(&format!("<select id=\"{id}\"")).expect("the select");
    let select = &page[start..page[start..].find("</select>").map_or(page.len(), |end| start + end)];
    let option = select.find(" selected>").expect("a chosen option");
    let value_at = select[..option].rfind("value=\"").expect("a value") + 7;
    select[value_at..].split('"').next().unwrap_or("").to_owned()
}

#[tokio::test]
async fn an_owner_uploads_maps_reviews_imports_and_undoes() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    app.create_client(&owner, json!({ "name": "Bruno Díaz", "email": "bruno@correo.cl" })).await;

    let clients = app.get("/clientes").cookie(&owner).send().await;
    assert!(html(&clients).contains("href=\"/clientes/importar\""), "Clientes links the import");
    let form = app.get("/clientes/importar").cookie(&owner).send().await;
    assert_eq!(form.status, StatusCode::OK);
    let token = csrf(&form);

    // Windows-1252, semicolons, and a column nobody would recognise.
    let file = b"Nombre;Correo;Tel\xe9fono;Fono casa\r\nCarla Mu\xf1oz;carla@correo.cl;961234567;222345678\r\n\
                 Bruno D\xedaz Soto;bruno@correo.cl;;\r\nEva;eva@correo.cl;12;\r\n";
    let forged = upload(&app, &owner, "falso", "clientes.csv", file).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", html(&forged));
    let uploaded = upload(&app, &owner, &token, "clientes.csv", file).await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", html(&uploaded));
    let batch = uploaded.header("location").to_owned();

    let mapping = app.get(&batch).cookie(&owner).send().await;
    let page = html(&mapping).to_owned();
    assert!(page.contains("Columnas de «clientes.csv»"), "{page}");
    assert_eq!(
        ["c0", "c1", "c2", "c3"].map(|c| selected(&page, c)),
        ["name", "email", "phone", "ignore"].map(str::to_owned)
    );
    assert!(page.contains("Carla Muñoz"), "the first row tells the columns apart");

    let review = app
        .get(&format!("{batch}/revision?c0=name&c1=email&c2=ignore&c3=phone&existentes=update"))
        .cookie(&owner)
        .send()
        .await;
    assert_eq!(review.status, StatusCode::OK, "{}", html(&review));
    let page = html(&review).to_owned();
    assert!(page.contains("<strong>2</strong> nuevos") && page.contains("<strong>1</strong> actualizados"), "{page}");
    assert!(page.contains("<strong>0</strong> con errores"), "the bad phone is in a column not imported: {page}");
    let review = app
        .get(&format!("{batch}/revision?c0=name&c1=email&c2=phone&c3=ignore&existentes=update"))
        .cookie(&owner)
        .send()
        .await;
    let page = html(&review).to_owned();
    assert!(page.contains("<strong>1</strong> con errores"), "{page}");
    assert!(
        page.contains("Columna «Teléfono»: El teléfono no es un número válido."),
        "the form's words, by the file's column: {page}"
    );
    assert_eq!(app.client_count(&owner).await, 1, "a review saves nothing");

    let errors =
        app.get(&format!("{batch}/errores.csv?c0=name&c1=email&c2=phone&c3=ignore")).cookie(&owner).send().await;
    assert_eq!(errors.status, StatusCode::OK);
    let text = String::from_utf8(errors.bytes.clone()).expect("UTF-8");
    assert!(
        text.starts_with(
            "\u{feff}Nombre;Correo;Teléfono;Fono casa;Errores\r\nEva;eva@correo.cl;12;;Columna «Teléfono»: El teléfono no es"
        ),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2, "only the refused row: {text}");

    let import_token = csrf(&review);
    let fields = [("c0", "name"), ("c1", "email"), ("c2", "phone"), ("c3", "ignore"), ("existentes", "update")];
    let started = submit(&app, &owner, &format!("{batch}/importar"), &import_token, &fields).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", html(&started));
    let mut page = String::new();
    for _ in 0..10_000 {
        let progress = app.get(&batch).cookie(&owner).send().await;
        page = html(&progress).to_owned();
        if !page.contains("http-equiv=\"refresh\"") {
            break;
        }
        assert!(page.contains("<progress"), "a running import shows its bar: {page}");
        tokio::task::yield_now().await;
    }
    assert!(page.contains("Terminada"), "{page}");
    assert!(page.contains("<strong>1</strong> nuevos") && page.contains("<strong>1</strong> con errores"), "{page}");
    assert_eq!(app.client_count(&owner).await, 2);
    let again = submit(&app, &owner, &format!("{batch}/importar"), &import_token, &fields).await;
    assert_ne!(again.status, StatusCode::SEE_OTHER, "a started batch does not start twice");

    let undone =
        submit(&app, &owner, &format!("{batch}/deshacer"), &csrf(&app.get(&batch).cookie(&owner).send().await), &[])
            .await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER, "{}", html(&undone));
    let after = app.get(undone.header("location")).cookie(&owner).send().await;
    assert!(html(&after).contains("Listo: la importación se deshizo."), "{}", html(&after));
    let listed = app.get("/api/v1/clients").cookie(&owner).send().await;
    assert_eq!(listed.body["items"][0]["name"], "Bruno Díaz");
    assert_eq!(listed.body["total"], 1);
}

#[tokio::test]
async fn a_file_without_anything_to_import_is_said_so_and_professionals_may_not_import() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let token = csrf(&app.get("/clientes/importar").cookie(&owner).send().await);

    let empty = upload(&app, &owner, &token, "vacio.csv", b"").await;

    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&empty).contains("Elige un archivo CSV o Excel"), "{}", html(&empty));
    let no_email = upload(&app, &owner, &token, "sin-correo.csv", b"Nombre;Fono\nAna;961234567\n").await;
    assert_eq!(no_email.status, StatusCode::SEE_OTHER, "fixed in the mapping step");
    let review =
        app.get(&format!("{}/revision?c0=name&c1=phone", no_email.header("location"))).cookie(&owner).send().await;
    assert_eq!(review.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&review).contains("Falta la columna del correo"), "{}", html(&review));

    let professional = app.professional().await;
    let page = app.get("/clientes/importar").cookie(&professional).send().await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(!html(&app.get("/clientes").cookie(&professional).send().await).contains("/clientes/importar"));
}
