//! Slowing down password guessing without letting anyone lock an owner out.
//!
//! Two counters, both in the database so every app instance sees the same:
//!
//! - **Per account** (business slug + email as typed, `LoginThrottleStore`):
//!   the first `FREE_FAILURES` failures cost nothing (people mistype); after
//!   them each attempt waits 2 s, 4 s, 8 s… up to a quarter of an hour. A
//!   quiet hour forgets the run; a successful login clears it. The wait is
//!   asked only of addresses that have been failing: an address with no
//!   failed login in its current window gets its attempt checked anyway, so
//!   the owner at the clinic still signs in while someone elsewhere keeps
//!   guessing their password (a wrong password from there counts, and that
//!   address then waits too).
//! - **Per source address** (`RequestLimitStore`, scope `login_address`, the
//!   address hashed; IPv6 by its /64, which one machine usually holds whole):
//!   at most `ADDRESS_MAX_FAILURES` failed logins per `ADDRESS_WINDOW`, for
//!   any accounts, then every attempt from it waits for the window's end.
//!
//! So a guesser gets a few tries per account per address and window, and
//! nobody can keep someone else out by failing on purpose.

use std::net::IpAddr;

use ficha_store::{LimitKey, LoginFailures, LoginKey};
use jiff::{SignedDuration, Timestamp};

use crate::AppState;
use crate::problem::ApiError;

/// Failures in a row for one account that cost nothing: after the third,
/// the next attempt waits.
pub const FREE_FAILURES: u32 = 3;
/// The longest wait, whatever the number of failures.
pub const MAX_WAIT: SignedDuration = SignedDuration::from_mins(15);
/// A run of failures older than this is forgotten.
pub const FORGET_AFTER: SignedDuration = SignedDuration::from_hours(1);
/// Failed logins one address may make per window, whatever the accounts.
pub const ADDRESS_MAX_FAILURES: u32 = 20;
/// The address counter's window.
pub const ADDRESS_WINDOW: SignedDuration = SignedDuration::from_mins(15);

const ADDRESS_SCOPE: &str = "login_address";

/// How long to wait after `failures` failures in a row: nothing for the
/// first `FREE_FAILURES - 1`, then 2 s after the third, 4 s, 8 s… up to
/// `MAX_WAIT`.
pub fn wait_after(failures: u32) -> SignedDuration {
    let Some(extra) = failures.checked_sub(FREE_FAILURES - 1).filter(|n| *n > 0) else {
        return SignedDuration::ZERO;
    };
    let seconds = 1_i64.checked_shl(extra.min(20)).unwrap_or(i64::MAX);
    SignedDuration::from_secs(seconds).min(MAX_WAIT)
}

/// Whole seconds still to wait at `now`, if any.
pub fn seconds_left(failures: &LoginFailures, now: Timestamp) -> Option<u64> {
    let until = failures.last_at + wait_after(failures.count);
    whole_seconds(until.duration_since(now))
}

fn whole_seconds(left: SignedDuration) -> Option<u64> {
    (left > SignedDuration::ZERO).then(|| {
        let secs = u64::try_from(left.as_secs()).unwrap_or(0);
        if left.subsec_nanos() > 0 { secs + 1 } else { secs }
    })
}

/// Where a login attempt comes from, as counted: an IPv4 address, or the
/// /64 network of an IPv6 one (anything else, such as `unknown` in
/// in-process tests, as it is), hashed like every `RequestLimitStore` key.
pub fn address_key(address: &str) -> LimitKey {
    let network = match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(|v4| v4.to_string()).unwrap_or_default(),
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => address.to_owned(),
    };
    LimitKey { scope: ADDRESS_SCOPE, subject: crate::site::limits::hashed(&network) }
}

/// Refuses the attempt, without looking at the password, while the address
/// is over its limit, or while the account has to wait and the address has
/// been failing.
pub async fn check(state: &AppState, key: &LoginKey, address: &LimitKey) -> Result<(), ApiError> {
    let now = state.clock.now();
    let address_failures = state.store.request_count(address, now, ADDRESS_WINDOW).await?;
    if address_failures >= ADDRESS_MAX_FAILURES {
        let ends = ficha_store::request_limits::window_start(now, ADDRESS_WINDOW) + ADDRESS_WINDOW;
        let wait_secs = whole_seconds(ends.duration_since(now)).unwrap_or(1);
        return Err(ApiError::TooManyAttempts { wait_secs });
    }
    if address_failures == 0 {
        return Ok(());
    }
    let Some(failures) = state.store.login_failures(key).await? else { return Ok(()) };
    match seconds_left(&failures, now) {
        Some(wait_secs) => Err(ApiError::TooManyAttempts { wait_secs }),
        None => Ok(()),
    }
}

pub async fn failed(state: &AppState, key: &LoginKey, address: &LimitKey) -> Result<(), ApiError> {
    let now = state.clock.now();
    state.store.record_login_failure(key, now, now - FORGET_AFTER).await?;
    state.store.count_request(address, now, ADDRESS_WINDOW).await?;
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
    fn waits_start_after_the_third_failure_and_stop_growing() {
        let waits: Vec<i64> = (0..=6).map(|n| wait_after(n).as_secs()).collect();
        assert_eq!(waits, [0, 0, 0, 2, 4, 8, 16]);
        assert_eq!(wait_after(40), MAX_WAIT);
        assert_eq!(wait_after(u32::MAX), MAX_WAIT);
    }

    #[test]
    fn seconds_left_rounds_up_and_ends() {
        let last_at = Timestamp::UNIX_EPOCH;
        let failures = LoginFailures { count: 4, last_at };
        assert_eq!(seconds_left(&failures, last_at), Some(4));
        assert_eq!(seconds_left(&failures, last_at + SignedDuration::from_millis(3500)), Some(1));
        assert_eq!(seconds_left(&failures, last_at + SignedDuration::from_secs(4)), None);
    }

    #[test]
    fn an_ipv6_address_counts_by_its_network() {
        assert_eq!(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:2:ffff::9"));
        assert_ne!(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:3::1"));
        assert_eq!(address_key("::ffff:203.0.113.5"), address_key("203.0.113.5"));
        assert_ne!(address_key("203.0.113.5"), address_key("203.0.113.6"));
        assert_eq!(address_key("203.0.113.5").scope, "login_address");
    }
}
