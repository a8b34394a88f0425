//! Panel pages as the panel serves them (the profile; the calendar's are
//! measured by `calendar.rs` through `render`): the whole router in-process
//! (`tower::ServiceExt::oneshot`), as a signed-in owner, each answer read to
//! its last byte — store calls, the session check and the template together.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ficha_domain::{Actor, ClientId, Role, SystemClock};
use ficha_store::Store;
use ficha_web::auth::{SESSION_COOKIE, secret};
use ficha_web::{AppState, WebConfig};
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use tower::ServiceExt;

use super::{percentile, print_row};

pub async fn measure(store: Arc<dyn Store>, actor: &Actor, client: ClientId, rounds: usize) -> anyhow::Result<()> {
    let pages = [
        ("page: próximas", format!("/clientes/{client}")),
        ("page: pasadas", format!("/clientes/{client}?reservas=pasadas")),
    ];
    let (times, bytes) = render(store, actor, &pages, rounds).await?;
    let bytes = bytes.last().copied().unwrap_or(0);
    println!("\nprofile page rendered in-process ({rounds} rounds each, last page {bytes} bytes)");
    println!("{:<18} {:>6} {:>9} {:>9} {:>9}", "page", "count", "p50 ms", "p95 ms", "p99 ms");
    for ((label, _), took) in pages.iter().zip(&times) {
        print_row(label, took);
    }
    let all: Vec<Duration> = times.concat();
    println!("profile page p99: {:.2} ms", percentile(&all, 0.99).as_secs_f64() * 1000.0);
    Ok(())
}

/// Each of `pages` (label, path) rendered `rounds` times after 20 rounds of
/// warming, signed in as the business's owner: the times of each page, and
/// the size in bytes of each page's last answer.
pub async fn render(
    store: Arc<dyn Store>,
    actor: &Actor,
    pages: &[(&str, String)],
    rounds: usize,
) -> anyhow::Result<(Vec<Vec<Duration>>, Vec<usize>)> {
    let owner = store
        .list_staff(actor)
        .await?
        .into_iter()
        .find(|s| s.role == Role::Owner)
        .ok_or_else(|| anyhow::anyhow!("the business has no owner to sign in as"))?;
    let session = secret::generate()?;
    store.create_session(&owner, &secret::hash(&session), Timestamp::now() + SignedDuration::from_hours(1)).await?;
    let router = ficha_web::router(AppState::new(store, Arc::new(SystemClock), WebConfig::default()));
    let cookie = format!("{SESSION_COOKIE}={session}");

    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); pages.len()];
    let mut bytes = vec![0; pages.len()];
    for round in 0..rounds + 20 {
        for (((_, path), took), size) in pages.iter().zip(times.iter_mut()).zip(bytes.iter_mut()) {
            let request = Request::get(path).header(header::COOKIE, &cookie).body(Body::empty())?;
            let started = Instant::now();
            let response = router.clone().oneshot(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            let elapsed = started.elapsed();
            anyhow::ensure!(status == StatusCode::OK, "{path} answered {status}");
            *size = body.len();
            if round >= 20 {
                took.push(elapsed);
            }
        }
    }
    Ok((times, bytes))
}
