//! Who looked at a client's profile (Ley 21.719): each staff read of a
//! profile, its notes, its history or its data file is an entry, kept for a
//! retention the business sets.

use jiff::{SignedDuration, Timestamp};

use crate::ClientId;
use crate::field_error::FieldError;
use crate::ids::Id;
use crate::note::Who;

#[derive(Debug)]
pub enum AccessEntryKind {}
pub type AccessId = Id<AccessEntryKind>;

/// What was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessKind {
    /// The profile: the panel's page (with its notes and history sections)
    /// or the API's client.
    Profile,
    /// The general notes (API).
    Notes,
    /// The attention notes (API).
    AttentionNotes,
    /// The history (API).
    History,
    /// The client's data file (JSON or its readable page).
    DataFile,
    /// This log itself: reading who looked is a look too.
    AccessLog,
}

impl AccessKind {
    pub const ALL: [Self; 6] =
        [Self::Profile, Self::Notes, Self::AttentionNotes, Self::History, Self::DataFile, Self::AccessLog];

    /// As stored and as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::Notes => "notes",
            Self::AttentionNotes => "attention_notes",
            Self::History => "history",
            Self::DataFile => "data_file",
            Self::AccessLog => "access_log",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One read of a client's data. A staff member's name is the one they had
/// then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub id: AccessId,
    pub client: ClientId,
    pub at: Timestamp,
    pub who: Who,
    pub kind: AccessKind,
}

/// How long a business keeps its access entries, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessRetention(u16);

impl AccessRetention {
    /// Long enough to answer a complaint about a month's reads.
    pub const MIN_DAYS: u16 = 30;
    /// Ten years: beyond it a log of reads becomes a liability of its own.
    pub const MAX_DAYS: u16 = 3653;
    /// Two years, unless the business says otherwise.
    pub const DEFAULT: Self = Self(730);

    pub fn days(days: i64) -> Result<Self, FieldError> {
        match u16::try_from(days) {
            Ok(d) if (Self::MIN_DAYS..=Self::MAX_DAYS).contains(&d) => Ok(Self(d)),
            _ => Err(FieldError::OutOfRange { min: i64::from(Self::MIN_DAYS), max: i64::from(Self::MAX_DAYS) }),
        }
    }

    pub fn as_days(self) -> u16 {
        self.0
    }

    /// Entries older than this, at `now`, are to be pruned.
    pub fn cutoff(self, now: Timestamp) -> Timestamp {
        now.saturating_sub(SignedDuration::from_hours(24 * i64::from(self.0))).unwrap_or(Timestamp::MIN)
    }
}

impl Default for AccessRetention {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_as_written() {
        for kind in AccessKind::ALL {
            assert_eq!(AccessKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(AccessKind::parse("Profile"), None);
    }

    #[test]
    fn retention_is_bounded_and_defaults_to_two_years() {
        assert_eq!(AccessRetention::default().as_days(), 730);
        assert!(AccessRetention::days(29).is_err());
        assert!(AccessRetention::days(3654).is_err());
        assert!(AccessRetention::days(-1).is_err());
        assert_eq!(AccessRetention::days(30).map(AccessRetention::as_days), Ok(30));
        let now = Timestamp::from_second(1_773_489_600).expect("valid");
        assert_eq!(AccessRetention::days(30).expect("valid").cutoff(now), now - SignedDuration::from_hours(720));
    }
}
