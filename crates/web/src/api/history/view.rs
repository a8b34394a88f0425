//! How history entries and deletions look on the API.

use ficha_domain::{AttentionNoteId, BookingId, Change, Deletion, HistoryEntry, Visibility};
use serde_json::{Value, json};

use crate::api::bookings::view::payment_json;
use crate::api::notes::view::who_json;
use crate::api::notifications::view::preferences_json;

/// `{"id", "at", "by", "change", …, "old", "new"}`: `change` says what kind
/// (`field`, `custom_value`, `note_*`, `booking_*`, `attention_note_*`,
/// `notification_preferences` with its `source`: `panel`, `api`,
/// `mi_cuenta`, or null in older entries; `client_blocked` with the reason
/// as `new`, `client_unblocked`, `data_request`, `client_merged` and
/// `merge_undone` with `merge_id`, `role` (`survivor`/`absorbed`),
/// `other_client_id` and the other profile's `{"name", "email"}` as `new`,
/// `client_imported` with `import_id`, `file_name` and `created` (the line
/// created the profile), `import_undone` with `import_id` and `file_name`) and
/// `field`, `label`, `note_id`, `booking_id` (and an attention note's
/// `note_kind`) what it was about; `old` and `new` are null where there was
/// no value (a note added has no old text). Times are RFC 3339 in UTC; a
/// payment is as on a booking (`{"paid": false}` or with amount, method, date);
/// the client's notification choices as `{"no_whatsapp", "no_reminders"}`;
/// a data request's event as `{"event": "received", "due_on"}`,
/// `{"event": "moved", "from", "to"}` or `{"event": "extended", "due_on", "reason"}`.
pub fn entry_json(entry: &HistoryEntry) -> Value {
    let mut json = json!({
        "id": entry.id,
        "at": entry.at.to_string(),
        "by": who_json(&entry.who),
    });
    let text = |value: &str| json!(value);
    let time = |at: &jiff::Timestamp| json!(at.to_string());
    let null = Value::Null;
    let (kind, about, old, new) = match &entry.change {
        Change::Field { field, old, new } => ("field", json!({ "field": field.as_str() }), json!(old), json!(new)),
        Change::CustomValue { label, old, new } => ("custom_value", json!({ "label": label }), json!(old), json!(new)),
        Change::NoteAdded { note, text: added } => ("note_added", json!({ "note_id": note }), null, text(added)),
        Change::NoteEdited { note, old, new } => ("note_edited", json!({ "note_id": note }), text(old), text(new)),
        Change::NoteDeleted { note, text: gone } => ("note_deleted", json!({ "note_id": note }), text(gone), null),
        Change::BookingCreated { booking, start } => {
            ("booking_created", json!({ "booking_id": booking }), null, start.as_ref().map_or(Value::Null, time))
        }
        Change::BookingRescheduled { booking, old, new } => {
            ("booking_rescheduled", json!({ "booking_id": booking }), old.as_ref().map_or(Value::Null, time), time(new))
        }
        Change::BookingConfirmed { booking } => {
            ("booking_confirmed", json!({ "booking_id": booking }), null.clone(), null)
        }
        Change::BookingCancelled { booking } => {
            ("booking_cancelled", json!({ "booking_id": booking }), null.clone(), null)
        }
        Change::BookingAttendance { booking, old, new } => {
            ("booking_attendance", json!({ "booking_id": booking }), text(old.as_str()), text(new.as_str()))
        }
        Change::BookingPayment { booking, old, new } => {
            ("booking_payment", json!({ "booking_id": booking }), payment_json(old), payment_json(new))
        }
        Change::AttentionNoteAdded { note, booking, visibility, text: added } => {
            ("attention_note_added", attention(note, booking, visibility), null, text(added))
        }
        Change::AttentionNoteEdited { note, booking, visibility, old, new } => {
            ("attention_note_edited", attention(note, booking, visibility), text(old), text(new))
        }
        Change::AttentionNoteDeleted { note, booking, visibility, text: gone } => {
            ("attention_note_deleted", attention(note, booking, visibility), text(gone), null)
        }
        Change::NotificationPreferences { old, new, source } => (
            "notification_preferences",
            json!({ "source": source.map(|s| s.as_str()) }),
            preferences_json(old),
            preferences_json(new),
        ),
        Change::ClientBlocked { reason } => ("client_blocked", json!({}), null, text(reason)),
        Change::ClientUnblocked => ("client_unblocked", json!({}), null.clone(), null),
        // The other profile of a merge as it was: `role` says which side
        // this profile was on.
        Change::ClientMerged { merge, role, other, other_name, other_email } => (
            "client_merged",
            json!({ "merge_id": merge, "role": role.as_str(), "other_client_id": other }),
            null,
            json!({ "name": other_name, "email": other_email }),
        ),
        Change::MergeUndone { merge, role, other, other_name, other_email } => (
            "merge_undone",
            json!({ "merge_id": merge, "role": role.as_str(), "other_client_id": other }),
            null,
            json!({ "name": other_name, "email": other_email }),
        ),
        // The batch that wrote the profile, by its id and file.
        Change::ClientImported { batch, file_name, created } => (
            "client_imported",
            json!({ "import_id": batch, "file_name": file_name, "created": created }),
            null.clone(),
            null,
        ),
        Change::ImportUndone { batch, file_name } => {
            ("import_undone", json!({ "import_id": batch, "file_name": file_name }), null.clone(), null)
        }
        Change::DataRequest { request, right, event } => (
            "data_request",
            json!({ "data_request_id": request, "right": right.as_str() }),
            null,
            serde_json::to_value(event).unwrap_or(Value::Null),
        ),
    };
    json["change"] = json!(kind);
    if let (Some(target), Some(about)) = (json.as_object_mut(), about.as_object()) {
        target.extend(about.clone());
    }
    json["old"] = old;
    json["new"] = new;
    json
}

/// What the client chose to receive: `{"no_whatsapp", "no_reminders"}`.
/// What an attention note entry is about: the note, its booking, its kind.
fn attention(note: &AttentionNoteId, booking: &BookingId, visibility: &Visibility) -> Value {
    json!({ "note_id": note, "booking_id": booking, "note_kind": visibility.as_str() })
}

/// A deleted client: when and by whom, nothing about the client.
pub fn deletion_json(deletion: &Deletion) -> Value {
    json!({ "id": deletion.id, "at": deletion.at.to_string(), "by": who_json(&deletion.who) })
}
