//! Importing clients from a file (issue 13, item 4): what each line does,
//! both ways of treating existing profiles, dry runs, batches and their
//! undo.

use ficha_domain::{
    Actor, BirthDate, BlockReason, Change, ChoiceOptions, ClientChanges, ClientName, CustomValue, Email, FieldError,
    FieldKey, FieldKind, FieldLabel, NewCustomField, Phone, RawValue, Role, Rut,
};
use jiff::civil::date;

use super::{Harness, business, new_client};
use crate::StoreError;
use crate::history::HistoryQuery;
use crate::imports::{
    CellProblem, Counts, Existing, ImportRefused, ImportRow, NewImport, Outcome, RowReport, RowSource, Status, Target,
};
use crate::search::SearchQuery;

/// Lines handed over two at a time, as a reader streams a file.
pub(super) struct Lines(pub(super) Vec<ImportRow>);

impl RowSource for Lines {
    fn next_chunk(&mut self) -> Option<Vec<ImportRow>> {
        if self.0.is_empty() {
            return None;
        }
        let rest = self.0.split_off(self.0.len().min(2));
        Some(std::mem::replace(&mut self.0, rest))
    }
}

pub(super) fn line(n: u64, name: Option<&str>, email: &str) -> ImportRow {
    ImportRow {
        line: n,
        email: Some(Email::parse(email).expect("email")),
        name: name.map(|n| ClientName::parse(n).expect("name")),
        ..ImportRow::default()
    }
}

pub(super) fn outcomes(reports: &[RowReport]) -> Vec<(u64, &'static str)> {
    reports.iter().map(|r| (r.line, r.outcome.code())).collect()
}

async fn comuna_field(h: &Harness, actor: &Actor) -> ficha_domain::CustomField {
    let new = NewCustomField {
        key: FieldKey::parse("comuna").expect("key"),
        label: FieldLabel::parse("Comuna").expect("label"),
        kind: FieldKind::Text,
        options: ChoiceOptions::parse(FieldKind::Text, &[]).expect("options"),
        required: false,
        in_booking_form: false,
        visible_to_client: false,
        sensitive: false,
        identifying: false,
        position: None,
    };
    h.store.create_field(actor, new).await.expect("field")
}

fn comuna(text: &str) -> (FieldKey, CustomValue) {
    (FieldKey::parse("comuna").expect("key"), CustomValue::Text(text.into()))
}

async fn names_found(h: &Harness, actor: &Actor, query: &str) -> Vec<String> {
    let query = SearchQuery::parse(query).expect("query");
    let found = h.store.search_clients(actor, &query, 0, 10).await.expect("searched");
    found.hits.iter().map(|hit| hit.client.name.as_str().to_owned()).collect()
}

/// A file of five lines in update mode: one new, one existing with new
/// data, one existing with the same data, one with a bad cell, one new
/// without a name; and a blocked profile's line.
fn mixed_lines() -> Vec<ImportRow> {
    let mut updated = line(3, Some("Bruno Díaz Soto"), "BRUNO@mail.cl");
    updated.phone = Some(Phone::parse("9 6123 4567").expect("phone"));
    updated.values = vec![comuna("Ñuñoa")];
    let bad = ImportRow {
        problems: vec![CellProblem {
            column: Some("Teléfono".into()),
            target: Target::Phone,
            error: FieldError::PhoneInvalid,
        }],
        ..line(5, Some("Dora"), "dora@mail.cl")
    };
    let mut created = line(2, Some("Ana Pérez"), "ana@mail.cl");
    created.rut = Some(Rut::parse("12.345.678-5").expect("rut"));
    created.birth_date = Some(BirthDate::new(date(1990, 4, 23), date(2026, 1, 1)).expect("date"));
    created.values = vec![comuna("Maipú")];
    vec![
        created,
        updated,
        line(4, Some("Carla Muñoz"), "carla@mail.cl"),
        bad,
        line(6, None, "eva@mail.cl"),
        line(7, Some("Fede"), "fede@mail.cl"),
    ]
}

async fn existing_profiles(h: &Harness, actor: &Actor) {
    comuna_field(h, actor).await;
    h.store.create_client(actor, new_client("Bruno Díaz", "bruno@mail.cl")).await.expect("bruno");
    h.store.create_client(actor, new_client("Carla Muñoz", "carla@mail.cl")).await.expect("carla");
    let fede = h.store.create_client(actor, new_client("Fede", "fede@mail.cl")).await.expect("fede");
    let reason = BlockReason::parse("Lo pidió").expect("reason");
    h.store.block_client(actor, fede.id, reason).await.expect("blocked");
}

pub async fn import_lines_are_created_updated_unchanged_or_refused(h: &Harness) {
    let actor = business(h, "sur").await;
    existing_profiles(h, &actor).await;
    let batch = h
        .store
        .open_import(&actor, NewImport { existing: Existing::Update, file_name: "clientes.csv".into(), total_rows: 6 })
        .await
        .expect("opened");

    let reports = h.store.import_rows(&actor, batch.id, mixed_lines()).await.expect("imported");
    let done = h.store.finish_import(&actor, batch.id, None).await.expect("finished");

    assert_eq!(
        outcomes(&reports),
        [(2, "created"), (3, "updated"), (4, "unchanged"), (5, "refused"), (6, "refused"), (7, "blocked")]
    );
    let Outcome::Refused(problems) = &reports[4].outcome else { panic!("refused") };
    assert_eq!(problems, &[CellProblem { column: None, target: Target::Name, error: FieldError::Required }]);
    assert_eq!(done.status, Status::Done);
    assert_eq!(done.counts, Counts { created: 1, updated: 1, unchanged: 1, exists: 0, refused: 3 });

    // What the lines wrote is what a form would have: values, search, history.
    let ana = h.store.get_client(&actor, reports[0].client.expect("ana")).await.expect("ana");
    assert_eq!(ana.rut.map(|r| r.canonical()).as_deref(), Some("12345678-5"));
    let bruno = h.store.get_client(&actor, reports[1].client.expect("bruno")).await.expect("bruno");
    assert_eq!(bruno.name.as_str(), "Bruno Díaz Soto");
    assert_eq!(bruno.email.as_str(), "bruno@mail.cl", "the email a line is matched by stays as it was");
    assert_eq!(bruno.phone.as_ref().map(|p| p.e164()), Some("+56961234567"));
    assert_eq!(bruno.version, 2);
    let values = h.store.custom_values(&actor, bruno.id).await.expect("values");
    assert_eq!(values.iter().map(|v| v.value.display()).collect::<Vec<_>>(), ["Ñuñoa"]);
    assert_eq!(names_found(h, &actor, "soto").await, ["Bruno Díaz Soto"]);
    assert_eq!(names_found(h, &actor, "maipu").await, ["Ana Pérez"]);
    let history = h.store.client_history(&actor, bruno.id, &HistoryQuery { after: None, limit: 20 }).await;
    let changes: Vec<Change> = history.expect("history").entries.into_iter().map(|e| e.change).collect();
    assert_eq!(changes.len(), 4, "name, phone, comuna and the import that wrote them: {changes:?}");
    let imported = Change::ClientImported { batch: batch.id, file_name: "clientes.csv".into(), created: false };
    assert_eq!(changes[0], imported, "the newest entry names the batch");

    let problems = h.store.import_problems(&actor, batch.id, 100).await.expect("problems");
    assert_eq!(outcomes(&problems), [(5, "refused"), (6, "refused"), (7, "blocked")]);
    assert_eq!(problems[0].outcome, reports[3].outcome, "the stored report reads back");
    assert_eq!(h.store.list_clients(&actor, &Default::default()).await.expect("listed").total, 4);
}

/// A chunk's new profiles are written together; a later line of the same
/// chunk with one of their emails still finds and updates it.
pub async fn a_later_line_updates_the_profile_an_earlier_line_of_its_chunk_created(h: &Harness) {
    let actor = business(h, "sur").await;
    let batch = h
        .store
        .open_import(&actor, NewImport { existing: Existing::Update, file_name: "dos.csv".into(), total_rows: 3 })
        .await
        .expect("opened");
    let lines = vec![
        line(2, Some("Ana Pérez"), "ana@mail.cl"),
        line(3, Some("Ana Pérez Soto"), "ANA@mail.cl"),
        line(4, Some("Beto Rojas"), "beto@mail.cl"),
    ];
    let reports = h.store.import_rows(&actor, batch.id, lines).await.expect("imported");
    assert_eq!(outcomes(&reports), [(2, "created"), (3, "updated"), (4, "created")]);
    assert_eq!(reports[1].client, reports[0].client, "the second line lands on the profile the first created");
    let ana = h.store.get_client(&actor, reports[0].client.expect("ana")).await.expect("ana");
    assert_eq!((ana.name.as_str(), ana.version), ("Ana Pérez Soto", 2));
    assert_eq!(names_found(h, &actor, "soto").await, ["Ana Pérez Soto"]);
    assert_eq!(names_found(h, &actor, "beto").await, ["Beto Rojas"]);
    assert_eq!(h.store.list_clients(&actor, &Default::default()).await.expect("listed").total, 2);
}

pub async fn skipping_existing_profiles_leaves_them_as_they_are(h: &Harness) {
    let actor = business(h, "sur").await;
    existing_profiles(h, &actor).await;
    let batch = h
        .store
        .open_import(&actor, NewImport { existing: Existing::Skip, file_name: "c.csv".into(), total_rows: 6 })
        .await
        .expect("opened");

    let reports = h.store.import_rows(&actor, batch.id, mixed_lines()).await.expect("imported");

    assert_eq!(
        outcomes(&reports),
        [(2, "created"), (3, "exists"), (4, "exists"), (5, "refused"), (6, "refused"), (7, "exists")]
    );
    let bruno = h.store.get_client(&actor, reports[1].client.expect("bruno")).await.expect("bruno");
    assert_eq!((bruno.name.as_str(), bruno.version), ("Bruno Díaz", 1));
    assert_eq!(h.store.get_import(&actor, batch.id).await.expect("read").counts.exists, 3);
}

pub async fn a_dry_run_reports_what_the_import_does_and_changes_nothing(h: &Harness) {
    let actor = business(h, "sur").await;
    existing_profiles(h, &actor).await;
    // A file naming one new email twice: the second line updates the first.
    let mut lines = mixed_lines();
    let mut again = line(8, Some("Ana María Pérez"), "ana@mail.cl");
    again.values = vec![comuna("Maipú")];
    lines.push(again);

    let dry = h.store.dry_run_import(&actor, Existing::Update, &mut Lines(lines.clone())).await.expect("dry run");

    assert_eq!(
        outcomes(&dry),
        [
            (2, "created"),
            (3, "updated"),
            (4, "unchanged"),
            (5, "refused"),
            (6, "refused"),
            (7, "blocked"),
            (8, "updated")
        ]
    );
    assert_eq!(h.store.list_clients(&actor, &Default::default()).await.expect("listed").total, 3);
    assert!(names_found(h, &actor, "perez").await.is_empty());
    let bruno = h.store.list_clients(&actor, &Default::default()).await.expect("listed").clients[0].clone();
    assert_eq!((bruno.name.as_str(), bruno.version), ("Bruno Díaz", 1));

    let batch = h
        .store
        .open_import(&actor, NewImport { existing: Existing::Update, file_name: "c.csv".into(), total_rows: 7 })
        .await
        .expect("opened");
    let real = h.store.import_rows(&actor, batch.id, lines).await.expect("imported");
    assert_eq!(outcomes(&real), outcomes(&dry), "the dry run told the truth");
}

pub async fn undoing_a_batch_removes_what_it_created_and_restores_what_it_updated(h: &Harness) {
    let actor = business(h, "sur").await;
    existing_profiles(h, &actor).await;
    let bruno_before = h.store.list_clients(&actor, &Default::default()).await.expect("listed").clients[0].clone();
    let batch = h
        .store
        .open_import(&actor, NewImport { existing: Existing::Update, file_name: "c.csv".into(), total_rows: 7 })
        .await
        .expect("opened");
    let mut lines = mixed_lines();
    lines.push(line(8, Some("Ana María Pérez"), "ana@mail.cl"));
    h.store.import_rows(&actor, batch.id, lines).await.expect("imported");
    let early = h.store.undo_import(&actor, batch.id).await;
    assert!(matches!(early, Err(StoreError::ImportRefused(ImportRefused::Running))), "{early:?}");
    h.store.finish_import(&actor, batch.id, None).await.expect("finished");

    let undone = h.store.undo_import(&actor, batch.id).await.expect("undone");

    assert_eq!(undone.status, Status::Undone);
    let listed = h.store.list_clients(&actor, &Default::default()).await.expect("listed");
    assert_eq!(listed.total, 3, "Ana is gone");
    let bruno = h.store.get_client(&actor, bruno_before.id).await.expect("bruno");
    assert_eq!((bruno.name.as_str(), bruno.phone.as_ref()), ("Bruno Díaz", None));
    assert_eq!(bruno.version, 3, "the undo is a change of its own");
    assert!(h.store.custom_values(&actor, bruno.id).await.expect("values").is_empty());
    assert!(names_found(h, &actor, "soto").await.is_empty());
    assert!(names_found(h, &actor, "perez").await.is_empty());
    assert_eq!(names_found(h, &actor, "bruno").await, ["Bruno Díaz"]);
    let again = h.store.undo_import(&actor, batch.id).await;
    assert!(matches!(again, Err(StoreError::ImportRefused(ImportRefused::AlreadyUndone))), "{again:?}");
}

pub async fn undo_is_refused_when_a_profile_changed_since(h: &Harness) {
    let actor = business(h, "sur").await;
    existing_profiles(h, &actor).await;
    let batch = h
        .store
        .open_import(&actor, NewImport { existing: Existing::Update, file_name: "c.csv".into(), total_rows: 6 })
        .await
        .expect("opened");
    let reports = h.store.import_rows(&actor, batch.id, mixed_lines()).await.expect("imported");
    h.store.finish_import(&actor, batch.id, None).await.expect("finished");
    let bruno = reports[1].client.expect("bruno");
    let edit = ClientChanges { name: Some(ClientName::parse("Bruno D.").expect("name")), ..Default::default() };
    h.store.update_client(&actor, bruno, 2, edit).await.expect("edited");

    let refused = h.store.undo_import(&actor, batch.id).await;

    match refused {
        Err(StoreError::ImportRefused(ImportRefused::ChangedSince { lines })) => assert_eq!(lines, [3]),
        other => panic!("expected ChangedSince, got {other:?}"),
    }
    assert_eq!(h.store.list_clients(&actor, &Default::default()).await.expect("listed").total, 4, "Ana stays");
    assert_eq!(h.store.get_import(&actor, batch.id).await.expect("read").status, Status::Done);
    assert_eq!(h.store.get_client(&actor, bruno).await.expect("bruno").name.as_str(), "Bruno D.");
}

pub async fn imports_are_the_owners_and_their_business(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    h.store.create_client(&norte, new_client("Ana de Norte", "ana@mail.cl")).await.expect("norte's ana");
    let batch = h
        .store
        .open_import(&sur, NewImport { existing: Existing::Skip, file_name: "c.csv".into(), total_rows: 1 })
        .await
        .expect("opened");

    let reports = h.store.import_rows(&sur, batch.id, vec![line(2, Some("Ana"), "ana@mail.cl")]).await;

    assert_eq!(outcomes(&reports.expect("imported")), [(2, "created")], "another business's profile is not one");
    h.store.finish_import(&sur, batch.id, None).await.expect("finished");
    assert!(matches!(h.store.get_import(&norte, batch.id).await, Err(StoreError::NotFound)));
    assert!(matches!(h.store.undo_import(&norte, batch.id).await, Err(StoreError::NotFound)));
    assert!(matches!(h.store.import_problems(&norte, batch.id, 10).await, Err(StoreError::NotFound)));
    let professional = Actor::Staff { business: sur.business(), staff: None, role: Role::Professional };
    assert!(matches!(h.store.get_import(&professional, batch.id).await, Err(StoreError::OwnerOnly)));
    let dry = h.store.dry_run_import(&professional, Existing::Update, &mut Lines(vec![])).await;
    assert!(matches!(dry, Err(StoreError::OwnerOnly)));
    let new = NewImport { existing: Existing::Skip, file_name: "c.csv".into(), total_rows: 1 };
    assert!(matches!(h.store.open_import(&professional, new).await, Err(StoreError::OwnerOnly)));
    assert_eq!(h.store.list_clients(&norte, &Default::default()).await.expect("listed").total, 1);
}

pub async fn an_archived_field_refuses_its_value_by_the_fields_key(h: &Harness) {
    let actor = business(h, "sur").await;
    let field = comuna_field(h, &actor).await;
    let someone = h.store.create_client(&actor, new_client("Otra", "otra@mail.cl")).await.expect("otra");
    let value = CustomValue::read(&field, RawValue::Text("Maipú")).expect("value");
    h.store.set_custom_values(&actor, someone.id, 1, vec![(field.key.clone(), Some(value))]).await.expect("set");
    h.store.remove_field(&actor, field.id).await.expect("archived");
    let mut lines = vec![line(2, Some("Ana"), "ana@mail.cl")];
    lines[0].values = vec![comuna("Ñuñoa")];

    let reports = h.store.dry_run_import(&actor, Existing::Update, &mut Lines(lines)).await.expect("dry run");

    let expected = CellProblem { column: None, target: Target::Custom(field.key), error: FieldError::FieldArchived };
    assert_eq!(reports[0].outcome, Outcome::Refused(vec![expected]));
}

pub async fn a_staged_file_waits_in_the_database_until_its_import_starts(h: &Harness) {
    let actor = business(h, "sur").await;
    let norte = business(h, "norte").await;
    let file = b"Nombre;Correo\nAna;ana@mail.cl\n".to_vec();

    let staged = h.store.stage_import(&actor, "clientes.csv".into(), file.clone()).await.expect("staged");

    assert_eq!(staged.status, Status::Staged);
    assert_eq!(h.store.staged_file(&actor, staged.id).await.expect("file"), file);
    assert!(matches!(h.store.staged_file(&norte, staged.id).await, Err(StoreError::NotFound)));
    let early = h.store.undo_import(&actor, staged.id).await;
    assert!(matches!(early, Err(StoreError::ImportRefused(ImportRefused::NotStarted))), "{early:?}");
    let lines = h.store.import_rows(&actor, staged.id, vec![line(2, Some("Ana"), "ana@mail.cl")]).await;
    assert!(matches!(lines, Err(StoreError::ImportRefused(ImportRefused::NotRunning))), "{lines:?}");

    let started = h.store.start_staged(&actor, staged.id, Existing::Skip, 1).await.expect("started");

    assert_eq!((started.status, started.existing, started.total_rows), (Status::Running, Existing::Skip, 1));
    assert!(matches!(h.store.staged_file(&actor, staged.id).await, Err(StoreError::NotFound)), "the file is gone");
    let again = h.store.start_staged(&actor, staged.id, Existing::Skip, 1).await;
    assert!(matches!(again, Err(StoreError::ImportRefused(ImportRefused::NotRunning))), "{again:?}");
    h.store.import_rows(&actor, staged.id, vec![line(2, Some("Ana"), "ana@mail.cl")]).await.expect("imported");
    let read = h.store.get_import(&actor, staged.id).await.expect("read");
    assert_eq!((read.status, read.existing, read.counts.created), (Status::Running, Existing::Skip, 1));
}
