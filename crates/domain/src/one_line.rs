//! The rule for short, one-line texts people type: names, labels.

use unicode_normalization::UnicodeNormalization;

use crate::field_error::FieldError;

/// Trims, collapses inner whitespace, normalises to NFC (so "ñ" typed two
/// ways is one letter) and refuses control characters (tabs and line breaks
/// too: it is one line) and empty or over-long texts.
pub fn one_line(text: &str, max_chars: usize) -> Result<String, FieldError> {
    let trimmed = text.trim();
    if trimmed.chars().any(char::is_control) {
        return Err(FieldError::ControlCharacters);
    }
    let collapsed: String = trimmed.split_whitespace().collect::<Vec<_>>().join(" ").nfc().collect();
    match collapsed.chars().count() {
        0 => Err(FieldError::Required),
        n if n > max_chars => Err(FieldError::TooLong { max: max_chars }),
        _ => Ok(collapsed),
    }
}
