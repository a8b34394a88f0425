//! A message as a MIME email: From the business's name at the configured
//! address, To the client, the stable Message-ID, text and HTML as
//! alternatives, and the calendar invite attached when the kind has one.

use ficha_domain::{MessageId, NotificationSettings};
use ficha_store::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};

use crate::SendError;
use crate::invite::{self, Organizer};
use crate::render::{self, Links};

/// The invite's attachment name.
pub const INVITE_FILE_NAME: &str = "invitacion.ics";

/// `<{id}@ficha>`: the same for every attempt at one outbox message.
pub fn message_id(id: MessageId) -> String {
    format!("<{id}@ficha>")
}

pub fn compose(
    message: &Message,
    settings: &NotificationSettings,
    from: &lettre::Address,
    links: &Links,
) -> Result<lettre::Message, SendError> {
    let facts = &message.facts;
    let sender = settings
        .sender_name
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .unwrap_or(&facts.business_name)
        .to_owned();
    // A malformed address will not get better by waiting.
    let to: lettre::Address = message.recipient.trim().parse().map_err(|e| {
        SendError::Permanent(format!("La dirección de correo no es válida: {} ({e})", message.recipient))
    })?;
    let client = facts.client_name.trim();
    let rendered = render::render(message, links);

    let body = MultiPart::alternative_plain_html(rendered.text, rendered.html);
    let organizer = Organizer { name: &sender, email: from.as_ref() };
    let body = match invite::invite(message, organizer, links) {
        Some(invite) => {
            let kind = ContentType::parse(&invite.content_type())
                .map_err(|e| SendError::Permanent(format!("Tipo de la invitación no válido: {e}")))?;
            MultiPart::mixed()
                .multipart(body)
                .singlepart(Attachment::new(INVITE_FILE_NAME.to_owned()).body(invite.ics, kind))
        }
        None => body,
    };

    lettre::Message::builder()
        .from(Mailbox::new(Some(sender), from.clone()))
        .to(Mailbox::new((!client.is_empty()).then(|| client.to_owned()), to))
        .subject(rendered.subject)
        .message_id(Some(message_id(message.id)))
        .multipart(body)
        .map_err(|e| SendError::Permanent(format!("No se pudo armar el correo: {e}")))
}

#[cfg(test)]
mod tests {
    use ficha_domain::NoticeKind;
    use mail_parser::MimeHeaders;

    use super::*;
    use crate::fixtures::{facts, message};

    fn compose_text(message: &Message, settings: &NotificationSettings) -> String {
        let from: lettre::Address = "reservas@alameda.cl".parse().expect("valid");
        let email = compose(message, settings, &from, &Links::new("http://127.0.0.1:8080")).expect("composes");
        String::from_utf8(email.formatted()).expect("utf-8")
    }

    #[test]
    fn headers_name_the_business_and_keep_the_message_id() {
        let m = message(NoticeKind::BookingCreated, facts());
        let raw = compose_text(&m, &NotificationSettings::default());
        let email = mail_parser::MessageParser::default().parse(raw.as_bytes()).expect("parses");
        let from = email.from().and_then(|a| a.first()).expect("a sender");
        assert_eq!((from.name(), from.address()), (Some("Clínica Alameda"), Some("reservas@alameda.cl")));
        let to = email.to().and_then(|a| a.first()).expect("a recipient");
        assert_eq!((to.name(), to.address()), (Some("Ana Pérez"), Some("ana@correo.cl")));
        assert_eq!(email.subject(), Some("Tu reserva en Clínica Alameda quedó agendada"));
        assert_eq!(email.message_id().map(str::to_owned), Some(format!("{}@ficha", m.id)));
        assert!(email.body_text(0).expect("text").contains("Fecha y hora: 10-12-2026 10:00"));
        assert!(email.body_html(0).expect("html").contains("10-12-2026 10:00"));
        let invite = email.attachments().next().expect("the invite");
        assert_eq!(invite.attachment_name(), Some("invitacion.ics"));
        let kind = invite.content_type().expect("typed");
        assert_eq!(
            (kind.ctype(), kind.subtype(), kind.attribute("method")),
            ("text", Some("calendar"), Some("REQUEST"))
        );
        // The mime crate writes the charset in lower case (equivalent, RFC 2045).
        assert!(raw.contains("Content-Type: text/calendar; method=REQUEST; charset=utf-8"), "{raw}");
        let ics = std::str::from_utf8(invite.contents()).expect("utf-8");
        assert_eq!(crate::invite::parse(ics).expect("parses").start_text, "20261210T130000Z");
    }

    #[test]
    fn a_sender_name_wins_over_the_business_name() {
        let m = message(NoticeKind::Reminder, facts());
        let settings = NotificationSettings { sender_name: Some("Reservas Alameda".into()), ..Default::default() };
        let text = compose_text(&m, &settings);
        assert!(text.contains("From: \"Reservas Alameda\" <reservas@alameda.cl>"), "{text}");
        // No invite for a reminder: only the two alternatives.
        assert!(!text.contains("multipart/mixed") && !text.contains("text/calendar"), "{text}");
    }

    #[test]
    fn a_malformed_recipient_is_permanent() {
        let mut m = message(NoticeKind::BookingCreated, facts());
        m.recipient = "no es un correo".into();
        let from: lettre::Address = "reservas@alameda.cl".parse().expect("valid");
        let refused = compose(&m, &NotificationSettings::default(), &from, &Links::new("http://x"));
        assert!(
            matches!(refused, Err(SendError::Permanent(reason)) if reason.starts_with("La dirección de correo no es válida"))
        );
    }
}
