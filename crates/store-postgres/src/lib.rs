//! The scale-out backend: PostgreSQL.
//!
//! Statements run at PostgreSQL's default READ COMMITTED isolation. Single
//! statements need no transaction; a read-then-write (updating a client) locks
//! its row first so concurrent writers queue on it instead of overwriting each
//! other.

mod access_log;
mod accounts;
mod attention_notes;
mod blocks;
mod booking_site;
mod bookings;
mod calendar_feeds;
mod client_accounts;
mod clients;
mod consent;
mod custom_fields;
mod data_requests;
mod duplicate_links;
mod duplicates;
mod history;
mod import;
mod imports;
mod listen;
mod login_throttle;
mod merges;
mod notes;
mod outbox;
mod request_limits;
mod search;
mod services;
#[cfg(feature = "testing")]
pub mod testing;

use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use ficha_domain::Clock;
use ficha_store::{OutboxSignal, Store, StoreError, StoreResult};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    clock: Arc<dyn Clock>,
    /// Rung after each commit that may have written outbox messages, and
    /// when another instance's commit did (see `listen.rs`).
    signal: OutboxSignal,
}

impl PgStore {
    /// Connects to the existing database at `url` (`postgres://…`) and applies
    /// pending migrations.
    pub async fn connect(url: &str, clock: Arc<dyn Clock>) -> StoreResult<Self> {
        // Requests are short; a small pool per instance leaves room under the
        // server's connection limit (100 by default) for several instances.
        // No ping before handing out a pooled connection: it is a round trip
        // before every query (the booking site's week is two queries, so
        // four round trips with it). A connection the server dropped fails
        // its next query once and leaves the pool.
        //
        // JIT compilation is off for Ficha's connections. It compiles a
        // plan's expressions when the plan's estimated cost is high, and a
        // trigger function's statements keep the plan of their first call:
        // after a bulk import on a connection, that plan was costed for
        // 100 000 rows, and every later single client registered on it
        // spent 12-16 ms compiling it (bench-writes: create p50 12.8 ms
        // instead of 1.7). Every query here is short; none gains from JIT.
        let options = PgConnectOptions::from_str(url).map_err(StoreError::backend)?.options([("jit", "off")]);
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(StoreError::backend)?;
        let store = Self { pool, clock, signal: OutboxSignal::default() };
        store.migrate().await?;
        search::index_pending(&store).await?;
        listen::spawn(&store.pool, Arc::downgrade(&store.signal));
        Ok(store)
    }

    /// Applies the migrations embedded from `migrations/` that are not yet
    /// applied. sqlx holds an advisory lock meanwhile, so instances starting
    /// together do not race.
    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations").run(&self.pool).await.map_err(StoreError::backend)
    }
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(drop).map_err(StoreError::backend)
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// Whether `error` is a unique violation of the constraint (or unique index)
/// named `constraint` in the migrations. The name tells which rule was broken,
/// where SQLite can only say that one was.
fn violates_unique(error: &sqlx::Error, constraint: &str) -> bool {
    error.as_database_error().is_some_and(|e| e.is_unique_violation() && e.constraint() == Some(constraint))
}

/// The row `sql` selects for `id` inside `business` (`$1`/`?1` the business,
/// `$2`/`?2` the id), or `NotFound`: one business's rows never answer for
/// another's.
async fn scoped_row(
    conn: &mut sqlx::PgConnection,
    sql: &'static str,
    business: ficha_domain::BusinessId,
    id: uuid::Uuid,
) -> StoreResult<sqlx::postgres::PgRow> {
    sqlx::query(sql)
        .bind(business.as_uuid())
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(StoreError::backend)?
        .ok_or(StoreError::NotFound)
}
