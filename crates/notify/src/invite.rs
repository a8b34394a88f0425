//! The calendar invite a booking email carries (iCalendar, RFC 5545, sent
//! as iTIP, RFC 5546), so the client's calendar adds, moves and removes the
//! appointment on its own.
//!
//! One booking is one event for its whole life: the UID is `{booking}@ficha`
//! and SEQUENCE is the booking's notified-change counter captured in the
//! message (it grows with every change the client is told of), so a calendar
//! applies a newer invite over an older one and ignores a stale one arriving
//! late. Created, confirmed and rescheduled send `METHOD:REQUEST` (the event
//! as it is now); cancelled sends `METHOD:CANCEL` with `STATUS:CANCELLED`.
//! Reminders, shared notes and account messages carry no invite (they change
//! nothing in the calendar), nor does a booking without a time.
//!
//! Built and parsed with the `icalendar` crate (escaping of text, folding of
//! long lines, quoting of parameters). Times are written in UTC (`…Z`), so
//! no VTIMEZONE is needed and the client's calendar shows its own zone.

use ficha_domain::NoticeKind;
use ficha_store::Message;
use icalendar::{Calendar, Component, Property};
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use crate::render::Links;

/// What the invite asks of the client's calendar (iTIP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Add the event, or update it to this version.
    Request,
    /// Remove the event.
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }

    /// The method a kind of message sends, if it sends an invite at all.
    pub fn of(kind: NoticeKind) -> Option<Self> {
        match kind {
            NoticeKind::BookingCreated | NoticeKind::BookingConfirmed | NoticeKind::BookingRescheduled => {
                Some(Self::Request)
            }
            NoticeKind::BookingCancelled => Some(Self::Cancel),
            NoticeKind::Reminder
            | NoticeKind::SharedNote
            | NoticeKind::SignInLink
            | NoticeKind::PasswordReset
            | NoticeKind::EmailChange
            | NoticeKind::PrivacyCode
            | NoticeKind::DataRequestReceived
            | NoticeKind::DataRequestAnswered => None,
        }
    }
}

/// An `.ics` ready to attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub method: Method,
    /// The iCalendar text (CRLF line ends).
    pub ics: String,
}

impl Invite {
    /// The attachment's media type; the `method` parameter is what makes
    /// mail clients treat it as an invitation (RFC 6047).
    pub fn content_type(&self) -> String {
        format!("text/calendar; method={}; charset=UTF-8", self.method.as_str())
    }
}

/// Who sends the invite: the address mail goes from, under the business's
/// (or sender's) name.
#[derive(Debug, Clone, Copy)]
pub struct Organizer<'a> {
    pub name: &'a str,
    pub email: &'a str,
}

/// The stable UID of a booking's event.
pub fn uid(booking: impl std::fmt::Display) -> String {
    format!("{booking}@ficha")
}

/// The message's invite, or `None` when its kind carries none or its
/// booking has no time yet.
pub fn invite(message: &Message, organizer: Organizer<'_>, links: &Links) -> Option<Invite> {
    let method = Method::of(message.kind)?;
    let facts = &message.facts;
    let booking = facts.booking.as_ref()?;
    let (start, end) = (booking.start?, booking.end?);

    let mut event = icalendar::Event::new();
    event
        .uid(&uid(booking.id))
        .sequence(u32::try_from(booking.sequence).unwrap_or(0))
        // When this version of the event was made: the message's creation,
        // so a resend of the same message is byte for byte the same invite.
        .add_property("DTSTAMP", utc(message.created_at))
        .add_property("DTSTART", utc(start))
        .add_property("DTEND", utc(end))
        .summary(&format!("{} — {}", booking.service, facts.business_name))
        .status(match (method, booking.state.as_str()) {
            (Method::Cancel, _) => icalendar::EventStatus::Cancelled,
            (Method::Request, "pending") => icalendar::EventStatus::Tentative,
            (Method::Request, _) => icalendar::EventStatus::Confirmed,
        });
    let mut description = Vec::new();
    if let Some(professional) = &booking.professional {
        description.push(format!("Profesional: {professional}"));
    }
    description.push(format!("Mi cuenta: {}", links.account(&facts.business_slug)));
    event.description(&description.join("\n"));
    event.append_property(
        Property::new("ORGANIZER", format!("mailto:{}", organizer.email))
            .add_parameter("CN", &parameter(organizer.name))
            .done(),
    );
    event.append_multi_property(
        Property::new("ATTENDEE", format!("mailto:{}", message.recipient))
            .add_parameter("CN", &parameter(&facts.client_name))
            .add_parameter("ROLE", "REQ-PARTICIPANT")
            // Ficha reads no replies: the client answers on the booking site.
            .add_parameter("RSVP", "FALSE")
            .done(),
    );

    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//Ficha//Notificaciones//ES"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", method.as_str()))
        .push(event.done());
    Some(Invite { method, ics: calendar.to_string() })
}

/// `20261210T130000Z`: a UTC date-time (RFC 5545 §3.3.5, form 2).
fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// A parameter value may not hold a double quote or control characters
/// (RFC 5545 §3.1); the crate quotes the rest as needed.
fn parameter(text: &str) -> String {
    text.chars().filter(|c| *c != '"' && !c.is_control()).collect()
}

/// An invite read back (tests check what a calendar app would see).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedInvite {
    pub method: String,
    pub uid: String,
    pub sequence: u32,
    pub status: Option<String>,
    /// DTSTART as written.
    pub start_text: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub stamp: Timestamp,
    pub summary: String,
    /// ORGANIZER's value, `mailto:…`.
    pub organizer: String,
    /// Each ATTENDEE's value, `mailto:…`.
    pub attendees: Vec<String>,
}

/// Reads an invite back with the same crate's parser.
pub fn parse(ics: &str) -> Result<ParsedInvite, String> {
    let calendar: Calendar = ics.parse()?;
    let method = calendar.property_value("METHOD").ok_or("no METHOD")?.to_owned();
    let event = calendar.events().next().ok_or("no VEVENT")?;
    let value = |key: &str| event.property_value(key).map(str::to_owned).ok_or(format!("no {key}"));
    let start_text = value("DTSTART")?;
    Ok(ParsedInvite {
        method,
        uid: value("UID")?,
        sequence: value("SEQUENCE")?.parse().map_err(|_| "SEQUENCE is not a number")?,
        status: event.property_value("STATUS").map(str::to_owned),
        start: parse_utc(&start_text)?,
        start_text,
        end: parse_utc(&value("DTEND")?)?,
        stamp: parse_utc(&value("DTSTAMP")?)?,
        summary: value("SUMMARY")?,
        organizer: value("ORGANIZER")?,
        attendees: event
            .multi_properties()
            .get("ATTENDEE")
            .map(|all| all.iter().map(|p| p.value().to_owned()).collect())
            .unwrap_or_default(),
    })
}

/// Reads `20261210T130000Z`; a time without `Z` (floating or with a TZID)
/// is refused, as Ficha writes only UTC.
fn parse_utc(text: &str) -> Result<Timestamp, String> {
    let civil = text.strip_suffix('Z').ok_or_else(|| format!("not UTC: {text}"))?;
    let civil = DateTime::strptime("%Y%m%dT%H%M%S", civil).map_err(|e| format!("{text}: {e}"))?;
    civil.to_zoned(TimeZone::UTC).map(|z| z.timestamp()).map_err(|e| format!("{text}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{account, at, facts, message};

    const ORGANIZER: Organizer<'static> = Organizer { name: "Clínica Alameda", email: "reservas@alameda.cl" };

    fn links() -> Links {
        Links::new("http://127.0.0.1:8080")
    }

    #[test]
    fn created_is_a_request_in_utc() {
        let m = message(NoticeKind::BookingCreated, facts());
        let invite = invite(&m, ORGANIZER, &links()).expect("a booking with a time");
        assert_eq!(invite.method, Method::Request);
        assert_eq!(invite.content_type(), "text/calendar; method=REQUEST; charset=UTF-8");
        assert!(invite.ics.starts_with("BEGIN:VCALENDAR\r\n"), "{}", invite.ics);
        assert!(invite.ics.contains("\r\nMETHOD:REQUEST\r\n"), "{}", invite.ics);
        assert!(
            invite.ics.contains("\r\nORGANIZER;CN=Clínica Alameda:mailto:reservas@alameda.cl\r\n"),
            "{}",
            invite.ics
        );
        let parsed = parse(&invite.ics).expect("parses");
        let booking = m.facts.booking.as_ref().expect("booking");
        assert_eq!(parsed.method, "REQUEST");
        assert_eq!(parsed.uid, format!("{}@ficha", booking.id));
        assert_eq!(parsed.sequence, 0);
        assert_eq!(parsed.status.as_deref(), Some("CONFIRMED"));
        assert_eq!(parsed.start_text, "20261210T130000Z");
        assert_eq!(parsed.start, at("2026-12-10T13:00:00Z"));
        assert_eq!(parsed.end, at("2026-12-10T14:00:00Z"));
        assert_eq!(parsed.stamp, m.created_at);
        assert_eq!(parsed.summary, "Kinesiología — Clínica Alameda");
        assert_eq!(parsed.organizer, "mailto:reservas@alameda.cl");
        assert_eq!(parsed.attendees, ["mailto:ana@correo.cl"]);
    }

    #[test]
    fn pending_is_tentative_and_a_resend_is_the_same_invite() {
        let mut pending = facts();
        pending.booking.as_mut().expect("booking").state = "pending".into();
        let m = message(NoticeKind::BookingCreated, pending);
        let first = invite(&m, ORGANIZER, &links()).expect("invite");
        assert_eq!(parse(&first.ics).expect("parses").status.as_deref(), Some("TENTATIVE"));
        assert_eq!(invite(&m, ORGANIZER, &links()), Some(first));
    }

    #[test]
    fn rescheduled_keeps_the_uid_with_a_higher_sequence() {
        let created = message(NoticeKind::BookingCreated, facts());
        let mut moved = created.facts.clone();
        let booking = moved.booking.as_mut().expect("booking");
        booking.previous_start = booking.start;
        booking.start = Some(at("2026-12-11T15:00:00Z"));
        booking.end = Some(at("2026-12-11T16:00:00Z"));
        booking.sequence = 3;
        let first = parse(&invite(&created, ORGANIZER, &links()).expect("invite").ics).expect("parses");
        let second = invite(&message(NoticeKind::BookingRescheduled, moved), ORGANIZER, &links()).expect("invite");
        assert_eq!(second.method, Method::Request);
        let second = parse(&second.ics).expect("parses");
        assert_eq!(second.uid, first.uid);
        assert_eq!(second.sequence, 3);
        assert_eq!(second.start_text, "20261211T150000Z");
    }

    #[test]
    fn cancelled_is_a_cancel() {
        let mut cancelled = facts();
        let booking = cancelled.booking.as_mut().expect("booking");
        booking.state = "cancelled".into();
        booking.sequence = 1;
        let invite = invite(&message(NoticeKind::BookingCancelled, cancelled), ORGANIZER, &links()).expect("invite");
        assert_eq!(invite.method, Method::Cancel);
        assert_eq!(invite.content_type(), "text/calendar; method=CANCEL; charset=UTF-8");
        let parsed = parse(&invite.ics).expect("parses");
        assert_eq!((parsed.method.as_str(), parsed.sequence), ("CANCEL", 1));
        assert_eq!(parsed.status.as_deref(), Some("CANCELLED"));
    }

    #[test]
    fn no_invite_for_reminders_notes_accounts_or_a_booking_without_time() {
        for kind in [NoticeKind::Reminder, NoticeKind::SharedNote] {
            assert_eq!(invite(&message(kind, facts()), ORGANIZER, &links()), None, "{kind:?}");
        }
        for kind in [NoticeKind::SignInLink, NoticeKind::PasswordReset, NoticeKind::EmailChange] {
            assert_eq!(invite(&account(kind, "/x", None), ORGANIZER, &links()), None, "{kind:?}");
        }
        let mut unscheduled = facts();
        let booking = unscheduled.booking.as_mut().expect("booking");
        (booking.start, booking.end) = (None, None);
        assert_eq!(invite(&message(NoticeKind::BookingCreated, unscheduled), ORGANIZER, &links()), None);
    }

    #[test]
    fn typed_text_is_escaped_and_quotes_cannot_break_a_parameter() {
        let mut odd = facts();
        odd.client_name = "Ana \"la jefa\"; Pérez, hija".into();
        odd.booking.as_mut().expect("booking").service = "Masaje, relajante; 60 min\nBEGIN:VALARM".into();
        let invite = invite(&message(NoticeKind::BookingCreated, odd), ORGANIZER, &links()).expect("invite");
        assert!(
            invite.ics.contains("SUMMARY:Masaje\\, relajante\\; 60 min\\nBEGIN:VALARM — Clínica Alameda"),
            "{}",
            invite.ics
        );
        assert!(invite.ics.contains("ATTENDEE;CN=\"Ana la jefa; Pérez, hija\";"), "{}", invite.ics);
        assert!(!invite.ics.contains("\r\nBEGIN:VALARM"), "{}", invite.ics);
        let parsed = parse(&invite.ics).expect("parses");
        assert_eq!(parsed.attendees, ["mailto:ana@correo.cl"]);
    }

    #[test]
    fn parse_refuses_a_floating_time() {
        assert!(parse_utc("20261210T130000").is_err());
        assert_eq!(parse_utc("20261210T130000Z"), Ok(at("2026-12-10T13:00:00Z")));
    }
}
