use jiff::SignedDuration;

use super::{Harness, start_time};
use crate::LoginKey;

pub async fn login_failures_count_up_per_key_and_clear(h: &Harness) {
    let paz = LoginKey::new(" sur ", "Paz@Clinica.cl");
    let other = LoginKey::new("sur", "otra@clinica.cl");
    let long_ago = start_time() - SignedDuration::from_hours(24);
    assert_eq!(h.store.login_failures(&paz).await.expect("read"), None);

    for expected in 1..=3 {
        let now = start_time() + SignedDuration::from_secs(expected);
        let failures = h.store.record_login_failure(&paz, now, long_ago).await.expect("recorded");
        assert_eq!((failures.count, failures.last_at), (u32::try_from(expected).expect("small"), now));
    }
    let stored = h.store.login_failures(&LoginKey::new("sur", "paz@clinica.cl")).await.expect("read");
    assert_eq!(stored.map(|f| f.count), Some(3), "the key ignores case and spaces");
    assert_eq!(h.store.login_failures(&other).await.expect("read"), None, "other emails are not affected");

    h.store.clear_login_failures(&paz).await.expect("cleared");
    assert_eq!(h.store.login_failures(&paz).await.expect("read"), None);
}

pub async fn old_login_failures_are_forgotten(h: &Harness) {
    let key = LoginKey::new("sur", "paz@clinica.cl");
    for _ in 0..4 {
        h.store.record_login_failure(&key, start_time(), start_time()).await.expect("recorded");
    }
    // A day later, with the last hour remembered, the run starts again.
    let later = start_time() + SignedDuration::from_hours(24);
    let failures =
        h.store.record_login_failure(&key, later, later - SignedDuration::from_hours(1)).await.expect("recorded");
    assert_eq!((failures.count, failures.last_at), (1, later));
}

pub async fn concurrent_login_failures_all_count(h: &Harness) {
    let key = LoginKey::new("sur", "paz@clinica.cl");
    let attempts = (0..8).map(|_| {
        let (store, key) = (h.store.clone(), key.clone());
        tokio::spawn(async move { store.record_login_failure(&key, start_time(), start_time()).await })
    });
    for attempt in attempts.collect::<Vec<_>>() {
        attempt.await.expect("joined").expect("recorded");
    }
    let stored = h.store.login_failures(&key).await.expect("read").expect("present");
    assert_eq!(stored.count, 8);
}
