//! The notification outbox: messages written in the same transaction as the
//! change that caused them, then claimed, sent and marked by a worker in any
//! app instance.
//!
//! Which messages a change writes is decided once for both backends in
//! `flow` (over each backend's `OutboxTx` queries, called from the booking
//! and attention-note flows). The worker's side (`claim_due`, `mark_*`) works
//! across businesses: it is the installation sending, not a staff member.

pub mod flow;
pub mod record;

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ficha_domain::{
    Actor, BookingId, BusinessId, Channel, ChoiceSource, ClientId, ClientPreferences, Email, Facts, MessageId,
    MessageStatus, NoticeKind, NotificationSettings,
};
use jiff::{SignedDuration, Timestamp};

use crate::error::StoreResult;

/// Rung after every commit that wrote messages (and, on PostgreSQL, when
/// another instance's commit did): the worker waits on it between polls.
/// A wake-up is a hint; the table is the truth.
pub type OutboxSignal = Arc<tokio::sync::Notify>;

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// The signal this store rings when messages are committed.
    fn outbox_signal(&self) -> OutboxSignal;

    // --- the worker's side (all businesses) ---

    /// Takes up to `limit` messages that are due as of the store's clock —
    /// `pending` with `next_attempt_at` reached, or `sending` whose lease
    /// ran out (their worker died) — and marks them `sending` with a lease
    /// of `lease`, one attempt more. Two concurrent callers never get the
    /// same message.
    async fn claim_due(&self, lease: SignedDuration, limit: u32) -> StoreResult<Vec<Claimed>>;

    /// When the next pending message is due (to sleep until then).
    async fn next_due(&self) -> StoreResult<Option<Timestamp>>;

    /// The provider took the message. Only the claim that holds it (same
    /// `attempt`, still `sending`) may mark it; a stale claim is ignored
    /// (`false`).
    async fn mark_sent(&self, claim: &Claimed, provider_id: Option<&str>) -> StoreResult<bool>;

    /// A temporary failure: back to `pending`, tried again at `retry_at`.
    async fn mark_retry(&self, claim: &Claimed, error: &str, retry_at: Timestamp) -> StoreResult<bool>;

    /// A permanent failure (or the last attempt): `failed`, with the reason.
    async fn mark_failed(&self, claim: &Claimed, error: &str) -> StoreResult<bool>;

    /// A provider's delivery report (WhatsApp status webhook) for the message
    /// it knows as `provider_id`; `failed` also fails the message with
    /// `error`. `false` when no message has that id.
    async fn delivery_report(&self, provider_id: &str, report: Delivery, error: Option<&str>) -> StoreResult<bool>;

    /// The business's settings, for the worker sending one of its messages.
    async fn sending_settings(&self, business: BusinessId) -> StoreResult<NotificationSettings>;

    // --- staff's side ---

    async fn notification_settings(&self, actor: &Actor) -> StoreResult<NotificationSettings>;

    /// Owners only (`OwnerOnly`).
    async fn set_notification_settings(
        &self,
        actor: &Actor,
        settings: NotificationSettings,
    ) -> StoreResult<NotificationSettings>;

    /// Messages of the business, newest first, by the query's filters.
    async fn messages(&self, actor: &Actor, query: &MessageQuery) -> StoreResult<MessagePage>;

    async fn message(&self, actor: &Actor, id: MessageId) -> StoreResult<Message>;

    /// A `failed` message goes out again: back to `pending`, due now, its
    /// attempts counted anew; its id (and so its email `Message-ID`) stays.
    /// Any other status is `Refused`-free `NotResendable`.
    async fn resend(&self, actor: &Actor, id: MessageId) -> StoreResult<Message>;

    async fn client_preferences(&self, actor: &Actor, client: ClientId) -> StoreResult<ClientPreferences>;

    /// Records what the client chose (in its history, with who, when and
    /// through which `source`) and cancels its pending messages it no
    /// longer wants (WhatsApp ones, reminders), in one transaction.
    async fn set_client_preferences(
        &self,
        actor: &Actor,
        client: ClientId,
        preferences: ClientPreferences,
        source: ChoiceSource,
    ) -> StoreResult<ClientPreferences>;

    /// An account message of the client's side (sign-in link or code,
    /// password reset, email-change verification) to `email`, in its own
    /// transaction. A second call with the same `key` is a no-op.
    async fn send_account_message(&self, business: BusinessId, message: AccountMessage) -> StoreResult<()>;
}

/// A message claimed by a worker, with the attempt that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub business: BusinessId,
    pub message: Message,
}

impl Claimed {
    /// The attempt this claim is (the fencing token for `mark_*`).
    pub fn attempt(&self) -> u32 {
        self.message.attempts
    }
}

/// A provider's report on a message after it took it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    Delivered,
    Read,
    Failed,
}

impl Delivery {
    pub const ALL: [Self; 4] = [Self::Sent, Self::Delivered, Self::Read, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == text)
    }
}

/// One message of the outbox as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub client: Option<ClientId>,
    pub booking: Option<BookingId>,
    pub channel: Channel,
    pub recipient: String,
    pub kind: NoticeKind,
    pub facts: Facts,
    pub status: MessageStatus,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub provider_id: Option<String>,
    /// The provider's last delivery report, if it sends them.
    pub delivery: Option<Delivery>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageQuery {
    pub status: Option<MessageStatus>,
    pub client: Option<ClientId>,
    pub after: Option<MessageCursor>,
    /// 1..=100; 0 reads as 50.
    pub limit: u32,
}

impl MessageQuery {
    pub fn limit(&self) -> u32 {
        match self.limit {
            0 => 50,
            n => n.min(100),
        }
    }
}

/// Where the next page of messages starts (newest first: `(created_at, id)`
/// strictly before). Opaque to API users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageCursor {
    pub created_at: i64,
    pub id: MessageId,
}

impl MessageCursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}\n{}", self.created_at, self.id))
    }

    pub fn decode(text: &str) -> Option<Self> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
        let (at, id) = text.split_once('\n')?;
        Some(Self { created_at: at.parse().ok()?, id: id.parse().ok()? })
    }
}

#[derive(Debug, Clone)]
pub struct MessagePage {
    pub messages: Vec<Message>,
    pub next: Option<MessageCursor>,
}

/// An account message for the client's side.
#[derive(Debug, Clone)]
pub struct AccountMessage {
    pub kind: NoticeKind,
    /// Unique per request (a token's id): a retried request sends once.
    pub key: String,
    pub client: Option<ClientId>,
    pub email: Email,
    pub client_name: String,
    /// Path under the public URL.
    pub link: String,
    pub code: Option<String>,
}
