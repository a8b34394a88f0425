//! Agendas, from Configuración (owners only): each professional's weekly
//! hours — a day's ranges typed as `09:00-13:00, 14:00-18:00`, the gaps
//! between them being breaks — and days off, as `dd-mm-aaaa` dates.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::agenda::{WEEK, weekday_name};
use ficha_domain::{Agenda, DayHours, FieldError, StaffId, TimeRange};
use jiff::civil::Date;
use serde::Deserialize;

use crate::AppState;
use crate::i18n::Lang;
use crate::panel::error::{PanelError, page_with};
use crate::panel::form::{FormData, OwnerSubmitted};
use crate::panel::format::{date, weekday};
use crate::panel::layout::{Chrome, Section};
use crate::panel::session::Staffer;
use crate::problem::{FieldProblem, FieldProblemKind};

/// `09:00-13:00, 14:00-18:00`; empty for a day without hours.
fn hours_text(hours: &DayHours) -> String {
    let ranges: Vec<String> = hours
        .ranges()
        .iter()
        .map(|r| format!("{}-{}", r.start().strftime("%H:%M"), r.end().strftime("%H:%M")))
        .collect();
    ranges.join(", ")
}

fn read_hours(text: &str) -> Result<DayHours, FieldError> {
    let mut ranges = Vec::new();
    for part in text.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let (start, end) = part.split_once('-').ok_or(FieldError::TimeFormat)?;
        ranges.push(TimeRange::parse(start, end)?);
    }
    DayHours::new(ranges)
}

fn read_days_off(text: &str) -> Result<BTreeSet<Date>, FieldError> {
    text.split([',', ';', '\n', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| ficha_domain::parse_date(p).ok_or(FieldError::DateFormat).and_then(ficha_domain::dates::in_range))
        .collect()
}

pub struct DayInput {
    /// The form field: the API's weekday name.
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "panel/settings_agenda.html")]
struct AgendaPage {
    chrome: Chrome,
    action: String,
    professional: String,
    days: Vec<DayInput>,
    days_off: String,
    days_off_error: Option<String>,
    failed: bool,
    saved: bool,
    others: Vec<(String, String, bool)>,
    settings_tab: &'static str,
}

#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    #[serde(default)]
    guardada: String,
}

fn staff_id(text: &str) -> Result<StaffId, PanelError> {
    text.parse().map_err(|_| PanelError::NotFound)
}

/// `/configuracion/agendas`: the first professional's agenda.
pub async fn first(State(state): State<AppState>, staffer: Staffer) -> Result<Response, PanelError> {
    let staff = state.store.list_staff(&staffer.actor).await?;
    let first = staff.first().ok_or(PanelError::NotFound)?;
    Ok(Redirect::to(&format!("/configuracion/agendas/{}", first.id)).into_response())
}

async fn page(
    state: &AppState,
    staffer: &crate::panel::session::Staffer,
    staff: StaffId,
) -> Result<AgendaPage, PanelError> {
    let everyone = state.store.list_staff(&staffer.actor).await?;
    let who = everyone.iter().find(|s| s.id == staff).ok_or(PanelError::NotFound)?;
    let agenda = state.store.agenda(&staffer.actor, staff).await?;
    Ok(AgendaPage {
        chrome: Chrome::new(staffer, Section::Settings),
        action: format!("/configuracion/agendas/{staff}"),
        professional: who.name.as_str().to_owned(),
        days: WEEK
            .iter()
            .map(|day| DayInput {
                name: weekday_name(*day),
                label: weekday(*day),
                value: hours_text(agenda.hours(*day)),
                error: None,
            })
            .collect(),
        days_off: agenda.days_off().iter().map(|d| date(*d)).collect::<Vec<_>>().join(", "),
        days_off_error: None,
        failed: false,
        saved: false,
        settings_tab: "agendas",
        others: everyone
            .iter()
            .map(|s| (format!("/configuracion/agendas/{}", s.id), s.name.as_str().to_owned(), s.id == staff))
            .collect(),
    })
}

pub async fn show(
    State(state): State<AppState>,
    staffer: Staffer,
    Path(id): Path<String>,
    Query(notice): Query<Notice>,
) -> Result<Response, PanelError> {
    let mut page = page(&state, &staffer, staff_id(&id)?).await?;
    page.saved = notice.guardada == "1";
    page_with(StatusCode::OK, &page)
}

fn message(field: &str, error: FieldError) -> String {
    FieldProblem::new(field, FieldProblemKind::Invalid(error)).message(Lang::Es)
}

/// Every day and the days off at once; nothing saved if any is wrong.
fn read(form: &FormData, page: &mut AgendaPage) -> Option<Agenda> {
    let mut weekly: [DayHours; 7] = Default::default();
    for (slot, input) in weekly.iter_mut().zip(page.days.iter_mut()) {
        input.value = form.get(input.name).to_owned();
        match read_hours(&input.value) {
            Ok(hours) => *slot = hours,
            Err(error) => input.error = Some(message(input.name, error)),
        }
    }
    page.days_off = form.get("libres").to_owned();
    let days_off = read_days_off(&page.days_off).map_err(|e| page.days_off_error = Some(message("days_off", e))).ok();
    let complete = page.days.iter().all(|d| d.error.is_none());
    let agenda = days_off.filter(|_| complete).map(|off| Agenda::new(weekly, off));
    match agenda {
        Some(Ok(agenda)) => Some(agenda),
        Some(Err(error)) => {
            page.days_off_error = Some(message("days_off", error));
            None
        }
        None => None,
    }
}

pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let staff = staff_id(&id)?;
    let mut page = page(&state, &staffer, staff).await?;
    match read(&form, &mut page) {
        Some(agenda) => {
            state.store.set_agenda(&staffer.actor, staff, agenda).await?;
            Ok(Redirect::to(&format!("/configuracion/agendas/{staff}?guardada=1")).into_response())
        }
        None => {
            page.failed = true;
            page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
