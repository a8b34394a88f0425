//! A client's name: what staff and the client see first.

use std::fmt;

use serde::Serialize;

use crate::field_error::FieldError;
use crate::one_line::one_line;

pub const MAX_NAME_CHARS: usize = 120;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ClientName(String);

impl ClientName {
    /// One line of at most 120 characters: see `one_line`.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        one_line(text, MAX_NAME_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn trims_and_collapses_spaces() {
        let name = ClientName::parse("  María   José  de la   Fuente ").expect("valid");
        assert_eq!(name.as_str(), "María José de la Fuente");
    }

    #[test]
    fn refuses_empty_and_blank() {
        assert_eq!(ClientName::parse(""), Err(FieldError::Required));
        assert_eq!(ClientName::parse("   "), Err(FieldError::Required));
    }

    #[test]
    fn refuses_control_characters_inside() {
        assert_eq!(ClientName::parse("Ana\u{0007}Pérez"), Err(FieldError::ControlCharacters));
        assert_eq!(ClientName::parse("Ana\nPérez"), Err(FieldError::ControlCharacters));
    }

    /// The API's schema refuses control characters anywhere in a name, so a
    /// trailing line break is refused too, not trimmed away (a form's
    /// one-line input never sends one; an import trims its cells).
    #[test]
    fn a_trailing_newline_is_refused_as_the_schema_says() {
        assert_eq!(ClientName::parse("Ana Pérez\n"), Err(FieldError::ControlCharacters));
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(ClientName::parse(&"ñ".repeat(120)).is_ok());
        assert_eq!(ClientName::parse(&"ñ".repeat(121)), Err(FieldError::TooLong { max: 120 }));
    }

    #[test]
    fn normalises_decomposed_letters() {
        let decomposed = ClientName::parse("Mun\u{0303}oz").expect("valid");
        assert_eq!(decomposed.as_str(), "Muñoz");
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent(text in "\\PC{0,130}") {
            if let Ok(name) = ClientName::parse(&text) {
                prop_assert_eq!(ClientName::parse(name.as_str()), Ok(name.clone()));
                prop_assert!(!name.as_str().starts_with(' ') && !name.as_str().ends_with(' '));
                prop_assert!(!name.as_str().contains("  "));
                prop_assert!(name.as_str().chars().count() <= MAX_NAME_CHARS);
            }
        }
    }
}
