//! Registering many clients at once: all or nothing, each one searchable.

use super::{Harness, business, new_client};
use crate::StoreError;
use crate::search::SearchQuery;

pub async fn import_registers_every_client_searchable_and_settles(h: &Harness) {
    let actor = business(h, "sur").await;
    let batch = vec![
        new_client("Ana Pérez", "ana@mail.cl"),
        new_client("Bruno Díaz", "bruno@mail.cl"),
        new_client("Carla Muñoz", "carla@mail.cl"),
    ];

    let imported = h.store.import_clients(&actor, batch).await.expect("imported");
    h.store.settle_after_import().await.expect("settled");

    assert_eq!(imported, 3);
    assert_eq!(h.store.list_clients(&actor, &Default::default()).await.expect("listed").total, 3);
    let query = SearchQuery::parse("munoz").expect("query");
    let found = h.store.search_clients(&actor, &query, 0, 10).await.expect("searched");
    let names: Vec<&str> = found.hits.iter().map(|hit| hit.client.name.as_str()).collect();
    assert_eq!(names, ["Carla Muñoz"]);
}

pub async fn import_with_a_taken_email_names_the_holder_and_writes_nothing(h: &Harness) {
    let actor = business(h, "sur").await;
    let holder = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let batch = vec![new_client("Bruno Díaz", "bruno@mail.cl"), new_client("Ana P.", "ANA@mail.cl")];

    let imported = h.store.import_clients(&actor, batch).await;

    match imported {
        Err(StoreError::EmailTaken { existing }) => assert_eq!(existing, holder.id),
        other => panic!("expected EmailTaken, got {other:?}"),
    }
    assert_eq!(h.store.list_clients(&actor, &Default::default()).await.expect("listed").total, 1);
    let query = SearchQuery::parse("bruno").expect("query");
    assert!(h.store.search_clients(&actor, &query, 0, 10).await.expect("searched").hits.is_empty());
}

pub async fn import_repeating_an_email_writes_nothing(h: &Harness) {
    let actor = business(h, "sur").await;
    let batch = vec![new_client("Bruno Díaz", "bruno@mail.cl"), new_client("Bruno D.", "Bruno@Mail.cl")];

    let imported = h.store.import_clients(&actor, batch).await;

    assert!(imported.is_err(), "a batch repeating an email is refused: {imported:?}");
    assert_eq!(h.store.list_clients(&actor, &Default::default()).await.expect("listed").total, 0);
}
