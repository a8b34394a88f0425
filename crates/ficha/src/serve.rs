//! `ficha serve`: open the database, make sure there is a business to sign in
//! to, and serve until SIGTERM or Ctrl-C.

use std::sync::Arc;
use std::time::Duration;

use ficha_domain::SystemClock;
use ficha_web::{App, WebConfig};

use crate::cli::ServeArgs;
use crate::connect::connect;
use crate::first_run;
use crate::notify::notifier;

/// How long requests in flight may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

pub async fn run(database_url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let clock = Arc::new(SystemClock);
    let store = connect(database_url, clock.clone()).await?;
    let logins = first_run::ensure_business(&*store, database_url, args.demo).await?;

    let config = WebConfig {
        secure_cookies: args.secure_cookies,
        session_ttl: Duration::from_secs(args.session_hours.max(1) * 3600),
        whatsapp_greeting: args.whatsapp_greeting,
        whatsapp_app_secret: args.notify.whatsapp_app_secret.clone(),
        whatsapp_verify_token: args.notify.whatsapp_verify_token.clone(),
        trust_forwarded_for: args.trust_forwarded_for,
    };
    let app = App::build(args.listen, store.clone(), clock.clone(), config).await?;
    let address = app.local_addr()?;
    let base_url = format!("http://{address}");
    let notifier = notifier(&args.notify, database_url, &base_url, store.clone(), clock)?;
    if !logins.is_empty() {
        println!("{}", first_run::banner(&logins, &base_url));
    }
    println!("Correo: {} (lo enviado, en {base_url}/notificaciones)", notifier.email);
    let panel = first_run::panel_link(&*store, &base_url).await?;
    // Logged before the address line, so whoever waits for that line (an
    // operator's script, the tests) finds the log already written.
    tracing::info!(%address, "listening");
    println!(
        "Ficha escuchando en {base_url}  (panel: {panel}, API: {base_url}/api/v1, OpenAPI: {base_url}/api/v1/openapi.json)"
    );

    // The worker stops with the server; what it is sending is finished and
    // marked first.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(notifier.worker.run(wait_for_stop(stopped.clone())));
    // The access log's retention, applied in every instance (see prune.rs).
    let pruner = tokio::spawn(crate::prune::run(store.clone(), wait_for_stop(stopped)));
    let served = app
        .serve(
            async move {
                shutdown_signal().await;
                let _ = stop.send(true);
            },
            SHUTDOWN_GRACE,
        )
        .await;
    if tokio::time::timeout(SHUTDOWN_GRACE, worker).await.is_err() {
        tracing::warn!("the outbox worker did not stop in time");
    }
    if tokio::time::timeout(SHUTDOWN_GRACE, pruner).await.is_err() {
        tracing::warn!("the access log's pruning did not stop in time");
    }
    served?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// `ficha worker`: the outbox worker alone, until Ctrl-C or SIGTERM.
pub async fn worker(database_url: &str, args: crate::cli::NotifyArgs) -> anyhow::Result<()> {
    let clock = Arc::new(SystemClock);
    let store = connect(database_url, clock.clone()).await?;
    let public_url = crate::notify::DEFAULT_PUBLIC_URL;
    let notifier = notifier(&args, database_url, public_url, store.clone(), clock)?;
    // Listen for the signals now, not when the worker first looks (a
    // worker busy with a backlog looks only between batches).
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    println!("Enviando notificaciones. Correo: {}", notifier.email);
    notifier.worker.run(wait_for_stop(stopped)).await;
    store.close().await;
    Ok(())
}

/// Resolves once `stop` turns true (or its sender is gone).
async fn wait_for_stop(mut stop: tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
