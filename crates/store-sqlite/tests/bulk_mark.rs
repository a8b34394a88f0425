//! SQLite's sweep after a bulk load (migration 0032): the mark remembers how
//! far the sweep has come, a key written behind it is queued and one ahead
//! is left to the sweep, and the sweep replaces every link of its range.

use std::sync::Arc;

use ficha_domain::{Actor, FixedClock, NewBusiness, NewClient, Slug};
use ficha_store::Store;
use ficha_store::contract::{keyed, paired_emails, start_time};
use ficha_store::duplicates::MARK_WHOLE_BUSINESS_FROM;
use ficha_store_sqlite::SqliteStore;
use sqlx::{Connection, SqliteConnection};

fn client(name: &str, email: &str, rut: Option<&str>, phone: Option<&str>) -> NewClient {
    keyed(name, email, rut, phone, None)
}

async fn count(conn: &mut SqliteConnection, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(conn).await.expect("counted")
}

async fn run(conn: &mut SqliteConnection, sql: &'static str) {
    sqlx::query(sql).execute(conn).await.expect("ran");
}

async fn pairs(store: &Arc<dyn Store>, actor: &Actor) -> Vec<(String, String)> {
    paired_emails(&**store, actor).await
}

/// A store on a fresh file (kept until the folder is dropped), its URL and
/// a business.
async fn fresh(slug: &str) -> (tempfile::TempDir, String, Arc<dyn Store>, Actor) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("ficha.db").display());
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::connect(&url, Arc::new(FixedClock::at(start_time()))).await.expect("opens"));
    let new = NewBusiness { slug: Slug::parse(slug).expect("valid"), name: slug.into(), time_zone: "UTC".into() };
    let actor = Actor::System { business: store.create_business(new).await.expect("business").id };
    (dir, url, store, actor)
}

#[tokio::test]
async fn writes_behind_the_sweep_are_queued_and_those_ahead_are_swept() {
    let (_dir, url, store, actor) = fresh("barrido").await;

    // A pair from before the load, stored as a link.
    store.create_client(&actor, client("Ana Pérez", "ana@x.cl", Some("12.345.678-5"), None)).await.expect("created");
    store.create_client(&actor, client("Ana Soto", "anita@x.cl", Some("12345678-5"), None)).await.expect("created");
    assert_eq!(pairs(&store, &actor).await, vec![("ana@x.cl".to_owned(), "anita@x.cl".to_owned())]);

    let mut batch: Vec<NewClient> = (0..MARK_WHOLE_BUSINESS_FROM - 4)
        .map(|n| client(&format!("Cliente {n}"), &format!("c{n}@x.cl"), None, None))
        .collect();
    batch.push(client("Luis Rojas", "luis@x.cl", None, Some("+56 9 6234 5678")));
    batch.push(client("Pedro Díaz", "pedro@x.cl", None, Some("962345678")));
    batch.push(client("Rosa Vera", "rosa@x.cl", None, None));
    batch.push(client("Juan Vera", "juan@x.cl", None, None));
    store.import_clients(&actor, batch).await.expect("imported");

    let mut raw = SqliteConnection::connect(&url).await.expect("raw connection");
    assert_eq!(count(&mut raw, "SELECT count(*) FROM duplicate_stale_keys").await, 0, "no key queued");
    assert_eq!(count(&mut raw, "SELECT count(*) FROM duplicate_recompute_all WHERE after_kind = ''").await, 1);

    // As if the sweep had done every phone group and stopped there: the
    // RUT groups are ahead of it.
    run(&mut raw, "UPDATE duplicate_recompute_all SET after_kind = 'phone', after_key = '~'").await;
    // Ahead: both Anas take other RUTs, and their group is left with no key
    // at all; Juan takes Ana's new one. Nothing is queued.
    run(&mut raw, "UPDATE clients SET rut = '11111111-1' WHERE email = 'ana@x.cl'").await;
    run(&mut raw, "UPDATE clients SET rut = '22222222-2' WHERE email = 'anita@x.cl'").await;
    run(&mut raw, "UPDATE clients SET rut = '11111111-1' WHERE email = 'juan@x.cl'").await;
    assert_eq!(count(&mut raw, "SELECT count(*) FROM duplicate_stale_keys").await, 0, "keys ahead are not queued");
    // Behind: Rosa takes Luis's and Pedro's phone, and that group is queued.
    run(&mut raw, "UPDATE clients SET phone = '+56962345678' WHERE email = 'rosa@x.cl'").await;
    assert_eq!(count(&mut raw, "SELECT count(*) FROM duplicate_stale_keys").await, 1, "a key behind is queued");

    // The sweep goes on from its position (the RUT groups: Ana and Juan
    // pair, the old pair of the Anas is gone with its group's keys), then
    // the queue (the phone group, which the faked sweep never computed).
    let expected = [
        ("ana@x.cl", "juan@x.cl"),
        ("luis@x.cl", "pedro@x.cl"),
        ("luis@x.cl", "rosa@x.cl"),
        ("pedro@x.cl", "rosa@x.cl"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
    assert_eq!(pairs(&store, &actor).await, expected);
    assert_eq!(
        count(&mut raw, "SELECT count(*) FROM duplicate_recompute_all").await,
        0,
        "the sweep ends by removing the mark"
    );
    assert_eq!(count(&mut raw, "SELECT count(*) FROM duplicate_stale_keys").await, 0);
    raw.close().await.expect("closed");
}

/// The sweep commits every few thousand shared groups: 20 000 clients in
/// pairs by phone (10 000 groups of two, among groups of one) take several
/// batches, and every pair is found, the last one too.
#[tokio::test]
async fn a_sweep_of_several_batches_finds_every_pair() {
    let (_dir, _, store, actor) = fresh("lotes").await;
    let mut batch: Vec<NewClient> = (0..MARK_WHOLE_BUSINESS_FROM - 2)
        .map(|n| client(&format!("Cliente {n}"), &format!("c{n}@x.cl"), None, Some(&format!("+5693{:07}", n / 2))))
        .collect();
    batch.push(client("Luis Rojas", "luis@x.cl", None, Some("+56 9 9999 9998")));
    batch.push(client("Pedro Díaz", "pedro@x.cl", None, Some("999999998")));
    batch.push(client("Rosa Vera", "rosa@x.cl", None, Some("999999998")));
    store.import_clients(&actor, batch).await.expect("imported");
    // 9 999 pairs of the numbered clients, 3 of Luis, Pedro and Rosa (whose
    // phone sorts last).
    assert_eq!(store.count_duplicates(&actor).await.expect("counted"), 10_002);
}
