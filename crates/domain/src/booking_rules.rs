//! A business's rules for its booking site: whether clients book online at
//! all, how soon and how far ahead, what a new online booking starts as, and
//! until when before the appointment a client may cancel, reschedule or
//! confirm their attendance, and what the booking form asks.
//! Staff are never bound by them.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use thiserror::Error;

use crate::booking::BookingState;

/// Hours and days are bounded so a typo cannot close the site for years.
pub const MAX_HOURS: u32 = 720;
pub const MAX_HORIZON_DAYS: u32 = 365;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingRules {
    pub online: bool,
    /// A slot starts at least this many hours from now.
    pub min_notice_hours: u32,
    /// The last bookable day is today plus this many days.
    pub horizon_days: u32,
    /// `Pending` or `Confirmed`.
    pub start_state: BookingState,
    /// A client may cancel until this many hours before the appointment.
    pub cancel_until_hours: u32,
    /// A client may reschedule until this many hours before the appointment.
    pub reschedule_until_hours: u32,
    /// A client may confirm they will come until this many hours before.
    pub confirm_until_hours: u32,
    pub require_phone: bool,
    pub require_rut: bool,
    /// Whether the booking form asks the birth date (never required).
    pub ask_birth_date: bool,
}

impl Default for BookingRules {
    /// What a business has until its owner saves the page: closed, with
    /// the usual values ready to turn on.
    fn default() -> Self {
        Self {
            online: false,
            min_notice_hours: 2,
            horizon_days: 60,
            start_state: BookingState::Pending,
            cancel_until_hours: 24,
            reschedule_until_hours: 24,
            confirm_until_hours: 2,
            require_phone: true,
            require_rut: false,
            ask_birth_date: false,
        }
    }
}

/// Why the site refuses a booking or a client's change of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SiteRule {
    #[error("online booking is off")]
    Closed,
    #[error("the service is not bookable online")]
    NotBookable,
    #[error("too soon: less than the minimum notice")]
    TooSoon,
    #[error("too far ahead")]
    TooFar,
    #[error("the slot was taken")]
    SlotTaken,
    #[error("too late to cancel")]
    CancelDeadline,
    #[error("too late to reschedule")]
    RescheduleDeadline,
    #[error("too late to confirm attendance")]
    ConfirmDeadline,
    /// The privacy notice the client accepted is no longer the current one.
    #[error("the privacy notice accepted is not the current one")]
    NoticeOutdated,
}

impl SiteRule {
    pub fn code(self) -> &'static str {
        match self {
            Self::Closed => "booking_closed",
            Self::NotBookable => "not_bookable_online",
            Self::TooSoon => "too_soon",
            Self::TooFar => "too_far",
            Self::SlotTaken => "slot_taken",
            Self::CancelDeadline => "cancel_deadline",
            Self::RescheduleDeadline => "reschedule_deadline",
            Self::ConfirmDeadline => "confirm_deadline",
            Self::NoticeOutdated => "privacy_notice_outdated",
        }
    }

    /// What the client reads.
    pub fn spanish(self) -> &'static str {
        match self {
            Self::Closed | Self::NotBookable => "Este servicio no se puede reservar en línea.",
            Self::TooSoon => "Ese horario ya no se puede reservar: falta muy poco. Elige otro horario.",
            Self::TooFar => "Ese horario está demasiado adelante en el calendario. Elige otro horario.",
            Self::SlotTaken => "Alguien acaba de tomar ese horario. Elige otro horario.",
            Self::CancelDeadline => "Ya pasó el plazo para anular esta reserva en línea. Contacta al negocio.",
            Self::RescheduleDeadline => "Ya pasó el plazo para reagendar esta reserva en línea. Contacta al negocio.",
            Self::ConfirmDeadline => "Ya pasó el plazo para confirmar tu asistencia en línea. Contacta al negocio.",
            Self::NoticeOutdated => {
                "El aviso de privacidad cambió mientras reservabas. Léelo de nuevo y acéptalo para reservar."
            }
        }
    }
}

fn hours(n: u32) -> SignedDuration {
    SignedDuration::from_hours(i64::from(n))
}

impl BookingRules {
    /// The earliest start a client may book at `now`.
    pub fn not_before(&self, now: Timestamp) -> Timestamp {
        now.checked_add(hours(self.min_notice_hours)).unwrap_or(Timestamp::MAX)
    }

    /// The last date a client may book, in the business's zone.
    pub fn last_date(&self, now: Timestamp, zone: &TimeZone) -> Date {
        let today = now.to_zoned(zone.clone()).date();
        today.checked_add(jiff::Span::new().days(i64::from(self.horizon_days))).unwrap_or(today)
    }

    /// Whether a client may book a slot starting at `start`.
    pub fn may_book(&self, start: Timestamp, now: Timestamp, zone: &TimeZone) -> Result<(), SiteRule> {
        if !self.online {
            return Err(SiteRule::Closed);
        }
        if start < self.not_before(now) {
            return Err(SiteRule::TooSoon);
        }
        if start.to_zoned(zone.clone()).date() > self.last_date(now, zone) {
            return Err(SiteRule::TooFar);
        }
        Ok(())
    }

    /// Whether a client may still cancel a booking starting at `start`.
    pub fn may_cancel(&self, start: Timestamp, now: Timestamp) -> Result<(), SiteRule> {
        before_deadline(start, now, self.cancel_until_hours).then_some(()).ok_or(SiteRule::CancelDeadline)
    }

    /// Whether a client may still move a booking starting at `start`.
    pub fn may_reschedule(&self, start: Timestamp, now: Timestamp) -> Result<(), SiteRule> {
        before_deadline(start, now, self.reschedule_until_hours).then_some(()).ok_or(SiteRule::RescheduleDeadline)
    }

    /// Whether a client may still confirm they will come to a booking
    /// starting at `start`.
    pub fn may_confirm(&self, start: Timestamp, now: Timestamp) -> Result<(), SiteRule> {
        before_deadline(start, now, self.confirm_until_hours).then_some(()).ok_or(SiteRule::ConfirmDeadline)
    }
}

fn before_deadline(start: Timestamp, now: Timestamp, until_hours: u32) -> bool {
    start.checked_sub(hours(until_hours)).is_ok_and(|deadline| now <= deadline)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + hour * 3600).expect("valid")
    }

    fn open() -> BookingRules {
        BookingRules { online: true, ..BookingRules::default() }
    }

    #[test]
    fn notice_horizon_and_off() {
        let zone = TimeZone::get("America/Santiago").expect("bundled");
        let rules = open();
        assert_eq!(rules.may_book(at(1), at(0), &zone), Err(SiteRule::TooSoon));
        assert_eq!(rules.may_book(at(2), at(0), &zone), Ok(()));
        assert_eq!(rules.may_book(at(24 * 62), at(0), &zone), Err(SiteRule::TooFar));
        let closed = BookingRules { online: false, ..rules };
        assert_eq!(closed.may_book(at(5), at(0), &zone), Err(SiteRule::Closed));
    }

    #[test]
    fn deadlines_are_inclusive_and_separate() {
        let rules =
            BookingRules { cancel_until_hours: 24, reschedule_until_hours: 2, confirm_until_hours: 1, ..open() };
        assert_eq!(rules.may_cancel(at(24), at(0)), Ok(()));
        assert_eq!(rules.may_cancel(at(23), at(0)), Err(SiteRule::CancelDeadline));
        assert_eq!(rules.may_reschedule(at(23), at(0)), Ok(()));
        assert_eq!(rules.may_reschedule(at(1), at(0)), Err(SiteRule::RescheduleDeadline));
        assert_eq!(rules.may_confirm(at(1), at(0)), Ok(()));
        assert_eq!(rules.may_confirm(at(0), at(0)), Err(SiteRule::ConfirmDeadline));
    }
}
