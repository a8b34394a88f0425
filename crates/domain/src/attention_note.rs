//! Attention notes ("notas de atención"): what staff write about one
//! booking. A private note is for staff only; a shared one is also shown to
//! the client (in Mi cuenta).

use jiff::Timestamp;

use crate::ids::Id;
use crate::note::{NoteText, Who, may_change};
use crate::{Actor, BookingId, ClientId};

#[derive(Debug)]
pub enum AttentionNoteKind {}
pub type AttentionNoteId = Id<AttentionNoteKind>;

/// Who may read an attention note besides staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// Staff only.
    Private,
    /// Staff and the client the booking is for.
    Shared,
}

impl Visibility {
    pub const NAMES: &'static [&'static str] = &["private", "shared"];

    /// As the API and storage spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Shared => "shared",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "private" => Some(Self::Private),
            "shared" => Some(Self::Shared),
            _ => None,
        }
    }
}

/// An attention note as stored. Its kind is fixed when it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttentionNote {
    pub id: AttentionNoteId,
    pub booking: BookingId,
    /// The booking's client, whose profile lists the note.
    pub client: ClientId,
    pub visibility: Visibility,
    pub text: NoteText,
    pub author: Who,
    pub created_at: Timestamp,
    /// When the text last changed; `None` if never edited.
    pub edited_at: Option<Timestamp>,
}

impl AttentionNote {
    /// The rule of general notes: its author or an owner.
    pub fn may_be_changed_by(&self, actor: &Actor) -> bool {
        may_change(&self.author, actor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BusinessId, Role, StaffId};

    #[test]
    fn kinds_read_back_as_spelled_and_nothing_else_is_one() {
        for visibility in [Visibility::Private, Visibility::Shared] {
            assert_eq!(Visibility::parse(visibility.as_str()), Some(visibility));
        }
        assert_eq!(Visibility::parse("Shared"), None);
        assert_eq!(Visibility::parse("public"), None);
    }

    #[test]
    fn authors_and_owners_may_change_an_attention_note_colleagues_may_not() {
        let business = BusinessId::generate();
        let author = StaffId::generate();
        let note = AttentionNote {
            id: AttentionNoteId::generate(),
            booking: BookingId::generate(),
            client: ClientId::generate(),
            visibility: Visibility::Shared,
            text: NoteText::parse("evitar calor en la zona").expect("valid"),
            author: Who::Staff { id: author, name: "Andrés".into() },
            created_at: Timestamp::UNIX_EPOCH,
            edited_at: None,
        };
        let staff = |staff, role| Actor::Staff { business, staff: Some(staff), role };
        assert!(note.may_be_changed_by(&staff(author, Role::Professional)));
        assert!(note.may_be_changed_by(&staff(StaffId::generate(), Role::Owner)));
        assert!(!note.may_be_changed_by(&staff(StaffId::generate(), Role::Professional)));
    }
}
