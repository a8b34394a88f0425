//! From civil times in the business's time zone to instants, and the free
//! slots of a professional on a date. All offsets come from the time-zone
//! database (jiff's bundled tzdb): Chile moves its clocks twice a year and
//! the rules have changed often.
//!
//! Choices on clock-change days:
//! - A civil time that does not exist (the hour skipped in September) typed
//!   for a booking is refused (`LocalTimeError::Gap`).
//! - A civil time that happens twice (the hour repeated in April) typed
//!   without an offset is refused as ambiguous (`LocalTimeError::Ambiguous`),
//!   naming both instants: guessing would put someone an hour off. With an
//!   explicit offset it is one instant and accepted.
//! - Working ranges are civil: a range starting in a gap starts when the
//!   clocks jump; a range starting in a repeated hour starts at its first
//!   occurrence and one ending in it ends at its second, so a shift over
//!   the repeated hour lasts an hour longer, as it does for who works it.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use thiserror::Error;

use crate::agenda::Agenda;
use crate::booking::Interval;

/// Offered start times are this far apart.
pub const SLOT_STEP: SignedDuration = SignedDuration::from_mins(15);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LocalTimeError {
    /// The clocks jump over this time on this date.
    #[error("{datetime} does not exist: clocks move from {before} to {after}")]
    Gap { datetime: DateTime, before: Offset, after: Offset },
    /// This time happens twice on this date.
    #[error("{datetime} happens twice: at {earlier} and at {later}")]
    Ambiguous { datetime: DateTime, earlier: Timestamp, later: Timestamp },
    #[error("out of range")]
    OutOfRange,
}

/// The one instant a civil time of `zone` names, or why there is none.
pub fn resolve(datetime: DateTime, zone: &TimeZone) -> Result<Timestamp, LocalTimeError> {
    let at = |offset: Offset| offset.to_timestamp(datetime).map_err(|_| LocalTimeError::OutOfRange);
    match zone.to_ambiguous_timestamp(datetime).offset() {
        AmbiguousOffset::Unambiguous { offset } => at(offset),
        AmbiguousOffset::Gap { before, after } => Err(LocalTimeError::Gap { datetime, before, after }),
        AmbiguousOffset::Fold { before, after } => {
            Err(LocalTimeError::Ambiguous { datetime, earlier: at(before)?, later: at(after)? })
        }
    }
}

/// Which instant a working range's edge is, when its civil time is not one.
#[derive(Clone, Copy)]
enum Edge {
    Start,
    End,
}

fn edge(date: Date, time: Time, zone: &TimeZone, edge: Edge) -> Option<Timestamp> {
    let datetime = date.to_datetime(time);
    let offset = match zone.to_ambiguous_timestamp(datetime).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset,
        // Read with the offset before the jump, a skipped time lands on the
        // jump's instant plus the time into the gap: the range begins (or
        // ends) when the clocks show times that exist again.
        AmbiguousOffset::Gap { before, .. } => before,
        AmbiguousOffset::Fold { before, after } => match edge {
            Edge::Start => before,
            Edge::End => after,
        },
    };
    offset.to_timestamp(datetime).ok()
}

/// The professional's working time on `date`, as instants.
pub fn working_intervals(agenda: &Agenda, date: Date, zone: &TimeZone) -> Vec<Interval> {
    agenda
        .ranges_on(date)
        .iter()
        .filter_map(|range| {
            let start = edge(date, range.start(), zone, Edge::Start)?;
            let end = edge(date, range.end(), zone, Edge::End)?;
            Interval::new(start, end).ok()
        })
        .collect()
}

/// Whether `when` lies inside the working time of the local date it starts on.
pub fn within_hours(agenda: &Agenda, when: Interval, zone: &TimeZone) -> bool {
    let date = when.start().to_zoned(zone.clone()).date();
    working_intervals(agenda, date, zone).iter().any(|working| working.contains(&when))
}

/// The start instants on `date` at which a booking of `length` fits the
/// professional's working time, overlaps none of `busy`, and does not start
/// before `not_before`. Steps of `SLOT_STEP` from each range's start, in
/// real time, so a day with a clock change has as many slots as hours worked.
pub fn free_slots(
    agenda: &Agenda,
    date: Date,
    zone: &TimeZone,
    length: SignedDuration,
    busy: &[Interval],
    not_before: Timestamp,
) -> Vec<Interval> {
    let mut slots = Vec::new();
    for working in working_intervals(agenda, date, zone) {
        let mut start = working.start();
        while let Ok(end) = start.checked_add(length) {
            if end > working.end() {
                break;
            }
            if let Ok(slot) = Interval::new(start, end)
                && start >= not_before
                && !busy.iter().any(|b| b.overlaps(&slot))
            {
                slots.push(slot);
            }
            match start.checked_add(SLOT_STEP) {
                Ok(next) => start = next,
                Err(_) => break,
            }
        }
    }
    slots
}

/// The Monday of `date`'s week: weeks run Monday to Sunday (the calendar's
/// week, Agendar's strip, the API's `view=week`).
pub fn monday_of(date: Date) -> Date {
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(jiff::Span::new().days(back)).unwrap_or(date)
}

/// The instants a local date of `zone` spans: from its first moment to the
/// next day's. 23 or 25 hours on clock-change days.
pub fn day_span(date: Date, zone: &TimeZone) -> Option<(Timestamp, Timestamp)> {
    let start = date.to_zoned(zone.clone()).ok()?.timestamp();
    let end = date.tomorrow().ok()?.to_zoned(zone.clone()).ok()?.timestamp();
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use jiff::civil::{date, time};

    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(monday_of(date(2026, 3, 15)), date(2026, 3, 9), "a Sunday");
        assert_eq!(monday_of(date(2026, 3, 16)), date(2026, 3, 16), "a Monday");
    }
    use crate::agenda::{DayHours, TimeRange};

    fn santiago() -> TimeZone {
        TimeZone::get("America/Santiago").expect("bundled zone")
    }

    fn every_day(ranges: &[(&str, &str)]) -> Agenda {
        let day = DayHours::new(ranges.iter().map(|(s, e)| TimeRange::parse(s, e).expect("valid")).collect())
            .expect("valid day");
        Agenda::new(std::array::from_fn(|_| day.clone()), Default::default()).expect("valid agenda")
    }

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    #[test]
    fn chile_moves_its_clocks_on_the_dates_the_tests_use() {
        // 2026: back one hour at the end of Saturday April 4 (so 23:00–24:00
        // happens twice), forward at the start of Sunday September 6 (00:00
        // becomes 01:00).
        let zone = santiago();
        assert!(matches!(resolve(date(2026, 4, 4).at(23, 30, 0, 0), &zone), Err(LocalTimeError::Ambiguous { .. })));
        assert!(matches!(resolve(date(2026, 9, 6).at(0, 30, 0, 0), &zone), Err(LocalTimeError::Gap { .. })));
        assert_eq!(day_span(date(2026, 4, 5), &zone).map(|(s, e)| e.duration_since(s).as_hours()), Some(24));
        assert_eq!(day_span(date(2026, 4, 4), &zone).map(|(s, e)| e.duration_since(s).as_hours()), Some(25));
        assert_eq!(day_span(date(2026, 9, 6), &zone).map(|(s, e)| e.duration_since(s).as_hours()), Some(23));
    }

    proptest::proptest! {
        /// Every minute of 2026 in Santiago is one instant, none, or two an
        /// hour apart, and an instant that resolves shows that civil time.
        #[test]
        fn civil_times_resolve_to_the_instant_that_shows_them(day in 0_i64..365, minute in 0_i64..1440) {
            let zone = santiago();
            let date = date(2026, 1, 1) + jiff::Span::new().days(day);
            let civil = date.to_datetime(Time::midnight()) + jiff::Span::new().minutes(minute);
            match resolve(civil, &zone) {
                Ok(instant) => proptest::prop_assert_eq!(instant.to_zoned(zone).datetime(), civil),
                Err(LocalTimeError::Ambiguous { earlier, later, .. }) => {
                    proptest::prop_assert_eq!(later.duration_since(earlier), SignedDuration::from_hours(1));
                }
                Err(LocalTimeError::Gap { .. }) => {}
                Err(LocalTimeError::OutOfRange) => proptest::prop_assert!(false, "2026 is in range"),
            }
        }
    }

    #[test]
    fn a_repeated_time_names_both_instants() {
        match resolve(date(2026, 4, 4).at(23, 30, 0, 0), &santiago()) {
            Err(LocalTimeError::Ambiguous { earlier, later, .. }) => {
                assert_eq!(earlier, ts("2026-04-05T02:30:00Z"));
                assert_eq!(later, ts("2026-04-05T03:30:00Z"));
            }
            other => panic!("expected ambiguous, got {other:?}"),
        }
    }

    #[test]
    fn ordinary_times_have_one_instant() {
        assert_eq!(resolve(date(2026, 9, 6).at(10, 0, 0, 0), &santiago()), Ok(ts("2026-09-06T13:00:00Z")));
        assert_eq!(resolve(date(2026, 4, 5).at(10, 0, 0, 0), &santiago()), Ok(ts("2026-04-05T14:00:00Z")));
    }

    #[test]
    fn slots_skip_busy_and_past_times() {
        let agenda = every_day(&[("09:00", "11:00"), ("12:00", "13:00")]);
        let day = date(2026, 6, 10);
        let busy = [Interval::new(ts("2026-06-10T13:30:00Z"), ts("2026-06-10T14:00:00Z")).expect("valid")];
        let slots = free_slots(&agenda, day, &santiago(), SignedDuration::from_hours(1), &busy, Timestamp::MIN);
        let local: Vec<String> =
            slots.iter().map(|s| s.start().to_zoned(santiago()).time().to_string()[..5].to_owned()).collect();
        // 09:30–10:00 local (UTC−4 in June) is taken; 10:00 touches it.
        assert_eq!(local, ["10:00", "12:00"]);
        let later =
            free_slots(&agenda, day, &santiago(), SignedDuration::from_hours(1), &[], ts("2026-06-10T15:00:00Z"));
        assert_eq!(later.len(), 1, "only the afternoon is still ahead");
    }

    #[test]
    fn the_skipped_hour_has_no_slots_and_the_repeated_hour_has_two_rounds() {
        let zone = santiago();
        let night = every_day(&[("00:00", "02:00")]);
        let hour = SignedDuration::from_hours(1);
        let september = free_slots(&night, date(2026, 9, 6), &zone, hour, &[], Timestamp::MIN);
        assert_eq!(september.first().map(|s| s.start()), Some(ts("2026-09-06T04:00:00Z")), "starts at 01:00 −03");
        assert_eq!(september.len(), 1, "one real hour of work: one 1-hour slot");

        let late = every_day(&[("22:00", "23:59")]);
        let april = free_slots(&late, date(2026, 4, 4), &zone, hour, &[], Timestamp::MIN);
        assert_eq!(april.first().map(|s| s.start()), Some(ts("2026-04-05T01:00:00Z")), "22:00 −03");
        // Until 23:59 −04 (03:59Z): 2 h 59 min of work, 1-hour slots every
        // 15 minutes from 01:00Z to 02:45Z.
        assert_eq!(april.last().map(|s| s.start()), Some(ts("2026-04-05T02:45:00Z")));
        assert_eq!(april.len(), 8);
    }

    #[test]
    fn working_hours_contain_a_booking_or_not() {
        let agenda = every_day(&[("09:00", "13:00")]);
        let zone = santiago();
        let inside = Interval::new(ts("2026-06-10T13:00:00Z"), ts("2026-06-10T14:00:00Z")).expect("valid");
        let late = Interval::new(ts("2026-06-10T16:30:00Z"), ts("2026-06-10T17:30:00Z")).expect("valid");
        assert!(within_hours(&agenda, inside, &zone));
        assert!(!within_hours(&agenda, late, &zone));
        assert_eq!(time(9, 0, 0, 0), agenda.ranges_on(date(2026, 6, 10))[0].start());
    }
}
