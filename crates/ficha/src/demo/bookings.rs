//! The demo business's calendar: services (two of them packs), the two
//! professionals' agendas, and about four months of bookings around today in
//! every state, some paid, some missed, some pack sessions still to schedule.
//!
//! The bookings are laid out here, slot by slot in each agenda's working
//! time (so none overlap), and stored in one batch; the services and agendas
//! go through the ordinary store calls.

use anyhow::Context;
use ficha_domain::availability::working_intervals;
use ficha_domain::{
    Actor, Agenda, Attendance, Booking, BookingId, BookingState, ClientId, Clp, DayHours, Interval, Minutes,
    NewService, Origin, PackId, PackPlace, Payment, PaymentMethod, Service, ServiceName, Sessions, StaffId, TimeRange,
};
use ficha_store::Store;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp};

use super::random::Random;

/// Days of bookings before and after today.
const DAYS_BEFORE: i64 = 90;
const DAYS_AFTER: i64 = 30;

/// The demo's two professionals.
pub struct Team {
    pub owner: StaffId,
    pub professional: StaffId,
}

fn hours(ranges: &[(&str, &str)]) -> anyhow::Result<DayHours> {
    let ranges = ranges.iter().map(|(s, e)| TimeRange::parse(s, e)).collect::<Result<Vec<_>, _>>()?;
    Ok(DayHours::new(ranges)?)
}

/// Monday to Friday `weekday`, Saturday `saturday`, Sundays off.
fn agenda(weekday: &[(&str, &str)], saturday: &[(&str, &str)]) -> anyhow::Result<Agenda> {
    let day = hours(weekday)?;
    let weekly = [day.clone(), day.clone(), day.clone(), day.clone(), day, hours(saturday)?, DayHours::default()];
    Ok(Agenda::new(weekly, Default::default())?)
}

fn service(name: &str, minutes: i64, pesos: i64, sessions: i64, by: &[StaffId]) -> anyhow::Result<NewService> {
    Ok(NewService {
        name: ServiceName::parse(name)?,
        duration: Minutes::new(minutes)?,
        price: Clp::new(pesos)?,
        sessions: Sessions::new(sessions)?,
        professionals: by.iter().copied().collect(),
    })
}

/// Stores the services, the agendas and the bookings.
pub async fn load(
    store: &dyn Store,
    actor: &Actor,
    team: &Team,
    clients: &[ClientId],
    now: Timestamp,
) -> anyhow::Result<Vec<Booking>> {
    let both = [team.owner, team.professional];
    let services = [
        service("Consulta kinesiológica", 45, 25_000, 1, &both)?,
        service("Masaje descontracturante", 60, 30_000, 1, &[team.owner])?,
        service("Evaluación inicial", 30, 15_000, 1, &[team.professional])?,
        service("Pack 10 sesiones de kinesiología", 45, 220_000, 10, &[team.professional])?,
        service("Pack 5 sesiones de drenaje linfático", 60, 120_000, 5, &[team.owner])?,
    ];
    let mut stored = Vec::new();
    for new in services {
        stored.push(store.create_service(actor, new).await.context("creating a demo service")?);
    }
    let agendas = [
        (team.owner, agenda(&[("09:00", "13:00"), ("14:00", "18:00")], &[("10:00", "14:00")])?),
        (team.professional, agenda(&[("08:30", "13:30"), ("15:00", "19:00")], &[])?),
    ];
    for (staff, agenda) in &agendas {
        store.set_agenda(actor, *staff, agenda.clone()).await.context("setting a demo agenda")?;
    }
    let zone = TimeZone::get("America/Santiago")?;
    let bookings = lay_out(&mut Random::seeded(0xB00C), &stored, &agendas, clients, now, &zone);
    store.import_bookings(actor, bookings.clone()).await.context("storing the demo bookings")?;
    Ok(bookings)
}

/// The demo calendar, the same for the same seed and day.
pub fn lay_out(
    random: &mut Random,
    services: &[Service],
    agendas: &[(StaffId, Agenda)],
    clients: &[ClientId],
    now: Timestamp,
    zone: &TimeZone,
) -> Vec<Booking> {
    let today = now.to_zoned(zone.clone()).date();
    let mut bookings = Vec::new();
    if clients.is_empty() {
        return bookings;
    }
    packs(random, &mut bookings, services, clients, now, zone);
    for offset in -DAYS_BEFORE..=DAYS_AFTER {
        let Ok(date) = today.checked_add(Span::new().days(offset)) else { continue };
        for (staff, agenda) in agendas {
            let offered: Vec<&Service> =
                services.iter().filter(|s| s.performed_by(*staff) && !s.sessions.is_pack()).collect();
            day_of(
                random,
                &mut bookings,
                DayPlan { date, staff: *staff, agenda, offered: &offered, clients, now, zone },
            );
        }
    }
    bookings
}

/// Whether `staff` already has a booking that overlaps `when`.
fn taken(bookings: &[Booking], staff: StaffId, when: Interval) -> bool {
    bookings.iter().any(|b| b.professional == Some(staff) && b.occupies().is_some_and(|o| o.overlaps(&when)))
}

struct DayPlan<'a> {
    date: Date,
    staff: StaffId,
    agenda: &'a Agenda,
    offered: &'a [&'a Service],
    clients: &'a [ClientId],
    now: Timestamp,
    zone: &'a TimeZone,
}

/// Fills about half of a professional's working time on one day.
fn day_of(random: &mut Random, bookings: &mut Vec<Booking>, plan: DayPlan<'_>) {
    if plan.offered.is_empty() {
        return;
    }
    for working in working_intervals(plan.agenda, plan.date, plan.zone) {
        let mut start = working.start();
        loop {
            let service = *random.pick(plan.offered);
            let Ok(end) = start.checked_add(service.duration.duration()) else { break };
            if end > working.end() {
                break;
            }
            if random.chance(55)
                && let Ok(when) = Interval::new(start, end)
                && !taken(bookings, plan.staff, when)
            {
                let client = *random.pick(plan.clients);
                bookings.push(dated(random, service, plan.staff, client, when, plan.now));
                start = end;
            } else {
                start = start.checked_add(SignedDuration::from_mins(15)).unwrap_or(working.end());
            }
        }
    }
}

/// A booking at `when`, in a state that fits its time.
fn dated(
    random: &mut Random,
    service: &Service,
    staff: StaffId,
    client: ClientId,
    when: Interval,
    now: Timestamp,
) -> Booking {
    // Booked some days (0–21) and hours before the appointment; one still
    // ahead was booked over the past days, never at `now` (the moment the
    // demo is seeded), or every client would show it as "Última reserva".
    let lead = SignedDuration::from_mins(60 * 24 * random.between(0, 21) as i64 + random.between(30, 600) as i64);
    let latest = now - SignedDuration::from_mins(random.between(20, 60 * 24 * 10) as i64);
    let created_at = (when.start() - lead).min(latest);
    let past = when.start() < now;
    let state = match (past, random.between(0, 100)) {
        (_, 0..=7) => BookingState::Cancelled,
        (true, _) | (false, 8..=59) => BookingState::Confirmed,
        (false, _) => BookingState::Pending,
    };
    let attendance = match (past && state != BookingState::Cancelled, random.between(0, 100)) {
        (true, 0..=6) => Attendance::NoShow,
        (true, 7..=95) => Attendance::Attended,
        _ => Attendance::Unknown,
    };
    let paid_on = when.start().to_zoned(TimeZone::UTC).date();
    let payment = if attendance == Attendance::Attended && random.chance(85) {
        let method = *random.pick(PaymentMethod::ALL);
        Payment::Paid { amount: service.price.get().max(1), method, date: paid_on }
    } else {
        Payment::Unpaid
    };
    Booking {
        id: BookingId::generate(),
        client,
        service: service.id,
        professional: Some(staff),
        when: Some(when),
        state,
        payment,
        attendance,
        origin: if random.chance(30) { Origin::BookingSite } else { Origin::Panel },
        created_by: None,
        created_at,
        pack: None,
    }
}

/// A dozen clients bought a pack: the sessions done are behind them
/// (weekly, attended), the rest still "por reservar".
fn packs(
    random: &mut Random,
    bookings: &mut Vec<Booking>,
    services: &[Service],
    clients: &[ClientId],
    now: Timestamp,
    zone: &TimeZone,
) {
    let packs: Vec<&Service> = services.iter().filter(|s| s.sessions.is_pack()).collect();
    let today = now.to_zoned(zone.clone()).date();
    if packs.is_empty() {
        return;
    }
    for purchase in 0..12_i64 {
        let service = *random.pick(&packs);
        let client = *random.pick(clients);
        let Some(&staff) = service.professionals.iter().next() else { continue };
        let pack = PackId::generate();
        let size = service.sessions.get();
        let done = random.between(0, size as u64) as i64;
        let first_day = today.checked_sub(Span::new().days(7 * done + purchase % 5)).unwrap_or(today);
        let bought = session_start(first_day, 9 + purchase % 3, zone).unwrap_or(now) - SignedDuration::from_hours(48);
        for number in 1..=size {
            let when = (number <= done)
                .then(|| {
                    let day = first_day.checked_add(Span::new().days(7 * (number - 1))).ok()?;
                    let start = session_start(day, 9 + purchase % 3, zone)?;
                    Interval::new(start, start.checked_add(service.duration.duration()).ok()?).ok()
                })
                .flatten()
                .filter(|when| !taken(bookings, staff, *when));
            let payment = if number == 1 {
                let date = bought.to_zoned(zone.clone()).date();
                Payment::Paid { amount: service.price.get().max(1), method: PaymentMethod::Transfer, date }
            } else {
                Payment::Unpaid
            };
            bookings.push(Booking {
                id: BookingId::generate(),
                client,
                service: service.id,
                professional: when.map(|_| staff),
                when,
                state: BookingState::Confirmed,
                payment,
                attendance: if when.is_some() { Attendance::Attended } else { Attendance::Unknown },
                origin: Origin::Panel,
                created_by: None,
                created_at: bought,
                pack: Some(PackPlace { pack, number, of: size }),
            });
        }
    }
}

/// `hour`:00 on `day` in the business's zone.
fn session_start(day: Date, hour: i64, zone: &TimeZone) -> Option<Timestamp> {
    let hour = i8::try_from(hour).ok()?;
    day.at(hour, 0, 0, 0).to_zoned(zone.clone()).ok().map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn staff_service(name: &str, sessions: i64, by: StaffId) -> Service {
        Service {
            id: ficha_domain::ServiceId::generate(),
            name: ServiceName::parse(name).expect("valid"),
            duration: Minutes::new(45).expect("valid"),
            price: Clp::new(25_000).expect("valid"),
            sessions: Sessions::new(sessions).expect("valid"),
            professionals: [by].into(),
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_demo_calendar_has_every_state_and_no_overlaps() {
        let staff = StaffId::generate();
        let services = [staff_service("Consulta", 1, staff), staff_service("Pack", 5, staff)];
        let agendas = [(staff, agenda(&[("09:00", "13:00"), ("14:00", "18:00")], &[]).expect("valid"))];
        let clients: Vec<ClientId> = (0..30).map(|_| ClientId::generate()).collect();
        let now: Timestamp = "2026-06-10T15:00:00Z".parse().expect("time");
        let zone = TimeZone::get("America/Santiago").expect("zone");
        let bookings = lay_out(&mut Random::seeded(1), &services, &agendas, &clients, now, &zone);

        let states: HashSet<_> = bookings.iter().map(|b| b.state).collect();
        assert_eq!(states.len(), 3, "pending, confirmed and cancelled");
        assert!(bookings.iter().any(|b| b.attendance == Attendance::NoShow));
        assert!(bookings.iter().any(|b| matches!(b.payment, Payment::Paid { .. })));
        assert!(bookings.iter().any(|b| b.when.is_none()), "some pack sessions por reservar");
        assert!(
            bookings.iter().all(|b| b.attendance == Attendance::Unknown || b.when.is_some_and(|w| w.start() < now))
        );
        // Each booking was made before its appointment and before now, and
        // the clients' last bookings are spread out, not the seeding moment.
        assert!(bookings.iter().all(|b| b.created_at < now && b.when.is_none_or(|w| b.created_at < w.start())));
        let mut last_made: std::collections::HashMap<ClientId, Timestamp> = std::collections::HashMap::new();
        for b in &bookings {
            let at = last_made.entry(b.client).or_insert(b.created_at);
            *at = (*at).max(b.created_at);
        }
        let distinct: HashSet<Timestamp> = last_made.values().copied().collect();
        assert!(distinct.len() * 10 >= last_made.len() * 9, "{} of {}", distinct.len(), last_made.len());
        assert!(last_made.values().all(|at| *at <= now - SignedDuration::from_mins(20)));
        let mut dated: Vec<Interval> = bookings.iter().filter_map(Booking::occupies).collect();
        dated.sort();
        assert!(dated.windows(2).all(|pair| !pair[0].overlaps(&pair[1])), "one professional, never double-booked");
    }
}
