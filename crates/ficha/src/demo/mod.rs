//! Demo data: a business that looks lived-in, made the same way on every run.
//!
//! It is loaded through the ordinary storage contract, with a store of its own
//! whose clock is stepped back in time, so registration dates spread over the
//! past two years as they would in a real business.

mod attention_notes;
mod bookings;
mod fields;
pub(crate) mod names;
mod notes;
pub mod random;

use std::sync::Arc;

use anyhow::Context;
use ficha_domain::fold::fold;
use ficha_domain::{Actor, BirthDate, ClientName, Email, FixedClock, NewClient, Phone, Role, Rut};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use crate::accounts::{self, Login};
use crate::connect::connect;
use names::{EMAIL_DOMAINS, FIRST_NAMES, SURNAMES};
use random::Random;

pub const DEFAULT_SLUG: &str = "demo";
pub const CLIENTS: usize = 240;
const SEED: u64 = 0x00F1_C4A0;

/// Creates the demo business in the database at `database_url` and returns
/// its logins.
pub async fn create(database_url: &str, slug: &str) -> anyhow::Result<Vec<Login>> {
    let now = Timestamp::now();
    let clock = Arc::new(FixedClock::at(now));
    let store = connect(database_url, clock.clone()).await?;
    let business = accounts::create_business(&*store, slug, "Clínica Alameda", "America/Santiago").await?;
    let actor = Actor::System { business: business.id };

    let mut logins = Vec::new();
    let mut team = Vec::new();
    let mut authors = Vec::new();
    for (name, email, role) in [
        ("Carolina Fuentes", format!("carolina@{slug}.ficha.cl"), Role::Owner),
        ("Dr. Andrés Ibáñez", format!("andres@{slug}.ficha.cl"), Role::Professional),
    ] {
        let (staff, password) = accounts::add_staff(&*store, &actor, name, &email, role, None).await?;
        team.push(staff.id);
        authors.push(Actor::Staff { business: business.id, staff: Some(staff.id), role });
        logins.push(Login { business: slug.to_owned(), email, password, role });
    }

    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let clients = demo_clients(SEED, CLIENTS, today);
    let two_years = SignedDuration::from_hours(24 * 730);
    let mut created = Vec::with_capacity(CLIENTS);
    fields::create(&*store, &actor).await?;
    let mut random = Random::seeded(SEED);
    for (i, client) in clients.into_iter().enumerate() {
        // Oldest first, so ids and registration times grow together.
        let age = two_years * (CLIENTS - i) as i32 / CLIENTS as i32;
        clock.set(now - age);
        let client = store.create_client(&actor, client).await.context("creating a demo client")?;
        fields::fill(&*store, &actor, client.id, &mut random).await?;
        created.push(client);
    }
    clock.set(now);
    let ids: Vec<_> = created.iter().map(|client| client.id).collect();
    let booked = match team[..] {
        [owner, professional] => {
            bookings::load(&*store, &actor, &bookings::Team { owner, professional }, &ids, now).await?
        }
        _ => Vec::new(),
    };
    // The demo's booking site, /reservar/<slug>, is open: every service is
    // bookable online (the column's default), new bookings start pending.
    let rules = ficha_domain::BookingRules { online: true, ..ficha_domain::BookingRules::default() };
    store.set_booking_rules(&actor, rules).await.context("opening the demo booking site")?;
    notes::add(&*store, &clock, &mut Random::seeded(SEED), &authors, &created, now).await?;
    attention_notes::add(&*store, &clock, &mut Random::seeded(SEED), &authors, &booked, now).await?;
    store.close().await;
    Ok(logins)
}

/// `count` distinct realistic clients, the same for the same seed.
pub fn demo_clients(seed: u64, count: usize, today: Date) -> Vec<NewClient> {
    let mut random = Random::seeded(seed);
    let mut emails = std::collections::HashSet::new();
    let mut clients = Vec::with_capacity(count);
    while clients.len() < count {
        let client = demo_client(&mut random, today);
        if emails.insert(client.email.key()) {
            clients.push(client);
        }
    }
    clients
}

fn demo_client(random: &mut Random, today: Date) -> NewClient {
    let number = random.between(1, 100);
    synthetic_client(random, today, number)
}

/// A realistic client whose email carries `number`: distinct numbers give
/// distinct emails, however many clients are made.
pub fn synthetic_client(random: &mut Random, today: Date, number: u64) -> NewClient {
    let first = random.pick(FIRST_NAMES);
    let (father, mother) = (random.pick(SURNAMES), random.pick(SURNAMES));
    let name = format!("{first} {father} {mother}");
    let local: String = format!("{}.{}", fold(first).replace(' ', ""), fold(father).replace([' ', '-'], ""));
    let email = format!("{local}{number}@{}", random.pick(EMAIL_DOMAINS));
    NewClient {
        name: ClientName::parse(&name).unwrap_or_else(|_| fallback_name()),
        email: Email::parse(&email).unwrap_or_else(|_| fallback_email(random)),
        phone: random.chance(85).then(|| mobile(random)).flatten(),
        rut: random.chance(80).then(|| rut(random)).flatten(),
        birth_date: random.chance(70).then(|| birth_date(random, today)).flatten(),
    }
}

/// A Chilean mobile, +56 9 XXXX XXXX.
fn mobile(random: &mut Random) -> Option<Phone> {
    Phone::parse(&format!("+569{}", random.between(30_000_000, 99_999_999))).ok()
}

fn rut(random: &mut Random) -> Option<Rut> {
    let body = random.between(5_000_000, 27_000_000) as u32;
    Rut::parse(&format!("{body}-{}", ficha_domain::rut::check_digit(body))).ok()
}

fn birth_date(random: &mut Random, today: Date) -> Option<BirthDate> {
    let date = Date::new(random.between(1940, 2016) as i16, random.between(1, 13) as i8, random.between(1, 29) as i8);
    date.ok().and_then(|d| BirthDate::new(d, today).ok())
}

fn fallback_name() -> ClientName {
    ClientName::parse("Cliente Demo").unwrap_or_else(|_| unreachable!("a fixed valid name"))
}

fn fallback_email(random: &mut Random) -> Email {
    Email::parse(&format!("cliente{}@demo.cl", random.next_u64()))
        .unwrap_or_else(|_| unreachable!("a fixed valid email"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn demo_clients_are_realistic_and_distinct() {
        let clients = demo_clients(SEED, CLIENTS, date(2026, 11, 22));
        assert_eq!(clients.len(), CLIENTS);
        let accented = clients.iter().filter(|c| c.name.as_str().chars().any(|ch| "áéíóúñÁÉÍÓÚÑ".contains(ch))).count();
        assert!(accented > CLIENTS / 2, "most names carry accents: {accented}");
        assert!(clients.iter().any(|c| c.name.as_str().contains("de la Fuente") || c.name.as_str().contains('-')));
        assert!(clients.iter().any(|c| c.phone.is_none()), "some have no phone");
        assert!(clients.iter().any(|c| c.rut.is_none()), "some have no RUT");
        assert!(clients.iter().filter_map(|c| c.phone.as_ref()).all(|p| p.e164().starts_with("+569")));
    }

    #[test]
    fn the_same_seed_gives_the_same_clients() {
        let today = date(2026, 11, 22);
        assert_eq!(demo_clients(3, 20, today), demo_clients(3, 20, today));
    }
}
