//! What Agendar knows about one professional's free time for one service:
//! the free starts of a day, a week of counts (the strip), and the first
//! day with a free start ("Primer horario disponible").
//!
//! It reuses the booking site's `Calendars` (the same agendas and
//! `free_slots`, busy times read a week at a time) with staff's bounds
//! instead of the clients': no minimum notice (a slot only has to start
//! after now), and the caller says how far ahead days count — staff book
//! past the online horizon, and only the search for a first free day
//! stops at it.

use ficha_domain::{Actor, Booking, BookingRules, BookingState, Service, StaffId};
use ficha_store::StoreError;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::AppState;
use crate::site::slots::Calendars;

/// How far "Primer horario disponible" looks when the business's booking
/// site is closed (its horizon, then, is not a promise made to anyone).
pub const DEFAULT_SEARCH_DAYS: u32 = 90;

/// The days the first free day is searched over, from today: the booking
/// site's horizon while the site is open, else `DEFAULT_SEARCH_DAYS`.
pub fn search_days(rules: &BookingRules) -> u32 {
    if rules.online { rules.horizon_days.max(1) } else { DEFAULT_SEARCH_DAYS }
}

pub struct FreeTime {
    calendars: Calendars,
}

impl FreeTime {
    /// Reads `professional`'s agenda; busy times are read as days are
    /// asked for. The booking being moved (if it is this professional's)
    /// does not hide its own time.
    pub async fn read(
        state: &AppState,
        actor: &Actor,
        service: &Service,
        professional: StaffId,
        moving: Option<&Booking>,
        zone: &TimeZone,
    ) -> Result<Self, StoreError> {
        let staff_bounds = BookingRules { min_notice_hours: 0, horizon_days: 0, ..BookingRules::default() };
        let mut calendars = Calendars::read(state, actor, service, &[professional], &staff_bounds, zone).await?;
        if let Some(booking) = moving.filter(|b| b.professional == Some(professional))
            && let (Some(when), true) = (booking.when, booking.state != BookingState::Cancelled)
        {
            calendars.free(professional, when);
        }
        Ok(Self { calendars })
    }

    pub fn today(&self) -> Date {
        self.calendars.today
    }

    /// The free starts on `date`, earliest first (none before today).
    pub async fn day(&mut self, date: Date) -> Result<Vec<Timestamp>, StoreError> {
        self.calendars.last_date = self.calendars.last_date.max(date);
        self.calendars.day(date).await
    }

    /// How many free starts each of the 7 days from `first` has.
    pub async fn week(&mut self, first: Date) -> Result<Vec<(Date, usize)>, StoreError> {
        // One read for the whole week, not one per day.
        let last = first.checked_add(jiff::Span::new().days(6)).unwrap_or(first);
        self.calendars.last_date = self.calendars.last_date.max(last);
        let mut days = Vec::with_capacity(7);
        let mut date = first;
        for _ in 0..7 {
            days.push((date, self.day(date).await?.len()));
            date = date.tomorrow().unwrap_or(date);
        }
        Ok(days)
    }

    /// The first day from today with a free start, up to `days` ahead.
    pub async fn first_free_day(&mut self, days: u32) -> Result<Option<Date>, StoreError> {
        let today = self.calendars.today;
        self.calendars.last_date = today.checked_add(jiff::Span::new().days(i64::from(days))).unwrap_or(today);
        self.calendars.first_free_day(today).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_goes_to_the_open_sites_horizon_else_ninety_days() {
        let open = BookingRules { online: true, horizon_days: 30, ..BookingRules::default() };
        assert_eq!(search_days(&open), 30);
        assert_eq!(search_days(&BookingRules::default()), DEFAULT_SEARCH_DAYS);
    }
}
