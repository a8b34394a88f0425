//! Contract cases for Ley 21.719's consent: the privacy notice's versions
//! (immutable, owners only, the default until one is written), the consent
//! each online booking records, and the WhatsApp choice made on the form.

use ficha_domain::{
    Acceptance, Actor, Change, ClientPreferences, Clock, NewStaff, NoticeText, PrivacyNotice, Role, SiteRule,
};

use super::booking_site::{request, site, site_refusal, ten_tomorrow, typed};
use super::outbox::whatsapp_on;
use super::{Harness, business};
use crate::{HistoryQuery, StoreError};

#[macro_export]
macro_rules! consent_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            privacy_notice_versions_are_kept_and_never_change,
            only_owners_write_the_privacy_notice,
            an_online_booking_records_the_notice_it_accepted,
            a_stale_notice_version_books_nothing,
            the_whatsapp_choice_on_the_form_becomes_the_clients_preference
        );
    };
}

fn text(body: &str) -> NoticeText {
    NoticeText::parse(body).expect("valid notice")
}

async fn owner(h: &Harness, actor: &Actor) -> Actor {
    let new = NewStaff {
        name: ficha_domain::ClientName::parse("Dueña Rojas").expect("valid"),
        email: ficha_domain::Email::parse("duena@clinica.cl").expect("valid"),
        role: Role::Owner,
        password_hash: "not a real hash".into(),
    };
    let staff = h.store.create_staff(actor, new).await.expect("owner").id;
    Actor::Staff { business: actor.business(), staff: Some(staff), role: Role::Owner }
}

pub async fn privacy_notice_versions_are_kept_and_never_change(h: &Harness) {
    let system = business(h, "aviso").await;
    let owner = owner(h, &system).await;
    // Nothing written: the product's default, as version 1, not stored.
    assert_eq!(h.store.privacy_notice(&owner).await.expect("read"), PrivacyNotice::default_unstored());
    assert!(h.store.privacy_notice_versions(&owner).await.expect("read").is_empty());

    // The owner's first text is version 2: version 1 is always the default
    // (stored now, so it reads as it was).
    let first = h.store.set_privacy_notice(&owner, text("Usamos tus datos para tus reservas.")).await.expect("v2");
    assert_eq!((first.version, first.is_default), (2, false));
    assert_eq!(first.author.as_ref().map(|(_, name)| name.as_str()), Some("Dueña Rojas"));
    assert_eq!(first.written_at, Some(h.clock.now()));
    // The same text again is no new version.
    let same = h.store.set_privacy_notice(&owner, text("  Usamos tus datos para tus reservas. ")).await.expect("same");
    assert_eq!(same, first);
    h.clock.advance(jiff::SignedDuration::from_hours(1));
    let second = h.store.set_privacy_notice(&owner, text("Nuevo texto.\n\nCon párrafos.")).await.expect("v3");
    assert_eq!(second.version, 3);
    assert_eq!(h.store.privacy_notice(&owner).await.expect("read"), second);
    // The earlier versions are still there, as they were written.
    let versions = h.store.privacy_notice_versions(&owner).await.expect("read");
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[..2], [second.clone(), first]);
    assert!(versions[2].is_default && versions[2].version == 1 && versions[2].author.is_none());
    assert_eq!(versions[2].text, PrivacyNotice::default_unstored().text);
    // Another business still reads the default.
    let other = business(h, "otro-aviso").await;
    assert!(h.store.privacy_notice(&other).await.expect("read").is_default);
}

pub async fn only_owners_write_the_privacy_notice(h: &Harness) {
    let system = business(h, "solo-duenos").await;
    let professional = Actor::Staff { business: system.business(), staff: None, role: Role::Professional };
    let refused = h.store.set_privacy_notice(&professional, text("Un aviso.")).await;
    assert!(matches!(refused, Err(StoreError::OwnerOnly)), "{refused:?}");
    assert!(h.store.privacy_notice_versions(&system).await.expect("read").is_empty(), "nothing written");
}

pub async fn an_online_booking_records_the_notice_it_accepted(h: &Harness) {
    let s = site(h, "consiente").await;
    let who = typed("Marta Soto", "marta@mail.cl", None, None);
    let booked = h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), who, "c1")).await.expect("booked");
    let consents = h.store.consents_of(&s.actor, &[booked.id]).await.expect("read");
    assert_eq!(consents.len(), 1);
    let (id, consent) = consents[0];
    assert_eq!(id, booked.id);
    assert_eq!(consent.notice_version, 1);
    assert_eq!(consent.accepted_at, h.clock.now());
    assert_eq!(consent.whatsapp_opt_in, None, "WhatsApp is off: not asked");
    // The default accepted is now stored as version 1, so it reads as it was.
    let stored = h.store.privacy_notice_versions(&s.actor).await.expect("read");
    assert_eq!(stored.len(), 1);
    assert!(stored[0].is_default && stored[0].version == 1);
    assert_eq!(stored[0].text, PrivacyNotice::default_unstored().text);
    // The owner's text is the next version.
    let v2 = h.store.set_privacy_notice(&s.actor, text("Aviso propio.")).await.expect("v2");
    assert_eq!(v2.version, 2);
    let mut next = request(
        &s,
        None,
        ten_tomorrow() + jiff::SignedDuration::from_hours(2),
        typed("Marta Soto", "marta@mail.cl", None, None),
        "c2",
    );
    next.consent = Acceptance { notice_version: 2, whatsapp_opt_in: false };
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let again = h.store.book_online(&s.actor, next).await.expect("booked");
    let latest = h.store.latest_consent(&s.actor, booked.client).await.expect("read").expect("some");
    assert_eq!((latest.notice_version, latest.accepted_at), (2, h.clock.now()));
    assert_eq!(h.store.consents_of(&s.actor, &[again.id, booked.id]).await.expect("read").len(), 2);
    // Another business reads none of them.
    let other = business(h, "ajena").await;
    assert!(h.store.consents_of(&other, &[booked.id]).await.expect("read").is_empty());
    assert_eq!(h.store.latest_consent(&other, booked.client).await.expect("read"), None);
}

pub async fn a_stale_notice_version_books_nothing(h: &Harness) {
    let s = site(h, "vencido").await;
    h.store.set_privacy_notice(&s.actor, text("Primero.")).await.expect("v2");
    h.store.set_privacy_notice(&s.actor, text("Segundo.")).await.expect("v3");
    let who = typed("Luis Mora", "luis@mail.cl", None, None);
    let stale = h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), who.clone(), "s1")).await;
    assert_eq!(site_refusal(stale), SiteRule::NoticeOutdated);
    let mut older = request(&s, None, ten_tomorrow(), who.clone(), "s1b");
    older.consent.notice_version = 2;
    assert_eq!(site_refusal(h.store.book_online(&s.actor, older).await), SiteRule::NoticeOutdated);
    let mut future = request(&s, None, ten_tomorrow(), who.clone(), "s2");
    future.consent.notice_version = 4;
    assert_eq!(site_refusal(h.store.book_online(&s.actor, future).await), SiteRule::NoticeOutdated);
    // Nothing written: no client was created for the email.
    let page = h.store.list_clients(&s.actor, &Default::default()).await.expect("list");
    assert!(page.clients.is_empty(), "{:?}", page.clients);
    let mut current = request(&s, None, ten_tomorrow(), who, "s3");
    current.consent.notice_version = 3;
    h.store.book_online(&s.actor, current).await.expect("the current version books");
}

pub async fn the_whatsapp_choice_on_the_form_becomes_the_clients_preference(h: &Harness) {
    let s = site(h, "whatsapp").await;
    whatsapp_on(h, &s.actor).await;
    let who = typed("Pía Rojas", "pia@mail.cl", Some("+56 9 6123 4567"), None);
    let mut first = request(&s, None, ten_tomorrow(), who.clone(), "w1");
    first.consent.whatsapp_opt_in = true;
    let booked = h.store.book_online(&s.actor, first).await.expect("booked");
    let consent = h.store.latest_consent(&s.actor, booked.client).await.expect("read").expect("some");
    assert_eq!(consent.whatsapp_opt_in, Some(true));
    let prefs = h.store.client_preferences(&s.actor, booked.client).await.expect("read");
    assert_eq!(prefs, ClientPreferences::default(), "opted in: receives WhatsApp");
    // Unticked the next time: an opt-out, recorded in the history.
    let later = ten_tomorrow() + jiff::SignedDuration::from_hours(2);
    let second = h.store.book_online(&s.actor, request(&s, None, later, who, "w2")).await.expect("booked");
    let consents = h.store.consents_of(&s.actor, &[second.id]).await.expect("read");
    assert_eq!(consents[0].1.whatsapp_opt_in, Some(false));
    let prefs = h.store.client_preferences(&s.actor, booked.client).await.expect("read");
    assert!(prefs.no_whatsapp && !prefs.no_reminders, "{prefs:?}");
    let history = h.store.client_history(&s.actor, booked.client, &HistoryQuery::default()).await.expect("history");
    assert!(
        history
            .entries
            .iter()
            .any(|e| matches!(e.change, Change::NotificationPreferences { new, .. } if new.no_whatsapp)),
        "{:?}",
        history.entries
    );
}
