//! `ficha bench-profile`: how fast a client's profile gets its bookings side
//! (the first page of upcoming and of past bookings, the sessions "por
//! reservar", the stats) for a client with thousands of bookings, in a
//! business where other clients have many more; then the whole profile
//! page as the panel serves it (router in-process, a signed-in owner,
//! rendered HTML). See docs/performance.md.

use std::time::{Duration, Instant};

use ficha_domain::{
    Actor, Agenda, Attendance, Booking, BookingId, BookingState, ClientChanges, ClientId, Clp, Interval, Minutes,
    NewService, NoteText, Origin, PackId, PackPlace, Payment, PaymentMethod, Phone, ServiceName, Sessions, SystemClock,
    Viewer,
};
use ficha_store::{BookingQuery, Store, When};
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;

use super::{page, percentile, print_row};
use crate::accounts;
use crate::connect::connect;
use crate::demo::random::Random;
use crate::demo::synthetic_client;

const SLUG: &str = "bench-profile";

pub struct ProfileArgs {
    pub database_url: String,
    /// Bookings of the measured client.
    pub bookings: u64,
    /// Other clients, and bookings each.
    pub others: u64,
    pub others_bookings: u64,
    /// General notes of the measured client (each also a history entry).
    pub notes: u64,
    pub rounds: usize,
    /// Also render the page with the access log, and time its statement.
    pub with_access_log: bool,
}

pub async fn run(args: ProfileArgs) -> anyhow::Result<()> {
    let store = connect(&args.database_url, Arc::new(SystemClock)).await?;
    let now = Timestamp::now();
    let (actor, client) = match store.business_by_slug(SLUG).await? {
        Some(business) => {
            println!("reusing business {SLUG:?} already in {}", args.database_url);
            let actor = Actor::System { business: business.id };
            // Registered first, as `fill` made it.
            let query = ficha_store::ListQuery { sort: ficha_store::ClientSort::RegisteredAsc, limit: 1, after: None };
            let first = store.list_clients(&actor, &query).await?;
            let client = first.clients.first().map(|c| c.id).ok_or_else(|| anyhow::anyhow!("no client to measure"))?;
            (actor, client)
        }
        None => fill(&*store, &args, now).await?,
    };
    add_notes_and_history(&*store, &actor, client, args.notes).await?;

    let mut parts: [(&str, Vec<Duration>); 4] =
        [("upcoming page", vec![]), ("past page", vec![]), ("por reservar", vec![]), ("stats", vec![])];
    let mut whole = Vec::with_capacity(args.rounds);
    let upcoming = BookingQuery { when: When::Upcoming, ..Default::default() };
    let past = BookingQuery { when: When::Past, ..Default::default() };
    for round in 0..args.rounds + 20 {
        let started = Instant::now();
        let mut lap = Instant::now();
        let mut times = [Duration::ZERO; 4];
        store.client_bookings(&actor, client, &upcoming).await?;
        (times[0], lap) = (lap.elapsed(), Instant::now());
        store.client_bookings(&actor, client, &past).await?;
        (times[1], lap) = (lap.elapsed(), Instant::now());
        store.por_reservar(&actor, client).await?;
        (times[2], lap) = (lap.elapsed(), Instant::now());
        store.client_stats(&actor, client).await?;
        times[3] = lap.elapsed();
        // The first rounds warm the caches, as a running server has them.
        if round >= 20 {
            whole.push(started.elapsed());
            for (part, took) in parts.iter_mut().zip(times) {
                part.1.push(took);
            }
        }
    }
    let stats = store.client_stats(&actor, client).await?;
    println!("\nprofile of a client with {} bookings ({} rounds)", stats.bookings, whole.len());
    println!("{:<18} {:>6} {:>9} {:>9} {:>9}", "part", "count", "p50 ms", "p95 ms", "p99 ms");
    for (label, times) in &parts {
        print_row(label, times);
    }
    print_row("whole profile", &whole);
    println!("whole profile p99: {:.2} ms", percentile(&whole, 0.99).as_secs_f64() * 1000.0);
    page::measure(store.clone(), &actor, client, args.rounds, args.with_access_log).await?;
    store.close().await;
    Ok(())
}

/// Brings the measured client to `notes` general notes, written by the
/// business's owner, with a few phone edits in its history too (a reused
/// database from before notes existed gets them here).
async fn add_notes_and_history(store: &dyn Store, actor: &Actor, client: ClientId, notes: u64) -> anyhow::Result<()> {
    let have = store.notes(&Viewer::Staff(*actor), client).await?.len() as u64;
    if have >= notes {
        return Ok(());
    }
    let started = Instant::now();
    let owner = store.list_staff(actor).await?.into_iter().next().ok_or_else(|| anyhow::anyhow!("no staff"))?;
    let author = Actor::Staff { business: owner.business, staff: Some(owner.id), role: owner.role };
    for n in have..notes {
        let text = format!("Nota {n}: prefiere horas en la mañana.\nAvisar por WhatsApp un día antes.");
        store.add_note(&author, client, NoteText::parse(&text)?).await?;
        if n % 30 == 0 {
            let current = store.get_client(&author, client).await?;
            let phone = Phone::parse(&format!("+5696{:07}", 1_000_000 + n))?;
            let changes = ClientChanges { phone: Some(Some(phone)), ..Default::default() };
            store.update_client(&author, client, current.version, changes).await?;
        }
    }
    println!("added {} notes (and phone edits) in {:.1} s", notes - have, started.elapsed().as_secs_f64());
    Ok(())
}

/// The business: one professional who performs a one-hour service and a
/// pack, the measured client (registered first) and the others, each with
/// bookings one after another, every state mixed in.
async fn fill(store: &dyn Store, args: &ProfileArgs, now: Timestamp) -> anyhow::Result<(Actor, ClientId)> {
    let started = Instant::now();
    let business = accounts::create_business(store, SLUG, "Benchmark perfil", "America/Santiago").await?;
    let actor = Actor::System { business: business.id };
    let (staff, _) =
        accounts::add_staff(store, &actor, "Profesional Bench", "pro@bench.ficha.cl", ficha_domain::Role::Owner, None)
            .await?;
    store.set_agenda(&actor, staff.id, Agenda::closed()).await?;
    let new_service = |name: &str, sessions| -> anyhow::Result<NewService> {
        Ok(NewService {
            name: ServiceName::parse(name)?,
            duration: Minutes::new(60)?,
            price: Clp::new(25_000)?,
            sessions: Sessions::new(sessions)?,
            professionals: [staff.id].into(),
        })
    };
    let service = store.create_service(&actor, new_service("Consulta", 1)?).await?;
    let pack = store.create_service(&actor, new_service("Pack", 10)?).await?;

    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut random = Random::seeded(11);
    let clients: Vec<_> = (0..=args.others).map(|n| synthetic_client(&mut random, today, n)).collect();
    store.import_clients(&actor, clients).await?;
    let mut ids = Vec::new();
    let mut page =
        ficha_store::ListQuery { sort: ficha_store::ClientSort::RegisteredAsc, limit: 1000, ..Default::default() };
    loop {
        let listed = store.list_clients(&actor, &page).await?;
        ids.extend(listed.clients.iter().map(|c| c.id));
        match listed.next {
            Some(next) => page.after = Some(next),
            None => break,
        }
    }
    let measured = ids[0];

    // Each client's bookings are 7 hours apart, half of them ahead of now:
    // every client has a past and an upcoming side. (Stored as given: the
    // benchmark measures reads, not the booking rules.)
    let mut slot = 0_i64;
    let mut batch = Vec::new();
    for (i, client) in ids.iter().enumerate() {
        let count = if i == 0 { args.bookings } else { args.others_bookings };
        for n in 0..count as i64 {
            slot += 1;
            let start = now + SignedDuration::from_hours(24 * 365 * 2)
                - SignedDuration::from_hours(7 * n)
                - SignedDuration::from_secs(slot);
            batch.push(booking(&mut random, *client, service.id, staff.id, start, now));
            if batch.len() >= 20_000 {
                store.import_bookings(&actor, std::mem::take(&mut batch)).await?;
            }
        }
    }
    // The measured client also bought two packs, half used.
    for _ in 0..2 {
        let pack_id = PackId::generate();
        for number in 1..=10 {
            batch.push(Booking {
                id: BookingId::generate(),
                client: measured,
                service: pack.id,
                professional: None,
                when: None,
                state: BookingState::Confirmed,
                payment: Payment::Unpaid,
                attendance: Attendance::Unknown,
                origin: Origin::Panel,
                created_by: None,
                created_at: now,
                pack: Some(PackPlace { pack: pack_id, number, of: 10 }),
            });
        }
    }
    store.import_bookings(&actor, batch).await?;
    println!("loaded {} clients and their bookings in {:.1} s", ids.len(), started.elapsed().as_secs_f64());
    Ok((actor, measured))
}

fn booking(
    random: &mut Random,
    client: ClientId,
    service: ficha_domain::ServiceId,
    staff: ficha_domain::StaffId,
    start: Timestamp,
    now: Timestamp,
) -> Booking {
    let when = Interval::new(start, start + SignedDuration::from_hours(1)).ok();
    let past = start < now;
    let state = if random.chance(10) { BookingState::Cancelled } else { BookingState::Confirmed };
    let attendance = match (past && state != BookingState::Cancelled, random.between(0, 10)) {
        (true, 0) => Attendance::NoShow,
        (true, _) => Attendance::Attended,
        _ => Attendance::Unknown,
    };
    let payment = if attendance == Attendance::Attended {
        Payment::Paid {
            amount: 25_000,
            method: PaymentMethod::Debit,
            date: start.to_zoned(jiff::tz::TimeZone::UTC).date(),
        }
    } else {
        Payment::Unpaid
    };
    Booking {
        id: BookingId::generate(),
        client,
        service,
        professional: when.map(|_| staff),
        when,
        state,
        payment,
        attendance,
        origin: Origin::Panel,
        created_by: None,
        created_at: start.min(now),
        pack: None,
    }
}
