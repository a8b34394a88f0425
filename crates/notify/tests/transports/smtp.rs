//! Email through a real SMTP server: what arrives is what the client reads
//! (recipient, Spanish subject and body, the time on Santiago's clock, the
//! stable Message-ID) and what the calendar reads (the invite parsed back).

use ficha_domain::{NoticeKind, NotificationSettings};
use ficha_notify::email::EmailTransport;
use ficha_notify::invite::{self, ParsedInvite};
use ficha_notify::{SendError, Transport};
use mail_parser::{MessageParser, MimeHeaders};

use crate::harness::{MAIL_FROM, PUBLIC_URL, Received, SmtpSink, at, closed_port, email, facts};

fn transport(sink: &SmtpSink) -> EmailTransport {
    EmailTransport::smtp(&sink.url(), MAIL_FROM, PUBLIC_URL).expect("valid settings")
}

/// The invite attached to a received email, read back.
fn invite_of(received: &Received) -> (String, ParsedInvite) {
    let email = MessageParser::default().parse(&received.raw).expect("a MIME message");
    let attachment = email.attachments().next().expect("an invite attached");
    assert_eq!(attachment.attachment_name(), Some("invitacion.ics"));
    let kind = attachment.content_type().expect("typed");
    assert_eq!((kind.ctype(), kind.subtype()), ("text", Some("calendar")));
    let method = kind.attribute("method").expect("a method parameter").to_owned();
    let ics = std::str::from_utf8(attachment.contents()).expect("UTF-8");
    (method, invite::parse(ics).expect("a valid iCalendar"))
}

#[tokio::test]
async fn a_booking_email_arrives_with_its_invite_and_the_cancel_follows() {
    let Some(sink) = SmtpSink::start("a_booking_email_arrives_with_its_invite_and_the_cancel_follows") else { return };
    let smtp = transport(&sink);
    let created = email(NoticeKind::BookingCreated, facts());
    let booking = created.facts.booking.clone().expect("booking");
    assert_eq!(smtp.send(&created, &NotificationSettings::default()).await, Ok(Some("SINK000001".into())));

    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt_to, ["ana@correo.cl"]);
    let mail = MessageParser::default().parse(&received[0].raw).expect("a MIME message");
    let to = mail.to().and_then(|a| a.first()).expect("To");
    assert_eq!((to.name(), to.address()), (Some("Ana Pérez"), Some("ana@correo.cl")));
    let from = mail.from().and_then(|a| a.first()).expect("From");
    assert_eq!((from.name(), from.address()), (Some("Clínica Alameda"), Some(MAIL_FROM)));
    assert_eq!(mail.subject(), Some("Tu reserva en Clínica Alameda quedó agendada"));
    assert_eq!(mail.message_id().map(str::to_owned), Some(format!("{}@ficha", created.id)));
    // Lines travel as CRLF (RFC 5322).
    let text = mail.body_text(0).expect("a text body").replace("\r\n", "\n");
    assert!(text.starts_with("Hola Ana Pérez:\n\nTu reserva en Clínica Alameda quedó agendada."), "{text}");
    // 13:00 UTC is 10:00 in Santiago in December (UTC−3).
    assert!(text.contains("Servicio: Kinesiología\nProfesional: Juan Soto\nFecha y hora: 10-12-2026 10:00"), "{text}");
    assert!(text.contains("Mi cuenta: http://127.0.0.1:8080/reservar/alameda/mi-cuenta"), "{text}");
    assert!(mail.body_html(0).expect("an HTML body").contains("10-12-2026 10:00"));

    let (method, request) = invite_of(&received[0]);
    assert_eq!(method, "REQUEST");
    assert_eq!(request.method, "REQUEST");
    assert_eq!(request.uid, format!("{}@ficha", booking.id));
    assert_eq!(request.sequence, 0);
    assert_eq!(request.start_text, "20261210T130000Z");
    assert_eq!(request.end, at("2026-12-10T14:00:00Z"));
    assert_eq!(request.organizer, format!("mailto:{MAIL_FROM}"));
    assert_eq!(request.attendees, ["mailto:ana@correo.cl"]);

    // The booking is cancelled: the next change the client is told of.
    let mut cancelled_facts = facts();
    cancelled_facts.booking =
        Some(ficha_domain::BookingFacts { sequence: 1, state: "cancelled".into(), ..booking.clone() });
    let cancelled = email(NoticeKind::BookingCancelled, cancelled_facts);
    smtp.send(&cancelled, &NotificationSettings::default()).await.expect("sent");
    let received = sink.received();
    assert_eq!(received.len(), 2);
    let mail = MessageParser::default().parse(&received[1].raw).expect("a MIME message");
    assert_eq!(mail.subject(), Some("Tu reserva en Clínica Alameda fue cancelada"));
    let (method, cancel) = invite_of(&received[1]);
    assert_eq!(method, "CANCEL");
    assert_eq!((cancel.method.as_str(), cancel.status.as_deref()), ("CANCEL", Some("CANCELLED")));
    assert_eq!(cancel.uid, request.uid, "the same event");
    assert_eq!(cancel.sequence, 1, "newer than the request");
    assert_eq!(cancel.start_text, "20261210T130000Z");
}

#[tokio::test]
async fn a_reschedule_across_santiagos_clock_change_reads_on_the_wall_clock() {
    let Some(sink) = SmtpSink::start("a_reschedule_across_santiagos_clock_change_reads_on_the_wall_clock") else {
        return;
    };
    let mut moved = facts();
    let booking = moved.booking.as_mut().expect("booking");
    // 10:00 on Saturday 05-09-2026 (UTC−4) to 10:00 on Sunday 06-09-2026
    // (UTC−3): Chile moved its clocks forward in between.
    booking.previous_start = Some(at("2026-09-05T14:00:00Z"));
    booking.start = Some(at("2026-09-06T13:00:00Z"));
    booking.end = Some(at("2026-09-06T14:00:00Z"));
    booking.sequence = 2;
    let message = email(NoticeKind::BookingRescheduled, moved);
    transport(&sink).send(&message, &NotificationSettings::default()).await.expect("sent");

    let received = sink.received();
    let mail = MessageParser::default().parse(&received[0].raw).expect("a MIME message");
    assert_eq!(mail.subject(), Some("Tu reserva en Clínica Alameda cambió de hora"));
    // Lines travel as CRLF (RFC 5322).
    let text = mail.body_text(0).expect("a text body").replace("\r\n", "\n");
    assert!(text.contains("cambió del 05-09-2026 10:00 al 06-09-2026 10:00."), "{text}");
    let (method, invite) = invite_of(&received[0]);
    assert_eq!((method.as_str(), invite.sequence), ("REQUEST", 2));
    assert_eq!(invite.start_text, "20260906T130000Z");
}

#[tokio::test]
async fn a_resend_carries_the_same_message_id_and_a_reminder_no_invite() {
    let Some(sink) = SmtpSink::start("a_resend_carries_the_same_message_id_and_a_reminder_no_invite") else { return };
    let smtp = transport(&sink);
    let settings = NotificationSettings { sender_name: Some("Reservas Alameda".into()), ..Default::default() };
    let reminder = email(NoticeKind::Reminder, facts());
    smtp.send(&reminder, &settings).await.expect("sent");
    smtp.send(&reminder, &settings).await.expect("sent again");

    let received = sink.received();
    assert_eq!(received.len(), 2, "SMTP cannot take a message back: the resend arrives too");
    let ids: Vec<Option<String>> = received
        .iter()
        .map(|r| MessageParser::default().parse(&r.raw).and_then(|m| m.message_id().map(str::to_owned)))
        .collect();
    assert_eq!(ids, [Some(format!("{}@ficha", reminder.id)), Some(format!("{}@ficha", reminder.id))]);
    let mail = MessageParser::default().parse(&received[0].raw).expect("a MIME message");
    assert_eq!(mail.from().and_then(|a| a.first()).and_then(|a| a.name()), Some("Reservas Alameda"));
    assert_eq!(mail.subject(), Some("Recordatorio: tu reserva en Clínica Alameda el 10-12-2026 10:00"));
    assert_eq!(mail.attachments().count(), 0, "a reminder changes nothing in the calendar");
}

#[tokio::test]
async fn a_refused_mailbox_is_permanent_and_a_busy_one_temporary() {
    let Some(sink) = SmtpSink::start("a_refused_mailbox_is_permanent_and_a_busy_one_temporary") else { return };
    let smtp = transport(&sink);
    let mut refused = email(NoticeKind::BookingCreated, facts());
    refused.recipient = "rechazar@correo.cl".into();
    let result = smtp.send(&refused, &NotificationSettings::default()).await;
    assert_eq!(
        result,
        Err(SendError::Permanent(
            "El servidor de correo rechazó la dirección: 5.1.1 <rechazar@correo.cl>: Recipient address rejected: \
             User unknown"
                .into()
        ))
    );
    let mut busy = email(NoticeKind::BookingCreated, facts());
    busy.recipient = "ocupado@correo.cl".into();
    let result = smtp.send(&busy, &NotificationSettings::default()).await;
    assert!(matches!(&result, Err(SendError::Temporary(reason)) if reason.contains("451")), "{result:?}");
    assert!(sink.received().is_empty(), "nothing was delivered");

    // The same connection pool still delivers afterwards.
    smtp.send(&email(NoticeKind::BookingCreated, facts()), &NotificationSettings::default()).await.expect("sent");
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn no_server_is_temporary() {
    let smtp = EmailTransport::smtp(&format!("smtp://127.0.0.1:{}", closed_port()), MAIL_FROM, PUBLIC_URL)
        .expect("valid settings");
    let result = smtp.send(&email(NoticeKind::BookingCreated, facts()), &NotificationSettings::default()).await;
    assert!(
        matches!(&result, Err(SendError::Temporary(reason)) if reason.starts_with("No se pudo hablar con el servidor de correo")),
        "{result:?}"
    );
}
