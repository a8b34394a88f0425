//! Failed-login counters on SQLite.

use async_trait::async_trait;
use ficha_store::record::{micros, timestamp};
use ficha_store::{LoginFailures, LoginKey, LoginThrottleStore, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::SqliteStore;

fn failures(row: &SqliteRow) -> StoreResult<LoginFailures> {
    let count: i64 = row.try_get("failures").map_err(StoreError::backend)?;
    Ok(LoginFailures {
        count: u32::try_from(count).unwrap_or(u32::MAX),
        last_at: timestamp(row.try_get("last_failure_at").map_err(StoreError::backend)?)?,
    })
}

#[async_trait]
impl LoginThrottleStore for SqliteStore {
    async fn login_failures(&self, key: &LoginKey) -> StoreResult<Option<LoginFailures>> {
        sqlx::query("SELECT failures, last_failure_at FROM login_failures WHERE business_slug = ?1 AND email_key = ?2")
            .bind(&key.business_slug)
            .bind(&key.email_key)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::backend)?
            .map(|row| failures(&row))
            .transpose()
    }

    async fn record_login_failure(
        &self,
        key: &LoginKey,
        now: Timestamp,
        forget_before: Timestamp,
    ) -> StoreResult<LoginFailures> {
        // One statement: concurrent failures each add one.
        let row = sqlx::query(
            "INSERT INTO login_failures (business_slug, email_key, failures, last_failure_at) VALUES (?1, ?2, 1, ?3) \
             ON CONFLICT (business_slug, email_key) DO UPDATE SET \
             failures = CASE WHEN last_failure_at < ?4 THEN 1 ELSE failures + 1 END, \
             last_failure_at = excluded.last_failure_at \
             RETURNING failures, last_failure_at",
        )
        .bind(&key.business_slug)
        .bind(&key.email_key)
        .bind(micros(now))
        .bind(micros(forget_before))
        .fetch_one(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        failures(&row)
    }

    async fn clear_login_failures(&self, key: &LoginKey) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE business_slug = ?1 AND email_key = ?2")
            .bind(&key.business_slug)
            .bind(&key.email_key)
            .execute(&self.pool)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }
}
