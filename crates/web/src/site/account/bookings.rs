//! A signed-in client's changes to their bookings: Confirmar asistencia,
//! Anular, Reagendar (and Agendar for a session por reservar), each through
//! `BookingSiteStore::change_as_client`, which applies the business's
//! deadlines inside its transaction and finds no booking of anyone else.
//! The buttons are only shown inside the deadlines; a refusal (a form
//! posted late, or forged) is said in Spanish and changes nothing.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{Booking, BookingId, BookingState, SiteRule, StaffId};
use ficha_store::{OnlineChange, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

use super::super::pages::{Choice, Week, chosen_professionals, performers, week};
use super::super::slots::Calendars;
use super::super::{SiteError, assets, page_with};
use super::Account;
use super::sign_in::AvisoPage;
use crate::AppState;
use crate::panel::form::FormData;
use crate::panel::format::{date_time, query};

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    #[serde(default)]
    profesional: String,
    #[serde(default)]
    semana: String,
    #[serde(default)]
    dia: String,
}

/// The client's own booking `id`; anyone else's is not found.
async fn own(state: &AppState, account: &Account, id: &str) -> Result<Booking, SiteError> {
    let id: BookingId = id.parse().map_err(|_| SiteError::NotFound)?;
    let booking = state.store.get_booking(&account.actor, id).await?;
    if booking.client != account.client {
        return Err(SiteError::NotFound);
    }
    Ok(booking)
}

async fn change(
    state: &AppState,
    account: &Account,
    id: &str,
    change: OnlineChange,
    done: &str,
) -> Result<Response, SiteError> {
    let id: BookingId = id.parse().map_err(|_| SiteError::NotFound)?;
    match state.store.change_as_client(&account.actor, id, change).await {
        Ok(_) => Ok(Redirect::to(&format!("{}{}#reservas", account.base(), query(&[("aviso", done)]))).into_response()),
        Err(error) => refused(account, error),
    }
}

/// The refusal's words on their own page; nothing changed.
fn refused(account: &Account, error: StoreError) -> Result<Response, SiteError> {
    let message = match error {
        StoreError::SiteRefused(rule) => rule.spanish().to_owned(),
        StoreError::Refused(_) => "No se pudo hacer ese cambio en la reserva.".to_owned(),
        other => return Err(other.into()),
    };
    let page = AvisoPage {
        css: assets::css_link(),
        business: account.site.business.name.clone(),
        home: account.site.home(),
        base: account.base(),
        title: "No se pudo cambiar la reserva",
        message,
        action: None,
        button: "",
    };
    page_with(StatusCode::CONFLICT, &page)
}

pub async fn cancel(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    match super::submitted(&state, &slug, &headers, &form).await? {
        Ok(account) => change(&state, &account, &id, OnlineChange::Cancel, "anulada").await,
        Err(redirect) => Ok(redirect),
    }
}

pub async fn confirm(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    match super::submitted(&state, &slug, &headers, &form).await? {
        Ok(account) => change(&state, &account, &id, OnlineChange::Confirm, "confirmada").await,
        Err(redirect) => Ok(redirect),
    }
}

#[derive(Template)]
#[template(path = "site/cuenta_agendar.html")]
struct AgendarPage {
    css: String,
    business: String,
    home: String,
    base: String,
    csrf: String,
    heading: &'static str,
    action: String,
    service: String,
    current: String,
    professionals: Vec<Choice>,
    profesional: String,
    week: Option<Week>,
    refused: Option<String>,
}

async fn agendar_page(
    state: &AppState,
    account: &Account,
    booking: &Booking,
    professional: &str,
    semana: &str,
    dia: &str,
) -> Result<AgendarPage, SiteError> {
    let site = &account.site;
    let base = format!("{}/reservas/{}/reagendar", account.base(), booking.id);
    let service = state.store.get_service(&site.actor, booking.service).await?;
    let staff = state.store.list_staff(&site.actor).await?;
    let chosen = if professional.is_empty() {
        booking.professional.map(|p| p.to_string()).unwrap_or_else(|| "cualquiera".into())
    } else {
        professional.to_owned()
    };
    let href = |value: &str| format!("{base}{}", query(&[("profesional", value)]));
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
        if let (Some(pro), Some(when)) = (booking.professional, booking.when) {
            calendars.free(pro, when);
        }
        let page_href = |week: Date, day: Date| {
            let (week, day) = (week.to_string(), day.to_string());
            format!("{base}{}#horarios", query(&[("profesional", chosen.as_str()), ("semana", &week), ("dia", &day)]))
        };
        let slot_value = |start: Timestamp| start.to_string();
        week_view = Some(week(site, &mut calendars, semana, dia, &page_href, &slot_value).await?);
    }
    let scheduled = booking.when.is_some();
    Ok(AgendarPage {
        css: assets::css_link(),
        business: site.business.name.clone(),
        home: site.home(),
        base: account.base(),
        csrf: account.csrf.clone(),
        heading: if scheduled { "Reagendar" } else { "Agendar" },
        action: base,
        service: service.name.as_str().to_owned(),
        current: booking.when.map(|w| date_time(w.start(), &site.zone)).unwrap_or_else(|| "Por reservar".into()),
        professionals,
        profesional: chosen,
        week: week_view,
        refused: None,
    })
}

/// Whether the page of new times is offered at all for this booking.
fn movable(account: &Account, booking: &Booking) -> bool {
    booking.state != BookingState::Cancelled && account.site.rules.online
}

pub async fn slots(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Query(params): Query<Params>,
    headers: HeaderMap,
) -> Result<Response, SiteError> {
    let account = match super::required(&state, &slug, &headers).await? {
        Ok(account) => account,
        Err(redirect) => return Ok(redirect),
    };
    let booking = own(&state, &account, &id).await?;
    if !movable(&account, &booking) {
        return Err(SiteError::NotFound);
    }
    let page = agendar_page(&state, &account, &booking, &params.profesional, &params.semana, &params.dia).await?;
    page_with(StatusCode::OK, &page)
}

pub async fn reschedule(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    let account = match super::submitted(&state, &slug, &headers, &form).await? {
        Ok(account) => account,
        Err(redirect) => return Ok(redirect),
    };
    let booking = own(&state, &account, &id).await?;
    let start: Timestamp = form.get("inicio").parse().map_err(|_| SiteError::NotFound)?;
    let professional: Option<StaffId> = match form.get("profesional") {
        "cualquiera" | "" => None,
        id => Some(id.parse().map_err(|_| SiteError::NotFound)?),
    };
    let change = OnlineChange::Reschedule { professional, start };
    match state.store.change_as_client(&account.actor, booking.id, change).await {
        Ok(_) => {
            let to = format!("{}{}#reservas", account.base(), query(&[("aviso", "reagendada")]));
            Ok(Redirect::to(&to).into_response())
        }
        Err(StoreError::SiteRefused(rule @ (SiteRule::SlotTaken | SiteRule::TooSoon | SiteRule::TooFar))) => {
            let mut page = agendar_page(&state, &account, &booking, form.get("profesional"), "", "").await?;
            page.refused = Some(rule.spanish().to_owned());
            page_with(StatusCode::CONFLICT, &page)
        }
        Err(error) => refused(&account, error),
    }
}
