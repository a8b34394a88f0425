//! The data file as JSON, in the API's own shapes (a client, a booking, a
//! note… read the same here as on their own routes), so a file can be
//! imported elsewhere with the API's documentation in hand.

use serde_json::{Value, json};

use super::DataFile;
use crate::api::attention_notes::view::booked_note_json;
use crate::api::bookings::view::booking_json;
use crate::api::clients::block::block_json;
use crate::api::clients::view::client_with_custom_json;
use crate::api::history::view::entry_json;
use crate::api::notes::view::note_json;
use crate::api::notifications::view::{message_json, preferences_json};

/// `{"generated_at", "business", "private_notes_included", "client",
/// "bookings", "packs", "notes", "attention_notes", "notification_preferences",
/// "notifications", "history"}`: every section always present (empty when
/// there is nothing).
pub fn data_file_json(file: &DataFile) -> Value {
    let zone = &file.zone;
    let mut client = client_with_custom_json(&file.client, &file.values);
    if let (Some(target), Value::Object(fields)) = (client.as_object_mut(), block_json(file.block.as_ref())) {
        target.extend(fields);
    }
    // The custom values by label too: a person reads labels, not keys.
    client["custom_labelled"] =
        file.values.iter().map(|v| json!({ "label": v.field.label.as_str(), "value": v.value.display() })).collect();
    let packs: Vec<Value> = file
        .por_reservar
        .packs
        .iter()
        .map(|p| {
            json!({
                "id": p.pack,
                "service_id": p.service,
                "service_name": file.names.service(p.service),
                "sessions": p.sessions,
                "used": p.used,
                "left": p.left,
            })
        })
        .collect();
    let bookings: Vec<Value> = file
        .bookings
        .iter()
        .chain(file.por_reservar.sessions.iter().filter(|s| !file.bookings.iter().any(|b| b.id == s.id)))
        .map(|b| {
            let mut json = booking_json(b, zone);
            json["service_name"] = json!(file.names.service(b.service));
            json["professional_name"] = json!(b.professional.map(|p| file.names.professional(Some(p))));
            json
        })
        .collect();
    json!({
        "generated_at": file.generated_at.to_string(),
        "business": { "name": file.business_name },
        "private_notes_included": file.private_included,
        "client": client,
        "bookings": bookings,
        "packs": packs,
        "notes": file.notes.iter().map(note_json).collect::<Vec<_>>(),
        "attention_notes": {
            "private": file.attention.private.iter().map(|n| booked_note_json(n, zone)).collect::<Vec<_>>(),
            "shared": file.attention.shared.iter().map(|n| booked_note_json(n, zone)).collect::<Vec<_>>(),
        },
        "notification_preferences": preferences_json(&file.preferences),
        "notifications": file.messages.iter().map(|m| message_json(m, zone)).collect::<Vec<_>>(),
        "history": file.history.iter().map(entry_json).collect::<Vec<_>>(),
    })
}
