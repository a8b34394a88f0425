//! Merging two profiles of one person into one, and undoing it (issue 13,
//! SPEC §1.9). The decisions are written once (`plan` for the chosen
//! values, `flow` for the steps) over each backend's `MergeTx`; each
//! backend holds only its SQL.
//!
//! The rules:
//! - Owners (the system and API tokens too) merge; professionals only
//!   while the business allows it ("Los profesionales pueden fusionar
//!   perfiles", off by default: `may_merge`). The setting is read inside
//!   the merge's own transaction, so an owner turning it off is never
//!   half-seen. Undo, and the list of merges that offers it, stay the
//!   owners'.
//! - Refused, with nothing changed, when the two are one profile
//!   (`SameClient`), when either is blocked (bloqueo freezes a profile:
//!   `ClientBlocked`), when either has an open data-subject request (the
//!   request is answered about the profile as it is: `OpenDataRequest`),
//!   when a value that differs on both sides has no choice
//!   (`ChoicesMissing`), or when an expected version is stale (`Stale`).
//! - Every row keyed by the absorbed client moves to the survivor and its
//!   id is recorded (`moved`), so an undo moves back exactly those rows;
//!   rows written on the survivor afterwards stay. Nothing is deleted to
//!   get past a conflict: a value both sides hold keeps the chosen one on
//!   the survivor and the other in the merge's record and the history.
//! - The absorbed profile's row is deleted (so lists, search, duplicates
//!   and counts forget it without a filter of their own); the merge row
//!   keeps its fields, custom values, notification choices and Mi cuenta
//!   password as they were, and maps its id to the survivor (`Merged`).
//!   Its Mi cuenta sessions, pending sign-in codes and email changes end
//!   with it: they were credentials of a profile that no longer exists;
//!   the person signs in again with either email.
//! - The email the survivor does not keep becomes its alias
//!   (`client_email_aliases`): the booking site, Mi cuenta's sign-in and
//!   new profiles treat it as the survivor's.
//! - Undo: owners, within `UNDO_DAYS`, once. The absorbed profile comes
//!   back with its id, fields and values; its moved rows go back; each of
//!   the survivor's values the merge changed returns to what it was unless
//!   it was changed again since. Refused if the absorbed email is held by
//!   another profile by now (`EmailReused`).

pub mod flow;
pub mod plan;
pub mod record;

use async_trait::async_trait;
use ficha_domain::{Actor, Client, ClientId, CustomField, GeneralField, MergeId, Who};
use jiff::Timestamp;

use crate::custom_fields::FieldValue;
use crate::error::StoreResult;

pub use plan::{Keep, MergeChoices};

/// The tables whose rows follow their client through a merge (each
/// backend's list must be this one; PostgreSQL's catalog test checks that
/// every other table keyed by a client is one a deletion may cascade to).
pub const MOVED_TABLES: [&str; 10] = [
    "bookings",
    "attention_notes",
    "client_notes",
    "client_history",
    "outbox_messages",
    "client_access_log",
    "booking_consents",
    "data_requests",
    "client_email_aliases",
    "client_merges",
];

/// How long a merge can be undone.
pub const UNDO_DAYS: i64 = 30;

#[async_trait]
pub trait MergeStore: Send + Sync {
    /// Both profiles side by side, what differs and how many rows would
    /// move; `refusal` says why a merge would be refused now (the merge
    /// itself checks again). Owners only.
    async fn merge_preview(&self, actor: &Actor, survivor: ClientId, absorbed: ClientId) -> StoreResult<MergePreview>;

    /// Merges `absorbed` into `survivor` in one transaction (see the
    /// module's rules).
    async fn merge_clients(&self, actor: &Actor, request: MergeRequest) -> StoreResult<MergeOutcome>;

    /// Undoes a merge; the absorbed profile as it is back.
    async fn undo_merge(&self, actor: &Actor, merge: MergeId) -> StoreResult<Client>;

    /// The merges `client` survived (newest first): the undo control.
    /// Owners only; `NotFound` for a client that is not (or no longer) one
    /// of the business's.
    async fn merges_of(&self, actor: &Actor, client: ClientId) -> StoreResult<Vec<MergeSummary>>;

    /// One merge of the business: owners, and professionals while they
    /// may merge (the answer to the merge they just made).
    async fn get_merge(&self, actor: &Actor, merge: MergeId) -> StoreResult<MergeSummary>;

    /// Whether the business lets professionals merge profiles (and dismiss
    /// duplicate pairs); off unless an owner turned it on. Any staff
    /// member reads it (`NotFound` for a client).
    async fn professionals_may_merge(&self, actor: &Actor) -> StoreResult<bool>;

    /// Owners only (`OwnerOnly`).
    async fn set_professionals_may_merge(&self, actor: &Actor, allowed: bool) -> StoreResult<()>;
}

/// Who may merge (preview, merge, dismiss a duplicate pair), given the
/// business's setting: owners and the system always, professionals while
/// `professionals_allowed`; a client is told nothing exists.
pub fn may_merge(actor: &Actor, professionals_allowed: bool) -> StoreResult<()> {
    if actor.is_client() {
        return Err(crate::StoreError::NotFound);
    }
    if actor.is_owner() || professionals_allowed {
        return Ok(());
    }
    Err(crate::StoreError::OwnerOnly)
}

/// What the caller asks a merge to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeRequest {
    pub survivor: ClientId,
    pub absorbed: ClientId,
    pub choices: MergeChoices,
    /// Versions the caller saw (the preview's); `None` takes whatever is
    /// stored.
    pub survivor_version: Option<i64>,
    pub absorbed_version: Option<i64>,
}

/// Why a merge or an undo was refused; nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeRefusal {
    /// A profile cannot absorb itself.
    SameClient,
    /// One of the two has a data-subject request still open.
    OpenDataRequest { client: ClientId },
    /// Values that differ on both sides and were given no choice.
    ChoicesMissing { fields: Vec<GeneralField>, custom: Vec<String> },
    /// A choice names a custom field the business does not have.
    UnknownField { key: String },
    /// The merge was undone already.
    AlreadyUndone,
    /// More than `UNDO_DAYS` have passed.
    UndoExpired,
    /// Another profile holds the absorbed profile's email by now.
    EmailReused { by: ClientId },
}

impl MergeRefusal {
    /// The stable machine code (API problems, panel words).
    pub fn code(&self) -> &'static str {
        match self {
            Self::SameClient => "merge_same_client",
            Self::OpenDataRequest { .. } => "merge_open_data_request",
            Self::ChoicesMissing { .. } => "merge_choice_missing",
            Self::UnknownField { .. } => "merge_unknown_field",
            Self::AlreadyUndone => "merge_already_undone",
            Self::UndoExpired => "merge_undo_expired",
            Self::EmailReused { .. } => "merge_email_reused",
        }
    }
}

/// How many rows of each kind move from the absorbed profile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MoveCounts {
    /// Bookings with a date.
    pub bookings: u64,
    /// Pack sessions without a date yet ("Por reservar").
    pub to_schedule: u64,
    pub notes: u64,
    pub attention_notes: u64,
    /// The notification log (outbox messages).
    pub messages: u64,
    pub history: u64,
    pub access_log: u64,
    /// Closed data-subject requests.
    pub data_requests: u64,
}

/// The merge screen's data.
#[derive(Debug, Clone)]
pub struct MergePreview {
    pub survivor: Client,
    pub absorbed: Client,
    pub survivor_values: Vec<FieldValue>,
    pub absorbed_values: Vec<FieldValue>,
    /// General fields both sides fill differently: each needs a choice.
    pub differing_fields: Vec<GeneralField>,
    /// Custom fields both sides fill differently, in the business's order.
    pub differing_custom: Vec<CustomField>,
    pub moves: MoveCounts,
    /// Why merging now would be refused (blocked, open request), if so.
    pub refusal: Option<PreviewRefusal>,
}

/// What a preview can already tell would stop the merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviewRefusal {
    Blocked { client: ClientId },
    Refused(MergeRefusal),
}

#[derive(Debug, Clone)]
pub struct MergeOutcome {
    pub merge: MergeId,
    pub survivor: Client,
    pub moved: MoveCounts,
}

/// One merge as the undo control shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeSummary {
    pub id: MergeId,
    pub survivor: ClientId,
    pub absorbed: ClientId,
    /// The absorbed profile's name and email as they were.
    pub absorbed_name: String,
    pub absorbed_email: String,
    pub at: Timestamp,
    pub who: Who,
    pub undone_at: Option<Timestamp>,
    /// The last moment it can be undone.
    pub undo_until: Timestamp,
}

impl MergeSummary {
    pub fn undoable_at(&self, now: Timestamp) -> bool {
        self.undone_at.is_none() && now <= self.undo_until
    }
}

/// The last moment a merge made `at` can be undone.
pub fn undo_until(at: Timestamp) -> Timestamp {
    at + jiff::SignedDuration::from_hours(24 * UNDO_DAYS)
}
