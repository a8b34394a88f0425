//! `/calendario`: a day or a Monday-to-Sunday week of bookings, of one
//! professional or all, cancelled ones left out. Each card (time, service,
//! client, state by colour) opens the booking's page.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use ficha_domain::StaffId;
use ficha_domain::availability::day_span;
use jiff::Span;
use jiff::civil::Date;
use serde::Deserialize;

use super::booking_words::state_label;
use super::error::{PanelError, page};
use super::format::{date, query, time, weekday};
use super::layout::{Chrome, Section};
use super::session::Staffer;
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    /// `YYYY-MM-DD`; today when absent or unreadable.
    #[serde(default)]
    fecha: String,
    /// `dia` (default) or `semana`.
    #[serde(default)]
    vista: String,
    /// A professional's id, or empty for everyone.
    #[serde(default)]
    profesional: String,
}

pub struct Card {
    pub href: String,
    pub hours: String,
    pub service: String,
    pub client: String,
    pub professional: String,
    pub state: &'static str,
    pub state_class: &'static str,
}

pub struct Day {
    pub title: String,
    pub is_today: bool,
    pub cards: Vec<Card>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "panel/calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    week: bool,
    title: String,
    date_value: String,
    professionals: Vec<Choice>,
    days: Vec<Day>,
    total: usize,
    prev_href: String,
    next_href: String,
    today_href: String,
    day_href: String,
    week_href: String,
    /// Several professionals shown: each card names its own.
    all: bool,
}

fn plus_days(day: Date, days: i64) -> Date {
    day.checked_add(Span::new().days(days)).unwrap_or(day)
}

pub async fn show(
    State(state): State<AppState>,
    staffer: Staffer,
    Query(params): Query<Params>,
) -> Result<Response, PanelError> {
    let zone = staffer.zone();
    let today = state.clock.now().to_zoned(zone.clone()).date();
    let chosen = ficha_domain::parse_date(params.fecha.trim()).unwrap_or(today);
    let week = params.vista == "semana";
    let staff = state.store.list_staff(&staffer.actor).await?;
    let professional: Option<StaffId> = staff.iter().find(|s| s.id.to_string() == params.profesional).map(|s| s.id);
    let (first, count) =
        if week { (plus_days(chosen, -i64::from(chosen.weekday().to_monday_zero_offset())), 7) } else { (chosen, 1) };
    let last = plus_days(first, count - 1);
    let (Some((from, _)), Some((_, to))) = (day_span(first, &zone), day_span(last, &zone)) else {
        return Err(PanelError::BadRequest("Esa fecha está fuera del calendario."));
    };
    let entries = state.store.calendar(&staffer.actor, professional, from, to).await?;
    let name_of = |id: Option<StaffId>| {
        staff.iter().find(|s| Some(s.id) == id).map(|s| s.name.as_str().to_owned()).unwrap_or_default()
    };
    let mut days: Vec<Day> = (0..count)
        .map(|i| {
            let day = plus_days(first, i);
            Day {
                title: format!("{} {}", weekday(day.weekday()), date(day)),
                is_today: day == today,
                cards: Vec::new(),
            }
        })
        .collect();
    for entry in &entries {
        let Some(when) = entry.booking.when else { continue };
        let local = when.start().to_zoned(zone.clone()).date();
        let Ok(index) = usize::try_from(first.until(local).map(|s| s.get_days()).unwrap_or(-1)) else { continue };
        if let Some(day) = days.get_mut(index) {
            day.cards.push(Card {
                href: format!("/reservas/{}", entry.booking.id),
                hours: format!("{}–{}", time(when.start(), &zone), time(when.end(), &zone)),
                service: entry.service_name.clone(),
                client: entry.client_name.clone(),
                professional: name_of(entry.booking.professional),
                state: state_label(entry.booking.state),
                state_class: entry.booking.state.as_str(),
            });
        }
    }

    let view = if week { "semana" } else { "dia" };
    let pro = professional.map(|p| p.to_string()).unwrap_or_default();
    let link = |day: Date, view: &str| {
        format!("/calendario{}", query(&[("fecha", &day.to_string()), ("vista", view), ("profesional", &pro)]))
    };
    let step = if week { 7 } else { 1 };
    let title = if week {
        format!("Semana del {} al {}", date(first), date(last))
    } else {
        days.first().map(|d| d.title.clone()).unwrap_or_default()
    };
    page(&CalendarPage {
        chrome: Chrome::new(&staffer, Section::Calendar),
        week,
        title,
        date_value: date(chosen),
        professionals: staff
            .iter()
            .map(|s| Choice {
                value: s.id.to_string(),
                label: s.name.as_str().to_owned(),
                selected: Some(s.id) == professional,
            })
            .collect(),
        total: entries.len(),
        days,
        prev_href: link(plus_days(chosen, -step), view),
        next_href: link(plus_days(chosen, step), view),
        today_href: link(today, view),
        day_href: link(chosen, "dia"),
        week_href: link(chosen, "semana"),
        all: professional.is_none(),
    })
}
