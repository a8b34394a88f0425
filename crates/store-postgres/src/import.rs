//! Registering many clients at once on PostgreSQL: one statement per table
//! for a whole batch (arrays unnested server-side), inside one transaction.

use std::collections::HashSet;

use ficha_domain::fold::name_key;
use ficha_domain::{Actor, BusinessId, ClientId, NewClient};
use ficha_store::clients::registered;
use ficha_store::duplicates::MARK_WHOLE_BUSINESS_FROM;
use ficha_store::record::micros;
use ficha_store::search::SearchDocument;
use ficha_store::{StoreError, StoreResult};
use uuid::Uuid;

use crate::PgStore;

/// Column arrays of a batch, in `clients`' column order.
#[derive(Default)]
struct Columns {
    id: Vec<Uuid>,
    name: Vec<String>,
    name_key: Vec<String>,
    email: Vec<String>,
    email_key: Vec<String>,
    phone: Vec<Option<String>>,
    rut: Vec<Option<String>>,
    birth_date: Vec<Option<String>>,
    /// The search entry's words, space-separated (words hold no spaces).
    search: Vec<String>,
}

impl PgStore {
    pub(crate) async fn import(&self, actor: &Actor, clients: Vec<NewClient>) -> StoreResult<u64> {
        let business = actor.business();
        let now = self.clock.now();
        let mut columns = Columns::default();
        let mut terms = HashSet::new();
        for new in clients {
            let client = registered(new, now);
            let document = SearchDocument::new(business, &client, &[]);
            terms.extend(document.typo_targets());
            columns.id.push(client.id.as_uuid());
            columns.name_key.push(name_key(client.name.as_str()));
            columns.name.push(client.name.as_str().to_owned());
            columns.email_key.push(client.email.key());
            columns.email.push(client.email.as_str().to_owned());
            columns.phone.push(client.phone.as_ref().map(|p| p.e164().to_owned()));
            columns.rut.push(client.rut.map(|r| r.canonical()));
            columns.birth_date.push(client.birth_date.map(|d| d.date().to_string()));
            columns.search.push(crate::search::entry_words(&document).join(" "));
        }
        let count = columns.id.len() as u64;
        if count == 0 {
            return Ok(0);
        }
        if count >= MARK_WHOLE_BUSINESS_FROM {
            // Its keys are not queued one by one: the business is marked for
            // the whole-business recompute they would come to anyway. Marked
            // before, not inside, the batch's transaction: a batch beside it
            // would wait for that transaction to insert the same mark. A
            // recompute taking the mark meanwhile only makes the batch queue
            // its keys after all (0031).
            sqlx::query("INSERT INTO duplicate_recompute_all (business_id) VALUES ($1) ON CONFLICT DO NOTHING")
                .bind(business.as_uuid())
                .execute(&self.pool)
                .await
                .map_err(StoreError::backend)?;
        }

        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        // The batch's sorts (its search words, its duplicate keys) in memory
        // rather than spilled to disk.
        sqlx::query("SET LOCAL work_mem = '256MB'").execute(&mut *tx).await.map_err(StoreError::backend)?;
        // The entries go in with their clients: the insert trigger writes
        // the whole batch's word rows in one statement (migration 0030).
        let inserted = sqlx::query(
            "INSERT INTO clients (id, business_id, name, name_key, email, email_key, phone, rut, birth_date, registered_at, search_doc) \
             SELECT id, $1, name, name_key, email, email_key, phone, rut, birth_date::date, $10, \
               array_to_tsvector(string_to_array(words, ' ')) \
             FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $11::text[]) \
             AS t(id, name, name_key, email, email_key, phone, rut, birth_date, words)",
        )
        .bind(business.as_uuid())
        .bind(&columns.id)
        .bind(&columns.name)
        .bind(&columns.name_key)
        .bind(&columns.email)
        .bind(&columns.email_key)
        .bind(&columns.phone)
        .bind(&columns.rut)
        .bind(&columns.birth_date)
        .bind(micros(now))
        .bind(&columns.search)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            // A taken email, in the business or twice in the batch, refuses
            // the whole batch; only then is the holder looked up, so a batch
            // pays for no separate check.
            Err(e) if crate::violates_unique(&e, "clients_email") => {
                drop(tx);
                return Err(self.email_conflict(business, &columns.email_key).await);
            }
            Err(e) => return Err(StoreError::backend(e)),
        }
        let terms: Vec<String> = terms.into_iter().collect();
        sqlx::query(
            "INSERT INTO search_terms (business_id, term) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
        )
        .bind(business.as_uuid())
        .bind(terms)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(count)
    }

    /// Why a batch broke the email index: a client of the business already
    /// has one of its emails, or the batch has one twice.
    async fn email_conflict(&self, business: BusinessId, emails: &[String]) -> StoreError {
        let taken: Result<Option<Uuid>, _> =
            sqlx::query_scalar("SELECT id FROM clients WHERE business_id = $1 AND email_key = ANY($2) LIMIT 1")
                .bind(business.as_uuid())
                .bind(emails)
                .fetch_optional(&self.pool)
                .await;
        match taken {
            Ok(Some(existing)) => StoreError::EmailTaken { existing: ClientId::from_uuid(existing) },
            Ok(None) => StoreError::Corrupt("the batch repeats an email".into()),
            Err(e) => StoreError::backend(e),
        }
    }
}
