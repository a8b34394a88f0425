//! Attention notes in the panel: the profile's "Notas de atención" (every
//! booking's notes, private and shared apart, each linking to its booking)
//! and, on the booking page, its own notes with a form to add one and a
//! delete for the author's (an owner's: any). Staff see both kinds; what a
//! client may see is the store's rule (`Viewer`).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{AttentionNote, BookingId, ClientId, Viewer, Visibility};
use ficha_store::BookedNote;

use super::error::{PanelError, path_id};
use super::form::Submitted;
use super::format::date_time;
use super::profile_notes::{parse_text, who_name};
use super::session::Staffer;
use crate::AppState;

/// One attention note as the panel lists it.
pub struct AttentionRow {
    pub id: String,
    pub booking_href: String,
    /// When the booking is ("por reservar" when not yet scheduled) and what.
    pub booking: String,
    pub shared: bool,
    pub author: String,
    pub when: String,
    pub text: String,
    pub can_delete: bool,
}

impl AttentionRow {
    fn new(note: &AttentionNote, booking: String, staffer: &Staffer) -> Self {
        let zone = staffer.zone();
        Self {
            id: note.id.to_string(),
            booking_href: format!("/reservas/{}", note.booking),
            booking,
            shared: note.visibility == Visibility::Shared,
            author: who_name(&note.author),
            when: date_time(note.created_at, &zone),
            text: note.text.as_str().to_owned(),
            can_delete: note.may_be_changed_by(&staffer.actor),
        }
    }
}

/// One kind's notes on the profile.
pub struct AttentionGroup {
    pub title: &'static str,
    pub list_id: &'static str,
    pub rows: Vec<AttentionRow>,
}

/// The profile's section: private and shared notes apart, newest first.
pub struct AttentionSection {
    pub groups: [AttentionGroup; 2],
}

impl AttentionSection {
    pub fn is_empty(&self) -> bool {
        self.groups.iter().all(|group| group.rows.is_empty())
    }
}

impl AttentionSection {
    pub async fn load(state: &AppState, staffer: &Staffer, client: ClientId) -> Result<Self, PanelError> {
        let notes = state.store.client_attention_notes(&Viewer::Staff(staffer.actor), client).await?;
        let zone = staffer.zone();
        let rows = |group: Vec<BookedNote>| -> Vec<AttentionRow> {
            group
                .into_iter()
                .map(|booked| {
                    let when = booked.booking_start.map_or_else(|| "por reservar".into(), |at| date_time(at, &zone));
                    AttentionRow::new(&booked.note, format!("{when} · {}", booked.service_name), staffer)
                })
                .collect()
        };
        Ok(Self {
            groups: [
                AttentionGroup {
                    title: "Privadas (solo el equipo)",
                    list_id: "atencion-privadas",
                    rows: rows(notes.private),
                },
                AttentionGroup {
                    title: "Compartidas con el cliente",
                    list_id: "atencion-compartidas",
                    rows: rows(notes.shared),
                },
            ],
        })
    }
}

/// The booking page's notes, newest first.
pub async fn of_booking(
    state: &AppState,
    staffer: &Staffer,
    booking: BookingId,
) -> Result<Vec<AttentionRow>, PanelError> {
    let notes = state.store.booking_notes(&Viewer::Staff(staffer.actor), booking).await?;
    Ok(notes.iter().map(|note| AttentionRow::new(note, String::new(), staffer)).collect())
}

/// `POST /reservas/{id}/notas`: a note, private unless "compartida" is
/// chosen. A text the domain refuses comes back next to its box.
pub async fn add(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { staffer, form }: Submitted,
) -> Result<Response, PanelError> {
    let booking = path_id(&id)?;
    let visibility = match form.get("tipo") {
        "compartida" => Visibility::Shared,
        _ => Visibility::Private,
    };
    let typed = form.get("texto");
    match parse_text(typed) {
        Ok(text) => {
            state.store.add_attention_note(&staffer.actor, booking, visibility, text).await?;
            Ok(Redirect::to(&format!("/reservas/{booking}?aviso=nota#notas-atencion")).into_response())
        }
        Err(message) => super::booking::note_refused(&state, &staffer, booking, typed, message).await,
    }
}

/// `POST /reservas/{id}/notas/{nota}/eliminar`: the author's or an owner's
/// (else the 403 page, nothing changed).
pub async fn delete(
    State(state): State<AppState>,
    Path((id, note)): Path<(String, String)>,
    Submitted { staffer, .. }: Submitted,
) -> Result<Response, PanelError> {
    let booking = path_id(&id)?;
    let note = path_id(&note)?;
    state.store.delete_attention_note(&staffer.actor, booking, note).await?;
    Ok(Redirect::to(&format!("/reservas/{booking}?aviso=nota-eliminada#notas-atencion")).into_response())
}
