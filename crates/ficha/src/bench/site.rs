//! `ficha bench-site`: the booking site's week of free slots (issue 11) for
//! a busy business — N professionals (agendas Mon–Sat 08:00–20:00 with a
//! lunch break), one 30-minute service performed by all, M bookings spread
//! over the coming month (imported: stored as given, not placed by the
//! rules) — then the site's pages rendered in-process, with their weight.
//!
//! 1. The week of free slots: the site's own `ficha_web::Calendars` (read,
//!    then `day` for each of the week's seven days, and the search for the
//!    first free day when the week has none), and apart from it the two
//!    store reads it makes for a week (`agendas_of`, `busy_of`), timed
//!    alone to tell reading from computing.
//! 2. The site's pages through `ficha_web::router` (`oneshot`, each answer
//!    read to its last byte): the first page, the professional step, and the
//!    slots step for one professional and for "Cualquiera", on random weeks
//!    of the month. Also their size and the stylesheet's, and a check that
//!    the HTML and CSS reference nothing outside the site.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use ficha_domain::availability::day_span;
use ficha_domain::{
    Actor, Attendance, Booking, BookingId, BookingRules, BookingState, Clp, Interval, Minutes, NewService, Origin,
    Payment, Service, ServiceName, Sessions, StaffId, SystemClock,
};
use ficha_store::Store;
use ficha_web::{AppState, Calendars, WebConfig};
use http_body_util::BodyExt;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use tower::ServiceExt;

use super::team::{self, ZONE};
use super::{percentile, print_row};
use crate::connect::connect;
use crate::demo::random::Random;
use crate::demo::synthetic_client;

pub struct SiteBenchArgs {
    pub database_url: String,
    pub professionals: u64,
    pub bookings: u64,
    /// Days ahead the bookings are spread over.
    pub days: u64,
    pub rounds: usize,
    pub seed: u64,
}

struct Business {
    actor: Actor,
    slug: String,
    service: ficha_domain::ServiceId,
    professionals: Vec<StaffId>,
}

pub async fn run(args: SiteBenchArgs) -> anyhow::Result<()> {
    let store = connect(&args.database_url, Arc::new(SystemClock)).await?;
    let zone = TimeZone::get(ZONE)?;
    let business = fill(&*store, &args, &zone).await?;
    let settling = Instant::now();
    store.settle_after_import().await?;
    println!("settled the database after the setup in {:.1} s", settling.elapsed().as_secs_f64());

    let rules = store.booking_rules(&business.actor).await?;
    let state = AppState::new(store.clone(), Arc::new(SystemClock), WebConfig::default());
    let service = store.get_service(&business.actor, business.service).await?;
    let today = Timestamp::now().to_zoned(zone.clone()).date();
    // Weeks that start on a random day of the month and end inside it.
    let mut random = Random::seeded(args.seed);
    let weeks: Vec<Date> = (0..args.rounds + 20)
        .map(|_| today.checked_add(jiff::Span::new().days(random.between(0, args.days.max(7) - 6) as i64)))
        .collect::<Result<_, _>>()?;

    let one = vec![business.professionals[0]];
    let all = business.professionals.clone();
    let (mut read_one, mut whole_one, mut read_all, mut whole_all) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut slots_one, mut slots_all, mut busy_all) = (0, 0, 0);
    for (round, week) in weeks.iter().enumerate() {
        let asked = Week { state: &state, business: &business, service: &service, rules: &rules, zone: &zone };
        let (read, whole, slots, _) = asked.slots(&one, *week).await?;
        let (read_a, whole_a, slots_a, busy_a) = asked.slots(&all, *week).await?;
        // The first rounds warm the caches, as a running server has them.
        if round >= 20 {
            read_one.push(read);
            whole_one.push(whole);
            read_all.push(read_a);
            whole_all.push(whole_a);
            (slots_one, slots_all, busy_all) = (slots_one + slots, slots_all + slots_a, busy_all + busy_a);
        }
    }
    let rounds = whole_one.len().max(1);
    println!(
        "\nweek of free slots (random weeks of the next {} days, {} rounds; on average {} free starts for one \
         professional, {} for Cualquiera, over {} busy times read for Cualquiera)",
        args.days,
        whole_one.len(),
        slots_one / rounds,
        slots_all / rounds,
        busy_all / rounds,
    );
    println!("{:<18} {:>6} {:>9} {:>9} {:>9}", "part", "count", "p50 ms", "p95 ms", "p99 ms");
    print_row("one: reads", &read_one);
    print_row("one: whole week", &whole_one);
    print_row("any: reads", &read_all);
    print_row("any: whole week", &whole_all);

    pages(store.clone(), &business, &weeks, args.rounds).await?;
    store.close().await;
    Ok(())
}

/// One week of free slots asked for, as the site asks.
struct Week<'a> {
    state: &'a AppState,
    business: &'a Business,
    service: &'a Service,
    rules: &'a BookingRules,
    zone: &'a TimeZone,
}

impl Week<'_> {
    /// The week from `first` for `professionals`: (time of the store's two
    /// reads alone, time of the site's whole computation, free starts, busy
    /// times read).
    async fn slots(
        &self,
        professionals: &[StaffId],
        first: Date,
    ) -> anyhow::Result<(Duration, Duration, usize, usize)> {
        let (store, actor) = (&self.state.store, &self.business.actor);
        let last = first.checked_add(jiff::Span::new().days(6))?;
        let start = day_span(first, self.zone).map(|(s, _)| s).ok_or_else(|| anyhow::anyhow!("no {first}"))?;
        let end = day_span(last, self.zone).map(|(_, e)| e).ok_or_else(|| anyhow::anyhow!("no {last}"))?;
        let started = Instant::now();
        store.agendas_of(actor, professionals).await?;
        let busy = store.busy_of(actor, professionals, start, end).await?.len();
        let read = started.elapsed();

        let started = Instant::now();
        let mut calendars =
            Calendars::read(self.state, actor, self.service, professionals, self.rules, self.zone).await?;
        let mut free = 0;
        let mut date = first;
        for _ in 0..7 {
            free += calendars.day(date).await?.len();
            date = date.tomorrow()?;
        }
        if free == 0 {
            calendars.first_free_day(date).await?;
        }
        Ok((read, started.elapsed(), free, busy))
    }
}

/// A business with the site open, its professionals and their agendas, the
/// service, clients, and the bookings spread over the next `days` days.
async fn fill(store: &dyn Store, args: &SiteBenchArgs, zone: &TimeZone) -> anyhow::Result<Business> {
    let started = Instant::now();
    let (created, actor, professionals) =
        team::staffed_business(store, "bench-site", "Benchmark sitio", args.professionals).await?;
    let slug = created.slug.as_str().to_owned();
    let agenda = team::agenda()?;
    let new = NewService {
        name: ServiceName::parse("Consulta")?,
        duration: Minutes::new(30)?,
        price: Clp::new(25_000)?,
        sessions: Sessions::new(1)?,
        professionals: professionals.iter().copied().collect(),
    };
    let service = store.create_service(&actor, new).await?;
    store.set_service_online(&actor, service.id, true).await?;
    store.set_booking_rules(&actor, BookingRules { online: true, ..Default::default() }).await?;

    let now = Timestamp::now();
    let today = now.to_zoned(zone.clone()).date();
    let mut random = Random::seeded(args.seed);
    let client_count = (args.bookings / 10).max(1);
    let clients: Vec<_> = (0..client_count).map(|n| synthetic_client(&mut random, today, n)).collect();
    store.import_clients(&actor, clients).await?;
    let mut clients = Vec::new();
    let mut page = ficha_store::ListQuery { limit: 1000, ..Default::default() };
    loop {
        let listed = store.list_clients(&actor, &page).await?;
        clients.extend(listed.clients.iter().map(|c| c.id));
        match listed.next {
            Some(next) => page.after = Some(next),
            None => break,
        }
    }

    // Working days of the month, and the 15-minute starts where a 30-minute
    // booking fits the working hours.
    let mut days = Vec::new();
    let mut day = today.tomorrow()?;
    for _ in 0..args.days {
        if agenda.ranges_on(day).iter().len() > 0 {
            days.push(day);
        }
        day = day.tomorrow()?;
    }
    let mut offsets = Vec::new();
    for range in agenda.ranges_on(days[0]) {
        let mut at = range.start();
        while at.checked_add(SignedDuration::from_mins(30)).is_ok_and(|end| end <= range.end() && end > at) {
            offsets.push(at);
            at = at.checked_add(SignedDuration::from_mins(15))?;
        }
    }
    let length = SignedDuration::from_mins(30);
    let mut batch = Vec::new();
    for _ in 0..args.bookings {
        let date = *random.pick(&days);
        let start = date.to_datetime(*random.pick(&offsets)).to_zoned(zone.clone())?.timestamp();
        let state = match random.between(0, 10) {
            0 => BookingState::Cancelled,
            1..=3 => BookingState::Pending,
            _ => BookingState::Confirmed,
        };
        batch.push(Booking {
            id: BookingId::generate(),
            client: *random.pick(&clients),
            service: service.id,
            professional: Some(*random.pick(&professionals)),
            when: Some(Interval::new(start, start + length)?),
            state,
            payment: Payment::Unpaid,
            attendance: Attendance::Unknown,
            origin: if random.chance(30) { Origin::BookingSite } else { Origin::Panel },
            created_by: None,
            created_at: now,
            pack: None,
        });
        if batch.len() >= 20_000 {
            store.import_bookings(&actor, std::mem::take(&mut batch)).await?;
        }
    }
    store.import_bookings(&actor, batch).await?;
    println!(
        "business {slug:?}: {} professionals, {} clients, {} bookings over {} working days ({} starts a day each), \
         loaded in {:.1} s",
        professionals.len(),
        clients.len(),
        args.bookings,
        days.len(),
        offsets.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(Business { actor, slug, service: service.id, professionals })
}

/// The site's pages through the router, timed; their weight; no external
/// reference.
async fn pages(store: Arc<dyn Store>, business: &Business, weeks: &[Date], rounds: usize) -> anyhow::Result<()> {
    let router = ficha_web::router(AppState::new(store, Arc::new(SystemClock), WebConfig::default()));
    let home = format!("/reservar/{}", business.slug);
    let service = business.service;
    let pro = business.professionals[0];
    let kinds: [(&str, &dyn Fn(Date) -> String); 4] = [
        ("first page", &|_| home.clone()),
        ("professional step", &|_| format!("{home}?servicio={service}")),
        ("slots: one", &|week| format!("{home}?servicio={service}&profesional={pro}&semana={week}")),
        ("slots: any", &|week| format!("{home}?servicio={service}&profesional=cualquiera&semana={week}")),
    ];
    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); kinds.len()];
    let mut sizes = vec![(0, 0); kinds.len()];
    let mut last = vec![String::new(); kinds.len()];
    for (round, week) in weeks.iter().enumerate() {
        for (n, (_, path)) in kinds.iter().enumerate() {
            let path = path(*week);
            let (took, status, body) = get(&router, &path).await?;
            anyhow::ensure!(status == StatusCode::OK, "{path} answered {status}");
            if round >= 20 {
                times[n].push(took);
            }
            let size = &mut sizes[n];
            *size = (size.0.max(body.len()), if size.1 == 0 { body.len() } else { size.1.min(body.len()) });
            last[n] = body;
        }
    }
    println!("\nbooking site pages rendered in-process ({} rounds each, random weeks)", times[0].len());
    println!("{:<18} {:>6} {:>9} {:>9} {:>9}", "page", "count", "p50 ms", "p95 ms", "p99 ms");
    for ((label, _), took) in kinds.iter().zip(&times) {
        print_row(label, took);
    }
    for ((label, _), took) in kinds.iter().zip(&times) {
        println!("{label} p99: {:.2} ms", percentile(took, 0.99).as_secs_f64() * 1000.0);
    }

    let first = &last[0];
    let css_path = first
        .split('"')
        .find(|part| part.starts_with("/reservar-assets/"))
        .ok_or_else(|| anyhow::anyhow!("the first page links no stylesheet"))?
        .to_owned();
    let (_, status, css) = get(&router, &css_path).await?;
    anyhow::ensure!(status == StatusCode::OK, "{css_path} answered {status}");
    println!("\npage weight (uncompressed bytes)");
    for ((label, _), (largest, smallest)) in kinds.iter().zip(&sizes) {
        println!("{label:<18} HTML {smallest}–{largest}");
    }
    println!("stylesheet         {} ({css_path})", css.len());
    println!(
        "first page + stylesheet: {} bytes = {:.1} KB (target ≤ 60 KB); largest slots page + stylesheet: {:.1} KB",
        first.len() + css.len(),
        (first.len() + css.len()) as f64 / 1024.0,
        (sizes[2].0.max(sizes[3].0) + css.len()) as f64 / 1024.0
    );
    let mut external = Vec::new();
    let bodies = kinds.iter().map(|(label, _)| *label).zip(last.iter()).chain([("stylesheet", &css)]);
    for (label, body) in bodies {
        for reference in ["http://", "https://", "\"//", "'//", "(//"] {
            for (at, _) in body.match_indices(reference) {
                external.push(format!("{label}: …{}…", body[at..].chars().take(60).collect::<String>()));
            }
        }
    }
    if external.is_empty() {
        println!("external references (http://, https://, protocol-relative //) in the pages and the stylesheet: none");
    } else {
        println!("external references found:");
        for hit in &external {
            println!("  {hit}");
        }
        anyhow::bail!("the booking site references {} things outside itself", external.len());
    }
    Ok(())
}

async fn get(router: &axum::Router, path: &str) -> anyhow::Result<(Duration, StatusCode, String)> {
    let request = Request::get(path).body(Body::empty())?;
    let started = Instant::now();
    let response = router.clone().oneshot(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    let took = started.elapsed();
    Ok((took, status, String::from_utf8(body.to_vec())?))
}
