//! Notes and history under concurrent writers on PostgreSQL.

use std::sync::Arc;

use ficha_domain::{Actor, Change, ClientName, Email, NewBusiness, NewClient, NoteText, Slug, Viewer};
use ficha_store::{HistoryQuery, Store, StoreError};
use tokio::task::JoinSet;

use super::fresh;

const WRITERS: usize = 8;

async fn business_with_client(store: &Arc<dyn Store>) -> (Actor, ficha_domain::ClientId) {
    let new = NewBusiness { slug: Slug::parse("sur").expect("valid"), name: "Sur".into(), time_zone: "UTC".into() };
    let actor = Actor::System { business: store.create_business(new).await.expect("business").id };
    let client = NewClient {
        name: ClientName::parse("Ana Pérez").expect("valid"),
        email: Email::parse("ana@mail.cl").expect("valid"),
        phone: None,
        rut: None,
        birth_date: None,
    };
    (actor, store.create_client(&actor, client).await.expect("client").id)
}

fn text(text: &str) -> NoteText {
    NoteText::parse(text).expect("valid")
}

/// A note added while its client is being deleted either lands before the
/// deletion (and goes with the client) or finds no client: never a database
/// error, never a note without its client.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn notes_added_during_a_deletion_land_before_it_or_find_no_client() {
    let Some(h) = fresh().await else { return };
    let (actor, client) = business_with_client(&h.store).await;

    let mut writes = JoinSet::new();
    for i in 0..WRITERS {
        let store = h.store.clone();
        writes.spawn(async move { store.add_note(&actor, client, text(&format!("nota {i}"))).await.map(drop) });
    }
    let store = h.store.clone();
    writes.spawn(async move { store.delete_client(&actor, client).await });
    for result in writes.join_all().await {
        assert!(matches!(result, Ok(()) | Err(StoreError::NotFound)), "{result:?}");
    }
    let deletions = h.store.deletions(&actor, &HistoryQuery::default()).await.expect("deletions");
    assert_eq!(deletions.deletions.len(), 1);
    let notes = h.store.notes(&Viewer::Staff(actor), client).await;
    assert!(matches!(notes, Err(StoreError::NotFound)), "{notes:?}");
    h.finish().await;
}

/// Edits of one note at once queue on its row: each is recorded with the
/// text it replaced, so the history chains from the first text to the last.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_edits_of_a_note_chain_in_its_history() {
    let Some(h) = fresh().await else { return };
    let (actor, client) = business_with_client(&h.store).await;
    let note = h.store.add_note(&actor, client, text("primera")).await.expect("added");

    let mut edits = JoinSet::new();
    for i in 0..WRITERS {
        let store = h.store.clone();
        edits.spawn(async move { store.edit_note(&actor, client, note.id, text(&format!("versión {i}"))).await });
    }
    for result in edits.join_all().await {
        result.expect("every edit saves");
    }
    let query = HistoryQuery { after: None, limit: 100 };
    let mut entries = h.store.client_history(&actor, client, &query).await.expect("history").entries;
    entries.reverse();
    let mut current = "primera".to_owned();
    for entry in &entries[1..] {
        let Change::NoteEdited { old, new, .. } = &entry.change else { panic!("an edit: {entry:?}") };
        assert_eq!(*old, current, "each edit replaced the text the previous one wrote");
        current = new.clone();
    }
    assert_eq!(entries.len(), WRITERS + 1);
    let stored = h.store.note(&Viewer::Staff(actor), client, note.id).await.expect("read");
    assert_eq!(stored.text.as_str(), current);
    h.finish().await;
}
