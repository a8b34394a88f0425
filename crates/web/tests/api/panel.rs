//! The panel in-process: CSRF refusals, escaping, owner-only settings,
//! stale edits, the login form — what needs no browser to check.

use axum::http::{Method, StatusCode};
use ficha_domain::{FieldKey, Role};
use serde_json::json;

use crate::helpers::{OWNER_EMAIL, PASSWORD, TestApp, TestResponse};

pub(crate) const FORM: &str = "application/x-www-form-urlencoded";

pub(crate) fn html(response: &TestResponse) -> &str {
    response.body.as_str().unwrap_or("")
}

/// The CSRF token of the first form of a page.
pub(crate) fn csrf(page: &TestResponse) -> String {
    let html = html(page);
    let start = html.find("name=\"csrf\" value=\"").expect("a form with a token") + 19;
    html[start..].split('"').next().expect("token").to_owned()
}

pub(crate) fn encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let v: String = v
                .bytes()
                .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
                .collect();
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn ana(app: &TestApp, cookie: &str) -> String {
    let client = app.create_client(cookie, json!({ "name": "Ana Pérez", "email": "ana@correo.cl" })).await;
    client["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn without_a_session_panel_pages_send_to_the_login_page() {
    let app = TestApp::spawn().await;
    for path in ["/clientes", "/clientes/nuevo", "/configuracion", "/buscar?q=ana"] {
        let response = app.get(path).send().await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.header("location"), "/entrar", "{path}");
    }
}

#[tokio::test]
async fn unknown_paths_answer_in_the_language_of_their_side() {
    let app = TestApp::spawn().await;
    let api = app.get("/api/v1/no-existe").send().await;
    assert_eq!((api.status, api.code()), (StatusCode::NOT_FOUND, "not_found"));
    assert_eq!(api.header("content-type"), "application/problem+json");
    let page = app.get("/no-existe").send().await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(html(&page).contains("La página o el cliente que buscas no existe"));
    assert!(page.header("content-security-policy").contains("script-src 'self'"));
}

#[tokio::test]
async fn a_form_without_the_sessions_token_changes_nothing() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let id = ana(&app, &cookie).await;
    let path = format!("/clientes/{id}");
    let fields = [("nombre", "Otra Persona"), ("correo", "ana@correo.cl"), ("version", "1")];

    for token in
        [None, Some("forjado"), Some(csrf(&app.get(&path).cookie(&app.professional().await).send().await).as_str())]
            .map(|t| t.map(str::to_owned))
    {
        let mut pairs = fields.to_vec();
        if let Some(token) = token.as_deref() {
            pairs.push(("csrf", token));
        }
        let response = app.post(&path).cookie(&cookie).raw(FORM, encode(&pairs)).send().await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "token {token:?}");
        assert!(html(&response).contains("El formulario expiró"));
    }
    let deleted = app.post(&format!("{path}/eliminar")).cookie(&cookie).raw(FORM, "").send().await;
    assert_eq!(deleted.status, StatusCode::FORBIDDEN);
    let client = app.get(&format!("/api/v1/clients/{id}")).cookie(&cookie).send().await;
    assert_eq!(client.body["name"], "Ana Pérez", "nothing changed");

    // The page's own token works.
    let token = csrf(&app.get(&path).cookie(&cookie).send().await);
    let mut pairs = fields.to_vec();
    pairs.push(("csrf", &token));
    let response = app.post(&path).cookie(&cookie).raw(FORM, encode(&pairs)).send().await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", html(&response));
    let client = app.get(&format!("/api/v1/clients/{id}")).cookie(&cookie).send().await;
    assert_eq!(client.body["name"], "Otra Persona");
}

#[tokio::test]
async fn a_client_named_like_a_script_is_shown_as_text() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let name = "<script>alert(1)</script> Pérez";
    let client = app.create_client(&cookie, json!({ "name": name, "email": "x@correo.cl" })).await;
    let id = client["id"].as_str().expect("id");
    for path in
        [format!("/clientes/{id}"), "/clientes".into(), "/buscar?q=perez".into(), format!("/clientes/{id}/eliminar")]
    {
        let response = app.get(&path).cookie(&cookie).send().await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        let page = html(&response);
        assert!(!page.contains("<script>alert"), "{path} runs the name");
        assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62; Pérez"), "{path}: {page}");
        let policy = response.header("content-security-policy");
        assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), "{policy}");
    }
}

#[tokio::test]
async fn professionals_see_settings_read_only_and_cannot_change_them() {
    let app = TestApp::spawn().await;
    let cookie = app.professional().await;
    let list = app.get("/clientes").cookie(&cookie).send().await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(html(&list).contains(r#"<a href="/configuracion""#), "settings are in the menu (SPEC: read-only)");

    // SPEC, Users: a professional's settings are read-only — shown, every
    // control disabled, no form to create anything.
    let settings = app.get("/configuracion").cookie(&cookie).send().await;
    assert_eq!(settings.status, StatusCode::OK);
    let page = html(&settings);
    assert!(page.contains("Solo lectura"), "{page}");
    assert!(page.contains(r#"<fieldset disabled class="read-only-view">"#), "{page}");
    assert!(!page.contains(r#"id="nuevo-campo""#) && !page.contains(r#"id="nueva-cuenta""#), "{page}");
    assert!(!page.contains("/configuracion/notificaciones"), "notification settings stay owners-only");
    let owner_page = app.get("/configuracion").cookie(&app.owner().await).send().await;
    assert!(!html(&owner_page).contains("Solo lectura") && html(&owner_page).contains(r#"id="nuevo-campo""#));

    let token = csrf(&list);
    let form = encode(&[("csrf", &token), ("etiqueta", "Comuna"), ("tipo", "text")]);
    let created = app.post("/configuracion/campos").cookie(&cookie).raw(FORM, form).send().await;
    assert_eq!(created.status, StatusCode::FORBIDDEN);
    let staff =
        encode(&[("csrf", &token), ("nombre", "Intrusa"), ("correo", "i@x.cl"), ("rol", "owner"), ("clave", PASSWORD)]);
    let added = app.post("/configuracion/equipo").cookie(&cookie).raw(FORM, staff).send().await;
    assert_eq!(added.status, StatusCode::FORBIDDEN);
    let fields = app.get("/api/v1/custom-fields").cookie(&app.owner().await).send().await;
    assert_eq!(fields.body["items"], json!([]), "{}", fields.body);
}

/// Posts a form with the page's token.
pub(crate) async fn submit(
    app: &TestApp,
    cookie: &str,
    path: &str,
    token: &str,
    pairs: &[(&str, &str)],
) -> TestResponse {
    let mut pairs = pairs.to_vec();
    pairs.push(("csrf", token));
    app.post(path).cookie(cookie).raw(FORM, encode(&pairs)).send().await
}

#[tokio::test]
async fn owners_define_reorder_and_archive_fields_and_add_staff() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let token = csrf(&app.get("/configuracion").cookie(&cookie).send().await);
    let fields_path = "/configuracion/campos";
    let choice = [("etiqueta", "Previsión"), ("tipo", "single_choice"), ("opciones", "Fonasa\nIsapre")];
    let created = submit(&app, &cookie, fields_path, &token, &choice).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", html(&created));
    submit(&app, &cookie, fields_path, &token, &[("etiqueta", "Comuna"), ("tipo", "text")]).await;
    let refused = submit(&app, &cookie, fields_path, &token, &[("etiqueta", "Lista"), ("tipo", "single_choice")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&refused).contains("El campo «Opciones» es obligatorio."), "{}", html(&refused));

    let business = app.store.business_by_slug("clinica").await.expect("read").expect("business");
    let actor = ficha_domain::Actor::System { business: business.id };
    let fields = app.store.list_fields(&actor, false).await.expect("fields");
    let keys: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["prevision", "comuna"]);
    assert_eq!(fields[0].options.as_slice(), ["Fonasa", "Isapre"]);

    let comuna = fields[1].id;
    let moved = submit(&app, &cookie, &format!("{fields_path}/{comuna}/mover"), &token, &[("hacia", "arriba")]).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let fields = app.store.list_fields(&actor, false).await.expect("fields");
    assert_eq!(fields[0].key, FieldKey::parse("comuna").expect("key"));

    let archived =
        submit(&app, &cookie, &format!("{fields_path}/{comuna}/archivo"), &token, &[("archivar", "si")]).await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.list_fields(&actor, false).await.expect("fields").len(), 1);

    let person =
        [("nombre", "Paz Rojas"), ("correo", "paz@clinica.cl"), ("rol", "professional"), ("clave", "una clave larga")];
    let added = submit(&app, &cookie, "/configuracion/equipo", &token, &person).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", html(&added));
    let staff = app.store.list_staff(&actor).await.expect("staff");
    assert!(staff.iter().any(|s| s.email.as_str() == "paz@clinica.cl" && s.role == Role::Professional));
}

#[tokio::test]
async fn a_stale_edit_is_refused_and_shows_the_current_values() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let id = ana(&app, &cookie).await;
    let path = format!("/clientes/{id}");
    let token = csrf(&app.get(&path).cookie(&cookie).send().await);
    // Someone else saves first.
    let other = app.patch(&format!("/api/v1/clients/{id}")).cookie(&cookie).header("if-match", "\"1\"");
    assert_eq!(other.json(json!({ "name": "Ana Soto" })).send().await.status, StatusCode::OK);

    let form =
        encode(&[("csrf", &token), ("version", "1"), ("nombre", "Ana Pérez Rojas"), ("correo", "ana@correo.cl")]);
    let response = app.post(&path).cookie(&cookie).raw(FORM, form).send().await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    let page = html(&response);
    assert!(page.contains("otra persona modificó este cliente mientras lo editabas"), "{page}");
    assert!(page.contains("<td>Ana Soto</td><td>Ana Pérez Rojas</td>"), "current next to typed: {page}");
    assert!(page.contains("name=\"version\" value=\"2\""), "the form now edits the current version");
    let client = app.get(&format!("/api/v1/clients/{id}")).cookie(&cookie).send().await;
    assert_eq!(client.body["name"], "Ana Soto");
}

#[tokio::test]
async fn the_login_form_needs_its_own_token_and_slows_down_guessing() {
    let app = TestApp::spawn().await;
    let form = |token: &str, password: &str| {
        encode(&[("ficha_login", token), ("negocio", "clinica"), ("correo", OWNER_EMAIL), ("clave", password)])
    };
    // A form posted from elsewhere has no cookie to match.
    let forged = app.post("/entrar").raw(FORM, form("abc", PASSWORD)).send().await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.header("set-cookie").starts_with("ficha_login="), "no session");

    let page = app.get("/entrar").send().await;
    let cookie = page.header("set-cookie").split(';').next().expect("cookie").to_owned();
    assert!(page.header("set-cookie").contains("SameSite=Strict"));
    let token = cookie.trim_start_matches("ficha_login=").to_owned();
    for _ in 0..3 {
        let wrong = app.post("/entrar").cookie(&cookie).raw(FORM, form(&token, "no es")).send().await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(html(&wrong).contains("El negocio, el correo o la contraseña no son correctos."));
    }
    let held = app.post("/entrar").cookie(&cookie).raw(FORM, form(&token, PASSWORD)).send().await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html(&held).contains("Demasiados intentos; espera 2 segundos"), "{}", html(&held));

    app.clock.advance(jiff::SignedDuration::from_secs(2));
    let signed_in = app.post("/entrar").cookie(&cookie).raw(FORM, form(&token, PASSWORD)).send().await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.header("location"), "/clientes");
    let session = signed_in
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("ficha_session="))
        .expect("session cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let list = app.get("/clientes").cookie(&session).send().await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(html(&list).contains("Clínica clinica"));
}

#[tokio::test]
async fn other_data_is_checked_by_each_fields_kind_and_saved_whole() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    for field in [
        json!({ "key": "edad", "label": "Edad", "kind": "number" }),
        json!({ "key": "alergias", "label": "Alergias", "kind": "multi_choice", "options": ["Látex", "Polen"] }),
    ] {
        let created = app.post("/api/v1/custom-fields").cookie(&cookie).json(field).send().await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }
    let id = ana(&app, &cookie).await;
    let path = format!("/clientes/{id}");
    let page = app.get(&format!("{path}?editar=otros")).cookie(&cookie).send().await;
    assert!(html(&page).contains(r#"type="checkbox" name="campo.alergias" value="Látex""#), "{}", html(&page));
    let token = csrf(&page);
    let other = format!("{path}/otros-datos");

    let wrong = [("version", "1"), ("campo.edad", "treinta"), ("campo.alergias", "Látex")];
    let refused = submit(&app, &cookie, &other, &token, &wrong).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&refused).contains("El campo «Edad» debe ser un número, por ejemplo 34 o 3,5."), "{}", html(&refused));
    assert!(html(&refused).contains(r#"value="treinta""#), "what was typed stays");
    let values = app.get(&format!("/api/v1/clients/{id}/custom-values")).cookie(&cookie).send().await;
    assert_eq!(values.body["values"], json!({}), "nothing saved: {}", values.body);

    let right = [("version", "1"), ("campo.edad", "34,5"), ("campo.alergias", "Látex"), ("campo.alergias", "Polen")];
    let saved = submit(&app, &cookie, &other, &token, &right).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", html(&saved));
    let values = app.get(&format!("/api/v1/clients/{id}/custom-values")).cookie(&cookie).send().await;
    assert_eq!(values.body["values"], json!({ "edad": 34.5, "alergias": ["Látex", "Polen"] }), "{}", values.body);
    let page = app.get(&format!("{path}?guardado=otros")).cookie(&cookie).send().await;
    assert!(html(&page).contains("Otros datos guardados."));
    assert!(html(&page).contains("<dt>Edad</dt><dd>34,5</dd>"), "shown as a value: {}", html(&page));
    assert!(html(&page).contains("<dt>Alergias</dt><dd>Látex, Polen</dd>"), "{}", html(&page));
}

#[tokio::test]
async fn a_new_client_with_a_taken_email_points_to_the_existing_profile() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let id = ana(&app, &cookie).await;
    let token = csrf(&app.get("/clientes/nuevo").cookie(&cookie).send().await);
    let form = [("nombre", "Ana P."), ("correo", "ANA@correo.cl"), ("telefono", ""), ("rut", "")];
    let response = submit(&app, &cookie, "/clientes", &token, &form).await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert!(html(&response).contains("Ya existe un cliente con ese correo."));
    assert!(html(&response).contains(&format!(r#"<a href="/clientes/{id}">Ver la ficha que lo tiene</a>"#)));
    assert_eq!(app.client_count(&cookie).await, 1);
}

#[tokio::test]
async fn a_stale_other_data_save_changes_nothing_and_shows_what_is_stored() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    let field = json!({ "key": "comuna", "label": "Comuna", "kind": "text" });
    assert_eq!(app.post("/api/v1/custom-fields").cookie(&cookie).json(field).send().await.status, StatusCode::CREATED);
    let id = ana(&app, &cookie).await;
    let path = format!("/clientes/{id}");
    let token = csrf(&app.get(&path).cookie(&cookie).send().await);
    // Someone else sets the value first.
    let values = app
        .request(Method::PUT, &format!("/api/v1/clients/{id}/custom-values"))
        .cookie(&cookie)
        .header("if-match", "\"1\"");
    assert_eq!(values.json(json!({ "values": { "comuna": "Ñuñoa" } })).send().await.status, StatusCode::OK);

    let form = [("version", "1"), ("campo.comuna", "Maipú")];
    let response = submit(&app, &cookie, &format!("{path}/otros-datos"), &token, &form).await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    let page = html(&response);
    assert!(page.contains("No se guardaron tus cambios en «Otros datos»"), "{page}");
    assert!(page.contains("<td>Comuna</td><td>Ñuñoa</td><td>Maipú</td>"), "{page}");
    let stored = app.get(&format!("/api/v1/clients/{id}/custom-values")).cookie(&cookie).send().await;
    assert_eq!(stored.body["values"], json!({ "comuna": "Ñuñoa" }));
}
