//! Failed logins, counted per business slug and email as typed, so growing
//! delays hold across every instance that shares the database.
//!
//! The store keeps only facts (how many failures in a row, when the last
//! was); how long to wait after them is the web layer's policy.

use async_trait::async_trait;
use jiff::Timestamp;

use crate::error::StoreResult;

/// Who a login attempt was for: the business slug and the lower-cased email,
/// as typed. Deliberately not a business id: attempts against a business or
/// email that does not exist are counted the same way, so delays reveal
/// nothing about which accounts exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginKey {
    pub business_slug: String,
    pub email_key: String,
}

impl LoginKey {
    pub fn new(business_slug: &str, email: &str) -> Self {
        Self { business_slug: business_slug.trim().to_owned(), email_key: email.trim().to_lowercase() }
    }
}

/// Failed attempts in a row for one `LoginKey`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    pub count: u32,
    pub last_at: Timestamp,
}

#[async_trait]
pub trait LoginThrottleStore: Send + Sync {
    /// The failures recorded for `key`, if any.
    async fn login_failures(&self, key: &LoginKey) -> StoreResult<Option<LoginFailures>>;

    /// Counts one more failure at `now`, in one statement (concurrent
    /// failures all count). A previous run of failures that ended before
    /// `forget_before` is forgotten: the count starts again at 1.
    async fn record_login_failure(
        &self,
        key: &LoginKey,
        now: Timestamp,
        forget_before: Timestamp,
    ) -> StoreResult<LoginFailures>;

    /// Forgets the failures of `key`: after a successful login.
    async fn clear_login_failures(&self, key: &LoginKey) -> StoreResult<()>;
}
