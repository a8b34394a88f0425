//! How a service looks on the API.

use ficha_domain::Service;
use serde_json::{Value, json};

pub fn service_json(service: &Service) -> Value {
    json!({
        "id": service.id,
        "name": service.name.as_str(),
        "duration_minutes": service.duration.get(),
        "price_clp": service.price.get(),
        "sessions": service.sessions.get(),
        "is_pack": service.sessions.is_pack(),
        "professional_ids": service.professionals.iter().collect::<Vec<_>>(),
        "created_at": service.created_at.to_string(),
        "href": format!("/api/v1/services/{}", service.id),
    })
}
