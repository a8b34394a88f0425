//! Bloqueo on PostgreSQL: the steps of `ficha_store::blocks::flow` as
//! queries, and the check every write path of a client's profile makes.
//! Blocking holds the client's row `FOR UPDATE`; every writer's check holds
//! it `FOR SHARE` first and reads the block in a later statement (a fresh
//! snapshot under READ COMMITTED), so a writer either commits before the
//! block begins or sees it.

use async_trait::async_trait;
use ficha_domain::{Actor, Block, BlockReason, BusinessId, Change, ClientId};
use ficha_store::blocks::{BlockStore, BlockTx, flow};
use ficha_store::outbox::flow::OutboxTx;
use ficha_store::record::{micros, timestamp};
use ficha_store::{StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::outbox::OutboxQueries;
use crate::{PgStore, history};

const SELECT_BLOCK: &str = "SELECT since, reason FROM client_blocks WHERE business_id = $1 AND client_id = $2";

/// The client's block, if any (`NotFound` for no such client), the
/// client's row read by `lock_sql`.
async fn read_block_after(
    conn: &mut PgConnection,
    lock_sql: &'static str,
    business: BusinessId,
    client: ClientId,
) -> StoreResult<Option<Block>> {
    crate::scoped_row(conn, lock_sql, business, client.as_uuid()).await?;
    let row = sqlx::query(SELECT_BLOCK)
        .bind(business.as_uuid())
        .bind(client.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(StoreError::backend)?;
    row.map(|row| {
        let since: i64 = row.try_get("since").map_err(StoreError::backend)?;
        let reason: String = row.try_get("reason").map_err(StoreError::backend)?;
        Ok(Block {
            since: timestamp(since)?,
            reason: BlockReason::parse(&reason).map_err(|_| StoreError::Corrupt(format!("block reason {reason:?}")))?,
        })
    })
    .transpose()
}

/// The client's block, if any (`NotFound` for no such client).
pub(crate) async fn read_block(
    conn: &mut PgConnection,
    business: BusinessId,
    client: ClientId,
) -> StoreResult<Option<Block>> {
    read_block_after(conn, "SELECT id FROM clients WHERE business_id = $1 AND id = $2", business, client).await
}

/// Whether the client's profile is blocked (the caller holds the row).
pub(crate) async fn is_blocked(conn: &mut PgConnection, business: BusinessId, client: ClientId) -> StoreResult<bool> {
    let blocked: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM client_blocks WHERE business_id = $1 AND client_id = $2)")
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .fetch_one(conn)
            .await
            .map_err(StoreError::backend)?;
    Ok(blocked)
}

/// `ClientBlocked` when the profile is blocked: every write of a client's
/// data asks this inside its transaction.
pub(crate) async fn ensure_open(conn: &mut PgConnection, business: BusinessId, client: ClientId) -> StoreResult<()> {
    let share = "SELECT id FROM clients WHERE business_id = $1 AND id = $2 FOR SHARE";
    crate::scoped_row(&mut *conn, share, business, client.as_uuid()).await?;
    flow::open(is_blocked(conn, business, client).await?)
}

/// `ensure_open` for a booking's placement, which goes on to update the
/// client's row (`last_booking_at`): the row is held `FOR NO KEY UPDATE`
/// from here, before the professional's row. Two bookings of one client
/// holding it `FOR SHARE` would each wait for the other's share to update
/// it while one waits for the professional's row the other holds.
pub(crate) async fn ensure_open_to_book(
    conn: &mut PgConnection,
    business: BusinessId,
    client: ClientId,
) -> StoreResult<()> {
    let hold = "SELECT id FROM clients WHERE business_id = $1 AND id = $2 FOR NO KEY UPDATE";
    crate::scoped_row(&mut *conn, hold, business, client.as_uuid()).await?;
    flow::open(is_blocked(conn, business, client).await?)
}

/// Whether listings, search and profiles show blocked profiles to `actor`.
pub(crate) fn flow_lists_blocked(actor: &Actor) -> bool {
    flow::lists_blocked(actor)
}

struct Tx<'c>(&'c mut PgConnection);

#[async_trait]
impl BlockTx for Tx<'_> {
    async fn hold_block(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Option<Block>> {
        let lock = "SELECT id FROM clients WHERE business_id = $1 AND id = $2 FOR UPDATE";
        read_block_after(self.0, lock, business, client).await
    }

    async fn insert_block(&mut self, business: BusinessId, client: ClientId, block: &Block) -> StoreResult<()> {
        sqlx::query("INSERT INTO client_blocks (business_id, client_id, since, reason) VALUES ($1, $2, $3, $4)")
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .bind(micros(block.since))
            .bind(block.reason.as_str())
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn delete_block(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()> {
        sqlx::query("DELETE FROM client_blocks WHERE business_id = $1 AND client_id = $2")
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn record(&mut self, actor: &Actor, client: ClientId, at: Timestamp, changes: &[Change]) -> StoreResult<()> {
        history::record(self.0, actor, client, at, changes).await
    }

    fn outbox(&mut self) -> Box<dyn OutboxTx + '_> {
        Box::new(OutboxQueries(self.0))
    }
}

#[async_trait]
impl BlockStore for PgStore {
    async fn client_block(&self, actor: &Actor, client: ClientId) -> StoreResult<Option<Block>> {
        if !actor.may_reach(client) {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let block = read_block(&mut conn, actor.business(), client).await?;
        flow::visible(actor, block.as_ref())?;
        Ok(block)
    }

    async fn block_client(&self, actor: &Actor, client: ClientId, reason: BlockReason) -> StoreResult<Block> {
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let block = flow::block(&mut Tx(&mut tx), actor, client, reason, self.clock.now()).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(block)
    }

    async fn unblock_client(&self, actor: &Actor, client: ClientId) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        flow::unblock(&mut Tx(&mut tx), actor, client, self.clock.now()).await?;
        tx.commit().await.map_err(StoreError::backend)
    }
}

/// The blocked profiles `actor` must not find: none for an owner, every
/// blocked one of the business for anyone else (a handful at most).
pub(crate) async fn hidden_from(conn: &mut PgConnection, actor: &Actor) -> StoreResult<Vec<ClientId>> {
    if flow::lists_blocked(actor) {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT client_id FROM client_blocks WHERE business_id = $1")
        .bind(actor.business().as_uuid())
        .fetch_all(conn)
        .await
        .map_err(StoreError::backend)?;
    Ok(ids.into_iter().map(ClientId::from_uuid).collect())
}
