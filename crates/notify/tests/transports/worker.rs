//! The worker over a real store (SQLite in a temp folder) and real
//! transports: a booking's email and its reminder at the set time (the clock
//! injected), a WhatsApp-enabled business's client getting the template
//! call, and what temporary and permanent failures leave on the message.

use std::sync::Arc;

use ficha_domain::{
    Actor, BookingState, Channel, ClientName, Clp, Email, FixedClock, MessageStatus, Minutes, NewBusiness, NewClient,
    NewService, NewStaff, NoticeKind, NotificationSettings, Origin, Phone, Role, ServiceName, Sessions, Slug, StaffId,
    Template, WhatsappSettings,
};
use ficha_notify::email::EmailTransport;
use ficha_notify::whatsapp::WhatsappTransport;
use ficha_notify::worker::{Transports, Worker, WorkerConfig};
use ficha_notify::{SendError, Transport};
use ficha_store::{BookingChange, Message, MessageQuery, NewBooking, OutboxStore, Store};
use ficha_store_sqlite::SqliteStore;
use jiff::{SignedDuration, Timestamp};

use crate::harness::{FakeGraph, MAIL_FROM, PUBLIC_URL, at};

/// A business in Santiago with its owner and professional, a one-hour
/// service and a client with an email and a phone.
struct Office {
    store: Arc<dyn Store>,
    clock: Arc<FixedClock>,
    owner: Actor,
    pro: StaffId,
    service: ficha_domain::ServiceId,
    client: ficha_domain::ClientId,
    _folder: tempfile::TempDir,
}

/// 01-12-2026 09:00 in Santiago (summer time, UTC−3).
fn now() -> Timestamp {
    at("2026-12-01T12:00:00Z")
}

async fn office() -> Office {
    let folder = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(FixedClock::at(now()));
    let url = format!("sqlite://{}/ficha.db", folder.path().display());
    let store: Arc<dyn Store> = Arc::new(SqliteStore::connect(&url, clock.clone()).await.expect("store"));
    let business = store
        .create_business(NewBusiness {
            slug: Slug::parse("alameda").expect("slug"),
            name: "Clínica Alameda".into(),
            time_zone: "America/Santiago".into(),
        })
        .await
        .expect("business");
    let system = Actor::System { business: business.id };
    let mut staff = Vec::new();
    for (name, email, role) in
        [("Carolina Díaz", "carolina@alameda.cl", Role::Owner), ("Pedro Soto", "pedro@alameda.cl", Role::Professional)]
    {
        let new = NewStaff {
            name: ClientName::parse(name).expect("name"),
            email: Email::parse(email).expect("email"),
            role,
            password_hash: "$argon2id$unused".into(),
        };
        staff.push(store.create_staff(&system, new).await.expect("staff"));
    }
    let owner = Actor::Staff { business: business.id, staff: Some(staff[0].id), role: Role::Owner };
    let pro = staff[1].id;
    let service = NewService {
        name: ServiceName::parse("Kinesiología").expect("name"),
        duration: Minutes::new(60).expect("minutes"),
        price: Clp::new(25_000).expect("price"),
        sessions: Sessions::new(1).expect("sessions"),
        professionals: [pro].into(),
    };
    let service = store.create_service(&owner, service).await.expect("service").id;
    let client = NewClient {
        name: ClientName::parse("Ana Pérez").expect("name"),
        email: Email::parse("ana@correo.cl").expect("email"),
        phone: Some(Phone::parse("9 6123 4567").expect("phone")),
        rut: None,
        birth_date: None,
    };
    let client = store.create_client(&owner, client).await.expect("client").id;
    Office { store, clock, owner, pro, service, client, _folder: folder }
}

impl Office {
    async fn book(&self, start: Timestamp) -> ficha_domain::BookingId {
        let new = NewBooking {
            client: self.client,
            service: self.service,
            professional: Some(self.pro),
            start: Some(start),
            end: None,
            state: BookingState::Confirmed,
            origin: Origin::Panel,
            override_agenda: true,
        };
        self.store.book(&self.owner, new).await.expect("booked")[0].id
    }

    async fn messages(&self) -> Vec<Message> {
        let query = MessageQuery { limit: 100, ..Default::default() };
        self.store.messages(&self.owner, &query).await.expect("messages").messages
    }

    fn worker(&self, email: Arc<dyn Transport>, whatsapp: Arc<dyn Transport>, config: WorkerConfig) -> Worker {
        let outbox: Arc<dyn OutboxStore> = self.store.clone();
        Worker::new(outbox, Transports { email, whatsapp }, self.clock.clone(), config)
    }
}

fn files(folder: &std::path::Path) -> Arc<dyn Transport> {
    Arc::new(EmailTransport::files(folder, MAIL_FROM, PUBLIC_URL).expect("file transport"))
}

/// The subjects of the `.eml` files in `folder`.
fn subjects(folder: &std::path::Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(folder)
        .expect("mail folder")
        .map(|entry| std::fs::read(entry.expect("entry").path()).expect("eml"))
        .map(|raw| {
            let parsed = mail_parser::MessageParser::default().parse(&raw).expect("an email");
            parsed.subject().unwrap_or_default().to_owned()
        })
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn the_reminder_goes_at_the_set_time_and_not_a_minute_before() {
    let o = office().await;
    let mail = tempfile::tempdir().expect("mail folder");
    let never = Arc::new(WhatsappTransport::new("http://127.0.0.1:9").expect("base"));
    let worker = o.worker(files(mail.path()), never, WorkerConfig::default());
    // Friday 04-12-2026 10:00 in Santiago; the default lead is 24 hours.
    let start = at("2026-12-04T13:00:00Z");
    o.book(start).await;

    assert_eq!(worker.drain().await.expect("drained"), 1, "the booking's email is due at once");
    assert_eq!(subjects(mail.path()).len(), 1);

    o.clock.set(at("2026-12-03T12:59:00Z"));
    assert_eq!(worker.drain().await.expect("drained"), 0, "a minute early, nothing goes");

    o.clock.set(at("2026-12-03T13:00:00Z"));
    assert_eq!(worker.drain().await.expect("drained"), 1, "the reminder is due");
    let got = subjects(mail.path());
    assert!(got.iter().any(|s| s.starts_with("Recordatorio")), "{got:?}");
    let reminder = o.messages().await.into_iter().find(|m| m.kind == NoticeKind::Reminder).expect("reminder");
    assert_eq!(reminder.status, MessageStatus::Sent);
    assert_eq!(reminder.sent_at, Some(at("2026-12-03T13:00:00Z")));
}

#[tokio::test]
async fn a_rescheduled_booking_is_reminded_of_its_new_time_only() {
    let o = office().await;
    let mail = tempfile::tempdir().expect("mail folder");
    let never = Arc::new(WhatsappTransport::new("http://127.0.0.1:9").expect("base"));
    let worker = o.worker(files(mail.path()), never, WorkerConfig::default());
    let booking = o.book(at("2026-12-04T13:00:00Z")).await;
    let later = at("2026-12-07T13:00:00Z");
    let to = ficha_store::NewTime {
        professional: None,
        start: later,
        end: None,
        origin: Origin::Panel,
        override_agenda: true,
    };
    o.store.change_booking(&o.owner, booking, BookingChange::Reschedule(to)).await.expect("moved");

    o.clock.set(at("2026-12-03T13:00:00Z"));
    while worker.drain().await.expect("drained") > 0 {}
    let got = subjects(mail.path());
    assert!(!got.iter().any(|s| s.starts_with("Recordatorio")), "no reminder of the old time: {got:?}");
    o.clock.set(at("2026-12-06T13:00:00Z"));
    assert_eq!(worker.drain().await.expect("drained"), 1);
    assert!(subjects(mail.path()).iter().any(|s| s.starts_with("Recordatorio")));
}

fn whatsapp_settings(base_templates: &[NoticeKind]) -> NotificationSettings {
    NotificationSettings {
        whatsapp: WhatsappSettings {
            enabled: true,
            phone_number_id: "106540352242922".into(),
            access_token: "EAAG-token".into(),
            templates: base_templates
                .iter()
                .map(|k| (*k, Template { name: format!("ficha_{}", k.as_str()), language: "es".into() }))
                .collect(),
        },
        ..NotificationSettings::default()
    }
}

#[tokio::test]
async fn a_whatsapp_enabled_business_sends_the_template_and_keeps_the_provider_id() {
    let o = office().await;
    o.store
        .set_notification_settings(&o.owner, whatsapp_settings(&[NoticeKind::BookingCreated]))
        .await
        .expect("settings");
    let graph = FakeGraph::start(
        200,
        r#"{"messaging_product":"whatsapp","contacts":[{"input":"56961234567","wa_id":"56961234567"}],"messages":[{"id":"wamid.HBgLNTY5NjEyMzQ1NjcVAgARGBI"}]}"#,
    )
    .await;
    let mail = tempfile::tempdir().expect("mail folder");
    let whatsapp = Arc::new(WhatsappTransport::new(&graph.base).expect("base"));
    let worker = o.worker(files(mail.path()), whatsapp, WorkerConfig::default());
    o.book(at("2026-12-04T13:00:00Z")).await;

    assert_eq!(worker.drain().await.expect("drained"), 2, "the email and the WhatsApp message");
    let requests = graph.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/v21.0/106540352242922/messages");
    assert_eq!(requests[0].authorization.as_deref(), Some("Bearer EAAG-token"));
    let body: serde_json::Value = serde_json::from_str(&requests[0].body).expect("json");
    assert_eq!(body["to"], "56961234567");
    assert_eq!(body["template"]["name"], "ficha_booking_created");
    let parameters: Vec<&str> = body["template"]["components"][0]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| p["text"].as_str().expect("text"))
        .collect();
    assert_eq!(&parameters[..5], ["Ana Pérez", "Clínica Alameda", "04-12-2026 10:00", "Kinesiología", "Pedro Soto"]);
    let sent = o.messages().await.into_iter().find(|m| m.channel == Channel::Whatsapp).expect("whatsapp message");
    assert_eq!(sent.status, MessageStatus::Sent);
    assert_eq!(sent.provider_id.as_deref(), Some("wamid.HBgLNTY5NjEyMzQ1NjcVAgARGBI"));
}

#[tokio::test]
async fn a_number_not_on_whatsapp_fails_with_the_reason_in_spanish_and_email_still_goes() {
    let o = office().await;
    o.store
        .set_notification_settings(&o.owner, whatsapp_settings(&[NoticeKind::BookingCreated]))
        .await
        .expect("settings");
    let graph = FakeGraph::start(
        400,
        r#"{"error":{"message":"(#131026) Message Undeliverable.","type":"OAuthException","code":131026,"fbtrace_id":"A"}}"#,
    )
    .await;
    let mail = tempfile::tempdir().expect("mail folder");
    let whatsapp = Arc::new(WhatsappTransport::new(&graph.base).expect("base"));
    let worker = o.worker(files(mail.path()), whatsapp, WorkerConfig::default());
    o.book(at("2026-12-04T13:00:00Z")).await;

    worker.drain().await.expect("drained");
    let messages = o.messages().await;
    let whatsapp = messages.iter().find(|m| m.channel == Channel::Whatsapp).expect("whatsapp message");
    assert_eq!(whatsapp.status, MessageStatus::Failed, "a permanent refusal is not retried");
    assert_eq!(whatsapp.attempts, 1);
    let reason = whatsapp.last_error.as_deref().expect("a reason");
    assert!(reason.contains("WhatsApp"), "{reason}");
    let email = messages.iter().find(|m| m.channel == Channel::Email && m.kind == NoticeKind::BookingCreated);
    assert_eq!(email.expect("email").status, MessageStatus::Sent);
}

/// A provider that is always down for a while.
struct Down;

#[async_trait::async_trait]
impl Transport for Down {
    async fn send(&self, _: &Message, _: &NotificationSettings) -> Result<Option<String>, SendError> {
        Err(SendError::Temporary("Connection refused".into()))
    }
}

#[tokio::test]
async fn temporary_failures_back_off_then_give_up_after_the_last_attempt() {
    let o = office().await;
    let never = Arc::new(WhatsappTransport::new("http://127.0.0.1:9").expect("base"));
    let config = WorkerConfig { max_attempts: 3, ..WorkerConfig::default() };
    let worker = o.worker(Arc::new(Down), never, config);
    o.book(at("2026-12-04T13:00:00Z")).await;

    let email = |messages: Vec<Message>| {
        messages.into_iter().find(|m| m.kind == NoticeKind::BookingCreated).expect("the booking's email")
    };
    assert_eq!(worker.drain().await.expect("drained"), 1);
    let first = email(o.messages().await);
    assert_eq!((first.status, first.attempts), (MessageStatus::Pending, 1));
    let wait = first.next_attempt_at.duration_since(now());
    assert!(wait >= SignedDuration::from_secs(30) && wait <= SignedDuration::from_secs(38), "{wait:?}");
    assert_eq!(worker.drain().await.expect("drained"), 0, "not before its time");

    o.clock.set(first.next_attempt_at);
    worker.drain().await.expect("drained");
    let second = email(o.messages().await);
    let wait = second.next_attempt_at.duration_since(first.next_attempt_at);
    assert!(wait >= SignedDuration::from_secs(60) && wait <= SignedDuration::from_secs(75), "doubles: {wait:?}");

    o.clock.set(second.next_attempt_at);
    worker.drain().await.expect("drained");
    let last = email(o.messages().await);
    assert_eq!((last.status, last.attempts), (MessageStatus::Failed, 3));
    assert!(last.last_error.as_deref().is_some_and(|e| e.contains("se agotaron los 3 intentos")), "{last:?}");
}

#[tokio::test]
async fn a_commit_wakes_a_running_worker_within_a_second() {
    let o = office().await;
    let mail = tempfile::tempdir().expect("mail folder");
    let never = Arc::new(WhatsappTransport::new("http://127.0.0.1:9").expect("base"));
    // A poll far longer than the test: only the commit's wake-up can
    // deliver in time.
    let config = WorkerConfig { poll: std::time::Duration::from_secs(600), ..WorkerConfig::default() };
    let worker = o.worker(files(mail.path()), never, config);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));

    let booked = std::time::Instant::now();
    o.book(at("2026-12-04T13:00:00Z")).await;
    let deadline = booked + std::time::Duration::from_secs(1);
    while subjects(mail.path()).is_empty() {
        assert!(std::time::Instant::now() < deadline, "the email was not sent within a second of the commit");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let _ = stop.send(());
    running.await.expect("the worker stops");
}
