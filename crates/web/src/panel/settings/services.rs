//! Servicios, from Configuración (owners only): the list, a new service, and
//! editing one — name, duration, price in pesos, sessions (more than one
//! makes a pack) and who performs it.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{
    Clp, FieldError, Minutes, NewService, Service, ServiceChanges, ServiceId, ServiceName, Sessions, Staff, StaffId,
};
use ficha_store::StoreError;
use serde::Deserialize;

use crate::AppState;
use crate::i18n::Lang;
use crate::panel::booking_words::money;
use crate::panel::error::{PanelError, page_with};
use crate::panel::form::{FormData, OwnerSubmitted};
use crate::panel::layout::{Chrome, Section};
use crate::panel::session::Staffer;
use crate::problem::{FieldProblem, FieldProblemKind};

pub struct ServiceRow {
    pub href: String,
    pub name: String,
    pub duration: i64,
    pub price: String,
    pub sessions: i64,
    pub professionals: String,
}

#[derive(Clone)]
pub struct Pick {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// The service form as shown or typed, with each field's problem.
#[derive(Clone, Default)]
pub struct ServiceForm {
    pub name: String,
    pub duration: String,
    pub price: String,
    pub sessions: String,
    pub professionals: Vec<Pick>,
    pub errors: Vec<(&'static str, String)>,
}

impl ServiceForm {
    fn blank(staff: &[Staff]) -> Self {
        Self {
            duration: "60".into(),
            sessions: "1".into(),
            professionals: picks(staff, &BTreeSet::new()),
            ..Self::default()
        }
    }

    fn of(service: &Service, staff: &[Staff]) -> Self {
        Self {
            name: service.name.as_str().to_owned(),
            duration: service.duration.get().to_string(),
            price: service.price.get().to_string(),
            sessions: service.sessions.get().to_string(),
            professionals: picks(staff, &service.professionals),
            errors: Vec::new(),
        }
    }

    /// The problem of `field`, shown next to it.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, e)| e.as_str())
    }
}

fn picks(staff: &[Staff], chosen: &BTreeSet<StaffId>) -> Vec<Pick> {
    staff
        .iter()
        .map(|s| Pick { value: s.id.to_string(), label: s.name.as_str().to_owned(), checked: chosen.contains(&s.id) })
        .collect()
}

/// Whole pesos or minutes: `25000`, `25.000`, `$25.000`.
fn whole_number(text: &str) -> Result<i64, FieldError> {
    let digits: String = text.trim().trim_start_matches('$').replace('.', "");
    if digits.is_empty() {
        return Err(FieldError::Required);
    }
    digits.parse().map_err(|_| FieldError::NotANumber)
}

/// Reads every field; `Err` with the form as typed and its problems.
fn read(form: &FormData, staff: &[Staff]) -> Result<NewService, Box<ServiceForm>> {
    let chosen: BTreeSet<StaffId> = form.all("profesionales").iter().filter_map(|v| v.parse().ok()).collect();
    let mut typed = ServiceForm {
        name: form.get("nombre").to_owned(),
        duration: form.get("duracion").to_owned(),
        price: form.get("precio").to_owned(),
        sessions: form.get("sesiones").to_owned(),
        professionals: picks(staff, &chosen),
        errors: Vec::new(),
    };
    let mut problem = |input: &'static str, field: &str, error: FieldError| {
        typed.errors.push((input, FieldProblem::new(field, FieldProblemKind::Invalid(error)).message(Lang::Es)));
    };
    let name = ServiceName::parse(form.get("nombre")).map_err(|e| problem("nombre", "name", e)).ok();
    let duration = whole_number(form.get("duracion"))
        .and_then(Minutes::new)
        .map_err(|e| problem("duracion", "duration_minutes", e))
        .ok();
    let price = whole_number(form.get("precio")).and_then(Clp::new).map_err(|e| problem("precio", "price_clp", e)).ok();
    let sessions =
        whole_number(form.get("sesiones")).and_then(Sessions::new).map_err(|e| problem("sesiones", "sessions", e)).ok();
    match (name, duration, price, sessions) {
        (Some(name), Some(duration), Some(price), Some(sessions)) if typed.errors.is_empty() => {
            Ok(NewService { name, duration, price, sessions, professionals: chosen })
        }
        _ => Err(Box::new(typed)),
    }
}

#[derive(Template)]
#[template(path = "panel/settings_services.html")]
struct ServicesPage {
    chrome: Chrome,
    services: Vec<ServiceRow>,
    new_service: ServiceForm,
    notice: Option<&'static str>,
    settings_tab: &'static str,
}

#[derive(Template)]
#[template(path = "panel/settings_service.html")]
struct ServicePage {
    chrome: Chrome,
    action: String,
    name: String,
    form: ServiceForm,
    refused: Option<String>,
}

async fn list_page(state: &AppState, staffer: &Staffer) -> Result<ServicesPage, PanelError> {
    let services = state.store.list_services(&staffer.actor).await?;
    let staff = state.store.list_staff(&staffer.actor).await?;
    let rows = services
        .iter()
        .map(|s| ServiceRow {
            href: format!("/configuracion/servicios/{}", s.id),
            name: s.name.as_str().to_owned(),
            duration: s.duration.get(),
            price: money(s.price.get()),
            sessions: s.sessions.get(),
            professionals: staff
                .iter()
                .filter(|p| s.performed_by(p.id))
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    Ok(ServicesPage {
        chrome: Chrome::new(staffer, Section::Settings),
        services: rows,
        new_service: ServiceForm::blank(&staff),
        notice: None,
        settings_tab: "servicios",
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    #[serde(default)]
    aviso: String,
}

pub async fn list(
    State(state): State<AppState>,
    staffer: Staffer,
    Query(notice): Query<Notice>,
) -> Result<Response, PanelError> {
    let mut page = list_page(&state, &staffer).await?;
    page.notice = match notice.aviso.as_str() {
        "creado" => Some("Servicio creado."),
        "guardado" => Some("Servicio guardado."),
        _ => None,
    };
    page_with(StatusCode::OK, &page)
}

pub async fn create(
    State(state): State<AppState>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let staff = state.store.list_staff(&staffer.actor).await?;
    match read(&form, &staff) {
        Ok(new) => {
            state.store.create_service(&staffer.actor, new).await?;
            Ok(Redirect::to("/configuracion/servicios?aviso=creado").into_response())
        }
        Err(typed) => {
            let mut page = list_page(&state, &staffer).await?;
            page.new_service = *typed;
            page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

fn service_id(text: &str) -> Result<ServiceId, PanelError> {
    text.parse().map_err(|_| PanelError::NotFound)
}

pub async fn edit(
    State(state): State<AppState>,
    staffer: Staffer,
    Path(id): Path<String>,
) -> Result<Response, PanelError> {
    let service = state.store.get_service(&staffer.actor, service_id(&id)?).await?;
    let staff = state.store.list_staff(&staffer.actor).await?;
    page_with(
        StatusCode::OK,
        &ServicePage {
            chrome: Chrome::new(&staffer, Section::Settings),
            action: format!("/configuracion/servicios/{}", service.id),
            name: service.name.as_str().to_owned(),
            form: ServiceForm::of(&service, &staff),
            refused: None,
        },
    )
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let service = state.store.get_service(&staffer.actor, service_id(&id)?).await?;
    let staff = state.store.list_staff(&staffer.actor).await?;
    let mut page = ServicePage {
        chrome: Chrome::new(&staffer, Section::Settings),
        action: format!("/configuracion/servicios/{}", service.id),
        name: service.name.as_str().to_owned(),
        form: ServiceForm::default(),
        refused: None,
    };
    match read(&form, &staff) {
        Ok(new) => {
            let changes = ServiceChanges {
                name: Some(new.name),
                duration: Some(new.duration),
                price: Some(new.price),
                sessions: Some(new.sessions),
                professionals: Some(new.professionals),
            };
            match state.store.update_service(&staffer.actor, service.id, changes).await {
                Ok(_) => Ok(Redirect::to("/configuracion/servicios?aviso=guardado").into_response()),
                Err(StoreError::Refused(rule)) => {
                    page.refused = Some(crate::panel::booking_words::refusal(&rule));
                    page.form = ServiceForm::of(&service, &staff);
                    page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
                }
                Err(other) => Err(other.into()),
            }
        }
        Err(typed) => {
            page.form = *typed;
            page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
