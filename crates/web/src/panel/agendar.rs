//! `/clientes/{id}/agendar`: booking the client, step by step — service,
//! professional, date (a week strip counts each day's free slots;
//! "Primer horario disponible" jumps to the first day with one), then one
//! of the free slots (or, ticking "Fuera de horario", any time staff
//! choose; the backend's override rules apply), checked in a summary
//! before the button. With `?reserva=…` the same page gives a time to a
//! pack session "por reservar", or moves an existing booking (reagendar).
//! `?hora=HH:MM` (the calendar's empty slot) is kept through the steps and
//! preselected once the service and professional are known.
//!
//! Without JavaScript the first steps are one GET form that reloads the page
//! with each choice; the booking itself is a POST with the CSRF token. The
//! page itself is built in `agendar_page.rs`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::availability::resolve;
use ficha_domain::{Booking, BookingId, BookingState, Client, ClientId, Origin, Service, Staff, StaffId};
use ficha_store::{BookingChange, BookingQuery, NewBooking, NewTime, StoreError, When};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

use super::agendar_page::AgendarPage;
use super::agendar_week::{FreeTime, search_days};
use super::booking_words::refusal;
use super::error::{PanelError, page_with, path_id};
use super::form::{FormData, Submitted};
use super::format::query;
use super::session::Staffer;
use crate::AppState;
use crate::i18n::Lang;
use crate::problem::{FieldProblem, FieldProblemKind};

#[derive(Debug, Default, Deserialize)]
pub struct Choices {
    #[serde(default)]
    pub servicio: String,
    #[serde(default)]
    pub profesional: String,
    #[serde(default)]
    pub fecha: String,
    #[serde(default)]
    pub reserva: String,
    /// `HH:MM` asked for (the calendar's empty slot): preselected when it
    /// is one of the free slots, else offered "fuera de horario".
    #[serde(default)]
    pub hora: String,
    /// Set by "Primer horario disponible".
    #[serde(default)]
    pub primero: String,
    /// `calendario` when opened from the calendar (`came_from`).
    #[serde(default)]
    pub desde: String,
}

impl Choices {
    fn from_form(form: &FormData) -> Self {
        Self {
            servicio: form.get("servicio").to_owned(),
            profesional: form.get("profesional").to_owned(),
            fecha: form.get("fecha").to_owned(),
            reserva: form.get("reserva").to_owned(),
            desde: form.get("desde").to_owned(),
            // The POST's `hora` is the hour typed with "Fuera de horario",
            // read by `book` itself.
            ..Self::default()
        }
    }
}

/// Why a professional was chosen before anyone picked one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preselected {
    /// The only one who performs the service.
    OnlyPerformer,
    /// Who attended the pack's previous session.
    PackPrevious,
}

/// The client, the booking being moved (if any) and what was chosen so far.
pub struct Context {
    pub client: Client,
    pub moving: Option<Booking>,
    pub service: Option<Service>,
    pub professional: Option<Staff>,
    pub preselected: Option<Preselected>,
    pub date: Date,
    /// The date as typed when it could not be read (today is shown).
    pub date_typo: Option<String>,
    pub services: Vec<Service>,
    pub staff: Vec<Staff>,
    pub choices: Choices,
}

async fn context(state: &AppState, staffer: &Staffer, id: &str, choices: Choices) -> Result<Context, PanelError> {
    let actor = &staffer.actor;
    let id: ClientId = path_id(id)?;
    let client = state.store.get_client(actor, id).await?;
    let moving = match choices.reserva.as_str() {
        "" => None,
        text => {
            let booking_id: BookingId = path_id(text)?;
            let booking = state.store.get_booking(actor, booking_id).await?;
            if booking.client != client.id {
                return Err(PanelError::NotFound);
            }
            Some(booking)
        }
    };
    let services = state.store.list_services(actor).await?;
    let staff = state.store.list_staff(actor).await?;
    // A booking being moved keeps its service.
    let service_id = moving.as_ref().map(|b| b.service.to_string()).unwrap_or_else(|| choices.servicio.clone());
    let service = services.iter().find(|s| s.id.to_string() == service_id).cloned();
    let performers: Vec<&Staff> =
        staff.iter().filter(|s| service.as_ref().is_some_and(|svc| svc.performed_by(s.id))).collect();
    let performer = |id: StaffId| performers.iter().find(|s| s.id == id).map(|s| (*s).clone());

    // Chosen, else the booking's own, else the pack's previous session's,
    // else the only one who performs the service.
    let mut preselected = None;
    let mut professional = performers.iter().find(|s| s.id.to_string() == choices.profesional).map(|s| (*s).clone());
    // A choice that does not perform the service (the calendar's
    // professional, then another service picked) falls back to the rest.
    if professional.is_none() {
        professional = moving.as_ref().and_then(|b| b.professional).and_then(performer);
        if professional.is_none()
            && let Some(booking) = &moving
        {
            professional = pack_professional(state, staffer, booking).await?.and_then(performer);
            preselected = professional.as_ref().map(|_| Preselected::PackPrevious);
        }
        if professional.is_none() && performers.len() == 1 {
            professional = performers.first().map(|s| (*s).clone());
            preselected = Some(Preselected::OnlyPerformer);
        }
    }
    let today = state.clock.now().to_zoned(staffer.zone()).date();
    let typed = ficha_domain::dates::parse_typed(&choices.fecha).ok();
    let date_typo = (typed.is_none() && !choices.fecha.trim().is_empty()).then(|| choices.fecha.clone());
    let date = typed.unwrap_or(today);
    Ok(Context { client, moving, service, professional, preselected, date, date_typo, services, staff, choices })
}

/// Who performed the latest dated session of `booking`'s pack (one not
/// cancelled first), if any: the next session usually goes to them.
async fn pack_professional(
    state: &AppState,
    staffer: &Staffer,
    booking: &Booking,
) -> Result<Option<StaffId>, PanelError> {
    let Some(place) = booking.pack else { return Ok(None) };
    // Latest first; a pack's sessions are among the client's latest 100.
    let query = BookingQuery { when: When::All, state: None, after: None, limit: 100 };
    let page = state.store.client_bookings(&staffer.actor, booking.client, &query).await?;
    let sessions: Vec<&Booking> = page
        .bookings
        .iter()
        .filter(|b| b.id != booking.id && b.pack.is_some_and(|p| p.pack == place.pack) && b.professional.is_some())
        .collect();
    let live = sessions.iter().find(|b| b.state != BookingState::Cancelled);
    Ok(live.or(sessions.first()).and_then(|b| b.professional))
}

/// The Agendar page's address with these choices (empty ones left out),
/// opening at the free slots: on a phone the steps above fill the screen.
pub fn link(ctx: &Context, date: Option<Date>, extra: &[(&str, &str)]) -> String {
    let service = ctx.service.as_ref().map(|s| s.id.to_string()).unwrap_or_default();
    let professional = ctx.professional.as_ref().map(|s| s.id.to_string()).unwrap_or_default();
    let reserva = ctx.moving.as_ref().map(|b| b.id.to_string()).unwrap_or_default();
    let date = date.map(|d| d.to_string()).unwrap_or_default();
    let mut pairs = vec![
        ("reserva", reserva.as_str()),
        ("servicio", service.as_str()),
        ("profesional", professional.as_str()),
        ("fecha", date.as_str()),
        ("desde", ctx.choices.desde.as_str()),
    ];
    pairs.extend_from_slice(extra);
    format!("/clientes/{}/agendar{}#horarios", ctx.client.id, query(&pairs))
}

pub async fn form(
    State(state): State<AppState>,
    staffer: Staffer,
    Path(id): Path<String>,
    Query(choices): Query<Choices>,
) -> Result<Response, PanelError> {
    let ctx = context(&state, &staffer, &id, choices).await?;
    let mut first_none = None;
    if !ctx.choices.primero.is_empty()
        && let (Some(service), Some(professional)) = (&ctx.service, &ctx.professional)
    {
        let days = search_days(&state.store.booking_rules(&staffer.actor).await?);
        let zone = staffer.zone();
        let mut free =
            FreeTime::read(&state, &staffer.actor, service, professional.id, ctx.moving.as_ref(), &zone).await?;
        match free.first_free_day(days).await? {
            Some(day) => return Ok(Redirect::to(&link(&ctx, Some(day), &[])).into_response()),
            None => first_none = Some(format!("No hay horarios libres en los próximos {days} días.")),
        }
    }
    let mut page = AgendarPage::new(&state, &staffer, &ctx).await?;
    page.first_none = first_none;
    page_with(StatusCode::OK, &page)
}

pub async fn book(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { staffer, form }: Submitted,
) -> Result<Response, PanelError> {
    let ctx = context(&state, &staffer, &id, Choices::from_form(&form)).await?;
    let mut page = AgendarPage::new(&state, &staffer, &ctx).await?;
    let off_hours = form.ticked("fuera_de_horario");
    page.off_hours = off_hours;
    page.hour = form.get("hora").to_owned();
    let chosen_slot = form.get("inicio");
    for slot in &mut page.slots {
        slot.checked = slot.value == chosen_slot;
    }
    page.refresh_summary();
    let (Some(service), Some(professional)) = (&ctx.service, &ctx.professional) else {
        page.refused = Some("Elige el servicio y el profesional.".into());
        return page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let start = if off_hours {
        match start_off_hours(ctx.date, form.get("hora"), &staffer) {
            Ok(start) => start,
            Err(message) => {
                page.hour_error = Some(message);
                return page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        }
    } else {
        match chosen_slot.parse::<Timestamp>() {
            Ok(start) => start,
            Err(_) => {
                page.slot_error = Some("Elige uno de los horarios disponibles.".into());
                return page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        }
    };
    let actor = &staffer.actor;
    let placed = match &ctx.moving {
        Some(booking) => {
            let to = NewTime {
                professional: Some(professional.id),
                start,
                end: None,
                origin: Origin::Panel,
                override_agenda: off_hours,
            };
            state.store.change_booking(actor, booking.id, BookingChange::Reschedule(to)).await.map(|b| b.id)
        }
        None => {
            let new = NewBooking {
                client: ctx.client.id,
                service: service.id,
                professional: Some(professional.id),
                start: Some(start),
                end: None,
                state: BookingState::Pending,
                origin: Origin::Panel,
                override_agenda: off_hours,
            };
            // A pack's first session is the one just given a time.
            state
                .store
                .book(actor, new)
                .await
                .map(|booked| booked.first().map(|b| b.id))
                .and_then(|id| id.ok_or(StoreError::NotFound))
        }
    };
    match placed {
        Ok(id) => {
            // Opened from the calendar, the booking page leads back there.
            let from_calendar = if ctx.choices.desde == "calendario" { "&desde=calendario" } else { "" };
            Ok(Redirect::to(&format!("/reservas/{id}?aviso=agendada{from_calendar}")).into_response())
        }
        Err(StoreError::Refused(rule)) => {
            page.refused = Some(refusal(&rule));
            page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other.into()),
    }
}

/// The hour typed with "Fuera de horario", on the chosen date in the
/// business's zone; a time the clock change skips or repeats is explained.
fn start_off_hours(day: Date, hour: &str, staffer: &Staffer) -> Result<Timestamp, String> {
    let at = ficha_domain::agenda::time_of_day(hour).map_err(|_| "Escribe la hora como HH:MM, por ejemplo 09:30.")?;
    resolve(day.to_datetime(at), &staffer.zone())
        .map_err(|error| FieldProblem::new("hora", FieldProblemKind::LocalTime(error)).message(Lang::Es))
}
