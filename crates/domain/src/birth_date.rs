//! A client's birth date: a calendar date, not in the future, not before 1900.

use std::fmt;

use jiff::civil::Date;
use serde::Serialize;

use crate::field_error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct BirthDate(Date);

impl BirthDate {
    /// Accepts ISO `1990-04-23` (the API) and Chilean `23-04-1990` (the panel).
    /// `today` is the business's current date: time is a parameter.
    pub fn parse(text: &str, today: Date) -> Result<Self, FieldError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(FieldError::Required);
        }
        let date = parse_date(text).ok_or(FieldError::DateFormat)?;
        Self::new(date, today)
    }

    pub fn new(date: Date, today: Date) -> Result<Self, FieldError> {
        if date.year() < 1900 {
            Err(FieldError::DateBefore1900)
        } else if date > today {
            Err(FieldError::DateInFuture)
        } else {
            Ok(Self(date))
        }
    }

    pub fn date(&self) -> Date {
        self.0
    }

    /// `dd-mm-aaaa`, as dates are shown in Chile.
    pub fn display(&self) -> String {
        self.0.strftime("%d-%m-%Y").to_string()
    }
}

/// A calendar date written ISO (`1990-04-23`) or Chilean (`23-04-1990`,
/// `23/04/1990`); any year of four digits. Shared with custom date fields.
pub fn parse_date(text: &str) -> Option<Date> {
    parse_iso(text).or_else(|| parse_chilean(text))
}

fn parse_iso(text: &str) -> Option<Date> {
    let [y, m, d] = split_three(text)?;
    (y.len() == 4 && m.len() == 2 && d.len() == 2).then_some(())?;
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

fn parse_chilean(text: &str) -> Option<Date> {
    let [d, m, y] = split_three(text)?;
    (y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len())).then_some(())?;
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

fn split_three(text: &str) -> Option<[&str; 3]> {
    let separator = if text.contains('/') { '/' } else { '-' };
    let mut parts = text.split(separator);
    let three = [parts.next()?, parts.next()?, parts.next()?];
    let all_digits = three.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    (parts.next().is_none() && all_digits).then_some(three)
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    const TODAY: Date = date(2026, 11, 22);

    #[test]
    fn accepts_iso_and_chilean_forms() {
        for text in ["1990-04-23", "23-04-1990", "23/04/1990", "3-4-1990"] {
            let expected = if text == "3-4-1990" { date(1990, 4, 3) } else { date(1990, 4, 23) };
            assert_eq!(BirthDate::parse(text, TODAY).expect(text).date(), expected);
        }
        assert_eq!(BirthDate::parse("1990-04-23", TODAY).expect("valid").display(), "23-04-1990");
    }

    #[test]
    fn today_is_fine_tomorrow_is_not() {
        assert!(BirthDate::parse("2026-11-22", TODAY).is_ok());
        assert_eq!(BirthDate::parse("2026-11-23", TODAY), Err(FieldError::DateInFuture));
    }

    #[test]
    fn nineteen_hundred_is_the_floor() {
        assert!(BirthDate::parse("1900-01-01", TODAY).is_ok());
        assert_eq!(BirthDate::parse("1899-12-31", TODAY), Err(FieldError::DateBefore1900));
    }

    #[test]
    fn refuses_impossible_dates_and_garbage() {
        for bad in ["2023-02-29", "1990-13-01", "31-04-1990", "abc", "1990-4-23x", "19900423", "1990-04-23-01"] {
            assert_eq!(BirthDate::parse(bad, TODAY), Err(FieldError::DateFormat), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn display_parses_back(days in 0i32..40_000) {
            let d = date(1900, 1, 1).checked_add(jiff::Span::new().days(days)).expect("in range");
            if let Ok(birth) = BirthDate::new(d, TODAY) {
                prop_assert_eq!(BirthDate::parse(&birth.display(), TODAY), Ok(birth));
            }
        }
    }
}
