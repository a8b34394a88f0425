//! Bookings ("Reservas"): a client in a service with a professional at a
//! time. State, payment and attendance are three separate facts, each
//! changed only by the transitions below, which are pure functions so the
//! rules hold the same on both backends.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use thiserror::Error;

use crate::{BookingId, ClientId, PackId, ServiceId, StaffId};

/// The longest a booking may last (an explicit end included).
pub const MAX_LENGTH: SignedDuration = SignedDuration::from_hours(12);

/// The most one payment can be: a thousand million pesos (about a million
/// US dollars), far above any appointment, and small enough that a client's
/// payments add up without ever leaving 64 bits (9.2 × 10⁹ payments).
pub const MAX_PAYMENT_CLP: i64 = 1_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BookingState {
    /// Not yet confirmed.
    Pending,
    Confirmed,
    /// "Anulada": off the calendar, still on the client's profile.
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attendance {
    Unknown,
    Attended,
    NoShow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Staff in the panel (or an integrator acting for the business).
    Panel,
    /// The client on the business's booking site.
    BookingSite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentMethod {
    Cash,
    Debit,
    Credit,
    Transfer,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payment {
    Unpaid,
    /// `amount` in pesos, > 0; `date` the business's local date it was paid.
    Paid {
        amount: i64,
        method: PaymentMethod,
        date: Date,
    },
}

/// Names as the API and storage spell them.
macro_rules! spelled {
    ($type:ty { $($variant:ident => $text:literal),* $(,)? }) => {
        impl $type {
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];
            pub const NAMES: &'static [&'static str] = &[$($text),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

spelled!(BookingState { Pending => "pending", Confirmed => "confirmed", Cancelled => "cancelled" });
spelled!(Attendance { Unknown => "unknown", Attended => "attended", NoShow => "no_show" });
spelled!(Origin { Panel => "panel", BookingSite => "booking_site" });
spelled!(PaymentMethod {
    Cash => "cash", Debit => "debit", Credit => "credit", Transfer => "transfer", Other => "other"
});

/// When a booking takes place: `start` < `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    start: Timestamp,
    end: Timestamp,
}

impl Interval {
    pub fn new(start: Timestamp, end: Timestamp) -> Result<Self, BookingRule> {
        if end <= start {
            return Err(BookingRule::EndNotAfterStart);
        }
        if end.duration_since(start) > MAX_LENGTH {
            return Err(BookingRule::TooLong);
        }
        Ok(Self { start, end })
    }

    pub fn start(&self) -> Timestamp {
        self.start
    }

    pub fn end(&self) -> Timestamp {
        self.end
    }

    /// Half-open intervals: one ending at 10:00 and one starting then do not
    /// overlap.
    pub fn overlaps(&self, other: &Self) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn contains(&self, other: &Self) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// The pack a session belongs to: its purchase, its place in it and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackPlace {
    pub pack: PackId,
    /// 1-based.
    pub number: i64,
    pub of: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub id: BookingId,
    pub client: ClientId,
    pub service: ServiceId,
    /// Who performs it; `None` for a pack session not yet scheduled.
    pub professional: Option<StaffId>,
    /// `None` for a pack session "por reservar".
    pub when: Option<Interval>,
    pub state: BookingState,
    pub payment: Payment,
    pub attendance: Attendance,
    pub origin: Origin,
    /// The staff member who made it; `None` for the system, an API token or
    /// the booking site.
    pub created_by: Option<StaffId>,
    pub created_at: Timestamp,
    pub pack: Option<PackPlace>,
}

/// Why a booking (or a change of one) was refused. Stable codes; words live
/// with the web layer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BookingRule {
    #[error("the end is not after the start")]
    EndNotAfterStart,
    #[error("longer than twelve hours")]
    TooLong,
    #[error("the time is in the past")]
    InThePast,
    #[error("outside the professional's working hours")]
    OutsideWorkingHours,
    #[error("only staff may override the agenda")]
    OverrideNotAllowed,
    #[error("the professional does not perform the service")]
    ServiceNotPerformed,
    #[error("the professional is busy then (booking {with})")]
    Overlap { with: BookingId },
    #[error("a single session needs a start")]
    StartRequired,
    #[error("a time needs a professional")]
    ProfessionalRequired,
    #[error("no such client in this business")]
    ClientUnknown,
    #[error("no such service in this business")]
    ServiceUnknown,
    #[error("no such professional in this business")]
    ProfessionalUnknown,
    #[error("cannot go from {from:?} to {to:?}")]
    Transition { from: BookingState, to: BookingState },
    #[error("the session has no date yet")]
    NotScheduled,
    #[error("attendance can only be marked once the booking has started")]
    AttendanceBeforeStart,
    #[error("a cancelled booking has no attendance")]
    AttendanceOnCancelled,
    #[error("attendance is already marked")]
    AttendanceMarked,
    #[error("the payment date is later than today")]
    PaidInFuture,
    #[error("a payment amount is more than zero")]
    AmountNotPositive,
    #[error("the booking's date is outside the years {} to {}", crate::dates::FIRST_YEAR, crate::dates::LAST_YEAR)]
    OutOfRange,
    #[error("a payment amount is at most {MAX_PAYMENT_CLP} pesos")]
    AmountTooLarge,
    #[error("the payment date is outside the years {} to {}", crate::dates::FIRST_YEAR, crate::dates::LAST_YEAR)]
    PaidOutOfRange,
}

impl BookingRule {
    pub fn code(&self) -> &'static str {
        match self {
            Self::EndNotAfterStart => "end_not_after_start",
            Self::TooLong => "booking_too_long",
            Self::InThePast => "in_the_past",
            Self::OutsideWorkingHours => "outside_working_hours",
            Self::OverrideNotAllowed => "override_not_allowed",
            Self::ServiceNotPerformed => "service_not_performed",
            Self::Overlap { .. } => "slot_taken",
            Self::StartRequired => "start_required",
            Self::ProfessionalRequired => "professional_required",
            Self::ClientUnknown => "client_unknown",
            Self::ServiceUnknown => "service_unknown",
            Self::ProfessionalUnknown => "professional_unknown",
            Self::Transition { .. } => "transition_not_allowed",
            Self::NotScheduled => "not_scheduled",
            Self::AttendanceBeforeStart => "attendance_before_start",
            Self::AttendanceOnCancelled => "attendance_on_cancelled",
            Self::AttendanceMarked => "attendance_marked",
            Self::PaidInFuture => "paid_in_future",
            Self::AmountNotPositive => "amount_not_positive",
            Self::AmountTooLarge => "amount_too_large",
            Self::OutOfRange => "booking_out_of_range",
            Self::PaidOutOfRange => "paid_out_of_range",
        }
    }
}

/// Who asks to put a booking at a time, and whether they override the agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub origin: Origin,
    /// Staff's explicit "book anyway" for a past time or outside hours.
    pub override_agenda: bool,
}

/// Whether `request` may place a booking at `when`, given the time `now` and
/// whether the professional works then. Overlaps are checked separately,
/// inside the storage transaction. Clients (the booking site) never
/// override; staff must say so explicitly. No one, overriding or not, books
/// outside the years people type (`dates`).
pub fn may_place(request: Request, when: Interval, now: Timestamp, within_hours: bool) -> Result<(), BookingRule> {
    if !crate::dates::instant_in_range(when.start()) || !crate::dates::instant_in_range(when.end()) {
        return Err(BookingRule::OutOfRange);
    }
    if request.override_agenda {
        return match request.origin {
            Origin::Panel => Ok(()),
            Origin::BookingSite => Err(BookingRule::OverrideNotAllowed),
        };
    }
    if when.start() < now {
        return Err(BookingRule::InThePast);
    }
    if !within_hours {
        return Err(BookingRule::OutsideWorkingHours);
    }
    Ok(())
}

impl Booking {
    pub fn confirm(&self) -> Result<Self, BookingRule> {
        match (self.state, self.when) {
            (_, None) => Err(BookingRule::NotScheduled),
            (BookingState::Pending, Some(_)) => Ok(Self { state: BookingState::Confirmed, ..self.clone() }),
            (from, Some(_)) => Err(BookingRule::Transition { from, to: BookingState::Confirmed }),
        }
    }

    /// Takes the booking off the calendar. A booking whose attendance is
    /// marked has happened (or not) and is no longer cancelled.
    pub fn cancel(&self) -> Result<Self, BookingRule> {
        if self.attendance != Attendance::Unknown {
            return Err(BookingRule::AttendanceMarked);
        }
        match self.state {
            BookingState::Cancelled => {
                Err(BookingRule::Transition { from: BookingState::Cancelled, to: BookingState::Cancelled })
            }
            _ => Ok(Self { state: BookingState::Cancelled, ..self.clone() }),
        }
    }

    /// Puts the booking at a new time (with maybe another professional). A
    /// cancelled booking comes back onto the calendar as pending; a pack
    /// session "por reservar" gets its date this way.
    pub fn reschedule(&self, professional: StaffId, when: Interval) -> Result<Self, BookingRule> {
        if self.attendance != Attendance::Unknown {
            return Err(BookingRule::AttendanceMarked);
        }
        let state = match self.state {
            BookingState::Cancelled => BookingState::Pending,
            other => other,
        };
        Ok(Self { professional: Some(professional), when: Some(when), state, ..self.clone() })
    }

    /// Attended or not: only once the booking has started, never for a
    /// cancelled one. Marks can be corrected (back to unknown too).
    pub fn mark_attendance(&self, attendance: Attendance, now: Timestamp) -> Result<Self, BookingRule> {
        let Some(when) = self.when else { return Err(BookingRule::NotScheduled) };
        if self.state == BookingState::Cancelled {
            return Err(BookingRule::AttendanceOnCancelled);
        }
        if attendance != Attendance::Unknown && when.start() > now {
            return Err(BookingRule::AttendanceBeforeStart);
        }
        Ok(Self { attendance, ..self.clone() })
    }

    /// Records a payment (or its removal), on or before `today`.
    pub fn set_payment(&self, payment: Payment, today: Date) -> Result<Self, BookingRule> {
        if let Payment::Paid { amount, date, .. } = payment {
            if amount <= 0 {
                return Err(BookingRule::AmountNotPositive);
            }
            if amount > MAX_PAYMENT_CLP {
                return Err(BookingRule::AmountTooLarge);
            }
            if !crate::dates::typed_date_in_range(date) {
                return Err(BookingRule::PaidOutOfRange);
            }
            if date > today {
                return Err(BookingRule::PaidInFuture);
            }
        }
        Ok(Self { payment, ..self.clone() })
    }

    /// Whether it holds its professional's time: dated and not cancelled.
    pub fn occupies(&self) -> Option<Interval> {
        self.when.filter(|_| self.state != BookingState::Cancelled)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn at(hours_from_epoch: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + hours_from_epoch * 3600).expect("valid")
    }

    fn interval(from: i64, to: i64) -> Interval {
        Interval::new(at(from), at(to)).expect("valid")
    }

    fn booking() -> Booking {
        Booking {
            id: BookingId::generate(),
            client: ClientId::generate(),
            service: ServiceId::generate(),
            professional: Some(StaffId::generate()),
            when: Some(interval(10, 11)),
            state: BookingState::Pending,
            payment: Payment::Unpaid,
            attendance: Attendance::Unknown,
            origin: Origin::Panel,
            created_by: None,
            created_at: at(0),
            pack: None,
        }
    }

    #[test]
    fn an_interval_ends_after_it_starts_and_is_not_endless() {
        assert_eq!(Interval::new(at(2), at(1)), Err(BookingRule::EndNotAfterStart));
        assert_eq!(Interval::new(at(1), at(1)), Err(BookingRule::EndNotAfterStart));
        assert_eq!(Interval::new(at(1), at(14)), Err(BookingRule::TooLong));
    }

    #[test]
    fn touching_intervals_do_not_overlap() {
        assert!(!interval(1, 2).overlaps(&interval(2, 3)));
        assert!(interval(1, 3).overlaps(&interval(2, 4)));
        assert!(interval(1, 4).overlaps(&interval(2, 3)));
        assert!(interval(1, 4).contains(&interval(2, 3)));
        assert!(!interval(2, 3).contains(&interval(1, 4)));
    }

    #[test]
    fn pending_is_confirmed_and_cancelled_is_not() {
        let confirmed = booking().confirm().expect("pending → confirmed");
        assert_eq!(confirmed.state, BookingState::Confirmed);
        let cancelled = confirmed.cancel().expect("confirmed → cancelled");
        assert_eq!(
            cancelled.confirm(),
            Err(BookingRule::Transition { from: BookingState::Cancelled, to: BookingState::Confirmed })
        );
        assert!(cancelled.cancel().is_err(), "already cancelled");
    }

    #[test]
    fn a_cancelled_booking_is_rescheduled_back_as_pending() {
        let cancelled = booking().confirm().and_then(|b| b.cancel()).expect("cancelled");
        assert_eq!(cancelled.occupies(), None, "off the calendar");
        let back = cancelled.reschedule(StaffId::generate(), interval(20, 21)).expect("rescheduled");
        assert_eq!(back.state, BookingState::Pending);
        assert_eq!(back.occupies(), Some(interval(20, 21)));
    }

    #[test]
    fn attendance_waits_for_the_start() {
        let b = booking();
        assert_eq!(b.mark_attendance(Attendance::Attended, at(9)), Err(BookingRule::AttendanceBeforeStart));
        let attended = b.mark_attendance(Attendance::Attended, at(10)).expect("at the start");
        assert_eq!(attended.attendance, Attendance::Attended);
        assert_eq!(attended.cancel(), Err(BookingRule::AttendanceMarked));
        assert_eq!(attended.reschedule(StaffId::generate(), interval(30, 31)), Err(BookingRule::AttendanceMarked));
        let cancelled = b.cancel().expect("cancelled");
        assert_eq!(cancelled.mark_attendance(Attendance::NoShow, at(50)), Err(BookingRule::AttendanceOnCancelled));
        let unscheduled = Booking { when: None, ..booking() };
        assert_eq!(unscheduled.mark_attendance(Attendance::NoShow, at(50)), Err(BookingRule::NotScheduled));
        assert_eq!(unscheduled.confirm(), Err(BookingRule::NotScheduled));
    }

    #[test]
    fn payments_are_positive_and_not_in_the_future() {
        let today = date(2026, 6, 1);
        let paid = Payment::Paid { amount: 25_000, method: PaymentMethod::Debit, date: today };
        assert_eq!(booking().set_payment(paid, today).map(|b| b.payment), Ok(paid));
        let tomorrow = Payment::Paid { amount: 25_000, method: PaymentMethod::Cash, date: date(2026, 6, 2) };
        assert_eq!(booking().set_payment(tomorrow, today), Err(BookingRule::PaidInFuture));
        let zero = Payment::Paid { amount: 0, method: PaymentMethod::Cash, date: today };
        assert_eq!(booking().set_payment(zero, today), Err(BookingRule::AmountNotPositive));
        let most = Payment::Paid { amount: MAX_PAYMENT_CLP, method: PaymentMethod::Cash, date: today };
        assert!(booking().set_payment(most, today).is_ok());
        let huge = Payment::Paid { amount: i64::MAX, method: PaymentMethod::Cash, date: today };
        assert_eq!(booking().set_payment(huge, today), Err(BookingRule::AmountTooLarge));
        let year_zero = Payment::Paid { amount: 25_000, method: PaymentMethod::Cash, date: date(0, 1, 1) };
        assert_eq!(booking().set_payment(year_zero, today), Err(BookingRule::PaidOutOfRange));
    }

    #[test]
    fn only_staff_override_the_agenda() {
        let staff = Request { origin: Origin::Panel, override_agenda: false };
        let when = interval(10, 11);
        assert_eq!(may_place(staff, when, at(11), true), Err(BookingRule::InThePast));
        assert_eq!(may_place(staff, when, at(0), false), Err(BookingRule::OutsideWorkingHours));
        assert_eq!(may_place(staff, when, at(0), true), Ok(()));
        let forced = Request { override_agenda: true, ..staff };
        assert_eq!(may_place(forced, when, at(11), false), Ok(()));
        let client = Request { origin: Origin::BookingSite, override_agenda: true };
        assert_eq!(may_place(client, when, at(0), true), Err(BookingRule::OverrideNotAllowed));
        let client = Request { override_agenda: false, ..client };
        assert_eq!(may_place(client, when, at(11), true), Err(BookingRule::InThePast));
    }

    #[test]
    fn not_even_an_override_books_in_year_zero_or_9999() {
        let forced = Request { origin: Origin::Panel, override_agenda: true };
        for start in ["0000-03-01T10:00:00Z", "9999-12-30T10:00:00Z", "1899-12-31T10:00:00Z"] {
            let start: Timestamp = start.parse().expect("instant");
            let when = Interval::new(start, start + SignedDuration::from_hours(1)).expect("interval");
            assert_eq!(may_place(forced, when, at(0), true), Err(BookingRule::OutOfRange));
        }
    }

    #[test]
    fn names_round_trip() {
        for state in BookingState::ALL {
            assert_eq!(BookingState::parse(state.as_str()), Some(*state));
        }
        for method in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::parse(method.as_str()), Some(*method));
        }
        assert_eq!(Attendance::parse("no_show"), Some(Attendance::NoShow));
        assert_eq!(Origin::parse("site"), None);
    }
}
