//! General notes on a client. Writes take the `Actor` (only staff write
//! notes); reads take a `Viewer`, so what a client may see is decided here,
//! below the web layer.

use async_trait::async_trait;
use ficha_domain::{Actor, ClientId, Note, NoteId, NoteText, Viewer};

use crate::error::StoreResult;

#[async_trait]
pub trait NoteStore: Send + Sync {
    /// Adds a note to the client, authored by the actor, and records it in
    /// the client's history.
    async fn add_note(&self, actor: &Actor, client: ClientId, text: NoteText) -> StoreResult<Note>;

    /// The client's general notes, newest first. A client viewer gets none
    /// of its own (general notes are staff-only) and `NotFound` for any other
    /// client.
    async fn notes(&self, viewer: &Viewer, client: ClientId) -> StoreResult<Vec<Note>>;

    /// One note of the client; `NotFound` for a client viewer.
    async fn note(&self, viewer: &Viewer, client: ClientId, id: NoteId) -> StoreResult<Note>;

    /// Replaces the text. Only the author or an owner may (else
    /// `NotNoteAuthor`, and nothing changes).
    async fn edit_note(&self, actor: &Actor, client: ClientId, id: NoteId, text: NoteText) -> StoreResult<Note>;

    /// Deletes the note, by the same rule as `edit_note`.
    async fn delete_note(&self, actor: &Actor, client: ClientId, id: NoteId) -> StoreResult<()>;
}

/// Through whom `viewer` reads `client`'s general notes: staff through their
/// actor; a client reads none of its own (`None`: an empty list, not even a
/// count) and nothing of another client (`NotFound`).
pub fn staff_reader(viewer: &Viewer, client: ClientId) -> StoreResult<Option<&Actor>> {
    match viewer {
        Viewer::Staff(actor) => Ok(Some(actor)),
        Viewer::Client { client: own, .. } if *own == client => Ok(None),
        Viewer::Client { .. } => Err(crate::StoreError::NotFound),
    }
}

/// A note's row as both backends read it.
#[derive(Debug, Clone)]
pub struct NoteRecord {
    pub id: NoteId,
    pub client: ClientId,
    pub text: String,
    pub author: crate::history::WhoRecord,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

impl NoteRecord {
    pub fn into_note(self) -> StoreResult<Note> {
        let text = NoteText::parse(&self.text)
            .map_err(|e| crate::StoreError::Corrupt(format!("note {} text: {e}", self.id)))?;
        Ok(Note {
            id: self.id,
            client: self.client,
            text,
            author: self.author.into_who()?,
            created_at: crate::record::timestamp(self.created_at)?,
            edited_at: self.edited_at.map(crate::record::timestamp).transpose()?,
        })
    }
}
