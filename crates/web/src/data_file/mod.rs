//! The one-client data file (Ley 21.719: acceso and portabilidad):
//! everything the business holds on one person, gathered once from the
//! store's existing reads, then written as JSON (`json.rs`: the API's
//! `GET /clients/{id}/data-file` and Mi cuenta's download) or as a readable,
//! printable page (`page.rs`: the panel's "Archivo de datos" and Mi
//! cuenta's). Staff choose whether staff-only notes go in; the client's own
//! file never has them.

pub mod json;
pub mod page;

use ficha_domain::{
    Actor, Block, Booking, BusinessId, Change, Client, ClientId, ClientPreferences, HistoryEntry, Note, Viewer,
    Visibility,
};
use ficha_store::{
    BookingQuery, ClientAttentionNotes, FieldValue, HistoryQuery, Message, MessageQuery, PorReservar, Store,
    StoreResult,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::panel::booking_words::Names;

/// Who the file is made for.
#[derive(Debug, Clone, Copy)]
pub enum Reader {
    /// Staff, through the panel or the API; `private` puts in the
    /// staff-only notes (general notes and private attention notes).
    Staff { actor: Actor, private: bool },
    /// The client, in Mi cuenta: never a staff-only note.
    Client { business: BusinessId, client: ClientId },
}

impl Reader {
    /// Whether staff-only notes go in.
    pub fn private(&self) -> bool {
        matches!(self, Self::Staff { private: true, .. })
    }

    /// Who reads the general data: the staff member (a professional gets
    /// `NotFound` for a blocked profile), or the client themself.
    fn actor(&self) -> Actor {
        match *self {
            Self::Staff { actor, .. } => actor,
            Self::Client { business, client } => Actor::Client { business, client },
        }
    }

    /// Who reads the rest (bookings, messages, history) once the profile
    /// was found readable: the staff member, or the business on the
    /// client's behalf (`Actor::System`).
    fn business_actor(&self) -> Actor {
        match *self {
            Self::Staff { actor, .. } => actor,
            Self::Client { business, .. } => Actor::System { business },
        }
    }
}

/// Everything the business holds on one client.
pub struct DataFile {
    pub business_name: String,
    pub zone: TimeZone,
    pub generated_at: Timestamp,
    pub private_included: bool,
    pub client: Client,
    pub values: Vec<FieldValue>,
    pub block: Option<Block>,
    /// Every booking, newest first, with payment and attendance.
    pub bookings: Vec<Booking>,
    /// Pack sessions without a date yet, and each pack's use.
    pub por_reservar: PorReservar,
    pub names: Names,
    /// General notes: only with `private_included`.
    pub notes: Vec<Note>,
    /// Private ones only with `private_included`.
    pub attention: ClientAttentionNotes,
    pub preferences: ClientPreferences,
    /// The notification log, newest first.
    pub messages: Vec<Message>,
    /// The history, newest first; entries about staff-only notes only with
    /// `private_included`.
    pub history: Vec<HistoryEntry>,
}

/// Pages read at a time while gathering.
const PAGE: u32 = 100;

impl DataFile {
    pub async fn gather(store: &dyn Store, reader: Reader, client: ClientId, now: Timestamp) -> StoreResult<Self> {
        let actor = reader.actor();
        let profile = store.get_client(&actor, client).await?;
        // A staff member's read of the whole file is in the access log; the
        // client reading their own (Mi cuenta) is not.
        if let Reader::Staff { actor, .. } = &reader {
            store.record_access(actor, client, ficha_domain::AccessKind::DataFile).await?;
        }
        let block = store.client_block(&actor, client).await?;
        let by = reader.business_actor();
        let business = store.business(&by).await?;
        let zone = TimeZone::get(&business.time_zone).unwrap_or(TimeZone::UTC);
        let values = store.custom_values(&by, client).await?;
        let names = Names::new(&store.list_services(&by).await?, &store.list_staff(&by).await?);

        let mut bookings = Vec::new();
        let mut query = BookingQuery { limit: PAGE, ..BookingQuery::default() };
        loop {
            let page = store.client_bookings(&by, client, &query).await?;
            bookings.extend(page.bookings);
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        let por_reservar = store.por_reservar(&by, client).await?;

        let private = reader.private();
        let notes = if private { store.notes(&Viewer::Staff(by), client).await? } else { Vec::new() };
        let viewer = match reader {
            Reader::Staff { actor, .. } => Viewer::Staff(actor),
            Reader::Client { business, client } => Viewer::Client { business, client },
        };
        let mut attention = store.client_attention_notes(&viewer, client).await?;
        if !private {
            attention.private.clear();
        }

        let preferences = store.client_preferences(&by, client).await?;
        let mut messages = Vec::new();
        let mut query = MessageQuery { client: Some(client), limit: PAGE, ..MessageQuery::default() };
        loop {
            let page = store.messages(&by, &query).await?;
            messages.extend(page.messages.into_iter().filter(|m| m.client == Some(client)));
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }

        let mut history = Vec::new();
        let mut query = HistoryQuery { after: None, limit: PAGE };
        loop {
            let page = store.client_history(&by, client, &query).await?;
            history.extend(page.entries.into_iter().filter(|e| private || !about_private_note(&e.change)));
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }

        Ok(Self {
            business_name: business.name,
            zone,
            generated_at: now,
            private_included: private,
            client: profile,
            values,
            block,
            bookings,
            por_reservar,
            names,
            notes,
            attention,
            preferences,
            messages,
            history,
        })
    }
}

/// Whether a history entry tells a staff-only note's text: a general note,
/// or a private attention note.
fn about_private_note(change: &Change) -> bool {
    match change {
        Change::NoteAdded { .. } | Change::NoteEdited { .. } | Change::NoteDeleted { .. } => true,
        Change::AttentionNoteAdded { visibility, .. }
        | Change::AttentionNoteEdited { visibility, .. }
        | Change::AttentionNoteDeleted { visibility, .. } => *visibility == Visibility::Private,
        _ => false,
    }
}
