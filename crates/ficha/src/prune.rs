//! The access log's retention, applied: `serve` deletes every business's
//! entries older than its retention once at start and then every hour.
//!
//! Every instance runs it, with no lease or leader: a pass is a handful of
//! `DELETE … WHERE business_id = ? AND at < cutoff LIMIT batch` statements,
//! which are idempotent — two instances at once delete each row once (on
//! PostgreSQL the second skips rows the first has locked), and the one that
//! comes second finds nothing left. Batches keep each statement short, so
//! bookings and the log's own inserts never wait behind a long delete. A
//! failed pass is logged and tried again at the next hour; an entry past
//! its retention lingers an hour at most while the database answers.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ficha_store::Store;

/// How often a pass runs.
const EVERY: Duration = Duration::from_secs(3600);
/// Rows per DELETE.
const BATCH: u32 = 1000;

/// Prunes now and every `EVERY` until `stop` resolves; a pass under way
/// finishes first.
pub async fn run(store: Arc<dyn Store>, stop: impl Future<Output = ()>) {
    let mut ticks = tokio::time::interval(EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = ticks.tick() => match store.prune_access_log(BATCH).await {
                Ok(0) => {}
                Ok(pruned) => tracing::info!(pruned, "access log entries past their retention deleted"),
                Err(error) => tracing::warn!(error = %error, "pruning the access log failed; trying again later"),
            },
        }
    }
}
