//! The history (audit trail) on PostgreSQL: entries written inside the caller's
//! transaction, and the reads of a client's history and of deletions.

use async_trait::async_trait;
use ficha_domain::{Actor, Change, ClientId, DeletionId, HistoryId};
use ficha_store::history::{ChangeRecord, HistoryRecord, WhoRecord, deletion, page};
use ficha_store::record::micros;
use ficha_store::{DeletionPage, HistoryCursor, HistoryPage, HistoryQuery, HistoryStore, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::{PgStore, notes};

/// Every entry of one write: the per-entry columns travel as arrays.
const INSERT_ENTRIES: &str = "INSERT INTO client_history \
     (id, business_id, client_id, at, who_kind, who_id, change, subject, old_value, new_value, booking_id, \
     visibility) SELECT e.id, $2, e.client_id, $4, $5, $6, e.change, e.subject, e.old_value, e.new_value, \
     e.booking_id, e.visibility FROM unnest($1::uuid[], $3::uuid[], $7::text[], $8::text[], $9::text[], \
     $10::text[], $11::uuid[], $12::text[]) \
     AS e (id, client_id, change, subject, old_value, new_value, booking_id, visibility)";

const INSERT_DELETION: &str =
    "INSERT INTO client_deletions (id, business_id, at, who_kind, who_id) VALUES ($1, $2, $3, $4, $5)";

/// Newest first, strictly before ($3, $4); the staff member's name joined in.
const CLIENT_HISTORY: &str = "SELECT h.id, h.client_id, h.at, h.who_kind, h.who_id, s.name AS who_name, \
     h.change, h.subject, h.old_value, h.new_value, h.booking_id, h.visibility \
     FROM client_history h LEFT JOIN staff s ON s.business_id = h.business_id AND s.id = h.who_id \
     WHERE h.business_id = $1 AND h.client_id = $2 AND (h.at, h.id) < ($3, $4) \
     ORDER BY h.at DESC, h.id DESC LIMIT $5";

const DELETIONS: &str = "SELECT d.id, d.at, d.who_kind, d.who_id, s.name AS who_name \
     FROM client_deletions d LEFT JOIN staff s ON s.business_id = d.business_id AND s.id = d.who_id \
     WHERE d.business_id = $1 AND (d.at, d.id) < ($2, $3) \
     ORDER BY d.at DESC, d.id DESC LIMIT $4";

/// Records `changes` of `client`, made by `actor` at `at`, inside the
/// caller's transaction.
pub(crate) async fn record(
    conn: &mut PgConnection,
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
    conn: &mut PgConnection,
    actor: &Actor,
    at: Timestamp,
    entries: &[(ClientId, &Change)],
) -> StoreResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let (who_kind, who_id) = WhoRecord::columns(actor);
    // One statement for all of a write's entries: each is a round trip less.
    let stored: Vec<ChangeRecord> = entries.iter().map(|(_, change)| ChangeRecord::of(change)).collect();
    let column = |pick: fn(&ChangeRecord) -> Option<String>| stored.iter().map(pick).collect::<Vec<_>>();
    sqlx::query(INSERT_ENTRIES)
        .bind(stored.iter().map(|_| HistoryId::generate().as_uuid()).collect::<Vec<_>>())
        .bind(actor.business().as_uuid())
        .bind(entries.iter().map(|(client, _)| client.as_uuid()).collect::<Vec<_>>())
        .bind(micros(at))
        .bind(who_kind)
        .bind(who_id)
        .bind(column(|c| Some(c.kind.to_owned())))
        .bind(column(|c| Some(c.subject.clone())))
        .bind(column(|c| c.old.clone()))
        .bind(column(|c| c.new.clone()))
        .bind(stored.iter().map(|c| c.booking).collect::<Vec<_>>())
        .bind(column(|c| c.visibility.map(str::to_owned)))
        .execute(&mut *conn)
        .await
        .map(drop)
        .map_err(StoreError::backend)
}

/// Leaves the anonymous trace of a client `actor` deleted at `at`.
pub(crate) async fn client_deleted(conn: &mut PgConnection, actor: &Actor, at: Timestamp) -> StoreResult<()> {
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
pub(crate) fn who(row: &PgRow) -> Result<WhoRecord, sqlx::Error> {
    Ok(WhoRecord {
        kind: row.try_get("who_kind")?,
        staff: row.try_get("who_id")?,
        staff_name: row.try_get("who_name")?,
    })
}

fn history_record(row: &PgRow) -> Result<HistoryRecord, sqlx::Error> {
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
impl HistoryStore for PgStore {
    async fn client_history(&self, actor: &Actor, client: ClientId, query: &HistoryQuery) -> StoreResult<HistoryPage> {
        let business = actor.business().as_uuid();
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        notes::client_exists(&mut conn, notes::CLIENT_EXISTS, actor.business(), client).await?;
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
