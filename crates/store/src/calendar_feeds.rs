//! Calendar feeds (issue 13, item 7): private iCalendar subscription URLs of
//! a staff member's bookings. The URL's token is the only credential, so
//! only its SHA-256 is stored, like API tokens and sessions; a calendar app
//! asks for the feed every few minutes, which costs one indexed read by
//! the hash and one range read of the staff member's bookings (plus, at
//! most once a minute, the write of its last use).
//!
//! Who may do what, decided here once for both backends:
//! * anyone on the staff creates, lists and revokes their own feeds;
//! * owners (and API tokens, which act as owners) also those of any staff
//!   member of the business — a lost phone of someone who left;
//! * a feed of another business, or of a colleague for a professional, is
//!   simply not found.

use async_trait::async_trait;
use ficha_domain::{Actor, BookingId, BookingState, BusinessId, CalendarFeed, FeedId, FeedLabel, StaffId};
use jiff::Timestamp;

use crate::error::{StoreError, StoreResult};

#[async_trait]
pub trait CalendarFeedStore: Send + Sync {
    /// A new feed of `staff`'s bookings, found later by `token_hash`.
    /// `NotFound` for a staff member not of the business, or not the actor
    /// when the actor is not an owner.
    async fn create_calendar_feed(
        &self,
        actor: &Actor,
        staff: StaffId,
        label: FeedLabel,
        token_hash: &[u8],
    ) -> StoreResult<CalendarFeed>;

    /// `staff`'s feeds, oldest first (same reach as creating).
    async fn list_calendar_feeds(&self, actor: &Actor, staff: StaffId) -> StoreResult<Vec<CalendarFeed>>;

    /// Deletes the feed: its URL answers nothing from then on. `NotFound`
    /// outside the actor's reach.
    async fn revoke_calendar_feed(&self, actor: &Actor, id: FeedId) -> StoreResult<()>;

    /// The feed a token opens, with the business's choice of names; records
    /// its use at `now` when the last one recorded is older than a minute.
    async fn open_calendar_feed(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<OpenFeed>>;

    /// What the feed shows: the staff member's bookings that start in
    /// `[from, to)`, not cancelled, by start.
    async fn feed_events(&self, feed: &OpenFeed, from: Timestamp, to: Timestamp) -> StoreResult<Vec<FeedEvent>>;

    /// Whether feeds show clients' full names (default: initials).
    async fn feed_full_names(&self, actor: &Actor) -> StoreResult<bool>;

    /// Owners only.
    async fn set_feed_full_names(&self, actor: &Actor, full_names: bool) -> StoreResult<()>;
}

/// A feed opened by its token: whose bookings, and how to name clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenFeed {
    pub id: FeedId,
    pub business: BusinessId,
    pub staff: StaffId,
    /// What the subscribed calendar is called.
    pub business_name: String,
    pub full_names: bool,
}

/// One booking as a feed may show it: nothing of the client's profile but
/// the name (and not even that for a blocked client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    pub booking: BookingId,
    pub start: Timestamp,
    pub end: Timestamp,
    pub state: BookingState,
    pub service: String,
    /// `None` when the client is blocked: the time shows only as taken.
    pub client_name: Option<String>,
    /// The highest calendar-invite sequence the booking's messages carried
    /// (each notified change raises it), 0 before any.
    pub sequence: u32,
    /// The booking's creation or its latest notified change.
    pub changed_at: Timestamp,
}

/// Whether `actor` may act on `staff`'s feeds.
pub fn may_reach(actor: &Actor, staff: StaffId) -> StoreResult<()> {
    match actor {
        Actor::Staff { staff: Some(own), .. } if *own == staff => Ok(()),
        _ if actor.is_owner() => Ok(()),
        _ => Err(StoreError::NotFound),
    }
}

/// The staff member whose feeds a non-owner may revoke: only their own
/// (`None` = any of the business, for owners).
pub fn revoker(actor: &Actor) -> StoreResult<Option<StaffId>> {
    match actor {
        _ if actor.is_owner() => Ok(None),
        Actor::Staff { staff: Some(own), .. } => Ok(Some(*own)),
        _ => Err(StoreError::NotFound),
    }
}

/// Only owners choose what feeds show.
pub fn owners_only(actor: &Actor) -> StoreResult<()> {
    if actor.is_owner() { Ok(()) } else { Err(StoreError::OwnerOnly) }
}

/// A feed row as both backends read it.
#[derive(Debug, Clone)]
pub struct FeedRecord {
    pub id: uuid::Uuid,
    pub staff: uuid::Uuid,
    pub label: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl FeedRecord {
    pub fn into_feed(self) -> StoreResult<CalendarFeed> {
        Ok(CalendarFeed {
            id: FeedId::from_uuid(self.id),
            staff: StaffId::from_uuid(self.staff),
            label: FeedLabel::parse(&self.label)
                .map_err(|_| StoreError::Corrupt(format!("feed label {:?}", self.label)))?,
            created_at: crate::record::timestamp(self.created_at)?,
            last_used_at: self.last_used_at.map(crate::record::timestamp).transpose()?,
        })
    }
}

/// An event row as both backends read it.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub booking: uuid::Uuid,
    pub starts_at: i64,
    pub ends_at: i64,
    pub state: String,
    pub service: String,
    pub client_name: Option<String>,
    pub sequence: Option<i64>,
    pub created_at: i64,
    pub notified_at: Option<i64>,
}

impl EventRecord {
    pub fn into_event(self) -> StoreResult<FeedEvent> {
        let state = BookingState::parse(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("booking state {:?}", self.state)))?;
        Ok(FeedEvent {
            booking: BookingId::from_uuid(self.booking),
            start: crate::record::timestamp(self.starts_at)?,
            end: crate::record::timestamp(self.ends_at)?,
            state,
            service: self.service,
            client_name: self.client_name,
            sequence: self.sequence.and_then(|s| u32::try_from(s).ok()).unwrap_or(0),
            changed_at: crate::record::timestamp(self.notified_at.unwrap_or(self.created_at).max(self.created_at))?,
        })
    }
}
