//! Contract cases for the access log: who read a client's profile, notes,
//! history or data file, shown to owners, pruned after the retention.

use ficha_domain::{AccessEntry, AccessKind, AccessRetention, Actor, ClientId, Role, Who};
use jiff::{SignedDuration, Timestamp};

use super::notes::{client, staff};
use super::{Harness, business, start_time};
use crate::{HistoryQuery, StoreError};

/// The access log cases.
#[macro_export]
macro_rules! access_log_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            every_read_is_logged_with_who_what_and_when,
            the_log_keeps_the_name_staff_had_then,
            a_clients_own_reads_are_not_logged,
            only_owners_read_the_access_log_and_reading_it_is_logged,
            another_business_can_neither_log_nor_read_a_clients_accesses,
            access_log_pages_newest_first_without_repeats,
            entries_older_than_the_retention_are_pruned,
            retention_defaults_to_two_years_and_only_owners_set_it
        );
    };
}

fn seen(entries: &[AccessEntry]) -> Vec<(AccessKind, String, Timestamp)> {
    let who = |who: &Who| match who {
        Who::Staff { name, .. } => name.clone(),
        other => other.kind().to_owned(),
    };
    entries.iter().map(|e| (e.kind, who(&e.who), e.at)).collect()
}

async fn everything(h: &Harness, owner: &Actor, client: ClientId) -> Vec<AccessEntry> {
    h.store
        .access_log(owner, client, &HistoryQuery { after: None, limit: 500 }, AccessKind::AccessLog)
        .await
        .expect("log")
        .entries
}

pub async fn every_read_is_logged_with_who_what_and_when(h: &Harness) {
    let sur = business(h, "sur").await;
    let olga = staff(h, &sur, "Olga Díaz", Role::Owner).await;
    let pedro = staff(h, &sur, "Pedro Soto", Role::Professional).await;
    let token = Actor::Staff { business: sur.business(), staff: None, role: Role::Owner };
    let ana = client(h, &sur, "ana@mail.cl").await;
    let minute = SignedDuration::from_mins(1);
    let reads = [
        (&pedro, AccessKind::Profile),
        (&pedro, AccessKind::Notes),
        (&token, AccessKind::AttentionNotes),
        (&olga, AccessKind::History),
        (&olga, AccessKind::DataFile),
    ];
    for (actor, kind) in reads {
        h.clock.advance(minute);
        h.store.record_access(actor, ana, kind).await.expect("recorded");
    }
    h.clock.advance(minute);

    let at = |minutes: i64| start_time() + SignedDuration::from_mins(minutes);
    assert_eq!(
        seen(&everything(h, &olga, ana).await),
        vec![
            (AccessKind::AccessLog, "Olga Díaz".into(), at(6)),
            (AccessKind::DataFile, "Olga Díaz".into(), at(5)),
            (AccessKind::History, "Olga Díaz".into(), at(4)),
            (AccessKind::AttentionNotes, "integration".into(), at(3)),
            (AccessKind::Notes, "Pedro Soto".into(), at(2)),
            (AccessKind::Profile, "Pedro Soto".into(), at(1)),
        ]
    );
    let entries = everything(h, &olga, ana).await;
    assert!(entries.iter().all(|e| e.client == ana));
}

pub async fn the_log_keeps_the_name_staff_had_then(h: &Harness) {
    // The name is copied when the entry is written: the row stands alone,
    // whatever becomes of the account later.
    let sur = business(h, "sur").await;
    let pedro = staff(h, &sur, "Pedro Soto", Role::Professional).await;
    let Actor::Staff { staff: Some(pedro_id), .. } = pedro else { panic!("staff") };
    let ana = client(h, &sur, "ana@mail.cl").await;
    h.store.record_access(&pedro, ana, AccessKind::Profile).await.expect("recorded");

    let entries = everything(h, &sur, ana).await;
    let pedros: Vec<_> = entries.iter().filter(|e| e.kind == AccessKind::Profile).collect();
    assert_eq!(pedros.len(), 1);
    assert_eq!(pedros[0].who, Who::Staff { id: pedro_id, name: "Pedro Soto".into() });
    // The system (command-line tools) is an owner and is named as such.
    assert_eq!(entries[0].who, Who::System);
}

pub async fn a_clients_own_reads_are_not_logged(h: &Harness) {
    let sur = business(h, "sur").await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    let herself = Actor::Client { business: sur.business(), client: ana };
    h.store.record_access(&herself, ana, AccessKind::Profile).await.expect("nothing to do");

    let kinds: Vec<_> = everything(h, &sur, ana).await.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, vec![AccessKind::AccessLog], "only the owner's own read of the log");
}

pub async fn only_owners_read_the_access_log_and_reading_it_is_logged(h: &Harness) {
    let sur = business(h, "sur").await;
    let olga = staff(h, &sur, "Olga Díaz", Role::Owner).await;
    let pedro = staff(h, &sur, "Pedro Soto", Role::Professional).await;
    let ana = client(h, &sur, "ana@mail.cl").await;

    let refused = h.store.access_log(&pedro, ana, &HistoryQuery::default(), AccessKind::AccessLog).await;
    assert!(matches!(refused, Err(StoreError::OwnerOnly)), "{refused:?}");

    h.clock.advance(SignedDuration::from_mins(1));
    let first = everything(h, &olga, ana).await;
    h.clock.advance(SignedDuration::from_mins(1));
    let second = everything(h, &olga, ana).await;
    // The refused read left nothing; each owner's read is in the log, the
    // newest on top of the page that read it.
    assert_eq!(
        seen(&first),
        vec![(AccessKind::AccessLog, "Olga Díaz".into(), start_time() + SignedDuration::from_mins(1))]
    );
    assert_eq!(
        seen(&second),
        vec![
            (AccessKind::AccessLog, "Olga Díaz".into(), start_time() + SignedDuration::from_mins(2)),
            (AccessKind::AccessLog, "Olga Díaz".into(), start_time() + SignedDuration::from_mins(1)),
        ]
    );
    // Read as a section of the profile page, the page's one entry says so.
    let on_profile = h.store.access_log(&olga, ana, &HistoryQuery::default(), AccessKind::Profile).await;
    assert_eq!(on_profile.expect("read").entries[0].kind, AccessKind::Profile);
}

pub async fn another_business_can_neither_log_nor_read_a_clients_accesses(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    let norte_owner = staff(h, &norte, "Nora Lagos", Role::Owner).await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    h.store.record_access(&sur, ana, AccessKind::Profile).await.expect("recorded");

    let logged = h.store.record_access(&norte_owner, ana, AccessKind::Profile).await;
    assert!(matches!(logged, Err(StoreError::NotFound)), "{logged:?}");
    let read = h.store.access_log(&norte_owner, ana, &HistoryQuery::default(), AccessKind::AccessLog).await;
    assert!(matches!(read, Err(StoreError::NotFound)), "{read:?}");

    let whos: Vec<_> = everything(h, &sur, ana).await.iter().map(|e| e.who.clone()).collect();
    assert_eq!(whos, vec![Who::System, Who::System], "nothing of norte's in sur's client's log");
}

pub async fn access_log_pages_newest_first_without_repeats(h: &Harness) {
    let sur = business(h, "sur").await;
    let pedro = staff(h, &sur, "Pedro Soto", Role::Professional).await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    let other = client(h, &sur, "otra@mail.cl").await;
    // Several reads in the same microsecond too: (at, id) orders them.
    for i in 0..23 {
        if i % 3 == 0 {
            h.clock.advance(SignedDuration::from_secs(1));
        }
        h.store.record_access(&pedro, ana, AccessKind::Profile).await.expect("recorded");
        h.store.record_access(&pedro, other, AccessKind::Profile).await.expect("recorded");
    }
    h.clock.advance(SignedDuration::from_secs(1));

    let mut query = HistoryQuery { after: None, limit: 10 };
    let mut pages = Vec::new();
    loop {
        let page = h.store.access_log(&sur, ana, &query, AccessKind::AccessLog).await.expect("page");
        assert!(page.entries.len() <= 10);
        pages.extend(page.entries);
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    // The first page's read of the log, then Pedro's 23 reads; the later
    // pages' own reads are newer than where those pages start.
    assert_eq!(pages.len(), 24);
    assert_eq!(pages[0].kind, AccessKind::AccessLog);
    assert!(pages[1..].iter().all(|e| e.kind == AccessKind::Profile && e.client == ana));
    let mut ids: Vec<_> = pages.iter().map(|e| e.id).collect();
    assert!(pages.windows(2).all(|w| (w[0].at, w[0].id) > (w[1].at, w[1].id)), "newest first");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 24, "no entry twice");
}

pub async fn entries_older_than_the_retention_are_pruned(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    h.store.set_access_retention(&norte, AccessRetention::days(3650).expect("valid")).await.expect("set");
    let ana = client(h, &sur, "ana@mail.cl").await;
    let nora = client(h, &norte, "nora@mail.cl").await;
    for _ in 0..5 {
        h.store.record_access(&sur, ana, AccessKind::Profile).await.expect("recorded");
        h.store.record_access(&norte, nora, AccessKind::Profile).await.expect("recorded");
    }
    let day = SignedDuration::from_hours(24);

    // One day short of two years: nothing is old enough.
    h.clock.set(start_time() + day * 729);
    assert_eq!(h.store.prune_access_log(2).await.expect("pruned"), 0);
    h.store.record_access(&sur, ana, AccessKind::History).await.expect("recorded");

    // Past two years: sur's first five go (in batches of two), the recent
    // one stays; norte keeps ten years.
    h.clock.set(start_time() + day * 731);
    assert_eq!(h.store.prune_access_log(2).await.expect("pruned"), 5);
    assert_eq!(h.store.prune_access_log(2).await.expect("pruned"), 0, "a second pruner finds nothing");
    let kinds: Vec<_> = everything(h, &sur, ana).await.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, vec![AccessKind::AccessLog, AccessKind::History]);
    assert_eq!(everything(h, &norte, nora).await.len(), 6);

    // A shorter retention set later applies to what is already there.
    h.store.set_access_retention(&sur, AccessRetention::days(30).expect("valid")).await.expect("set");
    h.clock.set(start_time() + day * 800);
    assert_eq!(h.store.prune_access_log(100).await.expect("pruned"), 2);
}

pub async fn retention_defaults_to_two_years_and_only_owners_set_it(h: &Harness) {
    let sur = business(h, "sur").await;
    let olga = staff(h, &sur, "Olga Díaz", Role::Owner).await;
    let pedro = staff(h, &sur, "Pedro Soto", Role::Professional).await;
    assert_eq!(h.store.access_retention(&olga).await.expect("read"), AccessRetention::DEFAULT);

    let year = AccessRetention::days(365).expect("valid");
    h.store.set_access_retention(&olga, year).await.expect("set");
    assert_eq!(h.store.access_retention(&olga).await.expect("read"), year);
    h.store.set_access_retention(&olga, AccessRetention::days(400).expect("valid")).await.expect("set again");
    assert_eq!(h.store.access_retention(&sur).await.expect("read").as_days(), 400);

    let refused = h.store.set_access_retention(&pedro, year).await;
    assert!(matches!(refused, Err(StoreError::OwnerOnly)), "{refused:?}");
    assert!(matches!(h.store.access_retention(&pedro).await, Err(StoreError::OwnerOnly)));
    assert_eq!(h.store.access_retention(&olga).await.expect("read").as_days(), 400);
}
