//! Calendar feeds: a staff member's bookings as a private iCalendar
//! subscription (one per device, each with a label), and what an event of
//! such a feed may say about the client.
//!
//! A feed ends up in Google Calendar or on a phone, outside the business's
//! control: by default an event says the service and the client's initials
//! only, never notes or custom values; a business may choose full names. A
//! blocked client (bloqueo) is hidden from professionals, so their booking
//! shows only that the time is taken.

use jiff::Timestamp;

use crate::field_error::FieldError;
use crate::ids::{Id, StaffId};
use crate::one_line::one_line;

#[derive(Debug)]
pub enum FeedKind {}

pub type FeedId = Id<FeedKind>;

/// The name a person gives a feed ("iPhone", "Google del trabajo").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLabel(String);

impl FeedLabel {
    pub const MAX_CHARS: usize = 60;

    /// One line of at most 60 characters: see `one_line`.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        one_line(text, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A feed as its owner sees it; the secret itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFeed {
    pub id: FeedId,
    pub staff: StaffId,
    pub label: FeedLabel,
    pub created_at: Timestamp,
    /// Recorded at most once a minute (see `LAST_USE_GRAIN`).
    pub last_used_at: Option<Timestamp>,
}

/// How often a feed's last use is written: calendar apps poll every few
/// minutes, and "último uso" needs no finer grain than this.
pub const LAST_USE_GRAIN: jiff::SignedDuration = jiff::SignedDuration::from_secs(60);

/// The title of a booking's event: the service, then who it is for as the
/// business chose (initials by default), or "Reservado" alone for a client
/// staff may not see.
pub fn event_title(service: &str, client: Option<&str>, full_names: bool) -> String {
    match client {
        None => "Reservado".to_owned(),
        Some(name) if full_names => format!("{service} · {name}"),
        Some(name) => match initials(name) {
            initials if initials.is_empty() => service.to_owned(),
            initials => format!("{service} · {initials}"),
        },
    }
}

/// "Ana María Pérez" → "A.M.P.": the first letter of each word, upper case.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphanumeric()))
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_take_each_words_first_letter() {
        assert_eq!(initials("Ana María Pérez"), "A.M.P.");
        assert_eq!(initials("  ñandú  de la   'Fuente' "), "Ñ.D.L.F.");
        assert_eq!(initials("Élodie"), "É.");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn the_title_says_initials_unless_full_names_and_nothing_for_a_hidden_client() {
        assert_eq!(event_title("Kinesiología", Some("Ana Pérez"), false), "Kinesiología · A.P.");
        assert_eq!(event_title("Kinesiología", Some("Ana Pérez"), true), "Kinesiología · Ana Pérez");
        assert_eq!(event_title("Kinesiología", None, true), "Reservado");
        assert_eq!(event_title("Kinesiología", Some("—"), false), "Kinesiología");
    }

    #[test]
    fn labels_are_one_short_line() {
        assert_eq!(FeedLabel::parse("  iPhone   de Ana ").expect("valid").as_str(), "iPhone de Ana");
        assert_eq!(FeedLabel::parse("   "), Err(FieldError::Required));
        assert_eq!(FeedLabel::parse("a\nb"), Err(FieldError::ControlCharacters));
        assert_eq!(FeedLabel::parse(&"x".repeat(61)), Err(FieldError::TooLong { max: 60 }));
    }
}
