//! One data-subject request (owners): who asked what and when, its due
//! date, and the forms that move it — start, answer or refuse with a
//! reason, extend the deadline once with a reason. Each step is one POST
//! that comes back to the page; a step the rules refuse is said in Spanish
//! and nothing changes.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{DataRequest, DataRequestId, NoteText, RequestStatus, RequestStep, StepRefused};
use ficha_store::StoreError;
use serde::Deserialize;

use super::data_requests::{status_class, text_error, today};
use super::error::{PanelError, page_with};
use super::form::OwnerSubmitted;
use super::format::{date, date_time};
use super::layout::{Chrome, Section};
use super::request_words::{channel_label, right_hint, right_label, status_label};
use super::session::{OwnerStaffer, Staffer};
use crate::AppState;

#[derive(Template)]
#[template(path = "panel/data_request.html")]
struct RequestPage {
    chrome: Chrome,
    action: String,
    right: &'static str,
    right_hint: &'static str,
    who: String,
    client_href: Option<String>,
    email: String,
    channel: &'static str,
    detail: String,
    received: String,
    due: String,
    overdue: bool,
    extension: Option<(String, String)>,
    status: &'static str,
    status_class: &'static str,
    response: String,
    action_taken: String,
    closed: String,
    may_start: bool,
    may_close: bool,
    may_extend: bool,
    /// What was typed, kept on a refusal.
    typed_response: String,
    typed_action: String,
    typed_reason: String,
    response_error: Option<String>,
    reason_error: Option<String>,
    refusal: Option<&'static str>,
    notice: Option<&'static str>,
}

fn text(t: &Option<NoteText>) -> String {
    t.as_ref().map(|t| t.as_str().to_owned()).unwrap_or_default()
}

impl RequestPage {
    fn new(state: &AppState, staffer: &Staffer, request: &DataRequest) -> Self {
        let zone = staffer.zone();
        Self {
            chrome: Chrome::new(staffer, Section::Clients),
            action: format!("/clientes/solicitudes/{}", request.id),
            right: right_label(request.right),
            right_hint: right_hint(request.right),
            who: request.client_name.clone().unwrap_or_else(|| "Sin ficha de cliente".to_owned()),
            client_href: request.client.map(|c| format!("/clientes/{c}")),
            email: request.email.as_str().to_owned(),
            channel: channel_label(request.channel),
            detail: text(&request.detail),
            received: date_time(request.received_at, &zone),
            due: date(request.due_on),
            overdue: request.is_overdue(today(state, staffer)),
            extension: request.extension.as_ref().map(|e| (date(e.previous_due), e.reason.as_str().to_owned())),
            status: status_label(request.status),
            status_class: status_class(request.status),
            response: text(&request.response),
            action_taken: text(&request.action_taken),
            closed: request.closed_at.map(|at| date_time(at, &zone)).unwrap_or_default(),
            may_start: request.status == RequestStatus::Received,
            may_close: request.status == RequestStatus::InProgress,
            may_extend: request.status.is_open() && request.extension.is_none(),
            typed_response: String::new(),
            typed_action: String::new(),
            typed_reason: String::new(),
            response_error: None,
            reason_error: None,
            refusal: None,
            notice: None,
        }
    }
}

fn request_id(text: &str) -> Result<DataRequestId, PanelError> {
    text.parse().map_err(|_| PanelError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    #[serde(default)]
    registrada: String,
    #[serde(default)]
    hecho: String,
}

pub async fn show(
    State(state): State<AppState>,
    OwnerStaffer(staffer): OwnerStaffer,
    Path(id): Path<String>,
    Query(notice): Query<Notice>,
) -> Result<Response, PanelError> {
    let request = state.store.data_request(&staffer.actor, request_id(&id)?).await?;
    let mut page = RequestPage::new(&state, &staffer, &request);
    page.notice = if notice.registrada == "1" {
        Some("Solicitud registrada. Se le avisó por correo al solicitante, con el plazo.")
    } else {
        match notice.hecho.as_str() {
            "en-curso" => Some("La solicitud quedó en curso."),
            "respondida" => Some("Solicitud respondida. La respuesta se envió por correo al solicitante."),
            "rechazada" => Some("Solicitud rechazada. El motivo se envió por correo al solicitante."),
            "extendida" => Some("Plazo extendido."),
            _ => None,
        }
    };
    page_with(StatusCode::OK, &page)
}

/// An optional text as typed; `Err` with its Spanish words.
fn optional(text: &str) -> Result<Option<NoteText>, String> {
    match text.trim() {
        "" => Ok(None),
        t => NoteText::parse(t).map(Some).map_err(|e| text_error(&e)),
    }
}

/// `POST /clientes/solicitudes/{id}/{accion}`: `en-curso`, `responder`
/// (with `resultado` respondida|rechazada), `extender`.
pub async fn act(
    State(state): State<AppState>,
    Path((id, accion)): Path<(String, String)>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let id = request_id(&id)?;
    let (typed_response, typed_action, typed_reason) =
        (form.get("respuesta").trim(), form.get("acciones").trim(), form.get("motivo").trim());
    let mut response_error = None;
    let mut reason_error = None;
    let (step, done) = match accion.as_str() {
        "en-curso" => (Some(RequestStep::Start), "en-curso"),
        "responder" => {
            let refuse = form.get("resultado") == "rechazada";
            let response = optional(typed_response);
            let action_taken = optional(typed_action);
            let step = match (response, action_taken) {
                (Ok(Some(response)), Ok(action_taken)) if refuse => {
                    Some(RequestStep::Refuse { reason: response, action_taken })
                }
                (Ok(Some(response)), Ok(action_taken)) => Some(RequestStep::Answer { response, action_taken }),
                (Ok(None), _) => {
                    response_error = Some(if refuse {
                        "Escribe el motivo del rechazo: se le envía a quien hizo la solicitud.".to_owned()
                    } else {
                        "Escribe la respuesta: se le envía a quien hizo la solicitud.".to_owned()
                    });
                    None
                }
                (Err(e), _) | (_, Err(e)) => {
                    response_error = Some(e);
                    None
                }
            };
            (step, if refuse { "rechazada" } else { "respondida" })
        }
        "extender" => match optional(typed_reason) {
            Ok(Some(reason)) => (Some(RequestStep::Extend { reason }), "extendida"),
            Ok(None) => {
                reason_error = Some("Escribe el motivo de la extensión: queda registrado.".to_owned());
                (None, "")
            }
            Err(e) => {
                reason_error = Some(e);
                (None, "")
            }
        },
        _ => return Err(PanelError::NotFound),
    };
    let refusal = match step {
        Some(step) => match state.store.step_data_request(&staffer.actor, id, step).await {
            Ok(_) => return Ok(Redirect::to(&format!("/clientes/solicitudes/{id}?hecho={done}")).into_response()),
            Err(StoreError::RequestStep(refused)) => Some(match refused {
                StepRefused::NotAllowed => {
                    "La solicitud ya no está en ese estado (¿la cambió alguien más?). No se cambió nada."
                }
                StepRefused::AlreadyExtended => {
                    "El plazo ya se extendió una vez; la ley no permite otra. No se cambió nada."
                }
                StepRefused::Closed => "La solicitud ya está cerrada. No se cambió nada.",
            }),
            Err(other) => return Err(other.into()),
        },
        None => None,
    };
    let request = state.store.data_request(&staffer.actor, id).await?;
    let mut page = RequestPage::new(&state, &staffer, &request);
    page.typed_response = typed_response.to_owned();
    page.typed_action = typed_action.to_owned();
    page.typed_reason = typed_reason.to_owned();
    (page.response_error, page.reason_error, page.refusal) = (response_error, reason_error, refusal);
    let status = if refusal.is_some() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    page_with(status, &page)
}
