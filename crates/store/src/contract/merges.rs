//! Contract cases for merging two profiles and undoing it (issue 13):
//! every row moves with counts as previewed, the chosen values land on the
//! survivor, the absorbed email routes to it, an undo puts back exactly
//! what moved, and a refusal changes nothing — also with bookings racing.

use std::sync::Arc;

use ficha_domain::{
    Actor, BlockReason, BookingState, Change, ChoiceOptions, ClientChanges, ClientId, ClientPreferences, Clock,
    CustomValue, DataRight, Email, FieldKey, FieldKind, FieldLabel, GeneralField, MergeRole, NewCustomField, NoteText,
    Origin, Phone, RequestChannel, Role, Rut, StaffId, Visibility,
};
use jiff::{SignedDuration, Timestamp};

use super::booking_site::{Site, request, site, ten_tomorrow, typed};
use super::bookings::new_service;
use super::notes::staff;
use super::{Harness, business, new_client, start_time};
use crate::{
    HistoryQuery, Keep, ListQuery, MergeChoices, MergeRefusal, MergeRequest, MoveCounts, NewBooking, NewDataRequest,
    Store, StoreError,
};

#[macro_export]
macro_rules! merges_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            a_merge_moves_every_row_as_previewed_and_keeps_the_chosen_values,
            the_absorbed_email_leads_to_the_survivor,
            an_undo_puts_back_exactly_what_moved,
            an_undo_is_refused_once_its_email_is_taken_after_30_days_and_twice,
            a_refused_merge_changes_nothing,
            another_business_can_neither_merge_nor_see_a_merge,
            a_survivor_merged_again_carries_its_merges_and_each_undoes_alone,
            bookings_racing_a_merge_and_its_undo_end_on_exactly_one_profile
        );
    };
}

pub(super) struct Pair {
    pub(super) site: Site,
    pub(super) survivor: ClientId,
    pub(super) absorbed: ClientId,
    /// A third profile: its previews count the others' rows.
    witness: ClientId,
}

fn email(text: &str) -> Email {
    Email::parse(text).expect("email")
}

async fn field(h: &Harness, actor: &Actor, key: &str) {
    let new = NewCustomField {
        key: FieldKey::parse(key).expect("key"),
        label: FieldLabel::parse(&format!("Campo {key}")).expect("label"),
        kind: FieldKind::Text,
        options: ChoiceOptions::parse(FieldKind::Text, &[]).expect("options"),
        required: false,
        in_booking_form: false,
        visible_to_client: false,
        sensitive: false,
        identifying: false,
        position: None,
    };
    h.store.create_field(actor, new).await.expect("field");
}

async fn set_values(h: &Harness, actor: &Actor, client: ClientId, values: &[(&str, &str)]) {
    let version = h.store.get_client(actor, client).await.expect("client").version;
    let values =
        values.iter().map(|(k, v)| (FieldKey::parse(k).expect("key"), Some(CustomValue::Text((*v).into())))).collect();
    h.store.set_custom_values(actor, client, version, values).await.expect("values set");
}

/// Ana's two profiles in an open booking site: the survivor with a phone
/// and a comuna, the absorbed one with another name spelling, another
/// phone, a RUT, another comuna and a pet.
pub(super) async fn pair(h: &Harness, slug: &str) -> Pair {
    let site = site(h, slug).await;
    let actor = &site.actor;
    field(h, actor, "comuna").await;
    field(h, actor, "mascota").await;
    let mut s = new_client("Ana Pérez", "ana@mail.cl");
    s.phone = Some(Phone::parse("961234567").expect("phone"));
    let survivor = h.store.create_client(actor, s).await.expect("survivor").id;
    let mut a = new_client("Ana Perez", "Anita@Otro.cl");
    a.phone = Some(Phone::parse("987654321").expect("phone"));
    a.rut = Some(Rut::parse("12.345.678-5").expect("rut"));
    let absorbed = h.store.create_client(actor, a).await.expect("absorbed").id;
    let witness = h.store.create_client(actor, new_client("Testigo", "testigo@mail.cl")).await.expect("witness").id;
    set_values(h, actor, survivor, &[("comuna", "Ñuñoa")]).await;
    set_values(h, actor, absorbed, &[("comuna", "Maipú"), ("mascota", "Toby")]).await;
    Pair { site, survivor, absorbed, witness }
}

fn booking_for(p: &Pair, client: ClientId, service: ficha_domain::ServiceId, start: Timestamp) -> NewBooking {
    NewBooking {
        client,
        service,
        professional: Some(p.site.pros[0]),
        start: Some(start),
        end: None,
        state: BookingState::Pending,
        origin: Origin::Panel,
        override_agenda: true,
    }
}

fn hours(n: i64) -> Timestamp {
    ten_tomorrow() + SignedDuration::from_hours(n)
}

/// Gives the absorbed profile one of everything: a booking with an
/// attention note, a pack (one dated session, two to schedule), a general
/// note, messages, history, an access-log entry, a closed data request.
async fn fill_absorbed(h: &Harness, p: &Pair, owner: &Actor) {
    let actor = &p.site.actor;
    let booked = h.store.book(actor, booking_for(p, p.absorbed, p.site.service, hours(0))).await.expect("booked");
    let note = NoteText::parse("nota de atención").expect("text");
    h.store.add_attention_note(actor, booked[0].id, Visibility::Private, note).await.expect("attention note");
    let pack = h.store.create_service(actor, new_service("Pack", 60, 3, &p.site.pros)).await.expect("pack").id;
    h.store.book(actor, booking_for(p, p.absorbed, pack, hours(2))).await.expect("pack booked");
    h.store.add_note(actor, p.absorbed, NoteText::parse("cliente puntual").expect("text")).await.expect("note");
    h.store.record_access(owner, p.absorbed, ficha_domain::AccessKind::Profile).await.expect("access");
    let request = NewDataRequest {
        client: Some(p.absorbed),
        email: None,
        right: DataRight::Access,
        channel: RequestChannel::Email,
        detail: None,
    };
    let filed = h.store.file_data_request(owner, request).await.expect("filed");
    h.store.step_data_request(owner, filed.id, ficha_domain::RequestStep::Start).await.expect("started");
    let answer =
        ficha_domain::RequestStep::Answer { response: NoteText::parse("Enviado").expect("text"), action_taken: None };
    h.store.step_data_request(owner, filed.id, answer).await.expect("answered");
}

async fn counts(h: &Harness, p: &Pair, client: ClientId) -> MoveCounts {
    h.store.merge_preview(&p.site.actor, p.witness, client).await.expect("preview").moves
}

fn choices(fields: &[(GeneralField, Keep)], custom: &[(&str, Keep)]) -> MergeChoices {
    MergeChoices { fields: fields.to_vec(), custom: custom.iter().map(|(k, keep)| ((*k).to_owned(), *keep)).collect() }
}

fn request_of(p: &Pair, choices: MergeChoices) -> MergeRequest {
    MergeRequest { survivor: p.survivor, absorbed: p.absorbed, choices, survivor_version: None, absorbed_version: None }
}

/// The usual choices: the survivor's name and email, the absorbed
/// profile's phone and comuna.
pub(super) fn usual(p: &Pair) -> MergeRequest {
    request_of(
        p,
        choices(
            &[
                (GeneralField::Name, Keep::Survivor),
                (GeneralField::Email, Keep::Survivor),
                (GeneralField::Phone, Keep::Absorbed),
            ],
            &[("comuna", Keep::Absorbed)],
        ),
    )
}

async fn owner(h: &Harness, p: &Pair) -> Actor {
    staff(h, &p.site.actor, "Carolina Díaz", Role::Owner).await
}

async fn value_of(h: &Harness, actor: &Actor, client: ClientId, key: &str) -> Option<String> {
    let values = h.store.custom_values(actor, client).await.expect("values");
    values.into_iter().find(|v| v.field.key.as_str() == key).map(|v| v.value.display())
}

fn merged_into(result: Result<ficha_domain::Client, StoreError>) -> ClientId {
    match result {
        Err(StoreError::Merged { into }) => into,
        other => panic!("expected Merged, got {other:?}"),
    }
}

fn refusal<T: std::fmt::Debug>(result: Result<T, StoreError>) -> MergeRefusal {
    match result {
        Err(StoreError::MergeRefused(refusal)) => refusal,
        other => panic!("expected a merge refusal, got {other:?}"),
    }
}

pub async fn a_merge_moves_every_row_as_previewed_and_keeps_the_chosen_values(h: &Harness) {
    let p = pair(h, "fusion").await;
    let owner = owner(h, &p).await;
    fill_absorbed(h, &p, &owner).await;
    let actor = &p.site.actor;
    let survivor_before = counts(h, &p, p.survivor).await;

    let preview = h.store.merge_preview(&owner, p.survivor, p.absorbed).await.expect("preview");
    assert_eq!(preview.differing_fields, [GeneralField::Name, GeneralField::Email, GeneralField::Phone]);
    assert_eq!(preview.differing_custom.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(), ["comuna"]);
    assert_eq!(preview.refusal, None);
    let moves = preview.moves;
    assert_eq!((moves.bookings, moves.to_schedule), (2, 2), "{moves:?}");
    assert_eq!((moves.notes, moves.attention_notes, moves.access_log, moves.data_requests), (1, 1, 1, 1));
    assert!(moves.messages >= 2 && moves.history >= 4, "{moves:?}");

    // Without the choices nothing happens, and the refusal names them.
    assert_eq!(
        refusal(h.store.merge_clients(&owner, request_of(&p, MergeChoices::default())).await),
        MergeRefusal::ChoicesMissing {
            fields: vec![GeneralField::Name, GeneralField::Email, GeneralField::Phone],
            custom: vec!["comuna".into()]
        }
    );
    assert_eq!(counts(h, &p, p.absorbed).await, moves);

    h.clock.advance(SignedDuration::from_mins(3));
    let outcome = h.store.merge_clients(&owner, usual(&p)).await.expect("merged");
    assert_eq!(outcome.moved, moves);
    let survivor = h.store.get_client(actor, p.survivor).await.expect("survivor");
    assert_eq!(outcome.survivor, survivor);
    assert_eq!(survivor.name.as_str(), "Ana Pérez");
    assert_eq!(survivor.email.as_str(), "ana@mail.cl");
    assert_eq!(survivor.phone.as_ref().map(|p| p.e164()), Some("+56987654321"));
    // A value only the absorbed profile had fills the gap without a choice.
    assert_eq!(survivor.rut.map(|r| r.canonical()).as_deref(), Some("12345678-5"));
    assert_eq!(value_of(h, actor, p.survivor, "comuna").await.as_deref(), Some("Maipú"));
    assert_eq!(value_of(h, actor, p.survivor, "mascota").await.as_deref(), Some("Toby"));

    // Every row is the survivor's now: its own, the moved ones, and the
    // merge's own history entry.
    let now = counts(h, &p, p.survivor).await;
    assert_eq!(now.bookings, survivor_before.bookings + moves.bookings);
    assert_eq!(now.to_schedule, moves.to_schedule);
    assert_eq!(now.notes, moves.notes);
    assert_eq!(now.attention_notes, moves.attention_notes);
    assert_eq!(now.messages, survivor_before.messages + moves.messages);
    assert_eq!(now.access_log, survivor_before.access_log + moves.access_log);
    assert_eq!(now.data_requests, moves.data_requests);
    // Its history also gained the merge's entry and one per value chosen
    // or filled: phone, RUT, comuna, mascota.
    assert_eq!(now.history, survivor_before.history + moves.history + 5);
    assert_eq!(h.store.por_reservar(actor, p.survivor).await.expect("por reservar").sessions.len(), 2);

    // The absorbed profile is gone from lists and search, and its id leads
    // to the survivor.
    assert_eq!(merged_into(h.store.get_client(actor, p.absorbed).await), p.survivor);
    assert_eq!(merged_into(h.store.get_client(&owner, p.absorbed).await), p.survivor);
    let listed = h.store.list_clients(actor, &ListQuery::default()).await.expect("list");
    assert_eq!(listed.total, 2);
    assert!(listed.clients.iter().all(|c| c.id != p.absorbed));
    let query = crate::search::SearchQuery::parse("12345678").expect("query");
    let found = h.store.search_clients(actor, &query, 0, 10).await.expect("search");
    assert_eq!(found.hits.iter().map(|hit| hit.client.id).collect::<Vec<_>>(), [p.survivor]);

    // The history says who, when and what was chosen.
    let history = h.store.client_history(actor, p.survivor, &HistoryQuery::default()).await.expect("history");
    let entries: Vec<_> =
        history.entries.iter().filter(|e| e.at == start_time() + SignedDuration::from_mins(3)).collect();
    assert!(matches!(
        &entries.iter().find(|e| matches!(e.change, Change::ClientMerged { .. })).expect("merge entry").change,
        Change::ClientMerged { role: MergeRole::Survivor, other, other_email, .. }
            if *other == p.absorbed && other_email == "Anita@Otro.cl"
    ));
    assert!(entries.iter().any(|e| matches!(&e.change,
        Change::Field { field: GeneralField::Phone, new: Some(new), .. } if new == "+56987654321")));
    assert!(entries.iter().any(|e| matches!(&e.change,
        Change::CustomValue { label, new: Some(new), .. } if label == "Campo comuna" && new == "Maipú")));
    assert!(entries.iter().all(|e| matches!(&e.who, ficha_domain::Who::Staff { name, .. } if name == "Carolina Díaz")));

    let merges = h.store.merges_of(&owner, p.survivor).await.expect("merges");
    assert_eq!(merges.len(), 1);
    assert_eq!(
        (merges[0].id, merges[0].absorbed, merges[0].absorbed_name.as_str()),
        (outcome.merge, p.absorbed, "Ana Perez")
    );
    assert!(merges[0].undoable_at(h.clock.now()));
}

pub async fn the_absorbed_email_leads_to_the_survivor(h: &Harness) {
    let p = pair(h, "alias").await;
    let owner = owner(h, &p).await;
    h.store.merge_clients(&owner, usual(&p)).await.expect("merged");
    let actor = &p.site.actor;

    // The booking site: a later booking with the absorbed email (any case)
    // lands on the survivor, and no new profile appears.
    let who = typed("Anita", "ANITA@otro.cl", None, None);
    let booked = h.store.book_online(actor, request(&p.site, Some(p.site.pros[0]), ten_tomorrow(), who, "t1")).await;
    assert_eq!(booked.expect("booked").client, p.survivor);
    assert_eq!(h.store.list_clients(actor, &ListQuery::default()).await.expect("list").total, 2);

    // Mi cuenta's sign-in finds the survivor by it.
    let found = h.store.client_by_email(actor, "anita@otro.cl").await.expect("read").expect("found");
    assert_eq!(found.id, p.survivor);

    // Staff cannot give it to a new profile, nor to another one.
    let taken = h.store.create_client(&owner, new_client("Otra Ana", "anita@otro.cl")).await;
    assert!(matches!(taken, Err(StoreError::EmailTaken { existing }) if existing == p.survivor), "{taken:?}");
    let witness = h.store.get_client(actor, p.witness).await.expect("witness");
    let change = ClientChanges { email: Some(email("Anita@otro.cl")), ..Default::default() };
    let taken = h.store.update_client(&owner, p.witness, witness.version, change).await;
    assert!(matches!(taken, Err(StoreError::EmailTaken { existing }) if existing == p.survivor), "{taken:?}");
    // A client asking to change to it from Mi cuenta is refused as well.
    let as_client = Actor::Client { business: owner.business(), client: p.witness };
    let asked = h
        .store
        .request_email_change(&as_client, p.witness, &email("anita@otro.cl"), b"tok", h.clock.now(), h.clock.now())
        .await;
    assert!(matches!(asked, Err(StoreError::EmailTaken { .. })), "{asked:?}");

    // An import line with it updates the survivor, never a new profile.
    use crate::imports::{Existing, ImportRow, NewImport};
    let batch = h
        .store
        .open_import(&owner, NewImport { existing: Existing::Update, file_name: "c.csv".into(), total_rows: 1 })
        .await
        .expect("opened");
    let row = ImportRow {
        line: 2,
        email: Some(email("anita@OTRO.cl")),
        rut: Some(ficha_domain::Rut::parse("11.111.111-1").expect("rut")),
        ..ImportRow::default()
    };
    let reports = h.store.import_rows(&owner, batch.id, vec![row]).await.expect("imported");
    assert_eq!((reports[0].outcome.code(), reports[0].client), ("updated", Some(p.survivor)));
    let survivor = h.store.get_client(actor, p.survivor).await.expect("survivor");
    assert_eq!(survivor.rut.map(|r| r.to_string()), Some("11.111.111-1".to_owned()));
    assert_eq!(h.store.list_clients(actor, &ListQuery::default()).await.expect("list").total, 2);
}

pub async fn an_undo_puts_back_exactly_what_moved(h: &Harness) {
    let p = pair(h, "deshacer").await;
    let owner = owner(h, &p).await;
    fill_absorbed(h, &p, &owner).await;
    let actor = &p.site.actor;
    let absorbed_before = h.store.get_client(actor, p.absorbed).await.expect("absorbed");
    let quiet = ClientPreferences { no_whatsapp: true, no_reminders: false };
    h.store
        .set_client_preferences(&owner, p.absorbed, quiet, ficha_domain::ChoiceSource::Panel)
        .await
        .expect("preferences");
    let absorbed_counts = counts(h, &p, p.absorbed).await;
    let survivor_counts = counts(h, &p, p.survivor).await;

    let outcome = h.store.merge_clients(&owner, usual(&p)).await.expect("merged");
    // An opt-out said on either profile stays said.
    assert_eq!(h.store.client_preferences(actor, p.survivor).await.expect("prefs"), quiet);
    // Written on the survivor after the merge: these stay there.
    h.clock.advance(SignedDuration::from_hours(1));
    let later = h.store.book(actor, booking_for(&p, p.survivor, p.site.service, hours(5))).await.expect("booked");
    h.store.add_note(actor, p.survivor, NoteText::parse("después").expect("text")).await.expect("note");

    h.clock.advance(SignedDuration::from_hours(29 * 24));
    let restored = h.store.undo_merge(&owner, outcome.merge).await.expect("undone");
    assert_eq!(restored.id, p.absorbed);
    assert_eq!(
        (restored.name.as_str(), restored.email.as_str(), restored.phone.clone(), restored.rut),
        (
            absorbed_before.name.as_str(),
            absorbed_before.email.as_str(),
            absorbed_before.phone.clone(),
            absorbed_before.rut
        )
    );
    assert_eq!(h.store.get_client(actor, p.absorbed).await.expect("back"), restored);
    assert_eq!(value_of(h, actor, p.absorbed, "comuna").await.as_deref(), Some("Maipú"));
    assert_eq!(value_of(h, actor, p.absorbed, "mascota").await.as_deref(), Some("Toby"));
    assert_eq!(h.store.client_preferences(actor, p.absorbed).await.expect("prefs"), quiet);

    // The survivor's values the merge wrote are its own again.
    let survivor = h.store.get_client(actor, p.survivor).await.expect("survivor");
    assert_eq!(survivor.phone.as_ref().map(|p| p.e164()), Some("+56961234567"));
    assert_eq!(survivor.rut, None);
    assert_eq!(value_of(h, actor, p.survivor, "comuna").await.as_deref(), Some("Ñuñoa"));
    assert_eq!(value_of(h, actor, p.survivor, "mascota").await, None);
    assert_eq!(h.store.client_preferences(actor, p.survivor).await.expect("prefs"), ClientPreferences::default());

    // Exactly the moved rows went back (plus the two entries of the merge
    // and its undo); what was written on the survivor since stayed.
    let back = counts(h, &p, p.absorbed).await;
    assert_eq!(MoveCounts { history: back.history - 2, ..back }, absorbed_counts);
    let now = counts(h, &p, p.survivor).await;
    assert_eq!(now.bookings, survivor_counts.bookings + 1);
    assert_eq!(now.notes, 1);
    assert_eq!(h.store.get_booking(actor, later[0].id).await.expect("booking").client, p.survivor);

    // The alias is gone: the email is the absorbed profile's own again.
    let found = h.store.client_by_email(actor, "anita@otro.cl").await.expect("read").expect("found");
    assert_eq!(found.id, p.absorbed);

    // Both histories tell it.
    let history = h.store.client_history(actor, p.absorbed, &HistoryQuery::default()).await.expect("history");
    let kinds: Vec<_> = history
        .entries
        .iter()
        .filter_map(|e| match &e.change {
            Change::ClientMerged { role, other, .. } | Change::MergeUndone { role, other, .. } => {
                Some((matches!(e.change, Change::MergeUndone { .. }), *role, *other))
            }
            _ => None,
        })
        .collect();
    assert_eq!(kinds, [(true, MergeRole::Absorbed, p.survivor), (false, MergeRole::Absorbed, p.survivor)]);
    let survivor_history = h.store.client_history(actor, p.survivor, &HistoryQuery::default()).await.expect("history");
    assert!(
        survivor_history
            .entries
            .iter()
            .any(|e| matches!(e.change, Change::MergeUndone { role: MergeRole::Survivor, .. }))
    );
    let merges = h.store.merges_of(&owner, p.survivor).await.expect("merges");
    assert_eq!(merges[0].undone_at, Some(h.clock.now()));
}

pub async fn an_undo_is_refused_once_its_email_is_taken_after_30_days_and_twice(h: &Harness) {
    let p = pair(h, "reuso").await;
    let owner = owner(h, &p).await;
    let actor = &p.site.actor;
    // The survivor takes the absorbed email, then moves to a third one; the
    // absorbed email is free, and a new profile takes it.
    let keep_theirs = request_of(
        &p,
        choices(
            &[
                (GeneralField::Name, Keep::Survivor),
                (GeneralField::Email, Keep::Absorbed),
                (GeneralField::Phone, Keep::Survivor),
            ],
            &[("comuna", Keep::Survivor)],
        ),
    );
    let outcome = h.store.merge_clients(&owner, keep_theirs).await.expect("merged");
    assert_eq!(outcome.survivor.email.as_str(), "Anita@Otro.cl");
    // The survivor's own old email is the alias now.
    assert_eq!(h.store.client_by_email(actor, "ana@mail.cl").await.expect("read").map(|c| c.id), Some(p.survivor));
    let change = ClientChanges { email: Some(email("ana.nueva@mail.cl")), ..Default::default() };
    h.store.update_client(&owner, p.survivor, outcome.survivor.version, change).await.expect("email changed");
    let newcomer = h.store.create_client(&owner, new_client("Otra", "anita@otro.cl")).await.expect("created").id;
    assert_eq!(refusal(h.store.undo_merge(&owner, outcome.merge).await), MergeRefusal::EmailReused { by: newcomer });
    // Nothing changed.
    assert_eq!(merged_into(h.store.get_client(actor, p.absorbed).await), p.survivor);
    assert_eq!(h.store.get_client(actor, p.survivor).await.expect("survivor").email.as_str(), "ana.nueva@mail.cl");
    assert_eq!(h.store.client_by_email(actor, "ana@mail.cl").await.expect("read").map(|c| c.id), Some(p.survivor));

    // Once it is free again, 30 days still bound the undo.
    h.store.delete_client(&owner, newcomer).await.expect("deleted");
    h.clock.advance(SignedDuration::from_hours(30 * 24) + SignedDuration::from_secs(1));
    assert_eq!(refusal(h.store.undo_merge(&owner, outcome.merge).await), MergeRefusal::UndoExpired);
    assert!(!h.store.merges_of(&owner, p.survivor).await.expect("merges")[0].undoable_at(h.clock.now()));

    // And an undo happens once.
    let q = pair(h, "dos-veces").await;
    let owner = staff(h, &q.site.actor, "Dueña", Role::Owner).await;
    let merge = h.store.merge_clients(&owner, usual(&q)).await.expect("merged").merge;
    h.store.undo_merge(&owner, merge).await.expect("undone");
    assert_eq!(refusal(h.store.undo_merge(&owner, merge).await), MergeRefusal::AlreadyUndone);
    // Professionals may neither merge nor undo.
    let pro = staff(h, &q.site.actor, "Pedro Soto", Role::Professional).await;
    assert!(matches!(h.store.merge_clients(&pro, usual(&q)).await, Err(StoreError::OwnerOnly)));
    assert!(matches!(h.store.undo_merge(&pro, merge).await, Err(StoreError::OwnerOnly)));
}

pub async fn a_refused_merge_changes_nothing(h: &Harness) {
    let p = pair(h, "rechazo").await;
    let owner = owner(h, &p).await;
    let actor = &p.site.actor;
    let before = (
        h.store.get_client(actor, p.survivor).await.expect("s"),
        h.store.get_client(actor, p.absorbed).await.expect("a"),
        counts(h, &p, p.absorbed).await,
    );
    let unchanged = || async {
        let now = (
            h.store.get_client(actor, p.survivor).await.expect("s"),
            h.store.get_client(actor, p.absorbed).await.expect("a"),
            counts(h, &p, p.absorbed).await,
        );
        assert_eq!(now, before);
    };

    let same = MergeRequest { absorbed: p.survivor, ..usual(&p) };
    assert_eq!(refusal(h.store.merge_clients(&owner, same).await), MergeRefusal::SameClient);
    let stale = MergeRequest { absorbed_version: Some(before.1.version + 1), ..usual(&p) };
    assert!(matches!(h.store.merge_clients(&owner, stale).await, Err(StoreError::Stale { .. })));
    let unknown = request_of(&p, choices(&[], &[("no-existe", Keep::Absorbed)]));
    assert_eq!(
        refusal(h.store.merge_clients(&owner, unknown).await),
        MergeRefusal::UnknownField { key: "no-existe".into() }
    );
    unchanged().await;

    // An open data-subject request is answered about the profile as it is.
    let request = NewDataRequest {
        client: Some(p.absorbed),
        email: None,
        right: DataRight::Rectification,
        channel: RequestChannel::Phone,
        detail: None,
    };
    h.store.file_data_request(&owner, request).await.expect("filed");
    let before = (before.0, before.1, counts(h, &p, p.absorbed).await);
    let preview = h.store.merge_preview(&owner, p.survivor, p.absorbed).await.expect("preview");
    assert_eq!(
        preview.refusal,
        Some(crate::PreviewRefusal::Refused(MergeRefusal::OpenDataRequest { client: p.absorbed }))
    );
    assert_eq!(
        refusal(h.store.merge_clients(&owner, usual(&p)).await),
        MergeRefusal::OpenDataRequest { client: p.absorbed }
    );
    let now = (
        h.store.get_client(actor, p.survivor).await.expect("s"),
        h.store.get_client(actor, p.absorbed).await.expect("a"),
        counts(h, &p, p.absorbed).await,
    );
    assert_eq!(now, before);

    // A blocked profile is frozen.
    let reason = BlockReason::parse("A pedido").expect("reason");
    h.store.block_client(&owner, p.survivor, reason).await.expect("blocked");
    assert!(matches!(h.store.merge_clients(&owner, usual(&p)).await, Err(StoreError::ClientBlocked)));
    assert_eq!(merged_into_none(h, actor, p.absorbed).await, p.absorbed);
}

async fn merged_into_none(h: &Harness, actor: &Actor, client: ClientId) -> ClientId {
    h.store.get_client(actor, client).await.expect("still there").id
}

pub async fn another_business_can_neither_merge_nor_see_a_merge(h: &Harness) {
    let p = pair(h, "propia").await;
    let owner = owner(h, &p).await;
    let merge = h.store.merge_clients(&owner, usual(&p)).await.expect("merged").merge;
    let other = business(h, "ajena").await;
    let theirs = h.store.create_client(&other, new_client("Ana", "ana@mail.cl")).await.expect("theirs").id;
    assert!(matches!(h.store.get_client(&other, p.absorbed).await, Err(StoreError::NotFound)));
    assert!(matches!(h.store.merge_preview(&other, theirs, p.survivor).await, Err(StoreError::NotFound)));
    let cross = MergeRequest {
        survivor: theirs,
        absorbed: p.survivor,
        choices: MergeChoices::default(),
        survivor_version: None,
        absorbed_version: None,
    };
    assert!(matches!(h.store.merge_clients(&other, cross).await, Err(StoreError::NotFound)));
    assert!(matches!(h.store.undo_merge(&other, merge).await, Err(StoreError::NotFound)));
    assert!(matches!(h.store.get_merge(&other, merge).await, Err(StoreError::NotFound)));
    assert!(matches!(h.store.merges_of(&other, p.survivor).await, Err(StoreError::NotFound)));
    // A deleted profile has no merges to list either.
    h.store.delete_client(&owner, p.witness).await.expect("deleted");
    assert!(matches!(h.store.merges_of(&owner, p.witness).await, Err(StoreError::NotFound)));
    // Their own profile with the same email is theirs alone.
    let found = h.store.client_by_email(&other, "anita@otro.cl").await.expect("read");
    assert_eq!(found, None);
    // A client signed in to Mi cuenta learns nothing.
    let client = Actor::Client { business: p.site.actor.business(), client: p.survivor };
    assert!(matches!(h.store.merges_of(&client, p.survivor).await, Err(StoreError::NotFound)));
    assert!(matches!(h.store.get_client(&client, p.absorbed).await, Err(StoreError::NotFound)));
}

/// Books `client` at `start`: `Ok(client booked)` or the refusal.
async fn try_book(store: Arc<dyn Store>, actor: Actor, new: NewBooking) -> Result<ClientId, StoreError> {
    store.book(&actor, new).await.map(|rows| rows[0].client)
}

pub async fn bookings_racing_a_merge_and_its_undo_end_on_exactly_one_profile(h: &Harness) {
    let p = pair(h, "carrera").await;
    let owner = owner(h, &p).await;
    let actor = p.site.actor;
    let pro: StaffId = p.site.pros[0];
    let mut slot = 0;
    let mut next = |client| {
        slot += 1;
        NewBooking { professional: Some(pro), ..booking_for(&p, client, p.site.service, hours(slot)) }
    };

    let mut tasks = Vec::new();
    for i in 0..12 {
        let client = if i % 2 == 0 { p.survivor } else { p.absorbed };
        tasks.push(tokio::spawn(try_book(h.store.clone(), actor, next(client))));
    }
    let store = h.store.clone();
    let (merge_owner, request) = (owner, usual(&p));
    let merge = tokio::spawn(async move { store.merge_clients(&merge_owner, request).await });
    let mut booked = 0;
    for task in tasks {
        match task.await.expect("joined") {
            // Every booking made is the survivor's in the end.
            Ok(_) => booked += 1,
            Err(StoreError::NotFound | StoreError::Refused(ficha_domain::BookingRule::ClientUnknown)) => {}
            Err(other) => panic!("unexpected refusal {other:?}"),
        }
    }
    let outcome = merge.await.expect("joined").expect("merged");
    let survivor = counts(h, &p, p.survivor).await;
    assert_eq!(survivor.bookings, booked);
    assert!(booked >= 6, "the survivor's own bookings never fail: {booked}");

    // The undo races too: each booking ends on one of the two profiles.
    let mut tasks = Vec::new();
    for i in 0..12 {
        let client = if i % 2 == 0 { p.survivor } else { p.absorbed };
        tasks.push(tokio::spawn(try_book(h.store.clone(), actor, next(client))));
    }
    let store = h.store.clone();
    let undo = tokio::spawn(async move { store.undo_merge(&owner, outcome.merge).await });
    for task in tasks {
        match task.await.expect("joined") {
            Ok(_) => booked += 1,
            Err(StoreError::NotFound | StoreError::Refused(ficha_domain::BookingRule::ClientUnknown)) => {}
            Err(other) => panic!("unexpected refusal {other:?}"),
        }
    }
    undo.await.expect("joined").expect("undone");
    let (s, a) = (counts(h, &p, p.survivor).await, counts(h, &p, p.absorbed).await);
    assert_eq!(s.bookings + a.bookings, booked, "no booking lost or on a missing profile");
}

async fn notes_of(h: &Harness, actor: &Actor, client: ClientId) -> Vec<String> {
    let notes = h.store.notes(&ficha_domain::Viewer::Staff(*actor), client).await.expect("notes");
    notes.into_iter().map(|n| n.text.as_str().to_owned()).collect()
}

async fn holder(h: &Harness, actor: &Actor, email: &str) -> Option<ClientId> {
    h.store.client_by_email(actor, email).await.expect("read").map(|c| c.id)
}

pub async fn a_survivor_merged_again_carries_its_merges_and_each_undoes_alone(h: &Harness) {
    let p = pair(h, "cadena").await;
    let owner = owner(h, &p).await;
    let actor = &p.site.actor;
    h.store.add_note(actor, p.absorbed, NoteText::parse("de Anita").expect("text")).await.expect("note");
    let third = h.store.create_client(actor, new_client("Ana P. Soto", "soto@mail.cl")).await.expect("third").id;
    let first = h.store.merge_clients(&owner, usual(&p)).await.expect("first merge").merge;
    // The survivor is absorbed in turn: what it gathered, its alias and its
    // merge go along.
    let again = MergeRequest {
        survivor: third,
        absorbed: p.survivor,
        choices: choices(&[(GeneralField::Name, Keep::Survivor), (GeneralField::Email, Keep::Survivor)], &[]),
        survivor_version: None,
        absorbed_version: None,
    };
    let second = h.store.merge_clients(&owner, again).await.expect("second merge").merge;
    assert_eq!(merged_into(h.store.get_client(actor, p.absorbed).await), third);
    assert_eq!(merged_into(h.store.get_client(actor, p.survivor).await), third);
    assert_eq!(holder(h, actor, "anita@otro.cl").await, Some(third));
    assert_eq!(holder(h, actor, "ana@mail.cl").await, Some(third));
    assert_eq!(notes_of(h, actor, third).await, ["de Anita"]);
    assert_eq!(h.store.merges_of(&owner, third).await.expect("merges").len(), 2);

    // The first merge undoes on its own: Anita leaves the third profile.
    h.store.undo_merge(&owner, first).await.expect("first undone");
    assert_eq!(h.store.get_client(actor, p.absorbed).await.expect("back").email.as_str(), "Anita@Otro.cl");
    assert_eq!(notes_of(h, actor, p.absorbed).await, ["de Anita"]);
    assert_eq!(holder(h, actor, "anita@otro.cl").await, Some(p.absorbed));
    assert_eq!(merged_into(h.store.get_client(actor, p.survivor).await), third);
    // Then the second: Ana comes back too, and the third is as it was.
    h.store.undo_merge(&owner, second).await.expect("second undone");
    assert_eq!(h.store.get_client(actor, p.survivor).await.expect("back").email.as_str(), "ana@mail.cl");
    assert_eq!(holder(h, actor, "ana@mail.cl").await, Some(p.survivor));
    assert!(notes_of(h, actor, third).await.is_empty());
    assert_eq!(h.store.list_clients(actor, &ListQuery::default()).await.expect("list").total, 4);
}
