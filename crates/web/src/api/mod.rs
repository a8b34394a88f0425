//! The JSON API under `/api/v1`. Every route is declared once in `routes()`;
//! the router is built from that table and a test checks the OpenAPI document
//! against it, so the two cannot drift apart.

mod access_log;
pub(crate) mod attention_notes;
mod auth;
mod blocked;
pub mod bookings;
mod calendar_feeds;
pub mod clients;
pub mod custom_fields;
pub mod data_requests;
pub(crate) mod history;
pub(crate) mod imports;
mod merge_settings;
pub mod merges;
pub mod notes;
pub mod notifications;
mod openapi;
pub mod professionals;
pub mod public;
pub mod services;
mod tokens;

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::AppState;

/// One route of the API: method, path (relative to `/api/v1`, OpenAPI-style
/// `{param}` segments, which axum shares) and handler.
pub struct ApiRoute {
    pub method: Method,
    pub path: &'static str,
    handler: MethodRouter<AppState>,
}

impl ApiRoute {
    fn new<H, T>(method: Method, filter: MethodFilter, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        Self { method, path, handler: on(filter, handler) }
    }

    fn get<H: Handler<T, AppState>, T: 'static>(path: &'static str, handler: H) -> Self {
        Self::new(Method::GET, MethodFilter::GET, path, handler)
    }

    fn post<H: Handler<T, AppState>, T: 'static>(path: &'static str, handler: H) -> Self {
        Self::new(Method::POST, MethodFilter::POST, path, handler)
    }

    fn put<H: Handler<T, AppState>, T: 'static>(path: &'static str, handler: H) -> Self {
        Self::new(Method::PUT, MethodFilter::PUT, path, handler)
    }

    fn patch<H: Handler<T, AppState>, T: 'static>(path: &'static str, handler: H) -> Self {
        Self::new(Method::PATCH, MethodFilter::PATCH, path, handler)
    }

    fn delete<H: Handler<T, AppState>, T: 'static>(path: &'static str, handler: H) -> Self {
        Self::new(Method::DELETE, MethodFilter::DELETE, path, handler)
    }

    /// A body limit of its own, over the router's 64 KiB (an import's file).
    fn with_body_limit(mut self, max: usize) -> Self {
        self.handler = self.handler.layer(axum::extract::DefaultBodyLimit::max(max));
        self
    }
}

pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::get("/openapi.json", openapi::document),
        ApiRoute::post("/auth/login", auth::login),
        ApiRoute::post("/auth/logout", auth::logout),
        ApiRoute::get("/auth/me", auth::me),
        ApiRoute::get("/clients", clients::list),
        ApiRoute::post("/clients", clients::create),
        ApiRoute::get("/clients/export", clients::export::export),
        ApiRoute::post("/clients/import", imports::import).with_body_limit(imports::MAX_FILE_BYTES),
        ApiRoute::get("/imports/{id}", imports::read),
        ApiRoute::post("/imports/{id}/undo", imports::undo),
        // Literal segments: matchit prefers them to `/clients/{id}`.
        ApiRoute::get("/clients/duplicates", clients::duplicates::list),
        ApiRoute::post("/clients/duplicates/dismiss", clients::duplicates::dismiss),
        ApiRoute::get("/clients/{id}", clients::read),
        ApiRoute::patch("/clients/{id}", clients::update),
        ApiRoute::delete("/clients/{id}", clients::delete),
        ApiRoute::post("/clients/{id}/block", clients::block::block),
        ApiRoute::post("/clients/{id}/unblock", clients::block::unblock),
        ApiRoute::get("/clients/{id}/merge-preview", merges::preview),
        ApiRoute::post("/clients/{id}/merge", merges::merge),
        ApiRoute::get("/clients/{id}/merges", merges::of_client),
        ApiRoute::get("/clients/{id}/data-file", clients::data_file::read),
        ApiRoute::get("/clients/{id}/vcard", clients::vcard::read),
        ApiRoute::get("/clients/{id}/bookings", bookings::profile::bookings),
        ApiRoute::get("/clients/{id}/por-reservar", bookings::profile::por_reservar),
        ApiRoute::get("/clients/{id}/stats", bookings::profile::stats),
        ApiRoute::get("/clients/{id}/custom-values", custom_fields::values::read),
        ApiRoute::put("/clients/{id}/custom-values", custom_fields::values::write),
        ApiRoute::get("/clients/{id}/notes", notes::list),
        ApiRoute::post("/clients/{id}/notes", notes::create),
        ApiRoute::get("/clients/{id}/notes/{note_id}", notes::read),
        ApiRoute::patch("/clients/{id}/notes/{note_id}", notes::update),
        ApiRoute::delete("/clients/{id}/notes/{note_id}", notes::delete),
        ApiRoute::get("/clients/{id}/attention-notes", attention_notes::of_client),
        ApiRoute::get("/clients/{id}/history", history::client_history),
        ApiRoute::get("/clients/{id}/access-log", access_log::client_access_log),
        ApiRoute::get("/clients/{id}/notifications", notifications::of_client),
        ApiRoute::get("/clients/{id}/notification-preferences", notifications::preferences),
        ApiRoute::put("/clients/{id}/notification-preferences", notifications::set_preferences),
        ApiRoute::get("/deletions", history::deletions),
        ApiRoute::post("/merges/{id}/undo", merges::undo),
        ApiRoute::get("/custom-fields", custom_fields::list),
        ApiRoute::post("/custom-fields", custom_fields::create),
        ApiRoute::get("/custom-fields/{id}", custom_fields::read),
        ApiRoute::patch("/custom-fields/{id}", custom_fields::update),
        ApiRoute::delete("/custom-fields/{id}", custom_fields::remove),
        ApiRoute::get("/services", services::list),
        ApiRoute::post("/services", services::create),
        ApiRoute::get("/services/{id}", services::read),
        ApiRoute::patch("/services/{id}", services::update),
        ApiRoute::delete("/services/{id}", services::delete),
        ApiRoute::get("/professionals", professionals::list),
        ApiRoute::get("/professionals/{id}/agenda", professionals::read_agenda),
        ApiRoute::put("/professionals/{id}/agenda", professionals::write_agenda),
        ApiRoute::get("/professionals/{id}/availability", professionals::availability),
        ApiRoute::post("/bookings", bookings::create),
        ApiRoute::get("/bookings/{id}", bookings::read),
        ApiRoute::post("/bookings/{id}/confirm", bookings::confirm),
        ApiRoute::post("/bookings/{id}/cancel", bookings::cancel),
        ApiRoute::post("/bookings/{id}/reschedule", bookings::reschedule),
        ApiRoute::put("/bookings/{id}/attendance", bookings::attendance),
        ApiRoute::put("/bookings/{id}/payment", bookings::payment),
        ApiRoute::get("/bookings/{id}/notes", attention_notes::list),
        ApiRoute::post("/bookings/{id}/notes", attention_notes::create),
        ApiRoute::get("/bookings/{id}/notes/{note_id}", attention_notes::read),
        ApiRoute::patch("/bookings/{id}/notes/{note_id}", attention_notes::update),
        ApiRoute::delete("/bookings/{id}/notes/{note_id}", attention_notes::delete),
        ApiRoute::get("/calendar", bookings::calendar::calendar),
        ApiRoute::get("/calendar-feeds", calendar_feeds::list),
        ApiRoute::post("/calendar-feeds", calendar_feeds::create),
        ApiRoute::delete("/calendar-feeds/{id}", calendar_feeds::revoke),
        ApiRoute::get("/notifications", notifications::list),
        ApiRoute::get("/notifications/{id}", notifications::read),
        ApiRoute::post("/notifications/{id}/resend", notifications::resend),
        ApiRoute::get("/data-requests", data_requests::list),
        ApiRoute::post("/data-requests", data_requests::create),
        ApiRoute::get("/data-requests/{id}", data_requests::read),
        ApiRoute::patch("/data-requests/{id}", data_requests::update),
        ApiRoute::get("/settings/data-requests", data_requests::settings),
        ApiRoute::put("/settings/data-requests", data_requests::set_settings),
        ApiRoute::get("/settings/calendar-feeds", calendar_feeds::settings),
        ApiRoute::put("/settings/calendar-feeds", calendar_feeds::set_settings),
        ApiRoute::get("/settings/merges", merge_settings::settings),
        ApiRoute::put("/settings/merges", merge_settings::set_settings),
        ApiRoute::get("/settings/notifications", notifications::settings),
        ApiRoute::put("/settings/notifications", notifications::set_settings),
        ApiRoute::get("/tokens", tokens::list),
        ApiRoute::post("/tokens", tokens::create),
        ApiRoute::delete("/tokens/{id}", tokens::revoke),
        // The business's booking site as JSON: no session, CORS open (`public::cors`).
        ApiRoute::get("/public/{slug}/services", public::services::list),
        ApiRoute::get("/public/{slug}/privacy-notice", public::privacy_notice::read),
        ApiRoute::get("/public/{slug}/availability", public::availability::free),
        ApiRoute::post("/public/{slug}/bookings", public::bookings::create),
        ApiRoute::get("/public/{slug}/bookings/manage/{token}", public::manage::read),
        ApiRoute::post("/public/{slug}/bookings/manage/{token}/confirm", public::manage::confirm),
        ApiRoute::post("/public/{slug}/bookings/manage/{token}/cancel", public::manage::cancel),
        ApiRoute::post("/public/{slug}/bookings/manage/{token}/reschedule", public::manage::reschedule),
    ]
}

pub fn router(state: &AppState) -> Router<AppState> {
    routes()
        .into_iter()
        .fold(Router::new(), |router, route| {
            let handler = if route.path.starts_with("/clients/{id}/") {
                route
                    .handler
                    .route_layer(axum::middleware::from_fn_with_state(state.clone(), blocked::hide_from_professionals))
            } else {
                route.handler
            };
            router.route(route.path, handler)
        })
        .method_not_allowed_fallback(crate::problem::method_not_allowed)
        // Outside the routes' method dispatch, so it answers preflights too.
        .layer(axum::middleware::from_fn(public::cors::layer))
}

/// The OpenAPI document served at `/api/v1/openapi.json`.
pub fn openapi_document() -> &'static str {
    openapi::DOCUMENT
}
