//! The body parameters of a WhatsApp template message, per kind.
//!
//! A business writes its templates in WhatsApp Manager and gets them
//! approved; Ficha fills their placeholders in this order, the same for
//! every booking kind so one wording habit fits all:
//!
//! | placeholder | holds                                                        |
//! |-------------|--------------------------------------------------------------|
//! | `{{1}}`     | the client's name                                            |
//! | `{{2}}`     | the business's name                                          |
//! | `{{3}}`     | the booking's date and time, `dd-mm-aaaa HH:MM` (or "por agendar") |
//! | `{{4}}`     | the service (with "sesión n de m" for a pack session)        |
//! | `{{5}}`     | the professional (or "por asignar")                          |
//! | `{{6}}`     | only `booking_rescheduled`: the previous date and time ("sin fecha" for a pack session getting its first); only `shared_note`: the note's text |
//!
//! Booking created, confirmed, cancelled and the reminder carry `{{1}}`–`{{5}}`.
//! Account messages never go by WhatsApp (see `NoticeKind::is_account`); they
//! would carry `{{1}}`–`{{2}}`.
//!
//! WhatsApp refuses a parameter that is empty or holds line breaks, tabs or
//! more than four spaces in a row, so each is folded to one line, and a
//! long note is cut (WhatsApp's limit for a whole body is 1024 characters).

use ficha_domain::{BookingFacts, NoticeKind};
use ficha_store::Message;

use super::when;

/// Longest note text passed as a parameter, in characters.
const NOTE_CHARS: usize = 700;

/// The parameters for `{{1}}`, `{{2}}`, … of the message's template.
pub fn template_parameters(message: &Message) -> Vec<String> {
    let facts = &message.facts;
    let zone = when::zone(&facts.time_zone);
    let mut parameters = vec![facts.client_name.clone(), facts.business_name.clone()];
    if let Some(booking) = facts.booking.as_ref().filter(|_| !message.kind.is_account()) {
        let at = |at| when::local(at, &zone);
        parameters.push(booking.start.map_or_else(|| when::UNSCHEDULED.to_owned(), at));
        parameters.push(service(booking));
        parameters.push(booking.professional.clone().unwrap_or_else(|| "por asignar".to_owned()));
        match message.kind {
            NoticeKind::BookingRescheduled => {
                parameters.push(booking.previous_start.map_or_else(|| "sin fecha".to_owned(), at));
            }
            NoticeKind::SharedNote => parameters.push(cut(facts.note.as_deref().unwrap_or_default(), NOTE_CHARS)),
            _ => {}
        }
    }
    parameters.into_iter().map(|p| one_line(&p)).collect()
}

fn service(booking: &BookingFacts) -> String {
    match booking.pack {
        Some((number, of)) => format!("{} (sesión {number} de {of})", booking.service),
        None => booking.service.clone(),
    }
}

/// Whitespace runs (line breaks, tabs, spaces) become one space; an empty
/// value becomes "-", which WhatsApp accepts.
fn one_line(text: &str) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.is_empty() { "-".to_owned() } else { folded }
}

fn cut(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(chars - 1).collect();
    cut.push('…');
    cut
}
