//! Data-subject requests in Spanish: the rights, channels and states as the
//! panel, Mi cuenta and the privacy page name them.

use ficha_domain::{DataRight, RequestChannel, RequestEvent, RequestStatus};

use super::format::date;

pub fn right_label(right: DataRight) -> &'static str {
    match right {
        DataRight::Access => "Acceso",
        DataRight::Rectification => "Rectificación",
        DataRight::Erasure => "Supresión",
        DataRight::Opposition => "Oposición",
        DataRight::Portability => "Portabilidad",
        DataRight::Blocking => "Bloqueo",
    }
}

/// What exercising the right asks for, in the requester's words.
pub fn right_hint(right: DataRight) -> &'static str {
    match right {
        DataRight::Access => "Saber qué datos tuyos guardamos y recibir una copia.",
        DataRight::Rectification => "Corregir datos tuyos que están mal o incompletos.",
        DataRight::Erasure => "Eliminar tus datos cuando ya no corresponde guardarlos.",
        DataRight::Opposition => "Que dejemos de usar tus datos para algo (por ejemplo, mensajes o recordatorios).",
        DataRight::Portability => "Recibir tus datos en un archivo para llevarlos a otro lugar.",
        DataRight::Blocking => "Suspender por un tiempo el uso de tus datos mientras se revisa algo.",
    }
}

pub fn channel_label(channel: RequestChannel) -> &'static str {
    match channel {
        RequestChannel::Account => "Mi cuenta",
        RequestChannel::PrivacyPage => "Página de privacidad",
        RequestChannel::Email => "Correo",
        RequestChannel::Phone => "Teléfono",
        RequestChannel::InPerson => "Presencial",
    }
}

pub fn status_label(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Received => "Recibida",
        RequestStatus::InProgress => "En curso",
        RequestStatus::Answered => "Respondida",
        RequestStatus::Refused => "Rechazada",
    }
}

/// A history entry's before and after: "Recibida (plazo 13-04-2026)",
/// "Recibida" → "En curso", "Plazo extendido al 13-05-2026: motivo".
pub fn event_values(event: &RequestEvent) -> (Option<String>, Option<String>) {
    match event {
        RequestEvent::Received { due_on } => (None, Some(format!("Recibida (plazo {})", date(*due_on)))),
        RequestEvent::Moved { from, to } => (Some(status_label(*from).to_owned()), Some(status_label(*to).to_owned())),
        RequestEvent::Extended { due_on, reason } => {
            (None, Some(format!("Plazo extendido al {}: {reason}", date(*due_on))))
        }
    }
}
