//! The outbox under concurrent workers and writers on PostgreSQL, and its
//! wake-ups across instances (two stores on one database).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use ficha_domain::{
    Actor, BookingState, Channel, ClientName, ClientPreferences, Clp, Email, FixedClock, MessageStatus, Minutes,
    NewBusiness, NewClient, NewService, NewStaff, NoticeKind, NotificationSettings, Origin, Phone, Role, ServiceName,
    Sessions, Slug, Template, WhatsappSettings,
};
use ficha_store::contract::start_time;
use ficha_store::{AccountMessage, MessageQuery, NewBooking, OutboxStore, Store};
use ficha_store_postgres::PgStore;
use jiff::SignedDuration;
use tokio::task::JoinSet;

use super::{fresh, fresh_with_url};

const WORKERS: usize = 4;
const MESSAGES: usize = 200;

async fn business(store: &Arc<dyn Store>) -> Actor {
    let new = NewBusiness {
        slug: Slug::parse("sur").expect("valid"),
        name: "Sur".into(),
        time_zone: "America/Santiago".into(),
    };
    Actor::System { business: store.create_business(new).await.expect("business").id }
}

fn account(i: usize) -> AccountMessage {
    AccountMessage {
        kind: NoticeKind::SignInLink,
        key: format!("token-{i}"),
        client: None,
        email: Email::parse(&format!("c{i}@mail.cl")).expect("valid"),
        client_name: format!("Cliente {i}"),
        link: format!("/sur/entrar/{i}"),
        code: None,
    }
}

/// Workers of several instances claiming at once: each message is claimed
/// by exactly one of them, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_workers_claim_each_message_exactly_once() {
    let Some(h) = fresh().await else { return };
    let actor = business(&h.store).await;
    for i in 0..MESSAGES {
        h.store.send_account_message(actor.business(), account(i)).await.expect("written");
    }

    let mut workers = JoinSet::new();
    for _ in 0..WORKERS {
        let store = h.store.clone();
        workers.spawn(async move {
            let mut taken = Vec::new();
            loop {
                let claims = store.claim_due(SignedDuration::from_mins(5), 7).await.expect("claimed");
                if claims.is_empty() {
                    return taken;
                }
                for claim in claims {
                    assert_eq!(claim.attempt(), 1, "no message is claimed twice");
                    assert!(store.mark_sent(&claim, None).await.expect("marked"), "the claim holds it");
                    taken.push(claim.message.id);
                }
            }
        });
    }
    let taken = workers.join_all().await;

    let mut claims: HashMap<_, usize> = HashMap::new();
    for id in taken.iter().flatten() {
        *claims.entry(*id).or_default() += 1;
    }
    assert_eq!(claims.len(), MESSAGES, "every message was claimed");
    assert!(claims.values().all(|&n| n == 1), "once each");
    let shares: Vec<usize> = taken.iter().map(Vec::len).collect();
    assert!(shares.iter().filter(|&&n| n > 0).count() > 1, "the work was shared: {shares:?}");
    let query = MessageQuery { status: Some(MessageStatus::Sent), limit: 100, ..Default::default() };
    let mut sent = 0;
    let mut page = h.store.messages(&actor, &query).await.expect("listed");
    loop {
        sent += page.messages.len();
        let Some(next) = page.next else { break };
        page = h.store.messages(&actor, &MessageQuery { after: Some(next), ..query.clone() }).await.expect("listed");
    }
    assert_eq!(sent, MESSAGES);
    assert!(h.store.claim_due(SignedDuration::from_mins(5), 10).await.expect("claimed").is_empty());
    h.finish().await;
}

/// A client opting out of WhatsApp while bookings for them are being made:
/// whatever the order, no WhatsApp message is left to go.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_opt_out_during_bookings_leaves_no_whatsapp_message_to_go() {
    let Some(h) = fresh().await else { return };
    let system = business(&h.store).await;
    let staff = NewStaff {
        name: ClientName::parse("Pedro Soto").expect("valid"),
        email: Email::parse("pedro@sur.cl").expect("valid"),
        role: Role::Owner,
        password_hash: "not a real hash".into(),
    };
    let pro = h.store.create_staff(&system, staff).await.expect("staff").id;
    let owner = Actor::Staff { business: system.business(), staff: Some(pro), role: Role::Owner };
    let service = NewService {
        name: ServiceName::parse("Kinesiología").expect("valid"),
        duration: Minutes::new(30).expect("valid"),
        price: Clp::new(20_000).expect("valid"),
        sessions: Sessions::new(1).expect("valid"),
        professionals: [pro].into_iter().collect(),
    };
    let service = h.store.create_service(&owner, service).await.expect("service").id;
    let ana = NewClient {
        name: ClientName::parse("Ana Pérez").expect("valid"),
        email: Email::parse("ana@mail.cl").expect("valid"),
        phone: Some(Phone::parse("961234567").expect("valid")),
        rut: None,
        birth_date: None,
    };
    let ana = h.store.create_client(&owner, ana).await.expect("client").id;
    let settings = NotificationSettings {
        whatsapp: WhatsappSettings {
            enabled: true,
            phone_number_id: "1".into(),
            access_token: "t".into(),
            templates: NoticeKind::whatsapp_kinds()
                .map(|k| (k, Template { name: k.as_str().into(), language: "es".into() }))
                .collect(),
        },
        ..Default::default()
    };
    h.store.set_notification_settings(&owner, settings).await.expect("saved");

    let mut writes = JoinSet::new();
    for i in 0..8i64 {
        let store = h.store.clone();
        writes.spawn(async move {
            let new = NewBooking {
                client: ana,
                service,
                professional: Some(pro),
                start: Some(start_time() + SignedDuration::from_hours(48 + i)),
                end: None,
                state: BookingState::Pending,
                origin: Origin::Panel,
                override_agenda: true,
            };
            store.book(&owner, new).await.map(drop).expect("booked");
        });
        if i == 3 {
            let store = h.store.clone();
            let out = ClientPreferences { no_whatsapp: true, no_reminders: false };
            writes.spawn(async move {
                store
                    .set_client_preferences(&owner, ana, out, ficha_domain::ChoiceSource::Panel)
                    .await
                    .map(drop)
                    .expect("opted out");
            });
        }
    }
    writes.join_all().await;

    let query = MessageQuery { client: Some(ana), limit: 100, ..Default::default() };
    let messages = h.store.messages(&owner, &query).await.expect("listed").messages;
    assert_eq!(messages.iter().filter(|m| m.channel == Channel::Email).count(), 16, "8 bookings, 8 reminders");
    let left: Vec<_> =
        messages.iter().filter(|m| m.channel == Channel::Whatsapp && m.status != MessageStatus::Cancelled).collect();
    assert!(left.is_empty(), "WhatsApp messages left to go after the opt-out: {left:#?}");
    h.finish().await;
}

/// A message committed through one instance wakes the other's worker
/// (LISTEN/NOTIFY), promptly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_in_one_instance_wakes_the_other() {
    let Some((h, url)) = fresh_with_url().await else { return };
    let clock = Arc::new(FixedClock::at(start_time()));
    let other = PgStore::connect(&url, clock).await.expect("a second instance");
    let woken = other.outbox_signal();
    // Its listener rings once it is listening.
    let listening = tokio::time::timeout(Duration::from_secs(10), woken.notified()).await;
    assert!(listening.is_ok(), "the second instance listens");

    let actor = business(&h.store).await;
    h.store.send_account_message(actor.business(), account(1)).await.expect("written");
    let rung = tokio::time::timeout(Duration::from_secs(5), woken.notified()).await;
    assert!(rung.is_ok(), "the other instance is told of the commit");
    let claims = other.claim_due(SignedDuration::from_mins(1), 10).await.expect("claimed");
    assert_eq!(claims.len(), 1, "and finds the message");
    other.close().await;
    h.finish().await;
}
