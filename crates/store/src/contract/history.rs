//! Contract cases for the history (audit trail) of clients and the trace of
//! deleted ones.

use ficha_domain::{
    ChoiceOptions, ClientChanges, ClientName, CustomValue, FieldKey, FieldKind, FieldLabel, GeneralField, HistoryEntry,
    NewCustomField, Phone, RawValue, Role, Viewer, Who,
};
use jiff::SignedDuration;

use super::notes::{client, staff, text};
use super::{Harness, business, start_time};
use crate::{HistoryQuery, StoreError};
use ficha_domain::Change;

/// The history cases.
#[macro_export]
macro_rules! history_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            general_data_changes_are_recorded_old_to_new_with_who_and_when,
            custom_value_changes_are_recorded_by_label,
            note_changes_are_recorded,
            refused_changes_leave_no_history,
            history_pages_newest_first,
            deleting_a_client_leaves_one_anonymous_trace,
            only_owners_read_deletions,
            another_business_cannot_read_a_clients_history
        );
    };
}

async fn all_entries(h: &Harness, actor: &ficha_domain::Actor, client: ficha_domain::ClientId) -> Vec<HistoryEntry> {
    h.store.client_history(actor, client, &HistoryQuery { after: None, limit: 200 }).await.expect("history").entries
}

fn who_name(who: &Who) -> &str {
    match who {
        Who::Staff { name, .. } => name,
        Who::Integration => "integration",
        Who::System => "system",
        Who::Client => "client",
    }
}

pub async fn general_data_changes_are_recorded_old_to_new_with_who_and_when(h: &Harness) {
    let sur = business(h, "sur").await;
    let pedro = staff(h, &sur, "Pedro Soto", Role::Professional).await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    h.clock.advance(SignedDuration::from_hours(1));
    let changes = ClientChanges {
        name: Some(ClientName::parse("Ana Pérez Soto").expect("valid")),
        phone: Some(Some(Phone::parse("9 6123 4567").expect("valid"))),
        ..Default::default()
    };
    h.store.update_client(&pedro, ana, 1, changes).await.expect("updated");

    let entries = all_entries(h, &sur, ana).await;
    let seen: Vec<(Change, &str)> = entries.iter().map(|e| (e.change.clone(), who_name(&e.who))).collect();
    assert_eq!(
        seen,
        [
            (Change::Field { field: GeneralField::Phone, old: None, new: Some("+56961234567".into()) }, "Pedro Soto"),
            (
                Change::Field {
                    field: GeneralField::Name,
                    old: Some("Ana Pérez".into()),
                    new: Some("Ana Pérez Soto".into())
                },
                "Pedro Soto"
            ),
        ]
    );
    assert!(entries.iter().all(|e| e.at == start_time() + SignedDuration::from_hours(1) && e.client == ana));

    // An edit that changes nothing is no history.
    let same = ClientChanges { name: Some(ClientName::parse("Ana Pérez Soto").expect("valid")), ..Default::default() };
    h.store.update_client(&sur, ana, 2, same).await.expect("updated");
    assert_eq!(all_entries(h, &sur, ana).await.len(), 2);
}

pub async fn custom_value_changes_are_recorded_by_label(h: &Harness) {
    let sur = business(h, "sur").await;
    let new_field = NewCustomField {
        key: FieldKey::parse("mascota").expect("valid"),
        label: FieldLabel::parse("Nombre de la mascota").expect("valid"),
        kind: FieldKind::Text,
        options: ChoiceOptions::parse(FieldKind::Text, &[]).expect("valid"),
        required: false,
        in_booking_form: false,
        visible_to_client: false,
        sensitive: false,
        identifying: false,
        position: None,
    };
    let field = h.store.create_field(&sur, new_field).await.expect("field");
    let value = |text: &str| CustomValue::parse(&field, RawValue::Text(text)).expect("valid").expect("not empty");
    let ana = client(h, &sur, "ana@mail.cl").await;
    let key = FieldKey::parse("mascota").expect("valid");

    h.store.set_custom_values(&sur, ana, 1, vec![(key.clone(), Some(value("Firulais")))]).await.expect("saved");
    h.store.set_custom_values(&sur, ana, 2, vec![(key.clone(), Some(value("Firulais")))]).await.expect("same");
    h.store.set_custom_values(&sur, ana, 3, vec![(key.clone(), Some(value("Cachupín")))]).await.expect("saved");
    h.store.set_custom_values(&sur, ana, 4, vec![(key, None)]).await.expect("cleared");

    let changes: Vec<Change> = all_entries(h, &sur, ana).await.into_iter().map(|e| e.change).collect();
    let label = "Nombre de la mascota".to_owned();
    assert_eq!(
        changes,
        [
            Change::CustomValue { label: label.clone(), old: Some("Cachupín".into()), new: None },
            Change::CustomValue { label: label.clone(), old: Some("Firulais".into()), new: Some("Cachupín".into()) },
            Change::CustomValue { label, old: None, new: Some("Firulais".into()) },
        ]
    );
}

pub async fn note_changes_are_recorded(h: &Harness) {
    let sur = business(h, "sur").await;
    let pedro = staff(h, &sur, "Pedro Soto", Role::Professional).await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    let note = h.store.add_note(&pedro, ana, text("cliente puntual")).await.expect("added");
    h.clock.advance(SignedDuration::from_mins(1));
    h.store.edit_note(&pedro, ana, note.id, text("muy puntual")).await.expect("edited");
    h.clock.advance(SignedDuration::from_mins(1));
    h.store.delete_note(&sur, ana, note.id).await.expect("deleted");

    let entries = all_entries(h, &sur, ana).await;
    let seen: Vec<(Change, &str)> = entries.iter().map(|e| (e.change.clone(), who_name(&e.who))).collect();
    assert_eq!(
        seen,
        [
            (Change::NoteDeleted { note: note.id, text: "muy puntual".into() }, "system"),
            (
                Change::NoteEdited { note: note.id, old: "cliente puntual".into(), new: "muy puntual".into() },
                "Pedro Soto"
            ),
            (Change::NoteAdded { note: note.id, text: "cliente puntual".into() }, "Pedro Soto"),
        ]
    );
    assert_eq!(entries[0].at, start_time() + SignedDuration::from_mins(2));
    assert_eq!(entries[2].at, start_time());
}

pub async fn refused_changes_leave_no_history(h: &Harness) {
    let sur = business(h, "sur").await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    h.store.create_client(&sur, super::new_client("Bea Soto", "bea@mail.cl")).await.expect("created");
    let rename = ClientChanges { name: Some(ClientName::parse("Otra").expect("valid")), ..Default::default() };
    let stale = h.store.update_client(&sur, ana, 7, rename).await;
    assert!(matches!(stale, Err(StoreError::Stale { .. })), "{stale:?}");
    let taken =
        ClientChanges { email: Some(ficha_domain::Email::parse("bea@mail.cl").expect("valid")), ..Default::default() };
    let taken = h.store.update_client(&sur, ana, 1, taken).await;
    assert!(matches!(taken, Err(StoreError::EmailTaken { .. })), "{taken:?}");
    let unknown = vec![(FieldKey::parse("nada").expect("valid"), None)];
    let refused = h.store.set_custom_values(&sur, ana, 1, unknown).await;
    assert!(matches!(refused, Err(StoreError::ValuesRefused(_))), "{refused:?}");
    assert!(all_entries(h, &sur, ana).await.is_empty());
}

pub async fn history_pages_newest_first(h: &Harness) {
    let sur = business(h, "sur").await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    for n in 0..7 {
        h.store.add_note(&sur, ana, text(&format!("nota {n}"))).await.expect("added");
        // Two entries share each instant, so paging must break ties by id.
        if n % 2 == 1 {
            h.clock.advance(SignedDuration::from_secs(1));
        }
    }
    let mut texts = Vec::new();
    let mut query = HistoryQuery { after: None, limit: 3 };
    let mut pages = 0;
    loop {
        let page = h.store.client_history(&sur, ana, &query).await.expect("page");
        pages += 1;
        assert!(page.entries.len() <= 3);
        texts.extend(page.entries.into_iter().map(|e| match e.change {
            Change::NoteAdded { text, .. } => text,
            other => format!("{other:?}"),
        }));
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    assert_eq!(texts, ["nota 6", "nota 5", "nota 4", "nota 3", "nota 2", "nota 1", "nota 0"]);
    assert_eq!(pages, 3);
}

pub async fn deleting_a_client_leaves_one_anonymous_trace(h: &Harness) {
    let sur = business(h, "sur").await;
    let owner = staff(h, &sur, "Carolina Díaz", Role::Owner).await;
    let pedro = staff(h, &sur, "Pedro Soto", Role::Professional).await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    let bea = client(h, &sur, "bea@mail.cl").await;
    let note = h.store.add_note(&pedro, ana, text("alérgica al látex")).await.expect("added");
    h.store.add_note(&pedro, bea, text("cliente puntual")).await.expect("added");
    h.clock.advance(SignedDuration::from_hours(2));

    h.store.delete_client(&pedro, ana).await.expect("deleted");

    let history = h.store.client_history(&owner, ana, &HistoryQuery::default()).await;
    assert!(matches!(history, Err(StoreError::NotFound)), "{history:?}");
    let read = h.store.note(&Viewer::Staff(owner), ana, note.id).await;
    assert!(matches!(read, Err(StoreError::NotFound)), "{read:?}");
    let deletions = h.store.deletions(&owner, &HistoryQuery::default()).await.expect("deletions");
    assert_eq!(deletions.deletions.len(), 1);
    assert_eq!(deletions.deletions[0].at, start_time() + SignedDuration::from_hours(2));
    assert_eq!(who_name(&deletions.deletions[0].who), "Pedro Soto");
    assert_eq!(deletions.next, None);
    // The other client keeps its notes and history.
    assert_eq!(h.store.notes(&Viewer::Staff(owner), bea).await.expect("listed").len(), 1);
    assert_eq!(all_entries(h, &owner, bea).await.len(), 1);
    // A new profile with the same email starts empty.
    let again = client(h, &sur, "ana@mail.cl").await;
    assert!(h.store.notes(&Viewer::Staff(owner), again).await.expect("listed").is_empty());
    assert!(all_entries(h, &owner, again).await.is_empty());
}

pub async fn only_owners_read_deletions(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    let pedro = staff(h, &sur, "Pedro Soto", Role::Professional).await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    h.store.delete_client(&sur, ana).await.expect("deleted");

    let refused = h.store.deletions(&pedro, &HistoryQuery::default()).await;
    assert!(matches!(refused, Err(StoreError::OwnerOnly)), "{refused:?}");
    let elsewhere = h.store.deletions(&norte, &HistoryQuery::default()).await.expect("deletions");
    assert!(elsewhere.deletions.is_empty(), "another business's deletions are not shown");
    let own = h.store.deletions(&sur, &HistoryQuery::default()).await.expect("deletions");
    assert_eq!(own.deletions.len(), 1);
    assert_eq!(own.deletions[0].who, Who::System);
}

pub async fn another_business_cannot_read_a_clients_history(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    h.store.add_note(&sur, ana, text("cliente puntual")).await.expect("added");
    let read = h.store.client_history(&norte, ana, &HistoryQuery::default()).await;
    assert!(matches!(read, Err(StoreError::NotFound)), "{read:?}");
    let delete = h.store.delete_client(&norte, ana).await;
    assert!(matches!(delete, Err(StoreError::NotFound)), "{delete:?}");
    let deletions = h.store.deletions(&norte, &HistoryQuery::default()).await.expect("deletions");
    assert!(deletions.deletions.is_empty(), "a refused deletion leaves no trace");
}
