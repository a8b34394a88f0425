//! The panel's data-request register in-process: Clientes → "Solicitudes
//! de datos" for owners only (professionals get the 403 page), recording
//! one (per-field Spanish messages, CSRF), moving it through its states,
//! answering, extending once, the header's flag, and the due-days setting.

use axum::http::StatusCode;
use jiff::SignedDuration;
use serde_json::json;

use crate::helpers::TestApp;
use crate::panel::{csrf, html, submit};

const LIST: &str = "/clientes/solicitudes";

#[tokio::test]
async fn an_owner_records_moves_answers_and_extends_a_request() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@example.cl" })).await;
    let page = app.get(LIST).cookie(&owner).send().await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(html(&page).contains("Aún no hay solicitudes"));
    let token = csrf(&page);

    // Every field's problem at once, nothing recorded.
    let refused =
        submit(&app, &owner, LIST, &token, &[("derecho", ""), ("via", "privacy_page"), ("correo", "ana@")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = html(&refused);
    assert!(text.contains("Elige el derecho que la persona ejerce."));
    assert!(text.contains("Elige por dónde llegó la solicitud."));
    assert!(text.contains("Escribe un correo válido, como nombre@ejemplo.cl."));
    assert!(text.contains("value=\"ana@\""), "what was typed stays");
    let none = app.get("/api/v1/data-requests").cookie(&owner).send().await;
    assert_eq!(none.body["items"], json!([]));

    // Without the form's token nothing happens.
    let forged =
        submit(&app, &owner, LIST, "falso", &[("derecho", "access"), ("via", "phone"), ("correo", "ana@example.cl")])
            .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let fields =
        [("derecho", "erasure"), ("via", "phone"), ("correo", "ANA@example.cl"), ("detalle", "Borrar <b>todo</b>")];
    let recorded = submit(&app, &owner, LIST, &token, &fields).await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", html(&recorded));
    let href = recorded.header("location").split('?').next().expect("path").to_owned();
    let shown = app.get(recorded.header("location")).cookie(&owner).send().await;
    let text = html(&shown);
    assert!(text.contains("Solicitud de supresión"), "{text}");
    assert!(text.contains(">Ana Pérez</a>"), "matched to the profile by email");
    assert!(text.contains("13-04-2026"), "due 30 days after 14-03-2026");
    assert!(
        text.contains("Borrar &#60;b&#62;todo&#60;/b&#62;") || text.contains("Borrar &lt;b&gt;todo&lt;/b&gt;"),
        "escaped"
    );
    assert!(text.contains("Se le avisó por correo"));

    // Answering before starting is not offered; the forged step is refused.
    assert!(!text.contains("id=\"form-responder\""));
    let early = submit(&app, &owner, &format!("{href}/responder"), &token, &[("respuesta", "Listo")]).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(html(&early).contains("No se cambió nada."));

    let started = submit(&app, &owner, &format!("{href}/en-curso"), &token, &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let empty_reason = submit(&app, &owner, &format!("{href}/extender"), &token, &[("motivo", " ")]).await;
    assert_eq!(empty_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&empty_reason).contains("Escribe el motivo de la extensión"));
    let extended = submit(&app, &owner, &format!("{href}/extender"), &token, &[("motivo", "Fichas en papel")]).await;
    assert_eq!(extended.status, StatusCode::SEE_OTHER);
    let text = html(&app.get(&href).cookie(&owner).send().await).to_owned();
    assert!(text.contains("13-05-2026") && text.contains("extendido desde el 13-04-2026: Fichas en papel"), "{text}");
    assert!(!text.contains("id=\"form-extender\""), "once only");

    let no_answer =
        submit(&app, &owner, &format!("{href}/responder"), &token, &[("resultado", "rechazada"), ("respuesta", "")])
            .await;
    assert!(html(&no_answer).contains("Escribe el motivo del rechazo"));
    let reason = [("resultado", "rechazada"), ("respuesta", "Las boletas se guardan 6 años (SII)."), ("acciones", "")];
    let closed = submit(&app, &owner, &format!("{href}/responder"), &token, &reason).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let text = html(&app.get(closed.header("location")).cookie(&owner).send().await).to_owned();
    assert!(text.contains("id=\"estado-solicitud\">Rechazada<"), "{text}");
    assert!(text.contains("Motivo del rechazo"));
    assert!(text.contains("El motivo se envió por correo"));

    // The profile's history says it.
    let list = app.get("/api/v1/clients").cookie(&owner).send().await;
    let client = list.body["items"][0]["id"].as_str().expect("id").to_owned();
    let profile = app.get(&format!("/clientes/{client}")).cookie(&owner).send().await;
    let text = html(&profile);
    assert!(text.contains("Solicitud de datos: supresión"), "history on the profile");
    assert!(text.contains("Plazo extendido al 13-05-2026: Fichas en papel"));
}

#[tokio::test]
async fn professionals_get_the_403_page_and_no_flag() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let filed = app
        .post("/api/v1/data-requests")
        .cookie(&owner)
        .json(json!({ "right": "access", "channel": "email", "email": "a@example.cl" }))
        .send()
        .await;
    let id = filed.body["id"].as_str().expect("id").to_owned();
    let pro = app.professional().await;
    for path in [LIST.to_owned(), format!("{LIST}/{id}"), "/configuracion/solicitudes".to_owned()] {
        let page = app.get(&path).cookie(&pro).send().await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    let clients = app.get("/clientes").cookie(&pro).send().await;
    let token = csrf(&clients);
    assert!(!html(&clients).contains("ir-solicitudes"));
    let moved = submit(&app, &pro, &format!("{LIST}/{id}/en-curso"), &token, &[]).await;
    assert_eq!(moved.status, StatusCode::FORBIDDEN);
    let read = app.get(&format!("/api/v1/data-requests/{id}")).cookie(&owner).send().await;
    assert_eq!(read.body["status"], "received", "nothing changed");

    // Due in 30 days: flagged for owners only from 5 days before.
    app.clock.advance(SignedDuration::from_hours(24 * 26));
    let (owner, pro) = (app.owner().await, app.professional().await);
    let owners = app.get("/clientes").cookie(&owner).send().await;
    assert!(html(&owners).contains("1 solicitud de datos vence pronto"), "{}", html(&owners));
    assert!(!html(&app.get("/clientes").cookie(&pro).send().await).contains("aviso-solicitudes"));
    app.clock.advance(SignedDuration::from_hours(24 * 5));
    let owner = app.owner().await;
    let late = app.get("/calendario").cookie(&owner).send().await;
    assert!(html(&late).contains("1 solicitud de datos vencida"));
    let list = app.get(LIST).cookie(&owner).send().await;
    assert!(html(&list).contains("Vencida"));
}

#[tokio::test]
async fn the_due_days_setting_saves_and_refuses_in_spanish() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let page = app.get("/configuracion/solicitudes").cookie(&owner).send().await;
    assert!(html(&page).contains("value=\"30\""));
    let token = csrf(&page);
    let refused = submit(&app, &owner, "/configuracion/solicitudes", &token, &[("plazo", "45")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&refused).contains("entre 1 y 30"));
    let saved = submit(&app, &owner, "/configuracion/solicitudes", &token, &[("plazo", "15")]).await;
    assert_eq!(saved.header("location"), "/configuracion/solicitudes?guardado=1");
    let stored = app.get("/api/v1/settings/data-requests").cookie(&owner).send().await;
    assert_eq!(stored.body["due_days"], 15);
}
