//! Growing delays after repeated failed logins, per business slug and email.
//!
//! The counters live in the database (`LoginThrottleStore`), so every app
//! instance sees the same ones; the policy is here. The first few failures
//! cost nothing (people mistype); after that each failure doubles the wait
//! before the next attempt is even checked, up to a quarter of an hour. A
//! quiet hour forgets the run; a successful login clears it.

use ficha_store::{LoginFailures, LoginKey};
use jiff::{SignedDuration, Timestamp};

use crate::AppState;
use crate::problem::ApiError;

/// Failures in a row that are let through without any wait.
pub const FREE_FAILURES: u32 = 3;
/// The longest wait, whatever the number of failures.
pub const MAX_WAIT: SignedDuration = SignedDuration::from_mins(15);
/// A run of failures older than this is forgotten.
pub const FORGET_AFTER: SignedDuration = SignedDuration::from_hours(1);

/// How long to wait after `failures` failures in a row: nothing for the
/// first `FREE_FAILURES`, then 2 s, 4 s, 8 s… up to `MAX_WAIT`.
pub fn wait_after(failures: u32) -> SignedDuration {
    let Some(extra) = failures.checked_sub(FREE_FAILURES).filter(|n| *n > 0) else {
        return SignedDuration::ZERO;
    };
    let seconds = 1_i64.checked_shl(extra.min(20)).unwrap_or(i64::MAX);
    SignedDuration::from_secs(seconds).min(MAX_WAIT)
}

/// Whole seconds still to wait at `now`, if any.
pub fn seconds_left(failures: &LoginFailures, now: Timestamp) -> Option<u64> {
    let until = failures.last_at + wait_after(failures.count);
    let left = until.duration_since(now);
    (left > SignedDuration::ZERO).then(|| {
        let secs = u64::try_from(left.as_secs()).unwrap_or(0);
        if left.subsec_nanos() > 0 { secs + 1 } else { secs }
    })
}

/// Refuses the attempt, without looking at the password, while `key` has to wait.
pub async fn check(state: &AppState, key: &LoginKey) -> Result<(), ApiError> {
    let Some(failures) = state.store.login_failures(key).await? else { return Ok(()) };
    match seconds_left(&failures, state.clock.now()) {
        Some(wait_secs) => Err(ApiError::TooManyAttempts { wait_secs }),
        None => Ok(()),
    }
}

pub async fn failed(state: &AppState, key: &LoginKey) -> Result<(), ApiError> {
    let now = state.clock.now();
    state.store.record_login_failure(key, now, now - FORGET_AFTER).await?;
    Ok(())
}

pub async fn succeeded(state: &AppState, key: &LoginKey) -> Result<(), ApiError> {
    state.store.clear_login_failures(key).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_the_free_failures_and_stop_growing() {
        let waits: Vec<i64> = (0..=6).map(|n| wait_after(n).as_secs()).collect();
        assert_eq!(waits, [0, 0, 0, 0, 2, 4, 8]);
        assert_eq!(wait_after(40), MAX_WAIT);
        assert_eq!(wait_after(u32::MAX), MAX_WAIT);
    }

    #[test]
    fn seconds_left_rounds_up_and_ends() {
        let last_at = Timestamp::UNIX_EPOCH;
        let failures = LoginFailures { count: 5, last_at };
        assert_eq!(seconds_left(&failures, last_at), Some(4));
        assert_eq!(seconds_left(&failures, last_at + SignedDuration::from_millis(3500)), Some(1));
        assert_eq!(seconds_left(&failures, last_at + SignedDuration::from_secs(4)), None);
    }
}
