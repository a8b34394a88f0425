//! A bulk load marks its business for the duplicate recompute's
//! whole-business pass instead of queueing each key (migration 0031), and
//! the mark is safe against a writer that skipped the queue because of it.

use std::sync::Arc;
use std::time::Duration;

use ficha_domain::{Actor, NewBusiness, NewClient, Slug};
use ficha_store::Store;
use ficha_store::contract::{keyed, paired_emails};
use sqlx::{Connection, PgConnection};

use super::fresh_with_url;

fn client(name: &str, email: &str, rut: Option<&str>, phone: Option<&str>) -> NewClient {
    keyed(name, email, rut, phone, None)
}

async fn business(store: &Arc<dyn Store>, slug: &str) -> Actor {
    let new = NewBusiness { slug: Slug::parse(slug).expect("valid"), name: "Marca".into(), time_zone: "UTC".into() };
    Actor::System { business: store.create_business(new).await.expect("business").id }
}

async fn count(conn: &mut PgConnection, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(conn).await.expect("counted")
}

async fn pairs(store: &Arc<dyn Store>, actor: &Actor) -> Vec<(String, String)> {
    paired_emails(&**store, actor).await
}

#[tokio::test]
async fn a_bulk_load_marks_its_business_and_the_pass_finds_its_pairs() {
    let Some((h, url)) = fresh_with_url().await else { return };
    let actor = business(&h.store, "carga").await;
    // 20 000 clients, the least a batch marks, two pairs among them.
    let mut batch: Vec<NewClient> =
        (0..19_996).map(|n| client(&format!("Cliente {n}"), &format!("c{n}@x.cl"), None, None)).collect();
    batch.push(client("Ana Pérez", "ana@x.cl", Some("12.345.678-5"), None));
    batch.push(client("Anita Soto", "anita@x.cl", Some("12345678-5"), None));
    batch.push(client("Luis Rojas", "luis@x.cl", None, Some("+56 9 6234 5678")));
    batch.push(client("Pedro Díaz", "pedro@x.cl", None, Some("962345678")));
    assert_eq!(h.store.import_clients(&actor, batch).await.expect("imported"), 20_000);

    let mut raw = PgConnection::connect(&url).await.expect("raw connection");
    assert_eq!(count(&mut raw, "SELECT count(*) FROM duplicate_stale_keys").await, 0, "no key queued");
    assert_eq!(count(&mut raw, "SELECT count(*) FROM duplicate_recompute_all").await, 1, "the business marked");

    let expected =
        vec![("ana@x.cl".to_owned(), "anita@x.cl".to_owned()), ("luis@x.cl".to_owned(), "pedro@x.cl".to_owned())];
    assert_eq!(pairs(&h.store, &actor).await, expected);
    assert_eq!(count(&mut raw, "SELECT count(*) FROM duplicate_recompute_all").await, 0, "the pass takes the mark");

    // A small batch after it queues its keys as any write does.
    let small = vec![client("Ana Perez", "ana2@x.cl", Some("12.345.678-5"), None)];
    h.store.import_clients(&actor, small).await.expect("imported");
    assert_eq!(count(&mut raw, "SELECT count(*) FROM duplicate_recompute_all").await, 0, "a small batch marks nothing");
    assert_eq!(pairs(&h.store, &actor).await.len(), 4, "the third RUT holder pairs with both");

    // A deleted client's keys go with it (a trigger, not a foreign key).
    let ana: uuid::Uuid = sqlx::query_scalar("SELECT id FROM clients WHERE email_key = 'ana2@x.cl'")
        .fetch_one(&mut raw)
        .await
        .expect("found");
    h.store.delete_client(&actor, ficha_domain::ClientId::from_uuid(ana)).await.expect("deleted");
    let left = "SELECT count(*) FROM client_match_keys k WHERE NOT EXISTS \
                (SELECT 1 FROM clients c WHERE c.business_id = k.business_id AND c.id = k.client_id)";
    assert_eq!(count(&mut raw, left).await, 0, "no key outlives its client");
    assert_eq!(pairs(&h.store, &actor).await, expected);
    raw.close().await.expect("closed");
    h.finish().await;
}

/// A writer that found the mark and left its keys unqueued holds the mark
/// until it commits: the pass waits for it and then sees its keys. Without
/// that lock the pass would read the keys before the commit, and nothing
/// would ever recompute the writer's pair.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pass_waits_for_a_writer_that_skipped_the_queue() {
    let Some((h, url)) = fresh_with_url().await else { return };
    let actor = business(&h.store, "espera").await;
    h.store.create_client(&actor, client("Ana Pérez", "ana@x.cl", Some("12.345.678-5"), None)).await.expect("created");
    let anita = h.store.create_client(&actor, client("Anita Soto", "anita@x.cl", None, None)).await.expect("created");
    assert!(pairs(&h.store, &actor).await.is_empty());

    let mut writer = PgConnection::connect(&url).await.expect("raw connection");
    sqlx::query("INSERT INTO duplicate_recompute_all (business_id) SELECT id FROM businesses WHERE slug = 'espera'")
        .execute(&mut writer)
        .await
        .expect("marked");
    sqlx::query("BEGIN").execute(&mut writer).await.expect("began");
    sqlx::query("UPDATE clients SET rut = '12345678-5' WHERE id = $1")
        .bind(anita.id.as_uuid())
        .execute(&mut writer)
        .await
        .expect("the RUT given");
    assert_eq!(count(&mut writer, "SELECT count(*) FROM duplicate_stale_keys").await, 0, "the mark skipped the queue");

    let store = h.store.clone();
    let pass = tokio::spawn(async move { pairs(&store, &actor).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!pass.is_finished(), "the pass waits for the writer holding the mark");
    sqlx::query("COMMIT").execute(&mut writer).await.expect("committed");
    let found = pass.await.expect("the pass ends");
    assert_eq!(found, vec![("ana@x.cl".to_owned(), "anita@x.cl".to_owned())]);
    writer.close().await.expect("closed");
    h.finish().await;
}
