//! `/notificaciones`: every message the business sent (or will send) to its
//! clients, newest first, filtered by status (and, from a profile, by
//! client), 50 at a time; and "Reenviar" for a failed one, which goes back
//! to where it was pressed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{ClientId, MessageId, MessageStatus};
use ficha_store::{MessageCursor, MessageQuery, StoreError};
use serde::Deserialize;

use super::error::{PanelError, page_with, path_id};
use super::form::Submitted;
use super::format::query;
use super::layout::{Chrome, Section};
use super::notification_words::{MessageRow, STATUS_CHOICES};
use super::session::Staffer;
use crate::AppState;

const PAGE_SIZE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    /// A status's API name, or empty for all.
    #[serde(default)]
    estado: String,
    /// A client's id, to see only its messages.
    #[serde(default)]
    cliente: String,
    /// Where the page starts (a cursor from the previous page).
    #[serde(default)]
    desde: String,
    #[serde(default)]
    aviso: String,
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "panel/notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    rows: Vec<MessageRow>,
    statuses: Vec<Choice>,
    /// The status filtered by (API name), empty for all.
    estado: String,
    /// The client filtered by: its id, name and profile.
    cliente: String,
    client: Option<(String, String)>,
    next_href: Option<String>,
    first_href: Option<String>,
    notice: Option<(&'static str, bool)>,
    /// The rows show whose message it is (not on the profile).
    show_client: bool,
    /// Where "Reenviar" comes back to.
    volver: &'static str,
}

/// The alert after "Reenviar": the words and whether it went well.
pub fn resend_notice(code: &str) -> Option<(&'static str, bool)> {
    match code {
        "reenviado" => Some(("Mensaje reenviado: vuelve a la cola y sale en unos segundos.", true)),
        "no-reenviable" => Some(("Ese mensaje ya no está fallido, así que no se reenvió.", false)),
        _ => None,
    }
}

pub async fn list(
    State(state): State<AppState>,
    staffer: Staffer,
    Query(params): Query<ListParams>,
) -> Result<Response, PanelError> {
    let status = MessageStatus::parse(&params.estado);
    let client: Option<ClientId> = params.cliente.parse().ok();
    let after = MessageCursor::decode(&params.desde);
    let filter = MessageQuery { status, client, after, limit: PAGE_SIZE };
    let page = state.store.messages(&staffer.actor, &filter).await?;
    let client_shown = match client {
        Some(id) => {
            let found = state.store.get_client(&staffer.actor, id).await?;
            Some((found.name.as_str().to_owned(), format!("/clientes/{id}")))
        }
        None => None,
    };
    let estado = status.map_or("", |s| s.as_str()).to_owned();
    let cliente = client.map(|c| c.to_string()).unwrap_or_default();
    let link = |desde: &str| {
        format!("/notificaciones{}", query(&[("estado", &estado), ("cliente", &cliente), ("desde", desde)]))
    };
    let zone = staffer.zone();
    let view = NotificationsPage {
        chrome: Chrome::new(&staffer, Section::Notifications),
        rows: page.messages.iter().map(|m| MessageRow::new(m, &zone, state.clock.now())).collect(),
        statuses: STATUS_CHOICES
            .iter()
            .map(|(value, label)| Choice { value, label, selected: *value == estado })
            .collect(),
        next_href: page.next.map(|c| link(&c.encode())),
        first_href: after.is_some().then(|| link("")),
        estado,
        cliente,
        client: client_shown,
        notice: resend_notice(&params.aviso),
        show_client: true,
        volver: "lista",
    };
    page_with(StatusCode::OK, &view)
}

/// "Reenviar": a failed message goes out again. Back to the list (with its
/// filters) or to the profile it was pressed on, saying what happened.
pub async fn resend(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { staffer, form }: Submitted,
) -> Result<Response, PanelError> {
    let id: MessageId = path_id(&id)?;
    let (notice, client) = match state.store.resend(&staffer.actor, id).await {
        Ok(message) => ("reenviado", message.client),
        Err(StoreError::NotResendable) => ("no-reenviable", state.store.message(&staffer.actor, id).await?.client),
        Err(other) => return Err(other.into()),
    };
    let back = match client {
        Some(client) if form.get("volver") == "perfil" => {
            format!("/clientes/{client}?guardado={notice}#notificaciones")
        }
        _ => format!(
            "/notificaciones{}",
            query(&[("estado", form.get("estado")), ("cliente", form.get("cliente")), ("aviso", notice)])
        ),
    };
    Ok(Redirect::to(&back).into_response())
}
