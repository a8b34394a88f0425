//! Email, the default channel: a message becomes a MIME email (`compose`)
//! and goes out by SMTP (`smtp`) or, with no SMTP configured, as an `.eml`
//! file in the data folder (`files`), so a fresh demo still shows what
//! would be sent.
//!
//! An email's `Message-ID` is `<{message id}@ficha>`: the outbox message's
//! id, stable across attempts, so a resend after a crash between the
//! server's "250 OK" and the row being marked is recognisable as the same
//! email (and a file delivery simply overwrites its file).

mod compose;
mod files;
mod smtp;

use async_trait::async_trait;
use ficha_domain::NotificationSettings;
use ficha_store::Message;
use lettre::message::Mailbox;

pub use compose::{INVITE_FILE_NAME, message_id};
pub use files::Files;
pub use smtp::{Smtp, SmtpUrl, TlsMode};

use crate::render::Links;
use crate::{SendError, Transport};

/// A setting the email transport cannot start with (told at startup).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailConfigError {
    #[error("invalid --mail-from {0:?}: use an address such as reservas@example.com")]
    MailFrom(String),
    #[error("invalid --smtp-url: {0} (use smtp://user:pass@host:587?tls=starttls, tls=tls or tls=none)")]
    SmtpUrl(String),
}

/// Where composed emails go.
pub enum Delivery {
    Smtp(Smtp),
    Files(Files),
}

/// The email transport: composes each message and delivers it.
pub struct EmailTransport {
    from: lettre::Address,
    links: Links,
    delivery: Delivery,
}

impl EmailTransport {
    /// `mail_from` is the address mail goes from (`--mail-from`); the name
    /// shown is the business's sender name, else its name. `public_url` is
    /// the base of the links in the messages (`--public-url`).
    pub fn new(delivery: Delivery, mail_from: &str, public_url: &str) -> Result<Self, EmailConfigError> {
        // A bare address or `Name <address>`: only the address is kept, the
        // name is each business's.
        let from =
            mail_from.trim().parse::<Mailbox>().map_err(|_| EmailConfigError::MailFrom(mail_from.to_owned()))?.email;
        Ok(Self { from, links: Links::new(public_url), delivery })
    }

    /// Delivery by SMTP to the server of `smtp_url` (see `SmtpUrl`).
    pub fn smtp(smtp_url: &str, mail_from: &str, public_url: &str) -> Result<Self, EmailConfigError> {
        let smtp = Smtp::new(&SmtpUrl::parse(smtp_url)?)?;
        Self::new(Delivery::Smtp(smtp), mail_from, public_url)
    }

    /// Delivery as one `.eml` file per message under `folder` (the data
    /// folder's `correo/`).
    pub fn files(
        folder: impl Into<std::path::PathBuf>,
        mail_from: &str,
        public_url: &str,
    ) -> Result<Self, EmailConfigError> {
        Self::new(Delivery::Files(Files::new(folder)), mail_from, public_url)
    }

    /// Where mail goes, for the startup banner: `SMTP mail.example.com:587
    /// (STARTTLS)` or `files in /data/correo`. No credentials.
    pub fn describe(&self) -> String {
        match &self.delivery {
            Delivery::Smtp(smtp) => format!("servidor SMTP {}", smtp.describe()),
            Delivery::Files(files) => {
                format!("sin servidor SMTP: cada correo queda como archivo .eml en {}", files.folder().display())
            }
        }
    }

    /// The email `message` becomes (no delivery).
    pub fn compose(&self, message: &Message, settings: &NotificationSettings) -> Result<lettre::Message, SendError> {
        compose::compose(message, settings, &self.from, &self.links)
    }
}

#[async_trait]
impl Transport for EmailTransport {
    async fn send(&self, message: &Message, settings: &NotificationSettings) -> Result<Option<String>, SendError> {
        let email = self.compose(message, settings)?;
        match &self.delivery {
            Delivery::Smtp(smtp) => smtp.deliver(email).await,
            Delivery::Files(files) => files.deliver(message.id, &email.formatted()).await,
        }
    }
}
