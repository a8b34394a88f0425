//! A professional's agenda: weekly working hours (each day several ranges,
//! the gaps between them being breaks) and days off. Times are civil times
//! of the business's time zone; `availability` turns them into instants.

use std::collections::BTreeSet;

use jiff::civil::{Date, Time, Weekday};

use crate::field_error::FieldError;

/// At most this many ranges a day (three breaks is already a busy day).
pub const MAX_RANGES_PER_DAY: usize = 4;
/// At most this many days off kept on one agenda.
pub const MAX_DAYS_OFF: usize = 366;

/// A working range of one day, `start` < `end`, to the minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeRange {
    start: Time,
    end: Time,
}

impl TimeRange {
    pub fn new(start: Time, end: Time) -> Result<Self, FieldError> {
        if start < end { Ok(Self { start, end }) } else { Err(FieldError::EndNotAfterStart) }
    }

    /// `"09:00"`, `"13:30"` → the range; whole minutes only.
    pub fn parse(start: &str, end: &str) -> Result<Self, FieldError> {
        Self::new(time_of_day(start)?, time_of_day(end)?)
    }

    pub fn start(&self) -> Time {
        self.start
    }

    pub fn end(&self) -> Time {
        self.end
    }
}

/// `HH:MM`, 00:00 to 23:59.
pub fn time_of_day(text: &str) -> Result<Time, FieldError> {
    let (hours, minutes) = text.trim().split_once(':').ok_or(FieldError::TimeFormat)?;
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(hours) || !two_digits(minutes) {
        return Err(FieldError::TimeFormat);
    }
    let (h, m) = (
        hours.parse::<i8>().map_err(|_| FieldError::TimeFormat)?,
        minutes.parse::<i8>().map_err(|_| FieldError::TimeFormat)?,
    );
    Time::new(h, m, 0, 0).map_err(|_| FieldError::TimeFormat)
}

/// One weekday's working ranges: sorted, not overlapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayHours(Vec<TimeRange>);

impl DayHours {
    pub fn new(mut ranges: Vec<TimeRange>) -> Result<Self, FieldError> {
        if ranges.len() > MAX_RANGES_PER_DAY {
            return Err(FieldError::TooManyRanges { max: MAX_RANGES_PER_DAY });
        }
        ranges.sort();
        if ranges.windows(2).any(|pair| pair[1].start < pair[0].end) {
            return Err(FieldError::RangesOverlap);
        }
        Ok(Self(ranges))
    }

    pub fn ranges(&self) -> &[TimeRange] {
        &self.0
    }
}

/// The weekdays in the order the week is shown in Chile: Monday first.
pub const WEEK: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

/// How the API and storage name a weekday.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "monday",
        Weekday::Tuesday => "tuesday",
        Weekday::Wednesday => "wednesday",
        Weekday::Thursday => "thursday",
        Weekday::Friday => "friday",
        Weekday::Saturday => "saturday",
        Weekday::Sunday => "sunday",
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agenda {
    /// Indexed Monday (0) to Sunday (6).
    weekly: [DayHours; 7],
    days_off: BTreeSet<Date>,
}

impl Agenda {
    pub fn new(weekly: [DayHours; 7], days_off: BTreeSet<Date>) -> Result<Self, FieldError> {
        if days_off.len() > MAX_DAYS_OFF {
            return Err(FieldError::TooManyDaysOff { max: MAX_DAYS_OFF });
        }
        Ok(Self { weekly, days_off })
    }

    /// An agenda with no hours at all: nothing can be booked without override.
    pub fn closed() -> Self {
        Self::default()
    }

    pub fn hours(&self, day: Weekday) -> &DayHours {
        &self.weekly[usize::from(day.to_monday_zero_offset().unsigned_abs())]
    }

    pub fn days_off(&self) -> &BTreeSet<Date> {
        &self.days_off
    }

    /// The working ranges of `date`: none on a day off.
    pub fn ranges_on(&self, date: Date) -> &[TimeRange] {
        if self.days_off.contains(&date) { &[] } else { self.hours(date.weekday()).ranges() }
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::{date, time};
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn every_minute_of_the_day_reads_back(h in 0_i8..24, m in 0_i8..60) {
            let text = format!("{h:02}:{m:02}");
            prop_assert_eq!(time_of_day(&text), Ok(time(h, m, 0, 0)));
        }

        #[test]
        fn anything_typed_is_a_time_or_a_time_format_error(text in ".{0,8}") {
            if let Err(error) = time_of_day(&text) {
                prop_assert_eq!(error, FieldError::TimeFormat);
            }
        }
    }

    fn range(start: &str, end: &str) -> TimeRange {
        TimeRange::parse(start, end).expect("valid range")
    }

    #[test]
    fn times_are_hours_and_minutes() {
        assert_eq!(time_of_day("09:30"), Ok(time(9, 30, 0, 0)));
        assert_eq!(time_of_day("23:59"), Ok(time(23, 59, 0, 0)));
        for bad in ["9:30", "24:00", "12:60", "12", "12:00:00", "ab:cd", ""] {
            assert_eq!(time_of_day(bad), Err(FieldError::TimeFormat), "{bad}");
        }
    }

    #[test]
    fn a_range_ends_after_it_starts() {
        assert_eq!(TimeRange::parse("13:00", "09:00"), Err(FieldError::EndNotAfterStart));
        assert_eq!(TimeRange::parse("09:00", "09:00"), Err(FieldError::EndNotAfterStart));
    }

    #[test]
    fn a_day_has_sorted_ranges_that_do_not_overlap() {
        let day = DayHours::new(vec![range("14:00", "18:00"), range("09:00", "13:00")]).expect("valid");
        assert_eq!(day.ranges()[0].start(), time(9, 0, 0, 0), "sorted");
        assert_eq!(
            DayHours::new(vec![range("09:00", "13:00"), range("12:00", "18:00")]),
            Err(FieldError::RangesOverlap)
        );
        assert!(DayHours::new(vec![range("09:00", "13:00"), range("13:00", "18:00")]).is_ok(), "touching is fine");
    }

    #[test]
    fn days_off_have_no_hours() {
        let mut weekly: [DayHours; 7] = Default::default();
        weekly[0] = DayHours::new(vec![range("09:00", "18:00")]).expect("valid");
        let monday_off = date(2026, 9, 21);
        let agenda = Agenda::new(weekly, [monday_off].into()).expect("valid");
        assert_eq!(agenda.ranges_on(date(2026, 9, 14)).len(), 1, "a Monday");
        assert!(agenda.ranges_on(monday_off).is_empty());
        assert!(agenda.ranges_on(date(2026, 9, 15)).is_empty(), "Tuesdays have no hours");
    }
}
