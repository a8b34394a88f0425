//! How a booking's facts read in the panel: states, payment, attendance,
//! origin and money in Spanish, and one booking as a row of a list.

use std::collections::HashMap;

use ficha_domain::{
    Attendance, Booking, BookingRule, BookingState, Origin, Payment, PaymentMethod, Service, ServiceId, Staff, StaffId,
};
use jiff::tz::TimeZone;

use super::format::{date, date_time};

pub fn state_label(state: BookingState) -> &'static str {
    match state {
        BookingState::Pending => "Pendiente",
        BookingState::Confirmed => "Confirmada",
        BookingState::Cancelled => "Anulada",
    }
}

pub fn attendance_label(attendance: Attendance) -> &'static str {
    match attendance {
        Attendance::Unknown => "Sin marcar",
        Attendance::Attended => "Asistió",
        Attendance::NoShow => "No asistió",
    }
}

pub fn origin_label(origin: Origin) -> &'static str {
    match origin {
        Origin::Panel => "Panel",
        Origin::BookingSite => "Sitio de reservas",
    }
}

pub fn method_label(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::Cash => "Efectivo",
        PaymentMethod::Debit => "Débito",
        PaymentMethod::Credit => "Crédito",
        PaymentMethod::Transfer => "Transferencia",
        PaymentMethod::Other => "Otro",
    }
}

/// Why the backend refused a booking or a change, in the panel's words: the
/// API's Spanish title, and what to do about it where the panel offers a way.
pub fn refusal(rule: &BookingRule) -> String {
    let (title, _) = crate::api::bookings::words::rule_title(rule);
    let hint = match rule {
        BookingRule::OutsideWorkingHours | BookingRule::InThePast => {
            " Elige un horario disponible, o marca «Fuera de horario» para reservar igual.".to_owned()
        }
        BookingRule::Overlap { .. } => " Elige otro horario u otro profesional.".to_owned(),
        BookingRule::Transition { from, to } => format!(
            " Una reserva {} no puede quedar {}.",
            state_label(*from).to_lowercase(),
            state_label(*to).to_lowercase()
        ),
        BookingRule::AttendanceMarked => {
            " Una reserva con asistencia marcada ya ocurrió: no se puede anular ni mover.".to_owned()
        }
        _ => String::new(),
    };
    format!("{title}{hint}")
}

/// Pesos the Chilean way: `$25.000`.
pub fn money(pesos: i64) -> String {
    let digits = pesos.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 2);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    if pesos < 0 { format!("-${grouped}") } else { format!("${grouped}") }
}

pub fn payment_label(payment: &Payment) -> String {
    match payment {
        Payment::Unpaid => "Sin pagar".into(),
        Payment::Paid { amount, method, date: paid_on } => {
            format!("Pagada {} · {} · {}", money(*amount), method_label(*method), date(*paid_on))
        }
    }
}

/// Names of the business's services and staff, looked up once per page.
pub struct Names {
    services: HashMap<ServiceId, String>,
    staff: HashMap<StaffId, String>,
}

impl Names {
    pub fn new(services: &[Service], staff: &[Staff]) -> Self {
        Self {
            services: services.iter().map(|s| (s.id, s.name.as_str().to_owned())).collect(),
            staff: staff.iter().map(|s| (s.id, s.name.as_str().to_owned())).collect(),
        }
    }

    pub fn service(&self, id: ServiceId) -> String {
        self.services.get(&id).cloned().unwrap_or_default()
    }

    pub fn professional(&self, id: Option<StaffId>) -> String {
        id.and_then(|id| self.staff.get(&id).cloned()).unwrap_or_else(|| "Sin asignar".into())
    }
}

/// One booking as a list shows it.
pub struct BookingRow {
    pub href: String,
    pub when: String,
    pub service: String,
    pub professional: String,
    pub state: &'static str,
    /// `pending`, `confirmed` or `cancelled`: the colour of its badge.
    pub state_class: &'static str,
    pub payment: String,
    pub attendance: &'static str,
    pub origin: &'static str,
    /// "Sesión 2 de 5" for a pack session.
    pub pack: String,
    /// "Datos ingresados al reservar" that differ from the profile, in
    /// one line; empty for most bookings.
    pub entered: String,
    /// The consent recorded with a booking made online; empty otherwise.
    pub consent: String,
}

impl BookingRow {
    pub fn new(booking: &Booking, names: &Names, zone: &TimeZone) -> Self {
        Self {
            href: format!("/reservas/{}", booking.id),
            when: booking.when.map(|w| date_time(w.start(), zone)).unwrap_or_else(|| "Por reservar".into()),
            service: names.service(booking.service),
            professional: names.professional(booking.professional),
            state: state_label(booking.state),
            state_class: booking.state.as_str(),
            payment: payment_label(&booking.payment),
            attendance: attendance_label(booking.attendance),
            origin: origin_label(booking.origin),
            pack: booking.pack.map(|p| format!("Sesión {} de {}", p.number, p.of)).unwrap_or_default(),
            entered: String::new(),
            consent: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pesos_are_grouped_by_thousands_with_dots() {
        assert_eq!(money(25_000), "$25.000");
        assert_eq!(money(0), "$0");
        assert_eq!(money(999), "$999");
        assert_eq!(money(1_234_567), "$1.234.567");
    }
}
