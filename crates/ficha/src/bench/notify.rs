//! `ficha bench-notify`: the outbox's two figures of docs/performance.md.
//!
//! 1. Throughput: `messages` account messages written to the outbox, then
//!    the worker (the same one `serve` runs, with the transports the flags
//!    configure: point `--smtp-url` at a local SMTP sink) sends them all;
//!    messages per second from the first claim to the last mark.
//! 2. What a booking write pays for its messages: `bookings` bookings made
//!    through the store (each writes its confirmation email and a reminder
//!    in its transaction), then each confirmed and marked paid. Confirming
//!    and marking paid run the same booking flow (read, update, history);
//!    only the confirmation writes a message, so their difference is the
//!    outbox's share of a write.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ficha_domain::{
    Actor, Agenda, BookingState, Clp, Email, Minutes, NewService, NoticeKind, Origin, Payment, PaymentMethod,
    ServiceName, Sessions, SystemClock,
};
use ficha_store::{AccountMessage, BookingChange, MessageQuery, NewBooking, Store};
use jiff::{SignedDuration, Timestamp};

use super::{percentile, print_row};
use crate::accounts;
use crate::cli::NotifyArgs;
use crate::connect::connect;
use crate::demo::random::Random;
use crate::demo::synthetic_client;
use crate::notify::{DEFAULT_PUBLIC_URL, notifier};

pub struct NotifyBenchArgs {
    pub database_url: String,
    pub messages: u64,
    pub bookings: u64,
    pub notify: NotifyArgs,
}

pub async fn run(args: NotifyBenchArgs) -> anyhow::Result<()> {
    let clock = Arc::new(SystemClock);
    let store = connect(&args.database_url, clock.clone()).await?;
    let slug = format!("bench-notify-{}", Timestamp::now().as_second());
    let business = accounts::create_business(&*store, &slug, "Benchmark avisos", "America/Santiago").await?;
    let actor = Actor::System { business: business.id };

    throughput(&store, &actor, &args, clock).await?;
    booking_writes(&*store, &actor, args.bookings).await?;
    store.close().await;
    Ok(())
}

async fn throughput(
    store: &Arc<dyn Store>,
    actor: &Actor,
    args: &NotifyBenchArgs,
    clock: Arc<SystemClock>,
) -> anyhow::Result<()> {
    let notifier = notifier(&args.notify, &args.database_url, DEFAULT_PUBLIC_URL, store.clone(), clock)?;
    let started = Instant::now();
    for n in 0..args.messages {
        let message = AccountMessage {
            kind: NoticeKind::SignInLink,
            key: format!("bench-{n}"),
            client: None,
            email: Email::parse(&format!("cliente{n}@bench.ficha.cl"))?,
            client_name: format!("Cliente {n}"),
            link: format!("/reservar/bench/entrar?token={n:016x}"),
            code: Some(format!("{:06}", n % 1_000_000)),
        };
        store.send_account_message(actor.business(), message).await?;
    }
    println!("wrote {} messages to the outbox in {:.2} s", args.messages, started.elapsed().as_secs_f64());

    println!("sending through {}", notifier.email);
    let started = Instant::now();
    let mut sent = 0;
    loop {
        let claimed = notifier.worker.drain().await?;
        if claimed == 0 {
            break;
        }
        sent += claimed;
    }
    let took = started.elapsed();
    let failed = MessageQuery { status: Some(ficha_domain::MessageStatus::Failed), limit: 100, ..Default::default() };
    let failures = store.messages(actor, &failed).await?.messages.len();
    println!(
        "outbox → transport: {sent} messages in {:.2} s = {:.0} messages/s ({failures} failed)",
        took.as_secs_f64(),
        sent as f64 / took.as_secs_f64()
    );
    Ok(())
}

async fn booking_writes(store: &dyn Store, actor: &Actor, bookings: u64) -> anyhow::Result<()> {
    let (staff, _) =
        accounts::add_staff(store, actor, "Profesional Bench", "pro@bench.ficha.cl", ficha_domain::Role::Owner, None)
            .await?;
    // Bookings "fuera de horario": the agenda stays closed, its check is
    // not what is measured.
    store.set_agenda(actor, staff.id, Agenda::closed()).await?;
    let service = store
        .create_service(
            actor,
            NewService {
                name: ServiceName::parse("Consulta")?,
                duration: Minutes::new(30)?,
                price: Clp::new(25_000)?,
                sessions: Sessions::new(1)?,
                professionals: [staff.id].into(),
            },
        )
        .await?;
    let today = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut random = Random::seeded(5);
    let clients: Vec<_> = (0..bookings).map(|n| synthetic_client(&mut random, today, n)).collect();
    store.import_clients(actor, clients).await?;
    let listed = store
        .list_clients(actor, &ficha_store::ListQuery { limit: bookings.min(1000) as u32, ..Default::default() })
        .await?;
    let first = Timestamp::now().saturating_add(SignedDuration::from_hours(48))?;
    let (mut book, mut confirm, mut pay) = (Vec::new(), Vec::new(), Vec::new());
    for n in 0..bookings {
        let client = listed.clients[(n as usize) % listed.clients.len()].id;
        let start = first.saturating_add(SignedDuration::from_mins(30 * n as i64))?;
        let new = NewBooking {
            client,
            service: service.id,
            professional: Some(staff.id),
            start: Some(start),
            end: None,
            state: BookingState::Pending,
            origin: Origin::Panel,
            override_agenda: true,
        };
        let lap = Instant::now();
        let booked = store.book(actor, new).await?;
        book.push(lap.elapsed());
        let id = booked[0].id;
        let lap = Instant::now();
        store.change_booking(actor, id, BookingChange::Confirm).await?;
        confirm.push(lap.elapsed());
        let paid = Payment::Paid { amount: 25_000, method: PaymentMethod::Debit, date: today };
        let lap = Instant::now();
        store.change_booking(actor, id, BookingChange::Payment(paid)).await?;
        pay.push(lap.elapsed());
    }
    println!("\nbooking writes ({bookings} each)");
    println!("{:<18} {:>6} {:>9} {:>9} {:>9}", "write", "count", "p50 ms", "p95 ms", "p99 ms");
    print_row("book (2 messages)", &book);
    print_row("confirm (1)", &confirm);
    print_row("pay (none)", &pay);
    let ms = |times: &[Duration], p| percentile(times, p).as_secs_f64() * 1000.0;
    println!(
        "messages' share of a write: p50 {:+.2} ms, p99 {:+.2} ms (confirm − pay)",
        ms(&confirm, 0.5) - ms(&pay, 0.5),
        ms(&confirm, 0.99) - ms(&pay, 0.99)
    );
    Ok(())
}
