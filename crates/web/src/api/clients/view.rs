//! How a client looks on the API.

use ficha_domain::Client;
use ficha_store::FieldValue;
use serde_json::{Value, json};

use crate::api::custom_fields::view::values_map;

/// The client as JSON: stored forms for machines (`phone` in E.164, `rut`
/// canonical) next to the forms people read (`*_display`).
pub fn client_json(client: &Client) -> Value {
    json!({
        "id": client.id,
        "name": client.name.as_str(),
        "email": client.email.as_str(),
        "phone": client.phone.as_ref().map(|p| p.e164()),
        "phone_display": client.phone.as_ref().map(|p| p.display()),
        "rut": client.rut.map(|r| r.canonical()),
        "rut_display": client.rut.map(|r| r.display()),
        "birth_date": client.birth_date.map(|d| d.date().to_string()),
        "last_booking_at": client.last_booking_at.map(|t| t.to_string()),
        "registered_at": client.registered_at.to_string(),
        "version": client.version,
        "href": format!("/api/v1/clients/{}", client.id),
    })
}

/// The client with its custom values under `custom` (`{key: value}`,
/// archived fields' values included): one client as read on its own.
pub fn client_with_custom_json(client: &Client, values: &[FieldValue]) -> Value {
    let mut json = client_json(client);
    json["custom"] = values_map(values);
    json
}

/// The entity tag of a client's current version: `"3"`.
pub fn etag(client: &Client) -> String {
    format!("\"{}\"", client.version)
}
