//! Notifications leave Ficha here. The store holds the outbox (messages
//! written with the change that caused them); this crate's `worker` claims
//! due messages, hands each to the transport of its channel, and marks it.
//!
//! - `render`: a message's Spanish words (subject, plain text, HTML) from the
//!   facts captured when it was written; `invite`: its iCalendar invite.
//! - `email`: SMTP (lettre) or, with no SMTP configured, `.eml` files.
//! - `whatsapp`: the WhatsApp Cloud API's template messages, and its
//!   delivery webhooks' signature.

pub mod email;
pub mod invite;
pub mod render;
mod tls;
pub mod whatsapp;
pub mod worker;

#[cfg(test)]
mod fixtures;

use async_trait::async_trait;
use ficha_domain::NotificationSettings;
use ficha_store::Message;

/// Why a transport did not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later (connection refused, rate limit, 4xx/5xx
    /// the provider calls temporary).
    #[error("temporary: {0}")]
    Temporary(String),
    /// Trying again will not help (invalid number, template rejected,
    /// mailbox refused); the reason is shown to staff, in Spanish.
    #[error("permanent: {0}")]
    Permanent(String),
}

/// Hands one message to its provider. `Ok` carries the provider's id for it,
/// when the provider gives one.
#[async_trait]
pub trait Transport: Send + Sync {
    async fn send(&self, message: &Message, settings: &NotificationSettings) -> Result<Option<String>, SendError>;
}
