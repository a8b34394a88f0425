//! The data-request register on SQLite: the steps of
//! `ficha_store::data_requests::flow` on one `BEGIN IMMEDIATE` transaction
//! (the request, its history entry and its email together), the reads, the
//! due-days setting and the privacy page's codes.

use async_trait::async_trait;
use ficha_domain::{
    Actor, BusinessId, Change, ClientId, DataRequest, DataRequestId, DueDays, Email, NoteText, RequestStep,
};
use ficha_store::client_accounts::MAX_CODE_ATTEMPTS;
use ficha_store::data_requests::flow::{self, RequestTx};
use ficha_store::data_requests::record::RequestRecord;
use ficha_store::outbox::flow::{Audience, OutboxTx};
use ficha_store::record::micros;
use ficha_store::{
    DataRequestStore, DueCounts, NewDataRequest, PrivacyCode, RequestFilter, SignInRefused, StoreError, StoreResult,
};
use jiff::civil::Date;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::outbox::{OutboxQueries, business_record};
use crate::{SqliteStore, history};

const ONE: &str = "SELECT r.id, c.id AS live_client, c.name AS client_name, r.email, r.data_right, r.channel, \
     r.detail, r.received_at, r.received_on, r.due_on, r.extension_reason, r.previous_due_on, r.extended_at, \
     r.status, r.response, r.action_taken, r.closed_at \
     FROM data_requests r LEFT JOIN clients c ON c.business_id = r.business_id AND c.id = r.client_id \
     WHERE r.business_id = ?1 AND r.id = ?2";

/// Open ones by due date first, then closed ones newest first; `?2` a
/// status or NULL, `?3` a client or NULL.
const LIST: &str = "SELECT r.id, c.id AS live_client, c.name AS client_name, r.email, r.data_right, r.channel, \
     r.detail, r.received_at, r.received_on, r.due_on, r.extension_reason, r.previous_due_on, r.extended_at, \
     r.status, r.response, r.action_taken, r.closed_at \
     FROM data_requests r LEFT JOIN clients c ON c.business_id = r.business_id AND c.id = r.client_id \
     WHERE r.business_id = ?1 AND (?2 IS NULL OR r.status = ?2) AND (?3 IS NULL OR r.client_id = ?3) \
     ORDER BY r.status IN ('received', 'in_progress') DESC, \
     CASE WHEN r.status IN ('received', 'in_progress') THEN r.due_on END, r.received_at DESC, r.id DESC \
     LIMIT 500";

const INSERT: &str = "INSERT INTO data_requests (business_id, id, client_id, email, data_right, channel, detail, \
     received_at, received_on, due_on, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

const SAVE: &str = "UPDATE data_requests SET due_on = ?3, extension_reason = ?4, previous_due_on = ?5, \
     extended_at = ?6, status = ?7, response = ?8, action_taken = ?9, closed_at = ?10 \
     WHERE business_id = ?1 AND id = ?2";

/// Open requests due before ?2, and from ?2 to ?3: the partial index's range.
const DUE: &str = "SELECT COALESCE(SUM(due_on < ?2), 0) AS overdue, COALESCE(SUM(due_on >= ?2), 0) AS soon \
     FROM data_requests WHERE business_id = ?1 AND status IN ('received', 'in_progress') AND due_on <= ?3";

fn request(row: &SqliteRow) -> StoreResult<DataRequest> {
    let record = || -> Result<RequestRecord, sqlx::Error> {
        Ok(RequestRecord {
            id: row.try_get("id")?,
            client_id: row.try_get("live_client")?,
            client_name: row.try_get("client_name")?,
            email: row.try_get("email")?,
            data_right: row.try_get("data_right")?,
            channel: row.try_get("channel")?,
            detail: row.try_get("detail")?,
            received_at: row.try_get("received_at")?,
            received_on: row.try_get("received_on")?,
            due_on: row.try_get("due_on")?,
            extension_reason: row.try_get("extension_reason")?,
            previous_due_on: row.try_get("previous_due_on")?,
            extended_at: row.try_get("extended_at")?,
            status: row.try_get("status")?,
            response: row.try_get("response")?,
            action_taken: row.try_get("action_taken")?,
            closed_at: row.try_get("closed_at")?,
        })
    };
    record().map_err(StoreError::backend)?.into_request()
}

async fn one(conn: &mut SqliteConnection, business: BusinessId, id: DataRequestId) -> StoreResult<DataRequest> {
    request(&crate::scoped_row(conn, ONE, business, id.as_uuid()).await?)
}

/// The data-request steps on one open `BEGIN IMMEDIATE` transaction.
struct Tx<'c>(&'c mut SqliteConnection);

#[async_trait]
impl RequestTx for Tx<'_> {
    async fn terms(&mut self, business: BusinessId) -> StoreResult<(String, DueDays)> {
        let row = sqlx::query(
            "SELECT b.time_zone, s.due_days FROM businesses b \
             LEFT JOIN data_request_settings s ON s.business_id = b.id WHERE b.id = ?1",
        )
        .bind(business.as_uuid())
        .fetch_optional(&mut *self.0)
        .await
        .map_err(StoreError::backend)?
        .ok_or(StoreError::NotFound)?;
        let zone: String = row.try_get("time_zone").map_err(StoreError::backend)?;
        let days: Option<i64> = row.try_get("due_days").map_err(StoreError::backend)?;
        Ok((zone, days.and_then(DueDays::new).unwrap_or_default()))
    }

    async fn client(&mut self, business: BusinessId, client: ClientId) -> StoreResult<(Email, String)> {
        let row = crate::scoped_row(
            self.0,
            "SELECT email, name FROM clients WHERE business_id = ?1 AND id = ?2",
            business,
            client.as_uuid(),
        )
        .await?;
        let email: String = row.try_get("email").map_err(StoreError::backend)?;
        let name: String = row.try_get("name").map_err(StoreError::backend)?;
        Ok((Email::parse(&email).map_err(|_| StoreError::Corrupt(format!("client {client}: email")))?, name))
    }

    async fn client_by_email(&mut self, business: BusinessId, key: &str) -> StoreResult<Option<(ClientId, String)>> {
        let row = sqlx::query("SELECT id, name FROM clients WHERE business_id = ?1 AND email_key = ?2")
            .bind(business.as_uuid())
            .bind(key)
            .fetch_optional(&mut *self.0)
            .await
            .map_err(StoreError::backend)?;
        row.map(|row| {
            let id: Uuid = row.try_get("id").map_err(StoreError::backend)?;
            Ok((ClientId::from_uuid(id), row.try_get("name").map_err(StoreError::backend)?))
        })
        .transpose()
    }

    async fn insert(&mut self, business: BusinessId, r: &RequestRecord) -> StoreResult<()> {
        sqlx::query(INSERT)
            .bind(business.as_uuid())
            .bind(r.id)
            .bind(r.client_id)
            .bind(&r.email)
            .bind(&r.data_right)
            .bind(&r.channel)
            .bind(&r.detail)
            .bind(r.received_at)
            .bind(&r.received_on)
            .bind(&r.due_on)
            .bind(&r.status)
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn request_to_change(&mut self, business: BusinessId, id: DataRequestId) -> StoreResult<DataRequest> {
        // SQLite's one writer already holds every row read.
        one(self.0, business, id).await
    }

    async fn save(&mut self, business: BusinessId, r: &RequestRecord) -> StoreResult<()> {
        sqlx::query(SAVE)
            .bind(business.as_uuid())
            .bind(r.id)
            .bind(&r.due_on)
            .bind(&r.extension_reason)
            .bind(&r.previous_due_on)
            .bind(r.extended_at)
            .bind(&r.status)
            .bind(&r.response)
            .bind(&r.action_taken)
            .bind(r.closed_at)
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn record(
        &mut self,
        actor: &Actor,
        client: ClientId,
        at: jiff::Timestamp,
        changes: &[Change],
    ) -> StoreResult<()> {
        history::record(self.0, actor, client, at, changes).await
    }

    async fn audience(&mut self, business: BusinessId, email: &Email, name: &str) -> StoreResult<Audience> {
        business_record(self.0, business).await?.addressed_to(None, email.clone(), name.to_owned())
    }

    fn outbox(&mut self) -> Box<dyn OutboxTx + '_> {
        Box::new(OutboxQueries(&mut *self.0))
    }
}

#[async_trait]
impl DataRequestStore for SqliteStore {
    async fn file_data_request(&self, actor: &Actor, new: NewDataRequest) -> StoreResult<DataRequest> {
        let now = self.clock.now();
        let mut tx = self.write().await?;
        let filed = flow::file(&mut Tx(&mut tx), actor, new, now).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        self.signal.notify_one();
        Ok(filed)
    }

    async fn data_requests(&self, actor: &Actor, filter: &RequestFilter) -> StoreResult<Vec<DataRequest>> {
        flow::may_read(actor)?;
        let client = match actor {
            Actor::Client { client, .. } => Some(*client),
            _ => filter.client,
        };
        let rows = sqlx::query(LIST)
            .bind(actor.business().as_uuid())
            .bind(filter.status.map(|s| s.as_str()))
            .bind(client.map(|c| c.as_uuid()))
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        rows.iter().map(request).collect()
    }

    async fn data_request(&self, actor: &Actor, id: DataRequestId) -> StoreResult<DataRequest> {
        flow::may_read(actor)?;
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let found = one(&mut conn, actor.business(), id).await?;
        match actor {
            Actor::Client { client, .. } if found.client != Some(*client) => Err(StoreError::NotFound),
            _ => Ok(found),
        }
    }

    async fn step_data_request(&self, actor: &Actor, id: DataRequestId, step: RequestStep) -> StoreResult<DataRequest> {
        let now = self.clock.now();
        let mut tx = self.write().await?;
        let after = flow::step(&mut Tx(&mut tx), actor, id, step, now).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        self.signal.notify_one();
        Ok(after)
    }

    async fn data_request_due_days(&self, actor: &Actor) -> StoreResult<DueDays> {
        let days: Option<i64> = sqlx::query_scalar("SELECT due_days FROM data_request_settings WHERE business_id = ?1")
            .bind(actor.business().as_uuid())
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        Ok(days.and_then(DueDays::new).unwrap_or_default())
    }

    async fn set_data_request_due_days(&self, actor: &Actor, days: DueDays) -> StoreResult<()> {
        if !actor.is_owner() {
            return Err(StoreError::OwnerOnly);
        }
        sqlx::query(
            "INSERT INTO data_request_settings (business_id, due_days) VALUES (?1, ?2) \
             ON CONFLICT (business_id) DO UPDATE SET due_days = excluded.due_days",
        )
        .bind(actor.business().as_uuid())
        .bind(i64::from(days.get()))
        .execute(&self.pool)
        .await
        .map(drop)
        .map_err(StoreError::backend)
    }

    async fn data_requests_due(&self, actor: &Actor, today: Date, soon: Date) -> StoreResult<DueCounts> {
        if !actor.is_owner() {
            return Err(StoreError::OwnerOnly);
        }
        let row = sqlx::query(DUE)
            .bind(actor.business().as_uuid())
            .bind(today.to_string())
            .bind(soon.to_string())
            .fetch_one(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        let count = |column: &str| -> StoreResult<u32> {
            let n: i64 = row.try_get(column).map_err(StoreError::backend)?;
            Ok(u32::try_from(n).unwrap_or(u32::MAX))
        };
        Ok(DueCounts { overdue: count("overdue")?, due_soon: count("soon")? })
    }

    async fn issue_privacy_code(&self, actor: &Actor, code: &PrivacyCode) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO data_request_codes (business_id, id, email, data_right, detail, code_hash, created_at, \
             expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(actor.business().as_uuid())
        .bind(code.id)
        .bind(code.email.as_str())
        .bind(code.right.as_str())
        .bind(code.detail.as_ref().map(NoteText::as_str))
        .bind(&code.code_hash)
        .bind(micros(self.clock.now()))
        .bind(micros(code.expires_at))
        .execute(&self.pool)
        .await
        .map(drop)
        .map_err(StoreError::backend)
    }

    async fn confirm_privacy_code(
        &self,
        actor: &Actor,
        id: Uuid,
        code_hash: &[u8],
    ) -> StoreResult<Result<DataRequest, SignInRefused>> {
        let now = self.clock.now();
        let business = actor.business().as_uuid();
        let mut tx = self.write().await?;
        let spent = sqlx::query(
            "UPDATE data_request_codes SET used_at = ?4 WHERE business_id = ?1 AND id = ?2 AND code_hash = ?3 \
             AND used_at IS NULL AND expires_at > ?4 AND attempts < ?5 RETURNING email, data_right, detail",
        )
        .bind(business)
        .bind(id)
        .bind(code_hash)
        .bind(micros(now))
        .bind(i64::from(MAX_CODE_ATTEMPTS))
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
        let Some(row) = spent else {
            // Wrong: one attempt fewer, while it lives.
            let counted = sqlx::query(
                "UPDATE data_request_codes SET attempts = attempts + 1 WHERE business_id = ?1 AND id = ?2 \
                 AND used_at IS NULL AND expires_at > ?3 AND attempts < ?4 RETURNING id",
            )
            .bind(business)
            .bind(id)
            .bind(micros(now))
            .bind(i64::from(MAX_CODE_ATTEMPTS))
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
            tx.commit().await.map_err(StoreError::backend)?;
            return Ok(Err(if counted.is_some() { SignInRefused::Wrong } else { SignInRefused::Dead }));
        };
        let new = ficha_store::data_requests::waiting(
            row.try_get("email").map_err(StoreError::backend)?,
            row.try_get("data_right").map_err(StoreError::backend)?,
            row.try_get("detail").map_err(StoreError::backend)?,
        )?;
        let filed = flow::file(&mut Tx(&mut tx), actor, new, now).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        self.signal.notify_one();
        Ok(Ok(filed))
    }
}
