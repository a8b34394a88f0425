//! Contract cases for Mi cuenta: sign-in codes and links (single use,
//! expiry, a limit of wrong codes), client sessions, a client's booking
//! changes (own bookings only, the business's deadlines, Por reservar
//! scheduled), the email change awaiting verification, and the password —
//! every one scoped to the business.

use ficha_domain::{Actor, BookingRules, BookingState, Change, GeneralField, Who};
use jiff::SignedDuration;
use jiff::civil::date;
use uuid::Uuid;

use super::Harness;
use super::booking_site::{request, site, site_refusal, ten_tomorrow, typed};
use super::bookings::{local, new_service};
use crate::client_accounts::{MAX_CODE_ATTEMPTS, sign_in_code_hash};
use crate::{HistoryQuery, NewSignIn, OnlineChange, SignInRefused, StoreError};
use ficha_domain::ClientChanges;
use ficha_domain::Clock as _;

#[macro_export]
macro_rules! client_accounts_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            a_sign_in_code_opens_once_and_dies_after_wrong_codes,
            a_sign_in_expires_and_its_link_opens_once,
            client_sessions_close_one_or_all_and_stay_in_their_business,
            a_client_changes_only_their_own_bookings_within_the_deadlines,
            a_client_schedules_a_por_reservar_session,
            an_email_change_is_refused_when_taken_and_spent_once,
            a_client_edit_is_in_history_as_the_client,
            a_client_actor_reaches_only_its_own_profile
        );
    };
}

fn new_sign_in(client: ficha_domain::ClientId, code: &str, link: &[u8], h: &Harness) -> NewSignIn {
    let id = Uuid::now_v7();
    NewSignIn {
        id,
        client,
        code_hash: sign_in_code_hash(id, code),
        link_hash: link.to_vec(),
        expires_at: h.clock.now() + SignedDuration::from_mins(15),
    }
}

pub async fn a_sign_in_code_opens_once_and_dies_after_wrong_codes(h: &Harness) {
    let s = site(h, "codigos").await;
    let ana =
        h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), typed("Ana", "ana@m.cl", None, None), "a"));
    let ana = ana.await.expect("booked").client;
    let found = h.store.client_by_email(&s.actor, "ana@m.cl").await.expect("read").expect("found");
    assert_eq!(found.id, ana);
    assert!(h.store.client_by_email(&s.actor, "nadie@m.cl").await.expect("read").is_none());

    let now = h.clock.now();
    let first = new_sign_in(ana, "123456", b"l1", h);
    h.store.issue_sign_in(&s.actor, &first, now).await.expect("issued");
    let redeem = |id, code: &str| {
        let hash = sign_in_code_hash(id, code);
        let store = h.store.clone();
        let actor = s.actor;
        async move { store.redeem_code(&actor, id, &hash, now).await.expect("read") }
    };
    assert_eq!(redeem(first.id, "654321").await, Err(SignInRefused::Wrong));
    assert_eq!(redeem(first.id, "123456").await, Ok(ana), "the right code opens");
    assert_eq!(redeem(first.id, "123456").await, Err(SignInRefused::Dead), "but only once");

    // Wrong codes up to the limit kill it: the right one then opens nothing.
    let second = new_sign_in(ana, "111111", b"l2", h);
    h.store.issue_sign_in(&s.actor, &second, now).await.expect("issued");
    for _ in 0..MAX_CODE_ATTEMPTS {
        assert_eq!(redeem(second.id, "000000").await, Err(SignInRefused::Wrong));
    }
    assert_eq!(redeem(second.id, "111111").await, Err(SignInRefused::Dead));
    assert_eq!(h.store.redeem_link(&s.actor, b"l2", now).await.expect("read"), Err(SignInRefused::Dead));

    // Another business knows neither the client nor the sign-in.
    let other = site(h, "otro").await;
    let third = new_sign_in(ana, "222222", b"l3", h);
    assert!(matches!(h.store.issue_sign_in(&other.actor, &third, now).await, Err(StoreError::NotFound)));
    h.store.issue_sign_in(&s.actor, &third, now).await.expect("issued");
    let hash = sign_in_code_hash(third.id, "222222");
    assert_eq!(h.store.redeem_code(&other.actor, third.id, &hash, now).await.expect("read"), Err(SignInRefused::Dead));
    assert!(h.store.client_by_email(&other.actor, "ana@m.cl").await.expect("read").is_none());
}

pub async fn a_sign_in_expires_and_its_link_opens_once(h: &Harness) {
    let s = site(h, "enlaces").await;
    let booked =
        h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), typed("Bea", "bea@m.cl", None, None), "b"));
    let bea = booked.await.expect("booked").client;
    let now = h.clock.now();
    let fresh = new_sign_in(bea, "123456", b"link-1", h);
    h.store.issue_sign_in(&s.actor, &fresh, now).await.expect("issued");
    assert_eq!(h.store.redeem_link(&s.actor, b"link-1", now).await.expect("read"), Ok(bea));
    assert_eq!(h.store.redeem_link(&s.actor, b"link-1", now).await.expect("read"), Err(SignInRefused::Dead));
    let hash = sign_in_code_hash(fresh.id, "123456");
    assert_eq!(h.store.redeem_code(&s.actor, fresh.id, &hash, now).await.expect("read"), Err(SignInRefused::Dead));

    let late = new_sign_in(bea, "654321", b"link-2", h);
    h.store.issue_sign_in(&s.actor, &late, now).await.expect("issued");
    let after = now + SignedDuration::from_mins(16);
    assert_eq!(h.store.redeem_link(&s.actor, b"link-2", after).await.expect("read"), Err(SignInRefused::Dead));
    let hash = sign_in_code_hash(late.id, "654321");
    assert_eq!(h.store.redeem_code(&s.actor, late.id, &hash, after).await.expect("read"), Err(SignInRefused::Dead));
}

pub async fn client_sessions_close_one_or_all_and_stay_in_their_business(h: &Harness) {
    let s = site(h, "sesiones").await;
    let booked =
        h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), typed("Eva", "eva@m.cl", None, None), "e"));
    let eva = booked.await.expect("booked").client;
    let now = h.clock.now();
    let until = now + SignedDuration::from_hours(24);
    for token in [b"s1", b"s2", b"s3"] {
        h.store.open_client_session(&s.actor, eva, token, now, until).await.expect("opened");
    }
    assert_eq!(h.store.client_session(&s.actor, b"s1", now).await.expect("read"), Some(eva));
    assert_eq!(h.store.client_session(&s.actor, b"s1", until).await.expect("read"), None, "expired");
    let other = site(h, "ajeno").await;
    assert_eq!(h.store.client_session(&other.actor, b"s1", now).await.expect("read"), None, "another business");
    h.store.close_client_session(&s.actor, b"s1").await.expect("closed");
    assert_eq!(h.store.client_session(&s.actor, b"s1", now).await.expect("read"), None);
    assert_eq!(h.store.client_session(&s.actor, b"s2", now).await.expect("read"), Some(eva));
    h.store.close_client_sessions(&s.actor, eva).await.expect("closed all");
    assert_eq!(h.store.client_session(&s.actor, b"s2", now).await.expect("read"), None);
    assert_eq!(h.store.client_session(&s.actor, b"s3", now).await.expect("read"), None);

    assert_eq!(h.store.client_password(&s.actor, eva).await.expect("read"), None);
    h.store.set_client_password(&s.actor, eva, "$argon2id$x", now).await.expect("set");
    assert_eq!(h.store.client_password(&s.actor, eva).await.expect("read").as_deref(), Some("$argon2id$x"));
    assert_eq!(h.store.client_password(&other.actor, eva).await.expect("read"), None);
}

pub async fn a_client_changes_only_their_own_bookings_within_the_deadlines(h: &Harness) {
    let s = site(h, "propias").await;
    let rules = BookingRules {
        cancel_until_hours: 24,
        reschedule_until_hours: 2,
        ..h.store.booking_rules(&s.actor).await.expect("rules")
    };
    h.store.set_booking_rules(&s.actor, rules).await.expect("rules");
    let mine =
        h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), typed("Ida", "ida@m.cl", None, None), "i"));
    let mine = mine.await.expect("booked");
    let later = local(date(2026, 3, 16), 12, 0);
    let theirs = h.store.book_online(&s.actor, request(&s, None, later, typed("Otto", "otto@m.cl", None, None), "o"));
    let theirs = theirs.await.expect("booked");
    let ida = Actor::Client { business: s.actor.business(), client: mine.client };

    // Another client's booking is not found, and stays as it was.
    let taken = h.store.change_as_client(&ida, theirs.id, OnlineChange::Cancel).await;
    assert!(matches!(taken, Err(StoreError::NotFound)), "{taken:?}");
    assert_eq!(h.store.get_booking(&s.actor, theirs.id).await.expect("read").state, BookingState::Confirmed);
    // Only a client actor may use it.
    let staffish = h.store.change_as_client(&s.actor, mine.id, OnlineChange::Cancel).await;
    assert!(matches!(staffish, Err(StoreError::NotFound)), "{staffish:?}");

    // 23 h before: past the cancel deadline (24 h); refused, unchanged.
    h.clock.set(ten_tomorrow().checked_sub(SignedDuration::from_hours(23)).expect("time"));
    let late = h.store.change_as_client(&ida, mine.id, OnlineChange::Cancel).await;
    assert_eq!(site_refusal(late), ficha_domain::SiteRule::CancelDeadline);
    assert_eq!(h.store.get_booking(&s.actor, mine.id).await.expect("read").state, BookingState::Confirmed);
    // Moved a day later, it may be cancelled again.
    let moved = OnlineChange::Reschedule { professional: None, start: local(date(2026, 3, 17), 10, 0) };
    h.store.change_as_client(&ida, mine.id, moved).await.expect("rescheduled");
    let cancelled = h.store.change_as_client(&ida, mine.id, OnlineChange::Cancel).await.expect("cancelled");
    assert_eq!(cancelled.state, BookingState::Cancelled);

    // The history says the client did it; the moved booking's message
    // carries a fresh manage link, the cancellation's none.
    let history = h.store.client_history(&s.actor, mine.client, &HistoryQuery::default()).await.expect("history");
    let entry = history.entries.iter().find(|e| matches!(e.change, Change::BookingCancelled { .. })).expect("entry");
    assert_eq!(entry.who, Who::Client);
    let messages = h.store.messages(&s.actor, &crate::MessageQuery { limit: 50, ..Default::default() }).await;
    let messages = messages.expect("messages").messages;
    let moved = messages.iter().find(|m| m.kind == ficha_domain::NoticeKind::BookingRescheduled).expect("told");
    assert!(moved.facts.link.as_deref().is_some_and(|l| l.starts_with("/reservar/propias/reserva/")), "{moved:?}");
    let told = messages.iter().find(|m| m.kind == ficha_domain::NoticeKind::BookingCancelled).expect("told");
    assert_eq!(told.facts.link, None);
}

pub async fn a_client_schedules_a_por_reservar_session(h: &Harness) {
    let s = site(h, "porreservar").await;
    let pack = h.store.create_service(&s.actor, new_service("Pack 3", 60, 3, &s.pros)).await.expect("pack");
    let mut asked = request(&s, None, ten_tomorrow(), typed("Pia", "pia@m.cl", None, None), "p");
    asked.service = pack.id;
    let first = h.store.book_online(&s.actor, asked).await.expect("booked");
    let left = h.store.por_reservar(&s.actor, first.client).await.expect("left").sessions;
    assert_eq!(left.len(), 2);
    let pia = Actor::Client { business: s.actor.business(), client: first.client };
    let when = local(date(2026, 3, 18), 11, 0);
    let schedule = OnlineChange::Reschedule { professional: None, start: when };
    let scheduled = h.store.change_as_client(&pia, left[0].id, schedule).await.expect("scheduled");
    assert_eq!(scheduled.when.map(|w| w.start()), Some(when));
    assert_eq!(scheduled.pack.map(|p| p.of), Some(3));
    assert_eq!(h.store.por_reservar(&s.actor, first.client).await.expect("left").sessions.len(), 1);
    // Too soon (the notice is 2 h): refused, still por reservar.
    let soon = OnlineChange::Reschedule { professional: None, start: h.clock.now() + SignedDuration::from_mins(30) };
    let refused = h.store.change_as_client(&pia, left[1].id, soon).await;
    assert_eq!(site_refusal(refused), ficha_domain::SiteRule::TooSoon);
    assert_eq!(h.store.por_reservar(&s.actor, first.client).await.expect("left").sessions.len(), 1);
}

pub async fn an_email_change_is_refused_when_taken_and_spent_once(h: &Harness) {
    let s = site(h, "correos").await;
    let one =
        h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), typed("Uno", "uno@m.cl", None, None), "1"));
    let one = one.await.expect("booked").client;
    let later = local(date(2026, 3, 16), 12, 0);
    let two = h.store.book_online(&s.actor, request(&s, None, later, typed("Dos", "dos@m.cl", None, None), "2"));
    two.await.expect("booked");
    let now = h.clock.now();
    let until = now + SignedDuration::from_hours(24);
    let taken = ficha_domain::Email::parse("DOS@m.cl").expect("email");
    let refused = h.store.request_email_change(&s.actor, one, &taken, b"t0", now, until).await;
    assert!(matches!(refused, Err(StoreError::EmailTaken { .. })), "{refused:?}");
    assert!(matches!(h.store.take_email_change(&s.actor, b"t0", now).await, Err(StoreError::NotFound)));

    let new = ficha_domain::Email::parse("Uno.Nuevo@m.cl").expect("email");
    assert_eq!(h.store.pending_email_change(&s.actor, one, now).await.expect("read"), None);
    h.store.request_email_change(&s.actor, one, &new, b"t1", now, until).await.expect("asked");
    assert_eq!(h.store.get_client(&s.actor, one).await.expect("read").email.as_str(), "uno@m.cl", "not yet");
    let waiting = h.store.pending_email_change(&s.actor, one, now).await.expect("read");
    assert_eq!(waiting.as_ref().map(|e| e.as_str()), Some("Uno.Nuevo@m.cl"), "waiting for its verification");
    let other = site(h, "correos-otro").await;
    assert!(matches!(h.store.take_email_change(&other.actor, b"t1", now).await, Err(StoreError::NotFound)));
    let pending = h.store.take_email_change(&s.actor, b"t1", now).await.expect("taken");
    assert_eq!((pending.client, pending.email.as_str()), (one, "Uno.Nuevo@m.cl"));
    assert!(matches!(h.store.take_email_change(&s.actor, b"t1", now).await, Err(StoreError::NotFound)), "once");
    assert_eq!(h.store.pending_email_change(&s.actor, one, now).await.expect("read"), None, "spent");
    h.store.request_email_change(&s.actor, one, &new, b"t2", now, until).await.expect("asked");
    assert!(matches!(h.store.take_email_change(&s.actor, b"t2", until).await, Err(StoreError::NotFound)), "expired");
    assert_eq!(h.store.pending_email_change(&s.actor, one, until).await.expect("read"), None, "expired");
}

pub async fn a_client_edit_is_in_history_as_the_client(h: &Harness) {
    let s = site(h, "ediciones").await;
    let booked =
        h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), typed("Lia", "lia@m.cl", None, None), "l"));
    let lia = booked.await.expect("booked").client;
    let stored = h.store.get_client(&s.actor, lia).await.expect("read");
    let actor = Actor::Client { business: s.actor.business(), client: lia };
    let phone = ficha_domain::Phone::parse("+56 9 6123 4567").expect("phone");
    let changes = ClientChanges { phone: Some(Some(phone)), ..ClientChanges::default() };
    h.store.update_client(&actor, lia, stored.version, changes).await.expect("updated");
    let history = h.store.client_history(&s.actor, lia, &HistoryQuery::default()).await.expect("history");
    let entry = &history.entries[0];
    assert_eq!(entry.who, Who::Client);
    assert!(
        matches!(&entry.change, Change::Field { field: GeneralField::Phone, new: Some(p), .. } if p == "+56961234567")
    );
}

pub async fn a_client_actor_reaches_only_its_own_profile(h: &Harness) {
    let s = site(h, "propios").await;
    let booked =
        h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), typed("Uno", "uno@m.cl", None, None), "1"));
    let one = booked.await.expect("booked").client;
    let later = local(date(2026, 3, 16), 12, 0);
    let booked = h.store.book_online(&s.actor, request(&s, None, later, typed("Dos", "dos@m.cl", None, None), "2"));
    let two = booked.await.expect("booked").client;
    let actor = Actor::Client { business: s.actor.business(), client: one };
    assert_eq!(h.store.get_client(&actor, one).await.expect("own").id, one);
    assert!(matches!(h.store.get_client(&actor, two).await, Err(StoreError::NotFound)));
    let stored = h.store.get_client(&s.actor, two).await.expect("read");
    let changes = ClientChanges {
        name: Some(ficha_domain::ClientName::parse("Otro").expect("name")),
        ..ClientChanges::default()
    };
    let refused = h.store.update_client(&actor, two, stored.version, changes).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(h.store.get_client(&s.actor, two).await.expect("read").name.as_str(), "Dos", "nothing changed");
    assert!(matches!(h.store.delete_client(&actor, one).await, Err(StoreError::NotFound)), "not even their own");
    assert!(h.store.get_client(&s.actor, one).await.is_ok());
}
