//! A number as a person types it: `34`, `3,5` (Chilean decimal comma) or
//! `3.5`, kept as exact canonical decimal text (`3.5`), never as a float, so
//! what was typed is what comes back.

use std::fmt;

use crate::field_error::FieldError;

/// Typed numbers and canonical forms alike: more would be an accident.
pub const MAX_NUMBER_CHARS: usize = 40;

/// Canonical decimal text: an optional `-`, no leading zeros but one before
/// the point, `.` as the point, no trailing zeros after it, no `-0`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal(String);

impl Decimal {
    /// Accepts an optional sign, digits, optionally `.` or `,` and more
    /// digits, and optionally an exponent (`1e3`, what JSON writers emit for
    /// large or tiny numbers). Refuses everything else, `1.000.000` and
    /// `abc` included.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(FieldError::Required);
        }
        if text.chars().count() > MAX_NUMBER_CHARS {
            return Err(FieldError::TooLong { max: MAX_NUMBER_CHARS });
        }
        let (negative, unsigned) = split_sign(text);
        let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
            Some((mantissa, exponent)) => (mantissa, parse_exponent(exponent)?),
            None => (unsigned, 0),
        };
        let (whole, fraction, has_point) = match mantissa.split_once(['.', ',']) {
            Some((whole, fraction)) => (whole, fraction, true),
            None => (mantissa, "", false),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let digits_around_point = !whole.is_empty() && (!has_point || !fraction.is_empty());
        if !digits_around_point || !all_digits(whole) || !all_digits(fraction) {
            return Err(FieldError::NotANumber);
        }
        let mut digits: Vec<u8> = whole.bytes().chain(fraction.bytes()).collect();
        // Where the point goes: after this many of `digits`.
        let mut point = whole.len() as i64 + exponent;
        let leading = digits.iter().take_while(|&&d| d == b'0').count();
        digits.drain(..leading);
        point -= leading as i64;
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits.is_empty() {
            return Ok(Self("0".into()));
        }
        let len = digits.len() as i64;
        let body_len = if point <= 0 {
            2 - point + len
        } else if point >= len {
            point
        } else {
            len + 1
        };
        if body_len + i64::from(negative) > MAX_NUMBER_CHARS as i64 {
            return Err(FieldError::TooLong { max: MAX_NUMBER_CHARS });
        }
        Ok(Self(render(negative, &digits, point)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// With a decimal comma, as numbers are read in Chile: `3,5`.
    pub fn display(&self) -> String {
        self.0.replace('.', ",")
    }
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

fn parse_exponent(text: &str) -> Result<i64, FieldError> {
    let (negative, digits) = split_sign(text);
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::NotANumber);
    }
    let magnitude: i64 = digits.parse().map_err(|_| FieldError::NotANumber)?;
    Ok(if negative { -magnitude } else { magnitude })
}

/// `digits` (no leading or trailing zeros, not empty) with the point after
/// `point` of them; `point` may lie outside the digits.
fn render(negative: bool, digits: &[u8], point: i64) -> String {
    let digits: String = digits.iter().map(|&d| char::from(d)).collect();
    let len = digits.len() as i64;
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(usize::try_from(-point).unwrap_or(0)))
    } else if point >= len {
        format!("{digits}{}", "0".repeat(usize::try_from(point - len).unwrap_or(0)))
    } else {
        let (whole, fraction) = digits.split_at(usize::try_from(point).unwrap_or(0));
        format!("{whole}.{fraction}")
    };
    if negative { format!("-{body}") } else { body }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn canonical(text: &str) -> String {
        Decimal::parse(text).expect(text).0
    }

    #[test]
    fn accepts_whole_numbers_and_both_decimal_marks() {
        assert_eq!(canonical("34"), "34");
        assert_eq!(canonical("3,5"), "3.5");
        assert_eq!(canonical("3.5"), "3.5");
        assert_eq!(canonical(" -0,250 "), "-0.25");
        assert_eq!(canonical("+007"), "7");
        assert_eq!(canonical("10.0"), "10");
        assert_eq!(canonical("-0"), "0");
        assert_eq!(canonical("0,000"), "0");
    }

    #[test]
    fn expands_exponents() {
        assert_eq!(canonical("1e3"), "1000");
        assert_eq!(canonical("2.5E-3"), "0.0025");
        assert_eq!(canonical("1e20"), "100000000000000000000");
        assert_eq!(canonical("-1.5e1"), "-15");
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        for bad in
            ["abc", "1.000.000", "3,5,1", "1,", ",5", ".5", "1e", "e3", "--1", "1 000", "NaN", "inf", "0x10", "1e99999"]
        {
            assert_eq!(Decimal::parse(bad), Err(FieldError::NotANumber), "{bad}");
        }
        assert_eq!(Decimal::parse("  "), Err(FieldError::Required));
    }

    #[test]
    fn refuses_numbers_too_long_to_be_meant() {
        assert_eq!(Decimal::parse(&"9".repeat(41)), Err(FieldError::TooLong { max: 40 }));
        assert_eq!(Decimal::parse("1e300"), Err(FieldError::TooLong { max: 40 }));
        assert_eq!(Decimal::parse("1e-300"), Err(FieldError::TooLong { max: 40 }));
    }

    #[test]
    fn displays_with_a_decimal_comma() {
        assert_eq!(Decimal::parse("3.5").expect("valid").display(), "3,5");
        assert_eq!(Decimal::parse("-12").expect("valid").display(), "-12");
    }

    proptest! {
        #[test]
        fn integers_are_their_own_canonical_form(n in any::<i64>()) {
            prop_assert_eq!(canonical(&n.to_string()), n.to_string());
        }

        #[test]
        fn canonical_forms_parse_back_to_themselves(text in "[+-]?[0-9]{1,12}([.,][0-9]{1,12})?([eE][+-]?[0-9]{1,2})?") {
            if let Ok(number) = Decimal::parse(&text) {
                prop_assert_eq!(Decimal::parse(number.as_str()), Ok(number.clone()));
                prop_assert_eq!(Decimal::parse(&number.display()), Ok(number.clone()));
            }
        }

        #[test]
        fn keeps_the_value_of_floats(x in -1e15f64..1e15) {
            // What a JSON writer prints for a float, read back exactly.
            let text = format!("{x:e}");
            if let Ok(number) = Decimal::parse(&text) {
                prop_assert_eq!(number.as_str().parse::<f64>().ok(), Some(x));
            }
        }

        #[test]
        fn comma_and_point_mean_the_same(whole in 0u32..100_000, fraction in "[0-9]{1,6}") {
            prop_assert_eq!(Decimal::parse(&format!("{whole},{fraction}")), Decimal::parse(&format!("{whole}.{fraction}")));
        }
    }
}
