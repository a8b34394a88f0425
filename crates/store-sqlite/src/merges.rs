//! Merging two profiles on SQLite: the SQL of `ficha_store::merges::flow`.
//! A merge and its undo are one `BEGIN IMMEDIATE` transaction, so a
//! booking for either profile is written wholly before or wholly after
//! it: moved with the rest, or refused for a client that is gone.

use async_trait::async_trait;
use ficha_domain::{Actor, BusinessId, Change, Client, ClientId, ClientPreferences, CustomField, CustomValue, MergeId};
use ficha_store::history::WhoRecord;
use ficha_store::merges::flow::{self, MergeTx, Moved};
use ficha_store::merges::record::{MergeColumns, MergeRow};
use ficha_store::record::micros;
use ficha_store::{
    MergeOutcome, MergePreview, MergeRequest, MergeStore, MergeSummary, MoveCounts, StoreError, StoreResult,
};
use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::clients::{bind_fields, hold};
use crate::{SqliteStore, custom_fields, history, search};

/// Whether the business lets professionals merge (migration 0027; no
/// row = no). Read by the merge's flow and by "No es duplicado".
pub(crate) async fn professionals_may_merge(conn: &mut SqliteConnection, business: BusinessId) -> StoreResult<bool> {
    let allowed: Option<bool> =
        sqlx::query_scalar("SELECT professionals_may_merge FROM merge_settings WHERE business_id = ?1")
            .bind(business.as_uuid())
            .fetch_optional(conn)
            .await
            .map_err(StoreError::backend)?;
    Ok(allowed.unwrap_or(false))
}

/// The client an email key names in the business: its own email, else an
/// alias (migration 0023). The one lookup; SQLite has no SQL functions, so
/// every path binds this statement (?1 the business, ?2 the key).
pub(crate) const CLIENT_BY_EMAIL_KEY: &str = "SELECT coalesce(\
     (SELECT id FROM clients WHERE business_id = ?1 AND email_key = ?2), \
     (SELECT client_id FROM client_email_aliases WHERE business_id = ?1 AND email_key = ?2))";

/// Who holds `email_key` in `business` (a client's email or an alias).
pub(crate) async fn email_holder(
    conn: &mut SqliteConnection,
    business: BusinessId,
    email_key: &str,
) -> StoreResult<Option<ClientId>> {
    let id: Option<Uuid> = sqlx::query_scalar(CLIENT_BY_EMAIL_KEY)
        .bind(business.as_uuid())
        .bind(email_key)
        .fetch_one(conn)
        .await
        .map_err(StoreError::backend)?;
    Ok(id.map(ClientId::from_uuid))
}

/// The client an alias `email_key` leads to, if it is one.
pub(crate) async fn alias_holder(
    conn: &mut SqliteConnection,
    business: BusinessId,
    email_key: &str,
) -> StoreResult<Option<ClientId>> {
    let id: Option<Uuid> =
        sqlx::query_scalar("SELECT client_id FROM client_email_aliases WHERE business_id = ?1 AND email_key = ?2")
            .bind(business.as_uuid())
            .bind(email_key)
            .fetch_optional(conn)
            .await
            .map_err(StoreError::backend)?;
    Ok(id.map(ClientId::from_uuid))
}

/// The survivor an absorbed (and not restored) id leads to.
pub(crate) async fn merged_into(
    conn: &mut SqliteConnection,
    business: BusinessId,
    client: ClientId,
) -> StoreResult<Option<ClientId>> {
    let id: Option<Uuid> = sqlx::query_scalar(
        "SELECT survivor_id FROM client_merges WHERE business_id = ?1 AND absorbed_id = ?2 AND undone_at IS NULL \
         ORDER BY merged_at DESC LIMIT 1",
    )
    .bind(business.as_uuid())
    .bind(client.as_uuid())
    .fetch_optional(conn)
    .await
    .map_err(StoreError::backend)?;
    Ok(id.map(ClientId::from_uuid))
}

/// How a table's moved keys are kept in the merge's record: ids as UUID
/// text, an alias by its email key.
enum KeyKind {
    Id,
    Text,
}

/// One table's move: its statements forth (returning the moved keys) and
/// back (the keys named in ?4, a JSON array of the recorded text).
struct Move {
    table: &'static str,
    kind: KeyKind,
    forth: &'static str,
    back: &'static str,
}

macro_rules! moves {
    ($(($table:literal, $key:literal, $client:literal, $kind:ident, $recorded:literal)),* $(,)?) => {
        [$(Move {
            table: $table,
            kind: KeyKind::$kind,
            forth: concat!("UPDATE ", $table, " SET ", $client, " = ?3 WHERE business_id = ?1 AND ",
                $client, " = ?2 RETURNING ", $key),
            back: concat!("UPDATE ", $table, " SET ", $client, " = ?3 WHERE business_id = ?1 AND ",
                $client, " = ?2 AND ", $key, " IN (SELECT ", $recorded, " FROM json_each(?4))"),
        }),*]
    };
}

/// Every table whose rows follow their client through a merge (the order
/// of `ficha_store::merges::MOVED_TABLES`).
const MOVES: [Move; 10] = moves![
    ("bookings", "id", "client_id", Id, "unhex(replace(value, '-', ''))"),
    ("attention_notes", "id", "client_id", Id, "unhex(replace(value, '-', ''))"),
    ("client_notes", "id", "client_id", Id, "unhex(replace(value, '-', ''))"),
    ("client_history", "id", "client_id", Id, "unhex(replace(value, '-', ''))"),
    ("outbox_messages", "id", "client_id", Id, "unhex(replace(value, '-', ''))"),
    ("client_access_log", "id", "client_id", Id, "unhex(replace(value, '-', ''))"),
    ("booking_consents", "booking_id", "client_id", Id, "unhex(replace(value, '-', ''))"),
    ("data_requests", "id", "client_id", Id, "unhex(replace(value, '-', ''))"),
    ("client_email_aliases", "email_key", "client_id", Text, "value"),
    ("client_merges", "id", "survivor_id", Id, "unhex(replace(value, '-', ''))"),
];

const COUNTS: &str = "SELECT \
     (SELECT count(*) FROM bookings WHERE business_id = ?1 AND client_id = ?2 AND starts_at IS NOT NULL) AS bookings, \
     (SELECT count(*) FROM bookings WHERE business_id = ?1 AND client_id = ?2 AND starts_at IS NULL) AS to_schedule, \
     (SELECT count(*) FROM client_notes WHERE business_id = ?1 AND client_id = ?2) AS notes, \
     (SELECT count(*) FROM attention_notes WHERE business_id = ?1 AND client_id = ?2) AS attention_notes, \
     (SELECT count(*) FROM outbox_messages WHERE business_id = ?1 AND client_id = ?2) AS messages, \
     (SELECT count(*) FROM client_history WHERE business_id = ?1 AND client_id = ?2) AS history, \
     (SELECT count(*) FROM client_access_log WHERE business_id = ?1 AND client_id = ?2) AS access_log, \
     (SELECT count(*) FROM data_requests WHERE business_id = ?1 AND client_id = ?2) AS data_requests";

fn merge_row(row: &SqliteRow) -> StoreResult<MergeRow> {
    let read = || -> Result<MergeColumns, sqlx::Error> {
        Ok(MergeColumns {
            id: row.try_get("id")?,
            survivor: row.try_get("survivor_id")?,
            absorbed: row.try_get("absorbed_id")?,
            at: row.try_get("merged_at")?,
            who: WhoRecord {
                kind: row.try_get("who_kind")?,
                staff: row.try_get("who_id")?,
                staff_name: row.try_get("who_name")?,
            },
            undone_at: row.try_get("undone_at")?,
            record: row.try_get("record")?,
        })
    };
    read().map_err(StoreError::backend)?.into_row()
}

fn count(row: &SqliteRow, column: &str) -> StoreResult<u64> {
    let n: i64 = row.try_get(column).map_err(StoreError::backend)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

struct Tx<'c>(&'c mut SqliteConnection);

#[async_trait]
impl MergeTx for Tx<'_> {
    async fn hold(&mut self, business: BusinessId, client: ClientId, lock: bool) -> StoreResult<(Client, bool)> {
        // The writing transaction holds SQLite's one write lock already.
        let _ = lock;
        let held = hold(self.0, business, client).await?;
        Ok((held.client, held.blocked))
    }

    async fn values(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Vec<ficha_store::FieldValue>> {
        custom_fields::client_values(self.0, business, client).await
    }

    async fn fields(&mut self, business: BusinessId) -> StoreResult<Vec<CustomField>> {
        custom_fields::fetch_fields(self.0, business, true).await
    }

    async fn open_request(&mut self, business: BusinessId, client: ClientId) -> StoreResult<bool> {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM data_requests WHERE business_id = ?1 AND client_id = ?2 \
             AND status IN ('received', 'in_progress'))",
        )
        .bind(business.as_uuid())
        .bind(client.as_uuid())
        .fetch_one(&mut *self.0)
        .await
        .map_err(StoreError::backend)
    }

    async fn counts(&mut self, business: BusinessId, client: ClientId) -> StoreResult<MoveCounts> {
        let row = sqlx::query(COUNTS)
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .fetch_one(&mut *self.0)
            .await
            .map_err(StoreError::backend)?;
        Ok(MoveCounts {
            bookings: count(&row, "bookings")?,
            to_schedule: count(&row, "to_schedule")?,
            notes: count(&row, "notes")?,
            attention_notes: count(&row, "attention_notes")?,
            messages: count(&row, "messages")?,
            history: count(&row, "history")?,
            access_log: count(&row, "access_log")?,
            data_requests: count(&row, "data_requests")?,
        })
    }

    async fn preferences(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Option<ClientPreferences>> {
        let row = sqlx::query(
            "SELECT no_whatsapp, no_reminders FROM client_notification_preferences \
             WHERE business_id = ?1 AND client_id = ?2",
        )
        .bind(business.as_uuid())
        .bind(client.as_uuid())
        .fetch_optional(&mut *self.0)
        .await
        .map_err(StoreError::backend)?;
        row.map(|row| {
            Ok(ClientPreferences {
                no_whatsapp: row.try_get("no_whatsapp").map_err(StoreError::backend)?,
                no_reminders: row.try_get("no_reminders").map_err(StoreError::backend)?,
            })
        })
        .transpose()
    }

    async fn set_preferences(
        &mut self,
        business: BusinessId,
        client: ClientId,
        preferences: Option<ClientPreferences>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let query = match preferences {
            Some(p) => sqlx::query(
                "INSERT INTO client_notification_preferences \
                 (business_id, client_id, no_whatsapp, no_reminders, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (business_id, client_id) DO UPDATE SET no_whatsapp = excluded.no_whatsapp, \
                 no_reminders = excluded.no_reminders, updated_at = excluded.updated_at",
            )
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .bind(p.no_whatsapp)
            .bind(p.no_reminders)
            .bind(micros(now)),
            None => {
                sqlx::query("DELETE FROM client_notification_preferences WHERE business_id = ?1 AND client_id = ?2")
                    .bind(business.as_uuid())
                    .bind(client.as_uuid())
            }
        };
        query.execute(&mut *self.0).await.map(drop).map_err(StoreError::backend)
    }

    async fn password(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT password_hash FROM client_passwords WHERE business_id = ?1 AND client_id = ?2")
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .fetch_optional(&mut *self.0)
            .await
            .map_err(StoreError::backend)
    }

    async fn set_password(
        &mut self,
        business: BusinessId,
        client: ClientId,
        hash: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO client_passwords (business_id, client_id, password_hash, updated_at) \
             VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(business.as_uuid())
        .bind(client.as_uuid())
        .bind(hash)
        .bind(micros(now))
        .execute(&mut *self.0)
        .await
        .map(drop)
        .map_err(StoreError::backend)
    }

    async fn move_rows(&mut self, business: BusinessId, from: ClientId, to: ClientId) -> StoreResult<Moved> {
        let mut moved = Moved::new();
        for step in &MOVES {
            let statement = sqlx::query(step.forth).bind(business.as_uuid()).bind(from.as_uuid()).bind(to.as_uuid());
            let rows = statement.fetch_all(&mut *self.0).await.map_err(StoreError::backend)?;
            let keys = rows
                .iter()
                .map(|row| match step.kind {
                    KeyKind::Id => row.try_get::<Uuid, _>(0).map(|id| id.to_string()),
                    KeyKind::Text => row.try_get::<String, _>(0),
                })
                .collect::<Result<Vec<String>, _>>()
                .map_err(StoreError::backend)?;
            if !keys.is_empty() {
                moved.insert(step.table.to_owned(), keys);
            }
        }
        Ok(moved)
    }

    async fn move_back(
        &mut self,
        business: BusinessId,
        moved: &Moved,
        from: ClientId,
        to: ClientId,
    ) -> StoreResult<()> {
        for step in &MOVES {
            let Some(keys) = moved.get(step.table) else { continue };
            sqlx::query(step.back)
                .bind(business.as_uuid())
                .bind(from.as_uuid())
                .bind(to.as_uuid())
                .bind(serde_json::Value::from(keys.clone()).to_string())
                .execute(&mut *self.0)
                .await
                .map_err(StoreError::backend)?;
        }
        Ok(())
    }

    async fn delete_client(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()> {
        // The FTS entry is keyed by the row's rowid: no cascade reaches it.
        search::forget(self.0, business, client).await?;
        sqlx::query("DELETE FROM clients WHERE business_id = ?1 AND id = ?2")
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn insert_client(&mut self, business: BusinessId, client: &Client) -> StoreResult<()> {
        let insert = sqlx::query(
            "INSERT INTO clients (id, business_id, name, name_key, email, email_key, phone, rut, birth_date, \
             registered_at, last_booking_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .bind(client.id.as_uuid())
        .bind(business.as_uuid());
        bind_fields(insert, client)
            .bind(micros(client.registered_at))
            .bind(client.last_booking_at.map(micros))
            .bind(client.version)
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn write_client(&mut self, business: BusinessId, client: &Client) -> StoreResult<()> {
        let update = sqlx::query(
            "UPDATE clients SET name = ?3, name_key = ?4, email = ?5, email_key = ?6, phone = ?7, rut = ?8, \
             birth_date = ?9, registered_at = ?10, last_booking_at = ?11, version = ?12 \
             WHERE business_id = ?1 AND id = ?2",
        )
        .bind(business.as_uuid())
        .bind(client.id.as_uuid());
        bind_fields(update, client)
            .bind(micros(client.registered_at))
            .bind(client.last_booking_at.map(micros))
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
            Some(value) => custom_fields::upsert_value(self.0, business, client, field, value).await,
            None => sqlx::query(
                "DELETE FROM client_custom_values WHERE business_id = ?1 AND client_id = ?2 AND field_id = ?3",
            )
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

    async fn email_holder(&mut self, business: BusinessId, email_key: &str) -> StoreResult<Option<ClientId>> {
        email_holder(self.0, business, email_key).await
    }

    async fn insert_alias(
        &mut self,
        business: BusinessId,
        email_key: &str,
        client: ClientId,
        merge: MergeId,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO client_email_aliases (business_id, email_key, client_id, merge_id) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(business.as_uuid())
        .bind(email_key)
        .bind(client.as_uuid())
        .bind(merge.as_uuid())
        .execute(&mut *self.0)
        .await
        .map(drop)
        .map_err(StoreError::backend)
    }

    async fn delete_aliases(&mut self, business: BusinessId, merge: MergeId) -> StoreResult<()> {
        sqlx::query("DELETE FROM client_email_aliases WHERE business_id = ?1 AND merge_id = ?2")
            .bind(business.as_uuid())
            .bind(merge.as_uuid())
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn insert_merge(&mut self, business: BusinessId, actor: &Actor, row: &MergeRow) -> StoreResult<()> {
        let (who_kind, who_id) = WhoRecord::columns(actor);
        sqlx::query(
            "INSERT INTO client_merges (business_id, id, survivor_id, absorbed_id, merged_at, who_kind, who_id, \
             record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(business.as_uuid())
        .bind(row.id.as_uuid())
        .bind(row.survivor.as_uuid())
        .bind(row.absorbed.as_uuid())
        .bind(micros(row.at))
        .bind(who_kind)
        .bind(who_id)
        .bind(row.record.to_json())
        .execute(&mut *self.0)
        .await
        .map(drop)
        .map_err(StoreError::backend)
    }

    async fn hold_merge(&mut self, business: BusinessId, merge: MergeId) -> StoreResult<MergeRow> {
        const SQL: &str = "SELECT m.id, m.survivor_id, m.absorbed_id, m.merged_at, m.who_kind, m.who_id, \
             s.name AS who_name, m.undone_at, m.record FROM client_merges m \
             LEFT JOIN staff s ON s.business_id = m.business_id AND s.id = m.who_id \
             WHERE m.business_id = ?1 AND m.id = ?2";
        let row = crate::scoped_row(self.0, SQL, business, merge.as_uuid()).await?;
        merge_row(&row)
    }

    async fn mark_undone(&mut self, business: BusinessId, merge: MergeId, at: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE client_merges SET undone_at = ?3 WHERE business_id = ?1 AND id = ?2")
            .bind(business.as_uuid())
            .bind(merge.as_uuid())
            .bind(micros(at))
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn record(&mut self, actor: &Actor, client: ClientId, at: Timestamp, changes: &[Change]) -> StoreResult<()> {
        history::record(self.0, actor, client, at, changes).await
    }

    async fn professionals_may_merge(&mut self, business: BusinessId) -> StoreResult<bool> {
        professionals_may_merge(self.0, business).await
    }
}

#[async_trait]
impl MergeStore for SqliteStore {
    async fn merge_preview(&self, actor: &Actor, survivor: ClientId, absorbed: ClientId) -> StoreResult<MergePreview> {
        // One read transaction: both profiles and the counts as of one moment.
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        flow::preview(&mut Tx(&mut tx), actor, survivor, absorbed).await
    }

    async fn merge_clients(&self, actor: &Actor, request: MergeRequest) -> StoreResult<MergeOutcome> {
        let mut tx = self.write().await?;
        let outcome = flow::merge(&mut Tx(&mut tx), actor, &request, self.clock.now()).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(outcome)
    }

    async fn undo_merge(&self, actor: &Actor, merge: MergeId) -> StoreResult<Client> {
        let mut tx = self.write().await?;
        let client = flow::undo(&mut Tx(&mut tx), actor, merge, self.clock.now()).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(client)
    }

    async fn merges_of(&self, actor: &Actor, client: ClientId) -> StoreResult<Vec<MergeSummary>> {
        flow::owners_only(actor)?;
        const SQL: &str = "SELECT m.id, m.survivor_id, m.absorbed_id, m.merged_at, m.who_kind, m.who_id, \
             s.name AS who_name, m.undone_at, m.record FROM client_merges m \
             LEFT JOIN staff s ON s.business_id = m.business_id AND s.id = m.who_id \
             WHERE m.business_id = ?1 AND m.survivor_id = ?2 ORDER BY m.merged_at DESC, m.id DESC LIMIT 50";
        // An unknown (or deleted) client has no merges to list: NotFound.
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        crate::notes::client_exists(&mut conn, actor.business(), client).await?;
        let rows = sqlx::query(SQL)
            .bind(actor.business().as_uuid())
            .bind(client.as_uuid())
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
        rows.iter().map(|row| merge_row(row)?.summary()).collect()
    }

    async fn get_merge(&self, actor: &Actor, merge: MergeId) -> StoreResult<MergeSummary> {
        const SQL: &str = "SELECT m.id, m.survivor_id, m.absorbed_id, m.merged_at, m.who_kind, m.who_id, \
             s.name AS who_name, m.undone_at, m.record FROM client_merges m \
             LEFT JOIN staff s ON s.business_id = m.business_id AND s.id = m.who_id \
             WHERE m.business_id = ?1 AND m.id = ?2";
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        flow::merger(&mut Tx(&mut conn), actor).await?;
        let row = crate::scoped_row(&mut conn, SQL, actor.business(), merge.as_uuid()).await?;
        merge_row(&row)?.summary()
    }

    async fn professionals_may_merge(&self, actor: &Actor) -> StoreResult<bool> {
        ficha_store::duplicates::staff_only(actor)?;
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        professionals_may_merge(&mut conn, actor.business()).await
    }

    async fn set_professionals_may_merge(&self, actor: &Actor, allowed: bool) -> StoreResult<()> {
        if !actor.is_owner() {
            return Err(StoreError::OwnerOnly);
        }
        sqlx::query(
            "INSERT INTO merge_settings (business_id, professionals_may_merge) VALUES (?1, ?2) \
             ON CONFLICT (business_id) DO UPDATE SET professionals_may_merge = excluded.professionals_may_merge",
        )
        .bind(actor.business().as_uuid())
        .bind(allowed)
        .execute(&self.pool)
        .await
        .map(drop)
        .map_err(StoreError::backend)
    }
}

#[cfg(test)]
mod tests {
    use ficha_store::merges::MOVED_TABLES;

    use super::*;

    #[test]
    fn every_moved_table_is_moved_here() {
        let tables: Vec<&str> = MOVES.iter().map(|m| m.table).collect();
        assert_eq!(tables, MOVED_TABLES);
    }
}
