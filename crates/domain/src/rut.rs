//! The RUT (Rol Único Tributario), Chile's national id: a number and a módulo-11
//! check digit (`0`–`9` or `K`). Not unique among clients: one person may have
//! two profiles.

use std::fmt;

use serde::Serialize;

use crate::field_error::FieldError;

/// Largest body accepted: RUTs are issued well below 100 million.
const MAX_BODY: u32 = 99_999_999;
const MAX_INPUT_CHARS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rut {
    body: u32,
    check: char,
}

impl Rut {
    /// Accepts `12.345.678-5`, `12345678-5`, `123456785`, `12 345 678 5` and a
    /// lower-case `k`, and checks the check digit.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(FieldError::Required);
        }
        if text.chars().count() > MAX_INPUT_CHARS {
            return Err(FieldError::TooLong { max: MAX_INPUT_CHARS });
        }
        let compact: String = text.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
        let (body, check) = match compact.split_once('-') {
            Some((body, check)) => (body, check),
            // Without a dash the last character is the check digit.
            None => match compact.char_indices().last() {
                Some((last, _)) if last > 0 => compact.split_at(last),
                _ => return Err(FieldError::RutFormat),
            },
        };
        let check = match check {
            "k" | "K" => 'K',
            digit if digit.len() == 1 && digit.as_bytes()[0].is_ascii_digit() => digit.as_bytes()[0] as char,
            _ => return Err(FieldError::RutFormat),
        };
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::RutFormat);
        }
        let body: u32 = body.parse().map_err(|_| FieldError::RutFormat)?;
        if body == 0 || body > MAX_BODY {
            return Err(FieldError::RutFormat);
        }
        if check_digit(body) != check {
            return Err(FieldError::RutCheckDigit);
        }
        Ok(Self { body, check })
    }

    /// The number without its check digit.
    pub fn body(&self) -> u32 {
        self.body
    }

    /// Stored form: `12345678-5`.
    pub fn canonical(&self) -> String {
        format!("{}-{}", self.body, self.check)
    }

    /// Shown form: `12.345.678-5`.
    pub fn display(&self) -> String {
        let digits = self.body.to_string();
        let mut grouped = String::with_capacity(digits.len() + 4);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(c);
        }
        format!("{grouped}-{}", self.check)
    }
}

/// The módulo-11 check digit of a RUT body: digits weighted 2,3,4,5,6,7,2,3…
/// from the right; 11 − (sum mod 11), where 11 is written `0` and 10 is `K`.
pub fn check_digit(body: u32) -> char {
    let mut rest = body;
    let mut sum = 0;
    let mut weight = 2;
    while rest > 0 {
        sum += (rest % 10) * weight;
        rest /= 10;
        weight = if weight == 7 { 2 } else { weight + 1 };
    }
    match 11 - sum % 11 {
        11 => '0',
        10 => 'K',
        d => char::from_digit(d, 10).unwrap_or('0'),
    }
}

impl fmt::Display for Rut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl Serialize for Rut {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.canonical())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_every_common_writing() {
        for text in ["12.345.678-5", "12345678-5", "123456785", " 12 345 678-5 "] {
            let rut = Rut::parse(text).expect(text);
            assert_eq!(rut.canonical(), "12345678-5");
            assert_eq!(rut.display(), "12.345.678-5");
        }
    }

    #[test]
    fn accepts_lower_case_k_and_stores_upper_case() {
        // 10.000.013-K: 3·2+1·3+0·4+0·5+0·6+0·7+0·2+1·3 = 12; 11 − 1 = 10 → K.
        let rut = Rut::parse("10000013-k").expect("valid");
        assert_eq!(rut.canonical(), "10000013-K");
        assert_eq!(rut.display(), "10.000.013-K");
    }

    #[test]
    fn refuses_wrong_check_digit() {
        assert_eq!(Rut::parse("12.345.678-9"), Err(FieldError::RutCheckDigit));
        assert_eq!(Rut::parse("123456780"), Err(FieldError::RutCheckDigit));
    }

    #[test]
    fn refuses_what_is_not_a_rut() {
        for bad in ["abc", "12.345.678-", "-5", "12a45678-5", "12345678-55", "0-0", "5", "1234567890-1"] {
            assert!(matches!(Rut::parse(bad), Err(FieldError::RutFormat)), "{bad}");
        }
        assert_eq!(Rut::parse(""), Err(FieldError::Required));
    }

    #[test]
    fn short_bodies_are_grouped_correctly() {
        let body = 999_999;
        let rut = Rut::parse(&format!("{body}-{}", check_digit(body))).expect("valid");
        assert_eq!(rut.display(), format!("999.999-{}", check_digit(body)));
    }

    proptest! {
        #[test]
        fn every_body_with_its_check_digit_round_trips(body in 1u32..=MAX_BODY) {
            let text = format!("{body}{}", check_digit(body));
            let rut = Rut::parse(&text).expect("valid");
            prop_assert_eq!(Rut::parse(&rut.display()), Ok(rut));
            prop_assert_eq!(Rut::parse(&rut.canonical().to_lowercase()), Ok(rut));
        }

        #[test]
        fn any_other_check_digit_is_refused(body in 1u32..=MAX_BODY, wrong in "[0-9K]") {
            let wrong = wrong.chars().next().expect("one char");
            prop_assume!(wrong != check_digit(body));
            prop_assert_eq!(Rut::parse(&format!("{body}-{wrong}")), Err(FieldError::RutCheckDigit));
        }

        #[test]
        fn never_panics(text in "\\PC{0,25}") {
            let _ = Rut::parse(&text);
        }
    }
}
