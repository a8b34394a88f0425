//! A client's phone. Parsed with Chile as the default region by libphonenumber's
//! metadata (the `phonenumber` crate), stored in E.164, shown formatted.

use std::fmt;

use phonenumber::country::Id as Country;
use phonenumber::{Mode, PhoneNumber};
use serde::Serialize;

use crate::field_error::FieldError;

const MAX_INPUT_CHARS: usize = 30;

#[derive(Debug, Clone)]
pub struct Phone {
    number: PhoneNumber,
    e164: String,
}

impl Phone {
    /// `+56 9 6123 4567`, `961234567`, `9 6123-4567`, `+54 11 …` all parse;
    /// numbers the metadata says cannot exist are refused.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(FieldError::Required);
        }
        if text.chars().count() > MAX_INPUT_CHARS {
            return Err(FieldError::TooLong { max: MAX_INPUT_CHARS });
        }
        let number = phonenumber::parse(Some(Country::CL), text).map_err(|_| FieldError::PhoneInvalid)?;
        if !phonenumber::is_valid(&number) {
            return Err(FieldError::PhoneInvalid);
        }
        let e164 = number.format().mode(Mode::E164).to_string();
        Ok(Self { number, e164 })
    }

    /// Stored form: `+56961234567`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// `+56 9 6123 4567`.
    pub fn international(&self) -> String {
        self.number.format().mode(Mode::International).to_string()
    }

    /// `9 6123 4567` for a Chilean number; other countries' numbers are shown
    /// internationally, since a national form would lose the country.
    pub fn display(&self) -> String {
        if self.number.code().value() == 56 {
            self.number.format().mode(Mode::National).to_string()
        } else {
            self.international()
        }
    }

    /// The digits for a `https://wa.me/<digits>` link.
    pub fn wa_digits(&self) -> &str {
        self.e164.trim_start_matches('+')
    }
}

/// Two phones are the same number whatever way each was typed.
impl PartialEq for Phone {
    fn eq(&self, other: &Self) -> bool {
        self.e164 == other.e164
    }
}
impl Eq for Phone {}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.international())
    }
}

impl Serialize for Phone {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.e164)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn any_chilean_mobile_formatting_gives_one_e164() {
        for text in ["+56 9 6123 4567", "961234567", "9 6123-4567", "+56961234567", "(+56) 9 6123 4567"] {
            assert_eq!(Phone::parse(text).expect(text).e164(), "+56961234567", "{text}");
        }
    }

    #[test]
    fn shows_national_and_international_forms() {
        let phone = Phone::parse("961234567").expect("valid");
        assert_eq!(phone.international(), "+56 9 6123 4567");
        assert_eq!(phone.display(), "9 6123 4567");
        assert_eq!(phone.wa_digits(), "56961234567");
    }

    #[test]
    fn santiago_landline_parses() {
        assert_eq!(Phone::parse("2 2345 6789").expect("valid").e164(), "+56223456789");
    }

    #[test]
    fn foreign_numbers_keep_their_country() {
        let phone = Phone::parse("+54 9 11 2345-6789").expect("valid");
        assert!(phone.e164().starts_with("+54"));
        assert!(phone.display().starts_with("+54"));
    }

    #[test]
    fn refuses_what_cannot_be_a_number() {
        for bad in ["abc", "123", "+56 9 1234", "96123456789012", "+999 1234 5678"] {
            assert_eq!(Phone::parse(bad), Err(FieldError::PhoneInvalid), "{bad}");
        }
        assert_eq!(Phone::parse(" "), Err(FieldError::Required));
        assert_eq!(Phone::parse(&"9".repeat(31)), Err(FieldError::TooLong { max: 30 }));
    }

    proptest! {
        #[test]
        fn valid_numbers_round_trip_through_every_form(rest in 30_000_000u32..99_999_999) {
            if let Ok(phone) = Phone::parse(&format!("9{rest}")) {
                for form in [phone.international(), phone.display(), phone.e164().to_owned()] {
                    prop_assert_eq!(Phone::parse(&form), Ok(phone.clone()));
                }
            }
        }

        #[test]
        fn never_panics(text in "\\PC{0,30}") {
            let _ = Phone::parse(&text);
        }
    }
}
