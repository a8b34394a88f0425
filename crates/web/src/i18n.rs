//! The words people read. Spanish (es-CL) is the default; English is served to
//! clients that ask for it with `Accept-Language`.

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Es,
    En,
}

impl Lang {
    /// The preferred of the languages we speak, by the header's q-values;
    /// Spanish when the header names neither.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let Some(header) = headers.get(ACCEPT_LANGUAGE).and_then(|h| h.to_str().ok()) else {
            return Self::Es;
        };
        let mut best: Option<(f32, Self)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            let lang = match tag.split('-').next() {
                Some("es") => Self::Es,
                Some("en") => Self::En,
                _ => continue,
            };
            if best.is_none_or(|(best_q, _)| q > best_q) {
                best = Some((q, lang));
            }
        }
        best.map_or(Self::Es, |(_, lang)| lang)
    }

    /// Picks the text of this language.
    pub fn pick<'a>(self, es: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Es => es,
            Self::En => en,
        }
    }
}

/// How a field is called in messages.
pub fn field_label(field: &str, lang: Lang) -> &str {
    let (es, en) = match field {
        "name" => ("nombre", "name"),
        "email" => ("correo electrónico", "email"),
        "phone" => ("teléfono", "phone"),
        "rut" => ("RUT", "RUT"),
        "birth_date" => ("fecha de nacimiento", "birth date"),
        "registered_at" => ("fecha de registro", "registration date"),
        "last_booking_at" => ("fecha de última reserva", "last booking date"),
        "password" => ("contraseña", "password"),
        "business" => ("negocio", "business"),
        "duration_minutes" => ("duración (minutos)", "duration (minutes)"),
        "price_clp" => ("precio (pesos)", "price (pesos)"),
        "sessions" => ("sesiones", "sessions"),
        "professional_ids" => ("profesionales", "professionals"),
        "client_id" => ("cliente", "client"),
        "service_id" => ("servicio", "service"),
        "professional_id" => ("profesional", "professional"),
        "start" => ("inicio", "start"),
        "end" => ("término", "end"),
        "state" => ("estado", "state"),
        "origin" => ("origen", "origin"),
        "attendance" => ("asistencia", "attendance"),
        "paid" => ("pagada", "paid"),
        "amount" => ("monto", "amount"),
        "method" => ("medio de pago", "payment method"),
        "date" => ("fecha", "date"),
        "when" => ("cuándo", "when"),
        "view" => ("vista", "view"),
        "days_off" => ("días libres", "days off"),
        "monday" => ("lunes", "Monday"),
        "tuesday" => ("martes", "Tuesday"),
        "wednesday" => ("miércoles", "Wednesday"),
        "thursday" => ("jueves", "Thursday"),
        "friday" => ("viernes", "Friday"),
        "saturday" => ("sábado", "Saturday"),
        "sunday" => ("domingo", "Sunday"),
        "text" => ("texto", "text"),
        "reason" => ("motivo", "reason"),
        "kind" => ("tipo", "kind"),
        "status" => ("estado", "status"),
        "sender_name" => ("nombre del remitente", "sender name"),
        "reminder_lead_minutes" => ("anticipación del recordatorio (minutos)", "reminder lead (minutes)"),
        "whatsapp" => ("WhatsApp", "WhatsApp"),
        "reminders" => ("recordatorios", "reminders"),
        "whatsapp.enabled" => ("WhatsApp activado", "WhatsApp enabled"),
        "whatsapp.phone_number_id" => ("identificador del número de WhatsApp", "WhatsApp phone-number id"),
        "whatsapp.access_token" => ("token de acceso de WhatsApp", "WhatsApp access token"),
        "whatsapp.templates" => ("plantillas de WhatsApp", "WhatsApp templates"),
        // The public API's booking request: `client.name` reads as `name`.
        "service" => ("servicio", "service"),
        "professional" => ("profesional", "professional"),
        "client" => ("datos del cliente", "client data"),
        "from" => ("desde", "from"),
        "days" => ("días", "days"),
        other => match (template_label(other), other.strip_prefix("client.")) {
            (Some(words), _) => words,
            (None, Some(inner)) => return field_label(inner, lang),
            (None, None) => return field,
        },
    };
    lang.pick(es, en)
}

/// `whatsapp.templates.<kind>.name` / `.language`: the template of one
/// kind of message.
fn template_label(field: &str) -> Option<(&'static str, &'static str)> {
    let (kind, part) = field.strip_prefix("whatsapp.templates.")?.rsplit_once('.')?;
    let words = match (kind, part) {
        ("booking_created", "name") => {
            ("nombre de la plantilla de «Reserva creada»", "template name for “booking created”")
        }
        ("booking_created", "language") => {
            ("idioma de la plantilla de «Reserva creada»", "template language for “booking created”")
        }
        ("booking_confirmed", "name") => {
            ("nombre de la plantilla de «Reserva confirmada»", "template name for “booking confirmed”")
        }
        ("booking_confirmed", "language") => {
            ("idioma de la plantilla de «Reserva confirmada»", "template language for “booking confirmed”")
        }
        ("booking_cancelled", "name") => {
            ("nombre de la plantilla de «Reserva anulada»", "template name for “booking cancelled”")
        }
        ("booking_cancelled", "language") => {
            ("idioma de la plantilla de «Reserva anulada»", "template language for “booking cancelled”")
        }
        ("booking_rescheduled", "name") => {
            ("nombre de la plantilla de «Reserva reagendada»", "template name for “booking rescheduled”")
        }
        ("booking_rescheduled", "language") => {
            ("idioma de la plantilla de «Reserva reagendada»", "template language for “booking rescheduled”")
        }
        ("reminder", "name") => ("nombre de la plantilla de «Recordatorio»", "template name for “reminder”"),
        ("reminder", "language") => ("idioma de la plantilla de «Recordatorio»", "template language for “reminder”"),
        ("shared_note", "name") => ("nombre de la plantilla de «Nota compartida»", "template name for “shared note”"),
        ("shared_note", "language") => {
            ("idioma de la plantilla de «Nota compartida»", "template language for “shared note”")
        }
        _ => return None,
    };
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn lang_of(header: &str) -> Lang {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(header).expect("valid header"));
        Lang::from_headers(&headers)
    }

    #[test]
    fn spanish_unless_english_is_preferred() {
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::Es);
        assert_eq!(lang_of("en"), Lang::En);
        assert_eq!(lang_of("en-US,en;q=0.9"), Lang::En);
        assert_eq!(lang_of("es-CL,es;q=0.9,en;q=0.8"), Lang::Es);
        assert_eq!(lang_of("en;q=0.5,es-CL;q=0.9"), Lang::Es);
        assert_eq!(lang_of("fr-FR"), Lang::Es);
        assert_eq!(lang_of("fr, en;q=0.3"), Lang::En);
    }
}
