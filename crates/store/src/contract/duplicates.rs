//! Contract cases for duplicate suggestions: each reason pairs two profiles
//! of one business, the keys follow every write at once (create, edit,
//! delete, import), a dismissed pair stays gone, and professionals never
//! see a pair with a blocked profile. The list is read from stored links,
//! so each case lists after its writes: a stale link would show.

use ficha_domain::{Actor, BirthDate, BlockReason, ClientChanges, ClientId, NewClient, Phone, Role, Rut};
use jiff::civil::date;

use super::notes::staff;
use super::{Harness, business, new_client};
use crate::duplicates::{DuplicatePair, Reason};
use crate::{Store, StoreError};

#[macro_export]
macro_rules! duplicates_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            duplicates_are_found_by_each_reason_and_scored,
            a_dismissed_pair_stays_gone,
            an_edit_of_a_key_moves_the_pair_at_once,
            another_business_never_pairs,
            professionals_never_see_a_blocked_profile_paired,
            imported_and_deleted_clients_keep_their_keys,
            a_bulk_load_pairs_its_clients_and_later_writes_at_once,
            a_new_name_pairs_and_unpairs_by_birth_date,
            an_identifying_field_pairs_similar_names_with_one_value,
            a_write_keeps_the_pairs_of_keys_it_did_not_touch
        );
    };
}

/// A new client with match keys (also for the backends' own tests).
pub fn keyed(name: &str, email: &str, rut: Option<&str>, phone: Option<&str>, birth: Option<&str>) -> NewClient {
    NewClient {
        rut: rut.map(|r| Rut::parse(r).expect("valid rut")),
        phone: phone.map(|p| Phone::parse(p).expect("valid phone")),
        birth_date: birth.map(|b| BirthDate::parse(b, date(2026, 1, 1)).expect("valid birth date")),
        ..new_client(name, email)
    }
}

async fn add(h: &Harness, actor: &Actor, client: NewClient) -> ClientId {
    h.store.create_client(actor, client).await.expect("created").id
}

async fn listed(h: &Harness, actor: &Actor) -> Vec<DuplicatePair> {
    h.store.duplicate_suggestions(actor, 100, None).await.expect("listed").pairs
}

fn ids(pairs: &[DuplicatePair]) -> Vec<(ClientId, ClientId, Vec<Reason>, u32)> {
    pairs.iter().map(|p| (p.a.id, p.b.id, p.reasons.clone(), p.score)).collect()
}

fn pair(x: ClientId, y: ClientId) -> (ClientId, ClientId) {
    crate::duplicates::ordered(x, y)
}

pub async fn duplicates_are_found_by_each_reason_and_scored(h: &Harness) {
    let b = business(h, "dup").await;
    let rut1 = add(h, &b, keyed("Ana Pérez", "a1@x.cl", Some("12.345.678-5"), None, None)).await;
    let rut2 = add(h, &b, keyed("Anita Soto", "a2@x.cl", Some("12345678-5"), None, None)).await;
    let tel1 = add(h, &b, keyed("Luis Rojas", "l1@x.cl", None, Some("+56 9 6234 5678"), None)).await;
    let tel2 = add(h, &b, keyed("Pedro Díaz", "l2@x.cl", None, Some("962345678"), None)).await;
    let bd1 = add(h, &b, keyed("Catalina González Muñoz", "c1@x.cl", None, None, Some("1990-04-23"))).await;
    let bd2 = add(h, &b, keyed("Munoz Catalna Gonzales", "c2@x.cl", None, None, Some("23-04-1990"))).await;
    // Same birth date, another person: no pair.
    add(h, &b, keyed("Jorge Fuentes", "j@x.cl", None, None, Some("1990-04-23"))).await;
    // Both reasons at once add up (capped).
    let both1 = add(h, &b, keyed("Rosa Vera", "r1@x.cl", Some("11.111.111-1"), Some("+56 2 2345 6789"), None)).await;
    let both2 = add(h, &b, keyed("Rosa Vera", "r2@x.cl", Some("11111111-1"), Some("+56 2 2345 6789"), None)).await;

    let found = listed(h, &b).await;
    let (r, t, d, w) = (pair(rut1, rut2), pair(tel1, tel2), pair(bd1, bd2), pair(both1, both2));
    assert_eq!(ids(&found), {
        let mut expected =
            vec![(w.0, w.1, vec![Reason::SameRut, Reason::SamePhone], 100), (r.0, r.1, vec![Reason::SameRut], 100)];
        expected.sort_by_key(|e| (e.0, e.1));
        expected.push((d.0, d.1, vec![Reason::BirthDateAndName], 70));
        expected.push((t.0, t.1, vec![Reason::SamePhone], 60));
        expected
    });
    assert_eq!(h.store.count_duplicates(&b).await.expect("counted"), 4);
    let of = h.store.duplicates_of(&b, bd2).await.expect("of one");
    assert_eq!(ids(&of), vec![(d.0, d.1, vec![Reason::BirthDateAndName], 70)]);
    assert_eq!(h.store.count_duplicates_of(&b, bd2).await.expect("counted one's"), 1, "the profile's notice");

    // Pages follow the same order.
    let first = h.store.duplicate_suggestions(&b, 3, None).await.expect("page");
    assert_eq!(first.pairs, found[..3]);
    let rest = h.store.duplicate_suggestions(&b, 3, first.next.as_ref()).await.expect("next page");
    assert_eq!((rest.pairs.as_slice(), rest.next), (&found[3..], None));
}

pub async fn a_dismissed_pair_stays_gone(h: &Harness) {
    let b = business(h, "dup").await;
    let x = add(h, &b, keyed("Ana Pérez", "a1@x.cl", Some("12345678-5"), None, None)).await;
    let y = add(h, &b, keyed("Ana Pérez", "a2@x.cl", Some("12345678-5"), Some("+56961234567"), None)).await;
    let owner = staff(h, &b, "Olga Dueña", Role::Owner).await;
    h.store.dismiss_duplicate(&owner, y, x).await.expect("dismissed");
    h.store.dismiss_duplicate(&owner, x, y).await.expect("dismissing twice is no error");
    assert!(listed(h, &b).await.is_empty());
    assert!(h.store.duplicates_of(&b, x).await.expect("of").is_empty());
    assert_eq!(h.store.count_duplicates(&b).await.expect("counted"), 0);

    // A new reason for the same two does not bring them back.
    let yv = h.store.get_client(&b, x).await.expect("read");
    let phone = ClientChanges { phone: Some(Some(Phone::parse("+56961234567").expect("phone"))), ..Default::default() };
    h.store.update_client(&b, x, yv.version, phone).await.expect("edited");
    assert!(listed(h, &b).await.is_empty());

    // A third profile still pairs with each of them.
    let z = add(h, &b, keyed("Otra", "z@x.cl", Some("12345678-5"), None, None)).await;
    assert_eq!(listed(h, &b).await.len(), 2);
    assert!(listed(h, &b).await.iter().all(|p| p.involves(z)));

    assert!(matches!(h.store.dismiss_duplicate(&owner, x, x).await, Err(StoreError::NotFound)));
}

pub async fn an_edit_of_a_key_moves_the_pair_at_once(h: &Harness) {
    let b = business(h, "dup").await;
    let x = add(h, &b, keyed("Ana Pérez", "a1@x.cl", Some("12345678-5"), None, None)).await;
    let y = add(h, &b, keyed("Luis Soto", "a2@x.cl", Some("12345678-5"), None, None)).await;
    let z = add(h, &b, keyed("Rosa Vera", "a3@x.cl", Some("11111111-1"), None, None)).await;
    assert_eq!(ids(&listed(h, &b).await).into_iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(), vec![pair(x, y)]);

    let current = h.store.get_client(&b, y).await.expect("read");
    let rut = ClientChanges { rut: Some(Some(Rut::parse("11111111-1").expect("rut"))), ..Default::default() };
    h.store.update_client(&b, y, current.version, rut).await.expect("edited");
    assert_eq!(ids(&listed(h, &b).await).into_iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(), vec![pair(y, z)]);

    // Removing the RUT removes the pair.
    let current = h.store.get_client(&b, y).await.expect("read");
    h.store
        .update_client(&b, y, current.version, ClientChanges { rut: Some(None), ..Default::default() })
        .await
        .expect("edited");
    assert!(listed(h, &b).await.is_empty());
}

pub async fn another_business_never_pairs(h: &Harness) {
    let one = business(h, "uno").await;
    let two = business(h, "dos").await;
    let x = add(h, &one, keyed("Ana Pérez", "a@x.cl", Some("12345678-5"), Some("+56961234567"), None)).await;
    add(h, &two, keyed("Ana Pérez", "a@x.cl", Some("12345678-5"), Some("+56961234567"), None)).await;
    assert!(listed(h, &one).await.is_empty());
    assert!(listed(h, &two).await.is_empty());
    let y = add(h, &two, keyed("Ana Pérez", "b@x.cl", Some("12345678-5"), None, None)).await;
    assert_eq!(listed(h, &two).await.len(), 1);
    // Neither can dismiss across businesses, nor read the other's suggestions.
    assert!(matches!(h.store.dismiss_duplicate(&one, x, y).await, Err(StoreError::NotFound)));
    assert!(h.store.duplicates_of(&one, y).await.expect("of").is_empty());
}

pub async fn professionals_never_see_a_blocked_profile_paired(h: &Harness) {
    let b = business(h, "dup").await;
    let owner = staff(h, &b, "Olga Dueña", Role::Owner).await;
    let pro = staff(h, &b, "Pía Profesional", Role::Professional).await;
    let x = add(h, &b, keyed("Ana Pérez", "a1@x.cl", Some("12345678-5"), None, None)).await;
    let y = add(h, &b, keyed("Ana Pérez", "a2@x.cl", Some("12345678-5"), None, None)).await;
    assert_eq!(listed(h, &pro).await.len(), 1);
    h.store.block_client(&owner, y, BlockReason::parse("A pedido").expect("reason")).await.expect("blocked");

    assert!(listed(h, &pro).await.is_empty());
    assert_eq!(h.store.count_duplicates(&pro).await.expect("counted"), 0);
    assert!(h.store.duplicates_of(&pro, x).await.expect("of").is_empty());
    assert_eq!(h.store.count_duplicates_of(&pro, x).await.expect("counted"), 0, "nor on its notice");
    // Even where professionals may dismiss pairs, not one they cannot see.
    h.store.set_professionals_may_merge(&owner, true).await.expect("allowed");
    assert!(matches!(h.store.dismiss_duplicate(&pro, x, y).await, Err(StoreError::NotFound)));
    // Owners still see it; a client signed in to Mi cuenta sees nothing.
    assert_eq!(listed(h, &owner).await.len(), 1);
    let client = Actor::Client { business: b.business(), client: x };
    assert!(matches!(h.store.duplicate_suggestions(&client, 10, None).await, Err(StoreError::NotFound)));
}

pub async fn imported_and_deleted_clients_keep_their_keys(h: &Harness) {
    let b = business(h, "dup").await;
    let x = add(h, &b, keyed("Ana Pérez", "a@x.cl", None, Some("+56961234567"), None)).await;
    let imported = vec![
        keyed("Ana P", "b@x.cl", None, Some("+56961234567"), None),
        keyed("Luis Soto", "c@x.cl", Some("12345678-5"), None, None),
        keyed("Luis Soto", "d@x.cl", Some("12345678-5"), None, None),
    ];
    assert_eq!(h.store.import_clients(&b, imported).await.expect("imported"), 3);
    let found = listed(h, &b).await;
    assert_eq!(
        found.iter().map(|p| p.reasons.clone()).collect::<Vec<_>>(),
        vec![vec![Reason::SameRut], vec![Reason::SamePhone]]
    );

    let phone_pair = found[1].clone();
    let other = if phone_pair.a.id == x { phone_pair.b.id } else { phone_pair.a.id };
    h.store.delete_client(&b, other).await.expect("deleted");
    assert_eq!(listed(h, &b).await.iter().map(|p| p.reasons.clone()).collect::<Vec<_>>(), vec![vec![Reason::SameRut]]);
}

/// The two emails of each listed pair, each pair and the list sorted (also
/// for the backends' own tests of the bulk mark).
pub async fn paired_emails(store: &dyn Store, actor: &Actor) -> Vec<(String, String)> {
    let page = store.duplicate_suggestions(actor, 100, None).await.expect("listed");
    let mut pairs: Vec<(String, String)> = page
        .pairs
        .iter()
        .map(|p| {
            let (a, b) = (p.a.email.as_str().to_owned(), p.b.email.as_str().to_owned());
            if a < b { (a, b) } else { (b, a) }
        })
        .collect();
    pairs.sort();
    pairs
}

async fn listed_emails(h: &Harness, actor: &Actor) -> Vec<(String, String)> {
    paired_emails(&*h.store, actor).await
}

fn emails(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

/// A batch large enough to mark its business for a recompute of every key
/// group (PostgreSQL 0031, SQLite 0032) instead of queueing each key: its
/// pairs, among its own clients and with a client from before, are found,
/// and the writes after it move the pairs at once as before.
pub async fn a_bulk_load_pairs_its_clients_and_later_writes_at_once(h: &Harness) {
    let b = business(h, "dup").await;
    add(h, &b, keyed("Ana Pérez", "ana@x.cl", Some("12.345.678-5"), None, None)).await;
    let size = crate::duplicates::MARK_WHOLE_BUSINESS_FROM as usize;
    let mut batch: Vec<NewClient> =
        (0..size - 3).map(|n| keyed(&format!("Cliente {n}"), &format!("c{n}@x.cl"), None, None, None)).collect();
    batch.push(keyed("Anita Soto", "anita@x.cl", Some("12345678-5"), None, None));
    batch.push(keyed("Luis Rojas", "luis@x.cl", None, Some("+56 9 6234 5678"), None));
    batch.push(keyed("Pedro Díaz", "pedro@x.cl", None, Some("962345678"), None));
    assert_eq!(h.store.import_clients(&b, batch).await.expect("imported"), size as u64);
    let loaded = emails(&[("ana@x.cl", "anita@x.cl"), ("luis@x.cl", "pedro@x.cl")]);
    assert_eq!(listed_emails(h, &b).await, loaded);

    // After the load, a new client, an edit and a deletion move the pairs
    // at once, as before it.
    let rosa = add(h, &b, keyed("Rosa Vera", "rosa@x.cl", None, Some("+56962345678"), None)).await;
    assert_eq!(
        listed_emails(h, &b).await,
        emails(&[
            ("ana@x.cl", "anita@x.cl"),
            ("luis@x.cl", "pedro@x.cl"),
            ("luis@x.cl", "rosa@x.cl"),
            ("pedro@x.cl", "rosa@x.cl")
        ])
    );
    let pedro = listed(h, &b)
        .await
        .iter()
        .flat_map(|p| [&p.a, &p.b])
        .find(|c| c.email.as_str() == "pedro@x.cl")
        .map(|c| c.id)
        .expect("Pedro is paired");
    let current = h.store.get_client(&b, pedro).await.expect("read");
    h.store
        .update_client(&b, pedro, current.version, ClientChanges { phone: Some(None), ..Default::default() })
        .await
        .expect("edited");
    assert_eq!(listed_emails(h, &b).await, emails(&[("ana@x.cl", "anita@x.cl"), ("luis@x.cl", "rosa@x.cl")]));
    h.store.delete_client(&b, rosa).await.expect("deleted");
    assert_eq!(listed_emails(h, &b).await, emails(&[("ana@x.cl", "anita@x.cl")]));
}

pub async fn a_new_name_pairs_and_unpairs_by_birth_date(h: &Harness) {
    let b = business(h, "dup").await;
    let x = add(h, &b, keyed("Ana Pérez", "a@x.cl", None, None, Some("1990-01-02"))).await;
    let y = add(h, &b, keyed("Luis Soto", "b@x.cl", None, None, Some("1990-01-02"))).await;
    assert!(listed(h, &b).await.is_empty());
    assert_eq!(h.store.count_duplicates(&b).await.expect("counted"), 0);

    // Only the name changes: the birth date's group is recomputed.
    let rename = |name: &str| ClientChanges {
        name: Some(ficha_domain::ClientName::parse(name).expect("name")),
        ..Default::default()
    };
    let current = h.store.get_client(&b, y).await.expect("read");
    h.store.update_client(&b, y, current.version, rename("Peres Ana")).await.expect("renamed");
    let found = listed(h, &b).await;
    assert_eq!(ids(&found), vec![(pair(x, y).0, pair(x, y).1, vec![Reason::BirthDateAndName], 70)]);
    assert_eq!(h.store.count_duplicates(&b).await.expect("counted"), 1);

    let current = h.store.get_client(&b, x).await.expect("read");
    h.store.update_client(&b, x, current.version, rename("Rosa Vera")).await.expect("renamed");
    assert!(listed(h, &b).await.is_empty());
    assert_eq!(h.store.count_duplicates(&b).await.expect("counted"), 0);
}

pub async fn an_identifying_field_pairs_similar_names_with_one_value(h: &Harness) {
    use ficha_domain::{
        ChoiceOptions, CustomFieldChanges, CustomValue, FieldKey, FieldKind, FieldLabel, NewCustomField, RawValue,
    };
    let b = business(h, "dup").await;
    let ficha = h
        .store
        .create_field(
            &b,
            NewCustomField {
                key: FieldKey::parse("ficha").expect("key"),
                label: FieldLabel::parse("N° de ficha").expect("label"),
                kind: FieldKind::Text,
                options: ChoiceOptions::parse(FieldKind::Text, &[]).expect("options"),
                required: false,
                in_booking_form: false,
                visible_to_client: false,
                sensitive: false,
                identifying: true,
                position: None,
            },
        )
        .await
        .expect("field");
    let set = |client: ClientId, version: i64, text: &'static str| {
        let value = CustomValue::parse(&ficha, RawValue::Text(text)).expect("valid").expect("some");
        let store = &h.store;
        async move {
            store
                .set_custom_values(&b, client, version, vec![(FieldKey::parse("ficha").expect("key"), Some(value))])
                .await
                .expect("saved")
        }
    };
    let x = add(h, &b, keyed("Ana Pérez", "a@x.cl", None, None, None)).await;
    let y = add(h, &b, keyed("Peres Ana", "b@x.cl", None, None, None)).await;
    let z = add(h, &b, keyed("Luis Soto", "c@x.cl", None, None, None)).await;
    set(x, 1, "F-120").await;
    set(y, 1, "f-120 ").await;
    set(z, 1, "F-120").await;
    let (a, bb) = pair(x, y);
    assert_eq!(
        ids(&listed(h, &b).await),
        vec![(a, bb, vec![Reason::IdentifyingFieldAndName], 80)],
        "same value, case and spaces aside, and a similar name; Luis Soto shares the value only"
    );
    assert_eq!(h.store.count_duplicates_of(&b, y).await.expect("counted"), 1, "the profile's notice too");

    // Another value parts them.
    set(y, 2, "F-121").await;
    assert!(listed(h, &b).await.is_empty());
    set(y, 3, "F-120").await;
    assert_eq!(listed(h, &b).await.len(), 1);

    // A field no longer marked identifying pairs nobody; marked again, it does.
    let unmark = CustomFieldChanges { identifying: Some(false), ..Default::default() };
    h.store.update_field(&b, ficha.id, unmark).await.expect("unmarked");
    assert!(listed(h, &b).await.is_empty());
    let mark = CustomFieldChanges { identifying: Some(true), ..Default::default() };
    h.store.update_field(&b, ficha.id, mark).await.expect("marked");
    assert_eq!(listed(h, &b).await.len(), 1);

    // Deleting one of them takes the pair with it.
    h.store.delete_client(&b, y).await.expect("deleted");
    assert!(listed(h, &b).await.is_empty());
}

pub async fn a_write_keeps_the_pairs_of_keys_it_did_not_touch(h: &Harness) {
    let b = business(h, "dup").await;
    // Two pairs whose keys sort between the keys the last client queues
    // (a low phone, a high RUT): a recompute must touch only its own.
    let p1 = add(h, &b, keyed("Ana Pérez", "a1@x.cl", None, Some("+56 9 8765 4321"), None)).await;
    let p2 = add(h, &b, keyed("Rosa Vera", "a2@x.cl", None, Some("+56 9 8765 4321"), None)).await;
    let r1 = add(h, &b, keyed("Luis Soto", "b1@x.cl", Some("11.111.111-1"), None, None)).await;
    let r2 = add(h, &b, keyed("Pedro Díaz", "b2@x.cl", Some("11.111.111-1"), None, None)).await;
    let before = listed(h, &b).await;
    assert_eq!(before.len(), 2);
    add(h, &b, keyed("Jorge Fuentes", "c@x.cl", Some("22.222.222-2"), Some("+56 9 6123 4567"), Some("1990-01-02")))
        .await;
    let after = listed(h, &b).await;
    assert_eq!(ids(&after), ids(&before), "untouched pairs stay");
    assert!(after.iter().any(|p| p.involves(p1) && p.involves(p2)));
    assert!(after.iter().any(|p| p.involves(r1) && p.involves(r2)));
    assert_eq!(h.store.count_duplicates(&b).await.expect("counted"), 2);
}
