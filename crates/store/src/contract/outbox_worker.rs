//! Contract cases for the notification outbox, part 2: the worker's claims
//! and marks (a message is held by one claim at a time; a stale claim
//! changes nothing), delivery reports, the staff's lists, resending, tenancy
//! and the owners' settings. Listed in `outbox.rs`'s macro.

use ficha_domain::{
    Channel, ClientPreferences, MessageStatus, NoticeKind, NotificationSettings, ReminderLead, Role, Template,
    WhatsappSettings,
};
use jiff::SignedDuration;

use super::notes::staff;
use super::outbox::{all, book, client_with, in_hours, office, only, whatsapp_on};
use super::{Harness, business, start_time};
use crate::{AccountMessage, Delivery, MessageQuery, StoreError};

const LEASE: SignedDuration = SignedDuration::from_mins(5);

fn account(key: &str, client: Option<ficha_domain::ClientId>) -> AccountMessage {
    AccountMessage {
        kind: NoticeKind::PasswordReset,
        key: key.into(),
        client,
        email: ficha_domain::Email::parse(&format!("{key}@mail.cl")).expect("valid"),
        client_name: "Ana Pérez".into(),
        link: format!("/sur/clave/{key}"),
        code: None,
    }
}

fn is_not_found<T: std::fmt::Debug>(result: &Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::NotFound))
}

pub async fn claims_take_due_messages_once_and_an_expired_lease_again(h: &Harness) {
    let o = office(h, "sur").await;
    // Due now: the booking's email. Due in 48 hours: its reminder.
    let booking = book(h, &o, o.ana, in_hours(72)).await;
    assert_eq!(h.store.next_due().await.expect("read"), Some(start_time()));

    let claims = h.store.claim_due(LEASE, 10).await.expect("claimed");
    assert_eq!(claims.len(), 1, "only what is due: {claims:#?}");
    let first = &claims[0];
    assert_eq!(first.business, o.owner.business());
    assert_eq!((first.message.kind, first.message.booking), (NoticeKind::BookingCreated, Some(booking.id)));
    assert_eq!((first.message.status, first.attempt()), (MessageStatus::Sending, 1));
    assert_eq!(h.store.message(&o.owner, first.message.id).await.expect("read"), first.message);
    assert!(h.store.claim_due(LEASE, 10).await.expect("claimed").is_empty(), "a claimed message is held");
    assert_eq!(h.store.next_due().await.expect("read"), Some(start_time() + LEASE), "when its lease runs out");

    // Its worker died: once the lease runs out, another claim takes it.
    h.clock.advance(LEASE);
    let again = h.store.claim_due(LEASE, 10).await.expect("claimed");
    assert_eq!(again.len(), 1);
    let second = &again[0];
    assert_eq!((second.message.id, second.attempt()), (first.message.id, 2));
    assert!(!h.store.mark_sent(first, Some("stale")).await.expect("answered"), "a stale claim marks nothing");
    assert!(!h.store.mark_failed(first, "stale").await.expect("answered"));
    assert!(!h.store.mark_retry(first, "stale", start_time()).await.expect("answered"));
    assert!(h.store.mark_sent(second, Some("<m1@ficha>")).await.expect("marked"));
    let sent = h.store.message(&o.owner, first.message.id).await.expect("read");
    assert_eq!((sent.status, sent.attempts, sent.provider_id.as_deref()), (MessageStatus::Sent, 2, Some("<m1@ficha>")));
    assert_eq!(sent.sent_at, Some(start_time() + LEASE));
    assert!(!h.store.mark_sent(second, Some("twice")).await.expect("answered"), "marked once");
    assert!(!h.store.mark_failed(second, "late").await.expect("answered"), "a sent message stays sent");
    assert_eq!(h.store.message(&o.owner, first.message.id).await.expect("read"), sent);

    // The reminder waits for its time; the limit is kept.
    assert!(h.store.claim_due(LEASE, 10).await.expect("claimed").is_empty());
    assert_eq!(h.store.next_due().await.expect("read"), Some(in_hours(48)));
    for key in ["a", "b", "c"] {
        h.store.send_account_message(o.owner.business(), account(key, None)).await.expect("sent");
    }
    h.clock.set(in_hours(48));
    let batch = h.store.claim_due(LEASE, 3).await.expect("claimed");
    assert_eq!(batch.len(), 3, "{batch:#?}");
    let rest = h.store.claim_due(LEASE, 3).await.expect("claimed");
    assert_eq!(rest.len(), 1);
    let mut ids: Vec<_> = batch.iter().chain(&rest).map(|c| c.message.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "each message claimed once");
    assert_eq!(h.store.next_due().await.expect("read"), Some(in_hours(48) + LEASE));
}

pub async fn retries_failures_and_resends(h: &Harness) {
    let o = office(h, "sur").await;
    h.store.send_account_message(o.owner.business(), account("ana", Some(o.ana))).await.expect("sent");
    let claim = h.store.claim_due(LEASE, 1).await.expect("claimed").remove(0);

    let retry_at = start_time() + SignedDuration::from_secs(30);
    assert!(h.store.mark_retry(&claim, "421 try again later", retry_at).await.expect("marked"));
    let waiting = h.store.message(&o.owner, claim.message.id).await.expect("read");
    assert_eq!((waiting.status, waiting.attempts, waiting.next_attempt_at), (MessageStatus::Pending, 1, retry_at));
    assert_eq!(waiting.last_error.as_deref(), Some("421 try again later"));
    assert!(h.store.claim_due(LEASE, 1).await.expect("claimed").is_empty(), "not before its time");
    assert_eq!(h.store.next_due().await.expect("read"), Some(retry_at));

    h.clock.set(retry_at);
    let claim = h.store.claim_due(LEASE, 1).await.expect("claimed").remove(0);
    assert_eq!(claim.attempt(), 2);
    assert!(h.store.mark_failed(&claim, "550 no such user").await.expect("marked"));
    let failed = h.store.message(&o.owner, claim.message.id).await.expect("read");
    assert_eq!((failed.status, failed.last_error.as_deref()), (MessageStatus::Failed, Some("550 no such user")));
    assert_eq!(h.store.next_due().await.expect("read"), None, "nothing left to send");

    // Staff send it again: the same message, due now, attempts anew.
    let norte = staff(h, &business(h, "norte").await, "Dueña Norte", Role::Owner).await;
    assert!(is_not_found(&h.store.resend(&norte, failed.id).await), "another business's message");
    h.clock.advance(SignedDuration::from_mins(10));
    let resent = h.store.resend(&o.owner, failed.id).await.expect("resent");
    assert_eq!((resent.id, resent.status, resent.attempts), (failed.id, MessageStatus::Pending, 0));
    assert_eq!(
        (resent.next_attempt_at, resent.last_error.as_deref()),
        (retry_at + SignedDuration::from_mins(10), None)
    );
    assert_eq!(h.store.message(&o.owner, failed.id).await.expect("read"), resent);
    let again = h.store.resend(&o.owner, failed.id).await;
    assert!(matches!(again, Err(StoreError::NotResendable)), "only a failed message: {again:?}");
    let claim = h.store.claim_due(LEASE, 1).await.expect("claimed").remove(0);
    assert_eq!((claim.message.id, claim.attempt()), (failed.id, 1));
    assert!(h.store.mark_sent(&claim, None).await.expect("marked"));
    let sent = h.store.resend(&o.owner, failed.id).await;
    assert!(matches!(sent, Err(StoreError::NotResendable)), "a sent message: {sent:?}");
    assert!(is_not_found(&h.store.resend(&o.owner, ficha_domain::MessageId::generate()).await));
}

pub async fn delivery_reports_find_the_message_by_provider_id(h: &Harness) {
    let o = office(h, "sur").await;
    whatsapp_on(h, &o.owner).await;
    let booking = book(h, &o, o.ana, in_hours(72)).await;
    let claims = h.store.claim_due(LEASE, 10).await.expect("claimed");
    let whatsapp = claims.iter().find(|c| c.message.channel == Channel::Whatsapp).expect("a WhatsApp message");
    assert_eq!(whatsapp.message.booking, Some(booking.id));
    assert!(h.store.mark_sent(whatsapp, Some("wamid.HBgL")).await.expect("marked"));
    let read = |h: &Harness| {
        let (store, owner, id) = (h.store.clone(), o.owner, whatsapp.message.id);
        async move { store.message(&owner, id).await.expect("read") }
    };

    assert!(h.store.delivery_report("wamid.HBgL", Delivery::Delivered, None).await.expect("reported"));
    assert_eq!(read(h).await.delivery, Some(Delivery::Delivered));
    assert!(h.store.delivery_report("wamid.HBgL", Delivery::Sent, None).await.expect("reported"));
    assert_eq!(read(h).await.delivery, Some(Delivery::Delivered), "a late report does not go back");
    assert!(h.store.delivery_report("wamid.HBgL", Delivery::Read, None).await.expect("reported"));
    let seen = read(h).await;
    assert_eq!((seen.delivery, seen.status), (Some(Delivery::Read), MessageStatus::Sent));

    assert!(!h.store.delivery_report("wamid.other", Delivery::Read, None).await.expect("answered"));
    let failing = claims.iter().find(|c| c.message.channel == Channel::Email).expect("the email");
    assert!(h.store.mark_sent(failing, Some("wamid.FAIL")).await.expect("marked"));
    let reason = Some("131026: número no es usuario de WhatsApp");
    assert!(h.store.delivery_report("wamid.FAIL", Delivery::Failed, reason).await.expect("reported"));
    let failed = h.store.message(&o.owner, failing.message.id).await.expect("read");
    assert_eq!(
        (failed.status, failed.delivery, failed.last_error.as_deref()),
        (MessageStatus::Failed, Some(Delivery::Failed), reason)
    );
    assert_eq!(read(h).await, seen, "another message's report changes only that one");
}

pub async fn messages_filter_by_status_and_client_and_page_newest_first(h: &Harness) {
    let o = office(h, "sur").await;
    let bea = client_with(h, &o.owner, "Bea Soto", "bea@mail.cl", None).await;
    // Seven messages a minute apart (the last two at the same time), to
    // Ana, Bea or no client.
    let to = [Some(o.ana), Some(bea), None, Some(o.ana), Some(bea), Some(o.ana), None];
    for (i, client) in to.iter().enumerate() {
        if i < 6 {
            h.clock.advance(SignedDuration::from_mins(1));
        }
        h.store.send_account_message(o.owner.business(), account(&format!("k{i}"), *client)).await.expect("sent");
    }
    let everything = all(h, &o.owner).await;
    assert_eq!(everything.len(), 7);
    let keys: Vec<(i64, uuid::Uuid)> =
        everything.iter().map(|m| (m.created_at.as_microsecond(), m.id.as_uuid())).collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted, "newest first, by (created_at, id)");
    assert_eq!(everything.last().map(|m| m.facts.link.as_deref()), Some(Some("/sur/clave/k0")));

    // Pages of two reach every message once.
    let mut query = MessageQuery { limit: 2, ..Default::default() };
    let mut paged = Vec::new();
    loop {
        let page = h.store.messages(&o.owner, &query).await.expect("page");
        assert!(page.messages.len() <= 2);
        paged.extend(page.messages);
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, everything);

    // Two sent, one failed; the rest pending.
    let claims = h.store.claim_due(LEASE, 3).await.expect("claimed");
    assert_eq!(claims.len(), 3);
    let (failed, sent) = (&claims[0], &claims[1..]);
    assert!(h.store.mark_failed(failed, "rechazado").await.expect("marked"));
    for claim in sent {
        assert!(h.store.mark_sent(claim, None).await.expect("marked"));
    }
    h.store.mark_retry(&h.store.claim_due(LEASE, 1).await.expect("claimed")[0], "later", in_hours(1)).await.expect("x");
    let of = |status: Option<MessageStatus>, client| MessageQuery { status, client, limit: 100, after: None };
    let ids = |messages: Vec<crate::Message>| messages.into_iter().map(|m| m.id).collect::<Vec<_>>();
    let failed_list = h.store.messages(&o.owner, &of(Some(MessageStatus::Failed), None)).await.expect("listed");
    assert_eq!(ids(failed_list.messages), [failed.message.id]);
    let sent_list = h.store.messages(&o.owner, &of(Some(MessageStatus::Sent), None)).await.expect("listed");
    let mut expected: Vec<_> = sent.iter().map(|c| c.message.clone()).collect();
    expected.sort_by_key(|m| std::cmp::Reverse((m.created_at, m.id)));
    assert_eq!(ids(sent_list.messages), ids(expected));
    let pending = h.store.messages(&o.owner, &of(Some(MessageStatus::Pending), None)).await.expect("listed");
    assert_eq!(pending.messages.len(), 4);

    let anas = h.store.messages(&o.owner, &of(None, Some(o.ana))).await.expect("listed").messages;
    assert_eq!(anas.len(), 3);
    assert!(anas.iter().all(|m| m.client == Some(o.ana)));
    let expected: Vec<_> = everything.iter().filter(|m| m.client == Some(o.ana)).map(|m| m.id).collect();
    assert_eq!(ids(anas.clone()), expected);
    let anas_failed = h.store.messages(&o.owner, &of(Some(MessageStatus::Failed), Some(o.ana))).await.expect("ok");
    let expected: Vec<_> = anas.iter().filter(|m| m.status == MessageStatus::Failed).map(|m| m.id).collect();
    assert_eq!(ids(anas_failed.messages), expected);
    let mut pages = MessageQuery { client: Some(bea), limit: 1, ..Default::default() };
    let first = h.store.messages(&o.owner, &pages).await.expect("page");
    pages.after = first.next;
    let second = h.store.messages(&o.owner, &pages).await.expect("page");
    assert_eq!(second.next, None);
    let beas: Vec<_> = everything.iter().filter(|m| m.client == Some(bea)).map(|m| m.id).collect();
    assert_eq!(ids([first.messages, second.messages].concat()), beas);
}

pub async fn another_business_cannot_reach_messages_choices_or_settings(h: &Harness) {
    let o = office(h, "sur").await;
    let set = NotificationSettings { sender_name: Some("Clínica Sur".into()), ..Default::default() };
    h.store.set_notification_settings(&o.owner, set).await.expect("saved");
    book(h, &o, o.ana, in_hours(72)).await;
    let id = all(h, &o.owner).await[0].id;
    let norte = staff(h, &business(h, "norte").await, "Dueña Norte", Role::Owner).await;

    assert!(is_not_found(&h.store.message(&norte, id).await));
    assert!(is_not_found(&h.store.resend(&norte, id).await));
    assert!(all(h, &norte).await.is_empty());
    let hers = MessageQuery { client: Some(o.ana), ..Default::default() };
    assert!(h.store.messages(&norte, &hers).await.expect("an answer").messages.is_empty());
    let failed = MessageQuery { status: Some(MessageStatus::Pending), ..Default::default() };
    assert!(h.store.messages(&norte, &failed).await.expect("an answer").messages.is_empty());
    assert!(is_not_found(&h.store.client_preferences(&norte, o.ana).await));
    let out = ClientPreferences { no_whatsapp: true, no_reminders: true };
    assert!(is_not_found(&h.store.set_client_preferences(&norte, o.ana, out, ficha_domain::ChoiceSource::Api).await));
    assert_eq!(h.store.client_preferences(&o.owner, o.ana).await.expect("read"), ClientPreferences::default());
    assert_eq!(h.store.notification_settings(&norte).await.expect("read"), NotificationSettings::default());
    let pending = only(&all(h, &o.owner).await, NoticeKind::Reminder, Channel::Email);
    assert_eq!(pending[0].status, MessageStatus::Pending, "untouched by the outsider");
}

pub async fn notification_settings_are_owners_only_and_round_trip(h: &Harness) {
    let o = office(h, "sur").await;
    let pro = staff(h, &o.owner, "Julia Rojas", Role::Professional).await;
    assert_eq!(h.store.notification_settings(&o.owner).await.expect("read"), NotificationSettings::default());
    let business = o.owner.business();
    assert_eq!(h.store.sending_settings(business).await.expect("read").reminder_lead, ReminderLead::Minutes(1440));
    let read = h.store.notification_settings(&pro).await;
    assert!(matches!(read, Err(StoreError::OwnerOnly)), "it holds the access token: {read:?}");
    let written = h.store.set_notification_settings(&pro, NotificationSettings::default()).await;
    assert!(matches!(written, Err(StoreError::OwnerOnly)), "{written:?}");

    let settings = NotificationSettings {
        sender_name: Some("Kinesiología Sur".into()),
        reminder_lead: ReminderLead::Minutes(3 * 24 * 60 + 30),
        whatsapp: WhatsappSettings {
            enabled: true,
            phone_number_id: "109876543210".into(),
            access_token: "EAAG…".into(),
            templates: [
                (NoticeKind::BookingCreated, Template { name: "reserva_creada".into(), language: "es_CL".into() }),
                (NoticeKind::Reminder, Template { name: "recordatorio".into(), language: "es".into() }),
            ]
            .into(),
        },
    };
    let saved = h.store.set_notification_settings(&o.owner, settings.clone()).await.expect("saved");
    assert_eq!(saved, settings);
    assert_eq!(h.store.notification_settings(&o.owner).await.expect("read"), settings);
    assert_eq!(h.store.sending_settings(business).await.expect("read"), settings);

    let off = NotificationSettings { reminder_lead: ReminderLead::Off, ..settings.clone() };
    h.store.set_notification_settings(&o.owner, off.clone()).await.expect("saved");
    assert_eq!(h.store.notification_settings(&o.owner).await.expect("read"), off);
    assert_eq!(
        h.store.sending_settings(ficha_domain::BusinessId::generate()).await.expect("read"),
        NotificationSettings::default(),
        "a business without settings has the defaults"
    );
}
