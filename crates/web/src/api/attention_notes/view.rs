//! How an attention note looks on the API.

use ficha_domain::AttentionNote;
use ficha_store::BookedNote;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

use crate::api::bookings::view::local_time;
use crate::api::notes::view::who_json;

pub fn href(note: &AttentionNote) -> String {
    format!("/api/v1/bookings/{}/notes/{}", note.booking, note.id)
}

/// The note with its text exactly as stored (escaped wherever it is shown
/// as HTML, not here).
pub fn attention_note_json(note: &AttentionNote) -> Value {
    json!({
        "id": note.id,
        "booking_id": note.booking,
        "client_id": note.client,
        "kind": note.visibility.as_str(),
        "text": note.text.as_str(),
        "author": who_json(&note.author),
        "created_at": note.created_at.to_string(),
        "edited_at": note.edited_at.map(|t| t.to_string()),
        "href": href(note),
    })
}

/// As the profile lists it: the note and its booking (id, start in the
/// business's zone, service name).
pub fn booked_note_json(booked: &BookedNote, zone: &TimeZone) -> Value {
    let mut json = attention_note_json(&booked.note);
    json["booking"] = json!({
        "id": booked.note.booking,
        "start": booked.booking_start.map(|s| local_time(s, zone)),
        "service_name": booked.service_name,
        "href": format!("/api/v1/bookings/{}", booked.note.booking),
    });
    json
}
