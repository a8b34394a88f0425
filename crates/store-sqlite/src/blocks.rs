//! Bloqueo on SQLite: the steps of `ficha_store::blocks::flow` as queries,
//! and the check every write path of a client's profile makes. SQLite has
//! one writer at a time, so a block cannot commit between a writer's check
//! and its write.

use async_trait::async_trait;
use ficha_domain::{Actor, Block, BlockReason, BusinessId, Change, ClientId};
use ficha_store::blocks::{BlockStore, BlockTx, flow};
use ficha_store::outbox::flow::OutboxTx;
use ficha_store::record::{micros, timestamp};
use ficha_store::{StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::outbox::OutboxQueries;
use crate::{SqliteStore, history};

const SELECT_BLOCK: &str = "SELECT since, reason FROM client_blocks WHERE business_id = ?1 AND client_id = ?2";

/// The client's block, if any (`NotFound` for no such client).
pub(crate) async fn read_block(
    conn: &mut SqliteConnection,
    business: BusinessId,
    client: ClientId,
) -> StoreResult<Option<Block>> {
    crate::scoped_row(conn, "SELECT id FROM clients WHERE business_id = ?1 AND id = ?2", business, client.as_uuid())
        .await?;
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

/// Whether the client's profile is blocked.
pub(crate) async fn is_blocked(
    conn: &mut SqliteConnection,
    business: BusinessId,
    client: ClientId,
) -> StoreResult<bool> {
    let blocked: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM client_blocks WHERE business_id = ?1 AND client_id = ?2)")
            .bind(business.as_uuid())
            .bind(client.as_uuid())
            .fetch_one(conn)
            .await
            .map_err(StoreError::backend)?;
    Ok(blocked)
}

/// `ClientBlocked` when the profile is blocked: every write of a client's
/// data asks this inside its transaction.
pub(crate) async fn ensure_open(
    conn: &mut SqliteConnection,
    business: BusinessId,
    client: ClientId,
) -> StoreResult<()> {
    flow::open(is_blocked(conn, business, client).await?)
}

/// Whether listings, search and profiles show blocked profiles to `actor`.
pub(crate) fn flow_lists_blocked(actor: &Actor) -> bool {
    flow::lists_blocked(actor)
}

struct Tx<'c>(&'c mut SqliteConnection);

#[async_trait]
impl BlockTx for Tx<'_> {
    async fn hold_block(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Option<Block>> {
        read_block(self.0, business, client).await
    }

    async fn insert_block(&mut self, business: BusinessId, client: ClientId, block: &Block) -> StoreResult<()> {
        sqlx::query("INSERT INTO client_blocks (business_id, client_id, since, reason) VALUES (?1, ?2, ?3, ?4)")
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
        sqlx::query("DELETE FROM client_blocks WHERE business_id = ?1 AND client_id = ?2")
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
impl BlockStore for SqliteStore {
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
        let mut tx = self.write().await?;
        let block = flow::block(&mut Tx(&mut tx), actor, client, reason, self.clock.now()).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(block)
    }

    async fn unblock_client(&self, actor: &Actor, client: ClientId) -> StoreResult<()> {
        let mut tx = self.write().await?;
        flow::unblock(&mut Tx(&mut tx), actor, client, self.clock.now()).await?;
        tx.commit().await.map_err(StoreError::backend)
    }
}

/// The blocked profiles `actor` must not find: none for an owner, every
/// blocked one of the business for anyone else (a handful at most).
pub(crate) async fn hidden_from(conn: &mut SqliteConnection, actor: &Actor) -> StoreResult<Vec<ClientId>> {
    if flow::lists_blocked(actor) {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT client_id FROM client_blocks WHERE business_id = ?1")
        .bind(actor.business().as_uuid())
        .fetch_all(conn)
        .await
        .map_err(StoreError::backend)?;
    Ok(ids.into_iter().map(ClientId::from_uuid).collect())
}
