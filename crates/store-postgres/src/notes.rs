//! General notes on PostgreSQL. Each write and its history entry share one
//! transaction. A change locks its note first, so the author check and the
//! write it allows cannot be split; a new note locks its client against a
//! concurrent deletion.

use async_trait::async_trait;
use ficha_domain::{Actor, BusinessId, Change, ClientId, Note, NoteId, NoteText, Viewer};
use ficha_store::history::WhoRecord;
use ficha_store::notes::{NoteRecord, staff_reader};
use ficha_store::record::micros;
use ficha_store::{NoteStore, StoreError, StoreResult};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::{PgStore, history};

const SELECT_NOTE: &str = "SELECT n.id, n.client_id, n.text, n.author_kind AS who_kind, n.author_id AS who_id, \
     s.name AS who_name, n.created_at, n.edited_at \
     FROM client_notes n LEFT JOIN staff s ON s.business_id = n.business_id AND s.id = n.author_id WHERE n.business_id = $1 AND n.id = $2";

const CLIENT_NOTES: &str = "SELECT n.id, n.client_id, n.text, n.author_kind AS who_kind, n.author_id AS who_id, \
     s.name AS who_name, n.created_at, n.edited_at \
     FROM client_notes n LEFT JOIN staff s ON s.business_id = n.business_id AND s.id = n.author_id WHERE n.business_id = $1 AND n.client_id = $2 \
     ORDER BY n.created_at DESC, n.id DESC";

/// The same row, locked until the transaction ends.
const SELECT_NOTE_FOR_UPDATE: &str = "SELECT n.id, n.client_id, n.text, n.author_kind AS who_kind, \
     n.author_id AS who_id, s.name AS who_name, n.created_at, n.edited_at \
     FROM client_notes n LEFT JOIN staff s ON s.business_id = n.business_id AND s.id = n.author_id WHERE n.business_id = $1 AND n.id = $2 \
     FOR UPDATE OF n";

/// Held until the new note is written: the client cannot be deleted meanwhile.
const LOCK_CLIENT: &str = "SELECT EXISTS (SELECT 1 FROM clients WHERE business_id = $1 AND id = $2 FOR SHARE)";

pub(crate) const CLIENT_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM clients WHERE business_id = $1 AND id = $2)";

const INSERT_NOTE: &str = "INSERT INTO client_notes \
     (id, business_id, client_id, text, author_kind, author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

const UPDATE_NOTE: &str = "UPDATE client_notes SET text = $3, edited_at = $4 WHERE business_id = $1 AND id = $2";

const DELETE_NOTE: &str = "DELETE FROM client_notes WHERE business_id = $1 AND id = $2";

fn note(row: &PgRow) -> StoreResult<Note> {
    let record = || -> Result<NoteRecord, sqlx::Error> {
        Ok(NoteRecord {
            id: NoteId::from_uuid(row.try_get("id")?),
            client: ClientId::from_uuid(row.try_get("client_id")?),
            text: row.try_get("text")?,
            author: history::who(row)?,
            created_at: row.try_get("created_at")?,
            edited_at: row.try_get("edited_at")?,
        })
    };
    record().map_err(StoreError::backend)?.into_note()
}

/// The note `id` of `client` as `sql` selects it; a note of another client
/// is not found.
async fn fetch_note(
    conn: &mut PgConnection,
    sql: &'static str,
    business: BusinessId,
    client: ClientId,
    id: NoteId,
) -> StoreResult<Note> {
    let found = note(&crate::scoped_row(conn, sql, business, id.as_uuid()).await?)?;
    if found.client == client { Ok(found) } else { Err(StoreError::NotFound) }
}

pub(crate) async fn client_exists(
    conn: &mut PgConnection,
    sql: &'static str,
    business: BusinessId,
    client: ClientId,
) -> StoreResult<()> {
    let exists: bool = sqlx::query_scalar(sql)
        .bind(business.as_uuid())
        .bind(client.as_uuid())
        .fetch_one(conn)
        .await
        .map_err(StoreError::backend)?;
    if exists { Ok(()) } else { Err(StoreError::NotFound) }
}

/// The note, if `actor` may change it.
async fn changeable_note(conn: &mut PgConnection, actor: &Actor, client: ClientId, id: NoteId) -> StoreResult<Note> {
    let note = fetch_note(conn, SELECT_NOTE_FOR_UPDATE, actor.business(), client, id).await?;
    if note.may_be_changed_by(actor) { Ok(note) } else { Err(StoreError::NotNoteAuthor) }
}

#[async_trait]
impl NoteStore for PgStore {
    async fn add_note(&self, actor: &Actor, client: ClientId, text: NoteText) -> StoreResult<Note> {
        let business = actor.business();
        let now = self.clock.now();
        let id = NoteId::generate();
        let (author_kind, author_id) = WhoRecord::columns(actor);
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        client_exists(&mut tx, LOCK_CLIENT, business, client).await?;
        crate::blocks::ensure_open(&mut tx, business, client).await?;
        sqlx::query(INSERT_NOTE)
            .bind(id.as_uuid())
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .bind(text.as_str())
            .bind(author_kind)
            .bind(author_id)
            .bind(micros(now))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        let change = Change::NoteAdded { note: id, text: text.as_str().to_owned() };
        history::record(&mut tx, actor, client, now, &[change]).await?;
        let note = fetch_note(&mut tx, SELECT_NOTE, business, client, id).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(note)
    }

    async fn notes(&self, viewer: &Viewer, client: ClientId) -> StoreResult<Vec<Note>> {
        let Some(actor) = staff_reader(viewer, client)? else { return Ok(Vec::new()) };
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        client_exists(&mut conn, CLIENT_EXISTS, actor.business(), client).await?;
        let rows = sqlx::query(CLIENT_NOTES)
            .bind(actor.business().as_uuid())
            .bind(client.as_uuid())
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
        rows.iter().map(note).collect()
    }

    async fn note(&self, viewer: &Viewer, client: ClientId, id: NoteId) -> StoreResult<Note> {
        let Viewer::Staff(actor) = viewer else { return Err(StoreError::NotFound) };
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        fetch_note(&mut conn, SELECT_NOTE, actor.business(), client, id).await
    }

    async fn edit_note(&self, actor: &Actor, client: ClientId, id: NoteId, text: NoteText) -> StoreResult<Note> {
        let business = actor.business();
        let now = self.clock.now();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let before = changeable_note(&mut tx, actor, client, id).await?;
        crate::blocks::ensure_open(&mut tx, business, client).await?;
        if before.text == text {
            return Ok(before);
        }
        sqlx::query(UPDATE_NOTE)
            .bind(business.as_uuid())
            .bind(id.as_uuid())
            .bind(text.as_str())
            .bind(micros(now))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        let change =
            Change::NoteEdited { note: id, old: before.text.as_str().to_owned(), new: text.as_str().to_owned() };
        history::record(&mut tx, actor, client, now, &[change]).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(Note { text, edited_at: Some(now), ..before })
    }

    async fn delete_note(&self, actor: &Actor, client: ClientId, id: NoteId) -> StoreResult<()> {
        let business = actor.business();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let before = changeable_note(&mut tx, actor, client, id).await?;
        crate::blocks::ensure_open(&mut tx, business, client).await?;
        sqlx::query(DELETE_NOTE)
            .bind(business.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        let change = Change::NoteDeleted { note: id, text: before.text.as_str().to_owned() };
        history::record(&mut tx, actor, client, self.clock.now(), &[change]).await?;
        tx.commit().await.map_err(StoreError::backend)
    }
}
