//! `ficha bench-duplicates`: a business of many synthetic clients (whose
//! random RUTs, phones and birth dates already collide now and then) with
//! a few thousand planted duplicates — a copy of a client under another
//! email, its name with one typo — then the suggestions timed as the panel
//! asks for them: the count on Clientes, the first page of pairs, and one
//! profile's notice — and, on a fresh database, the full recompute of the
//! stored links after the load. A measurement, not a test.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ficha_domain::{Actor, Client, ClientName, Email, NewClient, SystemClock};
use ficha_store::{ClientSort, ListQuery, Store};

use super::{load, peak_memory, print_row};
use crate::accounts;
use crate::connect::connect;

const SLUG: &str = "bench-duplicates";

pub struct DuplicatesArgs {
    pub database_url: String,
    pub clients: u64,
    /// Duplicates planted after the load.
    pub planted: usize,
    /// Timed calls of each kind.
    pub rounds: usize,
    pub seed: u64,
}

pub async fn run(args: DuplicatesArgs) -> anyhow::Result<()> {
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
            plant(&*store, &actor, args.planted).await?;
            // Every key group is queued after a bulk load: the first
            // refresh is the full recompute.
            let started = Instant::now();
            store.refresh_duplicates(&actor).await?;
            println!("full recompute of the suggestions: {:.2} s", started.elapsed().as_secs_f64());
            actor
        }
    };
    let total = store.list_clients(&actor, &ListQuery { limit: 1, ..Default::default() }).await?.total;
    let count = store.count_duplicates(&actor).await?;
    println!("\n{total} clients, {count} suggested pairs; {} calls of each kind", args.rounds);
    println!("{:<18} {:>6} {:>9} {:>9} {:>9}", "call", "count", "p50 ms", "p95 ms", "p99 ms");

    print_row("count", &timed(args.rounds, || store.count_duplicates(&actor)).await?);
    print_row("first page (50)", &timed(args.rounds, || store.duplicate_suggestions(&actor, 50, None)).await?);
    print_row("page after a new", &after_writes(&*store, &actor, args.rounds).await?);
    let first = store.duplicate_suggestions(&actor, 1, None).await?.pairs.first().map(|p| p.a.id);
    if let Some(client) = first {
        print_row("one profile's", &timed(args.rounds, || store.duplicates_of(&actor, client)).await?);
    }
    println!("peak memory (VmHWM): {}", peak_memory());
    store.close().await;
    Ok(())
}

async fn timed<F, Fut, T>(rounds: usize, mut call: F) -> anyhow::Result<Vec<Duration>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ficha_store::StoreResult<T>>,
{
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        call().await?;
        times.push(started.elapsed());
    }
    Ok(times)
}

/// The first page timed right after each of `rounds` new clients (a copy
/// of a listed one): what a receptionist waits for after everyday writes,
/// the queued groups of the new client recomputed first.
async fn after_writes(store: &dyn Store, actor: &Actor, rounds: usize) -> anyhow::Result<Vec<Duration>> {
    let listed = store.list_clients(actor, &ListQuery { limit: rounds as u32, ..Default::default() }).await?;
    let mut times = Vec::with_capacity(rounds);
    for (n, client) in listed.clients.iter().enumerate() {
        let mut new = copy(client, n)?;
        new.email = Email::parse(&format!("otro{n}.{}@bench.ficha.cl", jiff::Timestamp::now().as_millisecond()))?;
        store.create_client(actor, new).await?;
        let started = Instant::now();
        store.duplicate_suggestions(actor, 50, None).await?;
        times.push(started.elapsed());
    }
    Ok(times)
}

/// Copies of `count` clients spread over the business, each under a new
/// email with its name's first word mistyped, imported in one batch.
async fn plant(store: &dyn Store, actor: &Actor, count: usize) -> anyhow::Result<()> {
    let total = store.list_clients(actor, &ListQuery { limit: 1, ..Default::default() }).await?.total as usize;
    let step = (total / count.max(1)).max(1);
    let mut query = ListQuery { sort: ClientSort::RegisteredAsc, after: None, limit: 1000 };
    let mut copies = Vec::with_capacity(count);
    let mut seen = 0;
    loop {
        let page = store.list_clients(actor, &query).await?;
        for client in &page.clients {
            if seen % step == 0 && copies.len() < count {
                copies.push(copy(client, copies.len())?);
            }
            seen += 1;
        }
        match page.next {
            Some(next) if copies.len() < count => query.after = Some(next),
            _ => break,
        }
    }
    let started = Instant::now();
    let planted = store.import_clients(actor, copies).await?;
    println!("planted {planted} duplicates in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn copy(client: &Client, n: usize) -> anyhow::Result<NewClient> {
    let name = client.name.as_str();
    // One letter doubled: an insertion, one typo in one word.
    let typo = match name.char_indices().nth(1) {
        Some((at, letter)) => format!("{}{letter}{}", &name[..at], &name[at..]),
        None => name.to_owned(),
    };
    Ok(NewClient {
        name: ClientName::parse(&typo)?,
        email: Email::parse(&format!("duplicado{n}@bench.ficha.cl"))?,
        phone: client.phone.clone(),
        rut: client.rut,
        birth_date: client.birth_date,
    })
}
