//! Registering many clients at once on SQLite. A batch travels as JSON and is
//! unpacked by `json_each`, so each table takes one statement per batch
//! instead of one per client; the whole batch is one transaction.

use std::collections::HashSet;

use ficha_domain::fold::name_key;
use ficha_domain::{Actor, ClientId, NewClient};
use ficha_store::clients::registered;
use ficha_store::record::micros;
use ficha_store::search::SearchDocument;
use ficha_store::{StoreError, StoreResult};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::SqliteStore;

impl SqliteStore {
    pub(crate) async fn import(&self, actor: &Actor, clients: Vec<NewClient>) -> StoreResult<u64> {
        let business = actor.business();
        let now = self.clock.now();
        let mut tx = self.write().await?;
        // Rowids are given explicitly (the write lock is held), so the search
        // entries can name them without reading them back.
        let last_rowid: i64 = sqlx::query_scalar("SELECT coalesce(max(rowid), 0) FROM clients")
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::backend)?;

        let mut rows = Vec::with_capacity(clients.len());
        let mut entries = Vec::with_capacity(clients.len());
        let mut emails = Vec::with_capacity(clients.len());
        let mut terms = HashSet::new();
        let mut tenant = String::new();
        for (i, new) in clients.into_iter().enumerate() {
            let client = registered(new, now);
            let rowid = last_rowid + 1 + i as i64;
            let document = SearchDocument::new(business, &client, &[]);
            terms.extend(document.typo_targets());
            rows.push(json!([
                rowid,
                client.id.as_uuid().simple().to_string(),
                client.name.as_str(),
                name_key(client.name.as_str()),
                client.email.as_str(),
                client.email.key(),
                client.phone.as_ref().map(|p| p.e164()),
                client.rut.map(|r| r.canonical()),
                client.birth_date.map(|d| d.date().to_string()),
            ]));
            emails.push(client.email.key());
            entries.push(json!([rowid, document.name, document.other]));
            tenant = document.tenant;
        }
        let count = rows.len() as u64;
        if count == 0 {
            return Ok(0);
        }

        // A taken email, in the business or twice in the batch, refuses the
        // whole batch before anything is written.
        let taken: Option<Uuid> = sqlx::query_scalar(
            "SELECT c.id FROM json_each(?2) AS j CROSS JOIN clients c ON c.business_id = ?1 AND c.email_key = j.value LIMIT 1",
        )
        .bind(business.as_uuid())
        .bind(Value::from(emails.clone()).to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
        if let Some(existing) = taken {
            return Err(StoreError::EmailTaken { existing: ClientId::from_uuid(existing) });
        }
        if emails.iter().collect::<HashSet<_>>().len() != emails.len() {
            return Err(StoreError::Corrupt("the batch repeats an email".into()));
        }

        sqlx::query(
            "INSERT INTO clients (rowid, id, business_id, name, name_key, email, email_key, phone, rut, birth_date, registered_at) \
             SELECT value ->> 0, unhex(value ->> 1), ?1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, \
                    value ->> 6, value ->> 7, value ->> 8, ?2 \
             FROM json_each(?3)",
        )
        .bind(business.as_uuid())
        .bind(micros(now))
        .bind(Value::from(rows).to_string())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
        sqlx::query(
            "INSERT INTO client_search (rowid, tenant, name, other) \
             SELECT value ->> 0, ?1, value ->> 1, value ->> 2 FROM json_each(?2)",
        )
        .bind(&tenant)
        .bind(Value::from(entries).to_string())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
        sqlx::query("INSERT OR IGNORE INTO search_terms (tenant, term) SELECT ?1, value FROM json_each(?2)")
            .bind(&tenant)
            .bind(Value::from(terms.into_iter().collect::<Vec<_>>()).to_string())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(count)
    }
}
