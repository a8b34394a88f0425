//! Migration 0030 moves each search entry from `client_search` onto its
//! client's row and rebuilds the word index from it: clients indexed the
//! way the code before it wrote them (with the business's tenant token in
//! each entry) are found by the same searches after it, and a client still
//! waiting to be indexed is indexed at start-up.

use std::sync::Arc;

use ficha_domain::{Actor, BusinessId, FixedClock, Role};
use ficha_store::contract::start_time;
use ficha_store::search::SearchQuery;
use ficha_store::{SearchStore, Store};
use ficha_store_postgres::PgStore;
use ficha_store_postgres::testing::TestDatabase;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

/// A business with two clients as a database before 0030 held them: María
/// with her entry in `client_search` (and so in `client_words`), Pedro
/// queued in `client_search_pending`.
const BEFORE_0030: &str = "
    INSERT INTO businesses (id, slug, name, time_zone, created_at)
    VALUES ('0190a0b0-0000-7000-8000-000000000001', 'vieja', 'Vieja', 'America/Santiago', 0);
    INSERT INTO clients (id, business_id, name, name_key, email, email_key, phone, rut, registered_at)
    VALUES ('0190a0b0-0000-7000-8000-0000000000a1', '0190a0b0-0000-7000-8000-000000000001',
            'María José González', 'maria jose gonzalez', 'mjg@example.cl', 'mjg@example.cl',
            '+56961234567', '12345678-5', 1),
           ('0190a0b0-0000-7000-8000-0000000000b2', '0190a0b0-0000-7000-8000-000000000001',
            'Pedro Soto', 'pedro soto', 'psoto@example.cl', 'psoto@example.cl', NULL, NULL, 2);
    INSERT INTO client_search (client_id, business_id, doc)
    VALUES ('0190a0b0-0000-7000-8000-0000000000a1', '0190a0b0-0000-7000-8000-000000000001',
            array_to_tsvector(ARRAY['t0190a0b0000070008000000000000001', 'maria', 'jose', 'gonzalez',
                                    'mjg', 'example', 'cl', 'pt76543216965', 'rut123456785']));
    INSERT INTO client_search_pending (client_id, business_id)
    VALUES ('0190a0b0-0000-7000-8000-0000000000b2', '0190a0b0-0000-7000-8000-000000000001');
";

#[tokio::test]
async fn clients_indexed_before_0030_are_found_after_it() {
    let Some(database) = TestDatabase::create().await else { return };
    let mut conn = PgConnection::connect(database.url()).await.expect("connects");
    sqlx::migrate!("./migrations").run_to(29, &mut conn).await.expect("migrates to 0029");
    sqlx::raw_sql(BEFORE_0030).execute(&mut conn).await.expect("old rows written");

    let store = PgStore::connect(database.url(), Arc::new(FixedClock::at(start_time()))).await.expect("migrates");
    let business = BusinessId::from_uuid(Uuid::parse_str("0190a0b0-0000-7000-8000-000000000001").expect("uuid"));
    let owner = Actor::Staff { business, staff: None, role: Role::Owner };
    let found = |text: &'static str| {
        let (store, owner) = (&store, &owner);
        async move {
            let query = SearchQuery::parse(text).expect("valid query");
            let page = store.search_clients(owner, &query, 0, 20).await.expect("searched");
            page.hits.iter().map(|hit| hit.client.name.as_str().to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(found("gonz").await, ["María José González"], "by a prefix of a name word");
    assert_eq!(found("maria gonzalez").await, ["María José González"], "two words, one checked");
    assert_eq!(found("4567").await, ["María José González"], "by the phone's tail");
    assert_eq!(found("12345678").await, ["María José González"], "by the RUT");
    assert_eq!(found("soto").await, ["Pedro Soto"], "the queued client, indexed at start-up");

    let entry: Vec<String> = sqlx::query_scalar(
        "SELECT unnest(tsvector_to_array(search_doc)) FROM clients WHERE email_key = 'mjg@example.cl'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("read");
    assert_eq!(
        entry,
        ["cl", "example", "gonzalez", "jose", "maria", "mjg", "pt76543216965", "rut123456785"],
        "the entry moved onto the client, without the tenant token"
    );
    sqlx::query("DELETE FROM clients WHERE email_key = 'mjg@example.cl'").execute(&mut conn).await.expect("deleted");
    let left: Vec<String> =
        sqlx::query_scalar("SELECT word FROM search_words ORDER BY word").fetch_all(&mut conn).await.expect("read");
    assert_eq!(left, ["cl", "example", "pedro", "psoto", "soto"], "a deleted client's words go with it");

    store.close().await;
    conn.close().await.expect("closed");
    database.drop_database().await;
}
