//! Custom fields ("Otros datos") on SQLite. Every write runs in one `BEGIN
//! IMMEDIATE` transaction, so a check (has this field values? does a value
//! use this option?) and the write it allows cannot be split by another
//! writer.

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
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::clients::hold;
use crate::{SqliteStore, history, is_unique_violation, search};

const SELECT_FIELD: &str = "SELECT id, key, label, kind, options, required, in_booking_form, visible_to_client, sensitive, \
     identifying, position, archived_at FROM custom_fields WHERE business_id = ?1 AND id = ?2";

/// The business's fields in the order they are shown; archived ones only
/// when ?2 is true.
const LIST_FIELDS: &str = "SELECT id, key, label, kind, options, required, in_booking_form, visible_to_client, sensitive, \
     identifying, position, archived_at FROM custom_fields WHERE business_id = ?1 AND (?2 OR archived_at IS NULL) \
     ORDER BY position, id";

/// Without a position (?10 null) a field goes after the business's others.
const INSERT_FIELD: &str = "INSERT INTO custom_fields \
     (id, business_id, key, label, kind, options, required, in_booking_form, visible_to_client, position, created_at, \
     sensitive, identifying) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
     coalesce(?10, (SELECT coalesce(max(position), 0) + 1 FROM custom_fields WHERE business_id = ?2)), ?11, ?12, ?13) \
     RETURNING position";

const UPDATE_FIELD: &str = "UPDATE custom_fields SET label = ?3, options = ?4, required = ?5, in_booking_form = ?6, \
     visible_to_client = ?7, position = ?8, archived_at = ?9, sensitive = ?10, identifying = ?11 WHERE business_id = ?1 AND id = ?2";

const DELETE_FIELD: &str = "DELETE FROM custom_fields WHERE business_id = ?1 AND id = ?2";

const FIELD_HAS_VALUES: &str =
    "SELECT EXISTS (SELECT 1 FROM client_custom_values WHERE business_id = ?1 AND field_id = ?2)";

const VALUES_OF_FIELD: &str =
    "SELECT DISTINCT value FROM client_custom_values WHERE business_id = ?1 AND field_id = ?2";

/// A yes/no value is found by its field's label: a new label is new search
/// text for every "yes".
const RELABEL_YES: &str = "UPDATE client_custom_values SET search_text = ?3 \
     WHERE business_id = ?1 AND field_id = ?2 AND value = 'true' RETURNING client_id";

const CLIENT_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM clients WHERE business_id = ?1 AND id = ?2)";

const CLIENT_VALUES: &str = "SELECT f.id, f.key, f.label, f.kind, f.options, f.required, f.in_booking_form, \
     f.visible_to_client, f.sensitive, f.identifying, f.position, f.archived_at, v.value \
     FROM client_custom_values v JOIN custom_fields f ON f.id = v.field_id \
     WHERE v.business_id = ?1 AND v.client_id = ?2 ORDER BY f.position, f.id";

/// The values of the clients listed in ?2 (a JSON array of hex ids), in
/// that order, each client's by its fields' order; blocked profiles' only
/// when ?3 is true. `json_each` drives: one primary-key probe per client.
const VALUES_OF_CLIENTS: &str = "SELECT v.client_id, f.id, f.key, f.label, f.kind, f.options, f.required, \
     f.in_booking_form, f.visible_to_client, f.sensitive, f.identifying, f.position, f.archived_at, v.value \
     FROM json_each(?2) AS j CROSS JOIN client_custom_values v ON v.client_id = unhex(j.value) \
     JOIN custom_fields f ON f.id = v.field_id \
     WHERE v.business_id = ?1 AND f.business_id = ?1 \
     AND (?3 OR NOT EXISTS (SELECT 1 FROM client_blocks b WHERE b.business_id = ?1 AND b.client_id = v.client_id)) \
     ORDER BY j.key, f.position, f.id";

const UPSERT_VALUE: &str = "INSERT INTO client_custom_values (client_id, field_id, business_id, value, search_text) \
     VALUES (?1, ?2, ?3, ?4, ?5) \
     ON CONFLICT (client_id, field_id) DO UPDATE SET value = excluded.value, search_text = excluded.search_text";

/// A save's values, from a JSON array of [field id in hex, value, search
/// text]. (`WHERE true` lets SQLite read the upsert after a SELECT.)
const SAVE_VALUES: &str = "INSERT INTO client_custom_values (client_id, field_id, business_id, value, search_text) \
     SELECT ?1, unhex(w.value ->> 0), ?2, w.value ->> 1, w.value ->> 2 FROM json_each(?3) AS w WHERE true \
     ON CONFLICT (client_id, field_id) DO UPDATE SET value = excluded.value, search_text = excluded.search_text";

/// A save's emptied values: ?3 a JSON array of field ids in hex.
const EMPTY_VALUES: &str = "DELETE FROM client_custom_values WHERE business_id = ?1 AND client_id = ?2 \
     AND field_id IN (SELECT unhex(value) FROM json_each(?3))";

const SET_VERSION: &str = "UPDATE clients SET version = ?3 WHERE business_id = ?1 AND id = ?2";

fn field_record(row: &SqliteRow) -> Result<CustomFieldRecord, sqlx::Error> {
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

fn field(row: &SqliteRow) -> StoreResult<CustomField> {
    field_record(row).map_err(StoreError::backend)?.into_field()
}

async fn fetch_field(conn: &mut SqliteConnection, business: BusinessId, id: CustomFieldId) -> StoreResult<CustomField> {
    let row = crate::scoped_row(conn, SELECT_FIELD, business, id.as_uuid()).await?;
    field(&row)
}

pub(crate) async fn fetch_fields(
    conn: &mut SqliteConnection,
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

pub(crate) async fn client_values(
    conn: &mut SqliteConnection,
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
    conn: &mut SqliteConnection,
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
impl CustomFieldStore for SqliteStore {
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
            Err(e) if is_unique_violation(&e) => return Err(StoreError::FieldKeyTaken),
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
        fetch_field(&mut conn, actor.business(), id).await
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
        let mut tx = self.write().await?;
        let before = fetch_field(&mut tx, business, id).await?;
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
        let mut tx = self.write().await?;
        let field = fetch_field(&mut tx, business, id).await?;
        let has_values: bool = sqlx::query_scalar(FIELD_HAS_VALUES)
            .bind(business.as_uuid())
            .bind(id.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        let removed = if has_values {
            let archive = CustomFieldChanges { archived: Some(true), ..Default::default() };
            let archived = archive.applied_to(&field, self.clock.now());
            sqlx::query("UPDATE custom_fields SET archived_at = ?3 WHERE business_id = ?1 AND id = ?2")
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
        let ids: Vec<String> = clients.iter().map(|id| id.as_uuid().simple().to_string()).collect();
        let rows = sqlx::query(VALUES_OF_CLIENTS)
            .bind(actor.business().as_uuid())
            .bind(serde_json::Value::from(ids).to_string())
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
        let mut tx = self.write().await?;
        let held = hold(&mut tx, business, client).await?.open()?;
        let mut current = held.client;
        if current.version != expected_version {
            return Err(StoreError::Stale { current: Box::new(current) });
        }
        let before = client_values(&mut tx, business, client).await?;
        if values.is_empty() {
            return Ok(SavedValues { client: current, values: before });
        }
        let fields = fetch_fields(&mut tx, business, true).await?;
        let accepted = check_values(&fields, values).map_err(StoreError::ValuesRefused)?;
        // The values written, and those emptied, one statement each.
        let hex = |field: &CustomField| field.id.as_uuid().simple().to_string();
        let (kept, emptied): (Vec<_>, Vec<_>) = accepted.iter().partition(|(_, value)| value.is_some());
        if !kept.is_empty() {
            let rows: Vec<_> = kept
                .iter()
                .filter_map(|(field, value)| {
                    let value = value.as_ref()?;
                    Some(serde_json::json!([hex(field), value_text(value), value.search_text(field)]))
                })
                .collect();
            sqlx::query(SAVE_VALUES)
                .bind(client.as_uuid())
                .bind(business.as_uuid())
                .bind(serde_json::Value::from(rows).to_string())
                .execute(&mut *tx)
                .await
                .map_err(StoreError::backend)?;
        }
        if !emptied.is_empty() {
            let fields: Vec<_> = emptied.iter().map(|(field, _)| hex(field)).collect();
            sqlx::query(EMPTY_VALUES)
                .bind(business.as_uuid())
                .bind(client.as_uuid())
                .bind(serde_json::Value::from(fields).to_string())
                .execute(&mut *tx)
                .await
                .map_err(StoreError::backend)?;
        }
        current.version += 1;
        sqlx::query(SET_VERSION)
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .bind(current.version)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        let values = values_after(before.clone(), &accepted);
        let changes = value_changes(&before, &values);
        let entry_before = SearchDocument::new(business, &current, &held.custom);
        let entry_after = SearchDocument::new(business, &current, &search_texts(&values));
        search::rewrite(&mut tx, held.entry, Some(&entry_before), entry_after).await?;
        history::record(&mut tx, actor, client, self.clock.now(), &changes).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(SavedValues { client: current, values })
    }
}

/// Writes one value of the client's (the booking site's fill of an empty
/// value); the caller bumps the version and refreshes the search entry.
pub(crate) async fn upsert_value(
    conn: &mut SqliteConnection,
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
