//! The storage contract. Everything above this crate talks to a `dyn Store` and
//! never learns which database is behind it; each backend crate implements these
//! traits and runs the same `contract` suite.
//!
//! Every call that touches a business's data takes the `Actor` asking, and
//! every query is scoped by the actor's business: one business's rows cannot be
//! reached through another's actor, whatever id is passed.

pub mod access_log;
pub mod accounts;
pub mod attention_notes;
pub mod blocks;
pub mod booking_site;
pub mod bookings;
pub mod calendar_feeds;
pub mod client_accounts;
pub mod clients;
pub mod consent;
pub mod custom_fields;
pub mod data_requests;
pub mod duplicates;
pub mod error;
pub mod history;
pub mod imports;
pub mod login_throttle;
pub mod merges;
pub mod notes;
pub mod outbox;
pub mod record;
pub mod request_limits;
pub mod search;
pub mod secret;

#[cfg(feature = "contract")]
pub mod contract;

use async_trait::async_trait;

pub use access_log::{AccessLogStore, AccessPage};
pub use accounts::{AccountStore, ApiToken, SessionInfo, StaffCredentials};
pub use attention_notes::{AttentionNoteStore, BookedNote, ClientAttentionNotes};
pub use blocks::BlockStore;
pub use booking_site::{BookingSiteStore, Entered, Link, OnlineBooking, OnlineChange, Typed};
pub use bookings::{
    BookingChange, BookingCursor, BookingPage, BookingQuery, BookingStore, CalendarEntry, ClientStats, NewBooking,
    NewTime, PackUse, PorReservar, When,
};
pub use calendar_feeds::{CalendarFeedStore, FeedEvent, OpenFeed};
pub use client_accounts::{ClientAccountStore, NewSignIn, PendingEmail, SignInRefused};
pub use clients::{ClientPage, ClientSort, ClientStore, Cursor, ListQuery};
pub use consent::ConsentStore;
pub use custom_fields::{CustomFieldStore, FieldValue, RefusedValue, Removed, SavedValues};
pub use data_requests::{DataRequestStore, DueCounts, NewDataRequest, PrivacyCode, RequestFilter};
pub use duplicates::{DuplicatePage, DuplicatePair, DuplicateStore, PairCursor, Reason};
pub use error::{StoreError, StoreResult};
pub use history::{DeletionPage, HistoryCursor, HistoryPage, HistoryQuery, HistoryStore};
pub use imports::ImportStore;
pub use login_throttle::{LoginFailures, LoginKey, LoginThrottleStore};
pub use merges::{
    Keep, MergeChoices, MergeOutcome, MergePreview, MergeRefusal, MergeRequest, MergeStore, MergeSummary, MoveCounts,
    PreviewRefusal,
};
pub use notes::NoteStore;
pub use outbox::{
    AccountMessage, Claimed, Delivery, Message, MessageCursor, MessagePage, MessageQuery, OutboxSignal, OutboxStore,
};
pub use request_limits::{LimitKey, RequestLimitStore};
pub use search::{SearchHit, SearchPage, SearchStore};

/// One backend: all aggregates behind one handle.
#[async_trait]
pub trait Store:
    AccessLogStore
    + AccountStore
    + AttentionNoteStore
    + BlockStore
    + BookingSiteStore
    + BookingStore
    + CalendarFeedStore
    + ClientAccountStore
    + ClientStore
    + ConsentStore
    + CustomFieldStore
    + DataRequestStore
    + DuplicateStore
    + HistoryStore
    + ImportStore
    + LoginThrottleStore
    + MergeStore
    + NoteStore
    + OutboxStore
    + RequestLimitStore
    + SearchStore
    + Send
    + Sync
    + std::fmt::Debug
{
    /// Answers when the database does; for `/readyz`.
    async fn ping(&self) -> StoreResult<()>;

    /// Closes the connections; for an orderly shutdown.
    async fn close(&self);
}
