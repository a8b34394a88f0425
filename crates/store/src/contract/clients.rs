use ficha_domain::{BirthDate, ClientChanges, ClientId, ClientName, Email, Phone, Rut};
use jiff::SignedDuration;
use jiff::civil::date;

use super::{Harness, business, new_client, start_time};
use crate::StoreError;

pub async fn create_then_read_returns_what_was_stored(h: &Harness) {
    let actor = business(h, "sur").await;
    let mut new = new_client("María José Núñez-Ortúzar", "MJ.Nunez@Mail.cl");
    new.phone = Some(Phone::parse("9 6123 4567").expect("valid"));
    new.rut = Some(Rut::parse("12.345.678-5").expect("valid"));
    new.birth_date = Some(BirthDate::new(date(1988, 2, 29), date(2026, 1, 1)).expect("valid"));

    let created = h.store.create_client(&actor, new.clone()).await.expect("created");
    let read = h.store.get_client(&actor, created.id).await.expect("read");

    assert_eq!(read, created);
    assert_eq!(read.name, new.name);
    assert_eq!(read.email.as_str(), "MJ.Nunez@Mail.cl", "email is stored as typed");
    assert_eq!(read.phone.as_ref().map(Phone::e164), Some("+56961234567"));
    assert_eq!(read.rut.map(|r| r.canonical()), Some("12345678-5".to_owned()));
    assert_eq!(read.birth_date, new.birth_date);
    assert_eq!(read.registered_at, start_time(), "registration time comes from the clock");
    assert_eq!(read.last_booking_at, None);
    assert_eq!(read.version, 1);
}

pub async fn duplicate_email_is_refused_and_names_the_holder(h: &Harness) {
    let actor = business(h, "sur").await;
    let first = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");

    let again = h.store.create_client(&actor, new_client("Ana P.", "  ANA@Mail.CL ")).await;

    match again {
        Err(StoreError::EmailTaken { existing }) => assert_eq!(existing, first.id),
        other => panic!("expected EmailTaken, got {other:?}"),
    }
    let page = h.store.list_clients(&actor, &Default::default()).await.expect("listed");
    assert_eq!(page.total, 1, "nothing was written");
}

pub async fn same_email_in_another_business_is_fine(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    h.store.create_client(&sur, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created in sur");
    h.store.create_client(&norte, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created in norte");
}

pub async fn update_changes_fields_and_bumps_version(h: &Harness) {
    let actor = business(h, "sur").await;
    let created = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    h.clock.advance(SignedDuration::from_hours(1));

    let changes = ClientChanges {
        name: Some(ClientName::parse("Ana María Pérez").expect("valid")),
        email: Some(Email::parse("ANA@mail.cl").expect("valid")),
        phone: Some(Some(Phone::parse("+56 2 2345 6789").expect("valid"))),
        rut: Some(Some(Rut::parse("10000013-k").expect("valid"))),
        birth_date: None,
    };
    let updated = h.store.update_client(&actor, created.id, 1, changes).await.expect("updated");

    assert_eq!(updated.version, 2);
    assert_eq!(updated.name.as_str(), "Ana María Pérez");
    assert_eq!(updated.email.as_str(), "ANA@mail.cl", "changing only the case of one's own email is fine");
    assert_eq!(updated.phone.as_ref().map(Phone::e164), Some("+56223456789"));
    assert_eq!(updated.registered_at, created.registered_at, "registration time never changes");
    assert_eq!(h.store.get_client(&actor, created.id).await.expect("read"), updated);
}

pub async fn update_can_clear_optional_fields(h: &Harness) {
    let actor = business(h, "sur").await;
    let mut new = new_client("Ana Pérez", "ana@mail.cl");
    new.phone = Some(Phone::parse("961234567").expect("valid"));
    new.rut = Some(Rut::parse("12345678-5").expect("valid"));
    let created = h.store.create_client(&actor, new).await.expect("created");

    let changes = ClientChanges { phone: Some(None), rut: Some(None), ..Default::default() };
    let updated = h.store.update_client(&actor, created.id, 1, changes).await.expect("updated");

    assert_eq!(updated.phone, None);
    assert_eq!(updated.rut, None);
    assert_eq!(h.store.get_client(&actor, created.id).await.expect("read"), updated);
}

pub async fn stale_update_changes_nothing(h: &Harness) {
    let actor = business(h, "sur").await;
    let created = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let first_edit = ClientChanges { name: Some(ClientName::parse("Ana Uno").expect("valid")), ..Default::default() };
    let saved = h.store.update_client(&actor, created.id, 1, first_edit).await.expect("first edit saved");

    let second_edit = ClientChanges { name: Some(ClientName::parse("Ana Dos").expect("valid")), ..Default::default() };
    let stale = h.store.update_client(&actor, created.id, 1, second_edit).await;

    match stale {
        Err(StoreError::Stale { current }) => {
            assert_eq!(*current, saved, "the refusal carries what is stored")
        }
        other => panic!("expected Stale, got {other:?}"),
    }
    assert_eq!(h.store.get_client(&actor, created.id).await.expect("read").name.as_str(), "Ana Uno");
}

pub async fn update_to_a_taken_email_is_refused(h: &Harness) {
    let actor = business(h, "sur").await;
    let ana = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let bea = h.store.create_client(&actor, new_client("Bea Soto", "bea@mail.cl")).await.expect("created");

    let changes = ClientChanges { email: Some(Email::parse("Ana@Mail.cl").expect("valid")), ..Default::default() };
    match h.store.update_client(&actor, bea.id, 1, changes).await {
        Err(StoreError::EmailTaken { existing }) => assert_eq!(existing, ana.id),
        other => panic!("expected EmailTaken, got {other:?}"),
    }
    let bea_now = h.store.get_client(&actor, bea.id).await.expect("read");
    assert_eq!(bea_now, bea, "nothing changed");
}

pub async fn update_of_missing_client_is_not_found(h: &Harness) {
    let actor = business(h, "sur").await;
    let result = h.store.update_client(&actor, ClientId::generate(), 1, ClientChanges::default()).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}

pub async fn delete_frees_the_email_and_a_new_profile_starts_empty(h: &Harness) {
    let actor = business(h, "sur").await;
    let mut new = new_client("Ana Pérez", "ana@mail.cl");
    new.rut = Some(Rut::parse("12345678-5").expect("valid"));
    let old = h.store.create_client(&actor, new).await.expect("created");
    h.store.delete_client(&actor, old.id).await.expect("deleted");

    assert!(matches!(h.store.get_client(&actor, old.id).await, Err(StoreError::NotFound)));
    h.clock.advance(SignedDuration::from_mins(5));
    let again = h.store.create_client(&actor, new_client("Ana Pérez", "ANA@mail.cl")).await.expect("registered again");
    assert_ne!(again.id, old.id);
    assert_eq!(again.rut, None, "the new profile starts empty");
    assert_eq!(again.version, 1);
    assert_eq!(again.registered_at, start_time() + SignedDuration::from_mins(5));
}

pub async fn delete_of_missing_client_is_not_found(h: &Harness) {
    let actor = business(h, "sur").await;
    let result = h.store.delete_client(&actor, ClientId::generate()).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}
