//! The history (audit trail) of a client: every change to its data and notes,
//! with who and when; and the one anonymous trace a deleted client leaves.

use jiff::Timestamp;

use crate::attention_note::{AttentionNoteId, Visibility};
use crate::data_request::{DataRequestId, DataRight, RequestEvent};
use crate::ids::Id;
use crate::note::{NoteId, Who};
use crate::notification::{ChoiceSource, ClientPreferences};
use crate::{Attendance, Booking, BookingId, BookingState, Client, ClientId, ImportId, MergeId, Payment};

#[derive(Debug)]
pub enum HistoryKind {}
pub type HistoryId = Id<HistoryKind>;

#[derive(Debug)]
pub enum DeletionKind {}
pub type DeletionId = Id<DeletionKind>;

/// The general data fields, by their API names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneralField {
    Name,
    Email,
    Phone,
    Rut,
    BirthDate,
}

impl GeneralField {
    pub const ALL: [Self; 5] = [Self::Name, Self::Email, Self::Phone, Self::Rut, Self::BirthDate];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Rut => "rut",
            Self::BirthDate => "birth_date",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }

    /// The field's value in its stored form (E.164 phone, canonical RUT,
    /// ISO date), as the history keeps it.
    pub fn value_of(self, client: &Client) -> Option<String> {
        match self {
            Self::Name => Some(client.name.as_str().to_owned()),
            Self::Email => Some(client.email.as_str().to_owned()),
            Self::Phone => client.phone.as_ref().map(|p| p.e164().to_owned()),
            Self::Rut => client.rut.map(|r| r.canonical()),
            Self::BirthDate => client.birth_date.map(|d| d.date().to_string()),
        }
    }
}

/// One change, old → new. `None` is "empty".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Field {
        field: GeneralField,
        old: Option<String>,
        new: Option<String>,
    },
    /// A custom field's value, by the field's label at the time.
    CustomValue {
        label: String,
        old: Option<String>,
        new: Option<String>,
    },
    NoteAdded {
        note: NoteId,
        text: String,
    },
    NoteEdited {
        note: NoteId,
        old: String,
        new: String,
    },
    NoteDeleted {
        note: NoteId,
        text: String,
    },
    /// A booking placed (`start` is `None` for a pack session "por
    /// reservar").
    BookingCreated {
        booking: BookingId,
        start: Option<Timestamp>,
    },
    /// Moved to a new time (a session "por reservar" getting its date too).
    BookingRescheduled {
        booking: BookingId,
        old: Option<Timestamp>,
        new: Timestamp,
    },
    BookingConfirmed {
        booking: BookingId,
    },
    BookingCancelled {
        booking: BookingId,
    },
    BookingAttendance {
        booking: BookingId,
        old: Attendance,
        new: Attendance,
    },
    /// Paid, a payment corrected, or a payment taken back.
    BookingPayment {
        booking: BookingId,
        old: Payment,
        new: Payment,
    },
    AttentionNoteAdded {
        note: AttentionNoteId,
        booking: BookingId,
        visibility: Visibility,
        text: String,
    },
    AttentionNoteEdited {
        note: AttentionNoteId,
        booking: BookingId,
        visibility: Visibility,
        old: String,
        new: String,
    },
    AttentionNoteDeleted {
        note: AttentionNoteId,
        booking: BookingId,
        visibility: Visibility,
        text: String,
    },
    /// What the client chose to receive (WhatsApp, reminders), and where
    /// (`None` in entries older than the record of it).
    NotificationPreferences {
        old: ClientPreferences,
        new: ClientPreferences,
        source: Option<ChoiceSource>,
    },
    /// The profile was blocked (bloqueo), and why.
    ClientBlocked {
        reason: String,
    },
    /// The profile's block was lifted.
    ClientUnblocked,
    /// A data-subject request of the client's: received, moved, extended.
    DataRequest {
        request: DataRequestId,
        right: DataRight,
        event: RequestEvent,
    },
    /// This profile and `other` were merged into one (issue 13): the
    /// survivor's entry sits beside the field and custom value changes the
    /// chosen values made; `other_name`/`other_email` are the other
    /// profile's as they were then.
    ClientMerged {
        merge: MergeId,
        role: MergeRole,
        other: ClientId,
        other_name: String,
        other_email: String,
    },
    /// The merge was undone: the absorbed profile is back.
    MergeUndone {
        merge: MergeId,
        role: MergeRole,
        other: ClientId,
        other_name: String,
        other_email: String,
    },
    /// A line of an import wrote this profile (created it, or changed its
    /// data or added a note): the entry sits beside that line's field,
    /// custom value and note entries, and names the batch and its file.
    ClientImported {
        batch: ImportId,
        file_name: String,
        created: bool,
    },
    /// The import's batch was undone: what it wrote on this profile is
    /// back as it was.
    ImportUndone {
        batch: ImportId,
        file_name: String,
    },
}

/// Which side of a merge a history entry's profile was on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeRole {
    /// The profile that stayed and took the other's rows.
    Survivor,
    /// The profile that was folded into the survivor.
    Absorbed,
}

impl MergeRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Survivor => "survivor",
            Self::Absorbed => "absorbed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "survivor" => Some(Self::Survivor),
            "absorbed" => Some(Self::Absorbed),
            _ => None,
        }
    }
}

impl Change {
    /// The changes of general data that turn `before` into `after`, in the
    /// order the fields are shown.
    pub fn between(before: &Client, after: &Client) -> Vec<Self> {
        GeneralField::ALL
            .into_iter()
            .filter_map(|field| {
                let (old, new) = (field.value_of(before), field.value_of(after));
                (old != new).then_some(Self::Field { field, old, new })
            })
            .collect()
    }

    /// The changes that turn the booking `before` into `after`: its time,
    /// then confirmation or cancellation, attendance, payment. A cancelled
    /// booking rescheduled back to pending is told by its new time alone.
    pub fn of_booking(before: &Booking, after: &Booking) -> Vec<Self> {
        let booking = after.id;
        let mut changes = Vec::new();
        let (old, new) = (before.when.map(|w| w.start()), after.when.map(|w| w.start()));
        if let Some(new) = new.filter(|_| before.when != after.when || before.professional != after.professional) {
            changes.push(Self::BookingRescheduled { booking, old, new });
        }
        if before.state != after.state {
            match after.state {
                BookingState::Confirmed => changes.push(Self::BookingConfirmed { booking }),
                BookingState::Cancelled => changes.push(Self::BookingCancelled { booking }),
                BookingState::Pending => {}
            }
        }
        if before.attendance != after.attendance {
            changes.push(Self::BookingAttendance { booking, old: before.attendance, new: after.attendance });
        }
        if before.payment != after.payment {
            changes.push(Self::BookingPayment { booking, old: before.payment, new: after.payment });
        }
        changes
    }
}

/// One entry of a client's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub id: HistoryId,
    pub client: ClientId,
    pub at: Timestamp,
    pub who: Who,
    pub change: Change,
}

/// What is left of a deleted client: that one was deleted, by whom and when.
/// Nothing about the client itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    pub id: DeletionId,
    pub at: Timestamp,
    pub who: Who,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientChanges, ClientName, Email, Phone, Rut};

    #[test]
    fn only_fields_that_changed_are_recorded_old_to_new() {
        let before = Client {
            id: ClientId::generate(),
            name: ClientName::parse("Ana Pérez").expect("valid"),
            email: Email::parse("ana@mail.cl").expect("valid"),
            phone: Some(Phone::parse("961234567").expect("valid")),
            rut: Some(Rut::parse("12.345.678-5").expect("valid")),
            birth_date: None,
            last_booking_at: None,
            registered_at: Timestamp::UNIX_EPOCH,
            version: 1,
        };
        let changes = ClientChanges {
            name: Some(ClientName::parse("Ana Pérez Soto").expect("valid")),
            email: Some(Email::parse("ana@mail.cl").expect("valid")),
            rut: Some(None),
            ..Default::default()
        };
        let after = changes.applied_to(&before);
        assert_eq!(
            Change::between(&before, &after),
            [
                Change::Field {
                    field: GeneralField::Name,
                    old: Some("Ana Pérez".into()),
                    new: Some("Ana Pérez Soto".into())
                },
                Change::Field { field: GeneralField::Rut, old: Some("12345678-5".into()), new: None },
            ]
        );
    }
}
