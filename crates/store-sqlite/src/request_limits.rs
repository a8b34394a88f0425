//! Request counters on SQLite.

use async_trait::async_trait;
use ficha_store::record::micros;
use ficha_store::request_limits::window_start;
use ficha_store::{LimitKey, RequestLimitStore, StoreError, StoreResult};
use jiff::{SignedDuration, Timestamp};

use crate::SqliteStore;

#[async_trait]
impl RequestLimitStore for SqliteStore {
    async fn count_request(&self, key: &LimitKey, now: Timestamp, window: SignedDuration) -> StoreResult<u32> {
        let start = micros(window_start(now, window));
        let hits: i64 = sqlx::query_scalar(
            "INSERT INTO request_counts (scope, subject, window_start, hits) VALUES (?1, ?2, ?3, 1) \
             ON CONFLICT (scope, subject, window_start) DO UPDATE SET hits = request_counts.hits + 1 RETURNING hits",
        )
        .bind(key.scope)
        .bind(&key.subject)
        .bind(start)
        .fetch_one(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        if hits == 1 {
            // A window starts: forget the ones that ended a day ago.
            let old = micros(now - SignedDuration::from_hours(24)) - window.as_micros() as i64;
            sqlx::query("DELETE FROM request_counts WHERE window_start < ?1")
                .bind(old)
                .execute(&self.pool)
                .await
                .map_err(StoreError::backend)?;
        }
        Ok(u32::try_from(hits).unwrap_or(u32::MAX))
    }

    async fn request_count(&self, key: &LimitKey, now: Timestamp, window: SignedDuration) -> StoreResult<u32> {
        let hits: Option<i64> = sqlx::query_scalar(
            "SELECT hits FROM request_counts WHERE scope = ?1 AND subject = ?2 AND window_start = ?3",
        )
        .bind(key.scope)
        .bind(&key.subject)
        .bind(micros(window_start(now, window)))
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        Ok(hits.map_or(0, |hits| u32::try_from(hits).unwrap_or(u32::MAX)))
    }
}
