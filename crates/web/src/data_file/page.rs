//! The data file as a page a person reads and prints: the same sections as
//! the JSON, in Spanish, dates dd-mm-aaaa. One template for the panel and
//! Mi cuenta; each passes its own stylesheet and links.

use askama::Template;
use ficha_domain::Booking;

use super::DataFile;
use crate::panel::booking_words::{attendance_label, payment_label, state_label};
use crate::panel::format::{date, date_time};
use crate::panel::notification_words::{channel_label, kind_label, status_label};
use crate::panel::other_values::shown;
use crate::panel::profile_history::{HistoryRow, row};

/// One booking as the file says it.
pub struct BookingLine {
    pub when: String,
    pub service: String,
    pub professional: String,
    pub state: &'static str,
    pub attendance: &'static str,
    pub payment: String,
    pub pack: String,
}

/// A note with when and by whom; `about` names the booking of an
/// attention note.
pub struct NoteLine {
    pub at: String,
    pub who: String,
    pub about: String,
    pub text: String,
}

pub struct MessageLine {
    pub at: String,
    pub kind: &'static str,
    pub channel: &'static str,
    pub status: &'static str,
    pub recipient: String,
}

#[derive(Template)]
#[template(path = "panel/data_file.html")]
pub struct DataFilePage {
    pub css: String,
    pub business: String,
    pub name: String,
    pub generated: String,
    pub private_included: bool,
    /// The client's own file (Mi cuenta): says so, offers no staff choice.
    pub for_client: bool,
    pub back_href: String,
    pub json_href: String,
    /// With staff-only notes (panel only; empty for the client).
    pub private_href: String,
    pub general: Vec<(String, String)>,
    pub blocked: Option<String>,
    pub bookings: Vec<BookingLine>,
    pub packs: Vec<String>,
    pub notes: Vec<NoteLine>,
    pub private_notes: Vec<NoteLine>,
    pub shared_notes: Vec<NoteLine>,
    pub preferences: Vec<(String, String)>,
    pub messages: Vec<MessageLine>,
    pub history: Vec<HistoryRow>,
}

/// Where the page sits and what it links to.
pub struct Links {
    pub css: String,
    pub back_href: String,
    pub json_href: String,
    pub private_href: String,
    pub for_client: bool,
}

fn booking_line(file: &DataFile, booking: &Booking) -> BookingLine {
    BookingLine {
        when: booking.when.map(|w| date_time(w.start(), &file.zone)).unwrap_or_else(|| "Por reservar".into()),
        service: file.names.service(booking.service),
        professional: file.names.professional(booking.professional),
        state: state_label(booking.state),
        attendance: attendance_label(booking.attendance),
        payment: payment_label(&booking.payment),
        pack: booking.pack.map(|p| format!("Sesión {} de {}", p.number, p.of)).unwrap_or_default(),
    }
}

fn who(who: &ficha_domain::Who) -> String {
    match who {
        ficha_domain::Who::Staff { name, .. } => name.clone(),
        ficha_domain::Who::Integration => "Integración (API)".into(),
        ficha_domain::Who::System => "Sistema".into(),
        ficha_domain::Who::Client => "El cliente (Mi cuenta)".into(),
    }
}

pub fn page(file: &DataFile, links: Links) -> DataFilePage {
    let zone = &file.zone;
    let c = &file.client;
    let none = || "—".to_owned();
    let mut general = vec![
        ("Nombre".to_owned(), c.name.as_str().to_owned()),
        ("Correo".to_owned(), c.email.as_str().to_owned()),
        ("Teléfono".to_owned(), c.phone.as_ref().map(|p| p.display()).unwrap_or_else(none)),
        ("RUT".to_owned(), c.rut.map(|r| r.display()).unwrap_or_else(none)),
        ("Fecha de nacimiento".to_owned(), c.birth_date.map(|d| d.display()).unwrap_or_else(none)),
        ("Registrado el".to_owned(), date(c.registered_at.to_zoned(zone.clone()).date())),
    ];
    general.extend(file.values.iter().map(|v| (v.field.label.as_str().to_owned(), shown(&v.value))));
    let booked = |notes: &[ficha_store::BookedNote]| -> Vec<NoteLine> {
        notes
            .iter()
            .map(|n| NoteLine {
                at: date_time(n.note.created_at, zone),
                who: who(&n.note.author),
                about: format!(
                    "{} · {}",
                    n.service_name,
                    n.booking_start.map(|s| date_time(s, zone)).unwrap_or_else(|| "Por reservar".into())
                ),
                text: n.note.text.as_str().to_owned(),
            })
            .collect()
    };
    let said = |off: bool| if off { "No recibe".to_owned() } else { "Recibe".to_owned() };
    DataFilePage {
        css: links.css,
        business: file.business_name.clone(),
        name: c.name.as_str().to_owned(),
        generated: date_time(file.generated_at, zone),
        private_included: file.private_included,
        for_client: links.for_client,
        back_href: links.back_href,
        json_href: links.json_href,
        private_href: links.private_href,
        general,
        blocked: file
            .block
            .as_ref()
            .map(|b| format!("desde el {}: {}", date(b.since.to_zoned(zone.clone()).date()), b.reason.as_str())),
        bookings: file
            .bookings
            .iter()
            .chain(file.por_reservar.sessions.iter().filter(|s| !file.bookings.iter().any(|b| b.id == s.id)))
            .map(|b| booking_line(file, b))
            .collect(),
        packs: file
            .por_reservar
            .packs
            .iter()
            .map(|p| {
                format!(
                    "{}: {} sesiones, {} con fecha, {} por reservar",
                    file.names.service(p.service),
                    p.sessions,
                    p.used,
                    p.left
                )
            })
            .collect(),
        notes: file
            .notes
            .iter()
            .map(|n| NoteLine {
                at: date_time(n.created_at, zone),
                who: who(&n.author),
                about: String::new(),
                text: n.text.as_str().to_owned(),
            })
            .collect(),
        private_notes: booked(&file.attention.private),
        shared_notes: booked(&file.attention.shared),
        preferences: vec![
            ("WhatsApp".to_owned(), said(file.preferences.no_whatsapp)),
            ("Recordatorios".to_owned(), said(file.preferences.no_reminders)),
        ],
        messages: file
            .messages
            .iter()
            .map(|m| MessageLine {
                at: date_time(m.created_at, zone),
                kind: kind_label(m.kind),
                channel: channel_label(m.channel),
                status: status_label(m.status),
                recipient: m.recipient.clone(),
            })
            .collect(),
        history: file.history.iter().map(|e| row(e, zone)).collect(),
    }
}
