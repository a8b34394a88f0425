//! The dates people type — a payment's, a day off, a day to look at — are
//! between 1900 and 2100. Outside them a typed date is a slip of the keyboard
//! (0026 for 2026, 9999 to mean "never"), and near the ends of the calendar
//! a zone's offset or a week around the date leaves the range every date
//! type can hold, so such a date is refused with a clear message instead.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::field_error::FieldError;

pub const FIRST_YEAR: i16 = 1900;
pub const LAST_YEAR: i16 = 2100;

/// Whether a typed date is between 01-01-1900 and 31-12-2100.
pub fn typed_date_in_range(date: Date) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

/// Whether an instant falls on a date in range (read in UTC: a few hours
/// either way do not matter at these ends).
pub fn instant_in_range(instant: Timestamp) -> bool {
    typed_date_in_range(instant.to_zoned(TimeZone::UTC).date())
}

/// An ISO date (`2026-09-18`) as a query parameter or JSON field holds it,
/// within the range.
pub fn parse_iso_in_range(text: &str) -> Result<Date, FieldError> {
    let date: Date = text.parse().map_err(|_| FieldError::DateFormat)?;
    in_range(date)
}

/// A date as staff type it in the panel (`18-09-2026`, or ISO), in range.
pub fn parse_typed(text: &str) -> Result<Date, FieldError> {
    crate::parse_date(text.trim()).ok_or(FieldError::DateFormat).and_then(in_range)
}

/// `date` if it is in range, else `DateOutOfRange`.
pub fn in_range(date: Date) -> Result<Date, FieldError> {
    if typed_date_in_range(date) { Ok(date) } else { Err(FieldError::DateOutOfRange) }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn the_range_is_1900_to_2100_inclusive() {
        assert_eq!(parse_iso_in_range("1900-01-01"), Ok(date(1900, 1, 1)));
        assert_eq!(parse_iso_in_range("2100-12-31"), Ok(date(2100, 12, 31)));
        assert_eq!(parse_iso_in_range("1899-12-31"), Err(FieldError::DateOutOfRange));
        assert_eq!(parse_iso_in_range("2101-01-01"), Err(FieldError::DateOutOfRange));
        assert_eq!(parse_iso_in_range("0000-01-01"), Err(FieldError::DateOutOfRange));
        assert_eq!(parse_iso_in_range("9999-12-31"), Err(FieldError::DateOutOfRange));
        assert_eq!(parse_iso_in_range("2026-02-30"), Err(FieldError::DateFormat));
        assert_eq!(parse_typed(" 18-09-2026 "), Ok(date(2026, 9, 18)));
        assert_eq!(parse_typed("31-12-9999"), Err(FieldError::DateOutOfRange));
    }

    #[test]
    fn instants_are_in_range_by_their_utc_date() {
        assert!(instant_in_range("2026-09-07T13:30:00Z".parse().expect("instant")));
        assert!(!instant_in_range("0000-01-01T13:30:00Z".parse().expect("instant")));
        assert!(!instant_in_range("9999-12-30T13:30:00Z".parse().expect("instant")));
    }
}
