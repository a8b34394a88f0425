//! `/reservar/{slug}/privacidad`: anyone files a request about their data
//! (Ley 21.719) after confirming their email with a one-time 6-digit code
//! sent through the outbox (`NoticeKind::PrivacyCode`): the code is stored
//! only as its SHA-256 bound to the request's id, lives 15 minutes and dies
//! after 5 wrong codes. Sending a code counts against the site's sign-in
//! limits, per address and per email. The confirmed request is matched to
//! a profile by email (or stays with the address); the page then says the
//! same whether or not one was found, so it reveals nothing about who is a
//! client. The requester gets the receipt with its due date by email.
//!
//! Open whether or not the business books online: the right does not
//! depend on it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;
use axum::response::Response;
use ficha_domain::{DataRight, Email, NoteText, NoticeKind};
use ficha_store::client_accounts::sign_in_code_hash;
use ficha_store::data_requests::CODE_MINUTES;
use ficha_store::{AccountMessage, PrivacyCode};
use jiff::SignedDuration;
use uuid::Uuid;

use super::account::business_site;
use super::account::requests::{RightChoice, rights};
use super::account::sign_in::{allowed, six_digits};
use super::limits::ClientAddress;
use super::{Site, SiteError, assets, page_with};
use crate::AppState;
use crate::panel::form::FormData;
use crate::panel::format::date;
use crate::panel::request_words::right_label;

pub enum Stage {
    /// The request form.
    Form,
    /// The code form for the request `intento`, sent to `email`.
    Code { intento: String },
    /// Filed: its due date.
    Filed { right: &'static str, due: String },
}

#[derive(Template)]
#[template(path = "site/privacidad.html")]
struct PrivacyPage {
    css: String,
    business: String,
    home: String,
    action: String,
    stage: Stage,
    rights: Vec<RightChoice>,
    chosen: String,
    email: String,
    detail: String,
    email_error: Option<&'static str>,
    right_error: Option<&'static str>,
    detail_error: Option<&'static str>,
    error: Option<String>,
}

fn page(site: &Site, stage: Stage) -> PrivacyPage {
    PrivacyPage {
        css: assets::css_link(),
        business: site.business.name.clone(),
        home: site.home(),
        action: format!("{}/privacidad", site.home()),
        stage,
        rights: rights(),
        chosen: String::new(),
        email: String::new(),
        detail: String::new(),
        email_error: None,
        right_error: None,
        detail_error: None,
        error: None,
    }
}

pub async fn show(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, SiteError> {
    let site = business_site(&state, &slug).await?;
    page_with(StatusCode::OK, &page(&site, Stage::Form))
}

/// `POST …/privacidad`: checks the form, then sends the code.
pub async fn request_code(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ClientAddress(address): ClientAddress,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    let site = business_site(&state, &slug).await?;
    let mut shown = page(&site, Stage::Form);
    shown.email = form.get("correo").trim().to_owned();
    shown.chosen = form.get("derecho").to_owned();
    shown.detail = form.get("detalle").trim().to_owned();
    let email = Email::parse(&shown.email).ok();
    let right = DataRight::parse(&shown.chosen);
    let detail = match shown.detail.as_str() {
        "" => Some(None),
        text => NoteText::parse(text).ok().map(Some),
    };
    shown.email_error = email.is_none().then_some("Escribe tu correo, por ejemplo nombre@correo.cl.");
    shown.right_error = right.is_none().then_some("Elige qué quieres pedir sobre tus datos.");
    shown.detail_error =
        detail.is_none().then_some("El detalle admite hasta 5.000 caracteres, sin caracteres especiales.");
    let (Some(email), Some(right), Some(detail)) = (email, right, detail) else {
        return page_with(StatusCode::UNPROCESSABLE_ENTITY, &shown);
    };
    if let Err(refused) = allowed(&state, &address, &email.key()).await {
        shown.error = Some(refused.spanish());
        let mut response = page_with(StatusCode::TOO_MANY_REQUESTS, &shown)?;
        response.headers_mut().insert(RETRY_AFTER, refused.retry_after_secs().into());
        return Ok(response);
    }
    let id = Uuid::now_v7();
    let code = six_digits()?;
    let waiting = PrivacyCode {
        id,
        email: email.clone(),
        right,
        detail,
        code_hash: sign_in_code_hash(id, &code),
        expires_at: state.clock.now() + SignedDuration::from_mins(CODE_MINUTES),
    };
    state.store.issue_privacy_code(&site.actor, &waiting).await?;
    let message = AccountMessage {
        kind: NoticeKind::PrivacyCode,
        key: format!("privacy {id}"),
        client: None,
        // The address typed: the code proves the requester reads it.
        email: email.clone(),
        client_name: String::new(),
        link: format!("{}/privacidad", site.home()),
        code: Some(code),
    };
    state.store.send_account_message(site.business.id, message).await?;
    let mut sent = page(&site, Stage::Code { intento: id.to_string() });
    sent.email = email.as_str().to_owned();
    page_with(StatusCode::OK, &sent)
}

const CODE_REFUSED: &str =
    "El código no es correcto o ya no sirve (vence a los 15 minutos y tras 5 intentos). Revísalo, o pide uno nuevo.";

/// `POST …/privacidad/codigo`: the code typed for `intento`.
pub async fn enter_code(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    let site = business_site(&state, &slug).await?;
    let intento = form.get("intento").to_owned();
    let code: String = form.get("codigo").chars().filter(char::is_ascii_digit).collect();
    let filed = match intento.parse::<Uuid>() {
        Ok(id) if code.len() == 6 => {
            state.store.confirm_privacy_code(&site.actor, id, &sign_in_code_hash(id, &code)).await?.ok()
        }
        _ => None,
    };
    match filed {
        Some(request) => {
            let stage = Stage::Filed { right: right_label(request.right), due: date(request.due_on) };
            page_with(StatusCode::OK, &page(&site, stage))
        }
        None => {
            let mut again = page(&site, Stage::Code { intento });
            again.email = form.get("correo").to_owned();
            again.error = Some(CODE_REFUSED.to_owned());
            page_with(StatusCode::UNPROCESSABLE_ENTITY, &again)
        }
    }
}
