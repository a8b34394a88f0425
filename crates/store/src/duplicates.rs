//! Duplicate suggestions (issue 13): pairs of one business's profiles that
//! are probably one person. Candidates never come from comparing every
//! client with every other: each backend keeps `client_match_keys` (RUT,
//! phone, birth date) current by trigger in the statement that writes the
//! client, and hands the members of each shared key here; which pairs they
//! make, why, and in what order is decided once, in `pairs`. The business's
//! list is read from stored links (`links`: one per shared key that makes
//! a pair), recomputed only for the key groups that changed since; one
//! profile's pairs are computed from its own few keys on every call.

mod pairs;

use async_trait::async_trait;
use ficha_domain::{Actor, ClientId};

use crate::error::StoreResult;

pub use pairs::{
    Candidate, DuplicatePage, DuplicatePair, GROUP_CAP, KeyKind, KeyMember, Link, PairCursor, Reason, from_links,
    links, names_similar, page, pairs, resolve, stored_pairs,
};

/// Bulk-loaded batches of at least this many clients mark their business
/// for a recompute of all its key groups instead of queueing each key
/// (PostgreSQL 0031, SQLite 0032): with two or three keys a client, such a
/// batch would queue more groups than a whole-business pass costs.
pub const MARK_WHOLE_BUSINESS_FROM: u64 = 20_000;

#[async_trait]
pub trait DuplicateStore: Send + Sync {
    /// The business's suggested pairs, best score first, `limit` at most,
    /// after `after` (the previous page's `next`). Staff only (`NotFound`
    /// for a client); a professional never sees a pair with a blocked
    /// profile; dismissed pairs never come back.
    async fn duplicate_suggestions(
        &self,
        actor: &Actor,
        limit: u32,
        after: Option<&PairCursor>,
    ) -> StoreResult<DuplicatePage>;

    /// The suggested pairs that include `client` (the profile's notice).
    async fn duplicates_of(&self, actor: &Actor, client: ClientId) -> StoreResult<Vec<DuplicatePair>>;

    /// How many suggested pairs include `client`: the profile's notice asks
    /// this on every page, so no client of a pair is read.
    async fn count_duplicates_of(&self, actor: &Actor, client: ClientId) -> StoreResult<u64>;

    /// "No es duplicado": the pair is never suggested again. Who may is
    /// who may merge (`merges::may_merge`: owners, professionals while the
    /// business allows; `OwnerOnly` otherwise). Both must be profiles the
    /// actor may see (`NotFound` otherwise, or when `a == b`); dismissing
    /// twice is no error.
    async fn dismiss_duplicate(&self, actor: &Actor, a: ClientId, b: ClientId) -> StoreResult<()>;

    /// How many pairs `duplicate_suggestions` would list in all.
    async fn count_duplicates(&self, actor: &Actor) -> StoreResult<u64>;

    /// Recomputes the pairs of every key group changed since the last
    /// call (all of them after a bulk import). Listing and counting do this
    /// first themselves; calling it ahead (after an import, in a benchmark)
    /// only moves the work.
    async fn refresh_duplicates(&self, actor: &Actor) -> StoreResult<()>;
}

/// The pair's two ids in the order the dismissals table keeps them.
pub fn ordered(a: ClientId, b: ClientId) -> (ClientId, ClientId) {
    if a < b { (a, b) } else { (b, a) }
}

/// Only the business's staff (and the system) see suggestions; a client
/// signed in to Mi cuenta is told nothing exists.
pub fn staff_only(actor: &Actor) -> StoreResult<()> {
    if actor.is_client() { Err(crate::StoreError::NotFound) } else { Ok(()) }
}

/// Who dismissed a pair, for the dismissals table.
pub fn dismissed_by(actor: &Actor) -> Option<uuid::Uuid> {
    match actor {
        Actor::Staff { staff, .. } => staff.map(|s| s.as_uuid()),
        _ => None,
    }
}
