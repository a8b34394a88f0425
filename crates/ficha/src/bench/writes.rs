//! `ficha bench-writes`: the everyday single-client writes a receptionist
//! makes all day — register a client, edit one's general data, save one's
//! "Otros datos" — timed one at a time through the store, first by one
//! writer, then by several at once. Run it the way docs/performance.md says;
//! it is a measurement, not a test.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use ficha_domain::{
    Actor, Client, ClientChanges, CustomField, CustomValue, FieldKind, Phone, RawValue, Role, SystemClock,
};
use ficha_store::{ClientSort, ListQuery, Store};
use jiff::Timestamp;

use super::custom::{COMUNAS, PETS, define};
use super::{load, peak_memory, print_row};
use crate::accounts;
use crate::connect::connect;
use crate::demo::random::Random;
use crate::demo::synthetic_client;

const SLUG: &str = "bench-writes";

pub struct WritesArgs {
    pub database_url: String,
    /// Clients loaded before writing (the business is reused when present).
    pub clients: u64,
    /// Writes of each kind, in each of the two runs.
    pub writes: usize,
    /// Concurrent writers in the second run.
    pub writers: usize,
    pub seed: u64,
}

/// The three kinds, in the order each round makes them.
const KINDS: [&str; 3] = ["create", "edit", "custom values"];

pub async fn run(args: WritesArgs) -> anyhow::Result<()> {
    let store = connect(&args.database_url, Arc::new(SystemClock)).await?;
    let (actor, fields) = setup(&*store, &args).await?;
    let writers = args.writers.max(1);
    // Each edit and each save of values takes a client no other write
    // touches, so no write waits on a stale version.
    let targets = clients(&*store, &actor, args.writes * 4).await?;
    let (alone, together) = targets.split_at(targets.len() / 2);
    let first_number = store.list_clients(&actor, &ListQuery { limit: 1, ..Default::default() }).await?.total;
    let work = Work { store: store.clone(), actor, fields: Arc::new(fields), seed: args.seed };

    println!("\none writer, {} writes of each kind, after {} clients", args.writes, first_number);
    let started = Instant::now();
    let times = work.clone().rounds(alone.to_vec(), first_number, args.writes).await?;
    report(&times, started.elapsed());

    println!("\n{writers} writers at once, {} writes of each kind in all", args.writes);
    let per_writer = args.writes.div_ceil(writers);
    let mut tasks = Vec::new();
    let started = Instant::now();
    for (n, share) in together.chunks(per_writer * 2).enumerate() {
        let numbers = first_number + (args.writes + n * per_writer) as u64;
        tasks.push(tokio::spawn(work.clone().rounds(share.to_vec(), numbers, share.len() / 2)));
    }
    let mut merged: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    for task in tasks {
        for (kind, mut times) in task.await?? {
            merged.entry(kind).or_default().append(&mut times);
        }
    }
    report(&merged, started.elapsed());
    println!("peak memory (VmHWM): {}", peak_memory());
    store.close().await;
    Ok(())
}

#[derive(Clone)]
struct Work {
    store: Arc<dyn Store>,
    actor: Actor,
    fields: Arc<[CustomField; 2]>,
    seed: u64,
}

impl Work {
    /// `count` rounds of one create, one edit and one save of values: the
    /// edits and saves on `targets` (two a round), new clients numbered from
    /// `first_number`.
    async fn rounds(
        self,
        targets: Vec<Client>,
        first_number: u64,
        count: usize,
    ) -> anyhow::Result<BTreeMap<&'static str, Vec<Duration>>> {
        let mut random = Random::seeded(self.seed ^ first_number);
        let today = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
        let mut times: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
        let [pet, comuna] = &*self.fields;
        for (n, pair) in targets.chunks(2).take(count).enumerate() {
            let [edited, valued] = pair else { break };
            let new = synthetic_client(&mut random, today, first_number + n as u64);
            let phone = mobile(&mut random);
            let changes = ClientChanges { phone: Some(Some(phone)), ..Default::default() };
            let values = vec![
                (pet.key.clone(), CustomValue::parse(pet, RawValue::Text(random.pick::<&str>(PETS)))?),
                (comuna.key.clone(), CustomValue::parse(comuna, RawValue::Text(random.pick::<&str>(COMUNAS)))?),
            ];

            let started = Instant::now();
            self.store.create_client(&self.actor, new).await.context("create")?;
            times.entry(KINDS[0]).or_default().push(started.elapsed());

            let started = Instant::now();
            self.store.update_client(&self.actor, edited.id, edited.version, changes).await.context("edit")?;
            times.entry(KINDS[1]).or_default().push(started.elapsed());

            let started = Instant::now();
            self.store.set_custom_values(&self.actor, valued.id, valued.version, values).await.context("values")?;
            times.entry(KINDS[2]).or_default().push(started.elapsed());
        }
        Ok(times)
    }
}

/// A valid Chilean mobile (not every random eight digits is one).
pub(super) fn mobile(random: &mut Random) -> Phone {
    loop {
        if let Ok(phone) = Phone::parse(&format!("+569{}", random.between(30_000_000, 99_999_999))) {
            return phone;
        }
    }
}

/// The benchmark business with its clients and two fields, made on the first
/// run; an owner's account acts, as in the panel.
async fn setup(store: &dyn Store, args: &WritesArgs) -> anyhow::Result<(Actor, [CustomField; 2])> {
    let business = match store.business_by_slug(SLUG).await? {
        Some(business) => {
            println!("reusing business {SLUG:?} already in {}", args.database_url);
            business
        }
        None => {
            let business = accounts::create_business(store, SLUG, "Benchmark", "America/Santiago").await?;
            let system = Actor::System { business: business.id };
            load(store, &args.database_url, &system, args.clients, args.seed).await?;
            define(store, &system, "mascota", "Nombre de la mascota", FieldKind::Text, &[]).await?;
            define(store, &system, "comuna", "Comuna", FieldKind::SingleChoice, COMUNAS).await?;
            accounts::add_staff(store, &system, "Dueña", "owner@bench.ficha.cl", Role::Owner, None).await?;
            business
        }
    };
    let system = Actor::System { business: business.id };
    let owner = store.list_staff(&system).await?.into_iter().find(|s| s.role == Role::Owner).context("an owner")?;
    let actor = Actor::Staff { business: business.id, staff: Some(owner.id), role: Role::Owner };
    let fields = store.list_fields(&system, false).await?;
    let field = |key: &str| fields.iter().find(|f| f.key.as_str() == key).cloned().context("benchmark field");
    Ok((actor, [field("mascota")?, field("comuna")?]))
}

/// `count` clients spread over the business (every n-th of the list by
/// registration), with their current versions.
pub(super) async fn clients(store: &dyn Store, actor: &Actor, count: usize) -> anyhow::Result<Vec<Client>> {
    let total = store.list_clients(actor, &ListQuery { limit: 1, ..Default::default() }).await?.total as usize;
    anyhow::ensure!(total >= count, "{count} clients needed, the business has {total}: load more (--clients)");
    let step = total / count;
    let mut query = ListQuery { sort: ClientSort::RegisteredAsc, after: None, limit: 1000 };
    let mut picked = Vec::with_capacity(count);
    let mut seen = 0;
    loop {
        let page = store.list_clients(actor, &query).await?;
        for client in page.clients {
            if seen % step == 0 && picked.len() < count {
                picked.push(client);
            }
            seen += 1;
        }
        match page.next {
            Some(next) if picked.len() < count => query.after = Some(next),
            _ => return Ok(picked),
        }
    }
}

fn report(times: &BTreeMap<&str, Vec<Duration>>, took: Duration) {
    println!("{:<18} {:>6} {:>9} {:>9} {:>9}", "write", "count", "p50 ms", "p95 ms", "p99 ms");
    for kind in KINDS {
        print_row(kind, times.get(kind).map_or(&[][..], Vec::as_slice));
    }
    let all: Vec<Duration> = times.values().flatten().copied().collect();
    print_row("all", &all);
    println!(
        "{} writes in {:.2} s: {:.0} writes/s",
        all.len(),
        took.as_secs_f64(),
        all.len() as f64 / took.as_secs_f64()
    );
}
