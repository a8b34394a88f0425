//! Panel pages as the panel serves them (the profile; the calendar's are
//! measured by `calendar.rs` through `render`): the whole router in-process
//! (`tower::ServiceExt::oneshot`), as a signed-in owner, each answer read to
//! its last byte — store calls, the session check and the template together.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ficha_domain::{AccessKind, Actor, ClientId, Role, SystemClock};
use ficha_store::Store;
use ficha_web::auth::{SESSION_COOKIE, secret};
use ficha_web::{AppState, WebConfig};
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use tower::ServiceExt;

use super::{percentile, print_row};

pub async fn measure(
    store: Arc<dyn Store>,
    actor: &Actor,
    client: ClientId,
    rounds: usize,
    with_access_log: bool,
) -> anyhow::Result<()> {
    if !with_access_log {
        // Only the page as before the log: the same work as an older
        // binary's bench, so the two can be compared on the same data.
        let pages = [
            ("page: próximas", format!("/clientes/{client}"), false),
            ("page: pasadas", format!("/clientes/{client}?reservas=pasadas"), false),
        ];
        let (times, bytes) = render_each(store.clone(), actor, &pages, rounds).await?;
        let bytes = bytes.last().copied().unwrap_or(0);
        println!("\nprofile page rendered in-process ({rounds} rounds each, last page {bytes} bytes, no access log)");
        println!("{:<18} {:>6} {:>9} {:>9} {:>9}", "page", "count", "p50 ms", "p95 ms", "p99 ms");
        for ((label, _, _), took) in pages.iter().zip(&times) {
            print_row(label, took);
        }
        let all: Vec<Duration> = times.concat();
        println!("profile page p99: {:.2} ms", percentile(&all, 0.99).as_secs_f64() * 1000.0);
        return Ok(());
    }
    // Each page with the access log (an entry per view; an owner also reads
    // "Accesos") and without it (the page as before the log), in the same
    // rounds, so both see the same machine.
    let pages = [
        ("page: próximas", format!("/clientes/{client}"), true),
        ("page: pasadas", format!("/clientes/{client}?reservas=pasadas"), true),
        ("próximas, no log", format!("/clientes/{client}"), false),
        ("pasadas, no log", format!("/clientes/{client}?reservas=pasadas"), false),
    ];
    let (times, bytes) = render_each(store.clone(), actor, &pages, rounds).await?;
    let bytes = bytes.last().copied().unwrap_or(0);
    println!("\nprofile page rendered in-process ({rounds} rounds each, last page {bytes} bytes)");
    println!("{:<18} {:>6} {:>9} {:>9} {:>9}", "page", "count", "p50 ms", "p95 ms", "p99 ms");
    for ((label, _, _), took) in pages.iter().zip(&times) {
        print_row(label, took);
    }
    let logged: Vec<Duration> = times[..2].concat();
    let unlogged: Vec<Duration> = times[2..].concat();
    let p99 = |times: &[Duration]| percentile(times, 0.99).as_secs_f64() * 1000.0;
    println!("profile page p99: {:.2} ms", p99(&logged));
    println!("profile page p99 without the access log: {:.2} ms", p99(&unlogged));
    println!("the access log's cost at p99: {:+.2} ms", p99(&logged) - p99(&unlogged));
    record_alone(&*store, actor, client, rounds).await
}

/// The log's one statement alone, as a staff member's view writes it.
async fn record_alone(store: &dyn Store, actor: &Actor, client: ClientId, rounds: usize) -> anyhow::Result<()> {
    let staff = store.list_staff(actor).await?.into_iter().next().ok_or_else(|| anyhow::anyhow!("no staff"))?;
    let reader = Actor::Staff { business: staff.business, staff: Some(staff.id), role: staff.role };
    let mut times = Vec::with_capacity(rounds);
    for round in 0..rounds + 20 {
        let started = Instant::now();
        store.record_access(&reader, client, AccessKind::Profile).await?;
        if round >= 20 {
            times.push(started.elapsed());
        }
    }
    print_row("record_access", &times);
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
    let pages: Vec<_> = pages.iter().map(|(label, path)| (*label, path.clone(), true)).collect();
    render_each(store, actor, &pages, rounds).await
}

/// As `render`, each page (label, path, with the access log or not).
async fn render_each(
    store: Arc<dyn Store>,
    actor: &Actor,
    pages: &[(&str, String, bool)],
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
    let state = AppState::new(store, Arc::new(SystemClock), WebConfig::default());
    let logged = ficha_web::router(state.clone());
    let unlogged = ficha_web::router(state.without_access_log());
    let cookie = format!("{SESSION_COOKIE}={session}");

    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); pages.len()];
    let mut bytes = vec![0; pages.len()];
    for round in 0..rounds + 20 {
        for (((_, path, log), took), size) in pages.iter().zip(times.iter_mut()).zip(bytes.iter_mut()) {
            let request = Request::get(path).header(header::COOKIE, &cookie).body(Body::empty())?;
            let router = if *log { &logged } else { &unlogged };
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
