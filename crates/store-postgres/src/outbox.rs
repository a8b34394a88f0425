//! The notification outbox on PostgreSQL: the queries of
//! `ficha_store::outbox::flow` on the caller's transaction, the worker's
//! claim and marks, and the staff's reads and settings.
//!
//! Workers of any number of instances claim with `FOR UPDATE SKIP LOCKED`:
//! a row one claim has locked is skipped by the others, and one it has
//! taken is no longer due when they look again. A transaction that writes
//! messages also calls `pg_notify('ficha_outbox')`, which PostgreSQL
//! delivers at commit to every instance's listener (`listen.rs`).
//!
//! A client's opt-out and a change writing messages for that client queue
//! on the client's row: the writer of messages holds it `FOR SHARE` from its
//! first outbox step on, the opt-out `FOR NO KEY UPDATE` before it reads the
//! choices, so the opt-out's cancellation sees every message written under
//! the old choice, and a message is never written under a choice already
//! withdrawn. (The shared lock is taken before the reminder a booking
//! cancels is touched, so the two never wait on each other in a circle.)

use async_trait::async_trait;
use ficha_domain::{
    Actor, Booking, BookingId, BusinessId, Channel, ChoiceSource, ClientId, ClientPreferences, MessageId, NewMessage,
    NoticeKind, NotificationSettings, ServiceId, StaffId,
};
use ficha_store::outbox::flow::{self, Audience, BookingLabels, OutboxTx};
use ficha_store::outbox::record::{
    self, BusinessRecord, ClientContactRecord, MessageRecord, NewMessageRecord, SettingsRecord,
};
use ficha_store::record::micros;
use ficha_store::{
    AccountMessage, Claimed, Delivery, Message, MessagePage, MessageQuery, OutboxSignal, OutboxStore, StoreError,
    StoreResult,
};
use jiff::{SignedDuration, Timestamp};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::{PgStore, history};

/// The columns every message read selects, in `message_record`'s names.
macro_rules! message_columns {
    () => {
        "business_id, id, client_id, booking_id, channel, recipient, kind, facts::text AS facts, status, \
         attempts, next_attempt_at, last_error, provider_id, delivery, created_at, sent_at"
    };
}

const SELECT_MESSAGE: &str =
    concat!("SELECT ", message_columns!(), " FROM outbox_messages WHERE business_id = $1 AND id = $2");

const INSERT_MESSAGE: &str = "INSERT INTO outbox_messages (business_id, id, client_id, booking_id, channel, \
     recipient, kind, facts, sequence, status, attempts, next_attempt_at, idempotency_key, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, 'pending', 0, $10, $11, $12) \
     ON CONFLICT (business_id, idempotency_key) DO NOTHING";

/// Up to $3 messages due at $1 (pending and due, or sending with their
/// lease run out: both have `next_attempt_at` reached), soonest first,
/// taken with a lease until $2. Rows another claim holds are skipped; a row
/// another claim took meanwhile is re-checked once its lock is free, and is
/// no longer due.
const CLAIM: &str = concat!(
    "UPDATE outbox_messages SET status = 'sending', attempts = attempts + 1, lease_until = $2, \
     next_attempt_at = $2 WHERE (business_id, id) IN (SELECT business_id, id FROM outbox_messages \
     WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $3 \
     FOR UPDATE SKIP LOCKED) RETURNING ",
    message_columns!()
);

const NEXT_DUE: &str = "SELECT min(next_attempt_at) FROM outbox_messages WHERE status IN ('pending', 'sending')";

/// The marks: only the claim holding the message ($3 its attempt) may
/// write.
const MARK_SENT: &str = "UPDATE outbox_messages SET status = 'sent', sent_at = $4, provider_id = $5, \
     lease_until = NULL, last_error = NULL \
     WHERE business_id = $1 AND id = $2 AND status = 'sending' AND attempts = $3";

const MARK_RETRY: &str = "UPDATE outbox_messages SET status = 'pending', next_attempt_at = $4, last_error = $5, \
     lease_until = NULL WHERE business_id = $1 AND id = $2 AND status = 'sending' AND attempts = $3";

const MARK_FAILED: &str = "UPDATE outbox_messages SET status = 'failed', last_error = $4, lease_until = NULL \
     WHERE business_id = $1 AND id = $2 AND status = 'sending' AND attempts = $3";

const BY_PROVIDER_ID: &str =
    "SELECT business_id, id, status, delivery, last_error FROM outbox_messages WHERE provider_id = $1 FOR UPDATE";

const SET_DELIVERY: &str = "UPDATE outbox_messages SET delivery = $3, status = $4, last_error = $5 \
     WHERE business_id = $1 AND id = $2";

/// A failed message due again now ($3), as if new: same id.
const RESEND: &str = concat!(
    "UPDATE outbox_messages SET status = 'pending', attempts = 0, next_attempt_at = $3, last_error = NULL, \
     provider_id = NULL, delivery = NULL, sent_at = NULL, lease_until = NULL \
     WHERE business_id = $1 AND id = $2 AND status = 'failed' RETURNING ",
    message_columns!()
);

/// The business's messages newest first, strictly before ($2, $3); one
/// query per filter, each served by its index.
const MESSAGES: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM outbox_messages WHERE business_id = $1 AND (created_at, id) < ($2, $3) \
     ORDER BY created_at DESC, id DESC LIMIT $4"
);
const MESSAGES_BY_STATUS: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM outbox_messages WHERE business_id = $1 AND status = $5 AND (created_at, id) < ($2, $3) \
     ORDER BY created_at DESC, id DESC LIMIT $4"
);
/// A client's messages, maybe of one status ($6, NULL for any).
const CLIENT_MESSAGES: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM outbox_messages WHERE business_id = $1 AND client_id = $5 AND (created_at, id) < ($2, $3) \
     AND ($6::text IS NULL OR status = $6) ORDER BY created_at DESC, id DESC LIMIT $4"
);

const SELECT_BUSINESS: &str = "SELECT name, slug, time_zone FROM businesses WHERE id = $1";

const SELECT_SETTINGS: &str = "SELECT sender_name, reminder_lead_minutes, whatsapp_enabled, \
     whatsapp_phone_number_id, whatsapp_access_token, whatsapp_templates::text AS whatsapp_templates \
     FROM notification_settings WHERE business_id = $1";

const UPSERT_SETTINGS: &str = "INSERT INTO notification_settings (business_id, sender_name, \
     reminder_lead_minutes, whatsapp_enabled, whatsapp_phone_number_id, whatsapp_access_token, \
     whatsapp_templates, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) \
     ON CONFLICT (business_id) DO UPDATE SET sender_name = excluded.sender_name, \
     reminder_lead_minutes = excluded.reminder_lead_minutes, whatsapp_enabled = excluded.whatsapp_enabled, \
     whatsapp_phone_number_id = excluded.whatsapp_phone_number_id, \
     whatsapp_access_token = excluded.whatsapp_access_token, whatsapp_templates = excluded.whatsapp_templates, \
     updated_at = excluded.updated_at";

/// The client's contact data and choices (no row: NULLs, the defaults).
const SELECT_CONTACT: &str = "SELECT c.id, c.name, c.email, c.phone, p.no_whatsapp, p.no_reminders \
     FROM clients c LEFT JOIN client_notification_preferences p \
     ON p.business_id = c.business_id AND p.client_id = c.id WHERE c.business_id = $1 AND c.id = $2";

const UPSERT_PREFERENCES: &str = "INSERT INTO client_notification_preferences \
     (business_id, client_id, no_whatsapp, no_reminders, updated_at) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (business_id, client_id) DO UPDATE SET no_whatsapp = excluded.no_whatsapp, \
     no_reminders = excluded.no_reminders, updated_at = excluded.updated_at";

const CANCEL_BOOKING_PENDING: &str = "UPDATE outbox_messages SET status = 'cancelled' \
     WHERE business_id = $1 AND booking_id = $2 AND kind = $3 AND status = 'pending'";

/// The client's pending messages by channel $3 and/or kind $4 (NULL: any).
const CANCEL_CLIENT_PENDING: &str = "UPDATE outbox_messages SET status = 'cancelled' \
     WHERE business_id = $1 AND client_id = $2 AND status = 'pending' \
     AND ($3::text IS NULL OR channel = $3) AND ($4::text IS NULL OR kind = $4)";

/// The client's row, shared: held by a transaction writing messages for
/// the client, so an opt-out waits for it (see the module's comment).
const SHARE_CLIENT: &str = "SELECT id FROM clients WHERE business_id = $1 AND id = $2 FOR SHARE";

/// The same for the client of booking $2.
const SHARE_BOOKING_CLIENT: &str = "SELECT c.id FROM bookings b \
     JOIN clients c ON c.business_id = b.business_id AND c.id = b.client_id \
     WHERE b.business_id = $1 AND b.id = $2 FOR SHARE OF c";

/// The client's row, held by an opt-out until it commits.
const HOLD_CLIENT: &str = "SELECT id FROM clients WHERE business_id = $1 AND id = $2 FOR NO KEY UPDATE";

const NOTIFY: &str = "SELECT pg_notify('ficha_outbox', '')";

const NEXT_SEQUENCE: &str =
    "SELECT coalesce(max(sequence), -1) + 1 FROM outbox_messages WHERE business_id = $1 AND booking_id = $2";

/// A mark's statement with its message and attempt bound.
type Fenced = sqlx::query::Query<'static, sqlx::Postgres, sqlx::postgres::PgArguments>;

fn message_record(row: &PgRow) -> Result<MessageRecord, sqlx::Error> {
    Ok(MessageRecord {
        business_id: row.try_get("business_id")?,
        id: row.try_get("id")?,
        client_id: row.try_get("client_id")?,
        booking_id: row.try_get("booking_id")?,
        channel: row.try_get("channel")?,
        recipient: row.try_get("recipient")?,
        kind: row.try_get("kind")?,
        facts: row.try_get("facts")?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        last_error: row.try_get("last_error")?,
        provider_id: row.try_get("provider_id")?,
        delivery: row.try_get("delivery")?,
        created_at: row.try_get("created_at")?,
        sent_at: row.try_get("sent_at")?,
    })
}

fn message(row: &PgRow) -> StoreResult<Message> {
    message_record(row).map_err(StoreError::backend)?.into_message()
}

fn claimed(row: &PgRow) -> StoreResult<Claimed> {
    message_record(row).map_err(StoreError::backend)?.into_claimed()
}

async fn settings_record(conn: &mut PgConnection, business: BusinessId) -> StoreResult<Option<SettingsRecord>> {
    let row = sqlx::query(SELECT_SETTINGS)
        .bind(business.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(StoreError::backend)?;
    let Some(row) = row else { return Ok(None) };
    let read = || -> Result<SettingsRecord, sqlx::Error> {
        Ok(SettingsRecord {
            sender_name: row.try_get("sender_name")?,
            reminder_lead_minutes: row.try_get("reminder_lead_minutes")?,
            whatsapp_enabled: row.try_get("whatsapp_enabled")?,
            whatsapp_phone_number_id: row.try_get("whatsapp_phone_number_id")?,
            whatsapp_access_token: row.try_get("whatsapp_access_token")?,
            whatsapp_templates: row.try_get("whatsapp_templates")?,
        })
    };
    read().map(Some).map_err(StoreError::backend)
}

/// The business and its settings; `NotFound` without the business.
pub(crate) async fn business_record(conn: &mut PgConnection, business: BusinessId) -> StoreResult<BusinessRecord> {
    let row = sqlx::query(SELECT_BUSINESS)
        .bind(business.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::backend)?
        .ok_or(StoreError::NotFound)?;
    let get = |column: &str| -> StoreResult<String> { row.try_get(column).map_err(StoreError::backend) };
    let (name, slug, time_zone) = (get("name")?, get("slug")?, get("time_zone")?);
    Ok(BusinessRecord { name, slug, time_zone, settings: settings_record(conn, business).await? })
}

async fn contact(conn: &mut PgConnection, business: BusinessId, client: ClientId) -> StoreResult<ClientContactRecord> {
    let row = crate::scoped_row(conn, SELECT_CONTACT, business, client.as_uuid()).await?;
    let read = || -> Result<ClientContactRecord, sqlx::Error> {
        Ok(ClientContactRecord {
            id: ClientId::from_uuid(row.try_get("id")?),
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            phone: row.try_get("phone")?,
            no_whatsapp: row.try_get("no_whatsapp")?,
            no_reminders: row.try_get("no_reminders")?,
        })
    };
    read().map_err(StoreError::backend)
}

async fn client_preferences(
    conn: &mut PgConnection,
    business: BusinessId,
    client: ClientId,
) -> StoreResult<ClientPreferences> {
    let contact = contact(conn, business, client).await?;
    Ok(record::preferences(contact.no_whatsapp, contact.no_reminders))
}

/// The outbox queries on one open `BEGIN IMMEDIATE` transaction (the
/// booking's, the attention note's, or the outbox's own).
pub(crate) struct OutboxQueries<'c>(pub &'c mut PgConnection);

#[async_trait]
impl OutboxTx for OutboxQueries<'_> {
    async fn books_online(&mut self, business: BusinessId) -> StoreResult<bool> {
        crate::booking_site::books_online(self.0, business).await
    }

    async fn save_link(
        &mut self,
        business: BusinessId,
        link: &ficha_store::Link,
        booking: BookingId,
        now: Timestamp,
    ) -> StoreResult<()> {
        crate::booking_site::insert_link(self.0, business, link, booking, now).await
    }

    async fn audience(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Audience> {
        crate::scoped_row(self.0, SHARE_CLIENT, business, client.as_uuid()).await?;
        let contact = contact(self.0, business, client).await?;
        business_record(self.0, business).await?.audience(contact)
    }

    async fn booking(&mut self, business: BusinessId, id: BookingId) -> StoreResult<Booking> {
        crate::bookings::fetch_booking(self.0, crate::bookings::SELECT_BOOKING, business, id).await
    }

    async fn labels(
        &mut self,
        business: BusinessId,
        service: ServiceId,
        professional: Option<StaffId>,
    ) -> StoreResult<BookingLabels> {
        let sql = "SELECT name, price_clp FROM services WHERE business_id = $1 AND id = $2";
        let row = crate::scoped_row(self.0, sql, business, service.as_uuid()).await?;
        let (service, price) =
            (row.try_get("name").map_err(StoreError::backend)?, row.try_get("price_clp").map_err(StoreError::backend)?);
        let professional = match professional {
            Some(staff) => {
                let sql = "SELECT name FROM staff WHERE business_id = $1 AND id = $2";
                let row = crate::scoped_row(self.0, sql, business, staff.as_uuid()).await?;
                Some(row.try_get("name").map_err(StoreError::backend)?)
            }
            None => None,
        };
        Ok(BookingLabels { service, price, professional })
    }

    async fn next_sequence(&mut self, business: BusinessId, booking: BookingId) -> StoreResult<i32> {
        sqlx::query_scalar(NEXT_SEQUENCE)
            .bind(business.as_uuid())
            .bind(booking.as_uuid())
            .fetch_one(&mut *self.0)
            .await
            .map_err(StoreError::backend)
    }

    async fn enqueue(&mut self, business: BusinessId, messages: &[NewMessage], now: Timestamp) -> StoreResult<()> {
        for message in messages {
            let r = NewMessageRecord::of(message, now)?;
            sqlx::query(INSERT_MESSAGE)
                .bind(business.as_uuid())
                .bind(r.id)
                .bind(r.client_id)
                .bind(r.booking_id)
                .bind(r.channel)
                .bind(r.recipient)
                .bind(r.kind)
                .bind(r.facts)
                .bind(r.sequence)
                .bind(r.next_attempt_at)
                .bind(r.idempotency_key)
                .bind(r.created_at)
                .execute(&mut *self.0)
                .await
                .map_err(StoreError::backend)?;
        }
        if !messages.is_empty() {
            // Delivered to every listening instance when this commits.
            sqlx::query(NOTIFY).execute(&mut *self.0).await.map_err(StoreError::backend)?;
        }
        Ok(())
    }

    async fn cancel_pending(&mut self, business: BusinessId, booking: BookingId, kind: NoticeKind) -> StoreResult<()> {
        crate::scoped_row(self.0, SHARE_BOOKING_CLIENT, business, booking.as_uuid()).await?;
        sqlx::query(CANCEL_BOOKING_PENDING)
            .bind(business.as_uuid())
            .bind(booking.as_uuid())
            .bind(kind.as_str())
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    /// Locks the client's row first; the choices are read by the next
    /// statement, which sees whatever a writer of messages committed while
    /// this waited.
    async fn hold_preferences(&mut self, business: BusinessId, client: ClientId) -> StoreResult<ClientPreferences> {
        crate::scoped_row(self.0, HOLD_CLIENT, business, client.as_uuid()).await?;
        client_preferences(self.0, business, client).await
    }

    async fn save_preferences(
        &mut self,
        business: BusinessId,
        client: ClientId,
        preferences: ClientPreferences,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(UPSERT_PREFERENCES)
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .bind(preferences.no_whatsapp)
            .bind(preferences.no_reminders)
            .bind(micros(now))
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn client_blocked(&mut self, business: BusinessId, client: ClientId) -> StoreResult<bool> {
        crate::blocks::is_blocked(self.0, business, client).await
    }

    async fn cancel_client_pending(
        &mut self,
        business: BusinessId,
        client: ClientId,
        channel: Option<Channel>,
        kind: Option<NoticeKind>,
    ) -> StoreResult<()> {
        sqlx::query(CANCEL_CLIENT_PENDING)
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .bind(channel.map(Channel::as_str))
            .bind(kind.map(NoticeKind::as_str))
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }
}

impl PgStore {
    /// `sql` fenced by `claim`: its first three parameters bound to the
    /// message (business, id) and the claim's attempt.
    fn fenced(sql: &'static str, claim: &Claimed) -> Fenced {
        sqlx::query(sql)
            .bind(claim.business.as_uuid())
            .bind(claim.message.id.as_uuid())
            .bind(i32::try_from(claim.attempt()).unwrap_or(i32::MAX))
    }

    /// Runs a mark; whether the claim still held the message.
    /// Marks a claimed message without waiting for the WAL flush
    /// (`synchronous_commit = off`, this transaction only): the worker sends
    /// one message at a time, and a flush per message halved its pace. What
    /// that risks is bounded and safe: if the database server itself
    /// crashes within its WAL writer delay (200 ms by default), the mark is
    /// lost and the message, still `sending`, goes again after its lease —
    /// a duplicate, never a loss (docs/notifications.md).
    async fn mark(&self, query: Fenced) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        sqlx::query("SET LOCAL synchronous_commit = off").execute(&mut *tx).await.map_err(StoreError::backend)?;
        let done = query.execute(&mut *tx).await.map_err(StoreError::backend)?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn settings_of(&self, business: BusinessId) -> StoreResult<NotificationSettings> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        record::settings(settings_record(&mut conn, business).await?)
    }
}

#[async_trait]
impl OutboxStore for PgStore {
    fn outbox_signal(&self) -> OutboxSignal {
        self.signal.clone()
    }

    async fn claim_due(&self, lease: SignedDuration, limit: u32) -> StoreResult<Vec<Claimed>> {
        let now = self.clock.now();
        let until = now.checked_add(lease).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let rows = sqlx::query(CLAIM)
            .bind(micros(now))
            .bind(micros(until))
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        let mut claims = rows.iter().map(claimed).collect::<StoreResult<Vec<_>>>()?;
        tx.commit().await.map_err(StoreError::backend)?;
        claims.sort_by_key(|c| (c.message.created_at, c.message.id));
        Ok(claims)
    }

    async fn next_due(&self) -> StoreResult<Option<Timestamp>> {
        let next: Option<i64> =
            sqlx::query_scalar(NEXT_DUE).fetch_one(&self.pool).await.map_err(StoreError::backend)?;
        next.map(ficha_store::record::timestamp).transpose()
    }

    async fn mark_sent(&self, claim: &Claimed, provider_id: Option<&str>) -> StoreResult<bool> {
        self.mark(Self::fenced(MARK_SENT, claim).bind(micros(self.clock.now())).bind(provider_id)).await
    }

    async fn mark_retry(&self, claim: &Claimed, error: &str, retry_at: Timestamp) -> StoreResult<bool> {
        self.mark(Self::fenced(MARK_RETRY, claim).bind(micros(retry_at)).bind(error)).await
    }

    async fn mark_failed(&self, claim: &Claimed, error: &str) -> StoreResult<bool> {
        self.mark(Self::fenced(MARK_FAILED, claim).bind(error)).await
    }

    async fn delivery_report(&self, provider_id: &str, report: Delivery, error: Option<&str>) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let rows =
            sqlx::query(BY_PROVIDER_ID).bind(provider_id).fetch_all(&mut *tx).await.map_err(StoreError::backend)?;
        for row in &rows {
            let reported = record::Reported {
                status: row.try_get("status").map_err(StoreError::backend)?,
                delivery: row.try_get("delivery").map_err(StoreError::backend)?,
                last_error: row.try_get("last_error").map_err(StoreError::backend)?,
            };
            let Some(after) = reported.after(report, error)? else { continue };
            sqlx::query(SET_DELIVERY)
                .bind(row.try_get::<Uuid, _>("business_id").map_err(StoreError::backend)?)
                .bind(row.try_get::<Uuid, _>("id").map_err(StoreError::backend)?)
                .bind(after.delivery)
                .bind(after.status)
                .bind(after.last_error)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::backend)?;
        }
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(!rows.is_empty())
    }

    async fn sending_settings(&self, business: BusinessId) -> StoreResult<NotificationSettings> {
        self.settings_of(business).await
    }

    async fn notification_settings(&self, actor: &Actor) -> StoreResult<NotificationSettings> {
        if !actor.is_owner() {
            return Err(StoreError::OwnerOnly);
        }
        self.settings_of(actor.business()).await
    }

    async fn set_notification_settings(
        &self,
        actor: &Actor,
        settings: NotificationSettings,
    ) -> StoreResult<NotificationSettings> {
        if !actor.is_owner() {
            return Err(StoreError::OwnerOnly);
        }
        let r = SettingsRecord::of(&settings)?;
        sqlx::query(UPSERT_SETTINGS)
            .bind(actor.business().as_uuid())
            .bind(&r.sender_name)
            .bind(r.reminder_lead_minutes)
            .bind(r.whatsapp_enabled)
            .bind(&r.whatsapp_phone_number_id)
            .bind(&r.whatsapp_access_token)
            .bind(&r.whatsapp_templates)
            .bind(micros(self.clock.now()))
            .execute(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        r.into_settings()
    }

    async fn messages(&self, actor: &Actor, query: &MessageQuery) -> StoreResult<MessagePage> {
        let (at, id) = query.start();
        let limit = query.limit();
        let status = query.status.map(|s| s.as_str());
        let sql = match (query.client, status) {
            (Some(_), _) => CLIENT_MESSAGES,
            (None, Some(_)) => MESSAGES_BY_STATUS,
            (None, None) => MESSAGES,
        };
        let base = sqlx::query(sql).bind(actor.business().as_uuid()).bind(at).bind(id).bind(i64::from(limit) + 1);
        let filtered = match (query.client, status) {
            (Some(client), status) => base.bind(client.as_uuid()).bind(status),
            (None, Some(status)) => base.bind(status),
            (None, None) => base,
        };
        let rows = filtered.fetch_all(&self.pool).await.map_err(StoreError::backend)?;
        let messages = rows.iter().map(message).collect::<StoreResult<Vec<_>>>()?;
        Ok(record::page(messages, limit))
    }

    async fn message(&self, actor: &Actor, id: MessageId) -> StoreResult<Message> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        message(&crate::scoped_row(&mut conn, SELECT_MESSAGE, actor.business(), id.as_uuid()).await?)
    }

    async fn resend(&self, actor: &Actor, id: MessageId) -> StoreResult<Message> {
        let business = actor.business();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let row = sqlx::query(RESEND)
            .bind(business.as_uuid())
            .bind(id.as_uuid())
            .bind(micros(self.clock.now()))
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        let Some(row) = row else {
            crate::scoped_row(&mut tx, SELECT_MESSAGE, business, id.as_uuid()).await?;
            return Err(StoreError::NotResendable);
        };
        let resent = message(&row)?;
        tx.commit().await.map_err(StoreError::backend)?;
        self.signal.notify_one();
        Ok(resent)
    }

    async fn client_preferences(&self, actor: &Actor, client: ClientId) -> StoreResult<ClientPreferences> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        client_preferences(&mut conn, actor.business(), client).await
    }

    async fn set_client_preferences(
        &self,
        actor: &Actor,
        client: ClientId,
        preferences: ClientPreferences,
        source: ChoiceSource,
    ) -> StoreResult<ClientPreferences> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let change =
            flow::set_preferences(&mut OutboxQueries(&mut tx), actor.business(), client, preferences, source, now)
                .await?;
        if let Some(change) = change {
            history::record(&mut tx, actor, client, now, &[change]).await?;
        }
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(preferences)
    }

    async fn send_account_message(&self, business: BusinessId, message: AccountMessage) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        if let Some(client) = message.client {
            contact(&mut tx, business, client).await?;
        }
        let audience = business_record(&mut tx, business).await?.account_audience(&message)?;
        let messages = flow::account_messages(&audience, &message, now);
        OutboxQueries(&mut tx).enqueue(business, &messages, now).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        self.signal.notify_one();
        Ok(())
    }
}
