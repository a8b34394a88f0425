//! General notes about a client ("cliente puntual", "alérgica al látex"):
//! staff-only text with its author and time.

use jiff::Timestamp;

use crate::field_error::FieldError;
use crate::ids::Id;
use crate::{Actor, ClientId, StaffId};

#[derive(Debug)]
pub enum NoteKind {}
pub type NoteId = Id<NoteKind>;

/// The text of a note: what staff typed, trimmed of surrounding blanks and
/// otherwise kept as typed (line breaks included; pages escape it when they
/// show it). 1 to 5 000 characters, counted as characters, not bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteText(String);

impl NoteText {
    pub const MAX_CHARS: usize = 5000;

    pub fn parse(text: &str) -> Result<Self, FieldError> {
        // Line breaks and tabs are how people lay out a note; other control
        // characters are never typed, and NUL cannot be stored in PostgreSQL.
        // Checked before trimming, which would drop a trailing form feed.
        if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err(FieldError::ControlCharacters);
        }
        let text = text.trim();
        match text.chars().count() {
            0 => Err(FieldError::Required),
            n if n > Self::MAX_CHARS => Err(FieldError::TooLong { max: Self::MAX_CHARS }),
            _ => Ok(Self(text.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who wrote something or made a change, as people are shown it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// A staff member, by account and name.
    Staff { id: StaffId, name: String },
    /// An integration, through one of the business's API tokens.
    Integration,
    /// The installation itself: command-line tools, demo data.
    System,
    /// The client themself, from Mi cuenta (only in their own history).
    Client,
}

impl Who {
    /// The kind as stored and as the API spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Staff { .. } => "staff",
            Self::Integration => "integration",
            Self::System => "system",
            Self::Client => "client",
        }
    }
}

/// A general note as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: NoteId,
    pub client: ClientId,
    pub text: NoteText,
    pub author: Who,
    pub created_at: Timestamp,
    /// When the text last changed; `None` if never edited.
    pub edited_at: Option<Timestamp>,
}

impl Note {
    /// Authors edit and delete their own notes; owners (and the system) any.
    /// A professional cannot change a colleague's note.
    pub fn may_be_changed_by(&self, actor: &Actor) -> bool {
        may_change(&self.author, actor)
    }
}

/// Whether `actor` may change what `author` wrote: the author themself, or
/// an owner (and the system). The rule of every kind of note.
pub(crate) fn may_change(author: &Who, actor: &Actor) -> bool {
    if actor.is_owner() {
        return true;
    }
    match (actor, author) {
        (Actor::Staff { staff: Some(staff), .. }, Who::Staff { id, .. }) => staff == id,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BusinessId, Role};

    #[test]
    fn text_is_trimmed_and_otherwise_kept_as_typed() {
        let text = NoteText::parse("  <script>alert(1)</script>\n  segunda línea \t").expect("valid");
        assert_eq!(text.as_str(), "<script>alert(1)</script>\n  segunda línea");
    }

    #[test]
    fn empty_and_over_long_texts_are_refused_counting_characters() {
        assert_eq!(NoteText::parse(" \n\t "), Err(FieldError::Required));
        let longest = "ñ".repeat(NoteText::MAX_CHARS);
        assert!(NoteText::parse(&longest).is_ok(), "5000 characters of two bytes each fit");
        assert_eq!(NoteText::parse(&format!("{longest}a")), Err(FieldError::TooLong { max: 5000 }));
        assert_eq!(NoteText::parse("a\u{0}b"), Err(FieldError::ControlCharacters));
        // Whitespace to `trim`, control characters to the API's schema.
        assert_eq!(NoteText::parse("nota\u{c}"), Err(FieldError::ControlCharacters));
        assert_eq!(NoteText::parse("\u{85}nota"), Err(FieldError::ControlCharacters));
    }

    #[test]
    fn authors_and_owners_may_change_a_note_colleagues_may_not() {
        let business = BusinessId::generate();
        let author = StaffId::generate();
        let note = Note {
            id: NoteId::generate(),
            client: ClientId::generate(),
            text: NoteText::parse("cliente puntual").expect("valid"),
            author: Who::Staff { id: author, name: "Carolina".into() },
            created_at: Timestamp::UNIX_EPOCH,
            edited_at: None,
        };
        let staff = |staff, role| Actor::Staff { business, staff: Some(staff), role };
        assert!(note.may_be_changed_by(&staff(author, Role::Professional)));
        assert!(note.may_be_changed_by(&staff(StaffId::generate(), Role::Owner)));
        assert!(note.may_be_changed_by(&Actor::System { business }));
        assert!(!note.may_be_changed_by(&staff(StaffId::generate(), Role::Professional)));
        let token = Actor::Staff { business, staff: None, role: Role::Professional };
        assert!(!note.may_be_changed_by(&token));
    }
}
