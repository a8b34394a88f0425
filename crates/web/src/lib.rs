//! Ficha over HTTP. `router` builds the whole application for in-process tests;
//! `App::build` binds a listener (port 0 works) and serves it.
//!
//! Layout: `panel/` holds the staff's web pages (templates in `templates/`,
//! stylesheet and script in `assets/`); `api/` the JSON API's handlers, one
//! file per resource;
//! `site/` the business's public booking site at `/reservar/{slug}`;
//! `problem` turns every error into `application/problem+json`; `input` is the
//! one door through which request bodies come in; `auth/` resolves who is
//! calling.

pub mod api;
pub mod auth;
pub(crate) mod data_file;
mod export;
mod feeds;
mod health;
pub mod i18n;
pub mod import;
pub mod input;
mod panel;
mod path_check;
pub mod problem;
mod site;
mod state;
mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue};
use ficha_domain::Clock;
use ficha_store::Store;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use site::slots::Calendars;
pub use state::{AppState, DEFAULT_WHATSAPP_GREETING, WebConfig};

/// Request bodies above this are refused with 413 before any parsing.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The whole application: API, health checks, and the layers every response
/// passes through.
pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", api::router(&state))
        .merge(panel::router(state.clone()))
        .merge(site::router())
        .merge(feeds::router())
        .merge(health::router())
        .merge(webhooks::router())
        .fallback(panel::not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), path_check::utf8_paths))
        .layer(axum::middleware::from_fn(problem::localize))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A bound, not yet running, server.
pub struct App {
    listener: TcpListener,
    router: Router,
}

impl App {
    pub async fn build(
        address: SocketAddr,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: WebConfig,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(address).await?;
        Ok(Self { listener, router: router(AppState::new(store, clock, config)) })
    }

    /// The address actually bound (the port, when 0 was asked for).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then lets requests in flight finish
    /// (for at most `grace`).
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
        grace: Duration,
    ) -> std::io::Result<()> {
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let server = axum::serve(self.listener, service).with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stopping_tx.send(());
        });
        let server = tokio::spawn(async move { server.await });
        let _ = stopping_rx.await;
        match tokio::time::timeout(grace, server).await {
            Ok(joined) => joined.map_err(std::io::Error::other)?,
            Err(_) => {
                tracing::warn!(?grace, "requests still running after the grace period; stopping anyway");
                Ok(())
            }
        }
    }
}
