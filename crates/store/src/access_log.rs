//! Who looked at a client's profile: the access log's storage contract and
//! what both backends share (who as stored, rows read back, the pruning's
//! batches).
//!
//! Writing an entry is one INSERT … SELECT on the request's own connection:
//! the staff member's name is copied in by the same statement (the name they
//! had then), and the client is checked by it too (no row inserted = not the
//! business's client). docs/performance.md has what it costs.

use async_trait::async_trait;
use ficha_domain::{AccessEntry, AccessId, AccessKind, AccessRetention, Actor, ClientId, Who};

use crate::error::{StoreError, StoreResult};
use crate::history::{HistoryCursor, HistoryQuery, WhoRecord};
use crate::record::timestamp;

#[async_trait]
pub trait AccessLogStore: Send + Sync {
    /// Records that `actor` read `kind` of `client`, now. Staff (and
    /// integrations, and the system) are logged; a client reading their own
    /// profile in Mi cuenta is not a "look at someone's profile" and writes
    /// nothing. `NotFound` for a client that is not the business's.
    async fn record_access(&self, actor: &Actor, client: ClientId, kind: AccessKind) -> StoreResult<()>;

    /// One page of the client's access log, newest first. Owners only
    /// (`OwnerOnly`). The read is itself recorded first, as `read_as`, so
    /// the first page starts with it: `AccessLog` when the log is what was
    /// asked for (the API, the CSV), `Profile` when it is a section of the
    /// profile page, whose one entry covers all its sections.
    async fn access_log(
        &self,
        actor: &Actor,
        client: ClientId,
        page: &HistoryQuery,
        read_as: AccessKind,
    ) -> StoreResult<AccessPage>;

    /// How long the business keeps its entries (the default until an owner
    /// sets one). Owners only.
    async fn access_retention(&self, actor: &Actor) -> StoreResult<AccessRetention>;

    /// Owners only.
    async fn set_access_retention(&self, actor: &Actor, retention: AccessRetention) -> StoreResult<()>;

    /// Deletes every business's entries older than its retention at the
    /// store's clock, at most `batch` rows per statement (so no statement
    /// holds the writer long); answers how many went. Any instance may run
    /// it at any time, several at once: a row is deleted once, and a second
    /// pruner finds nothing left to do.
    async fn prune_access_log(&self, batch: u32) -> StoreResult<u64>;
}

#[derive(Debug, Clone)]
pub struct AccessPage {
    pub entries: Vec<AccessEntry>,
    pub next: Option<HistoryCursor>,
}

/// The stored name of who read: for staff, copied from their account by the
/// insert itself; `None` for anyone else.
pub fn who_columns(actor: &Actor) -> Option<(&'static str, Option<uuid::Uuid>)> {
    match actor {
        Actor::Client { .. } => None,
        _ => Some(WhoRecord::columns(actor)),
    }
}

/// An access row as both backends read it.
#[derive(Debug, Clone)]
pub struct AccessRecord {
    pub id: uuid::Uuid,
    pub client: uuid::Uuid,
    pub at: i64,
    pub who: WhoRecord,
    pub kind: String,
}

impl AccessRecord {
    pub fn into_entry(self) -> StoreResult<AccessEntry> {
        let kind =
            AccessKind::parse(&self.kind).ok_or_else(|| StoreError::Corrupt(format!("access kind {:?}", self.kind)))?;
        let who = self.who.into_who()?;
        if matches!(who, Who::Client) {
            return Err(StoreError::Corrupt(format!("access {} by a client", self.id)));
        }
        Ok(AccessEntry {
            id: AccessId::from_uuid(self.id),
            client: ClientId::from_uuid(self.client),
            at: timestamp(self.at)?,
            who,
            kind,
        })
    }
}

/// The cutoff of a business whose stored retention is `days` (`None`: never
/// set), in stored microseconds.
pub fn cutoff_micros(days: Option<i64>, now: jiff::Timestamp) -> i64 {
    let retention = days.and_then(|d| AccessRetention::days(d).ok()).unwrap_or_default();
    crate::record::micros(retention.cutoff(now))
}

/// Only owners read the log and set its retention.
pub fn owners_only(actor: &Actor) -> StoreResult<()> {
    if actor.is_owner() { Ok(()) } else { Err(StoreError::OwnerOnly) }
}

/// The page size a query asks for, at least one.
pub fn limit_of(query: &HistoryQuery) -> u32 {
    query.limit.clamp(1, 10_000)
}
