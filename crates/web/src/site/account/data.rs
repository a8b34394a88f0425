//! Mis datos: the general data staff see (their edits included) and the
//! custom fields marked visible to the client, editable with the panel's
//! parsers and Spanish words, every problem at once by its field. Written
//! as `Actor::Client` through `ClientStore::update_client` and
//! `CustomFieldStore::set_custom_values`, so each edit is in the profile's
//! Historial as the client's, and a stale form is refused like a stale
//! staff edit.
//!
//! A new email is not written: a link goes to the new address
//! (`NoticeKind::EmailChange`) and the email changes when it is opened. An
//! email another profile has is refused without saying whose.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{
    Actor, BirthDate, Client, ClientChanges, ClientName, CustomField, Email, FieldError, NoticeKind, Phone, Rut,
};
use ficha_store::{AccountMessage, FieldValue, StoreError};
use jiff::SignedDuration;

use super::super::book::Field;
use super::super::{SiteError, assets, page_with};
use super::sign_in::AvisoPage;
use super::{Account, base, business_site};
use crate::AppState;
use crate::auth::password::{MIN_PASSWORD_CHARS, hash_off_thread};
use crate::auth::secret;
use crate::i18n::Lang;
use crate::panel::form::FormData;
use crate::panel::format::query;
use crate::panel::other_values::{self, ValueInput};
use crate::problem::{FieldProblem, FieldProblemKind};

/// How long the link to confirm a new email works.
const EMAIL_CHANGE_HOURS: i64 = 24;

#[derive(Template)]
#[template(path = "site/cuenta_datos.html")]
struct DatosPage {
    css: String,
    business: String,
    home: String,
    base: String,
    csrf: String,
    version: i64,
    name: Field,
    email: Field,
    phone: Field,
    rut: Field,
    birth_date: Field,
    other: Vec<ValueInput>,
    refused: Option<String>,
    pending_email: Option<String>,
    has_password: bool,
    min_password: usize,
    password_error: Option<String>,
}

fn field(value: String) -> Field {
    Field { value, error: None }
}

/// The fields the client sees and edits.
async fn visible_fields(state: &AppState, account: &Account) -> Result<Vec<CustomField>, SiteError> {
    let fields = state.store.list_fields(&account.site.actor, false).await?;
    Ok(fields.into_iter().filter(|f| f.visible_to_client).collect())
}

/// The form showing what is stored now.
async fn stored_page(state: &AppState, account: &Account) -> Result<(DatosPage, Client, Vec<FieldValue>), SiteError> {
    let client = state.store.get_client(&account.actor, account.client).await?;
    let fields = visible_fields(state, account).await?;
    let values = state.store.custom_values(&account.site.actor, account.client).await?;
    let has_password = state.store.client_password(&account.site.actor, account.client).await?.is_some();
    let pending = state.store.pending_email_change(&account.site.actor, account.client, state.clock.now()).await?;
    let page = DatosPage {
        css: assets::css_link(),
        business: account.site.business.name.clone(),
        home: account.site.home(),
        base: account.base(),
        csrf: account.csrf.clone(),
        version: client.version,
        name: field(client.name.as_str().to_owned()),
        email: field(client.email.as_str().to_owned()),
        phone: field(client.phone.as_ref().map(|p| p.display()).unwrap_or_default()),
        rut: field(client.rut.map(|r| r.display()).unwrap_or_default()),
        birth_date: field(client.birth_date.map(|d| d.display()).unwrap_or_default()),
        other: other_values::stored_inputs(&fields, &values),
        refused: None,
        pending_email: pending.map(|email| {
            format!(
                "Tu nuevo correo {} espera confirmación: abre el enlace que te enviamos a esa dirección. Hasta \
                 entonces usamos el actual.",
                email.as_str()
            )
        }),
        has_password,
        min_password: MIN_PASSWORD_CHARS,
        password_error: None,
    };
    Ok((page, client, values))
}

pub async fn form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, SiteError> {
    let account = match super::required(&state, &slug, &headers).await? {
        Ok(account) => account,
        Err(redirect) => return Ok(redirect),
    };
    let (page, _, _) = stored_page(&state, &account).await?;
    page_with(StatusCode::OK, &page)
}

/// Reads one field into `slot`, recording its Spanish problem.
fn check<T>(slot: &mut Field, name: &'static str, result: Result<T, FieldError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            slot.error = Some(FieldProblem::new(name, FieldProblemKind::Invalid(error)).message(Lang::Es));
            None
        }
    }
}

fn optional<T>(text: &str, parse: impl FnOnce(&str) -> Result<T, FieldError>) -> Result<Option<T>, FieldError> {
    if text.trim().is_empty() { Ok(None) } else { parse(text).map(Some) }
}

const STALE: &str = "Tus datos cambiaron mientras editabas (el negocio los actualizó). Revisa los datos de ahora y \
                     vuelve a guardar.";

pub async fn submit(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    let account = match super::submitted(&state, &slug, &headers, &form).await? {
        Ok(account) => account,
        Err(redirect) => return Ok(redirect),
    };
    let (mut page, stored, stored_values) = stored_page(&state, &account).await?;
    let visible = visible_fields(&state, &account).await?;
    page.name.value = form.get("nombre").to_owned();
    page.email.value = form.get("correo").to_owned();
    page.phone.value = form.get("telefono").to_owned();
    page.rut.value = form.get("rut").to_owned();
    page.birth_date.value = form.get("nacimiento").to_owned();
    let today = state.clock.now().to_zoned(account.site.zone.clone()).date();
    let name = check(&mut page.name, "name", ClientName::parse(form.get("nombre")));
    let email = check(&mut page.email, "email", Email::parse(form.get("correo")));
    let phone = check(&mut page.phone, "phone", optional(form.get("telefono"), Phone::parse));
    let rut = check(&mut page.rut, "rut", optional(form.get("rut"), Rut::parse));
    let typed_birth = page.birth_date.value.clone();
    let birth_date = check(&mut page.birth_date, "birth_date", optional(&typed_birth, |t| BirthDate::parse(t, today)));
    let values = match other_values::read(&visible, &form) {
        Ok(values) => {
            page.other = other_values::typed_inputs(&visible, &form);
            Some(values)
        }
        Err(inputs) => {
            page.other = inputs;
            None
        }
    };
    let (Some(name), Some(email), Some(phone), Some(rut), Some(birth_date), Some(values)) =
        (name, email, phone, rut, birth_date, values)
    else {
        page.refused = Some("Revisa los datos marcados.".into());
        return page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    if form.get("version").parse::<i64>().ok() != Some(stored.version) {
        let (mut fresh, _, _) = stored_page(&state, &account).await?;
        fresh.refused = Some(STALE.into());
        return page_with(StatusCode::CONFLICT, &fresh);
    }
    // An email another profile has refuses the whole form, before anything
    // is written.
    let new_email = (email.key() != stored.email.key()).then_some(email);
    if let Some(new) = &new_email
        && state.store.client_by_email(&account.site.actor, &new.key()).await?.is_some()
    {
        page.email.error = Some(taken(&account));
        page.refused = Some("Revisa los datos marcados.".into());
        return page_with(StatusCode::CONFLICT, &page);
    }
    let changes = ClientChanges {
        name: (name != stored.name).then_some(name),
        email: None,
        phone: (phone != stored.phone).then_some(phone),
        rut: (rut != stored.rut).then_some(rut),
        birth_date: (birth_date != stored.birth_date).then_some(birth_date),
    };
    let mut version = stored.version;
    if !changes.is_empty() {
        match state.store.update_client(&account.actor, account.client, version, changes).await {
            Ok(updated) => version = updated.version,
            Err(StoreError::Stale { .. }) => {
                let (mut fresh, _, _) = stored_page(&state, &account).await?;
                fresh.refused = Some(STALE.into());
                return page_with(StatusCode::CONFLICT, &fresh);
            }
            Err(other) => return Err(other.into()),
        }
    }
    // Only the values that differ: an unchanged form writes nothing.
    let changed: Vec<_> = values
        .into_iter()
        .filter(|(key, value)| {
            let held = stored_values.iter().find(|v| v.field.key == *key).map(|v| &v.value);
            held != value.as_ref()
        })
        .collect();
    if !changed.is_empty() {
        match state.store.set_custom_values(&account.actor, account.client, version, changed).await {
            Ok(_) => {}
            Err(StoreError::Stale { .. } | StoreError::ValuesRefused(_)) => {
                let (mut fresh, _, _) = stored_page(&state, &account).await?;
                fresh.refused = Some(STALE.into());
                return page_with(StatusCode::CONFLICT, &fresh);
            }
            Err(other) => return Err(other.into()),
        }
    }
    let aviso = match new_email {
        Some(new) => match ask_email_change(&state, &account, &stored, new).await? {
            Ok(()) => "correo",
            Err(words) => {
                let (mut fresh, _, _) = stored_page(&state, &account).await?;
                fresh.email.value = form.get("correo").to_owned();
                fresh.email.error = Some(words);
                return page_with(StatusCode::CONFLICT, &fresh);
            }
        },
        None => "datos",
    };
    Ok(Redirect::to(&format!("{}{}#datos", account.base(), query(&[("aviso", aviso)]))).into_response())
}

fn taken(account: &Account) -> String {
    format!("Ese correo no se puede usar en tu cuenta. Si es tuyo, pide ayuda a {}.", account.site.business.name)
}

/// Stores the change and sends the link to the new address.
async fn ask_email_change(
    state: &AppState,
    account: &Account,
    client: &Client,
    new: Email,
) -> Result<Result<(), String>, SiteError> {
    let token = secret::generate().map_err(|_| SiteError::Internal)?;
    let now = state.clock.now();
    let until = now + SignedDuration::from_hours(EMAIL_CHANGE_HOURS);
    let asked = state
        .store
        .request_email_change(&account.site.actor, account.client, &new, &secret::hash(&token), now, until)
        .await;
    match asked {
        Ok(()) => {}
        Err(StoreError::EmailTaken { .. }) => return Ok(Err(taken(account))),
        Err(other) => return Err(other.into()),
    }
    let message = AccountMessage {
        kind: NoticeKind::EmailChange,
        key: format!("email-change {}", uuid::Uuid::now_v7()),
        client: Some(account.client),
        email: new,
        client_name: client.name.as_str().to_owned(),
        link: format!("{}/correo/{token}", account.base()),
        code: None,
    };
    state.store.send_account_message(account.site.business.id, message).await?;
    Ok(Ok(()))
}

fn aviso(account_site: &super::Site, title: &'static str, message: String, action: Option<String>) -> AvisoPage {
    AvisoPage {
        css: assets::css_link(),
        business: account_site.business.name.clone(),
        home: account_site.home(),
        base: base(account_site),
        title,
        message,
        action,
        button: "Confirmar mi nuevo correo",
    }
}

/// `GET …/mi-cuenta/correo/{token}`: a button that confirms (mail scanners
/// follow links; they do not press buttons).
pub async fn email_page(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Response, SiteError> {
    let site = business_site(&state, &slug).await?;
    let action = Some(format!("{}/correo/{token}", base(&site)));
    let page = aviso(&site, "Confirma tu nuevo correo", "Confirma que este es tu nuevo correo.".into(), action);
    page_with(StatusCode::OK, &page)
}

/// `POST …/mi-cuenta/correo/{token}`: the link proves the new address;
/// the email is written as the client's edit.
pub async fn confirm_email(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Response, SiteError> {
    let site = business_site(&state, &slug).await?;
    let pending = match state.store.take_email_change(&site.actor, &secret::hash(&token), state.clock.now()).await {
        Ok(pending) => pending,
        Err(StoreError::NotFound) => {
            let page = aviso(&site, "Enlace vencido", "Este enlace ya se usó o venció.".into(), None);
            return page_with(StatusCode::GONE, &page);
        }
        Err(other) => return Err(other.into()),
    };
    let actor = Actor::Client { business: site.business.id, client: pending.client };
    let client = state.store.get_client(&actor, pending.client).await?;
    let changes = ClientChanges { email: Some(pending.email.clone()), ..ClientChanges::default() };
    let (title, message, status) = match state.store.update_client(&actor, client.id, client.version, changes).await {
        Ok(_) => {
            ("Correo confirmado", format!("Tu correo quedó cambiado a {}.", pending.email.as_str()), StatusCode::OK)
        }
        Err(StoreError::EmailTaken { .. }) => (
            "No se pudo cambiar tu correo",
            "Ese correo ya no se puede usar en tu cuenta.".to_owned(),
            StatusCode::CONFLICT,
        ),
        Err(other) => return Err(other.into()),
    };
    page_with(status, &aviso(&site, title, message, None))
}

/// `POST …/mi-cuenta/contrasena`: sets (or changes) the client's password.
pub async fn set_password(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    let account = match super::submitted(&state, &slug, &headers, &form).await? {
        Ok(account) => account,
        Err(redirect) => return Ok(redirect),
    };
    let password = form.get("contrasena");
    let problem = if password.chars().count() < MIN_PASSWORD_CHARS {
        Some(format!("La contraseña debe tener al menos {MIN_PASSWORD_CHARS} caracteres."))
    } else if password != form.get("repetir") {
        Some("Las dos contraseñas no coinciden.".to_owned())
    } else {
        None
    };
    if let Some(problem) = problem {
        let (mut page, _, _) = stored_page(&state, &account).await?;
        page.password_error = Some(problem);
        return page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let hash = hash_off_thread(password.to_owned()).await.ok_or(SiteError::Internal)?;
    state.store.set_client_password(&account.site.actor, account.client, &hash, state.clock.now()).await?;
    Ok(Redirect::to(&format!("{}{}", account.base(), query(&[("aviso", "contrasena")]))).into_response())
}
