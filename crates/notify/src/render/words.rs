//! What each kind of message says, in Spanish (es-CL, "tú"). One function
//! per kind; the details and links every booking message shares are put
//! together once, in `Told`.

use ficha_domain::{BookingFacts, Facts, NoticeKind};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::letter::{Action, Detail, Letter};
use super::{Links, when};

/// The facts of one message, with its zone and links at hand.
struct Told<'a> {
    facts: &'a Facts,
    links: &'a Links,
    zone: TimeZone,
}

pub fn letter(kind: NoticeKind, facts: &Facts, links: &Links) -> Letter {
    let told = Told { facts, links, zone: when::zone(&facts.time_zone) };
    let mut letter = match (kind, facts.booking.as_ref()) {
        (NoticeKind::SignInLink, _) => told.sign_in(),
        (NoticeKind::PasswordReset, _) => told.password_reset(),
        (NoticeKind::EmailChange, _) => told.email_change(),
        (NoticeKind::PrivacyCode, _) => told.privacy_code(),
        (NoticeKind::DataRequestReceived | NoticeKind::DataRequestAnswered, _) => {
            super::data_request::letter(kind, facts, links)
        }
        (NoticeKind::BookingCreated, Some(b)) => told.created(b),
        (NoticeKind::BookingConfirmed, Some(b)) => told.confirmed(b),
        (NoticeKind::BookingCancelled, Some(b)) => told.cancelled(b),
        (NoticeKind::BookingRescheduled, Some(b)) => told.rescheduled(b),
        (NoticeKind::Reminder, Some(b)) => told.reminder(b),
        (NoticeKind::SharedNote, Some(b)) => told.shared_note(b),
        // A booking kind always carries its booking (the outbox flow writes
        // it); should one ever come without, it still says something true.
        (_, None) => told.without_booking(kind),
    };
    letter.greeting = greeting(&facts.client_name);
    letter.signature = facts.business_name.clone();
    letter.subject = one_line(&letter.subject);
    letter
}

fn greeting(client_name: &str) -> String {
    let name = client_name.trim();
    if name.is_empty() { "Hola:".to_owned() } else { format!("Hola {name}:") }
}

/// A subject is one header line: no line breaks or other control characters
/// from a name typed with them.
fn one_line(text: &str) -> String {
    text.split(char::is_control).filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ")
}

/// `$25.000`: pesos with the thousands separated by dots, as in Chile.
fn pesos(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    if amount < 0 { format!("-${grouped}") } else { format!("${grouped}") }
}

impl Told<'_> {
    fn business(&self) -> &str {
        &self.facts.business_name
    }

    /// A time on the business's wall clock, or "por agendar".
    fn at(&self, at: Option<Timestamp>) -> String {
        at.map_or_else(|| when::UNSCHEDULED.to_owned(), |at| when::local(at, &self.zone))
    }

    fn service(&self, booking: &BookingFacts) -> String {
        match booking.pack {
            Some((number, of)) => format!("{} (sesión {number} de {of})", booking.service),
            None => booking.service.clone(),
        }
    }

    /// Service, professional and time: what every booking message lists.
    fn details(&self, booking: &BookingFacts) -> Vec<Detail> {
        let mut details = vec![Detail { label: "Servicio", value: self.service(booking) }];
        if let Some(professional) = &booking.professional {
            details.push(Detail { label: "Profesional", value: professional.clone() });
        }
        details.push(Detail { label: "Fecha y hora", value: self.at(booking.start) });
        details
    }

    /// The booking's manage link when the change captured one, the client's
    /// area, and the booking site.
    fn actions(&self, rebook: &'static str) -> Vec<Action> {
        let slug = &self.facts.business_slug;
        let mut actions = Vec::new();
        if let Some(link) = &self.facts.link {
            actions.push(Action { label: "Ver o cambiar tu reserva", url: self.links.path(link) });
        }
        actions.push(Action { label: "Mi cuenta", url: self.links.account(slug) });
        actions.push(Action { label: rebook, url: self.links.site(slug) });
        actions
    }

    /// Said after a change that left the booking still unconfirmed.
    fn still_pending(&self, booking: &BookingFacts) -> Option<String> {
        (booking.state == "pending").then(|| format!("Tu reserva aún espera la confirmación de {}.", self.business()))
    }

    fn booking_letter(&self, subject: String, paragraphs: Vec<String>, booking: &BookingFacts) -> Letter {
        Letter {
            subject,
            paragraphs,
            details: self.details(booking),
            actions: self.actions("Reservar otra hora"),
            ..Letter::default()
        }
    }

    fn created(&self, booking: &BookingFacts) -> Letter {
        let b = self.business();
        let (subject, lead) = match (booking.start, booking.state.as_str()) {
            (None, _) => (
                format!("Tu reserva en {b} quedó registrada"),
                format!("Tu reserva de {} en {b} quedó registrada; su fecha está por agendar.", booking.service),
            ),
            (Some(_), "pending") => (
                format!("Tu reserva en {b} espera confirmación"),
                format!("Recibimos tu reserva en {b}. Queda pendiente hasta que {b} la confirme; te avisaremos."),
            ),
            (Some(_), _) => (format!("Tu reserva en {b} quedó agendada"), format!("Tu reserva en {b} quedó agendada.")),
        };
        let mut letter = self.booking_letter(subject, vec![lead], booking);
        if booking.price > 0 && booking.pack.is_none() {
            letter.details.push(Detail { label: "Valor", value: pesos(booking.price) });
        }
        letter
    }

    fn confirmed(&self, booking: &BookingFacts) -> Letter {
        let b = self.business();
        self.booking_letter(
            format!("{b} confirmó tu reserva"),
            vec![format!("{b} confirmó tu reserva. ¡Te esperamos!")],
            booking,
        )
    }

    fn cancelled(&self, booking: &BookingFacts) -> Letter {
        let b = self.business();
        let mut letter = self.booking_letter(
            format!("Tu reserva en {b} fue cancelada"),
            vec![format!("Tu reserva en {b} fue cancelada."), "Si quieres, puedes reservar otra hora.".to_owned()],
            booking,
        );
        // A cancelled booking has nothing left to manage.
        letter.actions.retain(|action| action.label != "Ver o cambiar tu reserva");
        letter
    }

    fn rescheduled(&self, booking: &BookingFacts) -> Letter {
        let b = self.business();
        let new = self.at(booking.start);
        let (subject, lead) = match booking.previous_start {
            // A pack session getting its date.
            None => match booking.pack {
                Some((number, of)) => (
                    format!("Tu sesión en {b} quedó agendada"),
                    format!("Tu sesión {number} de {of} de {} en {b} quedó agendada para el {new}.", booking.service),
                ),
                None => (
                    format!("Tu reserva en {b} quedó agendada"),
                    format!("Tu reserva en {b} quedó agendada para el {new}."),
                ),
            },
            // Same time, another professional.
            Some(old) if booking.start == Some(old) => (
                format!("Tu reserva en {b} cambió"),
                format!("Tu reserva en {b} cambió; estos son sus datos actualizados."),
            ),
            Some(old) => (
                format!("Tu reserva en {b} cambió de hora"),
                format!("Tu reserva en {b} cambió del {} al {new}.", self.at(Some(old))),
            ),
        };
        let mut paragraphs = vec![lead];
        paragraphs.extend(self.still_pending(booking));
        let mut letter = self.booking_letter(subject, paragraphs, booking);
        if let Some(old) = booking.previous_start.filter(|old| booking.start != Some(*old)) {
            letter.details.push(Detail { label: "Antes", value: self.at(Some(old)) });
        }
        letter
    }

    fn reminder(&self, booking: &BookingFacts) -> Letter {
        let b = self.business();
        let mut paragraphs = vec![format!("Te recordamos tu reserva en {b}.")];
        paragraphs.extend(self.still_pending(booking));
        let mut letter = self.booking_letter(
            format!("Recordatorio: tu reserva en {b} el {}", self.at(booking.start)),
            paragraphs,
            booking,
        );
        letter.closing.push("Si no puedes asistir, avísanos o cancela tu reserva con tiempo.".to_owned());
        letter
    }

    fn shared_note(&self, booking: &BookingFacts) -> Letter {
        let b = self.business();
        let mut letter = self.booking_letter(
            format!("{b} te dejó una nota sobre tu reserva"),
            vec![format!("{b} te dejó una nota sobre tu reserva del {}:", self.at(booking.start))],
            booking,
        );
        letter.note = Some(self.facts.note.clone().unwrap_or_default());
        letter
    }

    /// An account message's link and the client's area.
    fn account_letter(&self, subject: String, lead: String, label: &'static str, closing: &str) -> Letter {
        let mut actions = Vec::new();
        if let Some(link) = &self.facts.link {
            actions.push(Action { label, url: self.links.path(link) });
        }
        Letter { subject, paragraphs: vec![lead], actions, closing: vec![closing.to_owned()], ..Letter::default() }
    }

    fn sign_in(&self) -> Letter {
        let b = self.business();
        let lead = match &self.facts.code {
            Some(_) => format!("Para entrar a tu cuenta en {b}, abre este enlace o escribe el código."),
            None => format!("Para entrar a tu cuenta en {b}, abre este enlace."),
        };
        let mut letter = self.account_letter(
            format!("Tu enlace para entrar a {b}"),
            lead,
            "Entrar",
            "El enlace y el código sirven una sola vez, durante 15 minutos. Si no lo pediste, ignora este correo.",
        );
        letter.code = self.facts.code.clone();
        letter
    }

    fn password_reset(&self) -> Letter {
        let b = self.business();
        self.account_letter(
            format!("Cambia tu contraseña en {b}"),
            format!("Pediste cambiar tu contraseña en {b}. Para elegir una nueva, abre este enlace."),
            "Elegir una nueva contraseña",
            "Si no lo pediste, ignora este correo: tu contraseña sigue siendo la misma.",
        )
    }

    fn email_change(&self) -> Letter {
        let b = self.business();
        self.account_letter(
            format!("Confirma tu nuevo correo en {b}"),
            format!("Para usar esta dirección en tu cuenta de {b}, confírmala abriendo este enlace."),
            "Confirmar mi correo",
            "Si no lo pediste, ignora este correo: tu cuenta sigue con su dirección anterior.",
        )
    }

    fn privacy_code(&self) -> Letter {
        let b = self.business();
        let mut letter = self.account_letter(
            format!("Tu código para enviar una solicitud a {b}"),
            format!("Para confirmar tu correo y enviar tu solicitud sobre tus datos a {b}, escribe este código."),
            "Abrir la página de privacidad",
            "El código sirve una sola vez, durante 15 minutos. Si no lo pediste, ignora este correo.",
        );
        letter.code = self.facts.code.clone();
        letter
    }

    fn without_booking(&self, kind: NoticeKind) -> Letter {
        let b = self.business();
        Letter {
            subject: format!("Aviso de {b}: {}", super::kind_label(kind)),
            paragraphs: vec![format!("{b} te envía este aviso: {}.", super::kind_label(kind))],
            actions: self.actions("Sitio de reservas"),
            ..Letter::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pesos_group_thousands_with_dots() {
        assert_eq!(pesos(0), "$0");
        assert_eq!(pesos(990), "$990");
        assert_eq!(pesos(25_000), "$25.000");
        assert_eq!(pesos(1_250_000), "$1.250.000");
    }

    #[test]
    fn a_subject_is_one_line() {
        assert_eq!(one_line("Tu reserva en Clínica\r\nBcc: x"), "Tu reserva en Clínica Bcc: x");
    }
}
