//! Three `ficha serve` processes on one PostgreSQL database, as an operator
//! runs them behind a load balancer without sticky sessions
//! (docs/scale-out.md, "Running N app instances"), each request sent to
//! whichever instance the test picks:
//!
//! - a staff session made on one is valid on the others (API and panel), an
//!   API token made on one works on all, and a client's Mi cuenta sign-in
//!   asked on one, finished on another, is open on the third
//!   (`sessions.rs`);
//! - a client edited on one is found by the API search of another at once
//!   (`search.rs`);
//! - 36 API bookings of one slot, spread over the three, make one booking;
//!   the other 35 get 409 `slot_taken` naming it and wrote nothing
//!   (`race.rs`);
//! - "Cerrar sesión en todos los dispositivos" on one, and a password reset
//!   (`ficha staff set-password`), end that account's sessions on all;
//! - every message those requests (and a burst written meanwhile) put in
//!   the outbox reaches the SMTP server exactly once, though each instance
//!   runs the outbox worker.

mod race;
mod search;
mod sessions;

use super::api_email::{http_with, json};
use super::site_race::bookable;
use super::*;

/// The instances' names: their logs and their `--mail-from`.
const NAMES: [&str; 3] = ["a", "b", "c"];
/// The business the test makes (before any instance starts, so none makes
/// a first one).
pub(crate) const SLUG: &str = "varias";
/// What the test's staff sign in with.
pub(crate) const PASSWORD: &str = "una clave de prueba";
pub(crate) const OWNER: &str = "duena@varias.cl";
pub(crate) const PROFESSIONAL: &str = "leo@varias.cl";
/// Account messages written straight to the outbox while the instances
/// serve, so their three workers have a burst to share.
const BURST: usize = 150;

/// The running instances and where each listens.
pub(crate) struct Cluster {
    instances: Vec<Ficha>,
    addresses: Vec<String>,
}

impl Cluster {
    /// Starts every instance, then waits for each to listen (they start
    /// side by side, as after a deploy).
    fn start(database_url: &str, smtp_url: &str, logs: &std::path::Path) -> Self {
        let mut instances: Vec<Ficha> = NAMES
            .iter()
            .map(|name| {
                let from = format!("instancia-{name}@ficha.test");
                let args = ["serve", "--listen", "127.0.0.1:0", "--smtp-url", smtp_url, "--mail-from", from.as_str()];
                Ficha::start(database_url, &args, logs.join(format!("{name}.log")))
            })
            .collect();
        let addresses = instances
            .iter_mut()
            .map(|instance| {
                let (line, _) = instance.wait_for_line("Ficha escuchando en http://", Duration::from_secs(60));
                let address = line.trim_start_matches("Ficha escuchando en http://").split_whitespace().next();
                address.expect("an address").to_owned()
            })
            .collect();
        Self { instances, addresses }
    }

    /// The `n`th instance's address, round the ring.
    pub(crate) fn at(&self, n: usize) -> &str {
        self.ring().at(n)
    }

    /// The addresses alone, for threads (the processes stay here).
    pub(crate) fn ring(&self) -> Ring<'_> {
        Ring(&self.addresses)
    }

    pub(crate) fn all(&self) -> impl Iterator<Item = (&'static str, &str)> {
        NAMES.into_iter().zip(self.addresses.iter().map(String::as_str))
    }

    pub(crate) fn logs(&self) -> String {
        self.instances.iter().map(Ficha::log_text).collect::<Vec<_>>().join("\n---\n")
    }
}

/// The instances' addresses: request `n` of a run goes to instance `n % 3`,
/// as a round-robin balancer sends it.
#[derive(Clone, Copy)]
pub(crate) struct Ring<'a>(&'a [String]);

impl<'a> Ring<'a> {
    pub(crate) fn at(self, n: usize) -> &'a str {
        &self.0[n % self.0.len()]
    }
}

/// The value `name=secret` of the cookie a response sets, if it sets one.
pub(crate) fn set_cookie(head: &str, name: &str) -> Option<String> {
    head.lines()
        .filter_map(|line| line.split_once(':'))
        .filter(|(header, _)| header.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, value)| value.trim().split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// A response header's value, by case-insensitive name.
pub(crate) fn header(head: &str, name: &str) -> Option<String> {
    head.lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(header, _)| header.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.trim().to_owned())
}

/// An API request with a Bearer token and a JSON body.
pub(crate) fn api(address: &str, method: &str, path: &str, body: Option<&str>, token: &str) -> (u16, String, String) {
    let bearer = format!("Bearer {token}");
    http_with(address, method, path, body.map(|b| ("application/json", b)), &[("Authorization", &bearer)])
}

/// The business and what the races need: a professional open every day
/// 08:00–20:00 with a 30-minute service (`site_race::bookable`), an owner
/// and a professional who sign in, reminders off (so every message is due
/// now and the outbox can be seen empty).
pub(crate) struct Setup {
    pub(crate) service: String,
    pub(crate) professional: String,
    pub(crate) owner_id: String,
    pub(crate) leo_id: String,
}

fn set_up(runtime: &tokio::runtime::Runtime, store: &dyn Store, actor: &Actor) -> Setup {
    use ficha_domain::{ClientName, NewStaff, NotificationSettings, ReminderLead, Role};
    let (service, professional) = bookable(runtime, store, actor);
    let hash = ficha_web::auth::password::hash(PASSWORD).expect("a hash");
    let staff = |name: &str, email: &str, role: Role| NewStaff {
        name: ClientName::parse(name).expect("valid"),
        email: Email::parse(email).expect("valid"),
        role,
        password_hash: hash.clone(),
    };
    runtime.block_on(async {
        let owner = store.create_staff(actor, staff("Paz Varas", OWNER, Role::Owner)).await.expect("owner");
        let leo = store.create_staff(actor, staff("Leo Díaz", PROFESSIONAL, Role::Professional)).await.expect("pro");
        let settings = NotificationSettings { reminder_lead: ReminderLead::Off, ..NotificationSettings::default() };
        store.set_notification_settings(actor, settings).await.expect("settings");
        Setup { service, professional, owner_id: owner.id.to_string(), leo_id: leo.id.to_string() }
    })
}

/// How long each step took, for the figures.
struct Laps {
    started: Instant,
    last: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl Laps {
    fn new() -> Self {
        let now = Instant::now();
        Self { started: now, last: now, laps: Vec::new() }
    }

    fn lap(&mut self, step: &'static str) {
        let now = Instant::now();
        self.laps.push((step, now - self.last));
        self.last = now;
    }
}

impl std::fmt::Display for Laps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let steps: Vec<String> =
            self.laps.iter().map(|(step, took)| format!("{step} {:.1} s", took.as_secs_f64())).collect();
        write!(f, "{}; {:.1} s in all", steps.join(", "), (self.last - self.started).as_secs_f64())
    }
}

#[test]
pub(crate) fn three_instances_on_one_postgres_share_sessions_bookings_search_and_the_outbox() {
    let test = "three_instances_on_one_postgres_share_sessions_bookings_search_and_the_outbox";
    let mut laps = Laps::new();
    let Some(sink) = SmtpSink::start(test) else { return };
    let runtime = runtime();
    let Some(database) = Database::create(Backend::Postgres, &runtime) else { return };
    let logs = tempfile::tempdir().expect("temp dir");
    let store = database.open(&runtime);
    let actor = create_business(&runtime, &*store, SLUG);
    let setup = set_up(&runtime, &*store, &actor);
    laps.lap("SMTP server, database, business");

    let cluster = Cluster::start(database.url(), &sink.url(), logs.path());
    laps.lap("listening");
    let token = sessions::staff_sessions_and_tokens_work_on_every_instance(&cluster, &setup);
    laps.lap("sessions");
    let searched = search::an_edit_on_one_is_found_on_the_others_at_once(&cluster, &token);
    laps.lap("search");
    // The burst is written while the race runs: three workers, woken by
    // pg_notify, share it with the race's own messages.
    let race = std::thread::scope(|scope| {
        scope.spawn(|| write_messages(&runtime, &*store, actor.business(), 0..BURST));
        race::one_slot_raced_over_every_instance_is_booked_once(&cluster, &token, &setup)
    });
    laps.lap("race");
    sessions::a_client_signs_in_across_instances(&cluster, &sink, &searched);
    laps.lap("mi cuenta");
    sessions::signing_out_everywhere_on_one_ends_sessions_on_all(&cluster, &setup);
    laps.lap("sign-out everywhere");
    sessions::a_password_reset_ends_sessions_on_all(&cluster, &setup, database.url());
    laps.lap("password reset");

    wait_until_all_sent(&runtime, &*store, &actor, || cluster.logs());
    laps.lap("outbox drained");
    let mut cluster = cluster;
    for instance in &mut cluster.instances {
        assert!(instance.stop(Duration::from_secs(20)).success(), "{}", instance.log_text());
    }
    laps.lap("stopped");

    // Every message is marked sent only after the SMTP server answered, and
    // all are sent: nothing more can arrive.
    let received = sink.received();
    let tally = Tally::of(&received);
    let stored = outbox(&runtime, &*store, &actor);
    let mut by_instance: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_recipient_and_subject: BTreeMap<(String, String), usize> = BTreeMap::new();
    for message in &received {
        *by_instance.entry(message.sender().unwrap_or_default()).or_default() += 1;
        let subject = message.header("Subject").unwrap_or_default();
        for recipient in &message.rcpt_to {
            *by_recipient_and_subject.entry((recipient.clone(), subject.clone())).or_default() += 1;
        }
    }
    let expected = BURST + race.emails + 1;
    let figures = format!(
        "three instances on PostgreSQL: race of {} bookings: {} won, {} refused, answered in {} ms; outbox: {} \
         messages (race {}, burst {BURST}, sign-in 1), received {}, distinct {}, duplicates {}; sent by instance \
         {by_instance:?}; {laps}",
        race.racers,
        race.won,
        race.refused,
        race.answered.as_millis(),
        stored.ids.len(),
        race.emails,
        tally.received,
        tally.distinct,
        tally.duplicates,
    );
    let _ = std::io::stderr().write_all(format!("{figures}\n").as_bytes());

    assert_eq!(stored.ids.len(), expected, "what the test caused, and nothing else: {figures}");
    assert_eq!(stored.by_status.get("sent"), Some(&expected), "{:?}; {figures}", stored.by_status);
    let at_sink: HashSet<String> = received.iter().filter_map(Received::message_id).collect();
    assert_eq!(at_sink, stored.ids, "the SMTP server got exactly the outbox's messages; {figures}");
    assert_eq!((tally.received, tally.duplicates), (expected, 0), "each message once: {figures}");
    let repeated: Vec<_> = by_recipient_and_subject.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.is_empty(), "one email per recipient and subject: {repeated:?}; {figures}");
    assert_eq!(by_recipient_and_subject.len(), expected, "{figures}");

    drop(cluster);
    runtime.block_on(store.close());
    database.finish(&runtime);
}
