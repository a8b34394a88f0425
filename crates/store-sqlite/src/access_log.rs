//! The access log on SQLite: one INSERT per read, the owners' newest-first
//! pages, the retention setting and the pruning in small batches.

use async_trait::async_trait;
use ficha_domain::{AccessId, AccessKind, AccessRetention, Actor, ClientId};
use ficha_store::access_log::{AccessRecord, cutoff_micros, limit_of, owners_only, who_columns};
use ficha_store::history::{WhoRecord, page};
use ficha_store::record::micros;
use ficha_store::{AccessLogStore, AccessPage, HistoryCursor, HistoryQuery, StoreError, StoreResult};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use crate::SqliteStore;

/// One row, only for a client of the business (none inserted otherwise);
/// the staff member's name copied from their account as it is now.
const INSERT: &str = "INSERT INTO client_access_log \
     (business_id, id, client_id, at, who_kind, who_id, who_name, kind) \
     SELECT ?1, ?2, c.id, ?4, ?5, ?6, \
     (SELECT s.name FROM staff s WHERE s.id = ?6 AND s.business_id = ?1), ?7 \
     FROM clients c WHERE c.business_id = ?1 AND c.id = ?3";

/// Newest first, strictly before (?3, ?4).
const PAGE: &str = "SELECT id, client_id, at, who_kind, who_id, who_name, kind FROM client_access_log \
     WHERE business_id = ?1 AND client_id = ?2 AND (at, id) < (?3, ?4) \
     ORDER BY at DESC, id DESC LIMIT ?5";

const RETENTION: &str = "SELECT retention_days FROM access_log_settings WHERE business_id = ?1";

const SET_RETENTION: &str = "INSERT INTO access_log_settings (business_id, retention_days) VALUES (?1, ?2) \
     ON CONFLICT (business_id) DO UPDATE SET retention_days = excluded.retention_days";

/// Every business with its retention (NULL: the default).
const RETENTIONS: &str = "SELECT b.id, s.retention_days FROM businesses b \
     LEFT JOIN access_log_settings s ON s.business_id = b.id";

/// At most ?3 of the business's rows older than ?2 (by the age index).
const PRUNE: &str = "DELETE FROM client_access_log WHERE rowid IN \
     (SELECT rowid FROM client_access_log WHERE business_id = ?1 AND at < ?2 LIMIT ?3)";

async fn insert(
    conn: &mut SqliteConnection,
    actor: &Actor,
    client: ClientId,
    kind: AccessKind,
    at: i64,
) -> StoreResult<()> {
    let Some((who_kind, who_id)) = who_columns(actor) else { return Ok(()) };
    let inserted = sqlx::query(INSERT)
        .bind(actor.business().as_uuid())
        .bind(AccessId::generate().as_uuid())
        .bind(client.as_uuid())
        .bind(at)
        .bind(who_kind)
        .bind(who_id)
        .bind(kind.as_str())
        .execute(conn)
        .await
        .map_err(StoreError::backend)?;
    if inserted.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

fn record(row: &SqliteRow) -> Result<AccessRecord, sqlx::Error> {
    Ok(AccessRecord {
        id: row.try_get("id")?,
        client: row.try_get("client_id")?,
        at: row.try_get("at")?,
        who: WhoRecord {
            kind: row.try_get("who_kind")?,
            staff: row.try_get("who_id")?,
            staff_name: row.try_get("who_name")?,
        },
        kind: row.try_get("kind")?,
    })
}

#[async_trait]
impl AccessLogStore for SqliteStore {
    async fn record_access(&self, actor: &Actor, client: ClientId, kind: AccessKind) -> StoreResult<()> {
        // A single statement is its own transaction: no BEGIN IMMEDIATE
        // round, and WAL with synchronous=NORMAL makes its commit a write to
        // the log file, not an fsync.
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        insert(&mut conn, actor, client, kind, micros(self.clock.now())).await
    }

    async fn access_log(
        &self,
        actor: &Actor,
        client: ClientId,
        query: &HistoryQuery,
        read_as: AccessKind,
    ) -> StoreResult<AccessPage> {
        owners_only(actor)?;
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        insert(&mut conn, actor, client, read_as, micros(self.clock.now())).await?;
        let (at, id) = query.start();
        let limit = limit_of(query);
        let rows = sqlx::query(PAGE)
            .bind(actor.business().as_uuid())
            .bind(client.as_uuid())
            .bind(at)
            .bind(id)
            .bind(i64::from(limit) + 1)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
        let entries = rows
            .iter()
            .map(|row| record(row).map_err(StoreError::backend)?.into_entry())
            .collect::<StoreResult<Vec<_>>>()?;
        let (entries, next) = page(entries, limit, |e| HistoryCursor { at: micros(e.at), id: e.id.as_uuid() });
        Ok(AccessPage { entries, next })
    }

    async fn access_retention(&self, actor: &Actor) -> StoreResult<AccessRetention> {
        owners_only(actor)?;
        let days: Option<i64> = sqlx::query_scalar(RETENTION)
            .bind(actor.business().as_uuid())
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        match days {
            None => Ok(AccessRetention::default()),
            Some(d) => AccessRetention::days(d).map_err(|_| StoreError::Corrupt(format!("retention {d}"))),
        }
    }

    async fn set_access_retention(&self, actor: &Actor, retention: AccessRetention) -> StoreResult<()> {
        owners_only(actor)?;
        sqlx::query(SET_RETENTION)
            .bind(actor.business().as_uuid())
            .bind(i64::from(retention.as_days()))
            .execute(&self.pool)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn prune_access_log(&self, batch: u32) -> StoreResult<u64> {
        let now = self.clock.now();
        let businesses: Vec<(uuid::Uuid, Option<i64>)> =
            sqlx::query_as(RETENTIONS).fetch_all(&self.pool).await.map_err(StoreError::backend)?;
        let batch = batch.max(1);
        let mut pruned = 0;
        for (business, days) in businesses {
            let cutoff = cutoff_micros(days, now);
            // Each batch its own short write, so bookings are never held
            // behind a long delete.
            loop {
                let gone = sqlx::query(PRUNE)
                    .bind(business)
                    .bind(cutoff)
                    .bind(i64::from(batch))
                    .execute(&self.pool)
                    .await
                    .map_err(StoreError::backend)?
                    .rows_affected();
                pruned += gone;
                if gone < u64::from(batch) {
                    break;
                }
            }
        }
        Ok(pruned)
    }
}
