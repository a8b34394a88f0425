//! The storage contract, run against SQLite: a fresh database file per test.

use std::sync::Arc;

use ficha_domain::FixedClock;
use ficha_store::contract::{Harness, start_time};
use ficha_store_sqlite::SqliteStore;

async fn fresh() -> Option<Harness> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("ficha.db").display());
    let clock = Arc::new(FixedClock::at(start_time()));
    let store = SqliteStore::connect(&url, clock.clone()).await.expect("SQLite store opens");
    // The folder lives until the test has finished with the store.
    Some(Harness::new(Arc::new(store), clock).with_teardown(async move { drop(dir) }))
}

mod sqlite {
    ficha_store::contract_suite!(super::fresh);
}
