//! `/calendario`: a time grid. The day view has one column per professional
//! (or the one chosen), the week view one professional's Monday to Sunday;
//! rows are quarter-hours over the hours anyone shown works that day (grown
//! to hold every booking). Bookings are blocks placed by their time, side by
//! side when they overlap; out-of-hours time is shaded; an empty quarter is
//! a button to Agendar (`/agendar?profesional=&fecha=&hora=`). Cancelled
//! bookings show only with `?anuladas=1`. The layout is worked out in
//! `grid` (pure) and `columns` (display strings); this file reads the
//! request and the store.

mod columns;
mod grid;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use ficha_domain::agenda::WEEK;
use ficha_domain::availability::{day_span, monday_of};
use ficha_domain::{Agenda, BookingState, Role, Staff, StaffId};
use ficha_store::CalendarEntry;
use jiff::Span;
use jiff::civil::Date;
use serde::Deserialize;

use self::columns::{Clock, Column, Wanted};
use super::error::{PanelError, page};
use super::format::{date, query, weekday, weekday_short};
use super::layout::{Chrome, Section};
use super::session::Staffer;
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    /// `dd-mm-aaaa` or `YYYY-MM-DD`; today when absent (said when unreadable).
    #[serde(default)]
    fecha: String,
    /// `dia` (default) or `semana`.
    #[serde(default)]
    vista: String,
    /// A professional's id, or empty for everyone (the day view).
    #[serde(default)]
    profesional: String,
    /// `1`: cancelled bookings shown too.
    #[serde(default)]
    anuladas: String,
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
    date_error: Option<&'static str>,
    professionals: Vec<Choice>,
    hour_labels: Vec<String>,
    columns: Vec<Column>,
    /// Shown bookings, cancelled ones apart.
    live: usize,
    cancelled: usize,
    show_cancelled: bool,
    cancelled_href: String,
    /// Nobody shown works on the day(s): the grid shows 08:00–20:00.
    nobody_works: bool,
    prev_href: String,
    next_href: String,
    today_href: String,
    day_href: String,
    week_href: String,
}

fn plus_days(day: Date, days: i64) -> Date {
    day.checked_add(Span::new().days(days)).unwrap_or(day)
}

/// Whether the agenda has working hours on any weekday.
fn works_at_all(agenda: &Agenda) -> bool {
    WEEK.iter().any(|day| !agenda.hours(*day).ranges().is_empty())
}

pub async fn show(
    State(state): State<AppState>,
    staffer: Staffer,
    Query(params): Query<Params>,
) -> Result<Response, PanelError> {
    let zone = staffer.zone();
    let now = state.clock.now().to_zoned(zone.clone());
    let today = now.date();
    let typed = params.fecha.trim();
    let parsed = ficha_domain::dates::parse_typed(typed);
    let date_error = match parsed {
        _ if typed.is_empty() => None,
        Ok(_) => None,
        Err(ficha_domain::FieldError::DateOutOfRange) => Some("La fecha debe estar entre 1900 y 2100."),
        Err(_) => Some("Escribe la fecha como dd-mm-aaaa."),
    };
    let chosen = parsed.unwrap_or(today);
    let week = params.vista == "semana";
    let show_cancelled = params.anuladas == "1";

    let (first, count) = if week { (monday_of(chosen), 7) } else { (chosen, 1) };
    let last = plus_days(first, count - 1);
    let (Some((from, _)), Some((_, to))) = (day_span(first, &zone), day_span(last, &zone)) else {
        return Err(PanelError::BadRequest("Esa fecha está fuera del calendario."));
    };
    let staff = state.store.list_staff(&staffer.actor).await?;
    let ids: Vec<StaffId> = staff.iter().map(|s| s.id).collect();
    let agendas = state.store.agendas_of(&staffer.actor, &ids).await?;
    let agenda_of = |id: StaffId| agendas.iter().find(|(s, _)| *s == id).map(|(_, a)| a);
    let asked: Option<StaffId> = staff.iter().find(|s| s.id.to_string() == params.profesional).map(|s| s.id);
    // Read with the cancelled ones, so the legend can say how many are hidden.
    let all_entries = state.store.calendar(&staffer.actor, None, from, to, true).await?;
    let visible = |e: &&CalendarEntry| show_cancelled || e.booking.state != BookingState::Cancelled;

    // Who gets a column: professionals, and any staff member with hours or
    // with a booking shown in the days shown (an owner who also attends).
    let has_booking = |id: StaffId| all_entries.iter().filter(visible).any(|e| e.booking.professional == Some(id));
    let bookable: Vec<&Staff> = staff
        .iter()
        .filter(|s| s.role == Role::Professional || agenda_of(s.id).is_some_and(works_at_all) || has_booking(s.id))
        .collect();
    let shown: Vec<&Staff> = match (asked, week) {
        (Some(id), _) => staff.iter().filter(|s| s.id == id).collect(),
        (None, false) => bookable.clone(),
        // The week is one professional's: the signed-in one when they work,
        // else the first.
        (None, true) => {
            let me = bookable.iter().find(|s| s.id == staffer.staff.id && agenda_of(s.id).is_some_and(works_at_all));
            me.or(bookable.first()).copied().or(staff.first()).into_iter().collect()
        }
    };
    let closed = Agenda::closed();
    let wanted: Vec<Wanted> = if week {
        shown
            .iter()
            .flat_map(|s| (0..count).map(move |i| (s, plus_days(first, i))))
            .map(|(s, day)| Wanted {
                professional: s.id,
                day,
                agenda: agenda_of(s.id).unwrap_or(&closed),
                heading: format!("{} {}", weekday_short(day.weekday()), day.strftime("%d-%m")),
                label: format!("{} {}", weekday(day.weekday()), date(day)),
            })
            .collect()
    } else {
        shown
            .iter()
            .map(|s| Wanted {
                professional: s.id,
                day: chosen,
                agenda: agenda_of(s.id).unwrap_or(&closed),
                heading: s.name.as_str().to_owned(),
                label: s.name.as_str().to_owned(),
            })
            .collect()
    };
    let shown_ids: Vec<StaffId> = shown.iter().map(|s| s.id).collect();
    let theirs = |e: &&CalendarEntry| e.booking.professional.is_some_and(|p| shown_ids.contains(&p));
    let cancelled = all_entries.iter().filter(theirs).filter(|e| e.booking.state == BookingState::Cancelled).count();
    let entries: Vec<_> = all_entries
        .iter()
        .filter(visible)
        .filter(theirs)
        .filter_map(|e| columns::local_span(e, &zone).map(|(day, span)| (e, day, span)))
        .collect();
    let hours = columns::shown_hours(&wanted, &entries);
    let clock = Clock { today, minute: i32::from(now.hour()) * 60 + i32::from(now.minute()) };
    let live = entries.iter().filter(|(e, _, _)| e.booking.state != BookingState::Cancelled).count();
    let columns: Vec<Column> = wanted.into_iter().map(|w| columns::build(w, &hours, &entries, &clock, &zone)).collect();

    let view = if week { "semana" } else { "dia" };
    let pro = asked.map(|p| p.to_string()).unwrap_or_default();
    let anuladas = if show_cancelled { "1" } else { "" };
    let link = |day: Date, view: &str, anuladas: &str| {
        let pairs = [("fecha", &day.to_string()[..]), ("vista", view), ("profesional", &pro), ("anuladas", anuladas)];
        format!("/calendario{}", query(&pairs))
    };
    let step = if week { 7 } else { 1 };
    let title = if week {
        let who = shown.first().map(|s| format!(" · {}", s.name.as_str())).unwrap_or_default();
        format!("Semana del {} al {}{who}", date(first), date(last))
    } else {
        format!("{} {}", weekday(chosen.weekday()), date(chosen))
    };
    let selected = if week { shown.first().map(|s| s.id) } else { asked };
    page(&CalendarPage {
        chrome: Chrome::new(&staffer, Section::Calendar),
        week,
        title,
        date_value: if date_error.is_some() { typed.to_owned() } else { date(chosen) },
        date_error,
        professionals: staff
            .iter()
            .map(|s| Choice {
                value: s.id.to_string(),
                label: s.name.as_str().to_owned(),
                selected: Some(s.id) == selected,
            })
            .collect(),
        hour_labels: (hours.start / 60..hours.end / 60).map(|h| format!("{h:02}:00")).collect(),
        columns,
        live,
        cancelled,
        show_cancelled,
        cancelled_href: link(chosen, view, if show_cancelled { "" } else { "1" }),
        nobody_works: !hours.anyone_works,
        prev_href: link(plus_days(chosen, -step), view, anuladas),
        next_href: link(plus_days(chosen, step), view, anuladas),
        today_href: link(today, view, anuladas),
        day_href: link(chosen, "dia", anuladas),
        week_href: link(chosen, "semana", anuladas),
    })
}
