//! Finding a client by anything the business knows about them: name words in
//! any order (accent- and case-insensitive, any word as a prefix, one typo
//! forgiven in words of five letters or more), email, phone in any formatting
//! or its last digits, RUT with or without dots, dash or check digit, and
//! custom-field values.
//!
//! What is indexed, how a query is read and how results are ranked is decided
//! here, once; each backend stores the `SearchDocument` in its own full-text
//! index and answers the `SearchPlan`'s tiers for `flow::rank`.

mod closeness;
mod document;
mod flow;
mod plan;
mod query;
mod ranking;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use ficha_domain::{Actor, Client, ClientId};

pub use closeness::Closeness;
pub(crate) use closeness::within_one_edit;
pub use document::{SearchDocument, phone_tail_token, rut_token, tenant_token};
pub use flow::{SearchSource, rank};
pub use plan::{SearchPlan, Tier, Token};
pub use query::{SearchQuery, Term, one_edit_away};
pub use ranking::{Candidate, Ranking, assemble, explain};

use crate::error::StoreResult;

/// Longest query accepted.
pub const MAX_QUERY_CHARS: usize = 200;
/// Words of at least this many letters are also matched with one typo.
pub const TYPO_MIN_LETTERS: usize = 5;
/// Digits needed before a number is read as a phone tail or RUT prefix.
pub const MIN_NUMBER_DIGITS: usize = 4;
/// Rows read from the index per tier. Results are ranked inside this window:
/// exact when a query matches fewer clients (every real lookup), and a
/// bounded amount of work for one- or two-letter prefixes that match most of
/// a large business.
pub const TIER_WINDOW: u32 = 100;

/// Token prefixes that keep numbers apart from words in the index.
pub const PHONE_TAIL_PREFIX: &str = "pt";
pub const RUT_PREFIX: &str = "rut";
pub const TENANT_PREFIX: &str = "t";

#[async_trait]
pub trait SearchStore: Send + Sync {
    /// Clients of the actor's business matching `query`, best first:
    /// every word matched exactly, then with the last word as a prefix, then
    /// every word as a prefix, then with a typo; inside each tier, the
    /// closest (`Closeness`: words together and in order, at the name's
    /// start, a whole value), then the most recent booking.
    async fn search_clients(
        &self,
        actor: &Actor,
        query: &SearchQuery,
        offset: u32,
        limit: u32,
    ) -> StoreResult<SearchPage>;

    /// The baseline search is measured against: `LIKE '%text%'` over name,
    /// email, phone and RUT, a full scan of the business's clients. Only
    /// the benchmark calls it.
    async fn scan_clients(&self, actor: &Actor, text: &str, limit: u32) -> StoreResult<Vec<ClientId>>;
}

/// One found client and what of theirs matched.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub client: Client,
    pub matched: Vec<Matched>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matched {
    Name,
    Email,
    Phone,
    Rut,
    /// A custom field's value, with the field's label.
    Custom(String),
}

#[derive(Debug, Clone)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    /// Where the next page starts, when there may be one.
    pub next_offset: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("query longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
}
