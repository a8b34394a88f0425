//! The stored links of duplicate suggestions on SQLite (`0025`): the key
//! groups queued in `duplicate_stale_keys` are recomputed in batches, each
//! in one write transaction, and the business's suggestions are then read
//! from `duplicate_links` alone — a few rows per pair, never every shared
//! key of the business. A bulk load queues nothing: it marks its business,
//! whose groups are then swept in key order from the mark (`0032`).

use ficha_domain::{Actor, BusinessId};
use ficha_store::duplicates::{self, Candidate, KeyMember, Link};
use ficha_store::{StoreError, StoreResult};
use sqlx::{QueryBuilder, SqliteConnection};
use uuid::Uuid;

use crate::{SqliteStore, blocks};

/// Queued groups recomputed per transaction: small enough that other
/// writers wait milliseconds, not the whole recompute, after a bulk import.
const BATCH: i64 = 5_000;

/// Links inserted per statement (5 bound values each, far below SQLite's
/// limit of 32 766).
const INSERT_CHUNK: usize = 1_000;

/// The members of the groups in ?2 (a JSON array of [kind, key]) that
/// have another member: most RUTs and phones are one client's alone, and
/// skipping those before reading their client's name (a probe into the
/// large clients table) is most of a full recompute's time. The groups come
/// as a list, not as the queue's key range: SQLite carried a range over to
/// `client_match_keys` and scanned it instead of probing each group.
const MEMBERS: &str = "SELECT k.kind, k.key, k.client_id, c.name_key \
     FROM json_each(?2) AS g CROSS JOIN client_match_keys k CROSS JOIN clients c \
     WHERE k.business_id = ?1 AND k.kind = g.value ->> 0 AND k.key = g.value ->> 1 \
     AND EXISTS (SELECT 1 FROM client_match_keys o WHERE o.business_id = ?1 AND o.kind = k.kind \
       AND o.key = k.key AND o.client_id <> k.client_id) \
     AND c.business_id = ?1 AND c.id = k.client_id";

/// The links of the groups in ?2, which are recomputed.
const DELETE_LINKS: &str = "DELETE FROM duplicate_links WHERE business_id = ?1 \
     AND (kind, key) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?2))";

impl SqliteStore {
    /// Recomputes the groups a bulk load left to a sweep (0032), then every
    /// queued group of the business. Cheap when nothing is pending (one
    /// indexed read, no write lock).
    pub(crate) async fn refresh_duplicate_links(&self, business: BusinessId) -> StoreResult<()> {
        let business = business.as_uuid();
        loop {
            let pending: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM duplicate_recompute_all WHERE business_id = ?1 \
                 UNION ALL SELECT 1 FROM duplicate_stale_keys WHERE business_id = ?1 LIMIT 1",
            )
            .bind(business)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::backend)?;
            if pending.is_none() {
                return Ok(());
            }
            let mut tx = self.write().await?;
            // The sweep first: what writers queued behind it comes after.
            let done =
                if sweep_batch(&mut tx, business).await? { false } else { recompute_batch(&mut tx, business).await? };
            tx.commit().await.map_err(StoreError::backend)?;
            if done {
                return Ok(());
            }
        }
    }
}

/// Recomputes the first `BATCH` queued groups (in key order, so the
/// queue's entries of the batch are exactly its key range); true when
/// fewer were queued.
async fn recompute_batch(conn: &mut SqliteConnection, business: Uuid) -> StoreResult<bool> {
    let queued: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, key FROM duplicate_stale_keys WHERE business_id = ?1 ORDER BY kind, key LIMIT ?2")
            .bind(business)
            .bind(BATCH)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
    let (Some(first), Some(last)) = (queued.first(), queued.last()) else { return Ok(true) };
    let groups = serde_json::to_string(&queued).map_err(StoreError::backend)?;
    let members = members(conn, business, &groups).await?;
    // The batch's old links and queue entries go; its new links come.
    sqlx::query(DELETE_LINKS).bind(business).bind(&groups).execute(&mut *conn).await.map_err(StoreError::backend)?;
    sqlx::query(
        "DELETE FROM duplicate_stale_keys WHERE business_id = ?1 AND (kind, key) >= (?2, ?3) AND (kind, key) <= (?4, ?5)",
    )
    .bind(business)
    .bind(&first.0)
    .bind(&first.1)
    .bind(&last.0)
    .bind(&last.1)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::backend)?;
    insert_links(conn, business, duplicates::links(members)).await?;
    Ok((queued.len() as i64) < BATCH)
}

/// Recomputes the next `BATCH` shared key groups of a business marked by a
/// bulk load, from the mark's position, and moves the mark past them (or
/// removes it at the last group); false when the business is not marked.
/// Every link in the swept key range is replaced, so a group whose keys
/// all went while it was ahead of the sweep loses its links too.
async fn sweep_batch(conn: &mut SqliteConnection, business: Uuid) -> StoreResult<bool> {
    let mark: Option<(String, String)> =
        sqlx::query_as("SELECT after_kind, after_key FROM duplicate_recompute_all WHERE business_id = ?1")
            .bind(business)
            .fetch_optional(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
    let Some((after_kind, after_key)) = mark else { return Ok(false) };
    let groups: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, key FROM client_match_keys WHERE business_id = ?1 AND (kind, key) > (?2, ?3) \
         GROUP BY kind, key HAVING count(*) > 1 ORDER BY kind, key LIMIT ?4",
    )
    .bind(business)
    .bind(&after_kind)
    .bind(&after_key)
    .bind(BATCH)
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::backend)?;
    // Only groups of two or more make links: the groups of one between them
    // (most RUTs and phones) are stepped over in the same ordered read, and
    // their range's stale links go with the rest. Past a full batch the
    // sweep goes on; short of one it has reached the business's last
    // shared group, and its range runs to the end.
    let until = groups.last().filter(|_| groups.len() as i64 == BATCH);
    let members = members(conn, business, &serde_json::to_string(&groups).map_err(StoreError::backend)?).await?;
    let delete = match until {
        Some(_) => {
            "DELETE FROM duplicate_links WHERE business_id = ?1 AND (kind, key) > (?2, ?3) AND (kind, key) <= (?4, ?5)"
        }
        None => "DELETE FROM duplicate_links WHERE business_id = ?1 AND (kind, key) > (?2, ?3)",
    };
    let mut delete = sqlx::query(delete).bind(business).bind(&after_kind).bind(&after_key);
    if let Some((kind, key)) = until {
        delete = delete.bind(kind).bind(key);
    }
    delete.execute(&mut *conn).await.map_err(StoreError::backend)?;
    insert_links(conn, business, duplicates::links(members)).await?;
    let moved = match until {
        Some((kind, key)) => {
            sqlx::query("UPDATE duplicate_recompute_all SET after_kind = ?2, after_key = ?3 WHERE business_id = ?1")
                .bind(business)
                .bind(kind)
                .bind(key)
        }
        None => sqlx::query("DELETE FROM duplicate_recompute_all WHERE business_id = ?1").bind(business),
    };
    moved.execute(&mut *conn).await.map_err(StoreError::backend)?;
    Ok(true)
}

/// The members of the groups in `groups` (a JSON array of [kind, key])
/// that have another member.
async fn members(conn: &mut SqliteConnection, business: Uuid, groups: &str) -> StoreResult<Vec<KeyMember>> {
    let rows: Vec<(String, String, Uuid, String)> =
        sqlx::query_as(MEMBERS).bind(business).bind(groups).fetch_all(&mut *conn).await.map_err(StoreError::backend)?;
    rows.into_iter().map(KeyMember::stored).collect()
}

async fn insert_links(conn: &mut SqliteConnection, business: Uuid, links: Vec<Link>) -> StoreResult<()> {
    for chunk in links.chunks(INSERT_CHUNK) {
        let mut insert =
            QueryBuilder::new("INSERT OR IGNORE INTO duplicate_links (business_id, kind, key, client_a, client_b) ");
        insert.push_values(chunk, |mut row, link| {
            row.push_bind(business)
                .push_bind(link.kind.as_str())
                .push_bind(link.key.as_str())
                .push_bind(link.a.as_uuid())
                .push_bind(link.b.as_uuid());
        });
        insert.build().execute(&mut *conn).await.map_err(StoreError::backend)?;
    }
    Ok(())
}

/// The links `actor` may see: not of a dismissed pair, and not of a
/// blocked profile unless `actor` lists those.
macro_rules! visible_links {
    () => {
        "FROM duplicate_links l WHERE l.business_id = ?1 \
     AND NOT EXISTS (SELECT 1 FROM duplicate_dismissals d \
       WHERE d.business_id = ?1 AND d.client_a = l.client_a AND d.client_b = l.client_b) \
     AND (?2 OR NOT EXISTS (SELECT 1 FROM client_blocks b \
       WHERE b.business_id = ?1 AND b.client_id IN (l.client_a, l.client_b)))"
    };
}

/// The business's pairs from its stored links, best first.
pub(crate) async fn stored_candidates(conn: &mut SqliteConnection, actor: &Actor) -> StoreResult<Vec<Candidate>> {
    let rows: Vec<(Uuid, Uuid, String)> =
        sqlx::query_as(concat!("SELECT l.client_a, l.client_b, l.kind ", visible_links!()))
            .bind(actor.business().as_uuid())
            .bind(blocks::flow_lists_blocked(actor))
            .fetch_all(conn)
            .await
            .map_err(StoreError::backend)?;
    duplicates::stored_pairs(rows)
}

/// How many pairs `stored_candidates` would make, counted in the database
/// (Clientes shows it on every visit).
pub(crate) async fn count_stored(conn: &mut SqliteConnection, actor: &Actor) -> StoreResult<u64> {
    let count: i64 = sqlx::query_scalar(concat!(
        "SELECT count(*) FROM (SELECT DISTINCT l.client_a, l.client_b ",
        visible_links!(),
        ") AS pairs"
    ))
    .bind(actor.business().as_uuid())
    .bind(blocks::flow_lists_blocked(actor))
    .fetch_one(conn)
    .await
    .map_err(StoreError::backend)?;
    Ok(count as u64)
}
