//! Writers of one process take turns before they begin.
//!
//! SQLite lets one transaction write at a time. Left to SQLite, writers that
//! find the lock taken sleep in its busy handler (1, 2, 5, 10… ms) and retry:
//! with eight at once, a write that takes 1 ms waited tens of milliseconds
//! (docs/performance.md, `bench-writes`). A fair semaphore hands the turn
//! over the moment the previous writer commits. Writers in other processes
//! (a second `ficha` on the same file) still meet at SQLite's lock and its
//! `busy_timeout`.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::{Sqlite, SqliteConnection, Transaction};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The one turn to write, shared by clones of a store.
#[derive(Debug, Clone)]
pub(crate) struct Turns(Arc<Semaphore>);

impl Default for Turns {
    fn default() -> Self {
        Self(Arc::new(Semaphore::new(1)))
    }
}

impl Turns {
    /// Waits for this process's earlier writers (first come, first served).
    pub(crate) async fn wait(&self) -> Turn {
        // The semaphore is never closed, so acquiring cannot fail; were it
        // ever closed, writing without the turn is what SQLite allows anyway.
        Turn { _permit: self.0.clone().acquire_owned().await.ok() }
    }
}

#[derive(Debug)]
pub(crate) struct Turn {
    _permit: Option<OwnedSemaphorePermit>,
}

/// A `BEGIN IMMEDIATE` transaction holding the turn until it commits or is
/// dropped (rolled back); used like the transaction itself.
#[derive(Debug)]
pub(crate) struct WriteTx {
    // Declared first: dropped (rolled back) before the turn is handed on.
    tx: Transaction<'static, Sqlite>,
    _turn: Turn,
}

impl WriteTx {
    pub(crate) fn new(tx: Transaction<'static, Sqlite>, turn: Turn) -> Self {
        Self { tx, _turn: turn }
    }

    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl Deref for WriteTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}
