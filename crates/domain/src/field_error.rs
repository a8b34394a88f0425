//! Why a value typed by a user was refused. Each variant has a stable code; the
//! words shown to people (Spanish first) live with the web layer's messages.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FieldError {
    #[error("a value is required")]
    Required,
    #[error("longer than {max} characters")]
    TooLong { max: usize },
    #[error("contains control characters")]
    ControlCharacters,
    #[error("not a valid email address")]
    EmailInvalid,
    #[error("not a valid phone number")]
    PhoneInvalid,
    #[error("not a valid RUT: wrong format")]
    RutFormat,
    #[error("not a valid RUT: wrong check digit")]
    RutCheckDigit,
    #[error("not a date in the form YYYY-MM-DD")]
    DateFormat,
    #[error("date is in the future")]
    DateInFuture,
    #[error("date is before 1900")]
    DateBefore1900,
    #[error("only lower-case letters, digits and dashes")]
    SlugInvalid,
}

impl FieldError {
    /// A stable machine code, part of the API contract.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooLong { .. } => "too_long",
            Self::ControlCharacters => "control_characters",
            Self::EmailInvalid => "email_invalid",
            Self::PhoneInvalid => "phone_invalid",
            Self::RutFormat => "rut_format",
            Self::RutCheckDigit => "rut_check_digit",
            Self::DateFormat => "date_format",
            Self::DateInFuture => "date_in_future",
            Self::DateBefore1900 => "date_before_1900",
            Self::SlugInvalid => "slug_invalid",
        }
    }
}
