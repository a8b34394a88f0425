//! `/reservar/{slug}/datos`: the client's data for the chosen slot. The
//! fields are checked by the panel's rules (the same parsers and Spanish
//! words), every problem shown at once by its field, nothing booked while one
//! remains. The client ticks that they read the privacy notice (its
//! version rides in a hidden field, so a notice changed meanwhile is
//! refused, not silently accepted) and, while the business sends WhatsApp
//! messages, may tick WhatsApp (unticked by default). A filled honeypot field books nothing; so does a request over
//! the site's limits per address and per email (`limits`). The booking is one store
//! transaction (`book_online`); a slot taken meanwhile is said in Spanish
//! with the way back to the slots.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{
    Acceptance, BirthDate, ClientName, CustomField, Email, FieldError, Phone, Rut, Service, SiteRule, StaffId,
};
use ficha_store::{Link, OnlineBooking, StoreError, Typed};
use jiff::Timestamp;
use serde::Deserialize;

use super::limits::{self, ClientAddress, Limit};
use super::pages::{bookable, chosen_professionals, find_service, service_facts};
use super::{Site, SiteError, assets, page_with};
use crate::AppState;
use crate::auth::secret;
use crate::i18n::Lang;
use crate::panel::booking_words::money;
use crate::panel::form::FormData;
use crate::panel::format::{date, query, time, weekday};
use crate::panel::other_values::{self, ValueInput};
use crate::problem::{FieldProblem, FieldProblemKind};

/// The honeypot: hidden from people by the stylesheet, filled by bots.
const HONEYPOT: &str = "sitio_web";

#[derive(Debug, Default, Deserialize)]
pub struct Chosen {
    #[serde(default)]
    servicio: String,
    #[serde(default)]
    profesional: String,
    #[serde(default)]
    inicio: String,
}

pub struct Field {
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "site/datos.html")]
struct DatosPage {
    css: String,
    business: String,
    home: String,
    action: String,
    back: String,
    service: String,
    service_facts: String,
    price: String,
    professional: String,
    when: String,
    servicio: String,
    profesional: String,
    inicio: String,
    name: Field,
    email: Field,
    phone: Field,
    rut: Field,
    birth_date: Field,
    phone_required: bool,
    rut_required: bool,
    ask_birth_date: bool,
    /// The custom fields asked in the booking form.
    other: Vec<ValueInput>,
    /// The privacy notice's page and the version the form accepts.
    notice_url: String,
    notice_version: u32,
    notice_accepted: bool,
    notice_error: Option<String>,
    /// The WhatsApp tick, shown only while the business sends WhatsApp.
    whatsapp_offered: bool,
    whatsapp_opt_in: bool,
    refused: Option<String>,
}

/// What the form asks the client to consent to: the current notice's
/// version, and whether WhatsApp is offered.
struct Offer {
    notice_version: u32,
    whatsapp: bool,
}

async fn offer(state: &AppState, site: &Site) -> Result<Offer, SiteError> {
    let notice = state.store.privacy_notice(&site.actor).await?;
    let whatsapp = state.store.notification_settings(&site.actor).await?.whatsapp.enabled;
    Ok(Offer { notice_version: notice.version, whatsapp })
}

/// The chosen service, professional(s) and start, if they make sense.
struct Picked {
    service: Service,
    professional: Option<StaffId>,
    professional_label: String,
    start: Timestamp,
}

async fn picked(state: &AppState, site: &Site, chosen: &Chosen) -> Result<Picked, SiteError> {
    let services = bookable(state, site).await?;
    let service = find_service(&services, &chosen.servicio).ok_or(SiteError::NotFound)?;
    let pros = chosen_professionals(&service, &chosen.profesional).ok_or(SiteError::NotFound)?;
    let start: Timestamp = chosen.inicio.parse().map_err(|_| SiteError::NotFound)?;
    let (professional, professional_label) = if chosen.profesional == "cualquiera" {
        (None, "Cualquiera (el primero disponible)".to_owned())
    } else {
        let staff = state.store.list_staff(&site.actor).await?;
        let pro = pros.first().copied();
        let name = staff.iter().find(|s| Some(s.id) == pro).map(|s| s.name.as_str().to_owned()).unwrap_or_default();
        (pro, name)
    };
    Ok(Picked { service, professional, professional_label, start })
}

fn empty() -> Field {
    Field { value: String::new(), error: None }
}

/// The business's fields asked in the booking form, in their order.
async fn asked_fields(state: &AppState, site: &Site) -> Result<Vec<CustomField>, SiteError> {
    let fields = state.store.list_fields(&site.actor, false).await?;
    Ok(fields.into_iter().filter(|f| f.in_booking_form).collect())
}

impl DatosPage {
    fn new(site: &Site, chosen: &Chosen, picked: &Picked, asked: &[CustomField], offer: &Offer) -> Self {
        let home = site.home();
        let local = picked.start.to_zoned(site.zone.clone());
        let back = format!(
            "{home}{}#horarios",
            query(&[("servicio", &chosen.servicio), ("profesional", &chosen.profesional)])
        );
        Self {
            css: assets::css_link(),
            business: site.business.name.clone(),
            action: format!("{home}/datos"),
            home,
            back,
            service: picked.service.name.as_str().to_owned(),
            service_facts: service_facts(&picked.service),
            price: money(picked.service.price.get()),
            professional: picked.professional_label.clone(),
            when: format!(
                "{} {} a las {}",
                weekday(local.weekday()),
                date(local.date()),
                time(picked.start, &site.zone)
            ),
            servicio: chosen.servicio.clone(),
            profesional: chosen.profesional.clone(),
            inicio: chosen.inicio.clone(),
            name: empty(),
            email: empty(),
            phone: empty(),
            rut: empty(),
            birth_date: empty(),
            phone_required: site.rules.require_phone,
            rut_required: site.rules.require_rut,
            ask_birth_date: site.rules.ask_birth_date,
            other: other_values::stored_inputs(asked, &[]),
            notice_url: super::notice::path(site),
            notice_version: offer.notice_version,
            notice_accepted: false,
            notice_error: None,
            whatsapp_offered: offer.whatsapp,
            whatsapp_opt_in: false,
            refused: None,
        }
    }
}

pub async fn form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(chosen): Query<Chosen>,
) -> Result<Response, SiteError> {
    let site = Site::open(&state, &slug).await?;
    let picked = picked(&state, &site, &chosen).await?;
    let asked = asked_fields(&state, &site).await?;
    let offer = offer(&state, &site).await?;
    page_with(StatusCode::OK, &DatosPage::new(&site, &chosen, &picked, &asked, &offer))
}

/// Reads one field into `slot`, recording its Spanish problem.
fn check<T>(slot: &mut Field, field: &'static str, result: Result<T, FieldError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            slot.error = Some(FieldProblem::new(field, FieldProblemKind::Invalid(error)).message(Lang::Es));
            None
        }
    }
}

/// Blank is none, unless the business requires it.
pub(crate) fn optional<T>(
    text: &str,
    required: bool,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Result<Option<T>, FieldError> {
    match (text.trim().is_empty(), required) {
        (true, true) => Err(FieldError::Required),
        (true, false) => Ok(None),
        (false, _) => parse(text).map(Some),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ClientAddress(address): ClientAddress,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    let site = Site::open(&state, &slug).await?;
    let chosen = Chosen {
        servicio: form.get("servicio").to_owned(),
        profesional: form.get("profesional").to_owned(),
        inicio: form.get("inicio").to_owned(),
    };
    let picked = picked(&state, &site, &chosen).await?;
    let asked = asked_fields(&state, &site).await?;
    let offer = offer(&state, &site).await?;
    let mut page = DatosPage::new(&site, &chosen, &picked, &asked, &offer);
    page.name.value = form.get("nombre").to_owned();
    page.email.value = form.get("correo").to_owned();
    page.phone.value = form.get("telefono").to_owned();
    page.rut.value = form.get("rut").to_owned();
    page.birth_date.value = form.get("nacimiento").to_owned();
    let name = check(&mut page.name, "name", ClientName::parse(form.get("nombre")));
    let email = check(&mut page.email, "email", Email::parse(form.get("correo")));
    let phone = check(&mut page.phone, "phone", optional(form.get("telefono"), site.rules.require_phone, Phone::parse));
    let rut = check(&mut page.rut, "rut", optional(form.get("rut"), site.rules.require_rut, Rut::parse));
    // Read only where the form asks it: a stray value is ignored.
    let today = state.clock.now().to_zoned(site.zone.clone()).date();
    let birth_date = if site.rules.ask_birth_date {
        let typed = page.birth_date.value.clone();
        check(&mut page.birth_date, "birth_date", optional(&typed, false, |t| BirthDate::parse(t, today)))
    } else {
        Some(None)
    };
    let values = match other_values::read(&asked, &form) {
        Ok(values) => Some(values.into_iter().filter_map(|(key, value)| value.map(|v| (key, v))).collect()),
        Err(inputs) => {
            page.other = inputs;
            None
        }
    };
    if values.is_some() {
        page.other = other_values::typed_inputs(&asked, &form);
    }
    page.notice_accepted = form.ticked("acepta_aviso");
    page.whatsapp_opt_in = offer.whatsapp && form.ticked("acepta_whatsapp");
    // The version the page showed; a missing or garbled one reads as 0,
    // which the store refuses as not the current notice.
    let consent = Acceptance {
        notice_version: form.get("aviso_version").parse().unwrap_or(0),
        whatsapp_opt_in: page.whatsapp_opt_in,
    };
    let accepted = if page.notice_accepted {
        Some(consent)
    } else {
        page.notice_error = Some(FieldProblem::new("aviso", FieldProblemKind::NoticeNotAccepted).message(Lang::Es));
        None
    };
    let (Some(name), Some(email), Some(phone), Some(rut), Some(birth_date), Some(values), Some(consent)) =
        (name, email, phone, rut, birth_date, values, accepted)
    else {
        page.refused = Some("Revisa los datos marcados.".into());
        return page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    if !form.get(HONEYPOT).is_empty() {
        page.refused = Some("No se pudo completar la reserva.".into());
        return page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    // Counted per address and per email, the form being valid: a typo
    // costs the client nothing.
    let limited = match limits::allow(&state, Limit::BookingPerAddress, &address).await {
        Ok(()) => limits::allow(&state, Limit::BookingPerEmail, &email.key()).await,
        refused => refused,
    };
    if let Err(refused) = limited {
        page.refused = Some(refused.spanish());
        let mut response = page_with(StatusCode::TOO_MANY_REQUESTS, &page)?;
        response.headers_mut().insert(RETRY_AFTER, refused.retry_after_secs().into());
        return Ok(response);
    }
    let token = secret::generate().map_err(|_| SiteError::Internal)?;
    let path = format!("{}/reserva/{token}", site.home());
    let request = OnlineBooking {
        service: picked.service.id,
        professional: picked.professional,
        start: picked.start,
        client: Typed { name, email, phone, rut, birth_date, values },
        link: Link { token_hash: secret::hash(&token), path: path.clone() },
        consent,
    };
    match state.store.book_online(&site.actor, request).await {
        Ok(_) => Ok(Redirect::to(&format!("{path}{}", query(&[("nueva", "1")]))).into_response()),
        Err(StoreError::SiteRefused(SiteRule::NoticeOutdated)) => {
            // The page now carries the current version: read, tick, send.
            page.notice_accepted = false;
            page.notice_error = Some(SiteRule::NoticeOutdated.spanish().to_owned());
            page.refused = Some(SiteRule::NoticeOutdated.spanish().to_owned());
            page_with(StatusCode::CONFLICT, &page)
        }
        Err(StoreError::SiteRefused(rule)) => {
            page.refused = Some(rule.spanish().to_owned());
            page_with(StatusCode::CONFLICT, &page)
        }
        Err(StoreError::ValuesRefused(_)) => {
            // A field changed while the form was open: ask again.
            page.other = other_values::stored_inputs(&asked_fields(&state, &site).await?, &[]);
            page.refused =
                Some("El formulario cambió mientras lo llenabas. Revisa los datos y envíalo de nuevo.".into());
            page_with(StatusCode::CONFLICT, &page)
        }
        Err(StoreError::Refused(_)) => {
            page.refused = Some(ficha_domain::SiteRule::SlotTaken.spanish().to_owned());
            page_with(StatusCode::CONFLICT, &page)
        }
        Err(other) => Err(other.into()),
    }
}
