//! Bookings on PostgreSQL, at READ COMMITTED. Placing a booking first locks
//! the professional's staff row (`FOR NO KEY UPDATE`, which leaves foreign
//! keys to it free): concurrent bookings of one professional queue there,
//! and the overlap check that follows, a new statement, sees what the one
//! before committed. A change of a booking locks the booking's row first.

mod reads;

use async_trait::async_trait;
use ficha_domain::{
    Actor, Agenda, Booking, BookingId, BookingRule, BusinessId, Interval, NewService, Request, Service, ServiceChanges,
    ServiceId, StaffId,
};
use ficha_store::bookings::record::BookingRecord;
use ficha_store::bookings::rules::{self, Placing, Spot};
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
use crate::services::{fetch_agenda, fetch_service};

const SELECT_BOOKING: &str = "SELECT id, client_id, service_id, staff_id, starts_at, ends_at, state, attendance, \
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

async fn fetch_booking(
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

/// A failed lookup of a row the request named becomes the rule it broke.
fn unknown(result: StoreResult<impl Sized>, rule: BookingRule) -> StoreResult<()> {
    match result {
        Ok(_) => Ok(()),
        Err(StoreError::NotFound) => Err(rule.into()),
        Err(other) => Err(other),
    }
}

/// Checks that the spot's professional may take the service then: of the
/// business, performing it, inside the agenda (or overridden), free.
async fn place(
    conn: &mut PgConnection,
    business: BusinessId,
    service: &Service,
    spot: Spot,
    now: Timestamp,
) -> StoreResult<()> {
    let Spot { professional, when, moving, .. } = spot;
    let locked = crate::scoped_row(conn, LOCK_STAFF, business, professional.as_uuid()).await;
    unknown(locked, BookingRule::ProfessionalUnknown)?;
    let agenda: Agenda = fetch_agenda(conn, business, professional).await?;
    let zone = business_zone(conn, business).await?;
    rules::placement(&Placing { service, agenda: &agenda, zone: &zone, now }, spot)?;
    let taken: Option<Uuid> = sqlx::query_scalar(OVERLAP)
        .bind(business.as_uuid())
        .bind(professional.as_uuid())
        .bind(micros(rules::reach_back(when.start())))
        .bind(micros(when.start()))
        .bind(micros(when.end()))
        .bind(moving.map_or(Uuid::nil(), |id| id.as_uuid()))
        .fetch_optional(conn)
        .await
        .map_err(StoreError::backend)?;
    match taken {
        Some(with) => Err(BookingRule::Overlap { with: BookingId::from_uuid(with) }.into()),
        None => Ok(()),
    }
}

pub(crate) async fn insert(conn: &mut PgConnection, business: BusinessId, booking: &Booking) -> StoreResult<()> {
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

    async fn agenda(&self, actor: &Actor, staff: StaffId) -> StoreResult<Agenda> {
        self.read_agenda(actor, staff).await
    }

    async fn set_agenda(&self, actor: &Actor, staff: StaffId, agenda: Agenda) -> StoreResult<Agenda> {
        self.write_agenda(actor, staff, agenda).await
    }

    async fn book(&self, actor: &Actor, new: NewBooking) -> StoreResult<Vec<Booking>> {
        let business = actor.business();
        let now = self.clock.now();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        unknown(
            crate::clients::fetch_client(&mut tx, crate::clients::SELECT_CLIENT, business, new.client).await,
            BookingRule::ClientUnknown,
        )?;
        let service = match fetch_service(&mut tx, business, new.service).await {
            Err(StoreError::NotFound) => return Err(BookingRule::ServiceUnknown.into()),
            other => other?,
        };
        let placed = rules::placed(&new, &service)?;
        if let Some((professional, when)) = placed {
            let request = Request { origin: new.origin, override_agenda: new.override_agenda };
            let spot = Spot { professional, when, request, moving: None };
            place(&mut tx, business, &service, spot, now).await?;
        }
        let rows = rules::new_rows(&new, &service, placed, actor, now);
        for row in &rows {
            insert(&mut tx, business, row).await?;
        }
        sqlx::query("UPDATE clients SET last_booking_at = $3 WHERE business_id = $1 AND id = $2")
            .bind(business.as_uuid())
            .bind(new.client.as_uuid())
            .bind(micros(now))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(rows)
    }

    async fn get_booking(&self, actor: &Actor, id: BookingId) -> StoreResult<Booking> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        fetch_booking(&mut conn, SELECT_BOOKING, actor.business(), id).await
    }

    async fn change_booking(&self, actor: &Actor, id: BookingId, change: BookingChange) -> StoreResult<Booking> {
        let business = actor.business();
        let now = self.clock.now();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let current = fetch_booking(&mut tx, SELECT_BOOKING_FOR_UPDATE, business, id).await?;
        let changed = match &change {
            BookingChange::Reschedule(to) => {
                let professional = to.professional.or(current.professional).ok_or(BookingRule::ProfessionalRequired)?;
                let service = fetch_service(&mut tx, business, current.service).await?;
                let when = rules::interval(to.start, to.end, &service)?;
                let request = Request { origin: to.origin, override_agenda: to.override_agenda };
                let rescheduled = current.reschedule(professional, when)?;
                let spot = Spot { professional, when, request, moving: Some(id) };
                place(&mut tx, business, &service, spot, now).await?;
                rescheduled
            }
            other => {
                let today = now.to_zoned(business_zone(&mut tx, business).await?).date();
                rules::apply(&current, other, now, today)?
            }
        };
        let r = BookingRecord::of(&changed);
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
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(changed)
    }

    async fn busy(&self, actor: &Actor, staff: StaffId, from: Timestamp, to: Timestamp) -> StoreResult<Vec<Interval>> {
        self.busy_rows(actor, staff, from, to).await
    }

    async fn calendar(
        &self,
        actor: &Actor,
        staff: Option<StaffId>,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<CalendarEntry>> {
        self.calendar_rows(actor, staff, from, to).await
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
