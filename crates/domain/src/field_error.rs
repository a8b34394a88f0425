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
    #[error("contains invisible or text-direction characters")]
    InvisibleCharacters,
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
    #[error("date is not between 1900 and 2100")]
    DateOutOfRange,
    #[error("only lower-case letters, digits and dashes")]
    SlugInvalid,
    #[error("a field key is a lower-case letter followed by lower-case letters, digits or underscores")]
    KeyInvalid,
    #[error("not a kind of custom field")]
    KindInvalid,
    #[error("not text")]
    NotText,
    #[error("not a number")]
    NotANumber,
    #[error("not yes or no")]
    NotYesNo,
    #[error("not one of the field's options")]
    NotAnOption,
    #[error("an option is repeated")]
    OptionRepeated,
    #[error("only choice fields have options")]
    OptionsNotAllowed,
    #[error("more than {max} options")]
    TooManyOptions { max: usize },
    #[error("the field is archived")]
    FieldArchived,
    #[error("no such field")]
    FieldUnknown,
    #[error("not a whole number from {min} to {max}")]
    OutOfRange { min: i64, max: i64 },
    #[error("not a time of day in the form HH:MM")]
    TimeFormat,
    #[error("not a date and time")]
    DateTimeFormat,
    #[error("the end is not after the start")]
    EndNotAfterStart,
    #[error("time ranges overlap")]
    RangesOverlap,
    #[error("more than {max} time ranges in a day")]
    TooManyRanges { max: usize },
    #[error("more than {max} days off")]
    TooManyDaysOff { max: usize },
}

impl FieldError {
    /// A stable machine code, part of the API contract.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooLong { .. } => "too_long",
            Self::ControlCharacters => "control_characters",
            Self::InvisibleCharacters => "invisible_characters",
            Self::EmailInvalid => "email_invalid",
            Self::PhoneInvalid => "phone_invalid",
            Self::RutFormat => "rut_format",
            Self::RutCheckDigit => "rut_check_digit",
            Self::DateFormat => "date_format",
            Self::DateInFuture => "date_in_future",
            Self::DateBefore1900 => "date_before_1900",
            Self::DateOutOfRange => "date_out_of_range",
            Self::SlugInvalid => "slug_invalid",
            Self::KeyInvalid => "key_invalid",
            Self::KindInvalid => "kind_invalid",
            Self::NotText => "not_text",
            Self::NotANumber => "not_a_number",
            Self::NotYesNo => "not_yes_no",
            Self::NotAnOption => "not_an_option",
            Self::OptionRepeated => "option_repeated",
            Self::OptionsNotAllowed => "options_not_allowed",
            Self::TooManyOptions { .. } => "too_many_options",
            Self::FieldArchived => "field_archived",
            Self::FieldUnknown => "field_unknown",
            Self::OutOfRange { .. } => "out_of_range",
            Self::TimeFormat => "time_format",
            Self::DateTimeFormat => "datetime_format",
            Self::EndNotAfterStart => "end_not_after_start",
            Self::RangesOverlap => "ranges_overlap",
            Self::TooManyRanges { .. } => "too_many_ranges",
            Self::TooManyDaysOff { .. } => "too_many_days_off",
        }
    }
}
