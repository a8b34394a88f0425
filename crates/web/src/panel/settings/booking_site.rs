//! Reservas online, from Configuración (owners): the business's booking
//! rules — online booking on/off, minimum notice, how far ahead, whether an
//! online booking starts pending or confirmed, the deadlines for a client to
//! cancel, reschedule or confirm attendance, whether phone and RUT are
//! required and whether the birth date is asked — and which
//! services are bookable online. Every field's problem is shown at once and
//! nothing is saved while one remains.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::booking_rules::{MAX_HORIZON_DAYS, MAX_HOURS};
use ficha_domain::{BookingRules, BookingState};
use serde::Deserialize;

use crate::AppState;
use crate::panel::error::{PanelError, page_with};
use crate::panel::form::{FormData, OwnerSubmitted};
use crate::panel::layout::{Chrome, Section};
use crate::panel::session::Staffer;

pub struct NumberField {
    pub value: String,
    pub error: Option<String>,
}

pub struct ServiceBox {
    pub id: String,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "panel/settings_booking_site.html")]
struct BookingSitePage {
    chrome: Chrome,
    settings_tab: &'static str,
    site_href: String,
    online: bool,
    notice: NumberField,
    horizon: NumberField,
    confirmed: bool,
    cancel: NumberField,
    reschedule: NumberField,
    confirm: NumberField,
    require_phone: bool,
    require_rut: bool,
    ask_birth_date: bool,
    services: Vec<ServiceBox>,
    failed: bool,
    saved: bool,
}

fn number(value: u32) -> NumberField {
    NumberField { value: value.to_string(), error: None }
}

impl BookingSitePage {
    async fn new(state: &AppState, staffer: &Staffer, rules: &BookingRules) -> Result<Self, PanelError> {
        let actor = &staffer.actor;
        let online = state.store.online_services(actor).await?;
        let services = state
            .store
            .list_services(actor)
            .await?
            .into_iter()
            .map(|s| ServiceBox {
                id: s.id.to_string(),
                name: s.name.as_str().to_owned(),
                checked: online.contains(&s.id),
            })
            .collect();
        Ok(Self {
            chrome: Chrome::new(staffer, Section::Settings),
            settings_tab: "reservas",
            site_href: format!("/reservar/{}", staffer.business.slug.as_str()),
            online: rules.online,
            notice: number(rules.min_notice_hours),
            horizon: number(rules.horizon_days),
            confirmed: rules.start_state == BookingState::Confirmed,
            cancel: number(rules.cancel_until_hours),
            reschedule: number(rules.reschedule_until_hours),
            confirm: number(rules.confirm_until_hours),
            require_phone: rules.require_phone,
            require_rut: rules.require_rut,
            ask_birth_date: rules.ask_birth_date,
            services,
            failed: false,
            saved: false,
        })
    }
}

/// A whole number from `min` to `max`, or the Spanish reason.
fn read(form: &FormData, name: &str, min: u32, max: u32, slot: &mut NumberField) -> Option<u32> {
    slot.value = form.get(name).trim().to_owned();
    match slot.value.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            slot.error = Some(format!("Escribe un número entero entre {min} y {max}."));
            None
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    #[serde(default)]
    guardada: String,
}

pub async fn show(
    State(state): State<AppState>,
    staffer: Staffer,
    Query(notice): Query<Notice>,
) -> Result<Response, PanelError> {
    let rules = state.store.booking_rules(&staffer.actor).await?;
    let mut page = BookingSitePage::new(&state, &staffer, &rules).await?;
    page.saved = notice.guardada == "1";
    page_with(StatusCode::OK, &page)
}

pub async fn save(
    State(state): State<AppState>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let actor = &staffer.actor;
    let stored = state.store.booking_rules(actor).await?;
    let mut page = BookingSitePage::new(&state, &staffer, &stored).await?;
    page.online = form.ticked("en_linea");
    page.confirmed = form.get("estado_inicial") == "confirmed";
    page.require_phone = form.ticked("exige_telefono");
    page.require_rut = form.ticked("exige_rut");
    page.ask_birth_date = form.ticked("pide_nacimiento");
    let ticked = form.all("servicios");
    for service in &mut page.services {
        service.checked = ticked.contains(&service.id.as_str());
    }
    let notice = read(&form, "anticipacion", 0, MAX_HOURS, &mut page.notice);
    let horizon = read(&form, "horizonte", 1, MAX_HORIZON_DAYS, &mut page.horizon);
    let cancel = read(&form, "plazo_anular", 0, MAX_HOURS, &mut page.cancel);
    let reschedule = read(&form, "plazo_reagendar", 0, MAX_HOURS, &mut page.reschedule);
    let confirm = read(&form, "plazo_confirmar", 0, MAX_HOURS, &mut page.confirm);
    let (Some(notice), Some(horizon), Some(cancel), Some(reschedule), Some(confirm)) =
        (notice, horizon, cancel, reschedule, confirm)
    else {
        page.failed = true;
        return page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let rules = BookingRules {
        online: page.online,
        min_notice_hours: notice,
        horizon_days: horizon,
        start_state: if page.confirmed { BookingState::Confirmed } else { BookingState::Pending },
        cancel_until_hours: cancel,
        reschedule_until_hours: reschedule,
        confirm_until_hours: confirm,
        require_phone: page.require_phone,
        require_rut: page.require_rut,
        ask_birth_date: page.ask_birth_date,
    };
    state.store.set_booking_rules(actor, rules).await?;
    for service in &page.services {
        let id = service.id.parse().map_err(|_| PanelError::Internal)?;
        state.store.set_service_online(actor, id, service.checked).await?;
    }
    Ok(Redirect::to("/configuracion/reservas?guardada=1").into_response())
}
