//! Chile's Ley 21.719 on the booking site: the business's privacy notice
//! (versioned; the product ships a default until the owner writes one) and
//! what a client accepted with each booking.

use jiff::Timestamp;

use crate::StaffId;
use crate::field_error::FieldError;

/// The notice a business's clients read until its owner writes one. Written
/// for any appointment business in Chile; the owner should replace it with
/// their own (name, address, purposes, how long data is kept).
pub const DEFAULT_NOTICE: &str = "\
Aviso de privacidad

Este negocio usa tus datos (nombre, correo, teléfono, RUT y lo que escribas \
al reservar) solo para agendar y atender tus reservas, enviarte avisos sobre \
ellas y llevar tu ficha de cliente.

No vendemos ni cedemos tus datos a terceros. Los guarda Ficha, el sistema de \
reservas que usamos, por encargo nuestro.

Si aceptas recibir mensajes por WhatsApp, los usaremos solo para avisos de tus \
reservas. Puedes dejar de recibirlos cuando quieras.

Según la Ley 21.719 puedes pedir acceso, rectificación, supresión, oposición, \
portabilidad y bloqueo de tus datos. Escríbenos o usa Mi cuenta en este sitio \
de reservas.";

/// The text of a privacy notice as the owner wrote it: trimmed, line breaks
/// kept, 1 to 20 000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeText(String);

impl NoticeText {
    pub const MAX_CHARS: usize = 20_000;

    pub fn parse(text: &str) -> Result<Self, FieldError> {
        // Checked before trimming, which would drop a trailing form feed.
        if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err(FieldError::ControlCharacters);
        }
        let text = text.trim();
        match text.chars().count() {
            0 => Err(FieldError::Required),
            n if n > Self::MAX_CHARS => Err(FieldError::TooLong { max: Self::MAX_CHARS }),
            _ => Ok(Self(text.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One version of a business's notice. Never changed once stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacyNotice {
    /// 1, 2, 3… per business.
    pub version: u32,
    pub text: String,
    /// The product's default text ("aviso por defecto").
    pub is_default: bool,
    /// Who wrote it: `None` for the default.
    pub author: Option<(StaffId, String)>,
    /// When it was stored; `None` for the default not yet accepted by anyone
    /// (it is stored with the first booking that accepts it).
    pub written_at: Option<Timestamp>,
}

impl PrivacyNotice {
    /// The default notice of a business that has none stored: version 1.
    pub fn default_unstored() -> Self {
        Self { version: 1, text: DEFAULT_NOTICE.to_owned(), is_default: true, author: None, written_at: None }
    }
}

/// What a client accepts when booking online: the notice version they read,
/// and whether they want WhatsApp messages (only counted when the business
/// sends them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acceptance {
    pub notice_version: u32,
    pub whatsapp_opt_in: bool,
}

/// A booking's recorded consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consent {
    pub notice_version: u32,
    pub accepted_at: Timestamp,
    /// `None`: not asked (the business did not send WhatsApp messages then).
    pub whatsapp_opt_in: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_is_trimmed_text_with_its_line_breaks() {
        let text = NoticeText::parse("  Aviso\n\nUsamos tus datos.  ").expect("valid");
        assert_eq!(text.as_str(), "Aviso\n\nUsamos tus datos.");
        assert_eq!(NoticeText::parse("   "), Err(FieldError::Required));
        assert_eq!(NoticeText::parse("a\u{0}b"), Err(FieldError::ControlCharacters));
        assert_eq!(NoticeText::parse("aviso\u{c}"), Err(FieldError::ControlCharacters));
        let long = "a".repeat(NoticeText::MAX_CHARS + 1);
        assert_eq!(NoticeText::parse(&long), Err(FieldError::TooLong { max: NoticeText::MAX_CHARS }));
    }

    #[test]
    fn the_default_is_version_one_and_a_valid_text() {
        let default = PrivacyNotice::default_unstored();
        assert_eq!(default.version, 1);
        assert!(default.is_default);
        assert!(NoticeText::parse(&default.text).is_ok());
    }
}
