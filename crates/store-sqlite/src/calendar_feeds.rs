//! Calendar feeds on SQLite: the feeds of a staff member, the lookup by the
//! token's hash, and the one range read of the bookings a feed shows.

use async_trait::async_trait;
use ficha_domain::{Actor, CalendarFeed, FeedId, FeedLabel, StaffId, calendar_feed::LAST_USE_GRAIN};
use ficha_store::calendar_feeds::{EventRecord, FeedRecord, may_reach, owners_only, revoker};
use ficha_store::record::micros;
use ficha_store::{CalendarFeedStore, FeedEvent, OpenFeed, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::Row;

use crate::SqliteStore;

/// Inserts only for a staff member of the business (no row otherwise).
const CREATE: &str = "INSERT INTO calendar_feeds (business_id, id, staff_id, label, token_hash, created_at) \
     SELECT ?1, ?2, s.id, ?4, ?5, ?6 FROM staff s WHERE s.business_id = ?1 AND s.id = ?3";

const LIST: &str = "SELECT id, staff_id, label, created_at, last_used_at FROM calendar_feeds \
     WHERE business_id = ?1 AND staff_id = ?2 ORDER BY created_at, id";

/// ?3 NULL: any staff member's (an owner).
const REVOKE: &str = "DELETE FROM calendar_feeds WHERE business_id = ?1 AND id = ?2 AND (?3 IS NULL OR staff_id = ?3)";

/// By the hash index, with the business's choice of names.
const OPEN: &str = "SELECT f.business_id, f.id, f.staff_id, f.last_used_at, b.name AS business_name, \
     coalesce(s.full_names, 0) AS full_names FROM calendar_feeds f \
     JOIN businesses b ON b.id = f.business_id \
     LEFT JOIN calendar_feed_settings s ON s.business_id = f.business_id WHERE f.token_hash = ?1";

/// Only when the last use recorded is older than ?4 (so concurrent polls
/// write once).
const TOUCH: &str = "UPDATE calendar_feeds SET last_used_at = ?3 \
     WHERE business_id = ?1 AND id = ?2 AND (last_used_at IS NULL OR last_used_at < ?4)";

/// One professional's bookings by `bookings_by_staff`; a blocked client's
/// name is not even read out. The sequence and the last notified change
/// come from the booking's messages that carry an invite
/// (`outbox_by_booking`), as the client's own calendar saw them.
const EVENTS: &str = "SELECT b.id, b.starts_at, b.ends_at, b.state, b.created_at, sv.name AS service, \
     CASE WHEN k.client_id IS NULL THEN c.name END AS client_name, \
     (SELECT max(m.sequence) FROM outbox_messages m WHERE m.business_id = b.business_id AND m.booking_id = b.id \
       AND m.kind IN ('booking_created', 'booking_confirmed', 'booking_rescheduled', 'booking_cancelled')) AS sequence, \
     (SELECT max(m.created_at) FROM outbox_messages m WHERE m.business_id = b.business_id AND m.booking_id = b.id \
       AND m.kind IN ('booking_created', 'booking_confirmed', 'booking_rescheduled', 'booking_cancelled')) AS notified_at \
     FROM bookings b \
     JOIN clients c ON c.business_id = b.business_id AND c.id = b.client_id \
     JOIN services sv ON sv.business_id = b.business_id AND sv.id = b.service_id \
     LEFT JOIN client_blocks k ON k.business_id = b.business_id AND k.client_id = b.client_id \
     WHERE b.business_id = ?1 AND b.staff_id = ?2 AND b.starts_at >= ?3 AND b.starts_at < ?4 \
     AND b.state <> 'cancelled' ORDER BY b.starts_at, b.id";

const FULL_NAMES: &str = "SELECT full_names FROM calendar_feed_settings WHERE business_id = ?1";

const SET_FULL_NAMES: &str = "INSERT INTO calendar_feed_settings (business_id, full_names) VALUES (?1, ?2) \
     ON CONFLICT (business_id) DO UPDATE SET full_names = excluded.full_names";

fn feed(row: &sqlx::sqlite::SqliteRow) -> StoreResult<CalendarFeed> {
    FeedRecord {
        id: row.try_get("id").map_err(StoreError::backend)?,
        staff: row.try_get("staff_id").map_err(StoreError::backend)?,
        label: row.try_get("label").map_err(StoreError::backend)?,
        created_at: row.try_get("created_at").map_err(StoreError::backend)?,
        last_used_at: row.try_get("last_used_at").map_err(StoreError::backend)?,
    }
    .into_feed()
}

fn event(row: &sqlx::sqlite::SqliteRow) -> StoreResult<FeedEvent> {
    EventRecord {
        booking: row.try_get("id").map_err(StoreError::backend)?,
        starts_at: row.try_get("starts_at").map_err(StoreError::backend)?,
        ends_at: row.try_get("ends_at").map_err(StoreError::backend)?,
        state: row.try_get("state").map_err(StoreError::backend)?,
        service: row.try_get("service").map_err(StoreError::backend)?,
        client_name: row.try_get("client_name").map_err(StoreError::backend)?,
        sequence: row.try_get("sequence").map_err(StoreError::backend)?,
        created_at: row.try_get("created_at").map_err(StoreError::backend)?,
        notified_at: row.try_get("notified_at").map_err(StoreError::backend)?,
    }
    .into_event()
}

#[async_trait]
impl CalendarFeedStore for SqliteStore {
    async fn create_calendar_feed(
        &self,
        actor: &Actor,
        staff: StaffId,
        label: FeedLabel,
        token_hash: &[u8],
    ) -> StoreResult<CalendarFeed> {
        may_reach(actor, staff)?;
        let created =
            CalendarFeed { id: FeedId::generate(), staff, label, created_at: self.clock.now(), last_used_at: None };
        let inserted = sqlx::query(CREATE)
            .bind(actor.business().as_uuid())
            .bind(created.id.as_uuid())
            .bind(staff.as_uuid())
            .bind(created.label.as_str())
            .bind(token_hash)
            .bind(micros(created.created_at))
            .execute(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        if inserted.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(created) }
    }

    async fn list_calendar_feeds(&self, actor: &Actor, staff: StaffId) -> StoreResult<Vec<CalendarFeed>> {
        may_reach(actor, staff)?;
        sqlx::query(LIST)
            .bind(actor.business().as_uuid())
            .bind(staff.as_uuid())
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::backend)?
            .iter()
            .map(feed)
            .collect()
    }

    async fn revoke_calendar_feed(&self, actor: &Actor, id: FeedId) -> StoreResult<()> {
        let only = revoker(actor)?;
        let deleted = sqlx::query(REVOKE)
            .bind(actor.business().as_uuid())
            .bind(id.as_uuid())
            .bind(only.map(|s| s.as_uuid()))
            .execute(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        if deleted.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn open_calendar_feed(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<OpenFeed>> {
        let Some(row) =
            sqlx::query(OPEN).bind(token_hash).fetch_optional(&self.pool).await.map_err(StoreError::backend)?
        else {
            return Ok(None);
        };
        let open = OpenFeed {
            id: FeedId::from_uuid(row.try_get("id").map_err(StoreError::backend)?),
            business: ficha_domain::BusinessId::from_uuid(row.try_get("business_id").map_err(StoreError::backend)?),
            staff: StaffId::from_uuid(row.try_get("staff_id").map_err(StoreError::backend)?),
            business_name: row.try_get("business_name").map_err(StoreError::backend)?,
            full_names: row.try_get("full_names").map_err(StoreError::backend)?,
        };
        let last_used: Option<i64> = row.try_get("last_used_at").map_err(StoreError::backend)?;
        let stale = micros(now - LAST_USE_GRAIN);
        if last_used.is_none_or(|at| at < stale) {
            sqlx::query(TOUCH)
                .bind(open.business.as_uuid())
                .bind(open.id.as_uuid())
                .bind(micros(now))
                .bind(stale)
                .execute(&self.pool)
                .await
                .map_err(StoreError::backend)?;
        }
        Ok(Some(open))
    }

    async fn feed_events(&self, feed: &OpenFeed, from: Timestamp, to: Timestamp) -> StoreResult<Vec<FeedEvent>> {
        sqlx::query(EVENTS)
            .bind(feed.business.as_uuid())
            .bind(feed.staff.as_uuid())
            .bind(micros(from))
            .bind(micros(to))
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::backend)?
            .iter()
            .map(event)
            .collect()
    }

    async fn feed_full_names(&self, actor: &Actor) -> StoreResult<bool> {
        let full: Option<bool> = sqlx::query_scalar(FULL_NAMES)
            .bind(actor.business().as_uuid())
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        Ok(full.unwrap_or(false))
    }

    async fn set_feed_full_names(&self, actor: &Actor, full_names: bool) -> StoreResult<()> {
        owners_only(actor)?;
        sqlx::query(SET_FULL_NAMES)
            .bind(actor.business().as_uuid())
            .bind(full_names)
            .execute(&self.pool)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }
}
