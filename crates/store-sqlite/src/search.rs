//! Client search on SQLite: an FTS5 index kept current inside the transaction
//! of every write that changes what a client can be found by.

use async_trait::async_trait;
use ficha_domain::{Actor, BusinessId, ClientId};
use std::collections::HashSet;

use ficha_store::search::{self, Candidate, SearchDocument, SearchQuery, SearchSource, TIER_WINDOW, Tier};
use ficha_store::{SearchPage, SearchStore, StoreError, StoreResult};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use crate::SqliteStore;
use crate::clients::{hold, record};

mod plan;

/// Rebuilds the search entry of one client from its stored data. Call it in
/// the writing transaction, after the client's rows are written.
pub(crate) async fn refresh(conn: &mut SqliteConnection, business: BusinessId, client: ClientId) -> StoreResult<()> {
    let held = hold(conn, business, client).await?;
    let document = SearchDocument::new(business, &held.client, &held.custom);
    rewrite(conn, held.entry, None, document).await
}

/// Writes a client's entry `after` over the one it had (`before`, when the
/// writer knows it), skipping what did not change: the whole entry when it
/// is the same (a birth date, a value that is not searched), the typo
/// vocabulary when the name is. Two statements at most.
pub(crate) async fn rewrite(
    conn: &mut SqliteConnection,
    rowid: i64,
    before: Option<&SearchDocument>,
    after: SearchDocument,
) -> StoreResult<()> {
    if before == Some(&after) {
        return Ok(());
    }
    if before.is_none_or(|before| before.name != after.name) {
        let terms = serde_json::Value::from(after.typo_targets()).to_string();
        sqlx::query("INSERT OR IGNORE INTO search_terms (tenant, term) SELECT ?1, value FROM json_each(?2)")
            .bind(&after.tenant)
            .bind(terms)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
    }
    sqlx::query("INSERT OR REPLACE INTO client_search (rowid, tenant, name, other) VALUES (?1, ?2, ?3, ?4)")
        .bind(rowid)
        .bind(after.tenant)
        .bind(after.name)
        .bind(after.other)
        .execute(&mut *conn)
        .await
        .map(drop)
        .map_err(StoreError::backend)
}

/// Removes the search entry of a client about to be deleted.
pub(crate) async fn forget(conn: &mut SqliteConnection, business: BusinessId, client: ClientId) -> StoreResult<()> {
    sqlx::query(
        "DELETE FROM client_search WHERE rowid = (SELECT rowid FROM clients WHERE business_id = ?1 AND id = ?2)",
    )
    .bind(business.as_uuid())
    .bind(client.as_uuid())
    .execute(conn)
    .await
    .map(drop)
    .map_err(StoreError::backend)
}

/// Indexes the clients waiting in `client_search_pending` (those that existed
/// before search did), a batch per transaction.
pub(crate) async fn index_pending(store: &SqliteStore) -> StoreResult<()> {
    loop {
        let mut tx = store.write().await?;
        let rows = sqlx::query(
            "SELECT p.client_rowid, c.business_id, c.id FROM client_search_pending p \
             JOIN clients c ON c.rowid = p.client_rowid LIMIT 1000",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
        if rows.is_empty() {
            sqlx::query("DELETE FROM client_search_pending").execute(&mut *tx).await.map_err(StoreError::backend)?;
            return tx.commit().await.map_err(StoreError::backend);
        }
        for row in rows {
            let rowid: i64 = row.try_get(0).map_err(StoreError::backend)?;
            let business = BusinessId::from_uuid(row.try_get(1).map_err(StoreError::backend)?);
            let client = ClientId::from_uuid(row.try_get(2).map_err(StoreError::backend)?);
            refresh(&mut tx, business, client).await?;
            sqlx::query("DELETE FROM client_search_pending WHERE client_rowid = ?1")
                .bind(rowid)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::backend)?;
        }
        tx.commit().await.map_err(StoreError::backend)?;
    }
}

#[async_trait]
impl SearchStore for SqliteStore {
    async fn search_clients(
        &self,
        actor: &Actor,
        query: &SearchQuery,
        offset: u32,
        limit: u32,
    ) -> StoreResult<SearchPage> {
        let business = actor.business();
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let hidden = crate::blocks::hidden_from(&mut conn, actor).await?;
        let ranking = search::rank(&mut Source { conn: &mut conn, business }, query, offset, limit, hidden).await?;
        let (ids, next_offset) = ranking.page(offset, limit);
        let list = id_list(ids);
        let clients = sqlx::query(
            // The listed ids drive (CROSS JOIN fixes the order), each found
            // through the unique index on id.
            "SELECT c.id, c.name, c.email, c.phone, c.rut, c.birth_date, c.last_booking_at, c.registered_at, c.version \
             FROM json_each(?2) AS j CROSS JOIN clients c ON c.id = unhex(j.value) WHERE c.business_id = ?1 \
             AND (?3 OR NOT EXISTS (SELECT 1 FROM client_blocks b WHERE b.business_id = ?1 AND b.client_id = c.id))",
        )
        .bind(business.as_uuid())
        .bind(&list)
        // Blocked profiles are found by owners only.
        .bind(ficha_store::blocks::flow::lists_blocked(actor))
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::backend)?
        .iter()
        .map(|row| record(row).map_err(StoreError::backend)?.into_client())
        .collect::<StoreResult<Vec<_>>>()?;
        let custom = custom_texts(&mut conn, &list, false).await?;
        Ok(SearchPage { hits: search::assemble(query, ids, clients, &custom), next_offset })
    }

    async fn scan_clients(&self, actor: &Actor, text: &str, limit: u32) -> StoreResult<Vec<ClientId>> {
        let pattern = format!("%{}%", text.replace(['%', '_'], ""));
        let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
            "SELECT id FROM clients WHERE business_id = ?1 AND (name LIKE ?2 OR email LIKE ?2 \
             OR phone LIKE ?2 OR rut LIKE ?2) LIMIT ?3",
        )
        .bind(actor.business().as_uuid())
        .bind(pattern)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        Ok(ids.into_iter().map(ClientId::from_uuid).collect())
    }
}

/// A search's queries on one connection, for one business.
struct Source<'a> {
    conn: &'a mut SqliteConnection,
    business: BusinessId,
}

#[async_trait]
impl SearchSource for Source<'_> {
    async fn known_words(&mut self, words: Vec<String>) -> StoreResult<HashSet<String>> {
        plan::known_words(self.conn, self.business, &words).await
    }

    /// The index is asked without the tenant token first: requiring a token
    /// that every entry of a large business carries makes FTS5 walk its
    /// whole doclist. Other businesses' entries are dropped by the join; if
    /// they crowded the window, the query runs again scoped by tenant.
    async fn tier(&mut self, tier: &Tier) -> StoreResult<Vec<Candidate>> {
        let (found, crowded) = window(self.conn, self.business, &plan::render(None, tier)).await?;
        if crowded {
            Ok(window(self.conn, self.business, &plan::render(Some(self.business), tier)).await?.0)
        } else {
            Ok(found)
        }
    }

    async fn names_starting(&mut self, start: &str, end: &str) -> StoreResult<Vec<Candidate>> {
        let rows = sqlx::query(
            "SELECT id, last_booking_at, registered_at, name_key, email_key FROM clients \
             WHERE business_id = ?1 AND name_key >= ?2 AND name_key < ?3 ORDER BY name_key LIMIT ?4",
        )
        .bind(self.business.as_uuid())
        .bind(start)
        .bind(end)
        .bind(i64::from(TIER_WINDOW))
        .fetch_all(&mut *self.conn)
        .await
        .map_err(StoreError::backend)?;
        rows.iter().map(candidate).collect::<Result<_, sqlx::Error>>().map_err(StoreError::backend)
    }

    async fn custom_texts(&mut self, ids: &[ClientId]) -> StoreResult<Vec<(ClientId, String, String)>> {
        custom_texts(self.conn, &id_list(ids), true).await
    }
}

/// The business's clients among the first `TIER_WINDOW` entries matching
/// `expression`, newest first, and whether other businesses' entries took
/// part of the window.
async fn window(
    conn: &mut SqliteConnection,
    business: BusinessId,
    expression: &str,
) -> StoreResult<(Vec<Candidate>, bool)> {
    let rows = sqlx::query(
        // The index drives: the LEFT JOIN keeps SQLite from scanning the
        // business's clients and probing the matches instead, and yields a
        // NULL id for an entry of another business.
        "SELECT c.id, c.last_booking_at, c.registered_at, c.name_key, c.email_key FROM \
         (SELECT rowid AS found FROM client_search WHERE client_search MATCH ?2 ORDER BY rowid DESC LIMIT ?3) AS m \
         LEFT JOIN clients c ON c.rowid = m.found AND c.business_id = ?1",
    )
    .bind(business.as_uuid())
    .bind(expression)
    .bind(i64::from(TIER_WINDOW))
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::backend)?;
    let mut candidates = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: Option<uuid::Uuid> = row.try_get(0).map_err(StoreError::backend)?;
        if id.is_some() {
            candidates.push(candidate(row).map_err(StoreError::backend)?);
        }
    }
    let crowded = rows.len() as u32 == TIER_WINDOW && candidates.len() < rows.len();
    Ok((candidates, crowded))
}

/// A candidate from a row of (id, last_booking_at, registered_at, name_key,
/// email_key).
fn candidate(row: &SqliteRow) -> Result<Candidate, sqlx::Error> {
    Ok(Candidate {
        id: ClientId::from_uuid(row.try_get(0)?),
        last_booking_at: row.try_get(1)?,
        registered_at: row.try_get(2)?,
        name_key: row.try_get(3)?,
        email_key: row.try_get(4)?,
    })
}

/// The ids as a JSON array of hex strings, for `json_each`.
fn id_list(ids: &[ClientId]) -> String {
    serde_json::Value::from(ids.iter().map(|id| id.as_uuid().simple().to_string()).collect::<Vec<_>>()).to_string()
}

/// The custom values of the listed clients (a JSON array of hex ids), with
/// their fields' labels. Sensitive fields' values rank a result but are
/// never told as what matched (`with_sensitive` false for "what matched").
async fn custom_texts(
    conn: &mut SqliteConnection,
    ids: &str,
    with_sensitive: bool,
) -> StoreResult<Vec<(ClientId, String, String)>> {
    let rows = sqlx::query(
        "SELECT v.client_id, f.label, v.search_text FROM json_each(?1) AS j \
         CROSS JOIN client_custom_values v ON v.client_id = unhex(j.value) \
         JOIN custom_fields f ON f.id = v.field_id WHERE (?2 OR NOT f.sensitive) ORDER BY f.position",
    )
    .bind(ids)
    .bind(with_sensitive)
    .fetch_all(conn)
    .await
    .map_err(StoreError::backend)?;
    rows.iter()
        .map(|row| Ok((ClientId::from_uuid(row.try_get(0)?), row.try_get(1)?, row.try_get(2)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::backend)
}
