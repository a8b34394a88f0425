//! Client imports on SQLite: the queries of `ficha_store::imports::flow`
//! on one connection, and the store's entry points, each one writing
//! transaction (a dry run's is rolled back).

use async_trait::async_trait;
use ficha_domain::{
    Actor, BusinessId, Change, Client, ClientId, CustomField, CustomValue, Email, ImportId, NoteId, NoteText,
};
use ficha_store::history::WhoRecord;
use ficha_store::imports::flow::{self, BatchNote, HeldProfile, ImportTx, NewProfile, new_search_texts, owners_only};
use ficha_store::imports::record::{BatchRecord, TagKind, TagRecord};
use ficha_store::imports::{Existing, ImportBatch, ImportRow, ImportStore, NewImport, RowReport, RowSource};
use ficha_store::record::micros;
use ficha_store::search::SearchDocument;
use ficha_store::{StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::clients::{UPDATE_CLIENT, bind_fields, hold};
use crate::custom_fields::{client_values, fetch_fields, upsert_value};
use crate::import::BatchRows;
use crate::{SqliteStore, history, search};

/// The profiles of the email keys in ?2, a JSON array: where import lines
/// land (the one place an import matches by email: a profile's own, else
/// an alias a merge left, which leads to the survivor).
const BY_EMAIL: &str = "SELECT email_key, id FROM (SELECT e.value AS email_key, coalesce( \
       (SELECT c.id FROM clients c WHERE c.business_id = ?1 AND c.email_key = e.value), \
       (SELECT a.client_id FROM client_email_aliases a WHERE a.business_id = ?1 AND a.email_key = e.value)) AS id \
     FROM json_each(?2) AS e) WHERE id IS NOT NULL";

/// The new row's rowid is where its search entry goes.
/// A chunk's new profiles, ?2 a JSON array of [rowid, id (hex), name,
/// name_key, email, email_key, phone, rut, birth_date, registered_at].
const INSERT_CLIENT: &str = "INSERT INTO clients \
     (id, business_id, name, name_key, email, email_key, phone, rut, birth_date, registered_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING rowid";

/// A created profile's activity: bookings, and notes other than the ones
/// batch ?3 added and nobody edited since.
const HAS_ACTIVITY: &str = "SELECT EXISTS (SELECT 1 FROM bookings WHERE business_id = ?1 AND client_id = ?2) \
     OR EXISTS (SELECT 1 FROM client_notes WHERE business_id = ?1 AND client_id = ?2 \
     AND (import_id IS NOT ?3 OR edited_at IS NOT NULL))";

const HAS_NOTE: &str = "SELECT EXISTS (SELECT 1 FROM client_notes \
     WHERE business_id = ?1 AND client_id = ?2 AND text = ?3)";

const INSERT_NOTE: &str = "INSERT INTO client_notes \
     (id, business_id, client_id, text, author_kind, author_id, created_at, import_id) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

const BATCH_NOTES: &str = "SELECT id, client_id, text, edited_at IS NOT NULL AS edited FROM client_notes \
     WHERE business_id = ?1 AND import_id = ?2 ORDER BY created_at, id";

const DELETE_NOTE: &str = "DELETE FROM client_notes WHERE business_id = ?1 AND id = ?2";

const DELETE_VALUE: &str =
    "DELETE FROM client_custom_values WHERE business_id = ?1 AND client_id = ?2 AND field_id = ?3";

const SELECT_BATCH: &str = "SELECT id, status, existing, file_name, total_rows, created, updated, unchanged, skipped, \
     refused, staff_id, started_at, finished_at, undone_at, failure FROM import_batches \
     WHERE business_id = ?1 AND id = ?2";

const INSERT_BATCH: &str = "INSERT INTO import_batches (business_id, id, status, existing, file_name, total_rows, \
     staff_id, started_at, file) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

const STAGED_FILE: &str = "SELECT file FROM import_batches \
     WHERE business_id = ?1 AND id = ?2 AND status = 'staged' AND file IS NOT NULL";

/// The file stays only while the batch is staged.
const SAVE_BATCH: &str = "UPDATE import_batches SET status = ?3, created = ?4, updated = ?5, unchanged = ?6, \
     skipped = ?7, refused = ?8, finished_at = ?9, undone_at = ?10, failure = ?11, existing = ?12, \
     total_rows = ?13, started_at = ?14, file = CASE WHEN ?3 = 'staged' THEN file END \
     WHERE business_id = ?1 AND id = ?2";

/// A chunk's tags from a JSON array of [line, outcome, client id in hex,
/// version after, previous, problems].
const INSERT_TAGS: &str = "INSERT INTO import_rows \
     (business_id, import_id, line, outcome, client_id, version_after, previous, problems) \
     SELECT ?1, ?2, t.value ->> 0, t.value ->> 1, unhex(t.value ->> 2), t.value ->> 3, t.value ->> 4, t.value ->> 5 \
     FROM json_each(?3) AS t";

/// ?3 a JSON array of outcomes.
const TAGS: &str = "SELECT line, outcome, client_id, version_after, previous, problems FROM import_rows \
     WHERE business_id = ?1 AND import_id = ?2 AND outcome IN (SELECT value FROM json_each(?3)) \
     ORDER BY line LIMIT ?4";

pub(crate) struct Tx<'c>(pub(crate) &'c mut SqliteConnection);

fn batch_record(row: &SqliteRow) -> Result<BatchRecord, sqlx::Error> {
    Ok(BatchRecord {
        id: ImportId::from_uuid(row.try_get("id")?),
        status: row.try_get("status")?,
        existing: row.try_get("existing")?,
        file_name: row.try_get("file_name")?,
        total_rows: row.try_get("total_rows")?,
        created: row.try_get("created")?,
        updated: row.try_get("updated")?,
        unchanged: row.try_get("unchanged")?,
        skipped: row.try_get("skipped")?,
        refused: row.try_get("refused")?,
        staff_id: row.try_get("staff_id")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        undone_at: row.try_get("undone_at")?,
        failure: row.try_get("failure")?,
    })
}

fn tag_record(row: &SqliteRow) -> StoreResult<TagRecord> {
    let read = || -> Result<_, sqlx::Error> {
        let line: i64 = row.try_get("line")?;
        let outcome: String = row.try_get("outcome")?;
        let client: Option<Uuid> = row.try_get("client_id")?;
        Ok((line, outcome, client, row.try_get("version_after")?, row.try_get("previous")?, row.try_get("problems")?))
    };
    let (line, outcome, client, version_after, previous, problems) = read().map_err(StoreError::backend)?;
    Ok(TagRecord {
        line: u64::try_from(line).unwrap_or(0),
        kind: TagKind::parse(&outcome).ok_or_else(|| StoreError::Corrupt(format!("import row outcome {outcome}")))?,
        client: client.map(ClientId::from_uuid),
        version_after,
        previous,
        problems,
    })
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[async_trait]
impl ImportTx for Tx<'_> {
    async fn fields(&mut self, business: BusinessId) -> StoreResult<Vec<CustomField>> {
        fetch_fields(self.0, business, true).await
    }

    async fn profiles_by_email(
        &mut self,
        business: BusinessId,
        emails: &[Email],
    ) -> StoreResult<Vec<(String, ClientId)>> {
        if emails.is_empty() {
            return Ok(Vec::new());
        }
        let found: Vec<(String, Uuid)> = sqlx::query_as(BY_EMAIL)
            .bind(business.as_uuid())
            .bind(serde_json::Value::from(emails.iter().map(Email::key).collect::<Vec<_>>()).to_string())
            .fetch_all(&mut *self.0)
            .await
            .map_err(StoreError::backend)?;
        Ok(found.into_iter().map(|(key, id)| (key, ClientId::from_uuid(id))).collect())
    }

    async fn hold(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Option<HeldProfile>> {
        let held = match hold(self.0, business, client).await {
            Ok(held) => held,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        let values = client_values(self.0, business, client).await?;
        Ok(Some(HeldProfile { client: held.client, blocked: held.blocked, values }))
    }

    async fn has_activity(&mut self, business: BusinessId, client: ClientId, batch: ImportId) -> StoreResult<bool> {
        sqlx::query_scalar(HAS_ACTIVITY)
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .bind(batch.as_uuid())
            .fetch_one(&mut *self.0)
            .await
            .map_err(StoreError::backend)
    }

    async fn has_note(&mut self, business: BusinessId, client: ClientId, text: &NoteText) -> StoreResult<bool> {
        sqlx::query_scalar(HAS_NOTE)
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .bind(text.as_str())
            .fetch_one(&mut *self.0)
            .await
            .map_err(StoreError::backend)
    }

    async fn insert_note(
        &mut self,
        actor: &Actor,
        client: ClientId,
        note: NoteId,
        text: &NoteText,
        at: Timestamp,
        batch: Option<ImportId>,
    ) -> StoreResult<()> {
        let (author_kind, author_id) = WhoRecord::columns(actor);
        sqlx::query(INSERT_NOTE)
            .bind(note.as_uuid())
            .bind(actor.business().as_uuid())
            .bind(client.as_uuid())
            .bind(text.as_str())
            .bind(author_kind)
            .bind(author_id)
            .bind(micros(at))
            .bind(batch.map(|b| b.as_uuid()))
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn batch_notes(&mut self, business: BusinessId, batch: ImportId) -> StoreResult<Vec<BatchNote>> {
        let rows: Vec<(Uuid, Uuid, String, bool)> = sqlx::query_as(BATCH_NOTES)
            .bind(business.as_uuid())
            .bind(batch.as_uuid())
            .fetch_all(&mut *self.0)
            .await
            .map_err(StoreError::backend)?;
        Ok(rows
            .into_iter()
            .map(|(id, client, text, edited)| BatchNote {
                id: NoteId::from_uuid(id),
                client: ClientId::from_uuid(client),
                text,
                edited,
            })
            .collect())
    }

    async fn delete_note(&mut self, business: BusinessId, note: NoteId) -> StoreResult<()> {
        sqlx::query(DELETE_NOTE)
            .bind(business.as_uuid())
            .bind(note.as_uuid())
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn insert_client(
        &mut self,
        business: BusinessId,
        client: &Client,
        values: &[(CustomField, Option<CustomValue>)],
    ) -> StoreResult<()> {
        let insert = sqlx::query(INSERT_CLIENT).bind(client.id.as_uuid()).bind(business.as_uuid());
        let row = bind_fields(insert, client)
            .bind(micros(client.registered_at))
            .fetch_one(&mut *self.0)
            .await
            .map_err(StoreError::backend)?;
        let rowid: i64 = row.try_get(0).map_err(StoreError::backend)?;
        for (field, value) in values {
            if let Some(value) = value {
                upsert_value(self.0, business, client.id, field, value).await?;
            }
        }
        let document = SearchDocument::new(business, client, &new_search_texts(values));
        search::rewrite(self.0, rowid, None, document).await
    }

    /// The chunk's new profiles, written together as the bulk loader's
    /// batches are (`BatchRows`, import.rs: one statement per table, rowids
    /// given explicitly under the write lock); their custom values one by
    /// one, between the rows and the search entries that hold their text.
    async fn insert_clients(&mut self, business: BusinessId, profiles: &[NewProfile]) -> StoreResult<()> {
        if profiles.is_empty() {
            return Ok(());
        }
        let last_rowid: i64 = sqlx::query_scalar("SELECT coalesce(max(rowid), 0) FROM clients")
            .fetch_one(&mut *self.0)
            .await
            .map_err(StoreError::backend)?;
        let batch = BatchRows::new(
            business,
            last_rowid,
            profiles.iter().map(|NewProfile { client, values }| (client, new_search_texts(values))),
        );
        batch.insert_clients(self.0, business).await.map_err(StoreError::backend)?;
        for NewProfile { client, values } in profiles {
            for (field, value) in values {
                if let Some(value) = value {
                    upsert_value(self.0, business, client.id, field, value).await?;
                }
            }
        }
        batch.insert_search(self.0).await
    }

    async fn write_client(&mut self, business: BusinessId, client: &Client) -> StoreResult<()> {
        let update = sqlx::query(UPDATE_CLIENT).bind(business.as_uuid()).bind(client.id.as_uuid());
        bind_fields(update, client)
            .bind(client.version)
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn set_value(
        &mut self,
        business: BusinessId,
        client: ClientId,
        field: &CustomField,
        value: Option<&CustomValue>,
    ) -> StoreResult<()> {
        match value {
            Some(value) => upsert_value(self.0, business, client, field, value).await,
            None => sqlx::query(DELETE_VALUE)
                .bind(business.as_uuid())
                .bind(client.as_uuid())
                .bind(field.id.as_uuid())
                .execute(&mut *self.0)
                .await
                .map(drop)
                .map_err(StoreError::backend),
        }
    }

    async fn refresh_search(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()> {
        search::refresh(self.0, business, client).await
    }

    async fn record(&mut self, actor: &Actor, client: ClientId, at: Timestamp, changes: &[Change]) -> StoreResult<()> {
        history::record(self.0, actor, client, at, changes).await
    }

    async fn record_many(&mut self, actor: &Actor, at: Timestamp, entries: &[(ClientId, Change)]) -> StoreResult<()> {
        let entries: Vec<(ClientId, &Change)> = entries.iter().map(|(client, change)| (*client, change)).collect();
        history::record_many(self.0, actor, at, &entries).await
    }

    async fn delete_client(&mut self, actor: &Actor, client: ClientId, at: Timestamp) -> StoreResult<()> {
        search::forget(self.0, actor.business(), client).await?;
        sqlx::query("DELETE FROM clients WHERE business_id = ?1 AND id = ?2")
            .bind(actor.business().as_uuid())
            .bind(client.as_uuid())
            .execute(&mut *self.0)
            .await
            .map_err(StoreError::backend)?;
        // The deletion's anonymous trace, as a deletion by hand leaves.
        history::client_deleted(self.0, actor, at).await
    }

    async fn tag(&mut self, business: BusinessId, batch: ImportId, tags: &[TagRecord]) -> StoreResult<()> {
        let rows: Vec<serde_json::Value> = tags
            .iter()
            .map(|t| {
                let client = t.client.map(|c| c.as_uuid().simple().to_string());
                serde_json::json!([count(t.line), t.kind.as_str(), client, t.version_after, t.previous, t.problems])
            })
            .collect();
        sqlx::query(INSERT_TAGS)
            .bind(business.as_uuid())
            .bind(batch.as_uuid())
            .bind(serde_json::Value::from(rows).to_string())
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn tags(
        &mut self,
        business: BusinessId,
        batch: ImportId,
        kinds: &[TagKind],
        limit: u32,
    ) -> StoreResult<Vec<TagRecord>> {
        let kinds = serde_json::Value::from(kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>()).to_string();
        let rows = sqlx::query(TAGS)
            .bind(business.as_uuid())
            .bind(batch.as_uuid())
            .bind(kinds)
            .bind(i64::from(limit))
            .fetch_all(&mut *self.0)
            .await
            .map_err(StoreError::backend)?;
        rows.iter().map(tag_record).collect()
    }

    async fn batch(&mut self, business: BusinessId, batch: ImportId) -> StoreResult<ImportBatch> {
        let row = crate::scoped_row(self.0, SELECT_BATCH, business, batch.as_uuid()).await?;
        batch_record(&row).map_err(StoreError::backend)?.into_batch()
    }

    async fn staged_file(&mut self, business: BusinessId, batch: ImportId) -> StoreResult<Vec<u8>> {
        let row = crate::scoped_row(self.0, STAGED_FILE, business, batch.as_uuid()).await?;
        row.try_get("file").map_err(StoreError::backend)
    }

    async fn insert_batch(
        &mut self,
        business: BusinessId,
        batch: &ImportBatch,
        file: Option<&[u8]>,
    ) -> StoreResult<()> {
        sqlx::query(INSERT_BATCH)
            .bind(business.as_uuid())
            .bind(batch.id.as_uuid())
            .bind(batch.status.as_str())
            .bind(batch.existing.as_str())
            .bind(&batch.file_name)
            .bind(count(batch.total_rows))
            .bind(batch.by.map(|s| s.as_uuid()))
            .bind(micros(batch.started_at))
            .bind(file)
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn save_batch(&mut self, business: BusinessId, batch: &ImportBatch) -> StoreResult<()> {
        sqlx::query(SAVE_BATCH)
            .bind(business.as_uuid())
            .bind(batch.id.as_uuid())
            .bind(batch.status.as_str())
            .bind(count(batch.counts.created))
            .bind(count(batch.counts.updated))
            .bind(count(batch.counts.unchanged))
            .bind(count(batch.counts.exists))
            .bind(count(batch.counts.refused))
            .bind(batch.finished_at.map(micros))
            .bind(batch.undone_at.map(micros))
            .bind(batch.failure.as_deref())
            .bind(batch.existing.as_str())
            .bind(count(batch.total_rows))
            .bind(micros(batch.started_at))
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }
}

#[async_trait]
impl ImportStore for SqliteStore {
    async fn dry_run_import(
        &self,
        actor: &Actor,
        existing: Existing,
        rows: &mut (dyn RowSource + Send),
    ) -> StoreResult<Vec<RowReport>> {
        owners_only(actor)?;
        // Dropped without a commit: rolled back.
        let mut tx = self.write().await?;
        flow::dry_run(&mut Tx(&mut tx), actor, self.clock.now(), existing, rows).await
    }

    async fn open_import(&self, actor: &Actor, new: NewImport) -> StoreResult<ImportBatch> {
        let mut tx = self.write().await?;
        let batch = flow::open(&mut Tx(&mut tx), actor, self.clock.now(), new).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(batch)
    }

    async fn stage_import(&self, actor: &Actor, file_name: String, file: Vec<u8>) -> StoreResult<ImportBatch> {
        let mut tx = self.write().await?;
        let batch = flow::stage(&mut Tx(&mut tx), actor, self.clock.now(), file_name, &file).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(batch)
    }

    async fn staged_file(&self, actor: &Actor, batch: ImportId) -> StoreResult<Vec<u8>> {
        owners_only(actor)?;
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        Tx(&mut conn).staged_file(actor.business(), batch).await
    }

    async fn start_staged(
        &self,
        actor: &Actor,
        batch: ImportId,
        existing: Existing,
        total_rows: u64,
    ) -> StoreResult<ImportBatch> {
        let mut tx = self.write().await?;
        let batch = flow::start(&mut Tx(&mut tx), actor, self.clock.now(), batch, existing, total_rows).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(batch)
    }

    async fn import_rows(&self, actor: &Actor, batch: ImportId, rows: Vec<ImportRow>) -> StoreResult<Vec<RowReport>> {
        owners_only(actor)?;
        let mut tx = self.write().await?;
        let reports = flow::import_rows(&mut Tx(&mut tx), actor, self.clock.now(), batch, rows).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(reports)
    }

    async fn finish_import(&self, actor: &Actor, batch: ImportId, failure: Option<String>) -> StoreResult<ImportBatch> {
        let mut tx = self.write().await?;
        let batch = flow::finish(&mut Tx(&mut tx), actor, self.clock.now(), batch, failure).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(batch)
    }

    async fn get_import(&self, actor: &Actor, batch: ImportId) -> StoreResult<ImportBatch> {
        owners_only(actor)?;
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        Tx(&mut conn).batch(actor.business(), batch).await
    }

    async fn import_problems(&self, actor: &Actor, batch: ImportId, limit: u32) -> StoreResult<Vec<RowReport>> {
        owners_only(actor)?;
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let mut tx = Tx(&mut conn);
        tx.batch(actor.business(), batch).await?;
        let tags = tx.tags(actor.business(), batch, &[TagKind::Refused, TagKind::Blocked], limit).await?;
        tags.iter().map(TagRecord::report).collect()
    }

    async fn undo_import(&self, actor: &Actor, batch: ImportId) -> StoreResult<ImportBatch> {
        owners_only(actor)?;
        let mut tx = self.write().await?;
        let batch = flow::undo(&mut Tx(&mut tx), actor, self.clock.now(), batch).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(batch)
    }
}
