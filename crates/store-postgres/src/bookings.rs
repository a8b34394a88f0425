//! Bookings on PostgreSQL, at READ COMMITTED. Placing a booking first locks
//! the professional's staff row (`FOR NO KEY UPDATE`, which leaves foreign
//! keys to it free): concurrent bookings of one professional queue there,
//! and the overlap check that follows, a new statement, sees what the one
//! before committed. A change of a booking locks the booking's row first.

mod reads;

use async_trait::async_trait;
use ficha_domain::{
    Actor, Agenda, Booking, BookingId, BusinessId, Change, ClientId, Interval, NewService, Service, ServiceChanges,
    ServiceId, StaffId,
};
use ficha_store::bookings::flow::{self, BookingTx};
use ficha_store::bookings::record::BookingRecord;
use ficha_store::bookings::rules;
use ficha_store::outbox::flow::OutboxTx;
use ficha_store::record::micros;
use ficha_store::{
    BookingChange, BookingPage, BookingQuery, BookingStore, CalendarEntry, ClientStats, NewBooking, PorReservar,
    StoreError, StoreResult,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::PgStore;
use crate::outbox::OutboxQueries;
use crate::services::{fetch_agenda, fetch_service};

pub(crate) const SELECT_BOOKING: &str = "SELECT id, client_id, service_id, staff_id, starts_at, ends_at, state, attendance, \
     origin, paid_amount, paid_method, paid_on::text AS paid_on, created_by, created_at, pack_id, pack_number, pack_size \
     FROM bookings WHERE business_id = $1 AND id = $2";

/// The same row, locked until the transaction ends.
const SELECT_BOOKING_FOR_UPDATE: &str = "SELECT id, client_id, service_id, staff_id, starts_at, ends_at, state, \
     attendance, origin, paid_amount, paid_method, paid_on::text AS paid_on, created_by, created_at, pack_id, \
     pack_number, pack_size FROM bookings WHERE business_id = $1 AND id = $2 FOR UPDATE";

/// The professional's staff row, locked: where concurrent placements of one
/// professional queue.
const LOCK_STAFF: &str = "SELECT id FROM staff WHERE business_id = $1 AND id = $2 FOR NO KEY UPDATE";

const INSERT_BOOKING: &str = "INSERT INTO bookings (business_id, id, client_id, service_id, staff_id, starts_at, \
     ends_at, state, attendance, origin, paid_amount, paid_method, paid_on, created_by, created_at, pack_id, \
     pack_number, pack_size) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::date, $14, $15, $16, $17, $18)";

const UPDATE_BOOKING: &str = "UPDATE bookings SET staff_id = $3, starts_at = $4, ends_at = $5, state = $6, \
     attendance = $7, paid_amount = $8, paid_method = $9, paid_on = $10::date WHERE business_id = $1 AND id = $2";

/// The first booking of the professional, not cancelled, that overlaps
/// `[$4, $5)`; it started after $3 (the new start minus the longest a
/// booking lasts), which bounds the index range scanned.
const OVERLAP: &str = "SELECT id FROM bookings WHERE business_id = $1 AND staff_id = $2 AND starts_at > $3 \
     AND starts_at < $5 AND ends_at > $4 AND state <> 'cancelled' AND id <> $6 ORDER BY starts_at LIMIT 1";

pub(crate) fn booking_record(row: &PgRow) -> Result<BookingRecord, sqlx::Error> {
    Ok(BookingRecord {
        id: row.try_get("id")?,
        client_id: row.try_get("client_id")?,
        service_id: row.try_get("service_id")?,
        staff_id: row.try_get("staff_id")?,
        starts_at: row.try_get("starts_at")?,
        ends_at: row.try_get("ends_at")?,
        state: row.try_get("state")?,
        attendance: row.try_get("attendance")?,
        origin: row.try_get("origin")?,
        paid_amount: row.try_get("paid_amount")?,
        paid_method: row.try_get("paid_method")?,
        paid_on: row.try_get("paid_on")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        pack_id: row.try_get("pack_id")?,
        pack_number: row.try_get("pack_number")?,
        pack_size: row.try_get("pack_size")?,
    })
}

pub(crate) fn booking(row: &PgRow) -> StoreResult<Booking> {
    booking_record(row).map_err(StoreError::backend)?.into_booking()
}

pub(crate) async fn fetch_booking(
    conn: &mut PgConnection,
    sql: &'static str,
    business: BusinessId,
    id: BookingId,
) -> StoreResult<Booking> {
    booking(&crate::scoped_row(conn, sql, business, id.as_uuid()).await?)
}

pub(crate) async fn business_zone(conn: &mut PgConnection, business: BusinessId) -> StoreResult<TimeZone> {
    let name: String = sqlx::query_scalar("SELECT time_zone FROM businesses WHERE id = $1")
        .bind(business.as_uuid())
        .fetch_one(conn)
        .await
        .map_err(StoreError::backend)?;
    Ok(rules::zone(&name))
}

/// The booking steps on one open transaction.
pub(crate) struct Tx<'c>(pub(crate) &'c mut PgConnection);

#[async_trait]
impl BookingTx for Tx<'_> {
    async fn client_exists(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()> {
        let sql = "SELECT id FROM clients WHERE business_id = $1 AND id = $2";
        crate::scoped_row(self.0, sql, business, client.as_uuid()).await.map(drop)
    }

    async fn ensure_open(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()> {
        crate::blocks::ensure_open_to_book(self.0, business, client).await
    }

    async fn service(&mut self, business: BusinessId, id: ServiceId) -> StoreResult<Service> {
        fetch_service(self.0, business, id).await
    }

    /// Locks the professional's staff row until the transaction ends.
    async fn hold_professional(&mut self, business: BusinessId, staff: StaffId) -> StoreResult<()> {
        crate::scoped_row(self.0, LOCK_STAFF, business, staff.as_uuid()).await.map(drop)
    }

    async fn agenda(&mut self, business: BusinessId, staff: StaffId) -> StoreResult<Agenda> {
        fetch_agenda(self.0, business, staff).await
    }

    async fn zone(&mut self, business: BusinessId) -> StoreResult<TimeZone> {
        business_zone(self.0, business).await
    }

    async fn overlapping(
        &mut self,
        business: BusinessId,
        staff: StaffId,
        when: Interval,
        moving: Option<BookingId>,
    ) -> StoreResult<Option<BookingId>> {
        let taken: Option<Uuid> = sqlx::query_scalar(OVERLAP)
            .bind(business.as_uuid())
            .bind(staff.as_uuid())
            .bind(micros(rules::reach_back(when.start())))
            .bind(micros(when.start()))
            .bind(micros(when.end()))
            .bind(moving.map_or(Uuid::nil(), |id| id.as_uuid()))
            .fetch_optional(&mut *self.0)
            .await
            .map_err(StoreError::backend)?;
        Ok(taken.map(BookingId::from_uuid))
    }

    async fn booking_to_change(&mut self, business: BusinessId, id: BookingId) -> StoreResult<Booking> {
        fetch_booking(self.0, SELECT_BOOKING_FOR_UPDATE, business, id).await
    }

    async fn insert(&mut self, business: BusinessId, booking: &Booking) -> StoreResult<()> {
        insert(self.0, business, booking).await
    }

    async fn update(&mut self, business: BusinessId, booking: &Booking) -> StoreResult<()> {
        let r = BookingRecord::of(booking);
        sqlx::query(UPDATE_BOOKING)
            .bind(business.as_uuid())
            .bind(r.id)
            .bind(r.staff_id)
            .bind(r.starts_at)
            .bind(r.ends_at)
            .bind(r.state)
            .bind(r.attendance)
            .bind(r.paid_amount)
            .bind(r.paid_method)
            .bind(r.paid_on)
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn record(&mut self, actor: &Actor, client: ClientId, at: Timestamp, changes: &[Change]) -> StoreResult<()> {
        crate::history::record(self.0, actor, client, at, changes).await
    }

    fn outbox(&mut self) -> Box<dyn OutboxTx + '_> {
        Box::new(OutboxQueries(&mut *self.0))
    }

    async fn set_last_booking(&mut self, business: BusinessId, client: ClientId, at: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE clients SET last_booking_at = $3 WHERE business_id = $1 AND id = $2")
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .bind(micros(at))
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }
}

async fn insert(conn: &mut PgConnection, business: BusinessId, booking: &Booking) -> StoreResult<()> {
    let r = BookingRecord::of(booking);
    sqlx::query(INSERT_BOOKING)
        .bind(business.as_uuid())
        .bind(r.id)
        .bind(r.client_id)
        .bind(r.service_id)
        .bind(r.staff_id)
        .bind(r.starts_at)
        .bind(r.ends_at)
        .bind(r.state)
        .bind(r.attendance)
        .bind(r.origin)
        .bind(r.paid_amount)
        .bind(r.paid_method)
        .bind(r.paid_on)
        .bind(r.created_by)
        .bind(r.created_at)
        .bind(r.pack_id)
        .bind(r.pack_number)
        .bind(r.pack_size)
        .execute(conn)
        .await
        .map(drop)
        .map_err(StoreError::backend)
}

#[async_trait]
impl BookingStore for PgStore {
    async fn create_service(&self, actor: &Actor, new: NewService) -> StoreResult<Service> {
        self.create_service_row(actor, new).await
    }

    async fn get_service(&self, actor: &Actor, id: ServiceId) -> StoreResult<Service> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        fetch_service(&mut conn, actor.business(), id).await
    }

    async fn list_services(&self, actor: &Actor) -> StoreResult<Vec<Service>> {
        self.list_service_rows(actor).await
    }

    async fn update_service(&self, actor: &Actor, id: ServiceId, changes: ServiceChanges) -> StoreResult<Service> {
        self.update_service_row(actor, id, changes).await
    }

    async fn delete_service(&self, actor: &Actor, id: ServiceId) -> StoreResult<()> {
        let business = actor.business();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        // Locked: a booking being made for it waits, then fails its foreign key.
        crate::scoped_row(
            &mut tx,
            "SELECT id FROM services WHERE business_id = $1 AND id = $2 FOR UPDATE",
            business,
            id.as_uuid(),
        )
        .await?;
        let booked: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM bookings WHERE business_id = $1 AND service_id = $2 LIMIT 1")
                .bind(business.as_uuid())
                .bind(id.as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::backend)?;
        if booked.is_some() {
            return Err(StoreError::ServiceInUse);
        }
        sqlx::query("DELETE FROM services WHERE business_id = $1 AND id = $2")
            .bind(business.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        tx.commit().await.map_err(StoreError::backend)
    }

    async fn agenda(&self, actor: &Actor, staff: StaffId) -> StoreResult<Agenda> {
        self.read_agenda(actor, staff).await
    }

    async fn set_agenda(&self, actor: &Actor, staff: StaffId, agenda: Agenda) -> StoreResult<Agenda> {
        self.write_agenda(actor, staff, agenda).await
    }

    async fn book(&self, actor: &Actor, new: NewBooking) -> StoreResult<Vec<Booking>> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let booked = flow::book(&mut Tx(&mut tx), actor, &new, now).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        self.signal.notify_one();
        Ok(booked)
    }

    async fn get_booking(&self, actor: &Actor, id: BookingId) -> StoreResult<Booking> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        fetch_booking(&mut conn, SELECT_BOOKING, actor.business(), id).await
    }

    async fn change_booking(&self, actor: &Actor, id: BookingId, change: BookingChange) -> StoreResult<Booking> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let changed = flow::change(&mut Tx(&mut tx), actor, id, &change, now).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        self.signal.notify_one();
        Ok(changed)
    }

    async fn busy(&self, actor: &Actor, staff: StaffId, from: Timestamp, to: Timestamp) -> StoreResult<Vec<Interval>> {
        self.busy_rows(actor, staff, from, to).await
    }

    async fn agendas_of(&self, actor: &Actor, staff: &[StaffId]) -> StoreResult<Vec<(StaffId, Agenda)>> {
        self.read_agendas(actor, staff).await
    }

    async fn busy_of(
        &self,
        actor: &Actor,
        staff: &[StaffId],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(StaffId, Interval)>> {
        self.busy_of_rows(actor, staff, from, to).await
    }

    async fn calendar(
        &self,
        actor: &Actor,
        staff: Option<StaffId>,
        from: Timestamp,
        to: Timestamp,
        with_cancelled: bool,
    ) -> StoreResult<Vec<CalendarEntry>> {
        self.calendar_rows(actor, staff, from, to, with_cancelled).await
    }

    async fn client_bookings(
        &self,
        actor: &Actor,
        client: ficha_domain::ClientId,
        query: &BookingQuery,
    ) -> StoreResult<BookingPage> {
        self.client_booking_rows(actor, client, query).await
    }

    async fn por_reservar(&self, actor: &Actor, client: ficha_domain::ClientId) -> StoreResult<PorReservar> {
        self.por_reservar_rows(actor, client).await
    }

    async fn client_stats(&self, actor: &Actor, client: ficha_domain::ClientId) -> StoreResult<ClientStats> {
        self.client_stat_rows(actor, client).await
    }

    async fn import_bookings(&self, actor: &Actor, bookings: Vec<Booking>) -> StoreResult<u64> {
        let business = actor.business();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        for booking in &bookings {
            insert(&mut tx, business, booking).await?;
        }
        sqlx::query(
            "UPDATE clients SET last_booking_at = \
             (SELECT max(created_at) FROM bookings b WHERE b.business_id = clients.business_id AND b.client_id = clients.id) \
             WHERE business_id = $1 AND id IN (SELECT client_id FROM bookings WHERE business_id = $1)",
        )
        .bind(business.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(bookings.len() as u64)
    }
}
