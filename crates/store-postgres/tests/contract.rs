//! The storage contract, run against PostgreSQL: a freshly created database per
//! test, dropped when the test has passed. Without a server the tests skip,
//! except on CI (see `ficha_store_postgres::testing`).

use std::sync::Arc;

use ficha_domain::FixedClock;
use ficha_store::contract::{Harness, RawSql, start_time};
use ficha_store_postgres::PgStore;
use ficha_store_postgres::testing::TestDatabase;
use sqlx::{Connection, PgConnection};

async fn fresh() -> Option<Harness> {
    fresh_with_url().await.map(|(harness, _)| harness)
}

/// A fresh harness and its database's URL (for a second instance on it).
async fn fresh_with_url() -> Option<(Harness, String)> {
    let database = TestDatabase::create().await?;
    let url = database.url().to_owned();
    let clock = Arc::new(FixedClock::at(start_time()));
    let store = PgStore::connect(&url, clock.clone()).await.expect("PostgreSQL store connects");
    // Harness::finish closes the store's pool before this runs. A failed test
    // leaves its database behind, to look at.
    let raw_url = url.clone();
    let raw: RawSql = Arc::new(move |sql| {
        let url = raw_url.clone();
        Box::pin(async move {
            let mut conn = PgConnection::connect(&url).await.expect("raw connection");
            sqlx::query(sql).execute(&mut conn).await.expect("raw SQL runs");
            conn.close().await.expect("closed");
        })
    });
    Some((Harness::new(Arc::new(store), clock).with_raw_sql(raw).with_teardown(database.drop_database()), url))
}

mod postgres {
    ficha_store::contract_suite!(super::fresh);
}

// The schema read back from PostgreSQL's catalog: every table of a
// business's data keyed by business_id (docs/scale-out.md).
#[path = "contract/catalog.rs"]
mod catalog;

// Races between connections, which the shared suite (one call at a time)
// cannot show. Beside this file, in a folder Cargo does not take for a test
// binary of its own.
#[path = "contract/merge_races.rs"]
mod merge_races;
#[path = "contract/note_races.rs"]
mod note_races;
#[path = "contract/outbox_races.rs"]
mod outbox_races;
#[path = "contract/races.rs"]
mod races;
#[path = "contract/site_races.rs"]
mod site_races;

// Migration 0030 on a database written by the code before it.
#[path = "contract/search_upgrade.rs"]
mod search_upgrade;
#[path = "contract/whole_recompute.rs"]
mod whole_recompute;
// A bulk load's mark for the whole-business recompute (0031).
#[path = "contract/bulk_mark.rs"]
mod bulk_mark;
