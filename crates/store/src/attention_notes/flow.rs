//! How an attention note is added, edited and deleted, written once for both
//! backends. A backend gives the steps (`AttentionTx`: its queries on one
//! open writing transaction); the order of the steps and every decision —
//! which booking, who may change a note, what the history records — are
//! here.

use async_trait::async_trait;
use ficha_domain::{
    Actor, AttentionNote, AttentionNoteId, BookingId, BusinessId, Change, ClientId, NoteText, Visibility,
};
use jiff::Timestamp;

use crate::error::{StoreError, StoreResult};
use crate::outbox::flow::{self as outbox, OutboxTx};

/// A note about to be written.
#[derive(Debug, Clone)]
pub struct NewAttentionNote {
    pub id: AttentionNoteId,
    pub booking: BookingId,
    pub client: ClientId,
    pub visibility: Visibility,
    pub text: NoteText,
    pub at: Timestamp,
}

/// One backend's queries inside one open writing transaction. Every query
/// binds `business`; a row of another business is `NotFound`.
#[async_trait]
pub trait AttentionTx: Send {
    /// The client the booking is for; the booking held against deletion
    /// until the transaction ends.
    async fn hold_booking(&mut self, business: BusinessId, booking: BookingId) -> StoreResult<ClientId>;

    /// Writes the note, authored by `actor`.
    async fn insert(&mut self, actor: &Actor, note: &NewAttentionNote) -> StoreResult<()>;

    /// `ClientBlocked` when the client's profile is blocked (bloqueo).
    async fn ensure_open(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()>;

    /// The note as stored (its author's name joined in).
    async fn note(&mut self, business: BusinessId, id: AttentionNoteId) -> StoreResult<AttentionNote>;

    /// The note, held against concurrent changes until the transaction ends.
    async fn note_to_change(&mut self, business: BusinessId, id: AttentionNoteId) -> StoreResult<AttentionNote>;

    async fn set_text(
        &mut self,
        business: BusinessId,
        id: AttentionNoteId,
        text: &NoteText,
        at: Timestamp,
    ) -> StoreResult<()>;

    async fn delete(&mut self, business: BusinessId, id: AttentionNoteId) -> StoreResult<()>;

    /// Writes `changes` to the client's history, in this transaction.
    async fn record(&mut self, actor: &Actor, client: ClientId, at: Timestamp, changes: &[Change]) -> StoreResult<()>;

    /// The outbox queries on this same transaction.
    fn outbox(&mut self) -> Box<dyn OutboxTx + '_>;
}

/// `AttentionNoteStore::add_attention_note` inside the backend's
/// transaction; the caller commits.
pub async fn add(
    tx: &mut dyn AttentionTx,
    actor: &Actor,
    booking: BookingId,
    visibility: Visibility,
    text: NoteText,
    now: Timestamp,
) -> StoreResult<AttentionNote> {
    let business = actor.business();
    let client = tx.hold_booking(business, booking).await?;
    tx.ensure_open(business, client).await?;
    let new = NewAttentionNote { id: AttentionNoteId::generate(), booking, client, visibility, text, at: now };
    tx.insert(actor, &new).await?;
    let change = Change::AttentionNoteAdded { note: new.id, booking, visibility, text: new.text.as_str().to_owned() };
    tx.record(actor, client, now, &[change]).await?;
    // A shared note is the client's to read: they are told of it.
    if new.visibility == Visibility::Shared {
        let (key, text) = (new.id.to_string(), new.text.as_str());
        outbox::note_shared(tx.outbox().as_mut(), business, booking, &key, text, now).await?;
    }
    tx.note(business, new.id).await
}

/// The note, if it is one of `booking` and `actor` may change it (its author
/// or an owner; else `NotNoteAuthor`).
async fn changeable(
    tx: &mut dyn AttentionTx,
    actor: &Actor,
    booking: BookingId,
    id: AttentionNoteId,
) -> StoreResult<AttentionNote> {
    let note = tx.note_to_change(actor.business(), id).await?;
    if note.booking != booking {
        return Err(StoreError::NotFound);
    }
    tx.ensure_open(actor.business(), note.client).await?;
    if note.may_be_changed_by(actor) { Ok(note) } else { Err(StoreError::NotNoteAuthor) }
}

/// `AttentionNoteStore::edit_attention_note` inside the backend's
/// transaction; the caller commits. The same text again changes nothing.
pub async fn edit(
    tx: &mut dyn AttentionTx,
    actor: &Actor,
    booking: BookingId,
    id: AttentionNoteId,
    text: NoteText,
    now: Timestamp,
) -> StoreResult<AttentionNote> {
    let before = changeable(tx, actor, booking, id).await?;
    if before.text == text {
        return Ok(before);
    }
    tx.set_text(actor.business(), id, &text, now).await?;
    let change = Change::AttentionNoteEdited {
        note: id,
        booking,
        visibility: before.visibility,
        old: before.text.as_str().to_owned(),
        new: text.as_str().to_owned(),
    };
    tx.record(actor, before.client, now, &[change]).await?;
    Ok(AttentionNote { text, edited_at: Some(now), ..before })
}

/// `AttentionNoteStore::delete_attention_note` inside the backend's
/// transaction; the caller commits.
pub async fn delete(
    tx: &mut dyn AttentionTx,
    actor: &Actor,
    booking: BookingId,
    id: AttentionNoteId,
    now: Timestamp,
) -> StoreResult<()> {
    let before = changeable(tx, actor, booking, id).await?;
    tx.delete(actor.business(), id).await?;
    let change = Change::AttentionNoteDeleted {
        note: id,
        booking,
        visibility: before.visibility,
        text: before.text.as_str().to_owned(),
    };
    tx.record(actor, before.client, now, &[change]).await
}
