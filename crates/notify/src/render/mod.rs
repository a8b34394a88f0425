//! A message's Spanish (es-CL) words, from the facts captured when it was
//! written: the email's subject, plain text and HTML (`render`), and a
//! WhatsApp template's body parameters (`template_parameters`). Rendering
//! reads nothing but the message and the public URL, so a message says the
//! same whenever it is sent, and a resend says it again word for word.

mod data_request;
mod letter;
mod parameters;
pub mod when;
mod words;

use ficha_domain::NoticeKind;
use ficha_store::Message;

pub use letter::{Action, Detail, Letter};
pub use parameters::template_parameters;

/// A message ready for an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Where the client's links point: the installation's public base URL
/// (`--public-url`, e.g. `http://127.0.0.1:8080`), without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    base: String,
}

impl Links {
    pub fn new(public_url: &str) -> Self {
        Self { base: public_url.trim_end_matches('/').to_owned() }
    }

    /// The business's booking site: `{base}/reservar/{slug}`.
    pub fn site(&self, slug: &str) -> String {
        format!("{}/reservar/{slug}", self.base)
    }

    /// The client's area: `{base}/reservar/{slug}/mi-cuenta`.
    pub fn account(&self, slug: &str) -> String {
        format!("{}/reservar/{slug}/mi-cuenta", self.base)
    }

    /// A path the change captured (sign-in, reset, verification, manage).
    pub fn path(&self, path: &str) -> String {
        if path.starts_with('/') { format!("{}{path}", self.base) } else { format!("{}/{path}", self.base) }
    }
}

/// The message's words as an email.
pub fn render(message: &Message, links: &Links) -> Rendered {
    let letter = letter(message, links);
    Rendered { subject: letter.subject.clone(), text: letter.text(), html: letter.html() }
}

/// The message's words before they become text or HTML.
pub fn letter(message: &Message, links: &Links) -> Letter {
    words::letter(message.kind, &message.facts, links)
}

/// What a kind of message is called in Spanish (settings, errors).
pub fn kind_label(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::BookingCreated => "reserva agendada",
        NoticeKind::BookingConfirmed => "reserva confirmada",
        NoticeKind::BookingCancelled => "reserva cancelada",
        NoticeKind::BookingRescheduled => "reserva reagendada",
        NoticeKind::Reminder => "recordatorio",
        NoticeKind::SharedNote => "nota compartida",
        NoticeKind::SignInLink => "enlace para entrar",
        NoticeKind::PasswordReset => "cambio de contraseña",
        NoticeKind::EmailChange => "verificación de correo",
        NoticeKind::PrivacyCode => "código de privacidad",
        NoticeKind::DataRequestReceived => "solicitud de datos recibida",
        NoticeKind::DataRequestAnswered => "solicitud de datos respondida",
    }
}

#[cfg(test)]
pub(crate) mod tests;
