//! How history entries and deletions look on the API.

use ficha_domain::{Change, Deletion, HistoryEntry};
use serde_json::{Value, json};

use crate::api::notes::view::who_json;

/// `{"id", "at", "by", "change", …, "old", "new"}`: `change` says what kind
/// (`field`, `custom_value`, `note_added`, `note_edited`, `note_deleted`) and
/// `field`, `label` or `note_id` what it was about; `old` and `new` are null
/// where there was no value (a note added has no old text).
pub fn entry_json(entry: &HistoryEntry) -> Value {
    let mut json = json!({
        "id": entry.id,
        "at": entry.at.to_string(),
        "by": who_json(&entry.who),
    });
    let (kind, about, old, new) = match &entry.change {
        Change::Field { field, old, new } => ("field", json!({ "field": field.as_str() }), old.clone(), new.clone()),
        Change::CustomValue { label, old, new } => {
            ("custom_value", json!({ "label": label }), old.clone(), new.clone())
        }
        Change::NoteAdded { note, text } => ("note_added", json!({ "note_id": note }), None, Some(text.clone())),
        Change::NoteEdited { note, old, new } => {
            ("note_edited", json!({ "note_id": note }), Some(old.clone()), Some(new.clone()))
        }
        Change::NoteDeleted { note, text } => ("note_deleted", json!({ "note_id": note }), Some(text.clone()), None),
    };
    json["change"] = json!(kind);
    if let (Some(target), Some(about)) = (json.as_object_mut(), about.as_object()) {
        target.extend(about.clone());
    }
    json["old"] = json!(old);
    json["new"] = json!(new);
    json
}

/// A deleted client: when and by whom, nothing about the client.
pub fn deletion_json(deletion: &Deletion) -> Value {
    json!({ "id": deletion.id, "at": deletion.at.to_string(), "by": who_json(&deletion.who) })
}
