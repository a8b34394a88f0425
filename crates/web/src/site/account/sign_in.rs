//! Signing in to Mi cuenta without a password: the client types their
//! email; if a profile has it, a one-time 6-digit code and link go to it
//! through the outbox (15 minutes, single use, dead after 5 wrong codes).
//! The answer is the same "Te enviamos un código" page either way, so the
//! form tells nobody whether an email is a client of the business. Asked
//! at most `Limit::SignInPerEmail` times per email and
//! `Limit::SignInPerAddress` per address.
//!
//! The link opens a page with a button rather than signing in on GET: mail
//! scanners that follow links would otherwise spend it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ficha_domain::{Email, NoticeKind};
use ficha_store::client_accounts::sign_in_code_hash;
use ficha_store::{AccountMessage, NewSignIn};
use jiff::SignedDuration;
use uuid::Uuid;

use super::super::limits::{self, ClientAddress, Limit};
use super::super::{Site, SiteError, assets, page_with};
use super::{base, business_site, open_session, signed_out};
use crate::AppState;
use crate::auth::{password, secret};
use crate::panel::form::FormData;

/// How long a code and its link work.
const SIGN_IN_MINUTES: i64 = 15;

/// What the sign-in page shows.
pub enum Stage {
    /// The email form (and the password one).
    Email,
    /// The code form for the sign-in `intento`, sent (or not) to `email`.
    Code { intento: String, email: String },
}

#[derive(Template)]
#[template(path = "site/cuenta_entrar.html")]
pub struct EntrarPage {
    css: String,
    business: String,
    home: String,
    base: String,
    stage: Stage,
    email: String,
    notice: Option<String>,
    error: Option<String>,
}

pub fn entrar_page(site: &Site, stage: Stage, notice: Option<String>, error: Option<String>) -> EntrarPage {
    let email = match &stage {
        Stage::Code { email, .. } => email.clone(),
        Stage::Email => String::new(),
    };
    EntrarPage {
        css: assets::css_link(),
        business: site.business.name.clone(),
        home: site.home(),
        base: base(site),
        stage,
        email,
        notice,
        error,
    }
}

/// A one-time page: a message, and maybe a button that posts.
#[derive(Template)]
#[template(path = "site/cuenta_aviso.html")]
pub struct AvisoPage {
    pub css: String,
    pub business: String,
    pub home: String,
    pub base: String,
    pub title: &'static str,
    pub message: String,
    pub action: Option<String>,
    pub button: &'static str,
}

/// Six random digits, uniformly (a draw that would bias the remainder is
/// drawn again).
pub(crate) fn six_digits() -> Result<String, SiteError> {
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).map_err(|_| SiteError::Internal)?;
        let n = u32::from_le_bytes(bytes);
        if n < u32::MAX - u32::MAX % 1_000_000 {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// Counts the request against both limits; the Spanish refusal otherwise.
pub(crate) async fn allowed(state: &AppState, address: &str, email_key: &str) -> Result<(), limits::Refused> {
    limits::allow(state, Limit::SignInPerAddress, address).await?;
    limits::allow(state, Limit::SignInPerEmail, email_key).await
}

fn too_many(site: &Site, refused: limits::Refused) -> Result<Response, SiteError> {
    let page = entrar_page(site, Stage::Email, None, Some(refused.spanish()));
    let mut response = page_with(StatusCode::TOO_MANY_REQUESTS, &page)?;
    response.headers_mut().insert(RETRY_AFTER, refused.retry_after_secs().into());
    Ok(response)
}

/// `POST …/mi-cuenta/entrar`: sends a code and a link to a client's email.
pub async fn request_code(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ClientAddress(address): ClientAddress,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    let site = business_site(&state, &slug).await?;
    let typed = form.get("correo").trim().to_owned();
    let Ok(email) = Email::parse(&typed) else {
        let page =
            entrar_page(&site, Stage::Email, None, Some("Escribe tu correo, por ejemplo nombre@correo.cl.".into()));
        return page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    if let Err(refused) = allowed(&state, &address, &email.key()).await {
        return too_many(&site, refused);
    }
    // A fresh id either way: the code form looks the same for every email.
    let id = Uuid::now_v7();
    if let Some(client) = state.store.client_by_email(&site.actor, &email.key()).await? {
        let code = six_digits()?;
        let token = secret::generate().map_err(|_| SiteError::Internal)?;
        let now = state.clock.now();
        let sign_in = NewSignIn {
            id,
            client: client.id,
            code_hash: sign_in_code_hash(id, &code),
            link_hash: secret::hash(&token),
            expires_at: now + SignedDuration::from_mins(SIGN_IN_MINUTES),
        };
        state.store.issue_sign_in(&site.actor, &sign_in, now).await?;
        let message = AccountMessage {
            kind: NoticeKind::SignInLink,
            key: format!("sign-in {id}"),
            client: Some(client.id),
            // To the address stored, not as typed.
            email: client.email.clone(),
            client_name: client.name.as_str().to_owned(),
            link: format!("{}/enlace/{token}", base(&site)),
            code: Some(code),
        };
        state.store.send_account_message(site.business.id, message).await?;
    }
    let stage = Stage::Code { intento: id.to_string(), email: typed };
    page_with(StatusCode::OK, &entrar_page(&site, stage, None, None))
}

const CODE_REFUSED: &str = "El código no es correcto o ya no sirve. Revísalo, o pide uno nuevo.";

/// `POST …/mi-cuenta/codigo`: the code typed, for the sign-in `intento`.
pub async fn enter_code(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    let site = business_site(&state, &slug).await?;
    let intento = form.get("intento").to_owned();
    let code: String = form.get("codigo").chars().filter(char::is_ascii_digit).collect();
    let redeemed = match intento.parse::<Uuid>() {
        Ok(id) if code.len() == 6 => {
            let now = state.clock.now();
            state.store.redeem_code(&site.actor, id, &sign_in_code_hash(id, &code), now).await?.ok()
        }
        _ => None,
    };
    match redeemed {
        Some(client) => open_session(&state, &site, client).await,
        None => {
            let stage = Stage::Code { intento, email: form.get("correo").to_owned() };
            page_with(StatusCode::UNPROCESSABLE_ENTITY, &entrar_page(&site, stage, None, Some(CODE_REFUSED.into())))
        }
    }
}

/// `GET …/mi-cuenta/enlace/{token}`: a button that signs in.
pub async fn link_page(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Response, SiteError> {
    let site = business_site(&state, &slug).await?;
    let page = AvisoPage {
        css: assets::css_link(),
        business: site.business.name.clone(),
        home: site.home(),
        base: base(&site),
        title: "Entrar a Mi cuenta",
        message: format!("Entra a tu cuenta en {}.", site.business.name),
        action: Some(format!("{}/enlace/{token}", base(&site))),
        button: "Entrar",
    };
    page_with(StatusCode::OK, &page)
}

/// `POST …/mi-cuenta/enlace/{token}`: spends the link.
pub async fn enter_link(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Response, SiteError> {
    let site = business_site(&state, &slug).await?;
    match state.store.redeem_link(&site.actor, &secret::hash(&token), state.clock.now()).await? {
        Ok(client) => open_session(&state, &site, client).await,
        Err(_) => {
            let error = "Este enlace ya se usó o venció. Pide uno nuevo con tu correo.".to_owned();
            page_with(StatusCode::GONE, &entrar_page(&site, Stage::Email, None, Some(error)))
        }
    }
}

/// `POST …/mi-cuenta/clave`: email and the password the client set. Wrong
/// email and wrong password read alike, and count against the same limits.
pub async fn enter_password(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ClientAddress(address): ClientAddress,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    let site = business_site(&state, &slug).await?;
    let key = form.get("correo").trim().to_lowercase();
    if let Err(refused) = allowed(&state, &address, &key).await {
        return too_many(&site, refused);
    }
    let client = state.store.client_by_email(&site.actor, &key).await?;
    let stored = match &client {
        Some(client) => state.store.client_password(&site.actor, client.id).await?,
        None => None,
    };
    // Verified even without a stored hash, so both take the same time.
    let good = password::verify_off_thread(form.get("contrasena").to_owned(), stored).await;
    match client {
        Some(client) if good => open_session(&state, &site, client.id).await,
        _ => {
            let error = "El correo o la contraseña no son correctos. Si no tienes contraseña, pide un código.";
            page_with(StatusCode::UNPROCESSABLE_ENTITY, &entrar_page(&site, Stage::Email, None, Some(error.into())))
        }
    }
}

/// `POST …/mi-cuenta/salir`: closes this device's session.
pub async fn sign_out(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    match super::submitted(&state, &slug, &headers, &form).await? {
        Ok(account) => {
            state.store.close_client_session(&account.site.actor, &account.token_hash).await?;
            signed_out(&state, &account.site, "salida")
        }
        Err(redirect) => Ok(redirect),
    }
}

/// `POST …/mi-cuenta/salir-todos`: closes every session of the client.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    match super::submitted(&state, &slug, &headers, &form).await? {
        Ok(account) => {
            state.store.close_client_sessions(&account.site.actor, account.client).await?;
            signed_out(&state, &account.site, "salida-todos")
        }
        Err(redirect) => Ok(redirect),
    }
}

/// The sign-in page for a visitor without a session.
pub fn visitor(site: &Site, aviso: &str) -> Result<Response, SiteError> {
    let notice = match aviso {
        "salida" => Some("Cerraste tu sesión.".to_owned()),
        "salida-todos" => Some("Cerraste tu sesión en todos los dispositivos.".to_owned()),
        _ => None,
    };
    page_with(StatusCode::OK, &entrar_page(site, Stage::Email, notice, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let code = six_digits().expect("random");
            assert_eq!(code.len(), 6);
            assert!(code.chars().all(|c| c.is_ascii_digit()));
        }
    }
}
