//! The Agendar page as shown: the steps' choices, the week strip, the free
//! slots of the chosen day (the asked `hora` preselected, or offered
//! "fuera de horario" with the reason), and the summary before the button.

use askama::Template;
use ficha_domain::agenda::time_of_day;
use jiff::civil::Date;

use super::agendar::{Context, Preselected, link};
use super::agendar_week::{FreeTime, search_days};
use super::booking_words::{money, state_label};
use super::error::PanelError;
use super::format::weekday_short;
use super::format::{date, date_time, time, weekday};
use super::layout::{Chrome, Section};
use super::session::Staffer;
use crate::AppState;
use ficha_domain::availability::monday_of;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Slot {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One day of the strip: a link to it with its count of free slots.
pub struct StripDay {
    pub href: String,
    /// `Lun`.
    pub weekday: &'static str,
    /// `16-03`.
    pub day: String,
    /// Read aloud: `Lunes 16-03-2026: 5 horarios libres`.
    pub label: String,
    pub count: usize,
    /// `libre` or `libres`.
    pub word: &'static str,
    pub chosen: bool,
    /// Before today: nothing to book, no link.
    pub past: bool,
}

pub struct Week {
    pub days: Vec<StripDay>,
    pub prev_href: Option<String>,
    pub next_href: String,
}

/// What will be booked, read back before the button.
#[derive(Default)]
pub struct Summary {
    pub service: String,
    pub professional: String,
    pub date: String,
    pub time: String,
    /// `Precio`, or `Precio del pack`.
    pub price_label: &'static str,
    pub price: String,
    /// `Sesión 2 de 5` for a pack.
    pub session: Option<String>,
}

#[derive(Template)]
#[template(path = "panel/agendar.html")]
pub struct AgendarPage {
    chrome: Chrome,
    client_name: String,
    client_href: String,
    action: String,
    /// The booking being given a time, described.
    moving: Option<String>,
    /// "Agendar", "Agendar sesión" (a pack session without a date) or
    /// "Reagendar".
    heading: &'static str,
    reserva: String,
    /// `calendario` when opened from the calendar, carried on.
    desde: String,
    services: Vec<Choice>,
    professionals: Vec<Choice>,
    service_chosen: bool,
    professional_chosen: bool,
    /// Why the professional was already chosen.
    preselected: Option<&'static str>,
    /// A professional and date asked for (the calendar's link) kept while
    /// their steps are not shown yet.
    keep_professional: String,
    keep_date: String,
    /// `YYYY-MM-DD` for the date input.
    date_value: String,
    /// `16-03-2026`.
    date_label: String,
    /// What the date field holds: the date, or what was typed and not read.
    date_typed: String,
    date_error: Option<&'static str>,
    /// `Lunes 16-03-2026`.
    date_long: String,
    week: Option<Week>,
    first_href: String,
    search_days: u32,
    /// "Primer horario disponible" found nothing.
    pub first_none: Option<String>,
    /// The hour asked for with `?hora=`, `HH:MM`.
    asked_hour: String,
    /// Why the asked hour is offered "fuera de horario".
    hour_note: Option<String>,
    pub slots: Vec<Slot>,
    pub off_hours: bool,
    pub hour: String,
    pub hour_error: Option<String>,
    pub slot_error: Option<String>,
    pub refused: Option<String>,
    summary: Summary,
}

impl AgendarPage {
    pub async fn new(state: &AppState, staffer: &Staffer, ctx: &Context) -> Result<Self, PanelError> {
        let zone = staffer.zone();
        let client_href = format!("/clientes/{}", ctx.client.id);
        let chosen_service = ctx.service.as_ref().map(|s| s.id);
        let services = ctx
            .services
            .iter()
            .map(|s| Choice {
                value: s.id.to_string(),
                label: format!("{} ({} min)", s.name.as_str(), s.duration.get()),
                selected: Some(s.id) == chosen_service,
            })
            .collect();
        let professionals = ctx
            .staff
            .iter()
            .filter(|s| ctx.service.as_ref().is_some_and(|svc| svc.performed_by(s.id)))
            .map(|s| Choice {
                value: s.id.to_string(),
                label: s.name.as_str().to_owned(),
                selected: ctx.professional.as_ref().is_some_and(|p| p.id == s.id),
            })
            .collect();
        let mut slots = Vec::new();
        let mut week = None;
        if let (Some(service), Some(professional)) = (&ctx.service, &ctx.professional) {
            let mut free =
                FreeTime::read(state, &staffer.actor, service, professional.id, ctx.moving.as_ref(), &zone).await?;
            let monday = monday_of(ctx.date);
            let counts = free.week(monday).await?;
            slots = free
                .day(ctx.date)
                .await?
                .into_iter()
                .map(|start| Slot { value: start.to_string(), label: time(start, &zone), checked: false })
                .collect();
            week = Some(strip(ctx, &counts, monday, free.today()));
        }
        let moving = ctx.moving.as_ref().map(|b| {
            let when = b.when.map(|w| date_time(w.start(), &zone)).unwrap_or_else(|| "sin fecha".into());
            let session = b.pack.map(|p| format!("sesión {} de {}, ", p.number, p.of)).unwrap_or_default();
            format!("{session}{when}, {}", state_label(b.state).to_lowercase())
        });
        let asked_hour = time_of_day(&ctx.choices.hora).map(|t| t.strftime("%H:%M").to_string()).unwrap_or_default();
        let date_long = format!("{} {}", weekday(ctx.date.weekday()), date(ctx.date));
        let mut page = Self {
            chrome: Chrome::new(staffer, section(ctx)),
            client_name: ctx.client.name.as_str().to_owned(),
            action: format!("{client_href}/agendar"),
            client_href,
            moving,
            heading: match &ctx.moving {
                None => "Agendar",
                Some(booking) if booking.when.is_none() => "Agendar sesión",
                Some(_) => "Reagendar",
            },
            reserva: ctx.moving.as_ref().map(|b| b.id.to_string()).unwrap_or_default(),
            desde: if ctx.choices.desde == "calendario" { "calendario".into() } else { String::new() },
            services,
            professionals,
            service_chosen: ctx.service.is_some(),
            professional_chosen: ctx.professional.is_some(),
            preselected: ctx.preselected.map(|why| match why {
                Preselected::OnlyPerformer => "Es quien realiza este servicio.",
                Preselected::PackPrevious => "Atendió la sesión anterior de este pack.",
            }),
            keep_professional: if ctx.service.is_none() { ctx.choices.profesional.clone() } else { String::new() },
            keep_date: if ctx.professional.is_none() && !ctx.choices.fecha.is_empty() {
                ctx.date.to_string()
            } else {
                String::new()
            },
            date_value: ctx.date.to_string(),
            date_label: date(ctx.date),
            date_typed: ctx.date_typo.clone().unwrap_or_else(|| date(ctx.date)),
            date_error: ctx
                .date_typo
                .as_ref()
                .map(|_| "Escribe una fecha dd-mm-aaaa entre 1900 y 2100, por ejemplo 16-03-2026."),
            date_long: date_long.clone(),
            week,
            first_href: link(ctx, None, &[("primero", "1")]),
            search_days: search_days(&state.store.booking_rules(&staffer.actor).await?),
            first_none: None,
            asked_hour: asked_hour.clone(),
            hour_note: None,
            slots,
            off_hours: false,
            hour: String::new(),
            hour_error: None,
            slot_error: None,
            refused: None,
            summary: Summary {
                service: ctx.service.as_ref().map(|s| s.name.as_str().to_owned()).unwrap_or_default(),
                professional: ctx.professional.as_ref().map(|p| p.name.as_str().to_owned()).unwrap_or_default(),
                date: date_long,
                ..Summary::default()
            },
        };
        if let (Some(professional), false) = (&ctx.professional, asked_hour.is_empty()) {
            page.preselect(&asked_hour, professional.name.as_str());
        }
        if let Some(service) = &ctx.service {
            let pack = service.sessions.get() > 1;
            page.summary.price_label = if pack { "Precio del pack" } else { "Precio" };
            page.summary.price = money(service.price.get());
            page.summary.session = match ctx.moving.as_ref().and_then(|b| b.pack) {
                Some(place) => Some(format!("Sesión {} de {}", place.number, place.of)),
                None if pack => Some(format!("Sesión 1 de {}; las otras quedan por reservar", service.sessions.get())),
                None => None,
            };
        }
        page.refresh_summary();
        Ok(page)
    }

    /// The asked hour: checked when it is a free slot, else "Fuera de
    /// horario" ticked with it and the reason said.
    fn preselect(&mut self, asked: &str, professional: &str) {
        match self.slots.iter_mut().find(|slot| slot.label == asked) {
            Some(slot) => slot.checked = true,
            None => {
                self.off_hours = true;
                self.hour = asked.to_owned();
                self.hour_note = Some(format!(
                    "Las {asked} no es un horario libre de {professional}; puedes agendar fuera de horario."
                ));
            }
        }
    }

    /// The summary's time from the slot checked or the hour typed.
    pub fn refresh_summary(&mut self) {
        let hour = self.hour.trim();
        self.summary.time = if self.off_hours && !hour.is_empty() {
            format!("{hour} (fuera de horario)")
        } else if let Some(slot) = self.slots.iter().find(|s| s.checked).filter(|_| !self.off_hours) {
            slot.label.clone()
        } else if self.off_hours {
            "Escribe la hora".into()
        } else {
            "Elige un horario".into()
        };
    }
}

/// Opened from the calendar (its empty slot's link says so), the menu
/// stays on Calendario; from a profile, on Clientes.
fn section(ctx: &Context) -> Section {
    if ctx.choices.desde == "calendario" { Section::Calendar } else { Section::Clients }
}

/// The week from `monday`, each day linked with its count; the previous
/// week only while it has days from today on.
fn strip(ctx: &Context, counts: &[(Date, usize)], monday: Date, today: Date) -> Week {
    let days = counts
        .iter()
        .map(|(day, count)| {
            let word = if *count == 1 { "libre" } else { "libres" };
            let horarios = if *count == 1 { "horario libre" } else { "horarios libres" };
            StripDay {
                href: link(ctx, Some(*day), &[]),
                weekday: weekday_short(day.weekday()),
                day: day.strftime("%d-%m").to_string(),
                label: format!("{} {}: {count} {horarios}", weekday(day.weekday()), date(*day)),
                count: *count,
                word,
                chosen: *day == ctx.date,
                past: *day < today,
            }
        })
        .collect();
    let week = jiff::Span::new().days(7);
    let before = ctx.date.checked_sub(week).unwrap_or(ctx.date).max(today);
    let prev_href = (monday > today).then(|| link(ctx, Some(before), &[]));
    let next_href = link(ctx, Some(ctx.date.checked_add(week).unwrap_or(ctx.date)), &[]);
    Week { days, prev_href, next_href }
}
