//! Bloqueo: an owner freezes a client's profile. The decisions are written
//! once here (`flow`) over each backend's `BlockTx`; every other write path
//! asks its backend's `ensure_open` inside its own transaction, so a
//! blocked profile is refused whichever door the change comes through.

use async_trait::async_trait;
use ficha_domain::{Actor, Block, BlockReason, BusinessId, Change, ClientId};
use jiff::Timestamp;

use crate::error::{StoreError, StoreResult};
use crate::outbox::flow::OutboxTx;

#[async_trait]
pub trait BlockStore: Send + Sync {
    /// The profile's block, `None` when it is open. Whoever may see the
    /// profile may see its block (owners, the client themself); a
    /// professional gets `NotFound` for a blocked profile, as for its data.
    async fn client_block(&self, actor: &Actor, client: ClientId) -> StoreResult<Option<Block>>;

    /// Blocks the profile (owners only, else `OwnerOnly`): cancels its
    /// pending messages and writes the history entry, in one transaction.
    /// A profile already blocked keeps its first block, which is returned.
    async fn block_client(&self, actor: &Actor, client: ClientId, reason: BlockReason) -> StoreResult<Block>;

    /// Lifts the block (owners only), writing the history entry; nothing
    /// happens to an open profile.
    async fn unblock_client(&self, actor: &Actor, client: ClientId) -> StoreResult<()>;
}

/// One backend's queries for blocking, on an open writing transaction.
/// Every query binds `business`.
#[async_trait]
pub trait BlockTx: Send {
    /// Holds the client's row against every other writer of the profile
    /// until the transaction ends, and reads its block; `NotFound` for a
    /// client of another business.
    async fn hold_block(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Option<Block>>;

    async fn insert_block(&mut self, business: BusinessId, client: ClientId, block: &Block) -> StoreResult<()>;

    async fn delete_block(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()>;

    async fn record(&mut self, actor: &Actor, client: ClientId, at: Timestamp, changes: &[Change]) -> StoreResult<()>;

    fn outbox(&mut self) -> Box<dyn OutboxTx + '_>;
}

pub mod flow {
    use super::*;

    /// `BlockStore::block_client` inside the backend's transaction; the
    /// caller commits.
    pub async fn block(
        tx: &mut dyn BlockTx,
        actor: &Actor,
        client: ClientId,
        reason: BlockReason,
        now: Timestamp,
    ) -> StoreResult<Block> {
        if !actor.is_owner() {
            return Err(StoreError::OwnerOnly);
        }
        let business = actor.business();
        if let Some(block) = tx.hold_block(business, client).await? {
            return Ok(block);
        }
        let block = Block { since: now, reason };
        tx.insert_block(business, client, &block).await?;
        // Nothing more is told to a blocked person: what was waiting is
        // cancelled (and stays visible as cancelled in the log).
        tx.outbox().cancel_client_pending(business, client, None, None).await?;
        tx.record(actor, client, now, &[Change::ClientBlocked { reason: block.reason.as_str().to_owned() }]).await?;
        Ok(block)
    }

    /// `BlockStore::unblock_client` inside the backend's transaction.
    pub async fn unblock(tx: &mut dyn BlockTx, actor: &Actor, client: ClientId, now: Timestamp) -> StoreResult<()> {
        if !actor.is_owner() {
            return Err(StoreError::OwnerOnly);
        }
        let business = actor.business();
        if tx.hold_block(business, client).await?.is_none() {
            return Ok(());
        }
        tx.delete_block(business, client).await?;
        tx.record(actor, client, now, &[Change::ClientUnblocked]).await
    }

    /// What a write path does with what its backend's `ensure_open` read.
    pub fn open(blocked: bool) -> StoreResult<()> {
        if blocked { Err(StoreError::ClientBlocked) } else { Ok(()) }
    }

    /// Whether `actor` may see a profile whose block is `block`: a blocked
    /// one is hidden from professionals (and API tokens acting as them).
    pub fn visible(actor: &Actor, block: Option<&Block>) -> StoreResult<()> {
        if block.is_some() && !lists_blocked(actor) { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Whether profiles, listings and search show blocked profiles to
    /// `actor`: to everyone but professionals (the client sees their own).
    pub fn lists_blocked(actor: &Actor) -> bool {
        !matches!(actor, Actor::Staff { .. }) || actor.is_owner()
    }
}
