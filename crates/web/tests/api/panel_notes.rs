//! The profile's "Notas" and "Historial" in-process: CSRF on the note forms,
//! who may change which note, refused texts, escaping, and the history of an
//! edit.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::panel::{FORM, csrf, encode, html, submit};

async fn ana(app: &TestApp, cookie: &str) -> String {
    let client = app.create_client(cookie, json!({ "name": "Ana Pérez", "email": "ana@correo.cl" })).await;
    client["id"].as_str().expect("id").to_owned()
}

async fn notes(app: &TestApp, cookie: &str, client: &str) -> Vec<Value> {
    let response = app.get(&format!("/api/v1/clients/{client}/notes")).cookie(cookie).send().await;
    response.body["items"].as_array().expect("items").clone()
}

async fn add_note(app: &TestApp, cookie: &str, client: &str, text: &str) -> String {
    let path = format!("/clientes/{client}");
    let token = csrf(&app.get(&path).cookie(cookie).send().await);
    let response = submit(app, cookie, &format!("{path}/notas"), &token, &[("texto", text)]).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", html(&response));
    notes(app, cookie, client).await[0]["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn note_forms_without_the_sessions_token_change_nothing() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let id = ana(&app, &cookie).await;
    let note = add_note(&app, &cookie, &id, "cliente puntual").await;
    let base = format!("/clientes/{id}/notas");
    let forms =
        [(base.clone(), "otra nota"), (format!("{base}/{note}"), "cambiada"), (format!("{base}/{note}/eliminar"), "")];
    for (path, text) in forms {
        for token in ["", "forjado"] {
            let body = encode(&[("texto", text), ("csrf", token)]);
            let response = app.post(&path).cookie(&cookie).raw(FORM, body).send().await;
            assert_eq!(response.status, StatusCode::FORBIDDEN, "{path} {token:?}");
            assert!(html(&response).contains("El formulario expiró"), "{path}");
        }
    }
    let stored = notes(&app, &cookie, &id).await;
    assert_eq!(stored.len(), 1, "nothing added or deleted");
    assert_eq!(stored[0]["text"], "cliente puntual", "nothing edited");
}

#[tokio::test]
async fn a_professional_cannot_change_the_owners_note_even_with_a_forged_form() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let pro = app.professional().await;
    let id = ana(&app, &owner).await;
    let owners = add_note(&app, &owner, &id, "nota de la dueña").await;
    let own = add_note(&app, &pro, &id, "nota mía").await;
    let path = format!("/clientes/{id}");

    // The page offers controls only on the professional's own note.
    let page = app.get(&path).cookie(&pro).send().await;
    let page = html(&page);
    // (Each edit form's address ends at its box's anchor.)
    assert!(page.contains(&format!("action=\"{path}/notas/{own}#texto-{own}\"")), "own note editable");
    assert!(!page.contains(&format!("{path}/notas/{owners}#")), "no edit of the owner's note");
    assert!(!page.contains(&format!("{path}/notas/{owners}\"")), "no edit of the owner's note");
    assert!(!page.contains(&format!("{path}/notas/{owners}/eliminar")), "no delete of the owner's note");

    let token = csrf(&app.get(&path).cookie(&pro).send().await);
    for (action, text) in [
        (format!("{path}/notas/{owners}"), "forjada"),
        (format!("{path}/notas/{owners}"), ""),
        (format!("{path}/notas/{owners}/eliminar"), ""),
    ] {
        let response = submit(&app, &pro, &action, &token, &[("texto", text)]).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{action} {text:?}");
        assert!(html(&response).contains("Esta nota no es tuya"), "{}", html(&response));
        assert!(html(&response).contains("No se cambió nada"));
    }
    let stored = notes(&app, &owner, &id).await;
    let texts: Vec<&str> = stored.iter().map(|n| n["text"].as_str().unwrap_or("")).collect();
    assert_eq!(texts, ["nota mía", "nota de la dueña"], "unchanged, newest first");

    // The owner may change anyone's note.
    let token = csrf(&app.get(&path).cookie(&owner).send().await);
    let response = submit(&app, &owner, &format!("{path}/notas/{own}"), &token, &[("texto", "corregida")]).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(notes(&app, &owner, &id).await[0]["text"], "corregida");
}

#[tokio::test]
async fn an_empty_or_too_long_note_is_explained_next_to_its_box_and_not_saved() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let id = ana(&app, &cookie).await;
    let path = format!("/clientes/{id}");
    let token = csrf(&app.get(&path).cookie(&cookie).send().await);
    let too_long = "ñ".repeat(5001);
    for (text, message) in [
        ("  \n ", "una nota no puede quedar vacía"),
        (too_long.as_str(), "Una nota puede tener hasta 5000 caracteres; esta tiene 5001."),
    ] {
        let response = submit(&app, &cookie, &format!("{path}/notas"), &token, &[("texto", text)]).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = html(&response);
        let error = page.find("id=\"nota-nueva-error\"").expect("error next to the box");
        assert!(page[error..].contains(message), "{page}");
        assert!(notes(&app, &cookie, &id).await.is_empty(), "nothing saved");
    }

    // An edit to nothing is refused the same way, with the box open.
    let note = add_note(&app, &cookie, &id, "original").await;
    let response = submit(&app, &cookie, &format!("{path}/notas/{note}"), &token, &[("texto", "")]).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&response).contains("<details class=\"note-edit\" open>"));
    assert!(html(&response).contains("una nota no puede quedar vacía"));
    assert_eq!(notes(&app, &cookie, &id).await[0]["text"], "original");
}

#[tokio::test]
async fn a_note_is_shown_as_text_with_its_line_breaks_author_and_time() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let id = ana(&app, &cookie).await;
    add_note(&app, &cookie, &id, "<script>alert(1)</script>\nsegunda línea").await;
    let page = app.get(&format!("/clientes/{id}")).cookie(&cookie).send().await;
    let page = html(&page);
    assert!(!page.contains("<script>alert"), "the note runs");
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;\nsegunda línea"), "{page}");
    assert!(page.contains("<strong>Persona de Prueba</strong> · <time>"), "author shown");
    // The test clock's business time, dd-mm-aaaa HH:MM.
    let meta = "<strong>Persona de Prueba</strong> · <time>";
    let at = page.find(meta).expect("meta") + meta.len();
    let when = &page[at..at + 16];
    assert_eq!(when.as_bytes()[2], b'-', "{when}");
    assert_eq!(when.as_bytes()[13], b':', "{when}");
}

#[tokio::test]
async fn many_notes_show_the_newest_first_and_the_rest_behind_ver_mas() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let id = ana(&app, &cookie).await;
    for n in 1..=25 {
        let response = app
            .post(&format!("/api/v1/clients/{id}/notes"))
            .cookie(&cookie)
            .json(json!({ "text": format!("nota número {n:02}") }))
            .send()
            .await;
        assert_eq!(response.status, StatusCode::CREATED);
    }
    let page = app.get(&format!("/clientes/{id}")).cookie(&cookie).send().await;
    let page = html(&page);
    assert_eq!(page.matches("class=\"note\"").count(), 20);
    assert!(page.contains("nota número 25") && !page.contains("nota número 05"), "newest first");
    assert!(page.contains("20 de 25"));
    let more = format!("/clientes/{id}?notas=40");
    assert!(page.contains(&format!("href=\"{more}#notas\"")), "{page}");
    let all = app.get(&more).cookie(&cookie).send().await;
    assert_eq!(html(&all).matches("class=\"note\"").count(), 25);
    assert!(!html(&all).contains("id=\"notas-mas\""));
}

#[tokio::test]
async fn the_history_shows_a_phone_edit_old_to_new_and_note_changes() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let client = app
        .create_client(&cookie, json!({ "name": "Ana Pérez", "email": "ana@correo.cl", "phone": "+56961234567" }))
        .await;
    let id = client["id"].as_str().expect("id");
    let path = format!("/clientes/{id}");
    let token = csrf(&app.get(&path).cookie(&cookie).send().await);
    let fields =
        [("nombre", "Ana Pérez"), ("correo", "ana@correo.cl"), ("telefono", "+56 9 8765 4321"), ("version", "1")];
    let response = submit(&app, &cookie, &path, &token, &fields).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", html(&response));
    add_note(&app, &cookie, id, "prefiere la mañana").await;

    let page = app.get(&path).cookie(&cookie).send().await;
    let page = html(&page);
    let history = &page[page.find("id=\"lista-historial\"").expect("history")..];
    let phone = history.find("<strong>Teléfono</strong>").expect("phone entry");
    let note = history.find("<strong>Nota agregada</strong>").expect("note entry");
    assert!(note < phone, "newest first");
    assert!(
        history[phone..].starts_with(
            "<strong>Teléfono</strong> <span class=\"old\">9 6123 4567</span> <span aria-label=\"cambió a\">→</span> <span class=\"new\">9 8765 4321</span>"
        ),
        "{}",
        &history[phone..phone + 200]
    );
    assert!(history[note..].contains("prefiere la mañana"));
}

#[tokio::test]
async fn a_long_history_is_paged_with_a_cursor() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let id = ana(&app, &cookie).await;
    for n in 1..=20 {
        let response = app
            .post(&format!("/api/v1/clients/{id}/notes"))
            .cookie(&cookie)
            .json(json!({ "text": format!("entrada {n:02}") }))
            .send()
            .await;
        assert_eq!(response.status, StatusCode::CREATED);
    }
    let first = app.get(&format!("/clientes/{id}")).cookie(&cookie).send().await;
    let first = html(&first);
    let history = &first[first.find("id=\"lista-historial\"").expect("history")..];
    assert_eq!(history.matches("class=\"history-item\"").count(), 15);
    let start = history.find("id=\"historial-anteriores\"").map(|_| history.find("href=\"/clientes/").expect("link"));
    let link = &history[start.expect("a next page") + 6..];
    let link = link.split('"').next().expect("href").replace("&amp;", "&");
    let second = app.get(&link).cookie(&cookie).send().await;
    let second = html(&second);
    let rest = &second[second.find("id=\"lista-historial\"").expect("history")..];
    assert_eq!(rest.matches("class=\"history-item\"").count(), 5);
    assert!(rest.contains("entrada 01") && !rest.contains("entrada 20"), "older entries");
    assert!(!rest.contains("id=\"historial-anteriores\""));
}

#[tokio::test]
async fn the_delete_confirmation_says_notes_and_history_go_too() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let id = ana(&app, &cookie).await;
    add_note(&app, &cookie, &id, "una").await;
    add_note(&app, &cookie, &id, "dos").await;
    let path = format!("/clientes/{id}/eliminar");
    let page = app.get(&path).cookie(&cookie).send().await;
    let text = html(&page);
    assert!(text.contains("sus 2 notas;"), "{text}");
    assert!(text.contains("su historial de cambios"), "{text}");

    let token = csrf(&page);
    let response = submit(&app, &cookie, &path, &token, &[]).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let notes = app.get(&format!("/api/v1/clients/{id}/notes")).cookie(&cookie).send().await;
    assert_eq!(notes.status, StatusCode::NOT_FOUND, "notes went with the client");
    let history = app.get(&format!("/api/v1/clients/{id}/history")).cookie(&cookie).send().await;
    assert_eq!(history.status, StatusCode::NOT_FOUND, "history went with the client");
}

/// A client's notification choices (set through the store until the panel
/// and API have their forms) show in the history: on the API as the choices
/// before and after, on the profile in words.
#[tokio::test]
async fn notification_choices_appear_in_the_history() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let id = ana(&app, &cookie).await;
    let business = app.store.business_by_slug("clinica").await.expect("read").expect("the business").id;
    let system = ficha_domain::Actor::System { business };
    let client = id.parse().expect("a client id");
    let out = ficha_domain::ClientPreferences { no_whatsapp: true, no_reminders: false };
    app.store.set_client_preferences(&system, client, out, ficha_domain::ChoiceSource::Panel).await.expect("saved");

    let response = app.get(&format!("/api/v1/clients/{id}/history")).cookie(&cookie).send().await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let entry = &response.body["items"][0];
    assert_eq!(entry["change"], "notification_preferences");
    assert_eq!(entry["old"], json!({ "whatsapp": true, "reminders": true }));
    assert_eq!(entry["new"], json!({ "whatsapp": false, "reminders": true }));
    assert_eq!(entry["by"]["kind"], "system");

    let page = app.get(&format!("/clientes/{id}")).cookie(&cookie).send().await;
    let page = html(&page);
    let history = &page[page.find("id=\"lista-historial\"").expect("history")..];
    let entry = history.find("<strong>Notificaciones (desde el panel)</strong>").expect("the choices' entry");
    assert!(
        history[entry..].starts_with(
            "<strong>Notificaciones (desde el panel)</strong> <span class=\"old\">recibir WhatsApp, recibir recordatorios</span> <span aria-label=\"cambió a\">→</span> <span class=\"new\">no recibir WhatsApp, recibir recordatorios</span>"
        ),
        "{}",
        &history[entry..entry + 300]
    );
}
