//! Reading bookings and their changes from request bodies.

use ficha_domain::availability::resolve;
use ficha_domain::{
    Attendance, BookingState, ClientId, FieldError, Origin, Payment, PaymentMethod, ServiceId, StaffId,
};
use ficha_store::{NewBooking, NewTime};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

use crate::input::{JsonObject, Problems};
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

pub const CREATE: &[&str] =
    &["client_id", "service_id", "professional_id", "start", "end", "state", "origin", "override"];
pub const RESCHEDULE: &[&str] = &["professional_id", "start", "end", "origin", "override"];
pub const READ_ONLY: &[&str] = &["id", "attendance", "payment", "created_by", "created_at", "pack", "href", "client"];
const NEW_STATES: &[&str] = &["pending", "confirmed"];

/// A time as sent: with an offset (`…-03:00`, `…Z`) it is one instant; as
/// a civil time (`2026-09-07T10:30`) it is read in the business's zone,
/// and refused when that day's clock change skips it or shows it twice.
pub fn instant(text: &str, zone: &TimeZone) -> Result<Timestamp, FieldProblemKind> {
    if let Ok(instant) = text.parse::<Timestamp>() {
        return Ok(instant);
    }
    let civil: DateTime = text.parse().map_err(|_| FieldProblemKind::Invalid(FieldError::DateTimeFormat))?;
    resolve(civil, zone).map_err(FieldProblemKind::LocalTime)
}

fn time_field(problems: &mut Problems, body: &JsonObject, field: &str, zone: &TimeZone) -> Option<Option<Timestamp>> {
    let text = problems.read(body.text(field))?;
    match text.map(|t| instant(t, zone)) {
        None => Some(None),
        Some(Ok(instant)) => Some(Some(instant)),
        Some(Err(kind)) => {
            problems.push(field, kind);
            None
        }
    }
}

fn id_field<T: std::str::FromStr>(problems: &mut Problems, body: &JsonObject, field: &str) -> Option<Option<T>> {
    let text = problems.read(body.text(field))?;
    match text.map(str::parse::<T>) {
        None => Some(None),
        Some(Ok(id)) => Some(Some(id)),
        Some(Err(_)) => {
            problems.push(field, FieldProblemKind::NotAnId);
            None
        }
    }
}

fn one_of<T>(
    problems: &mut Problems,
    body: &JsonObject,
    field: &str,
    allowed: &'static [&'static str],
    parse: impl Fn(&str) -> Option<T>,
) -> Option<Option<T>> {
    let text = problems.read(body.text(field))?;
    match text.map(|t| parse(t).filter(|_| allowed.contains(&t))) {
        None => Some(None),
        Some(Some(value)) => Some(Some(value)),
        Some(None) => {
            problems.push(field, FieldProblemKind::NotAChoice { allowed });
            None
        }
    }
}

fn origin_and_override(problems: &mut Problems, body: &JsonObject) -> (Option<Origin>, Option<bool>) {
    let origin = one_of(problems, body, "origin", Origin::NAMES, Origin::parse).map(|o| o.unwrap_or(Origin::Panel));
    let forced = problems.read(body.boolean("override")).map(|f| f.unwrap_or(false));
    (origin, forced)
}

pub fn new_booking(body: &JsonObject, zone: &TimeZone) -> Result<NewBooking, ApiError> {
    let mut problems = Problems(body.check_fields(CREATE, READ_ONLY));
    let client = id_field::<ClientId>(&mut problems, body, "client_id");
    let client = problems.required("client_id", client);
    let service = id_field::<ServiceId>(&mut problems, body, "service_id");
    let service = problems.required("service_id", service);
    let professional = id_field::<StaffId>(&mut problems, body, "professional_id");
    let start = time_field(&mut problems, body, "start", zone);
    let end = time_field(&mut problems, body, "end", zone);
    let state = one_of(&mut problems, body, "state", NEW_STATES, BookingState::parse)
        .map(|s| s.unwrap_or(BookingState::Pending));
    let (origin, forced) = origin_and_override(&mut problems, body);
    let new = match (client, service, professional, start, end, state, origin, forced) {
        (
            Some(client),
            Some(service),
            Some(professional),
            Some(start),
            Some(end),
            Some(state),
            Some(origin),
            Some(o),
        ) => Some(NewBooking { client, service, professional, start, end, state, origin, override_agenda: o }),
        _ => None,
    };
    problems.finish(new)
}

pub fn new_time(body: &JsonObject, zone: &TimeZone) -> Result<NewTime, ApiError> {
    let mut problems = Problems(body.check_fields(RESCHEDULE, READ_ONLY));
    let professional = id_field::<StaffId>(&mut problems, body, "professional_id");
    let start = time_field(&mut problems, body, "start", zone);
    let start = problems.required("start", start);
    let end = time_field(&mut problems, body, "end", zone);
    let (origin, forced) = origin_and_override(&mut problems, body);
    let new = match (professional, start, end, origin, forced) {
        (Some(professional), Some(start), Some(end), Some(origin), Some(o)) => {
            Some(NewTime { professional, start, end, origin, override_agenda: o })
        }
        _ => None,
    };
    problems.finish(new)
}

/// Confirm and cancel take an empty object (a JSON body keeps cross-site
/// forms out).
pub fn nothing(body: &JsonObject) -> Result<(), ApiError> {
    Problems(body.check_fields(&[], READ_ONLY)).finish(Some(()))
}

pub fn attendance(body: &JsonObject) -> Result<Attendance, ApiError> {
    let mut problems = Problems(body.check_fields(&["attendance"], READ_ONLY));
    let attendance = one_of(&mut problems, body, "attendance", Attendance::NAMES, Attendance::parse);
    let attendance = problems.required("attendance", attendance);
    problems.finish(attendance)
}

const PAYMENT: &[&str] = &["paid", "amount", "method", "date"];

/// `{"paid": false}`, or `{"paid": true, "amount": 25000, "method":
/// "debit", "date": "2026-03-15"}`.
pub fn payment(body: &JsonObject) -> Result<Payment, ApiError> {
    let mut problems = Problems(body.check_fields(PAYMENT, READ_ONLY));
    let paid = problems.read(body.boolean("paid"));
    let paid = problems.required("paid", paid);
    if paid != Some(true) {
        for field in ["amount", "method", "date"].into_iter().filter(|f| body.get(f).is_some()) {
            if paid == Some(false) {
                problems.0.push(FieldProblem::new(field, FieldProblemKind::Unknown { allowed: &["paid"] }));
            }
        }
        return problems.finish(paid.map(|_| Payment::Unpaid));
    }
    let amount = problems.read(body.integer("amount"));
    let amount = problems.required("amount", amount);
    let method = one_of(&mut problems, body, "method", PaymentMethod::NAMES, PaymentMethod::parse);
    let method = problems.required("method", method);
    let date =
        problems.read(body.text("date")).map(|t| t.map(|t| t.parse::<Date>().map_err(|_| FieldError::DateFormat)));
    let date = match date {
        Some(Some(parsed)) => problems.take("date", parsed),
        Some(None) => problems.take("date", Err(FieldError::Required)),
        None => None,
    };
    let payment = match (amount, method, date) {
        (Some(amount), Some(method), Some(date)) => Some(Payment::Paid { amount, method, date }),
        _ => None,
    };
    problems.finish(payment)
}
