//! Attention notes on bookings. Writes take the `Actor` (staff write them);
//! reads take a `Viewer`, and what a client viewer may see — shared notes of
//! their own bookings, nothing else, not even counts — is decided here, once
//! for both backends, by `Reach`. How notes are written is `flow`.

pub mod flow;

use async_trait::async_trait;
use ficha_domain::{
    Actor, AttentionNote, AttentionNoteId, BookingId, BusinessId, ClientId, NoteText, Viewer, Visibility,
};
use jiff::Timestamp;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::history::WhoRecord;
use crate::record::timestamp;

#[async_trait]
pub trait AttentionNoteStore: Send + Sync {
    /// Adds a note to a booking of the business, authored by the actor, and
    /// records it in the client's history. `NotFound` for any other booking.
    async fn add_attention_note(
        &self,
        actor: &Actor,
        booking: BookingId,
        visibility: Visibility,
        text: NoteText,
    ) -> StoreResult<AttentionNote>;

    /// The booking's notes the viewer may see, newest first: all for staff;
    /// for the booking's own client the shared ones; `NotFound` for any
    /// other client.
    async fn booking_notes(&self, viewer: &Viewer, booking: BookingId) -> StoreResult<Vec<AttentionNote>>;

    /// One note of the booking, by the same rule (a private note is
    /// `NotFound` for a client viewer).
    async fn attention_note(
        &self,
        viewer: &Viewer,
        booking: BookingId,
        id: AttentionNoteId,
    ) -> StoreResult<AttentionNote>;

    /// Replaces the text (the kind stays). Only the author or an owner may
    /// (else `NotNoteAuthor`, and nothing changes).
    async fn edit_attention_note(
        &self,
        actor: &Actor,
        booking: BookingId,
        id: AttentionNoteId,
        text: NoteText,
    ) -> StoreResult<AttentionNote>;

    /// Deletes the note, by the same rule as `edit_attention_note`.
    async fn delete_attention_note(&self, actor: &Actor, booking: BookingId, id: AttentionNoteId) -> StoreResult<()>;

    /// Every attention note of the client's bookings the viewer may see,
    /// grouped by kind, each newest first with its booking. A client viewer
    /// gets its own shared ones (and no private group); `NotFound` for any
    /// other client.
    async fn client_attention_notes(&self, viewer: &Viewer, client: ClientId) -> StoreResult<ClientAttentionNotes>;
}

/// A note with what the profile shows of its booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookedNote {
    pub note: AttentionNote,
    /// `None` for a pack session not yet scheduled.
    pub booking_start: Option<Timestamp>,
    pub service_name: String,
}

/// A client's attention notes, by kind, each newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientAttentionNotes {
    pub private: Vec<BookedNote>,
    pub shared: Vec<BookedNote>,
}

impl ClientAttentionNotes {
    /// Splits `notes` (newest first) by kind, keeping their order.
    pub fn grouped(notes: Vec<BookedNote>) -> Self {
        let (private, shared) = notes.into_iter().partition(|n| n.note.visibility == Visibility::Private);
        Self { private, shared }
    }
}

/// What a viewer reaches of attention notes: the business; for a client,
/// the only client whose bookings they may look at; and the most private
/// kind they see, which every read query binds (`visibility IN ('shared',
/// reach.kinds)`), so a private note is never even fetched for a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    pub business: BusinessId,
    pub only_client: Option<ClientId>,
    pub kinds: &'static str,
}

impl Reach {
    pub fn of(viewer: &Viewer) -> Self {
        match viewer {
            Viewer::Staff(actor) => {
                Self { business: actor.business(), only_client: None, kinds: Visibility::Private.as_str() }
            }
            Viewer::Client { business, client } => {
                Self { business: *business, only_client: Some(*client), kinds: Visibility::Shared.as_str() }
            }
        }
    }

    /// `Ok` when the viewer may look at the notes of `client`'s bookings;
    /// `NotFound` (as for a missing row) when not.
    pub fn admits(&self, client: ClientId) -> StoreResult<()> {
        match self.only_client {
            Some(own) if own != client => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }
}

/// An attention note's row as both backends read it, with its booking's
/// start and service name.
#[derive(Debug, Clone)]
pub struct AttentionNoteRecord {
    pub id: Uuid,
    pub booking: Uuid,
    pub client: Uuid,
    pub visibility: String,
    pub text: String,
    pub author: WhoRecord,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub booking_start: Option<i64>,
    pub service_name: String,
}

impl AttentionNoteRecord {
    pub fn into_booked(self) -> StoreResult<BookedNote> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("attention note {} {what}", self.id));
        let visibility = Visibility::parse(&self.visibility).ok_or_else(|| corrupt("kind"))?;
        let text = NoteText::parse(&self.text).map_err(|e| corrupt(&format!("text: {e}")))?;
        let note = AttentionNote {
            id: AttentionNoteId::from_uuid(self.id),
            booking: BookingId::from_uuid(self.booking),
            client: ClientId::from_uuid(self.client),
            visibility,
            text,
            author: self.author.into_who()?,
            created_at: timestamp(self.created_at)?,
            edited_at: self.edited_at.map(timestamp).transpose()?,
        };
        Ok(BookedNote {
            note,
            booking_start: self.booking_start.map(timestamp).transpose()?,
            service_name: self.service_name,
        })
    }

    pub fn into_note(self) -> StoreResult<AttentionNote> {
        Ok(self.into_booked()?.note)
    }
}
