//! `/reservas/{id}`: one booking — when, what, with whom, for which client
//! (linked to the profile) — and its actions, each its own form with the
//! CSRF token: confirmar, anular, marcar pagada, asistió / no asistió, and
//! reagendar (the Agendar page with `?reserva=`). A change the backend
//! refuses shows the backend's reason and changes nothing.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{Attendance, Booking, BookingId, BookingState, Payment, PaymentMethod};
use ficha_store::{BookingChange, StoreError};
use serde::Deserialize;

use super::attention_notes::{self, AttentionRow};
use super::booking_words::{BookingRow, Names, method_label, refusal};
use super::came_from::CameFrom;
use super::error::{PanelError, page_with, path_id};
use super::form::{FormData, Submitted};
use super::format::date_time;
use super::layout::{Chrome, Section};
use super::session::Staffer;
use crate::AppState;

pub struct Method {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// The "Marcar pagada" form as typed, with each field's problem.
#[derive(Default)]
pub struct PaymentForm {
    pub amount: String,
    pub method: String,
    pub date: String,
    pub amount_error: Option<String>,
    pub method_error: Option<String>,
    pub date_error: Option<String>,
}

#[derive(Template)]
#[template(path = "panel/booking.html")]
struct BookingPage {
    chrome: Chrome,
    /// The breadcrumb's links before "Reserva" (`came_from`).
    crumbs: Vec<(String, String)>,
    href: String,
    client_name: String,
    client_href: String,
    row: BookingRow,
    end: String,
    created: String,
    scheduled: bool,
    can_confirm: bool,
    can_cancel: bool,
    can_mark_attendance: bool,
    /// `unknown`, `attended` or `no_show`: which marks to offer.
    attendance: &'static str,
    paid: bool,
    /// Payment is offered on a live booking; a cancelled one keeps only
    /// the correction or removal of a payment already recorded.
    can_pay: bool,
    reschedule_href: String,
    notice: Option<&'static str>,
    refused: Option<String>,
    pay: PaymentForm,
    methods: Vec<Method>,
    notes: Vec<AttentionRow>,
    /// "Datos ingresados al reservar": what the client typed on the booking
    /// site that differs from the profile, as (label, value).
    entered: Vec<(String, String)>,
    /// The attention note as typed when it was refused, and why.
    note_draft: String,
    note_error: Option<String>,
}

/// The typed values as the panel shows them.
pub fn entered_rows(entered: Option<ficha_store::Entered>) -> Vec<(String, String)> {
    let Some(entered) = entered else { return Vec::new() };
    let phone = entered.phone.map(|p| ficha_domain::Phone::parse(&p).map(|p| p.display()).unwrap_or(p));
    let rut = entered.rut.map(|r| ficha_domain::Rut::parse(&r).map(|r| r.display()).unwrap_or(r));
    let general =
        [("Nombre", entered.name), ("Teléfono", phone), ("RUT", rut), ("Fecha de nacimiento", entered.birth_date)]
            .into_iter()
            .filter_map(|(label, value)| value.map(|v| (label.to_owned(), v)));
    general.chain(entered.values).collect()
}

impl PaymentForm {
    /// The fields as typed, no problem yet.
    fn typed(form: &FormData) -> Self {
        Self {
            amount: form.get("monto").to_owned(),
            method: form.get("medio").to_owned(),
            date: form.get("fecha").to_owned(),
            ..Self::default()
        }
    }
}

impl BookingPage {
    async fn load(state: &AppState, staffer: &Staffer, booking: &Booking) -> Result<Self, PanelError> {
        let actor = &staffer.actor;
        let zone = staffer.zone();
        let client = state.store.get_client(actor, booking.client).await?;
        let names = Names::new(&state.store.list_services(actor).await?, &state.store.list_staff(actor).await?);
        let today = state.clock.now().to_zoned(zone.clone()).date();
        let amount = state.store.get_service(actor, booking.service).await.map(|s| s.price.get()).unwrap_or(0);
        let client_href = format!("/clientes/{}", client.id);
        let live = booking.state != BookingState::Cancelled;
        Ok(Self {
            chrome: Chrome::new(staffer, Section::Clients),
            crumbs: CameFrom::Profile.crumbs(client.name.as_str(), &client_href, None),
            href: format!("/reservas/{}", booking.id),
            client_name: client.name.as_str().to_owned(),
            reschedule_href: format!("{client_href}/agendar?reserva={}", booking.id),
            client_href,
            row: BookingRow::new(booking, &names, &zone),
            end: booking.when.map(|w| super::format::time(w.end(), &zone)).unwrap_or_default(),
            created: date_time(booking.created_at, &zone),
            scheduled: booking.when.is_some(),
            can_confirm: booking.state == BookingState::Pending,
            can_cancel: live && booking.attendance == Attendance::Unknown,
            can_mark_attendance: live && booking.when.is_some_and(|w| w.start() <= state.clock.now()),
            attendance: booking.attendance.as_str(),
            paid: matches!(booking.payment, Payment::Paid { .. }),
            can_pay: live || matches!(booking.payment, Payment::Paid { .. }),
            notice: None,
            refused: None,
            // "Corregir pago" starts from what is recorded; "Marcar pagada"
            // from the service's price and today.
            pay: match booking.payment {
                Payment::Paid { amount, method, date } => PaymentForm {
                    amount: amount.to_string(),
                    method: method.as_str().to_owned(),
                    date: super::format::date(date),
                    ..PaymentForm::default()
                },
                _ => PaymentForm {
                    amount: if amount > 0 { amount.to_string() } else { String::new() },
                    method: String::new(),
                    date: super::format::date(today),
                    ..PaymentForm::default()
                },
            },
            methods: Vec::new(),
            notes: attention_notes::of_booking(state, staffer, booking.id).await?,
            entered: entered_rows(state.store.entered_data(actor, booking.id).await?),
            note_draft: String::new(),
            note_error: None,
        }
        .with_methods())
    }

    fn with_methods(mut self) -> Self {
        self.methods = PaymentMethod::ALL
            .iter()
            .map(|m| Method { value: m.as_str(), label: method_label(*m), selected: self.pay.method == m.as_str() })
            .collect();
        self
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowParams {
    #[serde(default)]
    aviso: String,
    /// `perfil` or `calendario` (`came_from`).
    #[serde(default)]
    desde: String,
}

pub async fn show(
    State(state): State<AppState>,
    staffer: Staffer,
    Path(id): Path<String>,
    Query(params): Query<ShowParams>,
    headers: HeaderMap,
) -> Result<Response, PanelError> {
    let booking = state.store.get_booking(&staffer.actor, path_id(&id)?).await?;
    let mut page = BookingPage::load(&state, &staffer, &booking).await?;
    let came_from = CameFrom::read(&params.desde, &headers);
    let day = booking.when.map(|w| w.start().to_zoned(staffer.zone()).date());
    page.crumbs = came_from.crumbs(&page.client_name, &page.client_href, day);
    page.chrome.section = came_from.section();
    page.notice = match params.aviso.as_str() {
        "agendada" => Some("Reserva agendada."),
        "confirmada" => Some("Reserva confirmada."),
        "anulada" => Some("Reserva anulada: ya no aparece en el calendario."),
        "pagada" => Some("Pago registrado."),
        "asistencia" => Some("Asistencia registrada."),
        "sin-pago" => Some("Pago quitado: la reserva queda sin pagar."),
        "nota" => Some("Nota de atención guardada."),
        "nota-eliminada" => Some("Nota de atención eliminada."),
        _ => None,
    };
    page_with(StatusCode::OK, &page)
}

/// The booking page again, with a refused attention note kept in its box
/// and the reason next to it; nothing was saved.
pub async fn note_refused(
    state: &AppState,
    staffer: &Staffer,
    id: BookingId,
    typed: &str,
    message: String,
) -> Result<Response, PanelError> {
    let booking = state.store.get_booking(&staffer.actor, id).await?;
    let mut page = BookingPage::load(state, staffer, &booking).await?;
    page.note_draft = typed.to_owned();
    page.note_error = Some(message);
    page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// Reads "Marcar pagada": amount in pesos (`25000`, `25.000` or `$25.000`),
/// method, and the date it was paid.
fn read_payment(form: &FormData) -> Result<Payment, Box<PaymentForm>> {
    let mut typed = PaymentForm::typed(form);
    let digits: String = typed.amount.trim().trim_start_matches('$').replace('.', "");
    let amount = digits.parse::<i64>().ok().filter(|_| !digits.is_empty());
    if amount.is_none() {
        typed.amount_error = Some("Escribe el monto en pesos, por ejemplo 25000.".into());
    }
    let method = PaymentMethod::parse(&typed.method);
    if method.is_none() {
        typed.method_error = Some("Elige el medio de pago.".into());
    }
    let paid_on = ficha_domain::dates::parse_typed(&typed.date);
    typed.date_error = match paid_on {
        Ok(_) => None,
        Err(ficha_domain::FieldError::DateOutOfRange) => Some("La fecha del pago debe estar entre 1900 y 2100.".into()),
        Err(_) => Some("Escribe la fecha del pago como dd-mm-aaaa.".into()),
    };
    let paid_on = paid_on.ok();
    match (amount, method, paid_on) {
        (Some(amount), Some(method), Some(date)) => Ok(Payment::Paid { amount, method, date }),
        _ => Err(Box::new(typed)),
    }
}

/// `POST /reservas/{id}/{accion}`: one change of the booking.
pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    Submitted { staffer, form }: Submitted,
) -> Result<Response, PanelError> {
    let id = path_id(&id)?;
    let booking = state.store.get_booking(&staffer.actor, id).await?;
    let (change, done) = match action.as_str() {
        "confirmar" => (BookingChange::Confirm, "confirmada"),
        "anular" => (BookingChange::Cancel, "anulada"),
        "asistencia" => {
            let attendance = Attendance::parse(form.get("asistencia"))
                .ok_or(PanelError::BadRequest("El formulario de asistencia no se pudo leer."))?;
            (BookingChange::Attendance(attendance), "asistencia")
        }
        "pago" if form.ticked("quitar") => (BookingChange::Payment(Payment::Unpaid), "sin-pago"),
        "pago" => match read_payment(&form) {
            Ok(payment) => (BookingChange::Payment(payment), "pagada"),
            Err(typed) => {
                let mut page = BookingPage::load(&state, &staffer, &booking).await?;
                page.pay = *typed;
                return page_with(StatusCode::UNPROCESSABLE_ENTITY, &page.with_methods());
            }
        },
        _ => return Err(PanelError::NotFound),
    };
    match state.store.change_booking(&staffer.actor, id, change).await {
        Ok(changed) => Ok(Redirect::to(&format!("/reservas/{}?aviso={done}", changed.id)).into_response()),
        Err(StoreError::Refused(rule)) => {
            let mut page = BookingPage::load(&state, &staffer, &booking).await?;
            page.refused = Some(refusal(&rule));
            if action == "pago" {
                page.pay = PaymentForm::typed(&form);
                page = page.with_methods();
            }
            page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other.into()),
    }
}
