//! The outbox worker: runs in every `ficha serve` (and alone as `ficha
//! worker`). It claims due messages with a lease, hands each to its channel's
//! transport, and marks the outcome right away, so the window in which a
//! crash can make a message go twice — the provider took it, the row does not
//! say so yet — is one short UPDATE.
//!
//! It sleeps until the next message is due, the store rings its signal (a
//! commit wrote messages, here or in another instance), or `poll` passes:
//! the table is the truth, a wake-up only a hint.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use std::time::Duration;

use ficha_domain::notification::backoff;
use ficha_domain::{BusinessId, Channel, Clock, NotificationSettings};
use ficha_store::{Claimed, OutboxStore, StoreResult};
use jiff::SignedDuration;

use crate::{SendError, Transport};

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// How long a claimed message is this worker's; after that another
    /// worker takes it (this one is presumed dead).
    pub lease: SignedDuration,
    /// Attempts before a message that keeps failing temporarily is `failed`.
    pub max_attempts: u32,
    /// Messages claimed at once (then sent one by one).
    pub batch: u32,
    /// The longest sleep between looks at the table.
    pub poll: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self { lease: SignedDuration::from_secs(60), max_attempts: 8, batch: 16, poll: Duration::from_secs(5) }
    }
}

/// The transport of each channel.
#[derive(Clone)]
pub struct Transports {
    pub email: Arc<dyn Transport>,
    pub whatsapp: Arc<dyn Transport>,
}

impl Transports {
    fn of(&self, channel: Channel) -> Arc<dyn Transport> {
        match channel {
            Channel::Email => self.email.clone(),
            Channel::Whatsapp => self.whatsapp.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Worker {
    store: Arc<dyn OutboxStore>,
    transports: Transports,
    clock: Arc<dyn Clock>,
    config: WorkerConfig,
}

/// What became of one claimed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    Retry,
    Failed,
    /// Another worker took it over meanwhile (our lease ran out).
    Lost,
}

impl Worker {
    pub fn new(
        store: Arc<dyn OutboxStore>,
        transports: Transports,
        clock: Arc<dyn Clock>,
        config: WorkerConfig,
    ) -> Self {
        Self { store, transports, clock, config }
    }

    /// Sends until `shutdown` resolves; messages being sent then are
    /// finished and marked first.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let signal = self.store.outbox_signal();
        tokio::pin!(shutdown);
        loop {
            let wait = match self.drain().await {
                Ok(0) => self.until_next_due().await,
                Ok(_) => Duration::ZERO,
                Err(error) => {
                    tracing::warn!(error = &error as &dyn std::error::Error, "outbox: cannot claim messages");
                    self.config.poll
                }
            };
            if wait.is_zero() {
                // Between busy batches: stop if asked, else go on.
                tokio::select! {
                    biased;
                    () = &mut shutdown => break,
                    () = tokio::task::yield_now() => continue,
                }
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = signal.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
        tracing::info!("outbox worker stopped");
    }

    /// How long to sleep: until the next due message, at most `poll`.
    async fn until_next_due(&self) -> Duration {
        match self.store.next_due().await {
            Ok(Some(due)) => {
                let left = due.duration_since(self.clock.now());
                Duration::try_from(left).unwrap_or(Duration::ZERO).min(self.config.poll)
            }
            Ok(None) => self.config.poll,
            Err(error) => {
                tracing::warn!(error = &error as &dyn std::error::Error, "outbox: cannot read the next due time");
                self.config.poll
            }
        }
    }

    /// Claims one batch of due messages and sends them one after another;
    /// the number claimed (0: nothing was due).
    ///
    /// One at a time on purpose: a message can only be sent twice if the
    /// process dies between the provider taking it and its row being
    /// marked, and sending one at a time keeps that to at most one message
    /// per crash. Throughput comes from a short round trip per message
    /// (docs/performance.md) and from more workers (instances).
    pub async fn drain(&self) -> StoreResult<usize> {
        let claimed = self.store.claim_due(self.config.lease, self.config.batch).await?;
        let count = claimed.len();
        // A claim is ours until its lease ends; one not started with a
        // margin left is let go to whoever claims it next, rather than
        // risk two workers sending it.
        let margin = (self.config.lease / 4).min(LEASE_MARGIN);
        let until = self.clock.now().saturating_add(self.config.lease - margin).unwrap_or(self.clock.now());
        let mut settings: HashMap<BusinessId, NotificationSettings> = HashMap::new();
        for claim in claimed {
            if self.clock.now() >= until {
                tracing::warn!(message = %claim.message.id, "outbox: lease too short for the batch; left for later");
                continue;
            }
            if let Entry::Vacant(unread) = settings.entry(claim.business) {
                unread.insert(self.store.sending_settings(claim.business).await?);
            }
            let business_settings = &settings[&claim.business];
            if let Err(error) = self.deliver(claim, business_settings).await {
                tracing::warn!(error = &error as &dyn std::error::Error, "outbox: cannot mark a message");
            }
        }
        Ok(count)
    }

    /// Sends one claimed message and marks what happened.
    pub async fn deliver(&self, claim: Claimed, settings: &NotificationSettings) -> StoreResult<Outcome> {
        let transport = self.transports.of(claim.message.channel);
        let result = transport.send(&claim.message, settings).await;
        let (marked, outcome) = match result {
            Ok(provider_id) => (self.store.mark_sent(&claim, provider_id.as_deref()).await?, Outcome::Sent),
            Err(SendError::Temporary(reason)) if claim.attempt() < self.config.max_attempts => {
                let retry_at =
                    self.clock.now().saturating_add(backoff(claim.attempt(), jitter())).unwrap_or(self.clock.now());
                tracing::info!(message = %claim.message.id, attempt = claim.attempt(), %reason, "outbox: will retry");
                (self.store.mark_retry(&claim, &reason, retry_at).await?, Outcome::Retry)
            }
            Err(SendError::Temporary(reason)) => {
                let reason = format!("{reason} (se agotaron los {} intentos)", self.config.max_attempts);
                (self.store.mark_failed(&claim, &reason).await?, Outcome::Failed)
            }
            Err(SendError::Permanent(reason)) => (self.store.mark_failed(&claim, &reason).await?, Outcome::Failed),
        };
        if !marked {
            tracing::warn!(message = %claim.message.id, "outbox: the message was taken over by another worker");
            return Ok(Outcome::Lost);
        }
        Ok(outcome)
    }
}

/// What must be left of a claim's lease to start sending one of its
/// messages (a quarter of the lease when that is less).
const LEASE_MARGIN: SignedDuration = SignedDuration::from_secs(10);

/// A number in 0.0..1.0 to spread retries; no randomness is no jitter.
fn jitter() -> f64 {
    let mut bytes = [0u8; 2];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u16::from_le_bytes(bytes)) / 65536.0,
        Err(_) => 0.0,
    }
}
