//! Wake-ups across instances: every transaction that writes outbox messages
//! calls `pg_notify('ficha_outbox')`, which PostgreSQL delivers at commit to
//! every connection listening on the channel. Each store keeps one such
//! connection (of its own, outside the request pool) in a background task
//! that rings the store's `OutboxSignal`, so a worker in this instance wakes
//! for a message another instance committed.
//!
//! A wake-up is only a hint (the table is the truth): a lost connection is
//! made again after a pause, and the signal is rung on every (re)connect in
//! case something was committed meanwhile. The task ends when the store's
//! pool is closed, or once nothing holds the signal any more.

use std::sync::Weak;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};
use tokio::sync::Notify;

pub(crate) const CHANNEL: &str = "ficha_outbox";

/// The longest pause between attempts to listen again.
const MAX_PAUSE: Duration = Duration::from_secs(30);

/// Starts listening for `pool`'s database in the background. The task holds
/// neither the pool nor the signal: it cannot keep either alive.
pub(crate) fn spawn(pool: &PgPool, signal: Weak<Notify>) {
    let closed = pool.close_event();
    // A pool of its own: the listening connection is held for good and
    // would otherwise take one of the requests'.
    let listening = PgPoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .max_lifetime(None)
        .idle_timeout(None)
        .connect_lazy_with((*pool.connect_options()).clone());
    tokio::spawn(async move {
        tokio::select! {
            () = closed => {}
            () = listen(&listening, &signal) => {}
        }
        listening.close().await;
    });
}

/// Listens until nothing holds the signal any more, starting over after any
/// error.
async fn listen(pool: &PgPool, signal: &Weak<Notify>) {
    let mut pause = Duration::from_millis(250);
    loop {
        match listen_once(pool, signal).await {
            Ok(()) => return,
            Err(error) => {
                if signal.strong_count() == 0 {
                    return;
                }
                tracing::warn!(error = %error, "outbox wake-ups from other instances paused; listening again");
            }
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// One listening connection: rings the signal on each notification (and
/// once on connecting). `Ok` when the signal is gone.
async fn listen_once(pool: &PgPool, signal: &Weak<Notify>) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    loop {
        let Some(signal) = signal.upgrade() else { return Ok(()) };
        signal.notify_one();
        drop(signal);
        listener.recv().await?;
    }
}
