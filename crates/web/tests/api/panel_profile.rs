//! The profile page's shape in-process: the header, data shown as values
//! until "Editar", examples as hints (not placeholders), a refused note
//! brought back to its box, empty sections that say what to do, and the
//! history's empty "before". The real layout is in browser/profile.rs.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::panel::{csrf, html, submit};

async fn ana(app: &TestApp, cookie: &str) -> String {
    let body = json!({ "name": "Ana Pérez", "email": "ana@correo.cl", "phone": "+56961234567",
        "rut": "12.345.678-5", "birth_date": "1990-04-23" });
    let client = app.create_client(cookie, body).await;
    client["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn the_header_says_who_the_client_is_and_their_latest_note() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let id = ana(&app, &cookie).await;
    let path = format!("/clientes/{id}");
    let token = csrf(&app.get(&path).cookie(&cookie).send().await);
    let note = "Alérgica al látex: usar guantes de nitrilo. ".repeat(3);
    let added = submit(&app, &cookie, &format!("{path}/notas"), &token, &[("texto", &note)]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);

    let page = app.get(&path).cookie(&cookie).send().await;
    let page = html(&page);
    let head = &page[page.find("id=\"cabecera\"").expect("header")..page.find("</header>\n\n").expect("end")];
    assert!(head.contains("<h1 id=\"nombre-cliente\">Ana Pérez</h1>"), "{head}");
    assert!(head.contains("<a href=\"tel:+56961234567\">9 6123 4567</a>"), "{head}");
    assert!(head.contains(">ana@correo.cl</a>"), "{head}");
    assert!(head.contains("<li id=\"cabecera-rut\">RUT 12.345.678-5</li>"), "{head}");
    // The test clock stands on 14-03-2026: the birthday (23-04) is still ahead.
    assert!(head.contains("<li id=\"cabecera-edad\">35 años</li>"), "{head}");
    let tag = head.split("class=\"head-tag \"").nth(1).expect("the note's tag");
    assert!(tag.contains("Nota: Alérgica al látex: usar guantes de nitrilo.") && tag.contains('…'), "cut: {tag}");
    for action in ["id=\"agendar\"", "id=\"whatsapp\"", "id=\"mas-acciones\"", "id=\"eliminar-cliente\""] {
        assert!(head.contains(action), "{action}");
    }
    for anchor in [
        "#resumen",
        "#datos-generales",
        "#otros-datos",
        "#reservas",
        "#notas\"",
        "#notas-atencion",
        "#por-reservar",
        "#historial",
    ] {
        assert!(head.contains(&format!("href=\"{anchor}")), "the nav leads to {anchor}");
    }
}

#[tokio::test]
async fn datos_read_as_values_until_editar_and_a_refused_save_keeps_the_form_open() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let id = ana(&app, &cookie).await;
    let path = format!("/clientes/{id}");

    let page = app.get(&path).cookie(&cookie).send().await;
    let shown = html(&page);
    assert!(!shown.contains("<input id=\"rut\""), "no form until Editar");
    assert!(shown.contains("<dd id=\"valor-rut\">12.345.678-5</dd>"), "{shown}");
    assert!(shown.contains(&format!("href=\"{path}?editar=datos#datos-generales\"")), "Editar leads to the form");

    let editing = app.get(&format!("{path}?editar=datos")).cookie(&cookie).send().await;
    let form = html(&editing);
    assert!(form.contains("<input id=\"rut\" name=\"rut\" value=\"12.345.678-5\""), "{form}");
    assert!(form.contains(&format!("action=\"{path}#datos-generales\"")), "a save comes back to the section");
    let client_form = &form[form.find("id=\"form-datos\"").expect("form")..];
    let client_form = &client_form[..client_form.find("</form>").expect("end")];
    assert!(!client_form.contains("placeholder="), "no example inside a field: {client_form}");
    assert!(client_form.contains("id=\"rut-ejemplo\">Ej.: 12.345.678-5</small>"), "the example is a hint");

    let typed = [("version", "1"), ("nombre", "Ana Pérez Soto"), ("correo", "ana@correo.cl"), ("rut", "12.345.678-9")];
    let refused = submit(&app, &cookie, &path, &csrf(&editing), &typed).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let again = html(&refused);
    assert!(again.contains("id=\"rut-error\""), "the message by the field");
    assert!(again.contains("value=\"12.345.678-9\"") && again.contains("value=\"Ana Pérez Soto\""), "typed kept");
    assert!(!again.contains("id=\"editar-datos\""), "the form stays open");
}

#[tokio::test]
async fn a_refused_note_comes_back_to_its_box_with_the_focus_there() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let id = ana(&app, &cookie).await;
    let path = format!("/clientes/{id}");
    let page = app.get(&path).cookie(&cookie).send().await;
    assert!(html(&page).contains(&format!("action=\"{path}/notas#nota-nueva\"")), "the answer opens at the box");

    let refused = submit(&app, &cookie, &format!("{path}/notas"), &csrf(&page), &[("texto", "  ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let box_ = html(&refused).split("<textarea id=\"nota-nueva\"").nth(1).expect("the box").to_owned();
    let tag = box_.split('>').next().expect("tag");
    assert!(tag.contains("autofocus") && tag.contains("aria-describedby=\"nota-nueva-error\""), "{tag}");
}

#[tokio::test]
async fn empty_sections_say_what_to_do() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let id = ana(&app, &cookie).await;
    let path = format!("/clientes/{id}");
    let page = app.get(&path).cookie(&cookie).send().await;
    let page = html(&page);
    assert!(
        page.contains(&format!(
            "No hay reservas próximas — <a href=\"{path}/agendar\" id=\"sin-reservas-agendar\">Agendar</a>"
        )),
        "{page}"
    );
    assert!(page.contains("Sin notas — <label for=\"nota-nueva\" class=\"as-link\">Agregar nota</label>"), "{page}");
    let waiting = page.split("id=\"sin-por-reservar\"").nth(1).expect("Por reservar, empty");
    assert!(waiting.split("</p>").next().is_some_and(|p| p.contains(&format!("href=\"{path}/agendar\""))));
}

#[tokio::test]
async fn an_empty_before_in_the_history_is_plain_text_not_the_empty_box() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let client = app.create_client(&cookie, json!({ "name": "Luis Rojas", "email": "luis@correo.cl" })).await;
    let path = format!("/clientes/{}", client["id"].as_str().expect("id"));
    let token = csrf(&app.get(&path).cookie(&cookie).send().await);
    let typed = [("version", "1"), ("nombre", "Luis Rojas"), ("correo", "luis@correo.cl"), ("rut", "12.345.678-5")];
    assert_eq!(submit(&app, &cookie, &path, &token, &typed).await.status, StatusCode::SEE_OTHER);

    let page = app.get(&path).cookie(&cookie).send().await;
    let history = html(&page).split("id=\"lista-historial\"").nth(1).expect("history").to_owned();
    let history = &history[..history.find("</ul>").expect("end")];
    assert!(history.contains("<strong>RUT</strong> <span class=\"old unset\">(vacío)</span>"), "{history}");
    // `.empty` is the stylesheet's tall dashed box for empty lists.
    assert!(!history.contains(" empty\"") && !history.contains("\"empty"), "{history}");
}
