//! Writers racing on PostgreSQL: several connections at once, real threads.
//! Each test runs its calls concurrently and checks that the outcome is one
//! of the orders they could have run in one after another.

use std::sync::Arc;

use ficha_domain::{Actor, Client, ClientChanges, ClientName, Email, NewBusiness, NewClient, Slug};
use ficha_store::{Store, StoreError, StoreResult};
use tokio::task::JoinSet;

use super::fresh;

const WRITERS: usize = 8;

async fn business(store: &Arc<dyn Store>) -> Actor {
    let new = NewBusiness { slug: Slug::parse("sur").expect("valid"), name: "Sur".into(), time_zone: "UTC".into() };
    Actor::System { business: store.create_business(new).await.expect("business").id }
}

fn new_client(name: &str, email: &str) -> NewClient {
    NewClient {
        name: ClientName::parse(name).expect("valid"),
        email: Email::parse(email).expect("valid"),
        phone: None,
        rut: None,
        birth_date: None,
    }
}

/// The one success among `results`; panics unless there is exactly one.
fn only_winner(results: &[StoreResult<Client>]) -> &Client {
    let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "exactly one writer wins: {results:?}");
    won[0]
}

/// Each update locks the row before comparing versions, so of several edits
/// of version 1 one wins and the others see its result as `Stale`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_of_one_version_let_one_win() {
    let Some(h) = fresh().await else { return };
    let actor = business(&h.store).await;
    let client = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");

    let mut edits = JoinSet::new();
    for i in 0..WRITERS {
        let store = h.store.clone();
        let name = ClientName::parse(&format!("Ana {i}")).expect("valid");
        let changes = ClientChanges { name: Some(name), ..Default::default() };
        edits.spawn(async move { store.update_client(&actor, client.id, 1, changes).await });
    }
    let results = edits.join_all().await;

    let winner = only_winner(&results);
    for result in &results {
        match result {
            Ok(_) => {}
            Err(StoreError::Stale { current }) => assert_eq!(**current, *winner, "losers see the winner's write"),
            Err(other) => panic!("expected Stale, got {other:?}"),
        }
    }
    assert_eq!(h.store.get_client(&actor, client.id).await.expect("read"), *winner);
    h.finish().await;
}

/// Registrations of one email at once: one is stored, and every other is
/// told who holds the email, even when its insert lost inside the index.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_registrations_of_one_email_name_the_holder() {
    let Some(h) = fresh().await else { return };
    let actor = business(&h.store).await;

    let mut creates = JoinSet::new();
    for i in 0..WRITERS {
        let store = h.store.clone();
        let new = new_client(&format!("Ana {i}"), "Ana@Mail.cl");
        creates.spawn(async move { store.create_client(&actor, new).await });
    }
    let results = creates.join_all().await;

    let winner = only_winner(&results);
    for result in &results {
        match result {
            Ok(_) => {}
            Err(StoreError::EmailTaken { existing }) => assert_eq!(*existing, winner.id),
            Err(other) => panic!("expected EmailTaken, got {other:?}"),
        }
    }
    assert_eq!(h.store.list_clients(&actor, &Default::default()).await.expect("listed").total, 1);
    h.finish().await;
}

/// Different clients moving to one free email at once: whether a loser sees
/// the winner in its own check or only when the unique index refuses its
/// update, it gets `EmailTaken` naming the winner and keeps its old email.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_moves_to_one_email_name_the_holder() {
    let Some(h) = fresh().await else { return };
    let actor = business(&h.store).await;
    let mut clients = Vec::new();
    for i in 0..WRITERS {
        let new = new_client(&format!("Cliente {i}"), &format!("c{i}@mail.cl"));
        clients.push(h.store.create_client(&actor, new).await.expect("created"));
    }

    let mut moves = JoinSet::new();
    for client in &clients {
        let (store, id) = (h.store.clone(), client.id);
        let changes =
            ClientChanges { email: Some(Email::parse("nueva@mail.cl").expect("valid")), ..Default::default() };
        moves.spawn(async move { store.update_client(&actor, id, 1, changes).await });
    }
    let results = moves.join_all().await;

    let winner = only_winner(&results);
    for result in &results {
        match result {
            Ok(_) => {}
            Err(StoreError::EmailTaken { existing }) => assert_eq!(*existing, winner.id),
            Err(other) => panic!("expected EmailTaken, got {other:?}"),
        }
    }
    for client in clients.iter().filter(|c| c.id != winner.id) {
        assert_eq!(h.store.get_client(&actor, client.id).await.expect("read"), *client, "losers are unchanged");
    }
    h.finish().await;
}
