//! `/reservar/{slug}/reserva/{token}`: the manage link. Shows the booking as
//! it is now (a reschedule keeps the booking, so an old link still finds
//! it) and nothing of the client's profile; Confirmar asistencia, Anular and
//! Reagendar are offered inside the business's deadlines and refused by the
//! store outside them.
//! These pages answer even with online booking turned off: a client can
//! still see and cancel what they booked.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{Actor, Booking, BookingState, SiteRule, StaffId};
use ficha_store::{Link, OnlineChange, StoreError};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use super::pages::{Choice, Week, chosen_professionals, performers, service_facts, week};
use super::slots::Calendars;
use super::{Site, SiteError, assets, page_with};
use crate::AppState;
use crate::auth::secret;
use crate::panel::booking_words::money;
use crate::panel::form::FormData;
use crate::panel::format::{date, date_time, query, time, weekday};

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    #[serde(default)]
    nueva: String,
    #[serde(default)]
    aviso: String,
    #[serde(default)]
    profesional: String,
    #[serde(default)]
    semana: String,
    #[serde(default)]
    dia: String,
}

/// The business of `slug` (open or not) and the booking its link opens.
struct Managed {
    site: Site,
    booking: Booking,
    link: Link,
    base: String,
}

async fn managed(state: &AppState, slug: &str, token: &str) -> Result<Managed, SiteError> {
    let business = state.store.business_by_slug(slug).await?.ok_or(SiteError::NotFound)?;
    let actor = Actor::System { business: business.id };
    let rules = state.store.booking_rules(&actor).await?;
    let zone = TimeZone::get(&business.time_zone).unwrap_or(TimeZone::UTC);
    let site = Site { business, actor, rules, zone };
    let token_hash = secret::hash(token);
    let booking = state.store.linked_booking(&site.actor, &token_hash).await?;
    let base = format!("{}/reserva/{token}", site.home());
    Ok(Managed { link: Link { token_hash, path: base.clone() }, site, booking, base })
}

fn deadline(start: Timestamp, hours: u32) -> Timestamp {
    start.checked_sub(SignedDuration::from_hours(i64::from(hours))).unwrap_or(start)
}

fn state_words(state: BookingState) -> &'static str {
    match state {
        BookingState::Pending => "Pendiente de confirmación",
        BookingState::Confirmed => "Confirmada",
        BookingState::Cancelled => "Anulada",
    }
}

#[derive(Template)]
#[template(path = "site/reserva.html")]
struct ReservaPage {
    css: String,
    business: String,
    home: String,
    heading: &'static str,
    notice: Option<String>,
    service: String,
    service_facts: String,
    price: String,
    professional: String,
    when: String,
    state: &'static str,
    cancelled: bool,
    pack: Option<String>,
    confirm_action: Option<String>,
    confirm_note: String,
    cancel_action: Option<String>,
    cancel_note: String,
    reschedule_href: Option<String>,
    reschedule_note: String,
    manage_href: String,
}

async fn reserva_page(
    state: &AppState,
    m: &Managed,
    heading: &'static str,
    notice: Option<String>,
) -> Result<ReservaPage, SiteError> {
    let (site, booking) = (&m.site, &m.booking);
    let service = state.store.get_service(&site.actor, booking.service).await?;
    let staff = state.store.list_staff(&site.actor).await?;
    let professional = staff
        .iter()
        .find(|s| Some(s.id) == booking.professional)
        .map(|s| s.name.as_str().to_owned())
        .unwrap_or_default();
    let now = state.clock.now();
    let start = booking.when.map(|w| w.start());
    let when = start
        .map(|s| {
            let local = s.to_zoned(site.zone.clone());
            format!("{} {} a las {}", weekday(local.weekday()), date(local.date()), time(s, &site.zone))
        })
        .unwrap_or_else(|| "Sin fecha".into());
    let live = booking.state != BookingState::Cancelled;
    let rules = &site.rules;
    let (cancel_action, cancel_note) = match start {
        Some(s) if live && rules.may_cancel(s, now).is_ok() => (
            Some(format!("{}/anular", m.base)),
            format!(
                "Puedes anular en línea hasta el {}.",
                date_time(deadline(s, rules.cancel_until_hours), &site.zone)
            ),
        ),
        Some(_) if live => (
            None,
            format!(
                "Ya no se puede anular en línea (hasta {} horas antes de la cita). Si no puedes asistir, avisa al \
                 negocio.",
                rules.cancel_until_hours
            ),
        ),
        _ => (None, String::new()),
    };
    let pending = booking.state == BookingState::Pending;
    let (confirm_action, confirm_note) = match start {
        Some(s) if pending && rules.may_confirm(s, now).is_ok() => (
            Some(format!("{}/confirmar", m.base)),
            format!(
                "Confirma que asistirás (hasta el {}).",
                date_time(deadline(s, rules.confirm_until_hours), &site.zone)
            ),
        ),
        Some(_) if pending => (
            None,
            format!("Ya no se puede confirmar en línea (hasta {} horas antes de la cita).", rules.confirm_until_hours),
        ),
        _ => (None, String::new()),
    };
    let (reschedule_href, reschedule_note) = match start {
        Some(s) if live && rules.may_reschedule(s, now).is_ok() && rules.online => (
            Some(format!("{}/reagendar", m.base)),
            format!(
                "Puedes reagendar en línea hasta el {}.",
                date_time(deadline(s, rules.reschedule_until_hours), &site.zone)
            ),
        ),
        Some(_) if live && rules.online => (
            None,
            format!(
                "Ya no se puede reagendar en línea (hasta {} horas antes de la cita).",
                rules.reschedule_until_hours
            ),
        ),
        _ => (None, String::new()),
    };
    Ok(ReservaPage {
        css: assets::css_link(),
        business: site.business.name.clone(),
        home: site.home(),
        heading,
        notice,
        service: service.name.as_str().to_owned(),
        service_facts: service_facts(&service),
        price: money(service.price.get()),
        professional,
        when,
        state: state_words(booking.state),
        cancelled: !live,
        pack: booking.pack.filter(|p| p.of > 1).map(|p| {
            format!("Sesión {} de {}. Las demás quedan por reservar: el negocio las agenda contigo.", p.number, p.of)
        }),
        confirm_action,
        confirm_note,
        cancel_action,
        cancel_note,
        reschedule_href,
        reschedule_note,
        manage_href: m.base.clone(),
    })
}

pub async fn show(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    Query(params): Query<Params>,
) -> Result<Response, SiteError> {
    let m = managed(&state, &slug, &token).await?;
    let heading = if params.nueva == "1" { "¡Reserva lista!" } else { "Tu reserva" };
    let notice = match (params.nueva.as_str(), params.aviso.as_str()) {
        ("1", _) => Some(
            "Te enviamos un correo con los detalles y la invitación de calendario. Guarda este enlace para anular o \
             reagendar."
                .to_owned(),
        ),
        (_, "anulada") => Some("Tu reserva quedó anulada.".to_owned()),
        (_, "confirmada") => Some("¡Gracias! Confirmaste tu asistencia.".to_owned()),
        (_, "reagendada") => Some("Tu reserva quedó en su nuevo horario.".to_owned()),
        _ => None,
    };
    let mut page = reserva_page(&state, &m, heading, notice).await?;
    if params.nueva == "1" {
        // Just booked: asking to confirm it again would read as a mistake.
        (page.confirm_action, page.confirm_note) = (None, String::new());
    }
    page_with(StatusCode::OK, &page)
}

pub async fn cancel(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Response, SiteError> {
    change(&state, &slug, &token, OnlineChange::Cancel, "anulada").await
}

pub async fn confirm(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Response, SiteError> {
    change(&state, &slug, &token, OnlineChange::Confirm, "confirmada").await
}

/// A change without choices through the link, then the booking page with
/// `aviso` (or the refusal's words).
async fn change(
    state: &AppState,
    slug: &str,
    token: &str,
    change: OnlineChange,
    aviso: &str,
) -> Result<Response, SiteError> {
    let m = managed(state, slug, token).await?;
    match state.store.change_online(&m.site.actor, &m.link, change).await {
        Ok(_) => Ok(Redirect::to(&format!("{}{}", m.base, query(&[("aviso", aviso)]))).into_response()),
        Err(error) => refused(state, &m, error).await,
    }
}

/// The booking page again with the refusal's words; nothing changed.
async fn refused(state: &AppState, m: &Managed, error: StoreError) -> Result<Response, SiteError> {
    let words = match error {
        StoreError::SiteRefused(rule) => rule.spanish().to_owned(),
        StoreError::Refused(_) => "No se pudo hacer ese cambio en la reserva.".to_owned(),
        other => return Err(other.into()),
    };
    let page = reserva_page(state, m, "Tu reserva", Some(words)).await?;
    page_with(StatusCode::CONFLICT, &page)
}

#[derive(Template)]
#[template(path = "site/reagendar.html")]
struct ReagendarPage {
    css: String,
    business: String,
    home: String,
    back: String,
    action: String,
    service: String,
    current: String,
    professionals: Vec<Choice>,
    profesional: String,
    week: Option<Week>,
    refused: Option<String>,
}

async fn reagendar_page(
    state: &AppState,
    m: &Managed,
    professional: &str,
    semana: &str,
    dia: &str,
) -> Result<ReagendarPage, SiteError> {
    let site = &m.site;
    let service = state.store.get_service(&site.actor, m.booking.service).await?;
    let staff = state.store.list_staff(&site.actor).await?;
    let chosen = if professional.is_empty() {
        m.booking.professional.map(|p| p.to_string()).unwrap_or_else(|| "cualquiera".into())
    } else {
        professional.to_owned()
    };
    let href = |value: &str| format!("{}/reagendar{}", m.base, query(&[("profesional", value)]));
    let mut professionals =
        vec![Choice { label: "Cualquiera".into(), href: href("cualquiera"), selected: chosen == "cualquiera" }];
    for pro in performers(&service, &staff) {
        let id = pro.id.to_string();
        professionals.push(Choice { label: pro.name.as_str().to_owned(), href: href(&id), selected: chosen == id });
    }
    let mut week_view = None;
    if let Some(pros) = chosen_professionals(&service, &chosen) {
        let mut calendars = Calendars::read(state, &site.actor, &service, &pros, &site.rules, &site.zone).await?;
        // The booking's own time is free for it.
        if let (Some(pro), Some(when)) = (m.booking.professional, m.booking.when) {
            calendars.free(pro, when);
        }
        let page_href = |week: jiff::civil::Date, day: jiff::civil::Date| {
            let (week, day) = (week.to_string(), day.to_string());
            let pairs = [("profesional", chosen.as_str()), ("semana", &week), ("dia", &day)];
            format!("{}/reagendar{}#horarios", m.base, query(&pairs))
        };
        // Each slot is a button of the page's form, carrying its start.
        let slot_value = |start: Timestamp| start.to_string();
        week_view = Some(week(site, &mut calendars, semana, dia, &page_href, &slot_value).await?);
    }
    let current = m.booking.when.map(|w| date_time(w.start(), &site.zone)).unwrap_or_default();
    Ok(ReagendarPage {
        css: assets::css_link(),
        business: site.business.name.clone(),
        home: site.home(),
        back: m.base.clone(),
        action: format!("{}/reagendar", m.base),
        service: service.name.as_str().to_owned(),
        current,
        professionals,
        profesional: chosen,
        week: week_view,
        refused: None,
    })
}

pub async fn slots(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    Query(params): Query<Params>,
) -> Result<Response, SiteError> {
    let m = managed(&state, &slug, &token).await?;
    if m.booking.state == BookingState::Cancelled {
        return Err(SiteError::NotFound);
    }
    let page = reagendar_page(&state, &m, &params.profesional, &params.semana, &params.dia).await?;
    page_with(StatusCode::OK, &page)
}

pub async fn reschedule(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    let m = managed(&state, &slug, &token).await?;
    let start: Timestamp = form.get("inicio").parse().map_err(|_| SiteError::NotFound)?;
    let professional: Option<StaffId> = match form.get("profesional") {
        "cualquiera" | "" => None,
        id => Some(id.parse().map_err(|_| SiteError::NotFound)?),
    };
    let change = OnlineChange::Reschedule { professional, start };
    match state.store.change_online(&m.site.actor, &m.link, change).await {
        Ok(_) => Ok(Redirect::to(&format!("{}{}", m.base, query(&[("aviso", "reagendada")]))).into_response()),
        Err(StoreError::SiteRefused(rule @ (SiteRule::SlotTaken | SiteRule::TooSoon | SiteRule::TooFar))) => {
            let mut page = reagendar_page(&state, &m, form.get("profesional"), "", "").await?;
            page.refused = Some(rule.spanish().to_owned());
            page_with(StatusCode::CONFLICT, &page)
        }
        Err(error) => refused(&state, &m, error).await,
    }
}
