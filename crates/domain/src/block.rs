//! Bloqueo (Ley 21.719): an owner freezes a client's profile, with a reason,
//! until it is unblocked. While blocked nothing about the person is changed,
//! told or booked; the data is kept.

use jiff::Timestamp;

use crate::field_error::FieldError;
use crate::one_line::one_line;

/// Why a profile was blocked, as the owner typed it: one line, 1 to 500
/// characters (the banner shows it whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockReason(String);

impl BlockReason {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(text: &str) -> Result<Self, FieldError> {
        one_line(text, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A profile's block: since when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub since: Timestamp,
    pub reason: BlockReason,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_one_trimmed_line() {
        assert_eq!(BlockReason::parse("  a pedido   del cliente ").map(|r| r.0), Ok("a pedido del cliente".into()));
        assert_eq!(BlockReason::parse("  "), Err(FieldError::Required));
        assert_eq!(BlockReason::parse("a\nb"), Err(FieldError::ControlCharacters));
        assert!(BlockReason::parse(&"ñ".repeat(501)).is_err());
        assert!(BlockReason::parse(&"ñ".repeat(500)).is_ok());
    }
}
