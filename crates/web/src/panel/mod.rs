//! The staff panel: server-rendered pages in Spanish (es-CL), one file per
//! page. Templates (askama, auto-escaping) live in `templates/panel/`; our
//! own stylesheet and script in `assets/`, compiled into the binary.
//!
//! Every page works without JavaScript; the script only adds results while
//! typing in the search box. Forms that change anything go through
//! `form::Submitted`, which checks the session's CSRF token.

pub(crate) mod access_words;
mod account;
mod agendar;
mod agendar_page;
mod agendar_pick;
mod agendar_week;
mod assets;
mod attention_notes;
mod block;
mod booking;
pub(crate) mod booking_words;
mod calendar;
mod calendar_feeds;
mod came_from;
mod client_form;
mod clients;
pub(crate) mod consent_words;
mod data_request;
mod data_requests;
mod delete;
mod duplicates;
mod error;
mod error_page;
mod export;
mod flash;
pub(crate) mod form;
pub(crate) mod format;
mod import;
mod import_review;
mod layout;
mod login;
mod merge;
mod note_forms;
pub(crate) mod notification_words;
mod notifications;
pub(crate) mod other_values;
mod profile;
mod profile_access;
mod profile_bookings;
mod profile_head;
pub(crate) mod profile_history;
mod profile_merges;
mod profile_notes;
mod profile_notifications;
pub(crate) mod request_words;
mod search;
pub(crate) mod session;
mod settings;

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY};
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::Redirect;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use session::NoHeader;

/// Only our own files run and style the pages; nothing is framed or sent
/// elsewhere.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/clientes") }))
        .route("/entrar", get(login::form).post(login::submit))
        .route("/salir", post(login::logout))
        .route("/salir/todos", post(account::sign_out_everywhere))
        .route("/cuenta", get(account::show))
        .route("/clientes", get(clients::list).post(clients::create))
        .route("/clientes/nuevo", get(clients::new_form))
        .route("/clientes/exportar", get(export::clients).layer(Extension(NoHeader)))
        .route(
            "/clientes/importar",
            get(import::upload_form)
                .post(import::upload)
                .layer(axum::extract::DefaultBodyLimit::max(crate::import::MAX_FILE_BYTES + 64 * 1024)),
        )
        .route("/clientes/importar/{id}", get(import::batch))
        .route("/clientes/importar/{id}/revision", get(import_review::review))
        .route("/clientes/importar/{id}/errores.csv", get(import_review::errors_csv).layer(Extension(NoHeader)))
        .route("/clientes/importar/{id}/importar", post(import::start))
        .route("/clientes/importar/{id}/deshacer", post(import::undo))
        .route("/clientes/duplicados", get(duplicates::list))
        .route("/clientes/duplicados/descartar", post(duplicates::dismiss))
        .route("/clientes/solicitudes", get(data_requests::list).post(data_requests::record))
        .route("/clientes/solicitudes/{id}", get(data_request::show))
        .route("/clientes/solicitudes/{id}/{accion}", post(data_request::act))
        .route("/clientes/{id}", get(profile::show).post(profile::save_general))
        .route("/clientes/{id}/otros-datos", post(profile::save_other))
        .route("/clientes/{id}/notas", post(note_forms::add))
        .route("/clientes/{id}/notas/{nota}", post(note_forms::edit))
        .route("/clientes/{id}/notas/{nota}/eliminar", post(note_forms::delete))
        .route("/clientes/{id}/notificaciones", post(profile_notifications::save_preferences))
        .route("/clientes/{id}/eliminar", get(delete::confirm).post(delete::erase))
        .route("/clientes/{id}/bloquear", post(block::block))
        .route("/clientes/{id}/desbloquear", post(block::unblock))
        .route("/clientes/{id}/vcard", get(export::vcard).layer(Extension(NoHeader)))
        .route("/clientes/{id}/archivo-de-datos", get(block::data_file).layer(Extension(NoHeader)))
        .route("/clientes/{id}/agendar", get(agendar::form).post(agendar::book))
        .route("/clientes/{id}/fusionar", get(merge::show).post(merge::merge))
        .route("/fusiones/{id}/deshacer", post(profile_merges::undo))
        .route("/calendario", get(calendar::show))
        .route("/calendario/suscripciones", get(calendar_feeds::show).post(calendar_feeds::create))
        .route("/calendario/suscripciones/{id}/revocar", post(calendar_feeds::revoke))
        .route("/agendar", get(agendar_pick::pick))
        .route("/reservas/{id}", get(booking::show))
        .route("/reservas/{id}/{accion}", post(booking::act))
        .route("/reservas/{id}/notas", post(attention_notes::add))
        .route("/reservas/{id}/notas/{nota}/eliminar", post(attention_notes::delete))
        .route("/notificaciones", get(notifications::list))
        .route("/notificaciones/{id}/reenviar", post(notifications::resend))
        .route("/buscar", get(search::results).layer(Extension(NoHeader)))
        .route("/configuracion", get(settings::show))
        .route("/configuracion/campos", post(settings::create_field))
        .route("/configuracion/campos/{id}", post(settings::update_field))
        .route("/configuracion/campos/{id}/mover", post(settings::move_field))
        .route("/configuracion/campos/{id}/archivo", post(settings::set_archived))
        .route("/configuracion/equipo", post(settings::create_staff))
        .route("/configuracion/servicios", get(settings::services::list).post(settings::services::create))
        .route("/configuracion/servicios/{id}", get(settings::services::edit).post(settings::services::update))
        .route("/configuracion/agendas", get(settings::agendas::first))
        .route("/configuracion/agendas/{id}", get(settings::agendas::show).post(settings::agendas::save))
        .route("/configuracion/notificaciones", get(settings::notifications::show).post(settings::notifications::save))
        .route("/configuracion/reservas", get(settings::booking_site::show).post(settings::booking_site::save))
        .route("/configuracion/privacidad", get(settings::privacy::show).post(settings::privacy::save))
        .route("/configuracion/solicitudes", get(settings::data_requests::show).post(settings::data_requests::save))
        .route("/configuracion/accesos", get(settings::access_log::show).post(settings::access_log::save))
        .route("/configuracion/calendario", get(settings::calendar_feeds::show).post(settings::calendar_feeds::save))
        .route("/configuracion/fusiones", get(settings::merges::show).post(settings::merges::save))
        .route("/assets/{name}", get(assets::serve))
        .layer(axum::middleware::from_fn_with_state(state, error_page::with_chrome))
        .layer(SetResponseHeaderLayer::overriding(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        // Client data is not kept in shared or browser caches; assets set
        // their own (long) caching first.
        .layer(SetResponseHeaderLayer::if_not_present(CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

/// Unknown paths: a problem document under `/api`, the panel's page elsewhere.
pub async fn not_found(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return crate::problem::ApiError::NotFound.into_response();
    }
    // Outside the panel's router, so its layers are not on the way: the
    // chrome for a signed-in staff member and the headers are added here.
    let response = error::PanelError::NotFound.into_response();
    let mut response = match response.extensions().get::<error::ErrorWords>().copied() {
        Some(words) => error_page::chromed(&state, &headers, words, response).await,
        None => response,
    };
    response.headers_mut().insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
