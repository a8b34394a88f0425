//! What the calendar and the client profile read of bookings, on PostgreSQL.
//! Each listing is one static keyset query served by an index that starts
//! with business_id.

use ficha_domain::{Actor, ClientId, Interval, PackId, ServiceId, StaffId};
use ficha_store::bookings::{rules, several};
use ficha_store::record::{micros, timestamp};
use ficha_store::{
    BookingCursor, BookingPage, BookingQuery, CalendarEntry, ClientStats, PackUse, PorReservar, StoreError,
    StoreResult, When,
};
use jiff::Timestamp;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::booking;
use crate::PgStore;

/// One query per direction; `$5` filters by state when not NULL.
fn page_sql(when: When) -> &'static str {
    match when {
        When::Upcoming => {
            "SELECT id, client_id, service_id, staff_id, starts_at, ends_at, state, attendance, origin, paid_amount, \
             paid_method, paid_on::text AS paid_on, created_by, created_at, pack_id, pack_number, pack_size FROM bookings \
             WHERE business_id = $1 AND client_id = $2 AND starts_at >= $3 AND (starts_at, id) > ($6, $7) \
             AND ($5 IS NULL OR state = $5) ORDER BY starts_at, id LIMIT $4"
        }
        When::Past => {
            "SELECT id, client_id, service_id, staff_id, starts_at, ends_at, state, attendance, origin, paid_amount, \
             paid_method, paid_on::text AS paid_on, created_by, created_at, pack_id, pack_number, pack_size FROM bookings \
             WHERE business_id = $1 AND client_id = $2 AND starts_at < $3 AND (starts_at, id) < ($6, $7) \
             AND ($5 IS NULL OR state = $5) ORDER BY starts_at DESC, id DESC LIMIT $4"
        }
        // $3 is unused here but bound like the others: one binding order.
        When::All => {
            "SELECT id, client_id, service_id, staff_id, starts_at, ends_at, state, attendance, origin, paid_amount, \
             paid_method, paid_on::text AS paid_on, created_by, created_at, pack_id, pack_number, pack_size FROM bookings \
             WHERE business_id = $1 AND client_id = $2 AND starts_at IS NOT NULL AND $3 = $3 \
             AND (starts_at, id) < ($6, $7) AND ($5 IS NULL OR state = $5) \
             ORDER BY starts_at DESC, id DESC LIMIT $4"
        }
    }
}

const CALENDAR: &str = "SELECT b.id, b.client_id, b.service_id, b.staff_id, b.starts_at, b.ends_at, b.state, \
     b.attendance, b.origin, b.paid_amount, b.paid_method, b.paid_on::text AS paid_on, b.created_by, b.created_at, b.pack_id, \
     b.pack_number, b.pack_size, c.name AS client_name, s.name AS service_name \
     FROM bookings b JOIN clients c ON c.business_id = b.business_id AND c.id = b.client_id \
     JOIN services s ON s.business_id = b.business_id AND s.id = b.service_id \
     WHERE b.business_id = $1 AND b.starts_at >= $2 AND b.starts_at < $3 AND ($5 OR b.state <> 'cancelled') \
     AND ($4 IS NULL OR b.staff_id = $4) ORDER BY b.starts_at, b.id";

const UNSCHEDULED: &str = "SELECT id, client_id, service_id, staff_id, starts_at, ends_at, state, attendance, \
     origin, paid_amount, paid_method, paid_on::text AS paid_on, created_by, created_at, pack_id, pack_number, pack_size \
     FROM bookings WHERE business_id = $1 AND client_id = $2 AND starts_at IS NULL \
     ORDER BY pack_id, pack_number";

const PACKS: &str = "SELECT pack_id, service_id, pack_size, \
     sum(CASE WHEN starts_at IS NOT NULL AND state <> 'cancelled' THEN 1 ELSE 0 END)::bigint AS used \
     FROM bookings WHERE business_id = $1 AND client_id = $2 AND pack_id IS NOT NULL \
     GROUP BY pack_id, service_id, pack_size ORDER BY pack_id";

/// A client's figures. The total paid never overflows: `sum(bigint)` is a
/// `numeric`, capped before the cast, for rows written before amounts were
/// bounded.
const STATS: &str = "SELECT count(starts_at)::bigint AS bookings, \
     coalesce(sum(CASE WHEN attendance = 'attended' THEN 1 ELSE 0 END), 0)::bigint AS attended, \
     coalesce(sum(CASE WHEN starts_at IS NOT NULL AND state = 'cancelled' THEN 1 ELSE 0 END), 0)::bigint AS cancelled, \
     coalesce(sum(CASE WHEN attendance = 'no_show' THEN 1 ELSE 0 END), 0)::bigint AS no_shows, \
     least(coalesce(sum(paid_amount), 0), 9223372036854775807)::bigint AS total_paid \
     FROM bookings WHERE business_id = $1 AND client_id = $2";

const NEXT: &str = "SELECT id, client_id, service_id, staff_id, starts_at, ends_at, state, attendance, origin, \
     paid_amount, paid_method, paid_on::text AS paid_on, created_by, created_at, pack_id, pack_number, pack_size FROM bookings \
     WHERE business_id = $1 AND client_id = $2 AND starts_at >= $3 AND state <> 'cancelled' \
     ORDER BY starts_at, id LIMIT 1";

const BUSY: &str = "SELECT starts_at, ends_at FROM bookings WHERE business_id = $1 AND staff_id = $2 \
     AND starts_at > $3 AND starts_at < $5 AND ends_at > $4 AND state <> 'cancelled' ORDER BY starts_at";

/// `BUSY` for the professionals in `$2`, one row per professional with
/// their starts and ends as arrays (the aggregates are fed the rows
/// together, so they pair by position): one range of
/// `bookings_by_staff_span` per professional, which holds every column
/// read.
const BUSY_OF: &str = "SELECT staff_id, array_agg(starts_at), array_agg(ends_at) FROM bookings \
     WHERE business_id = $1 AND staff_id = ANY($2) AND starts_at > $3 AND starts_at < $5 AND ends_at > $4 \
     AND state <> 'cancelled' GROUP BY staff_id";

async fn check_client(conn: &mut PgConnection, actor: &Actor, client: ClientId) -> StoreResult<()> {
    crate::scoped_row(
        conn,
        "SELECT id FROM clients WHERE business_id = $1 AND id = $2",
        actor.business(),
        client.as_uuid(),
    )
    .await
    .map(drop)
}

impl PgStore {
    pub(crate) async fn busy_rows(
        &self,
        actor: &Actor,
        staff: StaffId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Interval>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(BUSY)
            .bind(actor.business().as_uuid())
            .bind(staff.as_uuid())
            .bind(micros(rules::reach_back(from)))
            .bind(micros(from))
            .bind(micros(to))
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        rows.into_iter()
            .map(|(start, end)| {
                Interval::new(timestamp(start)?, timestamp(end)?).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }

    pub(crate) async fn busy_of_rows(
        &self,
        actor: &Actor,
        staff: &[StaffId],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(StaffId, Interval)>> {
        let asked = several::distinct(staff);
        let ids: Vec<Uuid> = asked.iter().map(|s| s.as_uuid()).collect();
        let rows: Vec<(Uuid, Vec<i64>, Vec<i64>)> = sqlx::query_as(BUSY_OF)
            .bind(actor.business().as_uuid())
            .bind(&ids)
            .bind(micros(rules::reach_back(from)))
            .bind(micros(from))
            .bind(micros(to))
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        several::busy(&asked, rows)
    }

    pub(crate) async fn calendar_rows(
        &self,
        actor: &Actor,
        staff: Option<StaffId>,
        from: Timestamp,
        to: Timestamp,
        with_cancelled: bool,
    ) -> StoreResult<Vec<CalendarEntry>> {
        let rows = sqlx::query(CALENDAR)
            .bind(actor.business().as_uuid())
            .bind(micros(from))
            .bind(micros(to))
            .bind(staff.map(|s| s.as_uuid()))
            .bind(with_cancelled)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        rows.iter()
            .map(|row| {
                Ok(CalendarEntry {
                    booking: booking(row)?,
                    client_name: row.try_get("client_name").map_err(StoreError::backend)?,
                    service_name: row.try_get("service_name").map_err(StoreError::backend)?,
                })
            })
            .collect()
    }

    pub(crate) async fn client_booking_rows(
        &self,
        actor: &Actor,
        client: ClientId,
        query: &BookingQuery,
    ) -> StoreResult<BookingPage> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        check_client(&mut conn, actor, client).await?;
        let limit = query.limit.max(1);
        let (after_start, after_id) = query.start();
        let rows = sqlx::query(page_sql(query.when))
            .bind(actor.business().as_uuid())
            .bind(client.as_uuid())
            .bind(micros(self.clock.now()))
            .bind(i64::from(limit) + 1)
            .bind(query.state.map(|s| s.as_str()))
            .bind(after_start)
            .bind(after_id)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
        let more = rows.len() > limit as usize;
        let bookings = rows.iter().take(limit as usize).map(booking).collect::<StoreResult<Vec<_>>>()?;
        let next = match bookings.last() {
            Some(last) if more => {
                last.when.map(|w| BookingCursor { when: query.when, start: micros(w.start()), id: last.id })
            }
            _ => None,
        };
        Ok(BookingPage { bookings, next })
    }

    pub(crate) async fn por_reservar_rows(&self, actor: &Actor, client: ClientId) -> StoreResult<PorReservar> {
        let business = actor.business().as_uuid();
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        check_client(&mut conn, actor, client).await?;
        let rows = sqlx::query(UNSCHEDULED)
            .bind(business)
            .bind(client.as_uuid())
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
        let sessions = rows.iter().map(booking).collect::<StoreResult<Vec<_>>>()?;
        let packs: Vec<(Uuid, Uuid, i64, i64)> = sqlx::query_as(PACKS)
            .bind(business)
            .bind(client.as_uuid())
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
        let packs = packs
            .into_iter()
            .map(|(pack, service, size, used)| PackUse {
                pack: PackId::from_uuid(pack),
                service: ServiceId::from_uuid(service),
                sessions: size,
                used,
                left: size - used,
            })
            .collect();
        Ok(PorReservar { sessions, packs })
    }

    pub(crate) async fn client_stat_rows(&self, actor: &Actor, client: ClientId) -> StoreResult<ClientStats> {
        let business = actor.business().as_uuid();
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        check_client(&mut conn, actor, client).await?;
        let (bookings, attended, cancelled, no_shows, total_paid): (i64, i64, i64, i64, i64) = sqlx::query_as(STATS)
            .bind(business)
            .bind(client.as_uuid())
            .fetch_one(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
        let next = sqlx::query(NEXT)
            .bind(business)
            .bind(client.as_uuid())
            .bind(micros(self.clock.now()))
            .fetch_optional(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
        Ok(ClientStats {
            bookings,
            attended,
            cancelled,
            no_shows,
            total_paid,
            next_appointment: next.as_ref().map(booking).transpose()?,
        })
    }
}
