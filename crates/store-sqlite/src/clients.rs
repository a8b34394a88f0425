//! The client registry on SQLite.

use async_trait::async_trait;
use ficha_domain::fold::name_key;
use ficha_domain::{Actor, BusinessId, Change, Client, ClientChanges, ClientId, NewClient};
use ficha_store::clients::CursorKey;
use ficha_store::clients::registered;
use ficha_store::record::{ClientRecord, micros};
use ficha_store::search::SearchDocument;
use ficha_store::{ClientPage, ClientSort, ClientStore, Cursor, ListQuery, StoreError, StoreResult};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::{SqliteStore, blocks, history, is_unique_violation, merges, search};

const SELECT_CLIENT: &str = "SELECT id, name, email, phone, rut, birth_date, last_booking_at, registered_at, version \
     FROM clients WHERE business_id = ?1 AND id = ?2";

const SELECT_BY_EMAIL: &str = "SELECT id FROM clients WHERE business_id = ?1 AND email_key = ?2";

/// The new row's rowid is where its search entry goes.
const INSERT_CLIENT: &str = "INSERT INTO clients \
     (id, business_id, name, name_key, email, email_key, phone, rut, birth_date, registered_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING rowid";

/// Everything a write of one client needs to know first, in one statement:
/// the row, where its search entry is, whether it is blocked, and what its
/// custom values add to the entry (in the profile's order).
const HOLD_CLIENT: &str = "SELECT c.rowid AS entry, c.id, c.name, c.email, c.phone, c.rut, c.birth_date, \
     c.last_booking_at, c.registered_at, c.version, \
     EXISTS (SELECT 1 FROM client_blocks b WHERE b.business_id = ?1 AND b.client_id = c.id) AS blocked, \
     (SELECT json_group_array(t.search_text) FROM (SELECT v.search_text FROM client_custom_values v \
      JOIN custom_fields f ON f.business_id = v.business_id AND f.id = v.field_id \
      WHERE v.business_id = ?1 AND v.client_id = c.id ORDER BY f.position, f.id) AS t) AS custom \
     FROM clients c WHERE c.business_id = ?1 AND c.id = ?2";

pub(crate) const UPDATE_CLIENT: &str = "UPDATE clients SET name = ?3, name_key = ?4, email = ?5, email_key = ?6, \
     phone = ?7, rut = ?8, birth_date = ?9, version = ?10 WHERE business_id = ?1 AND id = ?2";

/// One keyset query per sort: rows strictly after (key, id) in that order.
/// The first page passes a sentinel key that sorts before every row.
fn list_sql(sort: ClientSort) -> &'static str {
    match sort {
        ClientSort::NameAsc => {
            "SELECT id, name, email, phone, rut, birth_date, last_booking_at, registered_at, version \
             FROM clients WHERE business_id = ?1 AND (name_key, id) > (?2, ?3) \
             AND (?5 OR NOT EXISTS (SELECT 1 FROM client_blocks b WHERE b.business_id = ?1 AND b.client_id = clients.id)) \
             ORDER BY name_key, id LIMIT ?4"
        }
        ClientSort::NameDesc => {
            "SELECT id, name, email, phone, rut, birth_date, last_booking_at, registered_at, version \
             FROM clients WHERE business_id = ?1 AND (name_key, id) < (?2, ?3) \
             AND (?5 OR NOT EXISTS (SELECT 1 FROM client_blocks b WHERE b.business_id = ?1 AND b.client_id = clients.id)) \
             ORDER BY name_key DESC, id DESC LIMIT ?4"
        }
        ClientSort::RegisteredAsc => {
            "SELECT id, name, email, phone, rut, birth_date, last_booking_at, registered_at, version \
             FROM clients WHERE business_id = ?1 AND (registered_at, id) > (?2, ?3) \
             AND (?5 OR NOT EXISTS (SELECT 1 FROM client_blocks b WHERE b.business_id = ?1 AND b.client_id = clients.id)) \
             ORDER BY registered_at, id LIMIT ?4"
        }
        ClientSort::RegisteredDesc => {
            "SELECT id, name, email, phone, rut, birth_date, last_booking_at, registered_at, version \
             FROM clients WHERE business_id = ?1 AND (registered_at, id) < (?2, ?3) \
             AND (?5 OR NOT EXISTS (SELECT 1 FROM client_blocks b WHERE b.business_id = ?1 AND b.client_id = clients.id)) \
             ORDER BY registered_at DESC, id DESC LIMIT ?4"
        }
        ClientSort::LastBookingAsc => {
            "SELECT id, name, email, phone, rut, birth_date, last_booking_at, registered_at, version \
             FROM clients WHERE business_id = ?1 AND (coalesce(last_booking_at, 0), id) > (?2, ?3) \
             AND (?5 OR NOT EXISTS (SELECT 1 FROM client_blocks b WHERE b.business_id = ?1 AND b.client_id = clients.id)) \
             ORDER BY coalesce(last_booking_at, 0), id LIMIT ?4"
        }
        ClientSort::LastBookingDesc => {
            "SELECT id, name, email, phone, rut, birth_date, last_booking_at, registered_at, version \
             FROM clients WHERE business_id = ?1 AND (coalesce(last_booking_at, 0), id) < (?2, ?3) \
             AND (?5 OR NOT EXISTS (SELECT 1 FROM client_blocks b WHERE b.business_id = ?1 AND b.client_id = clients.id)) \
             ORDER BY coalesce(last_booking_at, 0) DESC, id DESC LIMIT ?4"
        }
    }
}

pub(crate) fn record(row: &SqliteRow) -> Result<ClientRecord, sqlx::Error> {
    Ok(ClientRecord {
        id: ClientId::from_uuid(row.try_get("id")?),
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        rut: row.try_get("rut")?,
        birth_date: row.try_get("birth_date")?,
        last_booking_at: row.try_get("last_booking_at")?,
        registered_at: row.try_get("registered_at")?,
        version: row.try_get("version")?,
    })
}

pub(crate) async fn fetch_client(
    conn: &mut SqliteConnection,
    business: BusinessId,
    id: ClientId,
) -> StoreResult<Client> {
    let row = crate::scoped_row(conn, SELECT_CLIENT, business, id.as_uuid()).await?;
    record(&row).map_err(StoreError::backend)?.into_client()
}

/// A client as a writing transaction found it (`HOLD_CLIENT`).
pub(crate) struct Held {
    pub client: Client,
    /// The rowid its search entry is stored under.
    pub entry: i64,
    pub blocked: bool,
    /// Its custom values' search text, in the profile's order.
    pub custom: Vec<String>,
}

impl Held {
    /// The client, unless it is blocked (`ClientBlocked`): every write of a
    /// client's data asks.
    pub(crate) fn open(self) -> StoreResult<Self> {
        ficha_store::blocks::flow::open(self.blocked)?;
        Ok(self)
    }
}

/// Reads `id` for a write, inside the caller's transaction; `NotFound` when
/// it is not `business`'s.
pub(crate) async fn hold(conn: &mut SqliteConnection, business: BusinessId, id: ClientId) -> StoreResult<Held> {
    let row = crate::scoped_row(conn, HOLD_CLIENT, business, id.as_uuid()).await?;
    let custom: String = row.try_get("custom").map_err(StoreError::backend)?;
    Ok(Held {
        client: record(&row).map_err(StoreError::backend)?.into_client()?,
        entry: row.try_get("entry").map_err(StoreError::backend)?,
        blocked: row.try_get("blocked").map_err(StoreError::backend)?,
        custom: serde_json::from_str(&custom).map_err(StoreError::backend)?,
    })
}

async fn holder_of_email(
    conn: &mut SqliteConnection,
    business: BusinessId,
    email_key: &str,
) -> StoreResult<Option<ClientId>> {
    let id: Option<Uuid> = sqlx::query_scalar(SELECT_BY_EMAIL)
        .bind(business.as_uuid())
        .bind(email_key)
        .fetch_optional(conn)
        .await
        .map_err(StoreError::backend)?;
    Ok(id.map(ClientId::from_uuid))
}

/// Binds the editable columns, ?3 to ?9, in the order both statements use.
pub(crate) fn bind_fields<'q>(
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>,
    client: &Client,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
    query
        .bind(client.name.as_str().to_owned())
        .bind(name_key(client.name.as_str()))
        .bind(client.email.as_str().to_owned())
        .bind(client.email.key())
        .bind(client.phone.as_ref().map(|p| p.e164().to_owned()))
        .bind(client.rut.map(|r| r.canonical()))
        .bind(client.birth_date.map(|d| d.date().to_string()))
}

#[async_trait]
impl ClientStore for SqliteStore {
    async fn create_client(&self, actor: &Actor, new: NewClient) -> StoreResult<Client> {
        let business = actor.business();
        let client = registered(new, self.clock.now());
        let mut tx = self.write().await?;
        let insert = sqlx::query(INSERT_CLIENT).bind(client.id.as_uuid()).bind(business.as_uuid());
        let inserted = bind_fields(insert, &client).bind(micros(client.registered_at)).fetch_one(&mut *tx).await;
        let rowid: i64 = match inserted {
            Ok(row) => row.try_get(0).map_err(StoreError::backend)?,
            Err(e) if is_unique_violation(&e) => {
                let existing = holder_of_email(&mut tx, business, &client.email.key()).await?;
                return Err(
                    existing.map_or_else(|| StoreError::backend(e), |existing| StoreError::EmailTaken { existing })
                );
            }
            Err(e) => return Err(StoreError::backend(e)),
        };
        // An alias of another profile is taken too.
        if let Some(existing) = merges::alias_holder(&mut tx, business, &client.email.key()).await? {
            return Err(StoreError::EmailTaken { existing });
        }
        search::rewrite(&mut tx, rowid, None, SearchDocument::new(business, &client, &[])).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(client)
    }

    async fn get_client(&self, actor: &Actor, id: ClientId) -> StoreResult<Client> {
        if !actor.may_reach(id) {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let client = match fetch_client(&mut conn, actor.business(), id).await {
            // An absorbed profile leads to the one it was merged into.
            Err(StoreError::NotFound) if !actor.is_client() => {
                return Err(match merges::merged_into(&mut conn, actor.business(), id).await? {
                    Some(into) => StoreError::Merged { into },
                    None => StoreError::NotFound,
                });
            }
            other => other?,
        };
        // A blocked profile is hidden from professionals: one more lookup,
        // only for them.
        if !blocks::flow_lists_blocked(actor) && blocks::is_blocked(&mut conn, actor.business(), id).await? {
            return Err(StoreError::NotFound);
        }
        Ok(client)
    }

    async fn update_client(
        &self,
        actor: &Actor,
        id: ClientId,
        expected_version: i64,
        changes: ClientChanges,
    ) -> StoreResult<Client> {
        if !actor.may_reach(id) {
            return Err(StoreError::NotFound);
        }
        let business = actor.business();
        let mut tx = self.write().await?;
        let held = hold(&mut tx, business, id).await?.open()?;
        if held.client.version != expected_version {
            return Err(StoreError::Stale { current: Box::new(held.client) });
        }
        if changes.is_empty() {
            return Ok(held.client);
        }
        let current = &held.client;
        let mut updated = changes.applied_to(current);
        updated.version += 1;
        if updated.email.key() != current.email.key()
            && let Some(existing) = merges::email_holder(&mut tx, business, &updated.email.key()).await?
            && existing != id
        {
            return Err(StoreError::EmailTaken { existing });
        }
        let update = sqlx::query(UPDATE_CLIENT).bind(business.as_uuid()).bind(id.as_uuid());
        bind_fields(update, &updated).bind(updated.version).execute(&mut *tx).await.map_err(StoreError::backend)?;
        let before = SearchDocument::new(business, current, &held.custom);
        let after = SearchDocument::new(business, &updated, &held.custom);
        search::rewrite(&mut tx, held.entry, Some(&before), after).await?;
        history::record(&mut tx, actor, id, self.clock.now(), &Change::between(current, &updated)).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(updated)
    }

    async fn delete_client(&self, actor: &Actor, id: ClientId) -> StoreResult<()> {
        // Deleting a profile is the business's act (a client asks for it).
        if actor.is_client() {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.write().await?;
        search::forget(&mut tx, actor.business(), id).await?;
        let deleted = sqlx::query("DELETE FROM clients WHERE business_id = ?1 AND id = ?2")
            .bind(actor.business().as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        history::client_deleted(&mut tx, actor, self.clock.now()).await?;
        tx.commit().await.map_err(StoreError::backend)
    }

    async fn list_clients(&self, actor: &Actor, query: &ListQuery) -> StoreResult<ClientPage> {
        let business = actor.business().as_uuid();
        let (key, after_id) = query.start();
        let limit = query.limit.max(1);
        let statement = sqlx::query(list_sql(query.sort)).bind(business);
        let statement = match key {
            CursorKey::Text(text) => statement.bind(text),
            CursorKey::Micros(micros) => statement.bind(micros),
        };
        let with_blocked = blocks::flow_lists_blocked(actor);
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let rows = statement
            .bind(after_id)
            .bind(i64::from(limit) + 1)
            .bind(with_blocked)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
        let total: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM clients WHERE business_id = ?1) \
             - CASE WHEN ?2 THEN 0 ELSE (SELECT count(*) FROM client_blocks WHERE business_id = ?1) END",
        )
        .bind(business)
        .bind(with_blocked)
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::backend)?;

        let more = rows.len() > limit as usize;
        let clients = rows
            .iter()
            .take(limit as usize)
            .map(|row| record(row).map_err(StoreError::backend)?.into_client())
            .collect::<StoreResult<Vec<_>>>()?;
        let next = match clients.last() {
            Some(last) if more => Some(Cursor::after(query.sort, last)),
            _ => None,
        };
        Ok(ClientPage { clients, next, total: u64::try_from(total).unwrap_or(0) })
    }

    async fn import_clients(&self, actor: &Actor, clients: Vec<NewClient>) -> StoreResult<u64> {
        self.import(actor, clients).await
    }

    async fn settle_after_import(&self) -> StoreResult<()> {
        // Nothing to catch up: SQLite has no visibility bookkeeping, and
        // FTS5 merges its segments as it writes (automerge, 0007). Running
        // ANALYZE here would let the planner change plans that the search
        // queries were measured with.
        Ok(())
    }
}
