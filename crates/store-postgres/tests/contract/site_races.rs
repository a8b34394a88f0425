//! Clients racing on the booking site, on PostgreSQL with real threads: for
//! one slot exactly one booking is made and every other client is told the
//! slot was taken, also across two app instances on one database; one new
//! email typed by several at once makes one profile.

use std::collections::BTreeSet;
use std::sync::Arc;

use ficha_domain::{
    Actor, Agenda, BookingRules, ClientName, Clp, DayHours, Email, Minutes, NewBusiness, NewService, NewStaff, Role,
    ServiceName, Sessions, SiteRule, Slug, StaffId, TimeRange,
};
use ficha_store::{Link, OnlineBooking, Store, StoreError, Typed};
use jiff::Timestamp;
use tokio::task::JoinSet;

use ficha_domain::FixedClock;
use ficha_store::contract::start_time;
use ficha_store_postgres::PgStore;

use super::{fresh, fresh_with_url};

const WRITERS: usize = 8;

pub(super) struct Site {
    pub actor: Actor,
    pub pros: Vec<StaffId>,
    pub service: ficha_domain::ServiceId,
}

/// A business in UTC open online, with `pros` professionals working 09–18
/// every day and a one-hour service they all do.
pub(super) async fn site(store: &Arc<dyn Store>, pros: usize) -> Site {
    let new = NewBusiness { slug: Slug::parse("sur").expect("valid"), name: "Sur".into(), time_zone: "UTC".into() };
    let actor = Actor::System { business: store.create_business(new).await.expect("business").id };
    let day = DayHours::new(vec![TimeRange::parse("09:00", "18:00").expect("valid")]).expect("day");
    let agenda = Agenda::new(std::array::from_fn(|_| day.clone()), BTreeSet::new()).expect("agenda");
    let mut ids = Vec::new();
    for i in 0..pros {
        let new = NewStaff {
            name: ClientName::parse("Profesional").expect("valid"),
            email: Email::parse(&format!("pro{i}@sur.cl")).expect("valid"),
            role: Role::Professional,
            password_hash: "x".into(),
        };
        let id = store.create_staff(&actor, new).await.expect("staff").id;
        store.set_agenda(&actor, id, agenda.clone()).await.expect("agenda");
        ids.push(id);
    }
    let service = NewService {
        name: ServiceName::parse("Masaje").expect("valid"),
        duration: Minutes::new(60).expect("valid"),
        price: Clp::new(25_000).expect("valid"),
        sessions: Sessions::new(1).expect("valid"),
        professionals: ids.iter().copied().collect(),
    };
    let service = store.create_service(&actor, service).await.expect("service").id;
    let rules = BookingRules { online: true, ..BookingRules::default() };
    store.set_booking_rules(&actor, rules).await.expect("rules");
    Site { actor, pros: ids, service }
}

pub(super) fn asked(
    site: &Site,
    professional: Option<StaffId>,
    start: Timestamp,
    email: &str,
    token: String,
) -> OnlineBooking {
    OnlineBooking {
        service: site.service,
        professional,
        start,
        client: Typed {
            name: ClientName::parse("Cliente").expect("valid"),
            email: Email::parse(email).expect("valid"),
            phone: None,
            rut: None,
            birth_date: None,
            values: Vec::new(),
        },
        link: Link { token_hash: token.clone().into_bytes(), path: format!("/reservar/sur/reserva/{token}") },
        consent: ficha_domain::Acceptance { notice_version: 1, whatsapp_opt_in: false },
    }
}

/// Tomorrow 10:00 UTC of the harness clock (2026-03-14 12:00 UTC).
pub(super) fn slot() -> Timestamp {
    "2026-03-15T10:00:00Z".parse().expect("valid")
}

/// Every loser is told, in the site's words, that the slot was taken.
fn count_winners<T: std::fmt::Debug>(results: &[Result<T, StoreError>]) -> usize {
    for result in results {
        match result {
            Ok(_) | Err(StoreError::SiteRefused(SiteRule::SlotTaken)) => {}
            Err(other) => panic!("expected SlotTaken, got {other:?}"),
        }
    }
    results.iter().filter(|r| r.is_ok()).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clients_racing_for_one_slot_make_one_booking() {
    let Some(h) = fresh().await else { return };
    let site = Arc::new(site(&h.store, 1).await);
    let mut writers = JoinSet::new();
    for i in 0..WRITERS {
        let (store, site) = (h.store.clone(), site.clone());
        let request = asked(&site, Some(site.pros[0]), slot(), &format!("c{i}@mail.cl"), format!("t{i}"));
        writers.spawn(async move { store.book_online(&site.actor, request).await });
    }
    assert_eq!(count_winners(&writers.join_all().await), 1);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cualquiera_fills_each_professional_once() {
    let Some(h) = fresh().await else { return };
    let site = Arc::new(site(&h.store, 3).await);
    let mut writers = JoinSet::new();
    for i in 0..WRITERS {
        let (store, site) = (h.store.clone(), site.clone());
        let request = asked(&site, None, slot(), &format!("c{i}@mail.cl"), format!("t{i}"));
        writers.spawn(async move { store.book_online(&site.actor, request).await });
    }
    let results = writers.join_all().await;
    assert_eq!(count_winners(&results), 3, "one booking per professional");
    let pros: BTreeSet<_> = results.iter().filter_map(|r| r.as_ref().ok()).filter_map(|b| b.professional).collect();
    assert_eq!(pros.len(), 3);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_new_email_typed_at_once_makes_one_profile() {
    let Some(h) = fresh().await else { return };
    let site = Arc::new(site(&h.store, WRITERS).await);
    let mut writers = JoinSet::new();
    for i in 0..WRITERS {
        let (store, site) = (h.store.clone(), site.clone());
        let request = asked(&site, Some(site.pros[i]), slot(), "Nueva@Mail.cl", format!("t{i}"));
        writers.spawn(async move { store.book_online(&site.actor, request).await });
    }
    let results = writers.join_all().await;
    let clients: BTreeSet<_> = results.iter().map(|r| r.as_ref().expect("each booked").client).collect();
    assert_eq!(clients.len(), 1, "one profile for one email");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_racing_for_one_slot_make_one_booking() {
    let Some((h, url)) = fresh_with_url().await else { return };
    let other: Arc<dyn Store> =
        Arc::new(PgStore::connect(&url, Arc::new(FixedClock::at(start_time()))).await.expect("a second instance"));
    let site = Arc::new(site(&h.store, 1).await);
    let mut writers = JoinSet::new();
    for i in 0..WRITERS {
        let store = if i % 2 == 0 { h.store.clone() } else { other.clone() };
        let site = site.clone();
        let request = asked(&site, Some(site.pros[0]), slot(), &format!("c{i}@mail.cl"), format!("t{i}"));
        writers.spawn(async move { store.book_online(&site.actor, request).await });
    }
    assert_eq!(count_winners(&writers.join_all().await), 1);
    other.close().await;
    h.finish().await;
}
