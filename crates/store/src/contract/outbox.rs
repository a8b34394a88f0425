//! Contract cases for the notification outbox, part 1: which messages each
//! change writes (SPEC §2 "Notifications", §1.4), in the transaction of the
//! change itself. The worker's side, the lists and tenancy are in
//! `outbox_worker.rs`.

use std::time::Duration;

use ficha_domain::{
    Actor, Attendance, Booking, BookingFacts, BookingState, Change, Channel, ClientId, ClientName, ClientPreferences,
    Email, MessageStatus, NewClient, NoticeKind, NotificationSettings, Origin, Phone, ReminderLead, Role, Service,
    StaffId, Template, Visibility, WhatsappSettings,
};
use jiff::{SignedDuration, Timestamp};

use super::bookings::new_service;
use super::notes::{staff, text};
use super::{Harness, business, start_time};
use crate::{AccountMessage, BookingChange, HistoryQuery, Message, MessageQuery, NewBooking, NewTime, StoreError};

/// The outbox cases (this file's and `outbox_worker.rs`'s).
#[macro_export]
macro_rules! outbox_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            a_booking_by_staff_writes_its_email_and_a_reminder_and_wakes_the_worker,
            whatsapp_goes_with_a_template_and_a_phone_unless_opted_out,
            each_told_change_of_a_booking_grows_its_sequence_and_moves_its_reminder,
            no_reminder_sooner_than_the_lead_or_with_reminders_off,
            a_shared_attention_note_tells_the_client_a_private_one_does_not,
            a_refused_booking_or_change_writes_no_message,
            account_messages_are_written_once_per_key,
            opting_out_cancels_pending_messages_and_is_recorded,
            deleting_a_client_erases_its_messages,
            claims_take_due_messages_once_and_an_expired_lease_again,
            retries_failures_and_resends,
            delivery_reports_find_the_message_by_provider_id,
            messages_filter_by_status_and_client_and_page_newest_first,
            another_business_cannot_reach_messages_choices_or_settings,
            notification_settings_are_owners_only_and_round_trip
        );
    };
}

/// A business with an owner, a professional, a one-hour service and a
/// client with an email and a phone.
pub(crate) struct Office {
    pub owner: Actor,
    pub pro: StaffId,
    pub service: Service,
    pub ana: ClientId,
}

pub(crate) fn staff_id(actor: &Actor) -> StaffId {
    match actor {
        Actor::Staff { staff: Some(staff), .. } => *staff,
        other => panic!("not a staff member: {other:?}"),
    }
}

pub(crate) async fn client_with(h: &Harness, actor: &Actor, name: &str, email: &str, phone: Option<&str>) -> ClientId {
    let new = NewClient {
        name: ClientName::parse(name).expect("valid name"),
        email: Email::parse(email).expect("valid email"),
        phone: phone.map(|p| Phone::parse(p).expect("valid phone")),
        rut: None,
        birth_date: None,
    };
    h.store.create_client(actor, new).await.expect("client created").id
}

pub(crate) async fn office(h: &Harness, slug: &str) -> Office {
    let actor = business(h, slug).await;
    let owner = staff(h, &actor, "Carolina Díaz", Role::Owner).await;
    let pro = staff_id(&staff(h, &actor, "Pedro Soto", Role::Professional).await);
    let service = h.store.create_service(&owner, new_service("Kinesiología", 60, 1, &[pro])).await.expect("service");
    let ana = client_with(h, &owner, "Ana Pérez", "Ana@Mail.cl", Some("961234567")).await;
    Office { owner, pro, service, ana }
}

/// `hours` after the harness clock's start.
pub(crate) fn in_hours(hours: i64) -> Timestamp {
    start_time() + SignedDuration::from_hours(hours)
}

/// Books `client` with the office's professional at `start` (the agenda
/// overridden, as staff may).
pub(crate) async fn book(h: &Harness, o: &Office, client: ClientId, start: Timestamp) -> Booking {
    let new = NewBooking {
        client,
        service: o.service.id,
        professional: Some(o.pro),
        start: Some(start),
        end: None,
        state: BookingState::Pending,
        origin: Origin::Panel,
        override_agenda: true,
    };
    h.store.book(&o.owner, new).await.expect("booked").remove(0)
}

/// Every message of the business, newest first.
pub(crate) async fn all(h: &Harness, actor: &Actor) -> Vec<Message> {
    let query = MessageQuery { limit: 100, ..Default::default() };
    h.store.messages(actor, &query).await.expect("listed").messages
}

/// The messages of `kind` by `channel`, newest first.
pub(crate) fn only(messages: &[Message], kind: NoticeKind, channel: Channel) -> Vec<Message> {
    messages.iter().filter(|m| m.kind == kind && m.channel == channel).cloned().collect()
}

/// The one message of `kind` by `channel` in `status`.
fn one(messages: &[Message], kind: NoticeKind, channel: Channel, status: MessageStatus) -> Message {
    let found: Vec<Message> = only(messages, kind, channel).into_iter().filter(|m| m.status == status).collect();
    assert_eq!(found.len(), 1, "one {kind:?} by {channel:?} {status:?} in {messages:#?}");
    found[0].clone()
}

fn booking_facts(message: &Message) -> BookingFacts {
    message.facts.booking.clone().expect("the message tells of a booking")
}

/// WhatsApp on, with a template for every kind it may send.
pub(crate) async fn whatsapp_on(h: &Harness, owner: &Actor) {
    let settings = NotificationSettings {
        whatsapp: WhatsappSettings {
            enabled: true,
            phone_number_id: "1055".into(),
            access_token: "EAAG-token".into(),
            templates: NoticeKind::whatsapp_kinds()
                .map(|k| (k, Template { name: format!("ficha_{}", k.as_str()), language: "es_CL".into() }))
                .collect(),
        },
        ..Default::default()
    };
    h.store.set_notification_settings(owner, settings).await.expect("settings saved");
}

async fn change(h: &Harness, o: &Office, booking: &Booking, change: BookingChange) -> Booking {
    h.store.change_booking(&o.owner, booking.id, change).await.expect("changed")
}

fn reschedule(start: Timestamp) -> BookingChange {
    BookingChange::Reschedule(NewTime {
        professional: None,
        start,
        end: None,
        origin: Origin::Panel,
        override_agenda: true,
    })
}

pub async fn a_booking_by_staff_writes_its_email_and_a_reminder_and_wakes_the_worker(h: &Harness) {
    let o = office(h, "sur").await;
    let signal = h.store.outbox_signal();
    // Wake-ups rung before this point (on PostgreSQL, the listener's first
    // connection) are taken, so the one below is the booking's.
    while tokio::time::timeout(Duration::from_millis(20), signal.notified()).await.is_ok() {}
    let start = in_hours(72);
    let booking = book(h, &o, o.ana, start).await;
    let woken = tokio::time::timeout(Duration::from_secs(1), signal.notified()).await;
    assert!(woken.is_ok(), "the commit wakes the worker");

    let messages = all(h, &o.owner).await;
    assert_eq!(messages.len(), 2, "{messages:#?}");
    let created = one(&messages, NoticeKind::BookingCreated, Channel::Email, MessageStatus::Pending);
    assert_eq!(created.recipient, "Ana@Mail.cl");
    assert_eq!((created.client, created.booking), (Some(o.ana), Some(booking.id)));
    assert_eq!((created.attempts, created.next_attempt_at, created.created_at), (0, start_time(), start_time()));
    assert_eq!((created.last_error.as_deref(), created.provider_id.as_deref(), created.sent_at), (None, None, None));
    assert_eq!(created.facts.business_name, "Negocio sur");
    assert_eq!(created.facts.business_slug, "sur");
    assert_eq!(created.facts.time_zone, "America/Santiago");
    assert_eq!(created.facts.client_name, "Ana Pérez");
    assert_eq!(
        booking_facts(&created),
        BookingFacts {
            id: booking.id,
            service: "Kinesiología".into(),
            professional: Some("Pedro Soto".into()),
            start: Some(start),
            end: Some(start + SignedDuration::from_hours(1)),
            previous_start: None,
            sequence: 0,
            state: "pending".into(),
            price: 25_000,
            pack: None,
        }
    );
    // 24 hours ahead by default: the same wall-clock time the day before.
    let reminder = one(&messages, NoticeKind::Reminder, Channel::Email, MessageStatus::Pending);
    assert_eq!(reminder.next_attempt_at, in_hours(48));
    assert_eq!(reminder.booking, Some(booking.id));
    assert_eq!(booking_facts(&reminder).start, Some(start));
    assert_eq!(h.store.message(&o.owner, created.id).await.expect("read by id"), created);
}

pub async fn whatsapp_goes_with_a_template_and_a_phone_unless_opted_out(h: &Harness) {
    let o = office(h, "sur").await;
    whatsapp_on(h, &o.owner).await;
    let bea = client_with(h, &o.owner, "Bea Soto", "bea@mail.cl", None).await;
    let carla = client_with(h, &o.owner, "Carla Rojas", "carla@mail.cl", Some("+56 9 8765 4321")).await;
    let out = ClientPreferences { no_whatsapp: true, no_reminders: false };
    h.store.set_client_preferences(&o.owner, carla, out, ficha_domain::ChoiceSource::Panel).await.expect("opted out");

    book(h, &o, o.ana, in_hours(72)).await;
    book(h, &o, bea, in_hours(74)).await;
    book(h, &o, carla, in_hours(76)).await;
    let messages = all(h, &o.owner).await;
    let to = |client: ClientId| -> Vec<(NoticeKind, Channel, String)> {
        let mut sent: Vec<_> = messages
            .iter()
            .filter(|m| m.client == Some(client))
            .map(|m| (m.kind, m.channel, m.recipient.clone()))
            .collect();
        sent.sort();
        sent
    };
    let (email, whatsapp) = (Channel::Email, Channel::Whatsapp);
    let (created, reminder) = (NoticeKind::BookingCreated, NoticeKind::Reminder);
    let (ana_mail, ana_phone) = ("Ana@Mail.cl".to_owned(), "+56961234567".to_owned());
    assert_eq!(
        to(o.ana),
        [
            (created, email, ana_mail.clone()),
            (created, whatsapp, ana_phone.clone()),
            (reminder, email, ana_mail),
            (reminder, whatsapp, ana_phone)
        ]
    );
    let bea_mail = "bea@mail.cl".to_owned();
    assert_eq!(to(bea), [(created, email, bea_mail.clone()), (reminder, email, bea_mail)], "no phone");
    let carla_mail = "carla@mail.cl".to_owned();
    assert_eq!(to(carla), [(created, email, carla_mail.clone()), (reminder, email, carla_mail)], "opted out");
}

pub async fn each_told_change_of_a_booking_grows_its_sequence_and_moves_its_reminder(h: &Harness) {
    let o = office(h, "sur").await;
    let first = in_hours(72);
    let booking = book(h, &o, o.ana, first).await;
    h.clock.advance(SignedDuration::from_mins(1));
    change(h, &o, &booking, BookingChange::Confirm).await;
    h.clock.advance(SignedDuration::from_mins(1));
    change(h, &o, &booking, BookingChange::Attendance(Attendance::Unknown)).await;
    let messages = all(h, &o.owner).await;
    assert_eq!(messages.len(), 4, "created, confirmed, a reminder for each: {messages:#?}");
    let confirmed = one(&messages, NoticeKind::BookingConfirmed, Channel::Email, MessageStatus::Pending);
    assert_eq!((booking_facts(&confirmed).sequence, booking_facts(&confirmed).state.as_str()), (1, "confirmed"));
    assert_eq!(confirmed.next_attempt_at, start_time() + SignedDuration::from_mins(1));
    // One reminder goes, in the words of the latest change.
    let reminder = one(&messages, NoticeKind::Reminder, Channel::Email, MessageStatus::Pending);
    assert_eq!((booking_facts(&reminder).sequence, reminder.next_attempt_at), (1, in_hours(48)));
    one(&messages, NoticeKind::Reminder, Channel::Email, MessageStatus::Cancelled);

    // A new time: told with the old one, the old reminder replaced.
    let later = in_hours(96);
    let moved = change(h, &o, &booking, reschedule(later)).await;
    let messages = all(h, &o.owner).await;
    let rescheduled = one(&messages, NoticeKind::BookingRescheduled, Channel::Email, MessageStatus::Pending);
    let facts = booking_facts(&rescheduled);
    assert_eq!((facts.sequence, facts.start, facts.previous_start), (2, Some(later), Some(first)));
    let old_reminders = only(&messages, NoticeKind::Reminder, Channel::Email);
    let old_reminders: Vec<_> = old_reminders.iter().filter(|m| m.status == MessageStatus::Cancelled).collect();
    assert_eq!(old_reminders.len(), 2);
    assert!(old_reminders.iter().all(|m| m.next_attempt_at == in_hours(48)));
    let new_reminder = one(&messages, NoticeKind::Reminder, Channel::Email, MessageStatus::Pending);
    assert_eq!(new_reminder.next_attempt_at, in_hours(72));
    assert_eq!(booking_facts(&new_reminder).sequence, 2);

    // Cancelled: told, and no reminder is left to go.
    change(h, &o, &moved, BookingChange::Cancel).await;
    let messages = all(h, &o.owner).await;
    let cancelled = one(&messages, NoticeKind::BookingCancelled, Channel::Email, MessageStatus::Pending);
    assert_eq!((booking_facts(&cancelled).sequence, booking_facts(&cancelled).state.as_str()), (3, "cancelled"));
    let reminders = only(&messages, NoticeKind::Reminder, Channel::Email);
    assert_eq!(reminders.len(), 3);
    assert!(reminders.iter().all(|m| m.status == MessageStatus::Cancelled), "{reminders:#?}");
    let told: Vec<i32> =
        messages.iter().rev().filter(|m| m.kind != NoticeKind::Reminder).map(|m| booking_facts(m).sequence).collect();
    assert_eq!(told, [0, 1, 2, 3]);
}

pub async fn no_reminder_sooner_than_the_lead_or_with_reminders_off(h: &Harness) {
    let o = office(h, "sur").await;
    let reminders = |h: &Harness| {
        let (store, owner) = (h.store.clone(), o.owner);
        async move {
            let query = MessageQuery { limit: 100, ..Default::default() };
            let page = store.messages(&owner, &query).await.expect("listed").messages;
            only(&page, NoticeKind::Reminder, Channel::Email)
        }
    };
    book(h, &o, o.ana, in_hours(3)).await;
    assert!(reminders(h).await.is_empty(), "a booking in 3 hours gets no reminder a day ahead");

    let two_hours = NotificationSettings { reminder_lead: ReminderLead::Minutes(120), ..Default::default() };
    h.store.set_notification_settings(&o.owner, two_hours).await.expect("saved");
    let soon = book(h, &o, o.ana, in_hours(5)).await;
    let found = reminders(h).await;
    assert_eq!(
        found.iter().map(|m| (m.booking, m.next_attempt_at)).collect::<Vec<_>>(),
        [(Some(soon.id), in_hours(3))]
    );

    let off = NotificationSettings { reminder_lead: ReminderLead::Off, ..Default::default() };
    h.store.set_notification_settings(&o.owner, off).await.expect("saved");
    book(h, &o, o.ana, in_hours(72)).await;
    assert_eq!(reminders(h).await.len(), 1, "reminders off: none for the new booking");
    let created = only(&all(h, &o.owner).await, NoticeKind::BookingCreated, Channel::Email);
    assert_eq!(created.len(), 3, "every booking is still told");
}

pub async fn a_shared_attention_note_tells_the_client_a_private_one_does_not(h: &Harness) {
    let o = office(h, "sur").await;
    let booking = book(h, &o, o.ana, in_hours(-2)).await;
    let before = all(h, &o.owner).await.len();
    h.store
        .add_attention_note(&o.owner, booking.id, Visibility::Private, text("evaluar derivación"))
        .await
        .expect("ok");
    assert_eq!(all(h, &o.owner).await.len(), before, "a private note tells no one");

    let note = h
        .store
        .add_attention_note(&o.owner, booking.id, Visibility::Shared, text("aplicar calor 20 minutos"))
        .await
        .expect("added");
    let messages = all(h, &o.owner).await;
    assert_eq!(messages.len(), before + 1);
    let shared = one(&messages, NoticeKind::SharedNote, Channel::Email, MessageStatus::Pending);
    assert_eq!(shared.facts.note.as_deref(), Some("aplicar calor 20 minutos"));
    assert_eq!(
        (shared.client, shared.booking, shared.recipient.as_str()),
        (Some(o.ana), Some(booking.id), "Ana@Mail.cl")
    );
    assert_eq!(booking_facts(&shared).sequence, 0, "a note carries no new invite");
    h.store.edit_attention_note(&o.owner, booking.id, note.id, text("aplicar frío")).await.expect("edited");
    assert_eq!(all(h, &o.owner).await.len(), before + 1, "an edit is not told again");
}

pub async fn a_refused_booking_or_change_writes_no_message(h: &Harness) {
    let o = office(h, "sur").await;
    let booking = book(h, &o, o.ana, in_hours(72)).await;
    let before = all(h, &o.owner).await;
    let bea = client_with(h, &o.owner, "Bea Soto", "bea@mail.cl", None).await;
    let overlapping = NewBooking {
        client: bea,
        service: o.service.id,
        professional: Some(o.pro),
        start: Some(in_hours(72) + SignedDuration::from_mins(30)),
        end: None,
        state: BookingState::Pending,
        origin: Origin::Panel,
        override_agenda: true,
    };
    let refused = h.store.book(&o.owner, overlapping).await;
    assert!(matches!(refused, Err(StoreError::Refused(_))), "{refused:?}");
    change(h, &o, &booking, BookingChange::Cancel).await;
    let after_cancel = all(h, &o.owner).await;
    let again = h.store.change_booking(&o.owner, booking.id, BookingChange::Confirm).await;
    assert!(matches!(again, Err(StoreError::Refused(_))), "{again:?}");
    assert_eq!(all(h, &o.owner).await, after_cancel, "a refused change writes nothing");
    assert_eq!(after_cancel.len(), before.len() + 1, "only the cancellation was told");
    assert!(after_cancel.iter().all(|m| m.client == Some(o.ana)), "nothing for the refused booking");
}

fn sign_in(key: &str, client: Option<ClientId>) -> AccountMessage {
    AccountMessage {
        kind: NoticeKind::SignInLink,
        key: key.into(),
        client,
        email: Email::parse("ana@mail.cl").expect("valid"),
        client_name: "Ana Pérez".into(),
        link: format!("/sur/entrar/{key}"),
        code: Some("482913".into()),
    }
}

pub async fn account_messages_are_written_once_per_key(h: &Harness) {
    let o = office(h, "sur").await;
    whatsapp_on(h, &o.owner).await;
    let business = o.owner.business();
    h.store.send_account_message(business, sign_in("tok-1", Some(o.ana))).await.expect("sent");
    h.store.send_account_message(business, sign_in("tok-1", Some(o.ana))).await.expect("a retry is fine");
    let messages = all(h, &o.owner).await;
    assert_eq!(messages.len(), 1, "one message per key: {messages:#?}");
    let message = &messages[0];
    assert_eq!(
        (message.kind, message.channel, message.recipient.as_str()),
        (NoticeKind::SignInLink, Channel::Email, "ana@mail.cl")
    );
    assert_eq!(message.client, Some(o.ana));
    assert_eq!(message.booking, None);
    assert_eq!(message.facts.link.as_deref(), Some("/sur/entrar/tok-1"));
    assert_eq!(message.facts.code.as_deref(), Some("482913"));
    assert_eq!(
        (message.facts.client_name.as_str(), message.facts.business_name.as_str()),
        ("Ana Pérez", "Negocio sur")
    );
    assert_eq!(message.next_attempt_at, start_time());

    h.store.send_account_message(business, sign_in("tok-2", None)).await.expect("another key");
    assert_eq!(all(h, &o.owner).await.len(), 2);
    let unknown = h.store.send_account_message(ficha_domain::BusinessId::generate(), sign_in("x", None)).await;
    assert!(matches!(unknown, Err(StoreError::NotFound)), "{unknown:?}");
    let norte = business_of(h, "norte").await;
    let foreign = h.store.send_account_message(norte, sign_in("tok-3", Some(o.ana))).await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "another business's client: {foreign:?}");
}

async fn business_of(h: &Harness, slug: &str) -> ficha_domain::BusinessId {
    business(h, slug).await.business()
}

pub async fn opting_out_cancels_pending_messages_and_is_recorded(h: &Harness) {
    let o = office(h, "sur").await;
    whatsapp_on(h, &o.owner).await;
    book(h, &o, o.ana, in_hours(72)).await;
    assert_eq!(h.store.client_preferences(&o.owner, o.ana).await.expect("read"), ClientPreferences::default());

    h.clock.advance(SignedDuration::from_mins(1));
    let no_whatsapp = ClientPreferences { no_whatsapp: true, no_reminders: false };
    let saved = h
        .store
        .set_client_preferences(&o.owner, o.ana, no_whatsapp, ficha_domain::ChoiceSource::Panel)
        .await
        .expect("saved");
    assert_eq!(saved, no_whatsapp);
    assert_eq!(h.store.client_preferences(&o.owner, o.ana).await.expect("read"), no_whatsapp);
    let messages = all(h, &o.owner).await;
    let status =
        |kind, channel| -> Vec<MessageStatus> { only(&messages, kind, channel).iter().map(|m| m.status).collect() };
    assert_eq!(status(NoticeKind::BookingCreated, Channel::Whatsapp), [MessageStatus::Cancelled]);
    assert_eq!(status(NoticeKind::Reminder, Channel::Whatsapp), [MessageStatus::Cancelled]);
    assert_eq!(status(NoticeKind::BookingCreated, Channel::Email), [MessageStatus::Pending]);
    assert_eq!(status(NoticeKind::Reminder, Channel::Email), [MessageStatus::Pending]);

    h.clock.advance(SignedDuration::from_mins(1));
    let neither = ClientPreferences { no_whatsapp: true, no_reminders: true };
    h.store
        .set_client_preferences(&o.owner, o.ana, neither, ficha_domain::ChoiceSource::MiCuenta)
        .await
        .expect("saved");
    h.store
        .set_client_preferences(&o.owner, o.ana, neither, ficha_domain::ChoiceSource::Panel)
        .await
        .expect("the same again");
    let messages = all(h, &o.owner).await;
    assert_eq!(one(&messages, NoticeKind::Reminder, Channel::Email, MessageStatus::Cancelled).client, Some(o.ana));
    one(&messages, NoticeKind::BookingCreated, Channel::Email, MessageStatus::Pending);

    // In the history, with who, when and where; the repeated choice left
    // nothing.
    let history = h.store.client_history(&o.owner, o.ana, &HistoryQuery::default()).await.expect("history");
    let chosen: Vec<(Timestamp, Change)> = history
        .entries
        .iter()
        .filter(|e| matches!(e.change, Change::NotificationPreferences { .. }))
        .map(|e| (e.at, e.change.clone()))
        .collect();
    assert_eq!(
        chosen,
        [
            (
                start_time() + SignedDuration::from_mins(2),
                Change::NotificationPreferences {
                    old: no_whatsapp,
                    new: neither,
                    source: Some(ficha_domain::ChoiceSource::MiCuenta)
                }
            ),
            (
                start_time() + SignedDuration::from_mins(1),
                Change::NotificationPreferences {
                    old: ClientPreferences::default(),
                    new: no_whatsapp,
                    source: Some(ficha_domain::ChoiceSource::Panel)
                }
            ),
        ]
    );
    assert!(matches!(&history.entries[0].who, ficha_domain::Who::Staff { name, .. } if name == "Carolina Díaz"));

    // What she chose holds for what comes next.
    let next = book(h, &o, o.ana, in_hours(100)).await;
    let new: Vec<Message> = all(h, &o.owner).await.into_iter().filter(|m| m.booking == Some(next.id)).collect();
    assert_eq!(
        new.iter().map(|m| (m.kind, m.channel)).collect::<Vec<_>>(),
        [(NoticeKind::BookingCreated, Channel::Email)]
    );

    let missing = h
        .store
        .set_client_preferences(&o.owner, ClientId::generate(), neither, ficha_domain::ChoiceSource::Panel)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let missing = h.store.client_preferences(&o.owner, ClientId::generate()).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

pub async fn deleting_a_client_erases_its_messages(h: &Harness) {
    let o = office(h, "sur").await;
    let bea = client_with(h, &o.owner, "Bea Soto", "bea@mail.cl", None).await;
    book(h, &o, o.ana, in_hours(72)).await;
    book(h, &o, bea, in_hours(74)).await;
    let out = ClientPreferences { no_whatsapp: true, no_reminders: true };
    h.store.set_client_preferences(&o.owner, o.ana, out, ficha_domain::ChoiceSource::Panel).await.expect("saved");
    h.store.delete_client(&o.owner, o.ana).await.expect("deleted");
    let left = all(h, &o.owner).await;
    assert_eq!(left.len(), 2, "{left:#?}");
    assert!(left.iter().all(|m| m.client == Some(bea)), "nothing of Ana is left: {left:#?}");
    let by_client = MessageQuery { client: Some(o.ana), ..Default::default() };
    assert!(h.store.messages(&o.owner, &by_client).await.expect("listed").messages.is_empty());
}
