//! The history (audit trail) on SQLite: entries written inside the caller's
//! transaction, and the reads of a client's history and of deletions.

use async_trait::async_trait;
use ficha_domain::{Actor, Change, ClientId, DeletionId, HistoryId};
use ficha_store::history::{ChangeRecord, HistoryRecord, WhoRecord, deletion, page};
use ficha_store::record::micros;
use ficha_store::{DeletionPage, HistoryCursor, HistoryPage, HistoryQuery, HistoryStore, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use crate::{SqliteStore, notes};

/// Every entry of one write, from a JSON array of
/// [id, change, subject, old, new, booking, visibility] (ids in hex).
/// ?5 a JSON array of entries, each [id, change, subject, old, new,
/// booking, visibility, client], ids in hex.
const INSERT_ENTRIES: &str = "INSERT INTO client_history \
     (id, business_id, client_id, at, who_kind, who_id, change, subject, old_value, new_value, booking_id, \
     visibility) SELECT unhex(e.value ->> 0), ?1, unhex(e.value ->> 7), ?2, ?3, ?4, e.value ->> 1, e.value ->> 2, \
     e.value ->> 3, e.value ->> 4, unhex(e.value ->> 5), e.value ->> 6 FROM json_each(?5) AS e";

const INSERT_DELETION: &str =
    "INSERT INTO client_deletions (id, business_id, at, who_kind, who_id) VALUES (?1, ?2, ?3, ?4, ?5)";

/// Newest first, strictly before (?3, ?4); the staff member's name joined in.
const CLIENT_HISTORY: &str = "SELECT h.id, h.client_id, h.at, h.who_kind, h.who_id, s.name AS who_name, \
     h.change, h.subject, h.old_value, h.new_value, h.booking_id, h.visibility \
     FROM client_history h LEFT JOIN staff s ON s.id = h.who_id \
     WHERE h.business_id = ?1 AND h.client_id = ?2 AND (h.at, h.id) < (?3, ?4) \
     ORDER BY h.at DESC, h.id DESC LIMIT ?5";

const DELETIONS: &str = "SELECT d.id, d.at, d.who_kind, d.who_id, s.name AS who_name \
     FROM client_deletions d LEFT JOIN staff s ON s.id = d.who_id \
     WHERE d.business_id = ?1 AND (d.at, d.id) < (?2, ?3) \
     ORDER BY d.at DESC, d.id DESC LIMIT ?4";

/// Records `changes` of `client`, made by `actor` at `at`, inside the
/// caller's transaction.
pub(crate) async fn record(
    conn: &mut SqliteConnection,
    actor: &Actor,
    client: ClientId,
    at: Timestamp,
    changes: &[Change],
) -> StoreResult<()> {
    let entries: Vec<(ClientId, &Change)> = changes.iter().map(|change| (client, change)).collect();
    record_many(conn, actor, at, &entries).await
}

/// Records changes of several clients, made by `actor` at `at`, in one
/// statement (an import's chunk of lines), in the order given.
pub(crate) async fn record_many(
    conn: &mut SqliteConnection,
    actor: &Actor,
    at: Timestamp,
    entries: &[(ClientId, &Change)],
) -> StoreResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let (who_kind, who_id) = WhoRecord::columns(actor);
    // One statement for all of a write's entries, each a JSON array.
    let hex = |id: Option<uuid::Uuid>| id.map(|id| id.simple().to_string());
    let entries: Vec<_> = entries
        .iter()
        .map(|(client, change)| {
            let stored = ChangeRecord::of(change);
            serde_json::json!([
                hex(Some(HistoryId::generate().as_uuid())),
                stored.kind,
                stored.subject,
                stored.old,
                stored.new,
                hex(stored.booking),
                stored.visibility,
                hex(Some(client.as_uuid()))
            ])
        })
        .collect();
    sqlx::query(INSERT_ENTRIES)
        .bind(actor.business().as_uuid())
        .bind(micros(at))
        .bind(who_kind)
        .bind(who_id)
        .bind(serde_json::Value::from(entries).to_string())
        .execute(&mut *conn)
        .await
        .map(drop)
        .map_err(StoreError::backend)
}

/// Leaves the anonymous trace of a client `actor` deleted at `at`.
pub(crate) async fn client_deleted(conn: &mut SqliteConnection, actor: &Actor, at: Timestamp) -> StoreResult<()> {
    let (who_kind, who_id) = WhoRecord::columns(actor);
    sqlx::query(INSERT_DELETION)
        .bind(DeletionId::generate().as_uuid())
        .bind(actor.business().as_uuid())
        .bind(micros(at))
        .bind(who_kind)
        .bind(who_id)
        .execute(conn)
        .await
        .map(drop)
        .map_err(StoreError::backend)
}

/// Who acted, from the columns every query names `who_kind`, `who_id` and
/// `who_name`.
pub(crate) fn who(row: &SqliteRow) -> Result<WhoRecord, sqlx::Error> {
    Ok(WhoRecord {
        kind: row.try_get("who_kind")?,
        staff: row.try_get("who_id")?,
        staff_name: row.try_get("who_name")?,
    })
}

fn history_record(row: &SqliteRow) -> Result<HistoryRecord, sqlx::Error> {
    Ok(HistoryRecord {
        id: row.try_get("id")?,
        client: ClientId::from_uuid(row.try_get("client_id")?),
        at: row.try_get("at")?,
        who: who(row)?,
        kind: row.try_get("change")?,
        subject: row.try_get("subject")?,
        old: row.try_get("old_value")?,
        new: row.try_get("new_value")?,
        booking: row.try_get("booking_id")?,
        visibility: row.try_get("visibility")?,
    })
}

#[async_trait]
impl HistoryStore for SqliteStore {
    async fn client_history(&self, actor: &Actor, client: ClientId, query: &HistoryQuery) -> StoreResult<HistoryPage> {
        let business = actor.business().as_uuid();
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        notes::client_exists(&mut conn, actor.business(), client).await?;
        let (at, id) = query.start();
        let limit = query.limit.max(1);
        let rows = sqlx::query(CLIENT_HISTORY)
            .bind(business)
            .bind(client.as_uuid())
            .bind(at)
            .bind(id)
            .bind(i64::from(limit) + 1)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
        let entries = rows
            .iter()
            .map(|row| history_record(row).map_err(StoreError::backend)?.into_entry())
            .collect::<StoreResult<Vec<_>>>()?;
        let (entries, next) = page(entries, limit, |e| HistoryCursor { at: micros(e.at), id: e.id.as_uuid() });
        Ok(HistoryPage { entries, next })
    }

    async fn deletions(&self, actor: &Actor, query: &HistoryQuery) -> StoreResult<DeletionPage> {
        if !actor.is_owner() {
            return Err(StoreError::OwnerOnly);
        }
        let (at, id) = query.start();
        let limit = query.limit.max(1);
        let rows = sqlx::query(DELETIONS)
            .bind(actor.business().as_uuid())
            .bind(at)
            .bind(id)
            .bind(i64::from(limit) + 1)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        let deletions = rows
            .iter()
            .map(|row| {
                let who = who(row).map_err(StoreError::backend)?;
                deletion(
                    row.try_get("id").map_err(StoreError::backend)?,
                    row.try_get("at").map_err(StoreError::backend)?,
                    who,
                )
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let (deletions, next) = page(deletions, limit, |d| HistoryCursor { at: micros(d.at), id: d.id.as_uuid() });
        Ok(DeletionPage { deletions, next })
    }
}
