//! The storage contract, run against SQLite: a fresh database file per test.

use std::sync::Arc;

use ficha_domain::FixedClock;
use ficha_store::contract::{Harness, RawSql, start_time};
use ficha_store_sqlite::SqliteStore;
use sqlx::{Connection, SqliteConnection};

async fn fresh() -> Option<Harness> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("ficha.db").display());
    let clock = Arc::new(FixedClock::at(start_time()));
    let store = SqliteStore::connect(&url, clock.clone()).await.expect("SQLite store opens");
    // Rows as an older version wrote them, on a connection of its own.
    let raw: RawSql = Arc::new(move |sql| {
        let url = url.clone();
        Box::pin(async move {
            let mut conn = SqliteConnection::connect(&url).await.expect("raw connection");
            sqlx::query(sql).execute(&mut conn).await.expect("raw SQL runs");
            conn.close().await.expect("closed");
        })
    });
    // The folder lives until the test has finished with the store.
    Some(Harness::new(Arc::new(store), clock).with_raw_sql(raw).with_teardown(async move { drop(dir) }))
}

mod sqlite {
    ficha_store::contract_suite!(super::fresh);
}
