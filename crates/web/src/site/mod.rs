//! The business's booking site, for its clients: `/reservar/{slug}`. Spanish,
//! made for a phone first, our own small stylesheet and no script: every step
//! is a link or a form that works without JavaScript.
//!
//! - `/reservar/{slug}`: services bookable online → professional (or
//!   "Cualquiera") → a week of free slots (`?servicio=&profesional=&semana=`).
//! - `/reservar/{slug}/datos`: the client's data for the chosen slot (GET the
//!   form, POST books through `BookingSiteStore::book_online`).
//! - `/reservar/{slug}/aviso-de-privacidad`: the privacy notice the form's
//!   required tick accepts (`notice`).
//! - `/reservar/{slug}/reserva/{token}`: the manage link — the booking, and
//!   Confirmar asistencia / Anular / Reagendar inside the business's
//!   deadlines.
//!
//! - `/reservar/{slug}/mi-cuenta`: the client's own area (`account/`).
//!
//! An unknown slug, a business with online booking off, and a wrong token all
//! answer the same Spanish 404 page. The site has no session and so no CSRF
//! token: a forged booking form books only what its sender typed, and the
//! manage forms need the link's secret in their URL.

mod account;
mod assets;
pub(crate) mod book;
pub mod limits;
mod manage;
pub(crate) mod notice;
pub(crate) mod pages;
mod privacy;
pub(crate) mod slots;

use askama::Template;
use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use ficha_domain::{Actor, BookingRules, Business};
use ficha_store::StoreError;
use jiff::tz::TimeZone;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reservar/{slug}", get(pages::start))
        .route("/reservar/{slug}/datos", get(book::form).post(book::submit))
        .route("/reservar/{slug}/aviso-de-privacidad", get(notice::show))
        .route("/reservar/{slug}/reserva/{token}", get(manage::show))
        .route("/reservar/{slug}/reserva/{token}/anular", axum::routing::post(manage::cancel))
        .route("/reservar/{slug}/reserva/{token}/confirmar", axum::routing::post(manage::confirm))
        .route("/reservar/{slug}/reserva/{token}/reagendar", get(manage::slots).post(manage::reschedule))
        .route("/reservar/{slug}/privacidad", get(privacy::show).post(privacy::request_code))
        .route("/reservar/{slug}/privacidad/codigo", axum::routing::post(privacy::enter_code))
        .route("/reservar-assets/{name}", get(assets::serve))
        .merge(account::routes())
        .layer(SetResponseHeaderLayer::overriding(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        // The manage link's token is in the path: never sent elsewhere.
        .layer(SetResponseHeaderLayer::overriding(REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::if_not_present(CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

/// The business whose site this is, open for online booking.
#[derive(Clone)]
pub struct Site {
    pub business: Business,
    pub actor: Actor,
    pub rules: BookingRules,
    pub zone: TimeZone,
}

impl Site {
    /// The site of `slug`; `NotFound` unless the business exists and books
    /// online.
    pub async fn open(state: &AppState, slug: &str) -> Result<Self, SiteError> {
        let business = state.store.business_by_slug(slug).await?.ok_or(SiteError::NotFound)?;
        let actor = Actor::System { business: business.id };
        let rules = state.store.booking_rules(&actor).await?;
        if !rules.online {
            return Err(SiteError::NotFound);
        }
        let zone = TimeZone::get(&business.time_zone).unwrap_or(TimeZone::UTC);
        Ok(Self { business, actor, rules, zone })
    }

    pub fn home(&self) -> String {
        format!("/reservar/{}", self.business.slug.as_str())
    }
}

#[derive(Debug)]
pub enum SiteError {
    NotFound,
    /// A Mi cuenta form without its session's token (forged, or from a
    /// session since closed): nothing changed.
    Forbidden,
    /// A change to the client's own blocked profile, from Mi cuenta:
    /// nothing changed. (The public pages never say a profile is blocked.)
    Blocked,
    Internal,
}

#[derive(Template)]
#[template(path = "site/not_found.html")]
struct NotFoundPage {
    css: String,
    title: &'static str,
    explanation: &'static str,
}

impl From<StoreError> for SiteError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::ClientBlocked => Self::Blocked,
            other => {
                tracing::error!(error = &other as &dyn std::error::Error, "storage failed");
                Self::Internal
            }
        }
    }
}

impl IntoResponse for SiteError {
    fn into_response(self) -> Response {
        let (status, title, explanation) = match self {
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "Página no encontrada",
                "Esta dirección no corresponde a una página de reservas disponible. Revisa el enlace que te dieron.",
            ),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                "No se pudo completar la acción",
                "La página estaba desactualizada y no se cambió nada. Vuelve a Mi cuenta e inténtalo de nuevo.",
            ),
            Self::Blocked => (
                StatusCode::CONFLICT,
                "Tu perfil está bloqueado",
                "Mientras tu perfil esté bloqueado tus datos no se modifican y no se agendan reservas nuevas. Para desbloquearlo, pídeselo al negocio. No se cambió nada.",
            ),
            Self::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Ocurrió un error",
                "No se pudo completar la acción. Inténtalo de nuevo en unos momentos.",
            ),
        };
        let page = NotFoundPage { css: assets::css_link(), title, explanation };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => status.into_response(),
        }
    }
}

/// A page, rendered, with its status.
pub fn page_with(status: StatusCode, page: &impl Template) -> Result<Response, SiteError> {
    let html = page.render().map_err(|error| {
        tracing::error!(%error, "site page did not render");
        SiteError::Internal
    })?;
    Ok((status, Html(html)).into_response())
}
