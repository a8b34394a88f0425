//! `/reservar/{slug}`: the first steps, one GET page that grows with each
//! choice — the services bookable online, then who performs it (or
//! "Cualquiera"), then a week of free slots starting at the first day that
//! has one, with "Siguiente semana".

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use ficha_domain::{Service, ServiceId, Staff, StaffId};
use ficha_store::StoreError;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

use super::slots::Calendars;
use super::{Site, SiteError, assets, page_with};
use crate::AppState;
use crate::panel::booking_words::money;
use crate::panel::format::{date, query, time, weekday, weekday_short};

#[derive(Debug, Default, Deserialize)]
pub struct Choices {
    #[serde(default)]
    pub servicio: String,
    #[serde(default)]
    pub profesional: String,
    #[serde(default)]
    pub semana: String,
    #[serde(default)]
    pub dia: String,
}

pub struct ServiceCard {
    pub name: String,
    pub facts: String,
    pub price: String,
    pub href: String,
    pub selected: bool,
}

pub struct Choice {
    pub label: String,
    pub href: String,
    pub selected: bool,
}

/// One day of the week strip: how many free slots it has, a link when any.
pub struct DayTab {
    pub weekday: &'static str,
    pub day: String,
    pub count: usize,
    pub href: Option<String>,
    pub selected: bool,
}

/// A week at a glance (a strip of seven days with their free slots
/// counted), the chosen day's slots, and the ways on from it.
pub struct Week {
    pub label: String,
    pub days: Vec<DayTab>,
    /// The chosen day, in words, and its slots.
    pub day_label: String,
    pub slots: Vec<Choice>,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// With an empty week: the first later day with a slot.
    pub jump: Option<Choice>,
}

#[derive(Template)]
#[template(path = "site/start.html")]
struct StartPage {
    css: String,
    business: String,
    home: String,
    services: Vec<ServiceCard>,
    service_name: Option<String>,
    professionals: Vec<Choice>,
    week: Option<Week>,
}

/// The services clients may book here, by name.
pub async fn bookable(state: &AppState, site: &Site) -> Result<Vec<Service>, SiteError> {
    let online = state.store.online_services(&site.actor).await?;
    let services = state.store.list_services(&site.actor).await?;
    Ok(services.into_iter().filter(|s| online.contains(&s.id) && !s.professionals.is_empty()).collect())
}

/// `60 min · 4 sesiones`.
pub fn service_facts(service: &Service) -> String {
    let sessions = service.sessions.get();
    if sessions > 1 {
        format!("{} min · pack de {sessions} sesiones", service.duration.get())
    } else {
        format!("{} min", service.duration.get())
    }
}

/// The professionals chosen: one, or every one who performs the service.
pub fn chosen_professionals(service: &Service, choice: &str) -> Option<Vec<StaffId>> {
    if choice == "cualquiera" {
        return Some(service.professionals.iter().copied().collect());
    }
    let id: StaffId = choice.parse().ok()?;
    service.performed_by(id).then(|| vec![id])
}

pub fn performers<'a>(service: &Service, staff: &'a [Staff]) -> Vec<&'a Staff> {
    staff.iter().filter(|s| service.performed_by(s.id)).collect()
}

/// The week shown: from `semana` (else the first day with a free slot), and
/// in it the day `dia` (else its first day with one). `page_href(week,
/// day)` links a page; `slot_href` makes a slot's link (or value) from its
/// start.
/// Reads the busy times of the week shown, and of later weeks only when
/// it has no free slot and the jump needs the first day that has one.
pub async fn week(
    site: &Site,
    calendars: &mut Calendars,
    semana: &str,
    dia: &str,
    page_href: &(dyn Fn(Date, Date) -> String + Sync),
    slot_href: &(dyn Fn(Timestamp) -> String + Sync),
) -> Result<Week, StoreError> {
    let zone = &site.zone;
    let first = match ficha_domain::parse_date(semana).filter(|d| ficha_domain::dates::typed_date_in_range(*d)) {
        Some(asked) => asked,
        None => calendars.first_free_day(calendars.today).await?.unwrap_or(calendars.today),
    }
    .max(calendars.today);
    let mut dates = Vec::with_capacity(7);
    let mut day = first;
    for _ in 0..7 {
        dates.push((day, calendars.day(day).await?));
        day = day.tomorrow().unwrap_or(day);
    }
    let after = day;
    let asked =
        ficha_domain::parse_date(dia).filter(|d| dates.iter().any(|(date, slots)| date == d && !slots.is_empty()));
    let selected = asked.or_else(|| dates.iter().find(|(_, slots)| !slots.is_empty()).map(|(d, _)| *d));
    let days = dates
        .iter()
        .map(|(date_, slots)| DayTab {
            weekday: weekday_short(date_.weekday()),
            day: date_.day().to_string(),
            count: slots.len(),
            href: (!slots.is_empty()).then(|| page_href(first, *date_)),
            selected: Some(*date_) == selected,
        })
        .collect();
    let (day_label, slots) = match dates.iter().find(|(d, _)| Some(*d) == selected) {
        Some((d, starts)) => (
            format!("{} {}", weekday(d.weekday()), date(*d)),
            starts
                .iter()
                .map(|start| Choice { label: time(*start, zone), href: slot_href(*start), selected: false })
                .collect(),
        ),
        None => (String::new(), Vec::new()),
    };
    let last_shown = after.yesterday().unwrap_or(after);
    let next = (after <= calendars.last_date).then(|| page_href(after, after));
    let previous = (first > calendars.today).then(|| {
        let back = first.checked_sub(jiff::Span::new().days(7)).unwrap_or(calendars.today).max(calendars.today);
        page_href(back, back)
    });
    let jump = if slots.is_empty() {
        calendars.first_free_day(after).await?.map(|free| Choice {
            label: format!("{} {}", weekday(free.weekday()), date(free)),
            href: page_href(free, free),
            selected: false,
        })
    } else {
        None
    };
    let label = format!("Del {} al {}", date(first), date(last_shown));
    Ok(Week { label, days, day_label, slots, previous, next, jump })
}

pub async fn start(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(choices): Query<Choices>,
) -> Result<Response, SiteError> {
    let site = Site::open(&state, &slug).await?;
    let home = site.home();
    let services = bookable(&state, &site).await?;
    let service = services.iter().find(|s| s.id.to_string() == choices.servicio);
    let cards = services
        .iter()
        .map(|s| ServiceCard {
            name: s.name.as_str().to_owned(),
            facts: service_facts(s),
            price: money(s.price.get()),
            href: format!("{home}{}#paso-profesional", query(&[("servicio", &s.id.to_string())])),
            selected: service.is_some_and(|chosen| chosen.id == s.id),
        })
        .collect();
    let mut professionals = Vec::new();
    let mut week_view = None;
    if let Some(service) = service {
        let staff = state.store.list_staff(&site.actor).await?;
        let sid = service.id.to_string();
        let choice_href = |value: &str| format!("{home}{}", query(&[("servicio", &sid), ("profesional", value)]));
        professionals.push(Choice {
            label: "Cualquiera".into(),
            href: choice_href("cualquiera"),
            selected: choices.profesional == "cualquiera",
        });
        for pro in performers(service, &staff) {
            let id = pro.id.to_string();
            professionals.push(Choice {
                label: pro.name.as_str().to_owned(),
                href: choice_href(&id),
                selected: choices.profesional == id,
            });
        }
        if let Some(pros) = chosen_professionals(service, &choices.profesional) {
            let mut calendars = Calendars::read(&state, &site.actor, service, &pros, &site.rules, &site.zone).await?;
            let pro = choices.profesional.clone();
            let page_href = |week: Date, day: Date| {
                let (week, day) = (week.to_string(), day.to_string());
                format!(
                    "{home}{}#horarios",
                    query(&[("servicio", &sid), ("profesional", &pro), ("semana", &week), ("dia", &day)])
                )
            };
            let slot_href = |start: Timestamp| {
                format!(
                    "{home}/datos{}",
                    query(&[("servicio", &sid), ("profesional", &pro), ("inicio", &start.to_string())])
                )
            };
            let shown = week(&site, &mut calendars, &choices.semana, &choices.dia, &page_href, &slot_href).await?;
            week_view = Some(shown);
        }
    }
    let page = StartPage {
        css: assets::css_link(),
        business: site.business.name.clone(),
        home,
        services: cards,
        service_name: service.map(|s| s.name.as_str().to_owned()),
        professionals,
        week: week_view,
    };
    page_with(StatusCode::OK, &page)
}

/// The chosen service of the business's bookable ones.
pub fn find_service(services: &[Service], id: &str) -> Option<Service> {
    let id: ServiceId = id.parse().ok()?;
    services.iter().find(|s| s.id == id).cloned()
}
