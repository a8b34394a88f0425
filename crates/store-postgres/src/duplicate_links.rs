//! The stored links of duplicate suggestions on PostgreSQL (`0025`): the
//! key groups queued in `duplicate_stale_keys` are recomputed in batches,
//! each in one transaction, and the business's suggestions are then read
//! from `duplicate_links` alone — a few rows per pair, never every shared
//! key of the business.
//!
//! Concurrency: one recompute per business at a time (a transaction-level
//! advisory lock). A batch deletes the queue entries its statement can see
//! (a key range) and only then reads the groups' members, so a write committed after the
//! delete leaves its own entry for the next recompute. A client deleted
//! between the read and the links' insert fails the insert's foreign key:
//! the batch is rolled back (its queue entries with it) and done again.
//! (Locking the members `FOR KEY SHARE` instead wrote a lock into every
//! member's row, most of a full recompute's time.)

use ficha_domain::{Actor, BusinessId};
use ficha_store::duplicates::{self, Candidate, KeyMember, Link};
use ficha_store::{StoreError, StoreResult};
use futures_util::TryStreamExt;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{PgStore, blocks};

/// Queue entries taken per transaction.
const BATCH: i64 = 5_000;

/// Queued entries past which the whole business is recomputed in one pass
/// (`recompute_all`) instead of group by group: after a bulk import or a
/// migration most groups are queued anyway, and at a million clients
/// probing them a batch at a time read the keys and the clients in random
/// order (388 s for the first recompute after loading 1 000 000).
const WHOLE_BUSINESS_AFTER: i64 = 50_000;

/// Members passed to `links` at a time in the whole-business pass (whole
/// groups, so a chunk ends where a group does).
const MEMBER_CHUNK: usize = 10_000;

impl PgStore {
    /// Recomputes every queued group of the business. Cheap when nothing is
    /// queued (one indexed read).
    pub(crate) async fn refresh_duplicate_links(&self, business: BusinessId) -> StoreResult<()> {
        let business = business.as_uuid();
        // A bulk load marks its business instead of queueing its keys (0031).
        let (marked, queued): (bool, i64) = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM duplicate_recompute_all WHERE business_id = $1), \
               (SELECT count(*) FROM (SELECT 1 FROM duplicate_stale_keys WHERE business_id = $1 LIMIT $2) AS queued)",
        )
        .bind(business)
        .bind(WHOLE_BUSINESS_AFTER + 1)
        .fetch_one(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        if marked || queued > WHOLE_BUSINESS_AFTER {
            loop {
                let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
                if !matches!(recompute_all(&mut tx, business).await?, Batch::Raced) {
                    tx.commit().await.map_err(StoreError::backend)?;
                    break;
                }
            }
            // The queue's deleted entries stay in its indexes until vacuumed,
            // and every later refresh would step over them (a new client's
            // page took 1.2 s instead of 0.3 s after a million were queued).
            sqlx::query("VACUUM duplicate_stale_keys").execute(&self.pool).await.map_err(StoreError::backend)?;
        }
        // What is still queued (or was queued meanwhile) goes group by group.
        // Each batch starts where the last one ended: the entries before it
        // are deleted but not yet vacuumed, and a scan from the start of the
        // queue would step over all of them again (after a bulk import,
        // millions). One pass from the start at the end picks up what was
        // queued behind the cursor meanwhile.
        let mut from = Cursor::default();
        loop {
            if from == Cursor::default() {
                let queued: Option<i32> =
                    sqlx::query_scalar("SELECT 1 FROM duplicate_stale_keys WHERE business_id = $1 LIMIT 1")
                        .bind(business)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(StoreError::backend)?;
                if queued.is_none() {
                    return Ok(());
                }
            }
            let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
            match recompute_batch(&mut tx, business, &from).await? {
                Batch::Raced => continue,
                Batch::More(last) => {
                    tx.commit().await.map_err(StoreError::backend)?;
                    from = last;
                }
                Batch::Last => {
                    tx.commit().await.map_err(StoreError::backend)?;
                    if from == Cursor::default() {
                        return Ok(());
                    }
                    from = Cursor::default();
                }
            }
        }
    }
}

/// Where a batch starts in the queue's key order: (kind, key), inclusive
/// (new entries of the last group recomputed are taken again). The
/// default, two empty strings, is before every key.
type Cursor = (String, String);

/// How a batch ended.
enum Batch {
    /// Fewer than `BATCH` entries were queued from its cursor on.
    Last,
    /// More may be queued from this group on.
    More(Cursor),
    /// A member was deleted meanwhile: roll back and do it again.
    Raced,
}

/// Recomputes every group of the business in one transaction: the queue
/// entries it can see go first (as in `recompute_batch`), then every key
/// shared by two or more clients is read in one statement, ordered by
/// group (a scan of the keys and of the clients, hashed and sorted in
/// memory), and the business's links are replaced.
async fn recompute_all(conn: &mut PgConnection, business: Uuid) -> StoreResult<Batch> {
    // The sort and the hash of a million members, in memory.
    sqlx::query("SET LOCAL work_mem = '256MB'").execute(&mut *conn).await.map_err(StoreError::backend)?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('duplicate_links:' || $1::text, 0))")
        .bind(business)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::backend)?;
    // The mark first: a writer still holding it (a loader that skipped the
    // queue) is waited for, so the read below sees its keys.
    for sql in [
        "DELETE FROM duplicate_recompute_all WHERE business_id = $1",
        "DELETE FROM duplicate_stale_keys WHERE business_id = $1",
    ] {
        sqlx::query(sql).bind(business).execute(&mut *conn).await.map_err(StoreError::backend)?;
    }
    let mut found = Vec::new();
    {
        let mut rows = sqlx::query_as::<_, (String, String, Uuid, String)>(
            "SELECT m.kind, m.key, m.client_id, c.name_key FROM \
               (SELECT k.kind, k.key, k.client_id, count(*) OVER (PARTITION BY k.kind, k.key) AS members \
                FROM client_match_keys k WHERE k.business_id = $1) AS m \
             JOIN clients c ON c.business_id = $1 AND c.id = m.client_id \
             WHERE m.members > 1 ORDER BY m.kind, m.key",
        )
        .bind(business)
        .fetch(&mut *conn);
        let mut chunk: Vec<KeyMember> = Vec::new();
        while let Some(row) = rows.try_next().await.map_err(StoreError::backend)? {
            let member = KeyMember::stored(row)?;
            let new_group = chunk.last().is_some_and(|m| (m.kind, &m.key) != (member.kind, &member.key));
            if new_group && chunk.len() >= MEMBER_CHUNK {
                found.extend(duplicates::links(std::mem::take(&mut chunk)));
            }
            chunk.push(member);
        }
        found.extend(duplicates::links(chunk));
    }
    sqlx::query("DELETE FROM duplicate_links WHERE business_id = $1")
        .bind(business)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::backend)?;
    for links in found.chunks(MEMBER_CHUNK) {
        if let Err(e) = insert_links(conn, business, links).await {
            return match e.as_database_error() {
                Some(d) if d.is_foreign_key_violation() => Ok(Batch::Raced),
                _ => Err(StoreError::backend(e)),
            };
        }
    }
    Ok(Batch::Last)
}

/// Stores `links` of the business (one that is already there is kept).
async fn insert_links(conn: &mut PgConnection, business: Uuid, links: &[Link]) -> Result<(), sqlx::Error> {
    let mut kinds = Vec::with_capacity(links.len());
    let mut keys = Vec::with_capacity(links.len());
    let mut a = Vec::with_capacity(links.len());
    let mut b = Vec::with_capacity(links.len());
    for link in links {
        kinds.push(link.kind.as_str());
        keys.push(link.key.as_str());
        a.push(link.a.as_uuid());
        b.push(link.b.as_uuid());
    }
    sqlx::query(
        "INSERT INTO duplicate_links (business_id, kind, key, client_a, client_b) \
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::uuid[], $5::uuid[]) ON CONFLICT DO NOTHING",
    )
    .bind(business)
    .bind(&kinds)
    .bind(&keys)
    .bind(&a)
    .bind(&b)
    .execute(&mut *conn)
    .await
    .map(drop)
}

/// Recomputes the groups of the first `BATCH` queue entries in key order.
async fn recompute_batch(conn: &mut PgConnection, business: Uuid, from: &Cursor) -> StoreResult<Batch> {
    // (JIT is off for every connection, `PgStore::connect`: this batch's
    // member read passes its threshold at a million clients.)
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('duplicate_links:' || $1::text, 0))")
        .bind(business)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::backend)?;
    // The batch's key range first (0028's index, in key order, so a group
    // queued many times is recomputed once), then a range delete on it: a
    // join against the picked groups made PostgreSQL scan the whole queue.
    // The groups recomputed are the entries the delete saw, so one queued
    // in between is not dropped unseen.
    let picked: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, key FROM duplicate_stale_keys WHERE business_id = $1 AND (kind, key) >= ($3, $4) \
         ORDER BY kind, key LIMIT $2",
    )
    .bind(business)
    .bind(BATCH)
    .bind(&from.0)
    .bind(&from.1)
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::backend)?;
    let (Some(first), Some(last)) = (picked.first(), picked.last()) else { return Ok(Batch::Last) };
    let taken: Vec<(String, String)> = sqlx::query_as(
        "WITH gone AS (DELETE FROM duplicate_stale_keys WHERE business_id = $1 \
           AND (kind, key) >= ($2, $3) AND (kind, key) <= ($4, $5) RETURNING kind, key) \
         SELECT DISTINCT kind, key FROM gone ORDER BY kind, key",
    )
    .bind(business)
    .bind(&first.0)
    .bind(&first.1)
    .bind(&last.0)
    .bind(&last.1)
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::backend)?;
    let entries = picked.len() as i64;
    let next = last.clone();
    if taken.is_empty() {
        return Ok(Batch::Last);
    }
    let (kinds, keys): (Vec<String>, Vec<String>) = taken.into_iter().unzip();
    // Each group is read by one range of the keys' primary key, and groups
    // of one (most RUTs and phones) are dropped before any client is read.
    // The aggregate keeps the plan a loop over the batch's groups: as a
    // plain join, PostgreSQL hashed every key of the business for each
    // batch (its row estimate for the unnested arrays is a guess), which at
    // a million clients is 2.4 million keys read 400 times. The groups
    // come in key order and the members' names are read in id order (the
    // clients' own order): at a million clients neither fits in the
    // server's cache, and in random order each probe waited for a read.
    let rows: Vec<(String, String, Uuid, String)> = sqlx::query_as(
        "SELECT s.kind, s.key, s.client_id, \
           (SELECT c.name_key FROM clients c WHERE c.business_id = $1 AND c.id = s.client_id) \
         FROM (SELECT g.kind, g.key, m.client_id FROM unnest($2::text[], $3::text[]) AS g(kind, key) \
           CROSS JOIN LATERAL (SELECT array_agg(k.client_id) AS ids FROM client_match_keys k \
             WHERE k.business_id = $1 AND k.kind = g.kind AND k.key = g.key) AS grp \
           CROSS JOIN LATERAL unnest(grp.ids) AS m(client_id) \
           WHERE cardinality(grp.ids) > 1 ORDER BY m.client_id) AS s",
    )
    .bind(business)
    .bind(&kinds)
    .bind(&keys)
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::backend)?;
    let members = rows.into_iter().map(KeyMember::stored).collect::<StoreResult<Vec<_>>>()?;
    sqlx::query(
        "DELETE FROM duplicate_links l USING unnest($2::text[], $3::text[]) AS g(kind, key) \
         WHERE l.business_id = $1 AND l.kind = g.kind AND l.key = g.key",
    )
    .bind(business)
    .bind(&kinds)
    .bind(&keys)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::backend)?;
    let inserted = insert_links(conn, business, &duplicates::links(members)).await;
    match inserted {
        Ok(_) if entries < BATCH => Ok(Batch::Last),
        Ok(_) => Ok(Batch::More(next)),
        Err(e) if e.as_database_error().is_some_and(|d| d.is_foreign_key_violation()) => Ok(Batch::Raced),
        Err(e) => Err(StoreError::backend(e)),
    }
}

/// The links `actor` may see: not of a dismissed pair, and not of a
/// blocked profile unless `actor` lists those.
macro_rules! visible_links {
    () => {
        "FROM duplicate_links l WHERE l.business_id = $1 \
     AND NOT EXISTS (SELECT 1 FROM duplicate_dismissals d \
       WHERE d.business_id = $1 AND d.client_a = l.client_a AND d.client_b = l.client_b) \
     AND ($2 OR NOT EXISTS (SELECT 1 FROM client_blocks b \
       WHERE b.business_id = $1 AND b.client_id IN (l.client_a, l.client_b)))"
    };
}

/// The business's pairs from its stored links, best first.
pub(crate) async fn stored_candidates(conn: &mut PgConnection, actor: &Actor) -> StoreResult<Vec<Candidate>> {
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
pub(crate) async fn count_stored(conn: &mut PgConnection, actor: &Actor) -> StoreResult<u64> {
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
