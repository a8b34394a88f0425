//! The booking site on PostgreSQL: the steps of
//! `ficha_store::booking_site::flow` on the booking's transaction, and the
//! rules' rows. Two clients racing for a slot queue on the professional's
//! staff row (`BookingTx::hold_professional`), so the second finds it taken;
//! two new clients with one email meet at the unique email key, and the
//! second reads and merges the first's profile.

use async_trait::async_trait;
use ficha_domain::{
    Actor, Booking, BookingId, BookingRules, BookingState, BusinessId, Client, ClientId, CustomField, CustomValue,
    ServiceId,
};
use ficha_store::booking_site::flow::{self, SiteTx};
use ficha_store::record::micros;
use ficha_store::{BookingSiteStore, Entered, FieldValue, Link, OnlineBooking, OnlineChange, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::bookings::{SELECT_BOOKING, Tx, fetch_booking};
use crate::clients::{UPDATE_CLIENT, bind_fields, record};
use crate::{PgStore, custom_fields, search};

const SELECT_RULES: &str = "SELECT online, min_notice_hours, horizon_days, start_state, cancel_until_hours, \
     reschedule_until_hours, confirm_until_hours, require_phone, require_rut, ask_birth_date FROM booking_rules WHERE business_id = $1";

const UPSERT_RULES: &str = "INSERT INTO booking_rules (business_id, online, min_notice_hours, horizon_days, \
     start_state, cancel_until_hours, reschedule_until_hours, require_phone, require_rut, updated_at, \
     confirm_until_hours, ask_birth_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (business_id) DO UPDATE SET \
     online = excluded.online, min_notice_hours = excluded.min_notice_hours, horizon_days = excluded.horizon_days, \
     start_state = excluded.start_state, cancel_until_hours = excluded.cancel_until_hours, \
     reschedule_until_hours = excluded.reschedule_until_hours, require_phone = excluded.require_phone, \
     require_rut = excluded.require_rut, updated_at = excluded.updated_at, \
     confirm_until_hours = excluded.confirm_until_hours, ask_birth_date = excluded.ask_birth_date";

/// `clients::INSERT_CLIENT`, skipping a row whose email the business has
/// (the client stored meanwhile is then read and merged instead).
const INSERT_NEW_CLIENT: &str = "INSERT INTO clients \
     (id, business_id, name, name_key, email, email_key, phone, rut, birth_date, registered_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::date, $10) ON CONFLICT DO NOTHING";

fn hours(value: i32) -> u32 {
    u32::try_from(value).unwrap_or(0)
}

async fn read_rules(conn: &mut PgConnection, business: BusinessId) -> StoreResult<BookingRules> {
    let row =
        sqlx::query(SELECT_RULES).bind(business.as_uuid()).fetch_optional(conn).await.map_err(StoreError::backend)?;
    let Some(row) = row else { return Ok(BookingRules::default()) };
    let read = || -> Result<BookingRules, sqlx::Error> {
        let state: String = row.try_get("start_state")?;
        Ok(BookingRules {
            online: row.try_get("online")?,
            min_notice_hours: hours(row.try_get("min_notice_hours")?),
            horizon_days: hours(row.try_get("horizon_days")?),
            start_state: BookingState::parse(&state).unwrap_or(BookingState::Pending),
            cancel_until_hours: hours(row.try_get("cancel_until_hours")?),
            reschedule_until_hours: hours(row.try_get("reschedule_until_hours")?),
            require_phone: row.try_get("require_phone")?,
            confirm_until_hours: hours(row.try_get("confirm_until_hours")?),
            require_rut: row.try_get("require_rut")?,
            ask_birth_date: row.try_get("ask_birth_date")?,
        })
    };
    read().map_err(StoreError::backend)
}

/// Stores a manage link of a booking: the site's, or one minted for a
/// booking message (`outbox::flow`).
pub(crate) async fn insert_link(
    conn: &mut PgConnection,
    business: BusinessId,
    link: &Link,
    booking: BookingId,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO booking_links (business_id, token_hash, booking_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(business.as_uuid())
        .bind(&link.token_hash)
        .bind(booking.as_uuid())
        .bind(micros(now))
        .execute(conn)
        .await
        .map(drop)
        .map_err(StoreError::backend)
}

/// Whether the business's clients book online.
pub(crate) async fn books_online(conn: &mut PgConnection, business: BusinessId) -> StoreResult<bool> {
    Ok(read_rules(conn, business).await?.online)
}

#[async_trait]
impl SiteTx for Tx<'_> {
    async fn rules(&mut self, business: BusinessId) -> StoreResult<BookingRules> {
        read_rules(self.0, business).await
    }

    async fn service_online(&mut self, business: BusinessId, service: ServiceId) -> StoreResult<bool> {
        let row = crate::scoped_row(
            self.0,
            "SELECT online FROM services WHERE business_id = $1 AND id = $2",
            business,
            service.as_uuid(),
        )
        .await?;
        row.try_get("online").map_err(StoreError::backend)
    }

    async fn client_by_email(&mut self, business: BusinessId, email_key: &str) -> StoreResult<Option<Client>> {
        // The email's client, or the one it is an alias of (a merge), then
        // its row locked. A merge committing in between deletes the row
        // found: asked again, the lookup sees the merge's alias.
        for _ in 0..3 {
            let Some(id) = crate::merges::email_holder(self.0, business, email_key).await? else { return Ok(None) };
            let row = sqlx::query(
                "SELECT id, name, email, phone, rut, birth_date::text AS birth_date, last_booking_at, registered_at, \
                 version FROM clients WHERE business_id = $1 AND id = $2 FOR UPDATE",
            )
            .bind(business.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(&mut *self.0)
            .await
            .map_err(StoreError::backend)?;
            if let Some(row) = row {
                return record(&row).map_err(StoreError::backend)?.into_client().map(Some);
            }
        }
        Err(StoreError::NotFound)
    }

    async fn insert_client(&mut self, business: BusinessId, client: &Client) -> StoreResult<bool> {
        let insert = sqlx::query(INSERT_NEW_CLIENT).bind(client.id.as_uuid()).bind(business.as_uuid());
        let done = bind_fields(insert, client)
            .bind(micros(client.registered_at))
            .execute(&mut *self.0)
            .await
            .map_err(StoreError::backend)?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        search::refresh(self.0, business, client.id).await?;
        Ok(true)
    }

    async fn write_client(&mut self, business: BusinessId, client: &Client) -> StoreResult<()> {
        let update = sqlx::query(UPDATE_CLIENT).bind(business.as_uuid()).bind(client.id.as_uuid());
        bind_fields(update, client).bind(client.version).execute(&mut *self.0).await.map_err(StoreError::backend)?;
        search::refresh(self.0, business, client.id).await
    }

    async fn save_link(
        &mut self,
        business: BusinessId,
        link: &Link,
        booking: BookingId,
        now: Timestamp,
    ) -> StoreResult<()> {
        insert_link(self.0, business, link, booking, now).await
    }

    async fn linked(&mut self, business: BusinessId, token_hash: &[u8]) -> StoreResult<BookingId> {
        linked(self.0, business, token_hash).await
    }

    async fn fields(&mut self, business: BusinessId) -> StoreResult<Vec<CustomField>> {
        custom_fields::fetch_fields(self.0, business, false).await
    }

    async fn client_values(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Vec<FieldValue>> {
        custom_fields::client_values(self.0, business, client).await
    }

    async fn write_value(
        &mut self,
        business: BusinessId,
        client: ClientId,
        field: &CustomField,
        value: &CustomValue,
    ) -> StoreResult<()> {
        custom_fields::upsert_value(self.0, business, client, field, value).await
    }

    async fn refresh_search(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()> {
        search::refresh(self.0, business, client).await
    }

    async fn save_entered(&mut self, business: BusinessId, booking: BookingId, entered: &Entered) -> StoreResult<()> {
        let data = serde_json::to_string(entered).map_err(StoreError::backend)?;
        sqlx::query("INSERT INTO booking_entered_data (business_id, booking_id, data) VALUES ($1, $2, $3::jsonb)")
            .bind(business.as_uuid())
            .bind(booking.as_uuid())
            .bind(data)
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }
}

async fn linked(conn: &mut PgConnection, business: BusinessId, token_hash: &[u8]) -> StoreResult<BookingId> {
    let id: Option<Uuid> =
        sqlx::query_scalar("SELECT booking_id FROM booking_links WHERE business_id = $1 AND token_hash = $2")
            .bind(business.as_uuid())
            .bind(token_hash)
            .fetch_optional(conn)
            .await
            .map_err(StoreError::backend)?;
    id.map(BookingId::from_uuid).ok_or(StoreError::NotFound)
}

#[async_trait]
impl BookingSiteStore for PgStore {
    async fn booking_rules(&self, actor: &Actor) -> StoreResult<BookingRules> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        read_rules(&mut conn, actor.business()).await
    }

    async fn set_booking_rules(&self, actor: &Actor, rules: BookingRules) -> StoreResult<BookingRules> {
        if !actor.is_owner() {
            return Err(StoreError::OwnerOnly);
        }
        sqlx::query(UPSERT_RULES)
            .bind(actor.business().as_uuid())
            .bind(rules.online)
            .bind(i32::try_from(rules.min_notice_hours).unwrap_or(i32::MAX))
            .bind(i32::try_from(rules.horizon_days).unwrap_or(i32::MAX))
            .bind(rules.start_state.as_str())
            .bind(i32::try_from(rules.cancel_until_hours).unwrap_or(i32::MAX))
            .bind(i32::try_from(rules.reschedule_until_hours).unwrap_or(i32::MAX))
            .bind(rules.require_phone)
            .bind(rules.require_rut)
            .bind(micros(self.clock.now()))
            .bind(i32::try_from(rules.confirm_until_hours).unwrap_or(i32::MAX))
            .bind(rules.ask_birth_date)
            .execute(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        Ok(rules)
    }

    async fn online_services(&self, actor: &Actor) -> StoreResult<Vec<ServiceId>> {
        let ids: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM services WHERE business_id = $1 AND online")
            .bind(actor.business().as_uuid())
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        Ok(ids.into_iter().map(ServiceId::from_uuid).collect())
    }

    async fn set_service_online(&self, actor: &Actor, service: ServiceId, online: bool) -> StoreResult<()> {
        if !actor.is_owner() {
            return Err(StoreError::OwnerOnly);
        }
        let done = sqlx::query("UPDATE services SET online = $3 WHERE business_id = $1 AND id = $2")
            .bind(actor.business().as_uuid())
            .bind(service.as_uuid())
            .bind(online)
            .execute(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn book_online(&self, actor: &Actor, request: OnlineBooking) -> StoreResult<Booking> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let booked = flow::book(&mut Tx(&mut tx), actor, &request, now).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        self.signal.notify_one();
        Ok(booked)
    }

    async fn linked_booking(&self, actor: &Actor, token_hash: &[u8]) -> StoreResult<Booking> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let id = linked(&mut conn, actor.business(), token_hash).await?;
        fetch_booking(&mut conn, SELECT_BOOKING, actor.business(), id).await
    }

    async fn change_online(&self, actor: &Actor, link: &Link, change: OnlineChange) -> StoreResult<Booking> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let changed = flow::change(&mut Tx(&mut tx), actor, link, &change, now).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        self.signal.notify_one();
        Ok(changed)
    }

    async fn change_as_client(&self, actor: &Actor, booking: BookingId, change: OnlineChange) -> StoreResult<Booking> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let changed = flow::change_as_client(&mut Tx(&mut tx), actor, booking, &change, now).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        self.signal.notify_one();
        Ok(changed)
    }

    async fn entered_data(&self, actor: &Actor, booking: BookingId) -> StoreResult<Option<Entered>> {
        let data: Option<String> = sqlx::query_scalar(
            "SELECT data::text FROM booking_entered_data WHERE business_id = $1 AND booking_id = $2",
        )
        .bind(actor.business().as_uuid())
        .bind(booking.as_uuid())
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        data.map(|text| serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(e.to_string()))).transpose()
    }

    async fn entered_data_of(&self, actor: &Actor, bookings: &[BookingId]) -> StoreResult<Vec<(BookingId, Entered)>> {
        if bookings.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = bookings.iter().map(|id| id.as_uuid()).collect();
        let rows: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT booking_id, data::text FROM booking_entered_data WHERE business_id = $1 AND booking_id = ANY($2)",
        )
        .bind(actor.business().as_uuid())
        .bind(&ids)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        rows.into_iter()
            .map(|(id, data)| {
                let entered = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok((BookingId::from_uuid(id), entered))
            })
            .collect()
    }
}
