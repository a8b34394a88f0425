//! The embedded default backend: SQLite through sqlx's bundled library.
//!
//! One writer at a time is SQLite's rule; every writing transaction starts with
//! `BEGIN IMMEDIATE` so a read-then-write never fails half-way on a lock
//! upgrade. Writers of one process queue in turn (`write_turn`), first come
//! first served; `busy_timeout` is left for writers of other processes.

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
mod login_throttle;
mod merges;
mod notes;
mod outbox;
mod request_limits;
mod search;
mod services;
mod write_turn;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ficha_domain::Clock;
use ficha_store::{OutboxSignal, Store, StoreError, StoreResult};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    clock: Arc<dyn Clock>,
    /// Rung after each commit that may have written outbox messages.
    signal: OutboxSignal,
    /// Whose turn it is to write (see write_turn.rs).
    turns: write_turn::Turns,
}

/// Page cache of each connection, in KiB (SQLite's negative form).
const PAGE_CACHE: &str = "-16384";
/// Gives a connection its usual page cache back (after an import).
const RESET_PAGE_CACHE: &str = "PRAGMA cache_size = -16384";

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://path` or
    /// `sqlite::memory:`) and applies pending migrations.
    pub async fn connect(url: &str, clock: Arc<dyn Clock>) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(StoreError::backend)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Page cache per connection, taken only as pages are read:
            // SQLite's default of 2 MiB made every write at a million clients
            // re-read index pages (see docs/performance.md). Bulk imports
            // raise it for their own transaction (import.rs).
            .pragma("cache_size", PAGE_CACHE);
        let pool =
            SqlitePoolOptions::new().max_connections(8).connect_with(options).await.map_err(StoreError::backend)?;
        let store = Self { pool, clock, signal: OutboxSignal::default(), turns: write_turn::Turns::default() };
        store.migrate().await?;
        search::index_pending(&store).await?;
        Ok(store)
    }

    /// Applies the migrations embedded from `migrations/` that are not yet applied.
    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations").run(&self.pool).await.map_err(StoreError::backend)
    }

    /// A writing transaction, begun once this process's earlier writers are
    /// done.
    async fn write(&self) -> StoreResult<write_turn::WriteTx> {
        let turn = self.turns.wait().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(StoreError::backend)?;
        Ok(write_turn::WriteTx::new(tx, turn))
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(drop).map_err(StoreError::backend)
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    error.as_database_error().is_some_and(|e| e.is_unique_violation())
}

/// The row `sql` selects for `id` inside `business` (`$1`/`?1` the business,
/// `$2`/`?2` the id), or `NotFound`: one business's rows never answer for
/// another's.
async fn scoped_row(
    conn: &mut sqlx::SqliteConnection,
    sql: &'static str,
    business: ficha_domain::BusinessId,
    id: uuid::Uuid,
) -> StoreResult<sqlx::sqlite::SqliteRow> {
    sqlx::query(sql)
        .bind(business.as_uuid())
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(StoreError::backend)?
        .ok_or(StoreError::NotFound)
}

/// Ids as a JSON array of hex strings, for a query to unpack with
/// `json_each` and `unhex` (SQLite binds no arrays).
fn hex_ids(ids: impl Iterator<Item = uuid::Uuid>) -> String {
    serde_json::Value::from(ids.map(|id| id.simple().to_string()).collect::<Vec<_>>()).to_string()
}
