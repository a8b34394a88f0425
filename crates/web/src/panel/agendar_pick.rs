//! `GET /agendar?profesional=&fecha=&hora=&q=`: the second of the
//! calendar's two clicks. An empty quarter-hour of the calendar names a
//! professional, a day and a time but no client; this page says what was
//! chosen and asks "¿Para qué cliente?" with the panel's client search (a
//! GET form: it works without JavaScript). Each match leads to the client's
//! Agendar with the three filled in; "Nuevo cliente" carries them through
//! the new client's form (`Slot`), which then goes to Agendar as well.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use ficha_domain::ClientId;
use ficha_domain::agenda::time_of_day;
use ficha_store::search::SearchQuery;
use jiff::civil::{Date, Time};
use serde::Deserialize;

use super::clients::{ClientRow, matched_words};
use super::error::{PanelError, page_with};
use super::form::FormData;
use super::format::{date, query, weekday};
use super::layout::{Chrome, Section};
use super::session::Staffer;
use crate::AppState;

/// Matches listed; a longer list is a sign to type more.
const SHOWN: u32 = 20;

/// The professional, day and time chosen on the calendar, as typed in the
/// address (or carried in a form's hidden fields).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Slot {
    #[serde(default)]
    pub profesional: String,
    #[serde(default)]
    pub fecha: String,
    #[serde(default)]
    pub hora: String,
}

impl Slot {
    pub fn from_form(form: &FormData) -> Self {
        Self {
            profesional: form.get("profesional").to_owned(),
            fecha: form.get("fecha").to_owned(),
            hora: form.get("hora").to_owned(),
        }
    }

    fn day(&self) -> Option<Date> {
        ficha_domain::dates::parse_typed(&self.fecha).ok()
    }

    fn time(&self) -> Option<Time> {
        time_of_day(&self.hora).ok()
    }

    /// All three readable: an id, a date, a time (which professional it is
    /// is Agendar's to check).
    pub fn is_complete(&self) -> bool {
        self.profesional.trim().parse::<ficha_domain::StaffId>().is_ok()
            && self.day().is_some()
            && self.time().is_some()
    }

    /// `?profesional=…&fecha=YYYY-MM-DD&hora=HH:MM`, rebuilt from the parsed
    /// values; empty unless complete.
    pub fn query(&self) -> String {
        match (self.profesional.trim().parse::<ficha_domain::StaffId>(), self.day(), self.time()) {
            (Ok(pro), Some(day), Some(time)) => query(&[
                ("profesional", &pro.to_string()),
                ("fecha", &day.to_string()),
                ("hora", &time.strftime("%H:%M").to_string()),
            ]),
            _ => String::new(),
        }
    }

    /// The client's Agendar with the slot filled in, in the calendar's
    /// section of the menu (`desde=calendario`, which Agendar keeps).
    pub fn agendar_href(&self, client: ClientId) -> String {
        match self.query() {
            query if query.is_empty() => format!("/clientes/{client}/agendar"),
            query => format!("/clientes/{client}/agendar{query}&desde=calendario"),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    #[serde(flatten)]
    slot: Slot,
    #[serde(default)]
    q: String,
}

pub struct Match {
    pub href: String,
    pub name: String,
    pub contact: String,
    pub matched: String,
}

#[derive(Template)]
#[template(path = "panel/agendar_pick.html")]
struct PickPage {
    chrome: Chrome,
    /// "con Andrés Ibáñez el martes 01-12-2026 a las 09:15".
    chosen: String,
    problems: Vec<&'static str>,
    slot: Slot,
    q: String,
    matches: Vec<Match>,
    more: bool,
    new_client_href: String,
    calendar_href: String,
}

pub async fn pick(
    State(state): State<AppState>,
    staffer: Staffer,
    Query(params): Query<Params>,
) -> Result<Response, PanelError> {
    let Params { slot, q } = params;
    let staff = state.store.list_staff(&staffer.actor).await?;
    let professional = staff.iter().find(|s| s.id.to_string() == slot.profesional.trim());
    let mut problems = Vec::new();
    if professional.is_none() {
        problems.push("El profesional no es de este negocio: vuelve al calendario y elige una hora.");
    }
    if slot.day().is_none() {
        problems.push("La fecha no se entiende: debe ser dd-mm-aaaa.");
    }
    if slot.time().is_none() {
        problems.push("La hora no se entiende: debe ser HH:MM, por ejemplo 09:15.");
    }
    let chosen = match (professional, slot.day(), slot.time()) {
        (Some(pro), Some(day), Some(time)) => format!(
            "con {} el {} {} a las {}",
            pro.name.as_str(),
            weekday(day.weekday()).to_lowercase(),
            date(day),
            time.strftime("%H:%M")
        ),
        _ => String::new(),
    };
    let q = q.trim().to_owned();
    let search = SearchQuery::parse(&q).map_err(|_| PanelError::BadRequest("La búsqueda es demasiado larga."))?;
    let (matches, more) = if q.is_empty() || !problems.is_empty() {
        (Vec::new(), false)
    } else {
        let zone = staffer.zone();
        let found = state.store.search_clients(&staffer.actor, &search, 0, SHOWN).await?;
        let matches = found
            .hits
            .iter()
            .map(|hit| {
                let row = ClientRow { matched: matched_words(&hit.matched), ..ClientRow::new(&hit.client, &zone) };
                Match {
                    href: slot.agendar_href(hit.client.id),
                    contact: row.contact().to_owned(),
                    name: row.name,
                    matched: row.matched,
                }
            })
            .collect();
        (matches, found.next_offset.is_some())
    };
    let calendar_href =
        format!("/calendario{}", query(&[("fecha", &slot.day().map(|d| d.to_string()).unwrap_or_default())]));
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    page_with(
        status,
        &PickPage {
            chrome: Chrome::new(&staffer, Section::Calendar),
            chosen,
            problems,
            new_client_href: format!("/clientes/nuevo{}", slot.query()),
            slot,
            q,
            matches,
            more,
            calendar_href,
        },
    )
}
