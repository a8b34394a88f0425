//! How the public API shows services and bookings: only what the client
//! chose and the business offers — never the client's profile, so an
//! answer reads the same whether the email had one or not.

use ficha_domain::{Booking, Consent, Service, Staff};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

use crate::api::bookings::view::local_time;
use crate::panel::booking_words::money;

pub fn professional_json(staff: &Staff) -> Value {
    json!({ "id": staff.id, "name": staff.name.as_str() })
}

pub fn service_json(service: &Service, performers: &[&Staff]) -> Value {
    json!({
        "id": service.id,
        "name": service.name.as_str(),
        "duration_minutes": service.duration.get(),
        "price_clp": service.price.get(),
        "price_text": money(service.price.get()),
        "sessions": service.sessions.get(),
        "is_pack": service.sessions.is_pack(),
        "professionals": performers.iter().map(|s| professional_json(s)).collect::<Vec<_>>(),
    })
}

/// A start as the API gives it: the instant with the business's offset, and
/// the date and time people read there.
pub fn slot_json(start: Timestamp, end: Timestamp, zone: &TimeZone) -> Value {
    let local = start.to_zoned(zone.clone());
    json!({
        "start": local_time(start, zone),
        "end": local_time(end, zone),
        "local_date": local.date().to_string(),
        "local_time": local.strftime("%H:%M").to_string(),
    })
}

/// The booking as its client may see it.
pub fn booking_json(booking: &Booking, service: &Service, staff: &[Staff], zone: &TimeZone) -> Value {
    let professional = staff.iter().find(|s| Some(s.id) == booking.professional).map(professional_json);
    let when = booking.when.map(|w| slot_json(w.start(), w.end(), zone));
    json!({
        "id": booking.id,
        "state": booking.state.as_str(),
        "service": { "id": service.id, "name": service.name.as_str(), "duration_minutes": service.duration.get(),
                     "price_clp": service.price.get() },
        "professional": professional,
        "start": when.as_ref().map(|w| w["start"].clone()),
        "end": when.as_ref().map(|w| w["end"].clone()),
        "local_date": when.as_ref().map(|w| w["local_date"].clone()),
        "local_time": when.as_ref().map(|w| w["local_time"].clone()),
        "pack": booking.pack.filter(|p| p.of > 1).map(|p| json!({ "number": p.number, "of": p.of })),
    })
}

/// A booking's recorded consent (Ley 21.719): the privacy notice version
/// accepted, when, and the WhatsApp choice (null: not asked).
pub fn consent_json(consent: &Consent, zone: &TimeZone) -> Value {
    json!({
        "version": consent.notice_version,
        "accepted_at": local_time(consent.accepted_at, zone),
        "whatsapp_opt_in": consent.whatsapp_opt_in,
    })
}
