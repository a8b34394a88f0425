//! What people read when a booking rule says no.

use ficha_domain::BookingRule;

use crate::i18n::Lang;

pub fn rule_title(rule: &BookingRule) -> (&'static str, &'static str) {
    match rule {
        BookingRule::EndNotAfterStart => {
            ("El término debe ser posterior al inicio.", "The end must be after the start.")
        }
        BookingRule::TooLong => {
            ("Una reserva no puede durar más de 12 horas.", "A booking cannot last more than 12 hours.")
        }
        BookingRule::InThePast => ("Esa hora ya pasó.", "That time has passed."),
        BookingRule::OutsideWorkingHours => {
            ("Fuera del horario de atención del profesional.", "Outside the professional's working hours.")
        }
        BookingRule::OverrideNotAllowed => {
            ("Solo el personal puede reservar fuera de horario.", "Only staff may book outside the agenda.")
        }
        BookingRule::ServiceNotPerformed => {
            ("El profesional no realiza este servicio.", "The professional does not perform this service.")
        }
        BookingRule::Overlap { .. } => {
            ("El profesional ya tiene una reserva a esa hora.", "The professional already has a booking then.")
        }
        BookingRule::StartRequired => ("Falta la fecha y hora de inicio.", "The start date and time are missing."),
        BookingRule::ProfessionalRequired => ("Falta el profesional.", "The professional is missing."),
        BookingRule::ClientUnknown => ("El cliente no existe en este negocio.", "No such client in this business."),
        BookingRule::ServiceUnknown => ("El servicio no existe en este negocio.", "No such service in this business."),
        BookingRule::ProfessionalUnknown => {
            ("El profesional no existe en este negocio.", "No such professional in this business.")
        }
        BookingRule::Transition { .. } => {
            ("La reserva no puede pasar a ese estado.", "The booking cannot move to that state.")
        }
        BookingRule::NotScheduled => ("La sesión aún no tiene fecha.", "The session has no date yet."),
        BookingRule::AttendanceBeforeStart => {
            ("La asistencia se marca una vez comenzada la cita.", "Attendance is marked once the booking has started.")
        }
        BookingRule::AttendanceOnCancelled => {
            ("Una reserva anulada no tiene asistencia.", "A cancelled booking has no attendance.")
        }
        BookingRule::AttendanceMarked => ("La asistencia ya está marcada.", "Attendance is already marked."),
        BookingRule::PaidInFuture => {
            ("La fecha de pago no puede ser futura.", "The payment date cannot be in the future.")
        }
        BookingRule::AmountNotPositive => {
            ("El monto pagado debe ser mayor que cero.", "The amount paid must be more than zero.")
        }
        BookingRule::AmountTooLarge => (
            "El monto pagado puede ser como máximo $1.000.000.000 (mil millones de pesos).",
            "The amount paid can be at most $1,000,000,000 (a thousand million pesos).",
        ),
        BookingRule::PaidOutOfRange => {
            ("La fecha de pago debe estar entre 1900 y 2100.", "The payment date must be between 1900 and 2100.")
        }
        BookingRule::OutOfRange => (
            "La fecha de la reserva debe estar entre 1900 y 2100.",
            "The booking's date must be between 1900 and 2100.",
        ),
    }
}

fn state_name(state: ficha_domain::BookingState, lang: Lang) -> &'static str {
    use ficha_domain::BookingState::*;
    match (state, lang) {
        (Pending, Lang::Es) => "pendiente",
        (Confirmed, Lang::Es) => "confirmada",
        (Cancelled, Lang::Es) => "anulada",
        (Pending, Lang::En) => "pending",
        (Confirmed, Lang::En) => "confirmed",
        (Cancelled, Lang::En) => "cancelled",
    }
}

pub fn rule_detail(rule: &BookingRule, lang: Lang) -> Option<String> {
    let text = match rule {
        BookingRule::InThePast | BookingRule::OutsideWorkingHours => lang
            .pick(
                "Elige un horario disponible, o si eres parte del personal y quieres reservarla igual, envía \"override\": true.",
                "Choose a free slot or, as staff booking it anyway, send \"override\": true.",
            )
            .to_owned(),
        BookingRule::OverrideNotAllowed => lang
            .pick(
                "Las reservas del sitio de reservas solo pueden usar horarios disponibles.",
                "Bookings from the booking site can only take free slots.",
            )
            .to_owned(),
        BookingRule::ServiceNotPerformed => lang
            .pick(
                "Elige uno de los profesionales del servicio, o agrega este profesional al servicio.",
                "Choose one of the service's professionals, or add this professional to the service.",
            )
            .to_owned(),
        BookingRule::Overlap { with } => match lang {
            Lang::Es => format!("Choca con la reserva {with}. Elige otro horario u otro profesional."),
            Lang::En => format!("It collides with booking {with}. Choose another time or professional."),
        },
        BookingRule::StartRequired => lang
            .pick(
                "Solo los packs de sesiones se pueden comprar sin fecha; envía \"start\".",
                "Only packs of sessions can be bought without a date; send \"start\".",
            )
            .to_owned(),
        BookingRule::ProfessionalRequired => {
            lang.pick("Con fecha y hora, envía también \"professional_id\".", "With a start, send \"professional_id\" too.").to_owned()
        }
        BookingRule::Transition { from, to } => match lang {
            Lang::Es => format!(
                "Una reserva {} no puede quedar {}. Una anulada se puede volver a agendar con reschedule.",
                state_name(*from, lang),
                state_name(*to, lang)
            ),
            Lang::En => format!(
                "A {} booking cannot become {}. A cancelled one can be put back with reschedule.",
                state_name(*from, lang),
                state_name(*to, lang)
            ),
        },
        BookingRule::AttendanceMarked => lang
            .pick(
                "Una reserva con asistencia marcada ya ocurrió: no se puede anular ni mover. Corrige antes la asistencia.",
                "A booking with attendance marked has happened: it cannot be cancelled or moved. Correct the attendance first.",
            )
            .to_owned(),
        _ => return None,
    };
    Some(text)
}
