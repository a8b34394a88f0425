//! Clients racing for one slot on the booking site, through two `ficha
//! serve` instances on one PostgreSQL: exactly one booking, one
//! confirmation email (and one reminder waiting); every other client told in Spanish to pick another
//! time, and nothing of theirs written.

use ficha_domain::{
    Agenda, BookingRules, ClientName, Clp, DayHours, Minutes, NewService, NewStaff, Role, ServiceName, Sessions,
    TimeRange,
};

use super::api_email::http_typed;
use super::*;

/// Clients in the race, half through each instance (under the site's limit
/// of bookings per address: they all come from 127.0.0.1).
const RACERS: usize = 16;

/// A professional open 08:00–20:00 every day with a 30-minute service.
pub(crate) fn bookable(runtime: &tokio::runtime::Runtime, store: &dyn Store, actor: &Actor) -> (String, String) {
    runtime.block_on(async {
        let staff = NewStaff {
            name: ClientName::parse("Andrés Ibáñez").expect("valid"),
            email: Email::parse("andres@carrera.cl").expect("valid"),
            role: Role::Professional,
            password_hash: "no-login".into(),
        };
        let pro = store.create_staff(actor, staff).await.expect("staff").id;
        let day = || DayHours::new(vec![TimeRange::parse("08:00", "20:00").expect("range")]).expect("hours");
        let agenda =
            Agenda::new([day(), day(), day(), day(), day(), day(), day()], Default::default()).expect("agenda");
        store.set_agenda(actor, pro, agenda).await.expect("agenda set");
        let service = NewService {
            name: ServiceName::parse("Consulta").expect("valid"),
            duration: Minutes::new(30).expect("valid"),
            price: Clp::new(25_000).expect("valid"),
            sessions: Sessions::new(1).expect("valid"),
            professionals: [pro].into_iter().collect(),
        };
        let service = store.create_service(actor, service).await.expect("service").id;
        let rules = BookingRules { online: true, ..BookingRules::default() };
        store.set_booking_rules(actor, rules).await.expect("rules");
        (service.to_string(), pro.to_string())
    })
}

/// The day after tomorrow at 10:00 in Santiago, as the site's forms carry
/// it: more than a day away at any hour, so its reminder is always written.
pub(crate) fn in_two_days_at_ten() -> String {
    let zone = jiff::tz::TimeZone::get("America/Santiago").expect("zone");
    let today = jiff::Timestamp::now().to_zoned(zone.clone()).date();
    let day = today.tomorrow().and_then(|d| d.tomorrow()).expect("a date");
    day.at(10, 0, 0, 0).to_zoned(zone).expect("a time").timestamp().to_string()
}

pub(crate) fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
pub(crate) fn two_instances_racing_for_one_site_slot_make_one_booking_and_one_email() {
    let test = "two_instances_racing_for_one_site_slot_make_one_booking_and_one_email";
    let Some(sink) = SmtpSink::start(test) else { return };
    let runtime = runtime();
    let Some(database) = Database::create(Backend::Postgres, &runtime) else { return };
    let logs = tempfile::tempdir().expect("temp dir");
    let store = database.open(&runtime);
    let actor = create_business(&runtime, &*store, "carrera");
    let (service, pro) = bookable(&runtime, &*store, &actor);

    let mut instances: Vec<Ficha> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let args = ["serve", "--listen", "127.0.0.1:0", "--smtp-url", &sink.url()];
            Ficha::start(database.url(), &args, logs.path().join(format!("{name}.log")))
        })
        .collect();
    let addresses: Vec<String> = instances
        .iter_mut()
        .map(|instance| {
            let (line, _) = instance.wait_for_line("Ficha escuchando en http://", Duration::from_secs(60));
            line.trim_start_matches("Ficha escuchando en http://").split_whitespace().next().expect("address").into()
        })
        .collect();

    let start = in_two_days_at_ten();
    let barrier = Arc::new(std::sync::Barrier::new(RACERS));
    let racers: Vec<_> = (0..RACERS)
        .map(|n| {
            let address = addresses[n % 2].clone();
            let form = format!(
                "servicio={service}&profesional={pro}&inicio={}&nombre=Cliente+{n}&correo=cliente{n}%40correo.cl&\
                 telefono=9+6123+45{n:02}&rut=&aviso_version=1&acepta_aviso=1",
                encoded(&start)
            );
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let body = Some(("application/x-www-form-urlencoded", form.as_str()));
                http_typed(&address, "POST", "/reservar/carrera/datos", body, None)
            })
        })
        .collect();
    let answers: Vec<(u16, String, String)> = racers.into_iter().map(|r| r.join().expect("racer")).collect();

    let statuses: Vec<u16> = answers.iter().map(|(status, _, _)| *status).collect();
    let won = statuses.iter().filter(|s| **s == 303).count();
    assert_eq!(won, 1, "exactly one booking: {statuses:?}");
    for (status, _, body) in answers.iter().filter(|(status, _, _)| *status != 303) {
        assert_eq!(*status, 409, "{body}");
        assert!(body.contains("Alguien acaba de tomar ese horario. Elige otro horario."), "{body}");
    }
    let clients = runtime.block_on(store.list_clients(&actor, &Default::default())).expect("clients");
    assert_eq!(clients.total, 1, "the losers' profiles were not kept");
    let written = outbox(&runtime, &*store, &actor);
    // The winner's confirmation and its reminder (due the day before).
    assert_eq!(written.ids.len(), 2, "one booking's messages: {:?}", written.by_status);
    let winner = clients.clients[0].email.as_str().to_owned();
    if sink.wait_for_recipient(&winner, 1, PATIENCE).is_err() {
        panic!(
            "the winner's email never arrived; logs:\n{}",
            instances.iter().map(Ficha::log_text).collect::<String>()
        );
    }
    for instance in &mut instances {
        assert!(instance.stop(Duration::from_secs(20)).success(), "{}", instance.log_text());
    }
    database.finish(&runtime);
}
