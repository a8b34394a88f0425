//! The booking site racing a merge, on PostgreSQL with real threads: while
//! one profile is merged into another, people book online with the
//! absorbed profile's email. Each booking lands on exactly one profile —
//! the absorbed one before the merge (and is moved with it), the survivor
//! after — and no third profile is made with the email the merge turned
//! into an alias.

use std::sync::Arc;

use ficha_domain::{ClientName, Email, GeneralField, NewClient};
use ficha_store::{Keep, ListQuery, MergeChoices, MergeRequest};
use jiff::SignedDuration;
use tokio::task::JoinSet;

use super::fresh;
use super::site_races::{asked, site, slot};

const WRITERS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn online_bookings_with_the_absorbed_email_racing_a_merge_land_on_one_profile() {
    let Some(h) = fresh().await else { return };
    let site = Arc::new(site(&h.store, WRITERS).await);
    let new = |name: &str, email: &str| NewClient {
        name: ClientName::parse(name).expect("valid"),
        email: Email::parse(email).expect("valid"),
        phone: None,
        rut: None,
        birth_date: None,
    };
    let survivor = h.store.create_client(&site.actor, new("Ana Pérez", "ana@sur.cl")).await.expect("survivor").id;
    let absorbed = h.store.create_client(&site.actor, new("Ana Perez", "anita@sur.cl")).await.expect("absorbed").id;

    let mut writers = JoinSet::new();
    for i in 0..WRITERS {
        let (store, site) = (h.store.clone(), site.clone());
        // Each its own professional and hour: only the merge is contended.
        let start = slot() + SignedDuration::from_hours(i64::try_from(i).expect("small"));
        let request = asked(&site, Some(site.pros[i]), start, "ANITA@sur.cl", format!("t{i}"));
        writers.spawn(async move { store.book_online(&site.actor, request).await });
    }
    let merge = MergeRequest {
        survivor,
        absorbed,
        choices: MergeChoices {
            fields: vec![(GeneralField::Name, Keep::Survivor), (GeneralField::Email, Keep::Survivor)],
            custom: Vec::new(),
        },
        survivor_version: None,
        absorbed_version: None,
    };
    let (store, actor) = (h.store.clone(), site.actor);
    let merged = tokio::spawn(async move { store.merge_clients(&actor, merge).await });
    let mut booked = Vec::new();
    while let Some(done) = writers.join_next().await {
        booked.push(done.expect("joined").expect("every online booking goes through").id);
    }
    merged.await.expect("joined").expect("merged");

    for id in booked {
        let booking = h.store.get_booking(&site.actor, id).await.expect("booking");
        assert_eq!(booking.client, survivor, "on the survivor, moved or booked after");
    }
    let clients = h.store.list_clients(&site.actor, &ListQuery::default()).await.expect("list");
    assert_eq!(clients.total, 1, "no profile made with the alias: {:?}", clients.clients);
    h.finish().await;
}
