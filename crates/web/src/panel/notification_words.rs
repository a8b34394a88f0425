//! How messages of the outbox read in the panel: statuses, channels and
//! kinds in Spanish, and one message as a row of the lists (the
//! business-wide "Notificaciones" and the profile's section).

use ficha_domain::{Channel, MessageStatus, NoticeKind};
use ficha_store::{Delivery, Message};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::format::date_time;
use crate::api::notifications::view::summary;

pub fn status_label(status: MessageStatus) -> &'static str {
    match status {
        MessageStatus::Pending => "Pendiente",
        MessageStatus::Sending => "Enviando",
        MessageStatus::Sent => "Enviado",
        MessageStatus::Failed => "Fallido",
        MessageStatus::Cancelled => "Anulado",
    }
}

pub fn channel_label(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "Correo",
        Channel::Whatsapp => "WhatsApp",
    }
}

pub fn kind_label(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::BookingCreated => "Reserva creada",
        NoticeKind::BookingConfirmed => "Reserva confirmada",
        NoticeKind::BookingCancelled => "Reserva anulada",
        NoticeKind::BookingRescheduled => "Reserva reagendada",
        NoticeKind::Reminder => "Recordatorio",
        NoticeKind::SharedNote => "Nota compartida",
        NoticeKind::SignInLink => "Enlace de acceso",
        NoticeKind::PasswordReset => "Restablecer contraseña",
        NoticeKind::EmailChange => "Verificar correo",
        NoticeKind::PrivacyCode => "Código de privacidad",
        NoticeKind::DataRequestReceived => "Solicitud de datos recibida",
        NoticeKind::DataRequestAnswered => "Solicitud de datos respondida",
    }
}

/// What the provider said after taking it (WhatsApp reports).
fn delivery_label(delivery: Delivery) -> &'static str {
    match delivery {
        Delivery::Sent => "",
        Delivery::Delivered => "Entregado",
        Delivery::Read => "Leído",
        Delivery::Failed => "No entregado",
    }
}

/// The statuses to filter by, with "all" first.
pub const STATUS_CHOICES: &[(&str, &str)] = &[
    ("", "Todos los estados"),
    ("pending", "Pendiente"),
    ("sending", "Enviando"),
    ("sent", "Enviado"),
    ("failed", "Fallido"),
    ("cancelled", "Anulado"),
];

/// One message as the lists show it.
#[derive(Clone)]
pub struct MessageRow {
    pub id: String,
    pub client_name: String,
    pub client_href: Option<String>,
    pub channel: &'static str,
    pub recipient: String,
    pub kind: &'static str,
    /// The service and time, or a shared note's start; may be empty.
    pub summary: String,
    /// When it was written to the outbox, `dd-mm-aaaa HH:MM`.
    pub when: String,
    /// When it went, or will go later: "Enviado …", "Sale …" (a reminder),
    /// "Reintento …" (after a temporary failure).
    pub when_note: String,
    pub status: &'static str,
    /// The status's API name, for the badge's colour.
    pub status_class: &'static str,
    pub delivery: &'static str,
    pub attempts: u32,
    pub error: String,
    /// Only failed messages may be sent again.
    pub resendable: bool,
}

impl MessageRow {
    /// `now`: a pending message due by then is simply in the queue.
    pub fn new(message: &Message, zone: &TimeZone, now: Timestamp) -> Self {
        let later = message.next_attempt_at > now;
        let when_note = match message.status {
            MessageStatus::Sent => message.sent_at.map(|at| format!("Enviado {}", date_time(at, zone))),
            MessageStatus::Pending if later && message.attempts > 0 => {
                Some(format!("Reintento {}", date_time(message.next_attempt_at, zone)))
            }
            MessageStatus::Pending if later => Some(format!("Sale {}", date_time(message.next_attempt_at, zone))),
            _ => None,
        };
        Self {
            id: message.id.to_string(),
            client_name: message.facts.client_name.clone(),
            client_href: message.client.map(|c| format!("/clientes/{c}")),
            channel: channel_label(message.channel),
            recipient: message.recipient.clone(),
            kind: kind_label(message.kind),
            summary: summary(&message.facts, zone).unwrap_or_default(),
            when: date_time(message.created_at, zone),
            when_note: when_note.unwrap_or_default(),
            status: status_label(message.status),
            status_class: message.status.as_str(),
            delivery: message.delivery.map_or("", delivery_label),
            attempts: message.attempts,
            error: message.last_error.clone().unwrap_or_default(),
            resendable: message.status == MessageStatus::Failed,
        }
    }
}
