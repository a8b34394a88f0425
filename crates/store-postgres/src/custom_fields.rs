//! Custom fields ("Otros datos") on PostgreSQL. A check and the write it
//! allows run in one transaction under row locks: a field being edited or
//! removed is locked `FOR UPDATE`, a field a value is being saved for `FOR
//! SHARE`, so "does a value use this option?" and "has this field values?"
//! cannot be answered wrong by a concurrent save (and vice versa).

use async_trait::async_trait;
use ficha_domain::fold::fold;
use ficha_domain::{
    Actor, BusinessId, ClientId, CustomField, CustomFieldChanges, CustomFieldId, CustomValue, FieldKey, FieldKind,
    NewCustomField,
};
use ficha_store::blocks::flow::lists_blocked;
use ficha_store::custom_fields::record::{CustomFieldRecord, options_text, read_value, stored_labels, value_text};
use ficha_store::custom_fields::{check_values, search_texts, values_after};
use ficha_store::history::value_changes;
use ficha_store::record::micros;
use ficha_store::search::SearchDocument;
use ficha_store::{CustomFieldStore, FieldValue, Removed, SavedValues, StoreError, StoreResult};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::clients::{HOLD_CLIENT_FOR_UPDATE, hold};
use crate::{PgStore, history, search, violates_unique};

const SELECT_FIELD: &str = "SELECT id, key, label, kind, options, required, in_booking_form, visible_to_client, sensitive, \
     identifying, position, archived_at FROM custom_fields WHERE business_id = $1 AND id = $2";

/// The field, locked until the transaction ends: saves of its values wait.
const SELECT_FIELD_FOR_UPDATE: &str = "SELECT id, key, label, kind, options, required, in_booking_form, \
     visible_to_client, sensitive, identifying, position, archived_at FROM custom_fields WHERE business_id = $1 AND id = $2 FOR UPDATE";

/// The fields named by a save of values, share-locked until it commits: an
/// edit or removal of one of them waits (and then sees the saved values).
/// Locked in id order, as every transaction that locks several does.
const LOCK_FIELDS_BY_KEY: &str = "SELECT id, key, label, kind, options, required, in_booking_form, \
     visible_to_client, sensitive, identifying, position, archived_at FROM custom_fields WHERE business_id = $1 AND key = ANY($2) \
     ORDER BY id FOR SHARE";

/// The unique constraint of `0002_custom_fields.sql` on (business_id, key).
const CUSTOM_FIELDS_KEY: &str = "custom_fields_key";

/// The business's fields in the order they are shown; archived ones only
/// when $2 is true.
const LIST_FIELDS: &str = "SELECT id, key, label, kind, options, required, in_booking_form, visible_to_client, sensitive, \
     identifying, position, archived_at FROM custom_fields WHERE business_id = $1 AND ($2 OR archived_at IS NULL) \
     ORDER BY position, id";

/// Without a position ($10 null) a field goes after the business's others.
const INSERT_FIELD: &str = "INSERT INTO custom_fields \
     (id, business_id, key, label, kind, options, required, in_booking_form, visible_to_client, position, created_at, \
     sensitive, identifying) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
     coalesce($10, (SELECT coalesce(max(position), 0) + 1 FROM custom_fields WHERE business_id = $2)), $11, $12, $13) \
     RETURNING position";

const UPDATE_FIELD: &str = "UPDATE custom_fields SET label = $3, options = $4, required = $5, in_booking_form = $6, \
     visible_to_client = $7, position = $8, archived_at = $9, sensitive = $10, identifying = $11 WHERE business_id = $1 AND id = $2";

const DELETE_FIELD: &str = "DELETE FROM custom_fields WHERE business_id = $1 AND id = $2";

const FIELD_HAS_VALUES: &str =
    "SELECT EXISTS (SELECT 1 FROM client_custom_values WHERE business_id = $1 AND field_id = $2)";

const VALUES_OF_FIELD: &str =
    "SELECT DISTINCT value FROM client_custom_values WHERE business_id = $1 AND field_id = $2";

/// A yes/no value is found by its field's label: a new label is new search
/// text for every "yes".
const RELABEL_YES: &str = "UPDATE client_custom_values SET search_text = $3 \
     WHERE business_id = $1 AND field_id = $2 AND value = 'true' RETURNING client_id";

const CLIENT_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM clients WHERE business_id = $1 AND id = $2)";

const CLIENT_VALUES: &str = "SELECT f.id, f.key, f.label, f.kind, f.options, f.required, f.in_booking_form, \
     f.visible_to_client, f.sensitive, f.identifying, f.position, f.archived_at, v.value \
     FROM client_custom_values v JOIN custom_fields f ON f.business_id = v.business_id AND f.id = v.field_id \
     WHERE v.business_id = $1 AND v.client_id = $2 ORDER BY f.position, f.id";

/// The values of the clients in $2, grouped in that order (`WITH
/// ORDINALITY`), each client's by its fields' order; blocked profiles'
/// only when $3 is true.
const VALUES_OF_CLIENTS: &str = "SELECT v.client_id, f.id, f.key, f.label, f.kind, f.options, f.required, \
     f.in_booking_form, f.visible_to_client, f.sensitive, f.identifying, f.position, f.archived_at, v.value \
     FROM unnest($2::uuid[]) WITH ORDINALITY AS j (client_id, n) \
     JOIN client_custom_values v ON v.business_id = $1 AND v.client_id = j.client_id \
     JOIN custom_fields f ON f.business_id = v.business_id AND f.id = v.field_id \
     WHERE ($3 OR NOT EXISTS (SELECT 1 FROM client_blocks b WHERE b.business_id = $1 AND b.client_id = v.client_id)) \
     ORDER BY j.n, f.position, f.id";

const UPSERT_VALUE: &str = "INSERT INTO client_custom_values (client_id, field_id, business_id, value, search_text) \
     VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (business_id, client_id, field_id) DO UPDATE SET value = excluded.value, search_text = excluded.search_text";

/// A save of a client's values: upserts ($4 fields, $5 values, $6 search
/// texts), deletes ($7 fields) and the client's new version ($3).
const SAVE_VALUES: &str = "WITH written AS (\
     INSERT INTO client_custom_values (client_id, field_id, business_id, value, search_text) \
     SELECT $2, w.field_id, $1, w.value, w.search_text FROM unnest($4::uuid[], $5::text[], $6::text[]) \
     AS w (field_id, value, search_text) \
     ON CONFLICT (business_id, client_id, field_id) \
     DO UPDATE SET value = excluded.value, search_text = excluded.search_text), \
     emptied AS (DELETE FROM client_custom_values \
     WHERE business_id = $1 AND client_id = $2 AND field_id = ANY($7::uuid[])) \
     UPDATE clients SET version = $3 WHERE business_id = $1 AND id = $2";

fn field_record(row: &PgRow) -> Result<CustomFieldRecord, sqlx::Error> {
    Ok(CustomFieldRecord {
        id: CustomFieldId::from_uuid(row.try_get("id")?),
        key: row.try_get("key")?,
        label: row.try_get("label")?,
        kind: row.try_get("kind")?,
        options: row.try_get("options")?,
        required: row.try_get("required")?,
        in_booking_form: row.try_get("in_booking_form")?,
        visible_to_client: row.try_get("visible_to_client")?,
        sensitive: row.try_get("sensitive")?,
        identifying: row.try_get("identifying")?,
        position: row.try_get("position")?,
        archived_at: row.try_get("archived_at")?,
    })
}

fn field(row: &PgRow) -> StoreResult<CustomField> {
    field_record(row).map_err(StoreError::backend)?.into_field()
}

/// Reads a field with `sql`, one of the two `SELECT_FIELD` statements.
async fn fetch_field(
    conn: &mut PgConnection,
    sql: &'static str,
    business: BusinessId,
    id: CustomFieldId,
) -> StoreResult<CustomField> {
    let row = crate::scoped_row(conn, sql, business, id.as_uuid()).await?;
    field(&row)
}

pub(crate) async fn fetch_fields(
    conn: &mut PgConnection,
    business: BusinessId,
    include_archived: bool,
) -> StoreResult<Vec<CustomField>> {
    let rows = sqlx::query(LIST_FIELDS)
        .bind(business.as_uuid())
        .bind(include_archived)
        .fetch_all(conn)
        .await
        .map_err(StoreError::backend)?;
    rows.iter().map(field).collect()
}

async fn lock_fields(
    conn: &mut PgConnection,
    business: BusinessId,
    keys: Vec<String>,
) -> StoreResult<Vec<CustomField>> {
    let rows = sqlx::query(LOCK_FIELDS_BY_KEY)
        .bind(business.as_uuid())
        .bind(keys)
        .fetch_all(conn)
        .await
        .map_err(StoreError::backend)?;
    rows.iter().map(field).collect()
}

pub(crate) async fn client_values(
    conn: &mut PgConnection,
    business: BusinessId,
    client: ClientId,
) -> StoreResult<Vec<FieldValue>> {
    let rows = sqlx::query(CLIENT_VALUES)
        .bind(business.as_uuid())
        .bind(client.as_uuid())
        .fetch_all(conn)
        .await
        .map_err(StoreError::backend)?;
    rows.iter()
        .map(|row| {
            let field = field(row)?;
            let stored: String = row.try_get("value").map_err(StoreError::backend)?;
            Ok(FieldValue { value: read_value(&field, &stored)?, field })
        })
        .collect()
}

/// The options of `field` that `removed` takes away and some value holds.
async fn options_in_use(
    conn: &mut PgConnection,
    business: BusinessId,
    field: &CustomField,
    removed: &[&str],
) -> StoreResult<Vec<String>> {
    let stored: Vec<String> = sqlx::query_scalar(VALUES_OF_FIELD)
        .bind(business.as_uuid())
        .bind(field.id.as_uuid())
        .fetch_all(conn)
        .await
        .map_err(StoreError::backend)?;
    let mut used = Vec::new();
    for text in &stored {
        used.extend(stored_labels(field.kind, text)?.iter().map(|label| fold(label)));
    }
    Ok(removed.iter().filter(|option| used.contains(&fold(option))).map(|o| (*o).to_owned()).collect())
}

#[async_trait]
impl CustomFieldStore for PgStore {
    async fn create_field(&self, actor: &Actor, new: NewCustomField) -> StoreResult<CustomField> {
        let id = CustomFieldId::generate();
        let inserted = sqlx::query_scalar(INSERT_FIELD)
            .bind(id.as_uuid())
            .bind(actor.business().as_uuid())
            .bind(new.key.as_str().to_owned())
            .bind(new.label.as_str().to_owned())
            .bind(new.kind.as_str())
            .bind(options_text(&new.options))
            .bind(new.required)
            .bind(new.in_booking_form)
            .bind(new.visible_to_client)
            .bind(new.position)
            .bind(micros(self.clock.now()))
            .bind(new.sensitive)
            .bind(new.identifying)
            .fetch_one(&self.pool)
            .await;
        let position: i32 = match inserted {
            Ok(position) => position,
            Err(e) if violates_unique(&e, CUSTOM_FIELDS_KEY) => return Err(StoreError::FieldKeyTaken),
            Err(e) => return Err(StoreError::backend(e)),
        };
        Ok(CustomField {
            id,
            key: new.key,
            label: new.label,
            kind: new.kind,
            options: new.options,
            required: new.required,
            in_booking_form: new.in_booking_form,
            visible_to_client: new.visible_to_client,
            sensitive: new.sensitive,
            identifying: new.identifying,
            position,
            archived_at: None,
        })
    }

    async fn get_field(&self, actor: &Actor, id: CustomFieldId) -> StoreResult<CustomField> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        fetch_field(&mut conn, SELECT_FIELD, actor.business(), id).await
    }

    async fn list_fields(&self, actor: &Actor, include_archived: bool) -> StoreResult<Vec<CustomField>> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        fetch_fields(&mut conn, actor.business(), include_archived).await
    }

    async fn update_field(
        &self,
        actor: &Actor,
        id: CustomFieldId,
        changes: CustomFieldChanges,
    ) -> StoreResult<CustomField> {
        let business = actor.business();
        // Every early return drops `tx`, which rolls it back and unlocks.
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let before = fetch_field(&mut tx, SELECT_FIELD_FOR_UPDATE, business, id).await?;
        if changes.is_empty() {
            return Ok(before);
        }
        let removed = changes.removed_options(&before);
        if !removed.is_empty() {
            let options = options_in_use(&mut tx, business, &before, &removed).await?;
            if !options.is_empty() {
                return Err(StoreError::OptionsInUse { options });
            }
        }
        let after = changes.applied_to(&before, self.clock.now());
        sqlx::query(UPDATE_FIELD)
            .bind(business.as_uuid())
            .bind(id.as_uuid())
            .bind(after.label.as_str().to_owned())
            .bind(options_text(&after.options))
            .bind(after.required)
            .bind(after.in_booking_form)
            .bind(after.visible_to_client)
            .bind(after.position)
            .bind(after.archived_at.map(micros))
            .bind(after.sensitive)
            .bind(after.identifying)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        if after.kind == FieldKind::YesNo && after.label != before.label {
            let clients: Vec<Uuid> = sqlx::query_scalar(RELABEL_YES)
                .bind(business.as_uuid())
                .bind(id.as_uuid())
                .bind(after.label.as_str().to_owned())
                .fetch_all(&mut *tx)
                .await
                .map_err(StoreError::backend)?;
            for client in clients {
                search::refresh(&mut tx, business, ClientId::from_uuid(client)).await?;
            }
        }
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(after)
    }

    async fn remove_field(&self, actor: &Actor, id: CustomFieldId) -> StoreResult<Removed> {
        let business = actor.business();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let field = fetch_field(&mut tx, SELECT_FIELD_FOR_UPDATE, business, id).await?;
        let has_values: bool = sqlx::query_scalar(FIELD_HAS_VALUES)
            .bind(business.as_uuid())
            .bind(id.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        let removed = if has_values {
            let archive = CustomFieldChanges { archived: Some(true), ..Default::default() };
            let archived = archive.applied_to(&field, self.clock.now());
            sqlx::query("UPDATE custom_fields SET archived_at = $3 WHERE business_id = $1 AND id = $2")
                .bind(business.as_uuid())
                .bind(id.as_uuid())
                .bind(archived.archived_at.map(micros))
                .execute(&mut *tx)
                .await
                .map_err(StoreError::backend)?;
            Removed::Archived(archived)
        } else {
            sqlx::query(DELETE_FIELD)
                .bind(business.as_uuid())
                .bind(id.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(StoreError::backend)?;
            Removed::Deleted
        };
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(removed)
    }

    async fn custom_values(&self, actor: &Actor, client: ClientId) -> StoreResult<Vec<FieldValue>> {
        let business = actor.business();
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let exists: bool = sqlx::query_scalar(CLIENT_EXISTS)
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .fetch_one(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
        if !exists {
            return Err(StoreError::NotFound);
        }
        client_values(&mut conn, business, client).await
    }

    async fn custom_values_of(&self, actor: &Actor, clients: &[ClientId]) -> StoreResult<Vec<(ClientId, FieldValue)>> {
        if clients.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = clients.iter().map(|id| id.as_uuid()).collect();
        let rows = sqlx::query(VALUES_OF_CLIENTS)
            .bind(actor.business().as_uuid())
            .bind(ids)
            .bind(lists_blocked(actor))
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        rows.iter()
            .map(|row| {
                let client = ClientId::from_uuid(row.try_get("client_id").map_err(StoreError::backend)?);
                let field = field(row)?;
                let stored: String = row.try_get("value").map_err(StoreError::backend)?;
                Ok((client, FieldValue { value: read_value(&field, &stored)?, field }))
            })
            .collect()
    }

    async fn set_custom_values(
        &self,
        actor: &Actor,
        client: ClientId,
        expected_version: i64,
        values: Vec<(FieldKey, Option<CustomValue>)>,
    ) -> StoreResult<SavedValues> {
        let business = actor.business();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let held = hold(&mut tx, HOLD_CLIENT_FOR_UPDATE, business, client).await?.open()?;
        let mut current = held.client;
        if current.version != expected_version {
            return Err(StoreError::Stale { current: Box::new(current) });
        }
        let before = client_values(&mut tx, business, client).await?;
        if values.is_empty() {
            return Ok(SavedValues { client: current, values: before });
        }
        let keys = values.iter().map(|(key, _)| key.as_str().to_owned()).collect();
        let fields = lock_fields(&mut tx, business, keys).await?;
        let accepted = check_values(&fields, values).map_err(StoreError::ValuesRefused)?;
        current.version += 1;
        // The values written and deleted, and the new version, in one
        // statement: each is a round trip less.
        let (kept, emptied): (Vec<_>, Vec<_>) = accepted.iter().partition(|(_, value)| value.is_some());
        sqlx::query(SAVE_VALUES)
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .bind(current.version)
            .bind(kept.iter().map(|(field, _)| field.id.as_uuid()).collect::<Vec<_>>())
            .bind(kept.iter().filter_map(|(_, value)| value.as_ref().map(value_text)).collect::<Vec<_>>())
            .bind(
                kept.iter()
                    .filter_map(|(field, value)| value.as_ref().map(|v| v.search_text(field)))
                    .collect::<Vec<_>>(),
            )
            .bind(emptied.iter().map(|(field, _)| field.id.as_uuid()).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        let values = values_after(before.clone(), &accepted);
        let entry_before = SearchDocument::new(business, &current, &held.custom);
        let entry_after = SearchDocument::new(business, &current, &search_texts(&values));
        search::rewrite(&mut tx, business, client, Some(&entry_before), entry_after).await?;
        history::record(&mut tx, actor, client, self.clock.now(), &value_changes(&before, &values)).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(SavedValues { client: current, values })
    }
}

/// Writes one value of the client's (the booking site's fill of an empty
/// value); the caller bumps the version and refreshes the search entry.
pub(crate) async fn upsert_value(
    conn: &mut PgConnection,
    business: BusinessId,
    client: ClientId,
    field: &CustomField,
    value: &CustomValue,
) -> StoreResult<()> {
    sqlx::query(UPSERT_VALUE)
        .bind(client.as_uuid())
        .bind(field.id.as_uuid())
        .bind(business.as_uuid())
        .bind(value_text(value))
        .bind(value.search_text(field))
        .execute(conn)
        .await
        .map(drop)
        .map_err(StoreError::backend)
}
