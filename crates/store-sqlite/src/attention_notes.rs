//! Attention notes on SQLite. Each write and its history entry share one
//! `BEGIN IMMEDIATE` transaction, as does the author check with the write it
//! allows. Reads bind the kinds the viewer may see (`Reach`).

use async_trait::async_trait;
use ficha_domain::{
    Actor, AttentionNote, AttentionNoteId, BookingId, BusinessId, Change, ClientId, NoteText, Viewer, Visibility,
};
use ficha_store::attention_notes::{AttentionNoteRecord, BookedNote, Reach};
use ficha_store::history::WhoRecord;
use ficha_store::record::micros;
use ficha_store::{AttentionNoteStore, ClientAttentionNotes, StoreError, StoreResult};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::{SqliteStore, history, notes};

/// One note by id, whatever its kind: for the write paths (staff).
const SELECT_NOTE: &str = "SELECT n.id, n.booking_id, n.client_id, n.visibility, n.text, \
     n.author_kind AS who_kind, n.author_id AS who_id, s.name AS who_name, n.created_at, n.edited_at, \
     b.starts_at AS booking_start, v.name AS service_name \
     FROM attention_notes n JOIN bookings b ON b.id = n.booking_id JOIN services v ON v.id = b.service_id \
     LEFT JOIN staff s ON s.id = n.author_id WHERE n.business_id = ?1 AND n.id = ?2";

/// One note by id, if of a kind the viewer sees (?3: 'private' for staff).
const READ_NOTE: &str = "SELECT n.id, n.booking_id, n.client_id, n.visibility, n.text, \
     n.author_kind AS who_kind, n.author_id AS who_id, s.name AS who_name, n.created_at, n.edited_at, \
     b.starts_at AS booking_start, v.name AS service_name \
     FROM attention_notes n JOIN bookings b ON b.id = n.booking_id JOIN services v ON v.id = b.service_id \
     LEFT JOIN staff s ON s.id = n.author_id \
     WHERE n.business_id = ?1 AND n.id = ?2 AND n.visibility IN ('shared', ?3)";

const BOOKING_NOTES: &str = "SELECT n.id, n.booking_id, n.client_id, n.visibility, n.text, \
     n.author_kind AS who_kind, n.author_id AS who_id, s.name AS who_name, n.created_at, n.edited_at, \
     b.starts_at AS booking_start, v.name AS service_name \
     FROM attention_notes n JOIN bookings b ON b.id = n.booking_id JOIN services v ON v.id = b.service_id \
     LEFT JOIN staff s ON s.id = n.author_id \
     WHERE n.business_id = ?1 AND n.booking_id = ?2 AND n.visibility IN ('shared', ?3) \
     ORDER BY n.created_at DESC, n.id DESC";

const CLIENT_NOTES: &str = "SELECT n.id, n.booking_id, n.client_id, n.visibility, n.text, \
     n.author_kind AS who_kind, n.author_id AS who_id, s.name AS who_name, n.created_at, n.edited_at, \
     b.starts_at AS booking_start, v.name AS service_name \
     FROM attention_notes n JOIN bookings b ON b.id = n.booking_id JOIN services v ON v.id = b.service_id \
     LEFT JOIN staff s ON s.id = n.author_id \
     WHERE n.business_id = ?1 AND n.client_id = ?2 AND n.visibility IN ('shared', ?3) \
     ORDER BY n.created_at DESC, n.id DESC";

const BOOKING_CLIENT: &str = "SELECT client_id FROM bookings WHERE business_id = ?1 AND id = ?2";

const INSERT_NOTE: &str = "INSERT INTO attention_notes (id, business_id, booking_id, client_id, visibility, text, \
     author_kind, author_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

const UPDATE_NOTE: &str = "UPDATE attention_notes SET text = ?3, edited_at = ?4 WHERE business_id = ?1 AND id = ?2";

const DELETE_NOTE: &str = "DELETE FROM attention_notes WHERE business_id = ?1 AND id = ?2";

fn booked(row: &SqliteRow) -> StoreResult<BookedNote> {
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
    conn: &mut SqliteConnection,
    business: BusinessId,
    booking: BookingId,
) -> StoreResult<ClientId> {
    let row = crate::scoped_row(conn, BOOKING_CLIENT, business, booking.as_uuid()).await?;
    Ok(ClientId::from_uuid(row.try_get("client_id").map_err(StoreError::backend)?))
}

/// The note `id` of `booking`, if the viewer reaches it.
async fn readable_note(
    conn: &mut SqliteConnection,
    reach: Reach,
    booking: BookingId,
    id: AttentionNoteId,
) -> StoreResult<AttentionNote> {
    reach.admits(booking_client(conn, reach.business, booking).await?)?;
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

/// The note, if it is of `booking` and `actor` may change it.
async fn changeable_note(
    conn: &mut SqliteConnection,
    actor: &Actor,
    booking: BookingId,
    id: AttentionNoteId,
) -> StoreResult<AttentionNote> {
    let note = booked(&crate::scoped_row(conn, SELECT_NOTE, actor.business(), id.as_uuid()).await?)?.note;
    if note.booking != booking {
        return Err(StoreError::NotFound);
    }
    if note.may_be_changed_by(actor) { Ok(note) } else { Err(StoreError::NotNoteAuthor) }
}

async fn rows(conn: &mut SqliteConnection, sql: &'static str, reach: Reach, of: Uuid) -> StoreResult<Vec<BookedNote>> {
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
impl AttentionNoteStore for SqliteStore {
    async fn add_attention_note(
        &self,
        actor: &Actor,
        booking: BookingId,
        visibility: Visibility,
        text: NoteText,
    ) -> StoreResult<AttentionNote> {
        let business = actor.business();
        let now = self.clock.now();
        let id = AttentionNoteId::generate();
        let (author_kind, author_id) = WhoRecord::columns(actor);
        let mut tx = self.write().await?;
        let client = booking_client(&mut tx, business, booking).await?;
        sqlx::query(INSERT_NOTE)
            .bind(id.as_uuid())
            .bind(business.as_uuid())
            .bind(booking.as_uuid())
            .bind(client.as_uuid())
            .bind(visibility.as_str())
            .bind(text.as_str())
            .bind(author_kind)
            .bind(author_id)
            .bind(micros(now))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        let change = Change::AttentionNoteAdded { note: id, booking, visibility, text: text.as_str().to_owned() };
        history::record(&mut tx, actor, client, now, &[change]).await?;
        let note = booked(&crate::scoped_row(&mut tx, SELECT_NOTE, business, id.as_uuid()).await?)?.note;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(note)
    }

    async fn booking_notes(&self, viewer: &Viewer, booking: BookingId) -> StoreResult<Vec<AttentionNote>> {
        let reach = Reach::of(viewer);
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        reach.admits(booking_client(&mut conn, reach.business, booking).await?)?;
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
        let mut tx = self.write().await?;
        let before = changeable_note(&mut tx, actor, booking, id).await?;
        if before.text == text {
            return Ok(before);
        }
        sqlx::query(UPDATE_NOTE)
            .bind(actor.business().as_uuid())
            .bind(id.as_uuid())
            .bind(text.as_str())
            .bind(micros(now))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        let change = Change::AttentionNoteEdited {
            note: id,
            booking,
            visibility: before.visibility,
            old: before.text.as_str().to_owned(),
            new: text.as_str().to_owned(),
        };
        history::record(&mut tx, actor, before.client, now, &[change]).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(AttentionNote { text, edited_at: Some(now), ..before })
    }

    async fn delete_attention_note(&self, actor: &Actor, booking: BookingId, id: AttentionNoteId) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before = changeable_note(&mut tx, actor, booking, id).await?;
        sqlx::query(DELETE_NOTE)
            .bind(actor.business().as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        let change = Change::AttentionNoteDeleted {
            note: id,
            booking,
            visibility: before.visibility,
            text: before.text.as_str().to_owned(),
        };
        history::record(&mut tx, actor, before.client, self.clock.now(), &[change]).await?;
        tx.commit().await.map_err(StoreError::backend)
    }

    async fn client_attention_notes(&self, viewer: &Viewer, client: ClientId) -> StoreResult<ClientAttentionNotes> {
        let reach = Reach::of(viewer);
        reach.admits(client)?;
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        notes::client_exists(&mut conn, reach.business, client).await?;
        Ok(ClientAttentionNotes::grouped(rows(&mut conn, CLIENT_NOTES, reach, client.as_uuid()).await?))
    }
}
