//! How a booking looks on the API. Times are RFC 3339 with the business's
//! offset at that instant (`2026-04-05T10:00:00-04:00`): one instant, read
//! as the local time people see.

use ficha_domain::{Booking, Payment};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

/// RFC 3339 with the zone's offset at that instant. An offset of local mean
/// time (Santiago's until 1910 was −04:42:45) has seconds, which RFC 3339
/// cannot write: such an instant goes out in UTC instead.
pub fn local_time(instant: Timestamp, zone: &TimeZone) -> String {
    let zoned = instant.to_zoned(zone.clone());
    if zoned.offset().seconds() % 60 != 0 {
        return instant.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    }
    zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

pub fn payment_json(payment: &Payment) -> Value {
    match payment {
        Payment::Unpaid => json!({ "paid": false }),
        Payment::Paid { amount, method, date } => {
            json!({ "paid": true, "amount": amount, "method": method.as_str(), "date": date.to_string() })
        }
    }
}

pub fn booking_json(booking: &Booking, zone: &TimeZone) -> Value {
    json!({
        "id": booking.id,
        "client_id": booking.client,
        "service_id": booking.service,
        "professional_id": booking.professional,
        "start": booking.when.map(|w| local_time(w.start(), zone)),
        "end": booking.when.map(|w| local_time(w.end(), zone)),
        "state": booking.state.as_str(),
        "attendance": booking.attendance.as_str(),
        "payment": payment_json(&booking.payment),
        "origin": booking.origin.as_str(),
        "created_by": booking.created_by,
        "created_at": booking.created_at.to_string(),
        "pack": booking.pack.map(|p| json!({ "id": p.pack, "number": p.number, "of": p.of })),
        "href": format!("/api/v1/bookings/{}", booking.id),
        "client": format!("/api/v1/clients/{}", booking.client),
    })
}
