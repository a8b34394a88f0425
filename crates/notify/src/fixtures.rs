//! Messages to render and send in unit tests: a booking at Clínica Alameda
//! in Santiago, as the outbox would hand it over.

use ficha_domain::{BookingFacts, BookingId, Channel, Facts, MessageId, MessageStatus, NoticeKind};
use ficha_store::Message;
use jiff::Timestamp;

pub fn at(text: &str) -> Timestamp {
    text.parse().expect("valid timestamp")
}

pub fn booking() -> BookingFacts {
    BookingFacts {
        id: BookingId::generate(),
        service: "Kinesiología".into(),
        professional: Some("Juan Soto".into()),
        // 10:00 in Santiago (summer time, UTC−3).
        start: Some(at("2026-12-10T13:00:00Z")),
        end: Some(at("2026-12-10T14:00:00Z")),
        previous_start: None,
        sequence: 0,
        state: "confirmed".into(),
        price: 25_000,
        pack: None,
    }
}

pub fn facts() -> Facts {
    Facts {
        business_name: "Clínica Alameda".into(),
        business_slug: "alameda".into(),
        time_zone: "America/Santiago".into(),
        client_name: "Ana Pérez".into(),
        booking: Some(booking()),
        note: None,
        link: None,
        code: None,
        data_request: None,
    }
}

pub fn message(kind: NoticeKind, facts: Facts) -> Message {
    Message {
        id: MessageId::generate(),
        client: None,
        booking: facts.booking.as_ref().map(|b| b.id),
        channel: Channel::Email,
        recipient: "ana@correo.cl".into(),
        kind,
        facts,
        status: MessageStatus::Sending,
        attempts: 1,
        next_attempt_at: at("2026-12-01T12:00:00Z"),
        last_error: None,
        provider_id: None,
        delivery: None,
        created_at: at("2026-12-01T12:00:00Z"),
        sent_at: None,
    }
}

/// An account message (no booking) with a link and maybe a code.
pub fn account(kind: NoticeKind, link: &str, code: Option<&str>) -> Message {
    let mut facts = facts();
    facts.booking = None;
    facts.link = Some(link.into());
    facts.code = code.map(str::to_owned);
    message(kind, facts)
}
