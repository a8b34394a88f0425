//! `/clientes/{id}/agendar`: booking the client, step by step — service,
//! professional, date, then one of the free slots (or, ticking "Fuera de
//! horario", any time staff choose; the backend's override rules apply).
//! With `?reserva=…` the same page gives a time to a pack session "por
//! reservar", or moves an existing booking (reagendar).
//!
//! Without JavaScript the first steps are one GET form that reloads the page
//! with each choice; the booking itself is a POST with the CSRF token.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::availability::resolve;
use ficha_domain::{Booking, BookingId, BookingState, Client, ClientId, Origin, Service, Staff};
use ficha_store::{BookingChange, NewBooking, NewTime, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

use super::booking_words::{refusal, state_label};
use super::error::{PanelError, page_with, path_id};
use super::form::{FormData, Submitted};
use super::format::{date, date_time, time};
use super::layout::{Chrome, Section};
use super::session::Staffer;
use crate::AppState;
use crate::api::professionals::open_slots;
use crate::i18n::Lang;
use crate::problem::{FieldProblem, FieldProblemKind};

#[derive(Debug, Default, Deserialize)]
pub struct Choices {
    #[serde(default)]
    servicio: String,
    #[serde(default)]
    profesional: String,
    #[serde(default)]
    fecha: String,
    #[serde(default)]
    reserva: String,
}

impl Choices {
    fn from_form(form: &FormData) -> Self {
        Self {
            servicio: form.get("servicio").to_owned(),
            profesional: form.get("profesional").to_owned(),
            fecha: form.get("fecha").to_owned(),
            reserva: form.get("reserva").to_owned(),
        }
    }
}

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

#[derive(Template)]
#[template(path = "panel/agendar.html")]
struct AgendarPage {
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
    services: Vec<Choice>,
    professionals: Vec<Choice>,
    service_chosen: bool,
    professional_chosen: bool,
    /// `YYYY-MM-DD` for the date input.
    date_value: String,
    date_label: String,
    slots: Vec<Slot>,
    off_hours: bool,
    hour: String,
    hour_error: Option<String>,
    slot_error: Option<String>,
    refused: Option<String>,
}

/// The client, the booking being moved (if any) and what was chosen so far.
struct Context {
    client: Client,
    moving: Option<Booking>,
    service: Option<Service>,
    professional: Option<Staff>,
    date: Date,
    services: Vec<Service>,
    staff: Vec<Staff>,
}

async fn context(state: &AppState, staffer: &Staffer, id: &str, choices: &Choices) -> Result<Context, PanelError> {
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
    let professional_id = match (&choices.profesional, &moving) {
        (chosen, _) if !chosen.is_empty() => chosen.clone(),
        (_, Some(booking)) => booking.professional.map(|p| p.to_string()).unwrap_or_default(),
        _ => String::new(),
    };
    let professional = staff
        .iter()
        .find(|s| s.id.to_string() == professional_id && service.as_ref().is_some_and(|svc| svc.performed_by(s.id)))
        .cloned();
    let today = state.clock.now().to_zoned(staffer.zone()).date();
    let date = ficha_domain::parse_date(choices.fecha.trim()).unwrap_or(today);
    Ok(Context { client, moving, service, professional, date, services, staff })
}

impl AgendarPage {
    async fn new(state: &AppState, staffer: &Staffer, ctx: &Context) -> Result<Self, PanelError> {
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
        if let (Some(service), Some(professional)) = (&ctx.service, &ctx.professional) {
            let agenda = state.store.agenda(&staffer.actor, professional.id).await?;
            let open = open_slots(state, &staffer.actor, professional.id, &agenda, service, ctx.date, &zone).await?;
            slots = open
                .unwrap_or_default()
                .iter()
                .map(|slot| Slot { value: slot.start().to_string(), label: time(slot.start(), &zone), checked: false })
                .collect();
        }
        let moving = ctx.moving.as_ref().map(|b| {
            let when = b.when.map(|w| date_time(w.start(), &zone)).unwrap_or_else(|| "sin fecha".into());
            let session = b.pack.map(|p| format!("sesión {} de {}, ", p.number, p.of)).unwrap_or_default();
            format!("{session}{when}, {}", state_label(b.state).to_lowercase())
        });
        Ok(Self {
            chrome: Chrome::new(staffer, Section::Calendar),
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
            services,
            professionals,
            service_chosen: ctx.service.is_some(),
            professional_chosen: ctx.professional.is_some(),
            date_value: date(ctx.date),
            date_label: date(ctx.date),
            slots,
            off_hours: false,
            hour: String::new(),
            hour_error: None,
            slot_error: None,
            refused: None,
        })
    }
}

pub async fn form(
    State(state): State<AppState>,
    staffer: Staffer,
    Path(id): Path<String>,
    Query(choices): Query<Choices>,
) -> Result<Response, PanelError> {
    let ctx = context(&state, &staffer, &id, &choices).await?;
    let page = AgendarPage::new(&state, &staffer, &ctx).await?;
    page_with(StatusCode::OK, &page)
}

pub async fn book(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { staffer, form }: Submitted,
) -> Result<Response, PanelError> {
    let choices = Choices::from_form(&form);
    let ctx = context(&state, &staffer, &id, &choices).await?;
    let mut page = AgendarPage::new(&state, &staffer, &ctx).await?;
    let off_hours = form.ticked("fuera_de_horario");
    page.off_hours = off_hours;
    page.hour = form.get("hora").to_owned();
    let chosen_slot = form.get("inicio");
    for slot in &mut page.slots {
        slot.checked = slot.value == chosen_slot;
    }
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
        Ok(id) => Ok(Redirect::to(&format!("/reservas/{id}?aviso=agendada")).into_response()),
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
