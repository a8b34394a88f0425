//! One slot raced over every instance through the API: 36 clients booked
//! at the same moment for the same professional and time, twelve requests
//! through each instance. One booking is made; every other request is 409
//! `slot_taken` naming it (the documented conflict), and its client has no
//! booking. Then the 35 book a time each, all at once again, so the
//! instances' outbox workers have a booking email each to share.

use super::super::site_race::in_two_days_at_ten;
use super::*;

/// Requests in the race, spread round the instances.
const RACERS: usize = 36;

/// What the race came to, for the figures.
pub(crate) struct Race {
    pub(crate) racers: usize,
    pub(crate) won: usize,
    pub(crate) refused: usize,
    /// From the threads setting out to the last answer.
    pub(crate) answered: Duration,
    /// Booking emails the race and the bookings after it wrote.
    pub(crate) emails: usize,
}

/// A booking's body for `client` at `start`.
fn booking(setup: &Setup, client: &str, start: &str) -> String {
    format!(
        r#"{{"client_id":"{client}","service_id":"{}","professional_id":"{}","start":"{start}"}}"#,
        setup.service, setup.professional
    )
}

/// The `n`th free half hour from three days on: 24 a day, 08:00 to 19:30
/// in Santiago (after the race's day, so none is its slot).
fn own_slot(n: usize) -> String {
    let zone = jiff::tz::TimeZone::get("America/Santiago").expect("zone");
    let today = jiff::Timestamp::now().to_zoned(zone.clone()).date();
    let days = i64::try_from(3 + n / 24).expect("a few days");
    let day = today.checked_add(jiff::Span::new().days(days)).expect("a date");
    let minutes = 8 * 60 + 30 * (n % 24);
    let (hour, minute) = (i8::try_from(minutes / 60).expect("hour"), i8::try_from(minutes % 60).expect("minute"));
    day.at(hour, minute, 0, 0).to_zoned(zone).expect("a time").timestamp().to_string()
}

/// `request(n)` for every `n` in `0..count`, each on its own thread, all
/// released at once; the answers in order.
fn together<T: Send>(count: usize, request: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let start_line = std::sync::Barrier::new(count);
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..count)
            .map(|n| {
                let (start_line, request) = (&start_line, &request);
                scope.spawn(move || {
                    start_line.wait();
                    request(n)
                })
            })
            .collect();
        threads.into_iter().map(|thread| thread.join().expect("a request thread")).collect()
    })
}

/// `POST /api/v1/bookings` with `bodies[n]` through instance `n % 3`, all
/// at once: (status, body) in order.
fn book_all(ring: Ring<'_>, token: &str, bodies: &[String]) -> Vec<(u16, String)> {
    together(bodies.len(), |n| {
        let (status, _, body) = api(ring.at(n), "POST", "/api/v1/bookings", Some(&bodies[n]), token);
        (status, body)
    })
}

pub(crate) fn one_slot_raced_over_every_instance_is_booked_once(cluster: &Cluster, token: &str, setup: &Setup) -> Race {
    let ring = cluster.ring();
    let clients: Vec<String> = together(RACERS, |n| {
        let body = format!(r#"{{"name":"Persona {n} Carrera","email":"persona{n}@correo.cl"}}"#);
        let (status, _, body) = api(ring.at(n), "POST", "/api/v1/clients", Some(&body), token);
        assert_eq!(status, 201, "{body}");
        json(&body)["id"].as_str().expect("client id").to_owned()
    });

    let start = in_two_days_at_ten();
    let bodies: Vec<String> = clients.iter().map(|client| booking(setup, client, &start)).collect();
    let released = Instant::now();
    let answers = book_all(ring, token, &bodies);
    let answered = released.elapsed();
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    let winners: Vec<usize> = (0..RACERS).filter(|n| statuses[*n] == 201).collect();
    assert_eq!(winners.len(), 1, "exactly one booking: {statuses:?}\nlogs:\n{}", cluster.logs());
    let winner = winners[0];
    let booked = json(&answers[winner].1)["items"][0].clone();
    let booking_id = booked["id"].as_str().expect("booking id");
    assert_eq!(booked["client_id"].as_str(), Some(clients[winner].as_str()), "{booked}");
    for (n, (status, body)) in answers.iter().enumerate().filter(|(n, _)| *n != winner) {
        assert_eq!(*status, 409, "racer {n}: {body}");
        let problem = json(body);
        assert_eq!(problem["code"], "slot_taken", "racer {n}: {body}");
        assert_eq!(problem["conflicting_booking_id"].as_str(), Some(booking_id), "racer {n}: {body}");
    }

    // The losers' clients have no booking, asked of each instance in turn.
    let losers: Vec<&String> = clients.iter().enumerate().filter(|(n, _)| *n != winner).map(|(_, c)| c).collect();
    together(losers.len(), |n| {
        let path = format!("/api/v1/clients/{}/bookings", losers[n]);
        let (status, _, body) = api(ring.at(n), "GET", &path, None, token);
        assert_eq!(status, 200, "{body}");
        assert_eq!(json(&body)["items"].as_array().map(Vec::len), Some(0), "a refused racer booked: {body}");
    });

    // Each loser books a time of its own, all at once: 35 commits on three
    // instances, each with its email to send.
    let bodies: Vec<String> =
        losers.iter().enumerate().map(|(n, client)| booking(setup, client, &own_slot(n))).collect();
    let afterwards = book_all(ring, token, &bodies);
    for (status, body) in &afterwards {
        assert_eq!(*status, 201, "a free time is booked: {body}");
    }
    Race { racers: RACERS, won: 1, refused: RACERS - 1, answered, emails: 1 + afterwards.len() }
}
