//! How a note, and whoever wrote or changed something, look on the API.

use ficha_domain::{Note, Who};
use serde_json::{Value, json};

/// `{"kind": "staff", "id": …, "name": …}`; integrations and the system
/// have no id or name.
pub fn who_json(who: &Who) -> Value {
    match who {
        Who::Staff { id, name } => json!({ "kind": who.kind(), "id": id, "name": name }),
        Who::Integration | Who::System | Who::Client => json!({ "kind": who.kind(), "id": null, "name": null }),
    }
}

pub fn href(note: &Note) -> String {
    format!("/api/v1/clients/{}/notes/{}", note.client, note.id)
}

/// The note with its text exactly as stored: JSON escapes what it must, and
/// whatever shows it as HTML escapes it there.
pub fn note_json(note: &Note) -> Value {
    json!({
        "id": note.id,
        "client_id": note.client,
        "text": note.text.as_str(),
        "author": who_json(&note.author),
        "created_at": note.created_at.to_string(),
        "edited_at": note.edited_at.map(|t| t.to_string()),
        "href": href(note),
    })
}
