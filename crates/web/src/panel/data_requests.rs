//! Clientes → "Solicitudes de datos" (owners): the register of data-subject
//! requests (Ley 21.719) — open ones first by due date, the overdue marked —
//! with a form to record one that came by email, phone or in person. One
//! request's page and its steps are in `data_request.rs`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{DataRequest, DataRight, Email, FieldError, NoteText, RequestChannel, RequestStatus};
use ficha_store::{NewDataRequest, RequestFilter};
use jiff::civil::Date;
use serde::Deserialize;

use super::error::{PanelError, page_with};
use super::form::OwnerSubmitted;
use super::format::date;
use super::layout::{Chrome, Section};
use super::request_words::{channel_label, right_label, status_label};
use super::session::{OwnerStaffer, Staffer};
use crate::AppState;

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub struct RequestRow {
    pub href: String,
    pub right: &'static str,
    /// The profile's name, else the requester's address.
    pub who: String,
    pub channel: &'static str,
    pub received: String,
    pub due: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub overdue: bool,
    /// Open and due within the header's window.
    pub due_soon: bool,
}

/// The record form as typed, with each field's message.
#[derive(Default)]
pub struct RecordForm {
    pub email: String,
    pub detail: String,
    pub right_error: Option<&'static str>,
    pub channel_error: Option<&'static str>,
    pub email_error: Option<String>,
    pub detail_error: Option<String>,
}

#[derive(Template)]
#[template(path = "panel/data_requests.html")]
struct RequestsPage {
    chrome: Chrome,
    rows: Vec<RequestRow>,
    statuses: Vec<Choice>,
    estado: String,
    rights: Vec<Choice>,
    channels: Vec<Choice>,
    form: RecordForm,
    failed: bool,
    notice: Option<&'static str>,
}

pub fn status_class(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Received => "req-received",
        RequestStatus::InProgress => "req-in-progress",
        RequestStatus::Answered => "req-answered",
        RequestStatus::Refused => "req-refused",
    }
}

/// The business's date now.
pub fn today(state: &AppState, staffer: &Staffer) -> Date {
    state.clock.now().to_zoned(staffer.zone()).date()
}

fn row(request: &DataRequest, today: Date) -> RequestRow {
    let soon = today.saturating_add(jiff::Span::new().days(super::session::REQUESTS_DUE_SOON_DAYS));
    RequestRow {
        href: format!("/clientes/solicitudes/{}", request.id),
        right: right_label(request.right),
        who: request.client_name.clone().unwrap_or_else(|| request.email.as_str().to_owned()),
        channel: channel_label(request.channel),
        received: date(request.received_on),
        due: date(request.due_on),
        status: status_label(request.status),
        status_class: status_class(request.status),
        overdue: request.is_overdue(today),
        due_soon: request.status.is_open() && !request.is_overdue(today) && request.due_on <= soon,
    }
}

fn rights(selected: Option<DataRight>) -> Vec<Choice> {
    DataRight::ALL
        .into_iter()
        .map(|r| Choice { value: r.as_str(), label: right_label(r), selected: Some(r) == selected })
        .collect()
}

fn channels(selected: Option<RequestChannel>) -> Vec<Choice> {
    RequestChannel::RECORDED
        .into_iter()
        .map(|c| Choice { value: c.as_str(), label: channel_label(c), selected: Some(c) == selected })
        .collect()
}

impl RequestsPage {
    async fn new(state: &AppState, staffer: &Staffer, estado: &str) -> Result<Self, PanelError> {
        let status = RequestStatus::parse(estado);
        let filter = RequestFilter { status, client: None };
        let requests = state.store.data_requests(&staffer.actor, &filter).await?;
        let today = today(state, staffer);
        let mut statuses = vec![Choice { value: "", label: "Todas", selected: status.is_none() }];
        statuses.extend(RequestStatus::ALL.into_iter().map(|s| Choice {
            value: s.as_str(),
            label: status_label(s),
            selected: Some(s) == status,
        }));
        Ok(Self {
            chrome: Chrome::new(staffer, Section::Clients),
            rows: requests.iter().map(|r| row(r, today)).collect(),
            statuses,
            estado: status.map_or("", RequestStatus::as_str).to_owned(),
            rights: rights(None),
            channels: channels(None),
            form: RecordForm::default(),
            failed: false,
            notice: None,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    estado: String,
    #[serde(default)]
    registrada: String,
}

pub async fn list(
    State(state): State<AppState>,
    OwnerStaffer(staffer): OwnerStaffer,
    Query(query): Query<ListQuery>,
) -> Result<Response, PanelError> {
    let mut page = RequestsPage::new(&state, &staffer, &query.estado).await?;
    page.notice = (query.registrada == "1").then_some("Solicitud registrada. Se le avisó por correo al solicitante.");
    page_with(StatusCode::OK, &page)
}

/// Spanish words for a text field's problem.
pub fn text_error(error: &FieldError) -> String {
    match error {
        FieldError::TooLong { max } => format!("Escribe como máximo {max} caracteres."),
        FieldError::ControlCharacters => "Quita los caracteres especiales que no se pueden guardar.".to_owned(),
        _ => "Escribe un texto.".to_owned(),
    }
}

/// Records a request that came by email, phone or in person.
pub async fn record(
    State(state): State<AppState>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let right = DataRight::parse(form.get("derecho"));
    let channel = RequestChannel::parse(form.get("via")).filter(|c| RequestChannel::RECORDED.contains(c));
    let mut typed = RecordForm {
        email: form.get("correo").trim().to_owned(),
        detail: form.get("detalle").trim().to_owned(),
        right_error: right.is_none().then_some("Elige el derecho que la persona ejerce."),
        channel_error: channel.is_none().then_some("Elige por dónde llegó la solicitud."),
        ..RecordForm::default()
    };
    let email = match Email::parse(&typed.email) {
        Ok(email) => Some(email),
        Err(FieldError::Required) => {
            typed.email_error = Some("Escribe el correo de quien hace la solicitud: ahí se le responde.".into());
            None
        }
        Err(_) => {
            typed.email_error = Some("Escribe un correo válido, como nombre@ejemplo.cl.".into());
            None
        }
    };
    let detail = match typed.detail.as_str() {
        "" => Some(None),
        text => NoteText::parse(text).map(Some).map_err(|e| typed.detail_error = Some(text_error(&e))).ok(),
    };
    let (Some(right), Some(channel), Some(email), Some(detail)) = (right, channel, email, detail) else {
        let mut page = RequestsPage::new(&state, &staffer, "").await?;
        (page.rights, page.channels) = (rights(right), channels(channel));
        page.form = typed;
        page.failed = true;
        return page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let new = NewDataRequest { client: None, email: Some(email), right, channel, detail };
    let filed = state.store.file_data_request(&staffer.actor, new).await?;
    Ok(Redirect::to(&format!("/clientes/solicitudes/{}?registrada=1", filed.id)).into_response())
}
