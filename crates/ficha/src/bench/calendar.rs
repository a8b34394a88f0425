//! `ficha bench-calendar`: the panel's Calendario (a time grid) for a busy
//! day. A fresh business with N professionals (agendas Monday to Saturday
//! 08:00–20:00 with a lunch break, 13:00–14:00), M bookings on one day
//! (imported: stored as given, so some overlap one another and some lie
//! out of hours, as staff's "Fuera de horario" bookings do; a tenth
//! cancelled), then the calendar's pages rendered through
//! `ficha_web::router` in-process as the signed-in owner: the day view of
//! everyone, the same with the cancelled ones shown, and one
//! professional's week. Prints p50/p95/p99/max and each page's size.

use std::sync::Arc;
use std::time::Duration;

use ficha_domain::{
    Actor, Attendance, Booking, BookingId, BookingState, Clp, Interval, Minutes, NewService, Origin, Payment,
    ServiceName, Sessions, SystemClock,
};
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::page::render;
use super::team::{self, ZONE};
use super::{percentile, print_row};
use crate::connect::connect;
use crate::demo::random::Random;
use crate::demo::synthetic_client;

/// Service lengths, in minutes.
const LENGTHS: [i64; 3] = [30, 45, 60];

pub struct CalendarBenchArgs {
    pub database_url: String,
    pub professionals: u64,
    /// Bookings on the measured day.
    pub bookings: u64,
    pub rounds: usize,
    pub seed: u64,
}

pub async fn run(args: CalendarBenchArgs) -> anyhow::Result<()> {
    let store = connect(&args.database_url, Arc::new(SystemClock)).await?;
    let zone = TimeZone::get(ZONE)?;
    let (actor, day, first_pro) = fill(&*store, &args, &zone).await?;
    store.settle_after_import().await?;

    let fecha = day.to_string();
    let pages = [
        ("day, everyone", format!("/calendario?fecha={fecha}")),
        ("day, + anuladas", format!("/calendario?fecha={fecha}&anuladas=1")),
        ("week, one pro", format!("/calendario?fecha={fecha}&vista=semana&profesional={first_pro}")),
    ];
    let (times, bytes) = render(store.clone(), &actor, &pages, args.rounds).await?;
    println!(
        "\ncalendar pages rendered in-process on {} ({} professionals, {} bookings that day; {} rounds each)",
        day.strftime("%d-%m-%Y"),
        args.professionals,
        args.bookings,
        args.rounds
    );
    println!(
        "{:<18} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "page", "count", "p50 ms", "p95 ms", "p99 ms", "max ms", "KB"
    );
    for (((label, _), took), size) in pages.iter().zip(&times).zip(&bytes) {
        let max = took.iter().max().copied().unwrap_or(Duration::ZERO).as_secs_f64() * 1000.0;
        let ms = |p| percentile(took, p).as_secs_f64() * 1000.0;
        println!(
            "{label:<18} {:>6} {:>9.2} {:>9.2} {:>9.2} {max:>9.2} {:>9.1}",
            took.len(),
            ms(0.50),
            ms(0.95),
            ms(0.99),
            *size as f64 / 1024.0
        );
    }
    let all: Vec<Duration> = times.concat();
    print_row("all pages", &all);
    println!("calendar pages p99: {:.2} ms (target ≤ 20 ms)", percentile(&all, 0.99).as_secs_f64() * 1000.0);
    store.close().await;
    Ok(())
}

/// The measured day: today when it is a working day (so the "now" line is
/// drawn too), else the next Monday.
fn measured_day(zone: &TimeZone) -> anyhow::Result<Date> {
    let today = Timestamp::now().to_zoned(zone.clone()).date();
    Ok(if today.weekday() == Weekday::Sunday { today.tomorrow()? } else { today })
}

/// The business, its professionals (the first is the owner, who also
/// attends), three services, the clients and the day's bookings.
async fn fill(
    store: &dyn ficha_store::Store,
    args: &CalendarBenchArgs,
    zone: &TimeZone,
) -> anyhow::Result<(Actor, Date, ficha_domain::StaffId)> {
    let (created, actor, professionals) =
        team::staffed_business(store, "bench-calendar", "Benchmark calendario", args.professionals).await?;
    let slug = created.slug.as_str().to_owned();
    let mut services = Vec::new();
    for minutes in LENGTHS {
        let new = NewService {
            name: ServiceName::parse(&format!("Consulta {minutes} min"))?,
            duration: Minutes::new(minutes)?,
            price: Clp::new(25_000)?,
            sessions: Sessions::new(1)?,
            professionals: professionals.iter().copied().collect(),
        };
        services.push((store.create_service(&actor, new).await?.id, minutes));
    }

    let day = measured_day(zone)?;
    let mut random = Random::seeded(args.seed);
    let clients: Vec<_> = (0..args.bookings.max(1)).map(|n| synthetic_client(&mut random, day, n)).collect();
    store.import_clients(&actor, clients).await?;
    let listed = store.list_clients(&actor, &ficha_store::ListQuery { limit: 1000, ..Default::default() }).await?;
    let clients: Vec<_> = listed.clients.iter().map(|c| c.id).collect();

    // Each professional's bookings follow one another from 08:00 (skipping
    // lunch); every sixth starts 15 minutes into the one before (an overlap
    // staff made), and the last of each runs after 20:00.
    let per_pro = (args.bookings as usize).div_ceil(professionals.len());
    let at = |minute: i64| -> anyhow::Result<Timestamp> {
        let start = day.to_zoned(zone.clone())?.timestamp();
        Ok(start + SignedDuration::from_mins(minute))
    };
    let mut bookings = Vec::new();
    for (p, pro) in professionals.iter().enumerate() {
        let mut cursor = 8 * 60;
        let mut previous = cursor;
        for n in 0..per_pro {
            if bookings.len() as u64 >= args.bookings {
                break;
            }
            let (service, minutes) = services[random.between(0, LENGTHS.len() as u64) as usize];
            let start = if n % 6 == 5 {
                previous + 15
            } else if n + 1 == per_pro {
                20 * 60
            } else {
                if (13 * 60..14 * 60).contains(&cursor) || (cursor < 13 * 60 && cursor + minutes > 13 * 60) {
                    cursor = 14 * 60;
                }
                cursor
            };
            let state = match random.between(0, 10) {
                0 => BookingState::Cancelled,
                1..=4 => BookingState::Pending,
                _ => BookingState::Confirmed,
            };
            bookings.push(Booking {
                id: BookingId::generate(),
                client: clients[(p * per_pro + n) % clients.len()],
                service,
                professional: Some(*pro),
                when: Some(Interval::new(at(start)?, at(start + minutes)?)?),
                state,
                payment: Payment::Unpaid,
                attendance: Attendance::Unknown,
                origin: Origin::Panel,
                created_by: None,
                created_at: Timestamp::now(),
                pack: None,
            });
            previous = start;
            if start == cursor {
                cursor += minutes;
            }
        }
    }
    let stored = store.import_bookings(&actor, bookings).await?;
    println!("business {slug:?}: {} professionals, {stored} bookings on {day}", professionals.len());
    Ok((actor, day, professionals[0]))
}
