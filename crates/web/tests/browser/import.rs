//! "Importar clientes" in Chromium, on a desktop and on a phone: upload a
//! Windows-1252 file with `;`, fix an unrecognised column in the mapping
//! step, read the dry run, import, watch it finish (the "Notas" column a
//! note on the new profile, whose history names the file), undo.

use std::time::Duration;

use crate::harness::{OWNER_EMAIL, Session};

const SIZES: [(u32, u32, &str); 2] = [(1280, 900, "desktop"), (375, 812, "phone")];

/// "Nombre;Correo;Tel. contacto;Notas", a new client, an existing one with new
/// data, a bad phone; Windows-1252 as Excel in Chile saves it.
const FILE: &[u8] = b"Nombre;Correo;Tel. contacto;Notas\r\n\
    Carla Mu\xf1oz;carla@correo.cl;961234567;nueva\r\n\
    Bruno D\xedaz Soto;bruno@correo.cl;961234568;\r\n\
    Eva Rojas;eva@correo.cl;12;\r\n";

async fn upload_map_review_import_undo(name: &'static str, width: u32, height: u32) {
    let Some(s) = Session::start(name).await else { return };
    s.browser.set_window_size(width, height).await.expect("window size");
    s.client("Bruno Díaz", "bruno@correo.cl", None, None).await;
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("clientes.csv");
    std::fs::write(&path, FILE).expect("file written");
    s.sign_in(OWNER_EMAIL).await;

    s.click("#ir-importar").await;
    s.find("#archivo").await.send_keys(&path.display().to_string()).await.expect("file chosen");
    s.screenshot("upload").await;
    s.fits_the_width("the upload").await;
    s.click("#subir").await;

    // The mapping step: recognised columns chosen, "Tel. contacto" left out.
    s.find("#form-columnas").await;
    assert!(s.text("h1").await.contains("clientes.csv"));
    let chosen = s
        .browser
        .execute("return ['c0', 'c1', 'c2', 'c3'].map(id => document.getElementById(id).value)", vec![])
        .await
        .expect("script");
    assert_eq!(chosen, serde_json::json!(["name", "email", "ignore", "note"]));
    s.find("#c2").await.select_by_value("phone").await.expect("phone chosen");
    s.screenshot("mapping").await;
    s.fits_the_width("the mapping step").await;
    s.click("#revisar").await;

    // The dry run: counts and the bad phone in the form's words.
    let counts = s.text("#conteo").await;
    assert!(
        counts.contains("1 nuevos") && counts.contains("1 actualizados") && counts.contains("1 con errores"),
        "{counts}"
    );
    let errors = s.text("#filas-con-errores").await;
    assert!(errors.contains("Columna «Tel. contacto»: El teléfono no es un número válido."), "{errors}");
    s.find("#descargar-errores").await;
    s.screenshot("review").await;
    s.fits_the_width("the dry run").await;
    s.click("#importar").await;

    // The batch's page refreshes itself until the import is done.
    let mut status = String::new();
    for _ in 0..100 {
        status = s.text("#estado-importacion").await;
        if status.contains("Terminada") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(status.contains("Terminada"), "{status}");
    assert!(s.text("#conteo").await.contains("1 nuevos"));
    s.screenshot("done").await;
    s.fits_the_width("the finished import").await;
    s.goto("/clientes?q=munoz").await;
    assert!(s.text("table.clients").await.contains("Carla Muñoz"));
    s.click("table.clients a").await;
    assert_eq!(s.text("#lista-notas .note-text").await, "nueva");
    let history = s.text("#lista-historial").await;
    assert!(history.contains("Importado desde «clientes.csv»") && history.contains("Perfil creado"), "{history}");
    s.browser.back().await.expect("back");
    s.browser.back().await.expect("back");

    s.click("#deshacer").await;
    assert!(s.text("#aviso").await.contains("la importación se deshizo"));
    s.screenshot("undone").await;
    s.goto("/clientes").await;
    let list = s.text("table.clients").await;
    assert!(list.contains("Bruno Díaz") && !list.contains("Carla") && !list.contains("Soto"), "{list}");
    s.finish().await;
}

#[tokio::test]
async fn import_on_a_desktop() {
    let (width, height, _) = SIZES[0];
    upload_map_review_import_undo("import_desktop", width, height).await;
}

#[tokio::test]
async fn import_on_a_phone() {
    let (width, height, _) = SIZES[1];
    upload_map_review_import_undo("import_phone", width, height).await;
}
