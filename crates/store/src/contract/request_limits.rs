use jiff::SignedDuration;

use super::{Harness, start_time};
use crate::LimitKey;

fn key(scope: &'static str, subject: &str) -> LimitKey {
    LimitKey { scope, subject: subject.to_owned() }
}

pub async fn requests_count_per_key_within_their_window(h: &Harness) {
    let window = SignedDuration::from_mins(15);
    let at = |secs: i64| start_time() + SignedDuration::from_secs(secs);
    let a = key("site_booking_address", "aaa");
    for expected in 1..=3 {
        assert_eq!(
            h.store.count_request(&a, at(expected), window).await.expect("counted"),
            u32::try_from(expected).expect("small")
        );
    }
    // Another subject, another scope: counted apart.
    assert_eq!(h.store.count_request(&key("site_booking_address", "bbb"), at(4), window).await.expect("counted"), 1);
    assert_eq!(h.store.count_request(&key("site_sign_in_email", "aaa"), at(4), window).await.expect("counted"), 1);
    // Reading counts nothing.
    assert_eq!(h.store.request_count(&a, at(5), window).await.expect("read"), 3);
    assert_eq!(h.store.request_count(&a, at(6), window).await.expect("read"), 3);
    assert_eq!(h.store.request_count(&key("site_booking_address", "ccc"), at(6), window).await.expect("read"), 0);
    // The next window starts again at one.
    assert_eq!(h.store.count_request(&a, at(15 * 60 + 1), window).await.expect("counted"), 1);
}

pub async fn concurrent_requests_all_count(h: &Harness) {
    let window = SignedDuration::from_hours(1);
    let a = key("site_sign_in_address", "ccc");
    let counting = (0..8).map(|_| {
        let (store, a) = (h.store.clone(), a.clone());
        tokio::spawn(async move { store.count_request(&a, start_time(), window).await })
    });
    let mut seen: Vec<u32> = Vec::new();
    for joined in counting.collect::<Vec<_>>() {
        seen.push(joined.await.expect("joined").expect("counted"));
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=8).collect::<Vec<u32>>(), "each request counted once");
}
