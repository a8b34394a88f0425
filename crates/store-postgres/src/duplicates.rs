//! Duplicate suggestions on PostgreSQL: the key groups and dismissals are read
//! here; the pairs are made in `ficha_store::duplicates`. The keys are kept
//! by the triggers of `0022_duplicates.sql`.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use ficha_domain::{Actor, BusinessId, Client, ClientId};
use ficha_store::duplicates::{self, Candidate, DuplicatePage, DuplicatePair, DuplicateStore, KeyMember, PairCursor};
use ficha_store::record::micros;
use ficha_store::{StoreError, StoreResult};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{PgStore, blocks, clients, duplicate_links};

/// The members of the groups `g`.
macro_rules! members_of_g {
    () => {
        "SELECT k.kind, k.key, k.client_id, c.name_key \
     FROM g JOIN client_match_keys k ON k.business_id = $1 AND k.kind = g.kind AND k.key = g.key \
     JOIN clients c ON c.business_id = $1 AND c.id = k.client_id \
     WHERE ($2 OR NOT EXISTS (SELECT 1 FROM client_blocks b WHERE b.business_id = $1 AND b.client_id = c.id))"
    };
}

/// The members of every key shared by 2 to $3 clients, without the
/// blocked profiles when $2 is false.
const MEMBERS: &str = concat!(
    "WITH g AS (SELECT kind, key FROM client_match_keys WHERE business_id = $1 \
     GROUP BY kind, key HAVING count(*) BETWEEN 2 AND $3) ",
    members_of_g!()
);

/// The same for the keys client $4 holds: its few keys first, each group
/// counted by primary key, never a scan of the business's keys.
const MEMBERS_OF: &str = concat!(
    "WITH mine AS (SELECT kind, key FROM client_match_keys WHERE business_id = $1 AND client_id = $4), \
     g AS (SELECT m.kind, m.key FROM mine m CROSS JOIN client_match_keys o \
       WHERE o.business_id = $1 AND o.kind = m.kind AND o.key = m.key \
       GROUP BY m.kind, m.key HAVING count(*) BETWEEN 2 AND $3) ",
    members_of_g!()
);

const DISMISSED: &str = "SELECT client_a, client_b FROM duplicate_dismissals WHERE business_id = $1 \
     AND ($2::uuid IS NULL OR client_a = $2 OR client_b = $2)";

/// The pairs as ids, best first: all of the business's, or those whose
/// keys `only` holds (and maybe more, which the caller filters).
async fn candidates(conn: &mut PgConnection, actor: &Actor, only: Option<ClientId>) -> StoreResult<Vec<Candidate>> {
    duplicates::staff_only(actor)?;
    let business = actor.business().as_uuid();
    let only = only.map(|c| c.as_uuid());
    let statement =
        sqlx::query_as::<_, (String, String, Uuid, String)>(if only.is_some() { MEMBERS_OF } else { MEMBERS })
            .bind(business)
            .bind(blocks::flow_lists_blocked(actor))
            .bind(duplicates::GROUP_CAP as i64);
    let statement = match only {
        Some(client) => statement.bind(client),
        None => statement,
    };
    let rows = statement.fetch_all(&mut *conn).await.map_err(StoreError::backend)?;
    let members = rows.into_iter().map(KeyMember::stored).collect::<StoreResult<Vec<_>>>()?;
    let dismissed: HashSet<(ClientId, ClientId)> = sqlx::query_as::<_, (Uuid, Uuid)>(DISMISSED)
        .bind(business)
        .bind(only)
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::backend)?
        .into_iter()
        .map(|(a, b)| (ClientId::from_uuid(a), ClientId::from_uuid(b)))
        .collect();
    Ok(duplicates::pairs(members, &dismissed))
}

/// The candidates with their clients, read in one statement.
async fn with_clients(
    conn: &mut PgConnection,
    business: BusinessId,
    candidates: Vec<Candidate>,
) -> StoreResult<Vec<DuplicatePair>> {
    let ids: Vec<Uuid> = candidates.iter().flat_map(|c| [c.a.as_uuid(), c.b.as_uuid()]).collect();
    let rows = sqlx::query(
        "SELECT id, name, email, phone, rut, birth_date::text AS birth_date, last_booking_at, registered_at, version \
         FROM clients WHERE business_id = $1 AND id = ANY($2)",
    )
    .bind(business.as_uuid())
    .bind(&ids)
    .fetch_all(conn)
    .await
    .map_err(StoreError::backend)?;
    let mut clients: HashMap<ClientId, Client> = HashMap::with_capacity(rows.len());
    for row in &rows {
        let client = clients::record(row).map_err(StoreError::backend)?.into_client()?;
        clients.insert(client.id, client);
    }
    Ok(duplicates::resolve(candidates, &clients))
}

/// How many of `a` and `b` are profiles `actor` may see.
async fn visible(conn: &mut PgConnection, actor: &Actor, a: ClientId, b: ClientId) -> StoreResult<i64> {
    let business: BusinessId = actor.business();
    sqlx::query_scalar(
        "SELECT count(*) FROM clients c WHERE c.business_id = $1 AND c.id IN ($2, $3) \
         AND ($4 OR NOT EXISTS (SELECT 1 FROM client_blocks b WHERE b.business_id = $1 AND b.client_id = c.id))",
    )
    .bind(business.as_uuid())
    .bind(a.as_uuid())
    .bind(b.as_uuid())
    .bind(blocks::flow_lists_blocked(actor))
    .fetch_one(conn)
    .await
    .map_err(StoreError::backend)
}

#[async_trait]
impl DuplicateStore for PgStore {
    async fn duplicate_suggestions(
        &self,
        actor: &Actor,
        limit: u32,
        after: Option<&PairCursor>,
    ) -> StoreResult<DuplicatePage> {
        duplicates::staff_only(actor)?;
        self.refresh_duplicate_links(actor.business()).await?;
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let found = duplicate_links::stored_candidates(&mut conn, actor).await?;
        let (page, next) = duplicates::page(found, limit, after);
        Ok(DuplicatePage { pairs: with_clients(&mut conn, actor.business(), page).await?, next })
    }

    async fn duplicates_of(&self, actor: &Actor, client: ClientId) -> StoreResult<Vec<DuplicatePair>> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let mut found = candidates(&mut conn, actor, Some(client)).await?;
        found.retain(|c| c.involves(client));
        with_clients(&mut conn, actor.business(), found).await
    }

    async fn count_duplicates_of(&self, actor: &Actor, client: ClientId) -> StoreResult<u64> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let found = candidates(&mut conn, actor, Some(client)).await?;
        Ok(found.iter().filter(|c| c.involves(client)).count() as u64)
    }

    async fn dismiss_duplicate(&self, actor: &Actor, a: ClientId, b: ClientId) -> StoreResult<()> {
        duplicates::staff_only(actor)?;
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        // "No es duplicado" settles who the person is, as a merge does: the
        // same people may do it (`may_merge`).
        let allowed = !actor.is_owner() && crate::merges::professionals_may_merge(&mut tx, actor.business()).await?;
        ficha_store::merges::may_merge(actor, allowed)?;
        if a == b {
            return Err(StoreError::NotFound);
        }
        let (a, b) = duplicates::ordered(a, b);
        if visible(&mut tx, actor, a, b).await? != 2 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO duplicate_dismissals (business_id, client_a, client_b, dismissed_by, dismissed_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(actor.business().as_uuid())
        .bind(a.as_uuid())
        .bind(b.as_uuid())
        .bind(duplicates::dismissed_by(actor))
        .bind(micros(self.clock.now()))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
        tx.commit().await.map_err(StoreError::backend)
    }

    async fn count_duplicates(&self, actor: &Actor) -> StoreResult<u64> {
        duplicates::staff_only(actor)?;
        self.refresh_duplicate_links(actor.business()).await?;
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        duplicate_links::count_stored(&mut conn, actor).await
    }

    async fn refresh_duplicates(&self, actor: &Actor) -> StoreResult<()> {
        duplicates::staff_only(actor)?;
        self.refresh_duplicate_links(actor.business()).await
    }
}
