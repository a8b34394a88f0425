//! How messages, a client's choices and the notification settings look on
//! the API. Times are RFC 3339 with the business's offset at that instant,
//! like bookings'. The WhatsApp access token is never shown: only whether
//! one is stored.

use ficha_domain::{ClientPreferences, Facts, NotificationSettings, ReminderLead};
use ficha_store::{Message, MessagePage};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Map, Value, json};

use crate::api::bookings::view::local_time;

/// Longest shared-note text a summary quotes.
const NOTE_PREVIEW_CHARS: usize = 60;

/// `14-03-2026 09:05` in `zone`.
fn civil(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone()).strftime("%d-%m-%Y %H:%M").to_string()
}

/// A line saying what a message is about: the booking's service and time
/// (and the time it had before a reschedule), or the start of a shared
/// note; `None` for account messages.
pub fn summary(facts: &Facts, zone: &TimeZone) -> Option<String> {
    if let Some(booking) = &facts.booking {
        let when = booking.start.map_or_else(|| "por reservar".to_owned(), |at| civil(at, zone));
        let before = booking.previous_start.map(|at| format!(" (antes {})", civil(at, zone))).unwrap_or_default();
        return Some(format!("{} · {when}{before}", booking.service));
    }
    let note = facts.note.as_deref()?;
    let mut preview: String = note.split_whitespace().collect::<Vec<_>>().join(" ");
    if preview.chars().count() > NOTE_PREVIEW_CHARS {
        preview = preview.chars().take(NOTE_PREVIEW_CHARS).collect();
        preview.push('…');
    }
    Some(preview)
}

pub fn message_json(message: &Message, zone: &TimeZone) -> Value {
    json!({
        "id": message.id,
        "client_id": message.client,
        "booking_id": message.booking,
        "channel": message.channel.as_str(),
        "recipient": message.recipient,
        "kind": message.kind.as_str(),
        "status": message.status.as_str(),
        "attempts": message.attempts,
        "next_attempt_at": local_time(message.next_attempt_at, zone),
        "last_error": message.last_error,
        "provider_id": message.provider_id,
        "delivery": message.delivery.map(|d| d.as_str()),
        "created_at": local_time(message.created_at, zone),
        "sent_at": message.sent_at.map(|at| local_time(at, zone)),
        "summary": summary(&message.facts, zone),
        "href": format!("/api/v1/notifications/{}", message.id),
        "client": message.client.map(|c| format!("/api/v1/clients/{c}")),
    })
}

pub fn page_json(page: &MessagePage, zone: &TimeZone) -> Value {
    json!({
        "items": page.messages.iter().map(|m| message_json(m, zone)).collect::<Vec<_>>(),
        "next_cursor": page.next.map(|c| c.encode()),
    })
}

/// `true` means the client receives them.
pub fn preferences_json(preferences: &ClientPreferences) -> Value {
    json!({ "whatsapp": !preferences.no_whatsapp, "reminders": !preferences.no_reminders })
}

pub fn settings_json(settings: &NotificationSettings) -> Value {
    let templates: Map<String, Value> = settings
        .whatsapp
        .templates
        .iter()
        .map(|(kind, t)| (kind.as_str().to_owned(), json!({ "name": t.name, "language": t.language })))
        .collect();
    json!({
        "sender_name": settings.sender_name,
        "reminder_lead_minutes": match settings.reminder_lead {
            ReminderLead::Off => None,
            ReminderLead::Minutes(minutes) => Some(minutes),
        },
        "whatsapp": {
            "enabled": settings.whatsapp.enabled,
            "phone_number_id": settings.whatsapp.phone_number_id,
            "access_token_set": !settings.whatsapp.access_token.is_empty(),
            "templates": templates,
        },
    })
}

#[cfg(test)]
mod tests {
    use ficha_domain::{BookingFacts, BookingId, Template};

    use super::*;

    fn facts() -> Facts {
        Facts {
            business_name: "Clínica".into(),
            business_slug: "clinica".into(),
            time_zone: "America/Santiago".into(),
            client_name: "Ana".into(),
            booking: None,
            note: None,
            link: None,
            code: None,
            data_request: None,
        }
    }

    #[test]
    fn a_summary_says_the_service_and_its_time_in_the_business_zone() {
        let zone = TimeZone::get("America/Santiago").expect("zone");
        let booking = BookingFacts {
            id: BookingId::generate(),
            service: "Kinesiología".into(),
            professional: None,
            start: Some("2026-03-14T12:00:00Z".parse().expect("instant")),
            end: None,
            previous_start: Some("2026-03-13T13:30:00Z".parse().expect("instant")),
            sequence: 1,
            state: "pending".into(),
            price: 25_000,
            pack: None,
        };
        let about_booking = Facts { booking: Some(booking), ..facts() };
        assert_eq!(
            summary(&about_booking, &zone).as_deref(),
            Some("Kinesiología · 14-03-2026 09:00 (antes 13-03-2026 10:30)")
        );
        let note = Facts { note: Some(format!("Trae\nsus exámenes {}", "x".repeat(80))), ..facts() };
        let line = summary(&note, &zone).expect("a note");
        assert!(line.starts_with("Trae sus exámenes") && line.ends_with('…') && line.chars().count() == 61);
        assert_eq!(summary(&facts(), &zone), None);
    }

    #[test]
    fn the_access_token_is_never_shown() {
        let mut settings = NotificationSettings::default();
        settings.whatsapp.access_token = "EAAG-secreto".into();
        settings.whatsapp.templates.insert(
            ficha_domain::NoticeKind::Reminder,
            Template { name: "recordatorio".into(), language: "es".into() },
        );
        let shown = settings_json(&settings);
        assert!(!shown.to_string().contains("EAAG-secreto"));
        assert_eq!(shown["whatsapp"]["access_token_set"], true);
        assert_eq!(shown["reminder_lead_minutes"], 1440);
        assert_eq!(shown["whatsapp"]["templates"]["reminder"]["name"], "recordatorio");
    }
}
