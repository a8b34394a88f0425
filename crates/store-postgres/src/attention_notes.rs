//! Attention notes on PostgreSQL: the steps of
//! `ficha_store::attention_notes::flow` on one transaction (each write, its
//! author check and its history entry together) — a change locks its note
//! first, a new note locks its booking against a concurrent deletion — and
//! the reads, which bind the kinds the viewer may see (`Reach`).

use async_trait::async_trait;
use ficha_domain::{
    Actor, AttentionNote, AttentionNoteId, BookingId, BusinessId, Change, ClientId, NoteText, Viewer, Visibility,
};
use ficha_store::attention_notes::flow::{self, AttentionTx, NewAttentionNote};
use ficha_store::attention_notes::{AttentionNoteRecord, BookedNote, Reach};
use ficha_store::history::WhoRecord;
use ficha_store::outbox::flow::OutboxTx;
use ficha_store::record::micros;
use ficha_store::{AttentionNoteStore, ClientAttentionNotes, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::outbox::OutboxQueries;
use crate::{PgStore, history, notes};

/// One note by id, whatever its kind: for the write paths (staff).
const SELECT_NOTE: &str = "SELECT n.id, n.booking_id, n.client_id, n.visibility, n.text, \
     n.author_kind AS who_kind, n.author_id AS who_id, s.name AS who_name, n.created_at, n.edited_at, \
     b.starts_at AS booking_start, v.name AS service_name \
     FROM attention_notes n JOIN bookings b ON b.business_id = n.business_id AND b.id = n.booking_id \
     JOIN services v ON v.business_id = b.business_id AND v.id = b.service_id \
     LEFT JOIN staff s ON s.business_id = n.business_id AND s.id = n.author_id WHERE n.business_id = $1 AND n.id = $2";

/// One note by id, if of a kind the viewer sees ($3: 'private' for staff).
const READ_NOTE: &str = "SELECT n.id, n.booking_id, n.client_id, n.visibility, n.text, \
     n.author_kind AS who_kind, n.author_id AS who_id, s.name AS who_name, n.created_at, n.edited_at, \
     b.starts_at AS booking_start, v.name AS service_name \
     FROM attention_notes n JOIN bookings b ON b.business_id = n.business_id AND b.id = n.booking_id \
     JOIN services v ON v.business_id = b.business_id AND v.id = b.service_id \
     LEFT JOIN staff s ON s.business_id = n.business_id AND s.id = n.author_id \
     WHERE n.business_id = $1 AND n.id = $2 AND n.visibility IN ('shared', $3)";

const BOOKING_NOTES: &str = "SELECT n.id, n.booking_id, n.client_id, n.visibility, n.text, \
     n.author_kind AS who_kind, n.author_id AS who_id, s.name AS who_name, n.created_at, n.edited_at, \
     b.starts_at AS booking_start, v.name AS service_name \
     FROM attention_notes n JOIN bookings b ON b.business_id = n.business_id AND b.id = n.booking_id \
     JOIN services v ON v.business_id = b.business_id AND v.id = b.service_id \
     LEFT JOIN staff s ON s.business_id = n.business_id AND s.id = n.author_id \
     WHERE n.business_id = $1 AND n.booking_id = $2 AND n.visibility IN ('shared', $3) \
     ORDER BY n.created_at DESC, n.id DESC";

const CLIENT_NOTES: &str = "SELECT n.id, n.booking_id, n.client_id, n.visibility, n.text, \
     n.author_kind AS who_kind, n.author_id AS who_id, s.name AS who_name, n.created_at, n.edited_at, \
     b.starts_at AS booking_start, v.name AS service_name \
     FROM attention_notes n JOIN bookings b ON b.business_id = n.business_id AND b.id = n.booking_id \
     JOIN services v ON v.business_id = b.business_id AND v.id = b.service_id \
     LEFT JOIN staff s ON s.business_id = n.business_id AND s.id = n.author_id \
     WHERE n.business_id = $1 AND n.client_id = $2 AND n.visibility IN ('shared', $3) \
     ORDER BY n.created_at DESC, n.id DESC";

const BOOKING_CLIENT: &str = "SELECT client_id FROM bookings WHERE business_id = $1 AND id = $2";

/// The same, locked until the new note is written: the booking cannot be
/// deleted meanwhile.
const LOCK_BOOKING: &str = "SELECT client_id FROM bookings WHERE business_id = $1 AND id = $2 FOR KEY SHARE";

/// One note by id, locked until the transaction ends.
const SELECT_NOTE_FOR_UPDATE: &str = "SELECT n.id, n.booking_id, n.client_id, n.visibility, n.text, \
     n.author_kind AS who_kind, n.author_id AS who_id, s.name AS who_name, n.created_at, n.edited_at, \
     b.starts_at AS booking_start, v.name AS service_name \
     FROM attention_notes n JOIN bookings b ON b.business_id = n.business_id AND b.id = n.booking_id \
     JOIN services v ON v.business_id = b.business_id AND v.id = b.service_id \
     LEFT JOIN staff s ON s.business_id = n.business_id AND s.id = n.author_id WHERE n.business_id = $1 AND n.id = $2 FOR UPDATE OF n";

const INSERT_NOTE: &str = "INSERT INTO attention_notes (id, business_id, booking_id, client_id, visibility, text, \
     author_kind, author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

const UPDATE_NOTE: &str = "UPDATE attention_notes SET text = $3, edited_at = $4 WHERE business_id = $1 AND id = $2";

const DELETE_NOTE: &str = "DELETE FROM attention_notes WHERE business_id = $1 AND id = $2";

fn booked(row: &PgRow) -> StoreResult<BookedNote> {
    let record = || -> Result<AttentionNoteRecord, sqlx::Error> {
        Ok(AttentionNoteRecord {
            id: row.try_get("id")?,
            booking: row.try_get("booking_id")?,
            client: row.try_get("client_id")?,
            visibility: row.try_get("visibility")?,
            text: row.try_get("text")?,
            author: history::who(row)?,
            created_at: row.try_get("created_at")?,
            edited_at: row.try_get("edited_at")?,
            booking_start: row.try_get("booking_start")?,
            service_name: row.try_get("service_name")?,
        })
    };
    record().map_err(StoreError::backend)?.into_booked()
}

/// The client the booking is for; `NotFound` for a booking of another
/// business.
async fn booking_client(
    conn: &mut PgConnection,
    sql: &'static str,
    business: BusinessId,
    booking: BookingId,
) -> StoreResult<ClientId> {
    let row = crate::scoped_row(conn, sql, business, booking.as_uuid()).await?;
    Ok(ClientId::from_uuid(row.try_get("client_id").map_err(StoreError::backend)?))
}

/// The note `id` of `booking`, if the viewer reaches it.
async fn readable_note(
    conn: &mut PgConnection,
    reach: Reach,
    booking: BookingId,
    id: AttentionNoteId,
) -> StoreResult<AttentionNote> {
    reach.admits(booking_client(conn, BOOKING_CLIENT, reach.business, booking).await?)?;
    let row = sqlx::query(READ_NOTE)
        .bind(reach.business.as_uuid())
        .bind(id.as_uuid())
        .bind(reach.kinds)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::backend)?
        .ok_or(StoreError::NotFound)?;
    let note = booked(&row)?.note;
    if note.booking == booking { Ok(note) } else { Err(StoreError::NotFound) }
}

/// The attention-note steps on one open transaction.
struct Tx<'c>(&'c mut PgConnection);

#[async_trait]
impl AttentionTx for Tx<'_> {
    async fn hold_booking(&mut self, business: BusinessId, booking: BookingId) -> StoreResult<ClientId> {
        booking_client(self.0, LOCK_BOOKING, business, booking).await
    }

    async fn ensure_open(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()> {
        crate::blocks::ensure_open(self.0, business, client).await
    }

    async fn insert(&mut self, actor: &Actor, note: &NewAttentionNote) -> StoreResult<()> {
        let (author_kind, author_id) = WhoRecord::columns(actor);
        sqlx::query(INSERT_NOTE)
            .bind(note.id.as_uuid())
            .bind(actor.business().as_uuid())
            .bind(note.booking.as_uuid())
            .bind(note.client.as_uuid())
            .bind(note.visibility.as_str())
            .bind(note.text.as_str())
            .bind(author_kind)
            .bind(author_id)
            .bind(micros(note.at))
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn note(&mut self, business: BusinessId, id: AttentionNoteId) -> StoreResult<AttentionNote> {
        Ok(booked(&crate::scoped_row(self.0, SELECT_NOTE, business, id.as_uuid()).await?)?.note)
    }

    async fn note_to_change(&mut self, business: BusinessId, id: AttentionNoteId) -> StoreResult<AttentionNote> {
        Ok(booked(&crate::scoped_row(self.0, SELECT_NOTE_FOR_UPDATE, business, id.as_uuid()).await?)?.note)
    }

    async fn set_text(
        &mut self,
        business: BusinessId,
        id: AttentionNoteId,
        text: &NoteText,
        at: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(UPDATE_NOTE)
            .bind(business.as_uuid())
            .bind(id.as_uuid())
            .bind(text.as_str())
            .bind(micros(at))
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn delete(&mut self, business: BusinessId, id: AttentionNoteId) -> StoreResult<()> {
        sqlx::query(DELETE_NOTE)
            .bind(business.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn record(&mut self, actor: &Actor, client: ClientId, at: Timestamp, changes: &[Change]) -> StoreResult<()> {
        history::record(self.0, actor, client, at, changes).await
    }

    fn outbox(&mut self) -> Box<dyn OutboxTx + '_> {
        Box::new(OutboxQueries(&mut *self.0))
    }
}

async fn rows(conn: &mut PgConnection, sql: &'static str, reach: Reach, of: Uuid) -> StoreResult<Vec<BookedNote>> {
    let rows = sqlx::query(sql)
        .bind(reach.business.as_uuid())
        .bind(of)
        .bind(reach.kinds)
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::backend)?;
    rows.iter().map(booked).collect()
}

#[async_trait]
impl AttentionNoteStore for PgStore {
    async fn add_attention_note(
        &self,
        actor: &Actor,
        booking: BookingId,
        visibility: Visibility,
        text: NoteText,
    ) -> StoreResult<AttentionNote> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let note = flow::add(&mut Tx(&mut tx), actor, booking, visibility, text, now).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        self.signal.notify_one();
        Ok(note)
    }

    async fn booking_notes(&self, viewer: &Viewer, booking: BookingId) -> StoreResult<Vec<AttentionNote>> {
        let reach = Reach::of(viewer);
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        reach.admits(booking_client(&mut conn, BOOKING_CLIENT, reach.business, booking).await?)?;
        let notes = rows(&mut conn, BOOKING_NOTES, reach, booking.as_uuid()).await?;
        Ok(notes.into_iter().map(|n| n.note).collect())
    }

    async fn attention_note(
        &self,
        viewer: &Viewer,
        booking: BookingId,
        id: AttentionNoteId,
    ) -> StoreResult<AttentionNote> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        readable_note(&mut conn, Reach::of(viewer), booking, id).await
    }

    async fn edit_attention_note(
        &self,
        actor: &Actor,
        booking: BookingId,
        id: AttentionNoteId,
        text: NoteText,
    ) -> StoreResult<AttentionNote> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let note = flow::edit(&mut Tx(&mut tx), actor, booking, id, text, now).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(note)
    }

    async fn delete_attention_note(&self, actor: &Actor, booking: BookingId, id: AttentionNoteId) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        flow::delete(&mut Tx(&mut tx), actor, booking, id, now).await?;
        tx.commit().await.map_err(StoreError::backend)
    }

    async fn client_attention_notes(&self, viewer: &Viewer, client: ClientId) -> StoreResult<ClientAttentionNotes> {
        let reach = Reach::of(viewer);
        reach.admits(client)?;
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        notes::client_exists(&mut conn, notes::CLIENT_EXISTS, reach.business, client).await?;
        Ok(ClientAttentionNotes::grouped(rows(&mut conn, CLIENT_NOTES, reach, client.as_uuid()).await?))
    }
}
