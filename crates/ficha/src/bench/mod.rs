//! `ficha bench`: builds one business of N synthetic clients, then measures a
//! fixed, seeded mix of as-you-type searches against the search index and,
//! on the same queries, against a naive `LIKE '%q%'` scan. Run it the way
//! docs/performance.md says; it is a measurement, not a test.

pub mod calendar;
mod custom;
pub mod duplicates;
mod edits;
pub mod import;
mod mix;
pub mod notify;
mod page;
pub mod profile;
pub mod site;
mod team;
pub mod writes;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use ficha_domain::{Actor, NewClient, SystemClock};
use ficha_store::Store;
use ficha_store::search::SearchQuery;
use jiff::Timestamp;

use crate::accounts;
use crate::connect::connect;
use crate::demo::random::Random;
use crate::demo::synthetic_client;

const BATCH: usize = 100_000;
const SLUG: &str = "bench";

pub struct BenchArgs {
    pub database_url: String,
    pub clients: u64,
    pub queries: usize,
    pub naive_queries: usize,
    /// Everyday edits made after the first measurement, which is then
    /// made again (0: none).
    pub edits: usize,
    pub seed: u64,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let store = connect(&args.database_url, Arc::new(SystemClock)).await?;
    let actor = match store.business_by_slug(SLUG).await? {
        Some(business) => {
            println!("reusing business {SLUG:?} already in {}", args.database_url);
            Actor::System { business: business.id }
        }
        None => {
            let business = accounts::create_business(&*store, SLUG, "Benchmark", "America/Santiago").await?;
            let actor = Actor::System { business: business.id };
            load(&*store, &args.database_url, &actor, args.clients, args.seed).await?;
            let started = Instant::now();
            let with_values = (args.clients / 20).min(20_000) as usize;
            custom::seed(&*store, &actor, with_values, args.seed).await?;
            println!("gave {with_values} clients a pet and a comuna in {:.1} s", started.elapsed().as_secs_f64());
            actor
        }
    };

    // Searched in the steady state a running server is in: what the setup
    // left for background maintenance (PostgreSQL's autovacuum) done now.
    let settling = Instant::now();
    store.settle_after_import().await?;
    println!("settled the database after the setup in {:.1} s", settling.elapsed().as_secs_f64());

    let queries = mix::queries(&*store, &actor, args.seed, args.queries).await?;
    measure(&*store, &actor, &queries, args.naive_queries, args.seed).await?;
    if args.edits > 0 {
        let took = edits::edit(&*store, &actor, args.edits, args.seed).await?;
        println!(
            "\nedited {} clients in {:.1} s (nothing rebuilt or vacuumed by hand)",
            args.edits,
            took.as_secs_f64()
        );
        measure(&*store, &actor, &queries, 0, args.seed).await?;
    }
    println!("peak memory (VmHWM): {}", peak_memory());
    store.close().await;
    Ok(())
}

/// Runs the mix, the first `naive_queries` of it also as a naive scan, and
/// prints the percentiles of each kind.
async fn measure(
    store: &dyn Store,
    actor: &Actor,
    queries: &[mix::Query],
    naive_queries: usize,
    seed: u64,
) -> anyhow::Result<()> {
    // Warm the caches the way a running server has them warm.
    for query in queries.iter().take(50) {
        search(store, actor, &query.text).await?;
    }
    let mut indexed = Vec::with_capacity(queries.len());
    let mut kinds: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
    for query in queries {
        let started = Instant::now();
        search(store, actor, &query.text).await?;
        let took = started.elapsed();
        indexed.push(took);
        kinds.entry(query.kind).or_default().push(took);
    }
    let naive_count = naive_queries.min(queries.len());
    let mut naive = Vec::with_capacity(naive_count);
    let mut same_indexed = Vec::with_capacity(naive_count);
    for (query, indexed_took) in queries.iter().zip(&indexed).take(naive_count) {
        let started = Instant::now();
        store.scan_clients(actor, &query.text, 20).await?;
        naive.push(started.elapsed());
        same_indexed.push(*indexed_took);
    }

    let clients = store.list_clients(actor, &ficha_store::ListQuery { limit: 1, ..Default::default() }).await?.total;
    println!("\nsearch over {clients} clients ({} queries, seed {seed})", queries.len());
    println!("{:<18} {:>6} {:>9} {:>9} {:>9}", "mix", "count", "p50 ms", "p95 ms", "p99 ms");
    for (kind, times) in &kinds {
        print_row(kind, times);
    }
    print_row("all (indexed)", &indexed);
    if naive_count > 0 {
        print_row("naive LIKE scan", &naive);
        print_row("same, indexed", &same_indexed);
        let ratio = |p: f64| percentile(&naive, p).as_secs_f64() / percentile(&same_indexed, p).as_secs_f64().max(1e-9);
        println!("naive / indexed on the same {naive_count} queries: p50 {:.0}x, p99 {:.0}x", ratio(0.50), ratio(0.99));
    }
    Ok(())
}

async fn search(store: &dyn Store, actor: &Actor, text: &str) -> anyhow::Result<()> {
    let query = SearchQuery::parse(text).context("benchmark query")?;
    store.search_clients(actor, &query, 0, 20).await?;
    Ok(())
}

async fn load(store: &dyn Store, database_url: &str, actor: &Actor, clients: u64, seed: u64) -> anyhow::Result<()> {
    let today = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let started = Instant::now();
    // Made up on another thread while the previous batch is being stored:
    // what is timed is the store, not the generator.
    let (sender, batches) = tokio::sync::mpsc::channel::<Vec<NewClient>>(3);
    let maker = tokio::task::spawn_blocking(move || {
        let mut random = Random::seeded(seed);
        let mut made = 0;
        while made < clients {
            let batch: Vec<NewClient> = (made..(made + BATCH as u64).min(clients))
                .map(|number| synthetic_client(&mut random, today, number))
                .collect();
            made += batch.len() as u64;
            if sender.blocking_send(batch).is_err() {
                break;
            }
        }
    });
    // PostgreSQL stores two batches at once, on two connections: a batch is
    // mostly one server process's work, and the second uses another core
    // (one more batch on a loaded million took 20.2 s alone, two at once
    // 22.0 s). Each loader takes the next batch as soon as its own is
    // stored, so neither core waits for the other's batch. SQLite has one
    // writer and takes them one after the other.
    let side_by_side = database_url.starts_with("postgres");
    let batches = tokio::sync::Mutex::new(batches);
    let first_batch = std::sync::OnceLock::new();
    let loader = || async {
        let mut stored = 0;
        loop {
            let batch = batches.lock().await.recv().await;
            let Some(batch) = batch else { return anyhow::Ok(stored) };
            first_batch.get_or_init(Instant::now);
            stored += store.import_clients(actor, batch).await?;
        }
    };
    let (first, second) = tokio::join!(loader(), async { if side_by_side { loader().await } else { Ok(0) } });
    let stored = first? + second?;
    let storing = first_batch.get().map_or(Duration::ZERO, Instant::elapsed);
    maker.await?;
    println!(
        "loaded {stored} clients in {:.1} s: {:.1} s storing and indexing them, the rest waiting for the generator's first batch",
        started.elapsed().as_secs_f64(),
        storing.as_secs_f64()
    );
    Ok(())
}

fn percentile(times: &[Duration], p: f64) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = times.to_vec();
    sorted.sort();
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn print_row(label: &str, times: &[Duration]) {
    let ms = |p| percentile(times, p).as_secs_f64() * 1000.0;
    println!("{label:<18} {:>6} {:>9.2} {:>9.2} {:>9.2}", times.len(), ms(0.50), ms(0.95), ms(0.99));
}

/// The process's peak resident memory, from /proc (Linux).
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l["VmHWM:".len()..].trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}
