//! `/clientes/{id}/eliminar`: a confirmation that says what will be erased,
//! then the erasure. Deleting is not a ban: the email is free again, and a
//! new profile with it starts empty.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{ClientId, Viewer};

use super::error::{PanelError, page, path_id};
use super::flash;
use super::form::Submitted;
use super::layout::{Chrome, Section};
use super::session::Staffer;
use crate::AppState;

#[derive(Template)]
#[template(path = "panel/delete.html")]
struct ConfirmPage {
    chrome: Chrome,
    href: String,
    name: String,
    email: String,
    values: usize,
    notes: usize,
    /// Dated bookings, whatever their state, and pack sessions not yet
    /// scheduled.
    bookings: i64,
    unscheduled: usize,
    attention_notes: usize,
}

pub async fn confirm(
    State(state): State<AppState>,
    staffer: Staffer,
    Path(id): Path<String>,
) -> Result<Response, PanelError> {
    let id = path_id::<ClientId>(&id)?;
    let viewer = Viewer::Staff(staffer.actor);
    let (client, values, notes, stats, por_reservar, attention) = tokio::try_join!(
        state.store.get_client(&staffer.actor, id),
        state.store.custom_values(&staffer.actor, id),
        state.store.notes(&viewer, id),
        state.store.client_stats(&staffer.actor, id),
        state.store.por_reservar(&staffer.actor, id),
        state.store.client_attention_notes(&viewer, id),
    )?;
    page(&ConfirmPage {
        chrome: Chrome::new(&staffer, Section::Clients),
        href: format!("/clientes/{id}"),
        name: client.name.as_str().to_owned(),
        email: client.email.as_str().to_owned(),
        values: values.len(),
        notes: notes.len(),
        bookings: stats.bookings,
        unscheduled: por_reservar.sessions.len(),
        attention_notes: attention.private.len() + attention.shared.len(),
    })
}

pub async fn erase(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { staffer, .. }: Submitted,
) -> Result<Response, PanelError> {
    let id = path_id::<ClientId>(&id)?;
    let name = state.store.get_client(&staffer.actor, id).await?.name;
    state.store.delete_client(&staffer.actor, id).await?;
    let mut response = Redirect::to("/clientes?eliminado=1").into_response();
    flash::remember_deleted(&mut response, name.as_str());
    Ok(response)
}
