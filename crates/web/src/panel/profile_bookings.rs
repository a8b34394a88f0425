//! The bookings side of a client's profile: "Reservas" (upcoming or past,
//! by state, one page at a time), "Por reservar" (pack sessions without a
//! date, and each pack's use) and the client's figures.

use ficha_domain::{BookingState, ClientId, Origin};
use ficha_store::{BookingCursor, BookingQuery, When};
use serde::Deserialize;

use super::booking::entered_rows;
use super::booking_words::{BookingRow, Names, money};
use super::consent_words::booking_line;
use super::error::PanelError;
use super::format::{date_time, query};
use super::session::Staffer;
use crate::AppState;

/// Bookings shown per page of "Reservas": a client with thousands still
/// renders one short page.
pub const PAGE_SIZE: u32 = 20;

/// What the profile's "Reservas" shows, from its link.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    /// `proximas` (default) or `pasadas`.
    #[serde(default)]
    pub reservas: String,
    /// A state name, or empty for all.
    #[serde(default)]
    pub estado: String,
    /// Where the page starts (a cursor from the previous page).
    #[serde(default)]
    pub desde: String,
}

pub struct PackLine {
    pub service: String,
    pub used: i64,
    pub left: i64,
    pub sessions: i64,
}

pub struct OpenSession {
    pub service: String,
    pub pack: String,
    pub schedule_href: String,
}

pub struct Stats {
    pub bookings: i64,
    pub attended: i64,
    pub cancelled: i64,
    pub no_shows: i64,
    pub total_paid: String,
    pub next: String,
    pub next_href: String,
}

pub struct BookingsSection {
    pub upcoming: bool,
    pub state: String,
    pub states: Vec<(&'static str, &'static str)>,
    pub rows: Vec<BookingRow>,
    pub first_page: bool,
    pub next_href: Option<String>,
    pub first_href: String,
    pub upcoming_href: String,
    pub past_href: String,
    pub open: Vec<OpenSession>,
    pub packs: Vec<PackLine>,
    pub stats: Stats,
}

const STATES: &[(&str, &str)] =
    &[("", "Todos los estados"), ("pending", "Pendiente"), ("confirmed", "Confirmada"), ("cancelled", "Anulada")];

impl BookingsSection {
    pub async fn load(
        state: &AppState,
        staffer: &Staffer,
        client: ClientId,
        params: &ListParams,
    ) -> Result<Self, PanelError> {
        let actor = &staffer.actor;
        let zone = staffer.zone();
        let upcoming = params.reservas != "pasadas";
        let when = if upcoming { When::Upcoming } else { When::Past };
        let filter = BookingState::parse(&params.estado);
        let after = BookingCursor::decode(&params.desde).filter(|c| c.when == when);
        let first_page = after.is_none();
        let query_params = BookingQuery { when, state: filter, after, limit: PAGE_SIZE };
        // Independent reads, asked at once: on PostgreSQL each is a round
        // trip, and the page waits for the slowest instead of the sum.
        let (page, open, figures, services, staff) = tokio::try_join!(
            state.store.client_bookings(actor, client, &query_params),
            state.store.por_reservar(actor, client),
            state.store.client_stats(actor, client),
            state.store.list_services(actor),
            state.store.list_staff(actor),
        )?;
        let names = Names::new(&services, &staff);
        let mut rows: Vec<BookingRow> = page.bookings.iter().map(|b| BookingRow::new(b, &names, &zone)).collect();
        // The booking page's breadcrumb leads back here (`came_from`).
        for row in &mut rows {
            row.href.push_str("?desde=perfil");
        }
        // What clients typed on the site that differs from the profile,
        // read only when the page has bookings made there.
        let from_site: Vec<_> =
            page.bookings.iter().filter(|b| b.origin == Origin::BookingSite).map(|b| b.id).collect();
        let (entered_data, consents) = tokio::try_join!(
            state.store.entered_data_of(actor, &from_site),
            state.store.consents_of(actor, &from_site)
        )?;
        for (id, consent) in consents {
            if let Some(at) = page.bookings.iter().position(|b| b.id == id) {
                rows[at].consent = booking_line(&consent);
            }
        }
        for (id, entered) in entered_data {
            if let Some(at) = page.bookings.iter().position(|b| b.id == id) {
                rows[at].entered = entered_rows(Some(entered))
                    .into_iter()
                    .map(|(label, value)| format!("{label}: {value}"))
                    .collect::<Vec<_>>()
                    .join(" · ");
            }
        }

        let base = format!("/clientes/{client}");
        let tab = if upcoming { "proximas" } else { "pasadas" };
        let state_name = filter.map(|s| s.as_str()).unwrap_or("");
        let link = |reservas: &str, desde: &str| {
            format!("{base}{}#reservas", query(&[("reservas", reservas), ("estado", state_name), ("desde", desde)]))
        };
        let next_href = page.next.as_ref().map(|c| link(tab, &c.encode()));
        Ok(Self {
            upcoming,
            state: state_name.to_owned(),
            states: STATES.to_vec(),
            rows,
            first_page,
            next_href,
            first_href: link(tab, ""),
            upcoming_href: link("proximas", ""),
            past_href: link("pasadas", ""),
            open: open
                .sessions
                .iter()
                .map(|b| OpenSession {
                    service: names.service(b.service),
                    pack: b.pack.map(|p| format!("Sesión {} de {}", p.number, p.of)).unwrap_or_default(),
                    schedule_href: format!("{base}/agendar?reserva={}", b.id),
                })
                .collect(),
            packs: open
                .packs
                .iter()
                .map(|p| PackLine {
                    service: names.service(p.service),
                    used: p.used,
                    left: p.left,
                    sessions: p.sessions,
                })
                .collect(),
            stats: Stats {
                bookings: figures.bookings,
                attended: figures.attended,
                cancelled: figures.cancelled,
                no_shows: figures.no_shows,
                total_paid: money(figures.total_paid),
                next: figures
                    .next_appointment
                    .as_ref()
                    .and_then(|b| b.when)
                    .map(|w| date_time(w.start(), &zone))
                    .unwrap_or_default(),
                next_href: figures.next_appointment.map(|b| format!("/reservas/{}", b.id)).unwrap_or_default(),
            },
        })
    }

    pub fn is_state(&self, name: &&str) -> bool {
        self.state == *name
    }
}
