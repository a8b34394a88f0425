//! What both backends decide the same way about a booking, given what they
//! read inside their transaction.

use ficha_domain::availability::within_hours;
use ficha_domain::booking::may_place;
use ficha_domain::{
    Actor, Agenda, Attendance, Booking, BookingId, BookingRule, Interval, PackId, PackPlace, Payment, Request, Service,
    StaffId,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::NewBooking;

/// The business's zone; UTC should a stored name ever stop resolving.
pub fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// The time asked for: from `start` to `end`, or for the service's duration.
pub fn interval(start: Timestamp, end: Option<Timestamp>, service: &Service) -> Result<Interval, BookingRule> {
    let end = match end {
        Some(end) => end,
        None => start.checked_add(service.duration.duration()).map_err(|_| BookingRule::OutOfRange)?,
    };
    Interval::new(start, end)
}

/// What a placement is checked against, read inside the transaction.
pub struct Placing<'a> {
    pub service: &'a Service,
    pub agenda: &'a Agenda,
    pub zone: &'a TimeZone,
    pub now: Timestamp,
}

/// Where a booking is to be placed, and by whom.
#[derive(Debug, Clone, Copy)]
pub struct Spot {
    pub professional: StaffId,
    pub when: Interval,
    pub request: Request,
    /// The booking being moved, which never collides with itself.
    pub moving: Option<BookingId>,
}

/// Whether `professional` may be booked for the service at `when`; the
/// overlap with other bookings is the backend's query, after this.
pub fn placement(placing: &Placing<'_>, spot: Spot) -> Result<(), BookingRule> {
    if !placing.service.performed_by(spot.professional) {
        return Err(BookingRule::ServiceNotPerformed);
    }
    let within = within_hours(placing.agenda, spot.when, placing.zone);
    may_place(spot.request, spot.when, placing.now, within)
}

/// The start and professional a new booking is placed at, if it is dated.
pub fn placed(new: &NewBooking, service: &Service) -> Result<Option<(StaffId, Interval)>, BookingRule> {
    match (new.start, new.professional) {
        (None, _) if service.sessions.is_pack() => Ok(None),
        (None, _) => Err(BookingRule::StartRequired),
        (Some(_), None) => Err(BookingRule::ProfessionalRequired),
        (Some(start), Some(professional)) => Ok(Some((professional, interval(start, new.end, service)?))),
    }
}

/// The rows a new booking writes: one, or one per session of a pack (the
/// first at `placed`, if given; the rest "por reservar").
pub fn new_rows(
    new: &NewBooking,
    service: &Service,
    placed: Option<(StaffId, Interval)>,
    actor: &Actor,
    now: Timestamp,
) -> Vec<Booking> {
    let created_by = match actor {
        Actor::Staff { staff, .. } => *staff,
        Actor::System { .. } | Actor::Client { .. } => None,
    };
    let sessions = service.sessions.get();
    let pack = PackId::generate();
    (1..=sessions)
        .map(|number| {
            let slot = if number == 1 { placed } else { None };
            Booking {
                id: BookingId::generate(),
                client: new.client,
                service: service.id,
                professional: slot.map(|(staff, _)| staff),
                when: slot.map(|(_, when)| when),
                state: new.state,
                payment: Payment::Unpaid,
                attendance: Attendance::Unknown,
                origin: new.origin,
                created_by,
                created_at: now,
                pack: service.sessions.is_pack().then_some(PackPlace { pack, number, of: sessions }),
            }
        })
        .collect()
}

/// Bookings last at most `MAX_LENGTH`, so one that overlaps a time starting
/// at `start` started after this: the lower bound of an overlap search's
/// index range.
pub fn reach_back(start: Timestamp) -> Timestamp {
    start.checked_sub(ficha_domain::booking::MAX_LENGTH).unwrap_or(Timestamp::MIN)
}
