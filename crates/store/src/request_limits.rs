//! Requests counted per key in fixed windows, so a limit on the booking
//! site and the client's sign-in holds across every instance that shares
//! the database.
//!
//! The store keeps only counts; which limit applies and what a refusal
//! says is the web layer's policy (`ficha_web::site::limits`). Keys are
//! opaque to the store: the web layer hashes emails and addresses before
//! they get here, so the table holds no personal data.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};

use crate::error::StoreResult;

/// What is counted: a limit's name and the hashed subject it counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitKey {
    pub scope: &'static str,
    pub subject: String,
}

/// The fixed window of length `window` that `now` falls in.
pub fn window_start(now: Timestamp, window: SignedDuration) -> Timestamp {
    let length = window.as_micros().max(1);
    let at = now.as_microsecond();
    Timestamp::from_microsecond(at - at.rem_euclid(length as i64)).unwrap_or(now)
}

#[async_trait]
pub trait RequestLimitStore: Send + Sync {
    /// Counts one request of `key` at `now` in its window (`window_start`)
    /// and answers how many the window holds now, this one included. One
    /// statement: concurrent requests each count. Windows that ended a day
    /// before are forgotten.
    async fn count_request(&self, key: &LimitKey, now: Timestamp, window: SignedDuration) -> StoreResult<u32>;

    /// How many requests of `key` the window of `now` holds, counting none.
    async fn request_count(&self, key: &LimitKey, now: Timestamp, window: SignedDuration) -> StoreResult<u32>;
}
