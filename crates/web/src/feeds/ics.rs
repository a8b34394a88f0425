//! A feed's iCalendar text (RFC 5545), built with the `icalendar` crate
//! (escaping, line folding) as the booking invites are.
//!
//! A subscription is a published calendar, not an invitation: no METHOD, so
//! DTSTAMP means the event's last change (§3.8.7.2), the same as
//! LAST-MODIFIED. Nothing in the text depends on the time of the request,
//! so an unchanged feed is byte for byte the same and its ETag lets a
//! polling calendar app get a 304. Times are UTC (`…Z`): no VTIMEZONE is
//! needed, and the phone shows its own zone.

use ficha_domain::BookingState;
use ficha_domain::calendar_feed::event_title;
use ficha_store::{FeedEvent, OpenFeed};
use icalendar::{Calendar, Component, EventStatus, Property};
use jiff::Timestamp;

/// How often calendar apps are asked to look again (RFC 7986
/// REFRESH-INTERVAL; Outlook reads X-PUBLISHED-TTL).
const REFRESH: &str = "PT15M";

/// The whole feed.
pub fn calendar(feed: &OpenFeed, events: &[FeedEvent]) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//Ficha//Calendario//ES"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("REFRESH-INTERVAL", REFRESH).add_parameter("VALUE", "DURATION").done())
        .append_property(Property::new("X-PUBLISHED-TTL", REFRESH))
        .name(&feed.business_name);
    for event in events {
        calendar.push(vevent(event, feed.full_names));
    }
    calendar.to_string()
}

/// One booking: when, what, and the client only as the business chose.
/// Never notes, custom values or contact data.
fn vevent(event: &FeedEvent, full_names: bool) -> icalendar::Event {
    let mut vevent = icalendar::Event::new();
    vevent
        // The booking's id, as the client's own invites name it: one event
        // for the booking's whole life, whatever moves.
        .uid(&format!("{}@ficha", event.booking))
        .sequence(event.sequence)
        .add_property("DTSTAMP", utc(event.changed_at))
        .add_property("LAST-MODIFIED", utc(event.changed_at))
        .add_property("DTSTART", utc(event.start))
        .add_property("DTEND", utc(event.end))
        .summary(&event_title(&event.service, event.client_name.as_deref(), full_names))
        .add_property("TRANSP", "OPAQUE")
        .add_property("CLASS", "PRIVATE")
        .status(match event.state {
            BookingState::Pending => EventStatus::Tentative,
            BookingState::Confirmed => EventStatus::Confirmed,
            BookingState::Cancelled => EventStatus::Cancelled,
        });
    vevent.done()
}

/// `20261210T130000Z`: a UTC date-time (RFC 5545 §3.3.5, form 2).
fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use ficha_domain::{BookingId, BusinessId, FeedId, StaffId};

    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("a timestamp")
    }

    fn feed(full_names: bool) -> OpenFeed {
        OpenFeed {
            id: FeedId::generate(),
            business: BusinessId::generate(),
            staff: StaffId::generate(),
            business_name: "Clínica Alameda".into(),
            full_names,
        }
    }

    fn event(client: Option<&str>, state: BookingState) -> FeedEvent {
        FeedEvent {
            booking: BookingId::generate(),
            start: at("2026-12-10T13:00:00Z"),
            end: at("2026-12-10T14:00:00Z"),
            state,
            service: "Masaje, relajante; 60 min".into(),
            client_name: client.map(str::to_owned),
            sequence: 2,
            changed_at: at("2026-12-01T10:30:00Z"),
        }
    }

    #[test]
    fn events_are_utc_with_uid_sequence_and_status() {
        let pending = event(Some("Ana Pérez"), BookingState::Pending);
        let ics = calendar(&feed(false), &[pending.clone(), event(None, BookingState::Confirmed)]);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
        assert!(!ics.contains("METHOD"), "{ics}");
        let parsed: Calendar = ics.parse().expect("parses");
        assert_eq!(parsed.get_name(), Some("Clínica Alameda"));
        let events: Vec<_> = parsed.events().collect();
        assert_eq!(events.len(), 2);
        let first = events[0];
        assert_eq!(first.property_value("UID"), Some(format!("{}@ficha", pending.booking).as_str()));
        assert_eq!(first.property_value("DTSTART"), Some("20261210T130000Z"));
        assert_eq!(first.property_value("DTEND"), Some("20261210T140000Z"));
        assert_eq!(first.property_value("DTSTAMP"), Some("20261201T103000Z"));
        assert_eq!(first.property_value("LAST-MODIFIED"), Some("20261201T103000Z"));
        assert_eq!(first.property_value("SEQUENCE"), Some("2"));
        assert_eq!(first.property_value("STATUS"), Some("TENTATIVE"));
        assert_eq!(first.get_summary(), Some("Masaje, relajante; 60 min · A.P."));
        assert_eq!(events[1].property_value("STATUS"), Some("CONFIRMED"));
        assert_eq!(events[1].get_summary(), Some("Reservado"));
    }

    #[test]
    fn the_same_events_make_the_same_text() {
        let events = [event(Some("Ana Pérez"), BookingState::Confirmed)];
        let one = feed(true);
        assert_eq!(calendar(&one, &events), calendar(&one, &events));
        assert!(calendar(&one, &events).contains("SUMMARY:Masaje\\, relajante\\; 60 min · Ana Pérez"));
    }
}
