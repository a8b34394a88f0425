//! Registering many clients at once on SQLite. A batch travels as JSON and is
//! unpacked by `json_each`, so each table takes one statement per batch
//! instead of one per client; the whole batch is one transaction.

use std::collections::BTreeSet;

use ficha_domain::fold::name_key;
use ficha_domain::{Actor, BusinessId, Client, ClientId, NewClient};
use ficha_store::clients::registered;
use ficha_store::duplicates::MARK_WHOLE_BUSINESS_FROM;
use ficha_store::record::micros;
use ficha_store::search::SearchDocument;
use ficha_store::{StoreError, StoreResult};
use sqlx::{Connection, SqliteConnection};
use uuid::Uuid;

use crate::SqliteStore;

/// The page cache of an importing connection, in KiB: room for the indexes
/// of a million clients.
const IMPORT_PAGE_CACHE: &str = "PRAGMA cache_size = -262144";

impl SqliteStore {
    pub(crate) async fn import(&self, actor: &Actor, clients: Vec<NewClient>) -> StoreResult<u64> {
        // A batch inserts into the name and email indexes at random places:
        // with the whole of them in cache, each page is read once per batch
        // instead of once per client. Set back below for the pooled
        // connection's next user, whatever the import's outcome.
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        sqlx::query(IMPORT_PAGE_CACHE).execute(&mut *conn).await.map_err(StoreError::backend)?;
        let imported = self.import_batch(&mut conn, actor, clients).await;
        sqlx::query(crate::RESET_PAGE_CACHE).execute(&mut *conn).await.map_err(StoreError::backend)?;
        imported
    }

    async fn import_batch(
        &self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        clients: Vec<NewClient>,
    ) -> StoreResult<u64> {
        let business = actor.business();
        let now = self.clock.now();
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(StoreError::backend)?;
        // Rowids are given explicitly (the write lock is held), so the search
        // entries can name them without reading them back.
        let last_rowid: i64 = sqlx::query_scalar("SELECT coalesce(max(rowid), 0) FROM clients")
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::backend)?;

        let clients: Vec<Client> = clients.into_iter().map(|new| registered(new, now)).collect();
        let emails: Vec<String> = clients.iter().map(|client| client.email.key()).collect();
        let batch = BatchRows::new(business, last_rowid, clients.iter().map(|client| (client, Vec::new())));
        let count = batch.rows.len() as u64;
        if count == 0 {
            return Ok(0);
        }

        if count >= MARK_WHOLE_BUSINESS_FROM {
            // Its keys are not queued one by one: the business is marked for
            // a sweep of all its key groups, from the first (0032), which
            // costs less than queueing each. A sweep already under way
            // starts over, so none of this batch's keys is behind it.
            sqlx::query(
                "INSERT INTO duplicate_recompute_all (business_id) VALUES (?1) \
                 ON CONFLICT (business_id) DO UPDATE SET after_kind = '', after_key = ''",
            )
            .bind(business.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        }
        // The unique index refuses a taken email, in the business or twice in
        // the batch, and with it the whole batch; only then is the holder
        // looked up, so the usual import pays for no separate check.
        match batch.insert_clients(&mut tx, business).await {
            Ok(()) => {}
            Err(e) if crate::is_unique_violation(&e) => return Err(email_conflict(&mut tx, business, emails).await),
            Err(e) => return Err(StoreError::backend(e)),
        }
        batch.insert_search(&mut tx).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(count)
    }
}

/// A client's row as `json_each` unpacks it: rowid, id (hex), name,
/// name key, email, email key, phone, RUT, birth date, registration
/// (micros). A tuple serializes straight to a JSON array, without a
/// `serde_json::Value` tree per client.
type ClientRow<'a> =
    (i64, String, &'a str, String, &'a str, String, Option<&'a str>, Option<String>, Option<String>, i64);

/// New clients of one business written together, one statement per table:
/// the bulk loader's batches and an import's chunk of new profiles.
/// Rowids are given explicitly, from just past `last_rowid` (the caller
/// holds the write lock), so the search entries name them without reading
/// them back.
pub(crate) struct BatchRows<'a> {
    rows: Vec<ClientRow<'a>>,
    /// Each client's search entry: rowid, folded name, the other text.
    entries: Vec<(i64, String, String)>,
    /// The typo vocabulary the batch's names add.
    terms: BTreeSet<String>,
    tenant: String,
}

impl<'a> BatchRows<'a> {
    /// The rows of `clients`, each with the search texts of its custom
    /// values.
    pub(crate) fn new(
        business: BusinessId,
        last_rowid: i64,
        clients: impl Iterator<Item = (&'a Client, Vec<String>)>,
    ) -> Self {
        let mut batch = Self { rows: Vec::new(), entries: Vec::new(), terms: BTreeSet::new(), tenant: String::new() };
        for (i, (client, custom_texts)) in clients.enumerate() {
            let rowid = last_rowid + 1 + i as i64;
            let document = SearchDocument::new(business, client, &custom_texts);
            batch.terms.extend(document.typo_targets());
            batch.rows.push((
                rowid,
                client.id.as_uuid().simple().to_string(),
                client.name.as_str(),
                name_key(client.name.as_str()),
                client.email.as_str(),
                client.email.key(),
                client.phone.as_ref().map(|p| p.e164()),
                client.rut.map(|r| r.canonical()),
                client.birth_date.map(|d| d.date().to_string()),
                micros(client.registered_at),
            ));
            batch.entries.push((rowid, document.name, document.other));
            batch.tenant = document.tenant;
        }
        batch
    }

    /// The clients' rows. A taken email breaks the unique index and the
    /// whole statement: the error is left to the caller to tell.
    pub(crate) async fn insert_clients(
        &self,
        conn: &mut SqliteConnection,
        business: BusinessId,
    ) -> Result<(), sqlx::Error> {
        let rows = serde_json::to_string(&self.rows).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query(
            "INSERT INTO clients (rowid, id, business_id, name, name_key, email, email_key, phone, rut, birth_date, registered_at) \
             SELECT value ->> 0, unhex(value ->> 1), ?1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, \
                    value ->> 6, value ->> 7, value ->> 8, value ->> 9 \
             FROM json_each(?2)",
        )
        .bind(business.as_uuid())
        .bind(rows)
        .execute(conn)
        .await
        .map(drop)
    }

    /// Their search entries and typo vocabulary. The rowids are new (every
    /// delete forgets its client's entry, `search::forget`), so a plain
    /// insert.
    pub(crate) async fn insert_search(&self, conn: &mut SqliteConnection) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO client_search (rowid, tenant, name, other) \
             SELECT value ->> 0, ?1, value ->> 1, value ->> 2 FROM json_each(?2)",
        )
        .bind(&self.tenant)
        .bind(json(&self.entries)?)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::backend)?;
        sqlx::query("INSERT OR IGNORE INTO search_terms (tenant, term) SELECT ?1, value FROM json_each(?2)")
            .bind(&self.tenant)
            .bind(json(&self.terms)?)
            .execute(conn)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }
}

/// Why a batch broke the email index: an email the business already has
/// (named, like a single registration), or one the batch repeats.
async fn email_conflict(conn: &mut SqliteConnection, business: BusinessId, emails: Vec<String>) -> StoreError {
    let emails = match json(&emails) {
        Ok(text) => text,
        Err(e) => return e,
    };
    let taken: Result<Option<Uuid>, _> = sqlx::query_scalar(
        "SELECT c.id FROM json_each(?2) AS j CROSS JOIN clients c ON c.business_id = ?1 AND c.email_key = j.value LIMIT 1",
    )
    .bind(business.as_uuid())
    .bind(emails)
    .fetch_optional(conn)
    .await;
    match taken {
        Ok(Some(existing)) => StoreError::EmailTaken { existing: ClientId::from_uuid(existing) },
        Ok(None) => StoreError::Corrupt("the batch repeats an email".into()),
        Err(e) => StoreError::backend(e),
    }
}

/// A batch's rows as the JSON text `json_each` unpacks.
fn json(rows: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(rows).map_err(|e| StoreError::Corrupt(format!("batch not serializable: {e}")))
}
