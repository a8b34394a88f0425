//! Mi cuenta → "Mis solicitudes": the signed-in client files a request
//! about their data in two clicks (choose the right, send; a detail is
//! optional) and sees each of theirs with its status, due date and answer.
//! Filed as `Actor::Client` through Mi cuenta's channel: the store ties it
//! to this client only, writes it to their history and emails the receipt.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{DataRequest, DataRight, NoteText, RequestChannel};
use ficha_store::{NewDataRequest, RequestFilter};

use super::super::SiteError;
use super::Account;
use crate::AppState;
use crate::panel::form::FormData;
use crate::panel::format::{date, query};
use crate::panel::request_words::{right_hint, right_label, status_label};

/// One right to choose.
pub struct RightChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
}

pub fn rights() -> Vec<RightChoice> {
    DataRight::ALL
        .into_iter()
        .map(|r| RightChoice { value: r.as_str(), label: right_label(r), hint: right_hint(r) })
        .collect()
}

/// One of the client's requests as Mi cuenta shows it.
pub struct MyRequest {
    pub right: &'static str,
    pub received: String,
    pub due: String,
    pub status: &'static str,
    pub open: bool,
    pub detail: String,
    pub response: String,
}

fn mine(request: &DataRequest) -> MyRequest {
    let text = |t: &Option<NoteText>| t.as_ref().map(|t| t.as_str().to_owned()).unwrap_or_default();
    MyRequest {
        right: right_label(request.right),
        received: date(request.received_on),
        due: date(request.due_on),
        status: status_label(request.status),
        open: request.status.is_open(),
        detail: text(&request.detail),
        response: text(&request.response),
    }
}

/// The client's requests, newest concerns first (open ones by due date).
pub async fn of(state: &AppState, account: &Account) -> Result<Vec<MyRequest>, SiteError> {
    let requests = state.store.data_requests(&account.actor, &RequestFilter::default()).await?;
    Ok(requests.iter().map(mine).collect())
}

/// `POST …/mi-cuenta/solicitudes`: `derecho`, optional `detalle`.
pub async fn file(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    let account = match super::submitted(&state, &slug, &headers, &form).await? {
        Ok(account) => account,
        Err(redirect) => return Ok(redirect),
    };
    let back = |aviso: &str| format!("{}{}#solicitudes", account.base(), query(&[("aviso", aviso)]));
    let Some(right) = DataRight::parse(form.get("derecho")) else {
        return Ok(Redirect::to(&back("solicitud-sin-derecho")).into_response());
    };
    let detail = match form.get("detalle").trim() {
        "" => None,
        text => match NoteText::parse(text) {
            Ok(detail) => Some(detail),
            Err(_) => return Ok(Redirect::to(&back("solicitud-detalle")).into_response()),
        },
    };
    let new = NewDataRequest { client: None, email: None, right, channel: RequestChannel::Account, detail };
    state.store.file_data_request(&account.actor, new).await?;
    Ok(Redirect::to(&back("solicitud")).into_response())
}
