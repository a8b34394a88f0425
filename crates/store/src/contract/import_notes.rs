//! An import's note column (issue 13, item 4): each line's note becomes a
//! general note tagged with its batch, never twice; the profile's history
//! names the batch; undo takes the batch's notes back, unless edited.

use ficha_domain::{Actor, Change, ClientId, FieldError, NoteText, Viewer, Who};

use super::imports::{Lines, line, outcomes};
use super::{Harness, business, new_client};
use crate::StoreError;
use crate::history::HistoryQuery;
use crate::imports::{CellProblem, Existing, ImportBatch, ImportRefused, ImportRow, NewImport, Outcome, Target};

fn noted(n: u64, name: Option<&str>, email: &str, note: &str) -> ImportRow {
    ImportRow { note: Some(NoteText::parse(note).expect("note")), ..line(n, name, email) }
}

async fn import(
    h: &Harness,
    actor: &Actor,
    existing: Existing,
    rows: Vec<ImportRow>,
) -> (ImportBatch, Vec<&'static str>) {
    let new = NewImport { existing, file_name: "clientes.csv".into(), total_rows: rows.len() as u64 };
    let batch = h.store.open_import(actor, new).await.expect("opened");
    let reports = h.store.import_rows(actor, batch.id, rows).await.expect("imported");
    let batch = h.store.finish_import(actor, batch.id, None).await.expect("finished");
    (batch, outcomes(&reports).into_iter().map(|(_, o)| o).collect())
}

async fn note_texts(h: &Harness, actor: &Actor, client: ClientId) -> Vec<String> {
    let notes = h.store.notes(&Viewer::Staff(*actor), client).await.expect("notes");
    notes.into_iter().map(|n| n.text.as_str().to_owned()).collect()
}

async fn changes(h: &Harness, actor: &Actor, client: ClientId) -> Vec<Change> {
    let page = h.store.client_history(actor, client, &HistoryQuery { after: None, limit: 50 }).await.expect("history");
    page.entries.into_iter().map(|e| e.change).collect()
}

async fn client_by_email(h: &Harness, actor: &Actor, email: &str) -> Option<ClientId> {
    let listed = h.store.list_clients(actor, &Default::default()).await.expect("listed");
    listed.clients.into_iter().find(|c| c.email.as_str() == email).map(|c| c.id)
}

pub async fn an_imported_note_is_added_once_and_the_history_names_the_batch(h: &Harness) {
    let actor = business(h, "sur").await;
    let bruno = h.store.create_client(&actor, new_client("Bruno Díaz", "bruno@mail.cl")).await.expect("bruno");
    let rows = vec![
        noted(2, Some("Ana Pérez"), "ana@mail.cl", " Alérgica al látex\nPrefiere la tarde "),
        noted(3, Some("Bruno Díaz"), "bruno@mail.cl", "Cliente puntual"),
    ];

    let (batch, first) = import(h, &actor, Existing::Update, rows.clone()).await;

    assert_eq!(first, ["created", "updated"], "a note alone is a change of the line");
    let ana = client_by_email(h, &actor, "ana@mail.cl").await.expect("ana");
    assert_eq!(note_texts(h, &actor, ana).await, ["Alérgica al látex\nPrefiere la tarde"]);
    assert_eq!(note_texts(h, &actor, bruno.id).await, ["Cliente puntual"]);
    let note = &h.store.notes(&Viewer::Staff(actor), bruno.id).await.expect("notes")[0];
    assert_eq!(note.author, Who::System, "written by whoever imported, as a note by hand");
    assert_eq!(h.store.get_client(&actor, bruno.id).await.expect("bruno").version, 1, "the data did not change");
    let imported = |created| Change::ClientImported { batch: batch.id, file_name: "clientes.csv".into(), created };
    let history = changes(h, &actor, bruno.id).await;
    assert_eq!(history[0], imported(false), "{history:?}");
    assert!(matches!(&history[1], Change::NoteAdded { text, .. } if text == "Cliente puntual"), "{history:?}");
    assert_eq!(changes(h, &actor, ana).await[0], imported(true));

    // The same file again: the notes are there already.
    let (_, again) = import(h, &actor, Existing::Update, rows).await;

    assert_eq!(again, ["unchanged", "unchanged"]);
    assert_eq!(note_texts(h, &actor, ana).await.len(), 1);
    assert_eq!(note_texts(h, &actor, bruno.id).await.len(), 1);
    // A different note is added beside the old one.
    let (_, other) =
        import(h, &actor, Existing::Update, vec![noted(2, None, "bruno@mail.cl", "Paga en efectivo")]).await;
    assert_eq!(other, ["updated"]);
    assert_eq!(note_texts(h, &actor, bruno.id).await, ["Paga en efectivo", "Cliente puntual"]);
}

pub async fn skipping_existing_profiles_adds_no_note(h: &Harness) {
    let actor = business(h, "sur").await;
    let bruno = h.store.create_client(&actor, new_client("Bruno Díaz", "bruno@mail.cl")).await.expect("bruno");

    let (_, done) = import(h, &actor, Existing::Skip, vec![noted(2, None, "bruno@mail.cl", "Cliente puntual")]).await;

    assert_eq!(done, ["exists"]);
    assert!(note_texts(h, &actor, bruno.id).await.is_empty());
    assert!(changes(h, &actor, bruno.id).await.iter().all(|c| !matches!(c, Change::ClientImported { .. })));
}

pub async fn a_dry_run_reports_a_note_and_adds_none(h: &Harness) {
    let actor = business(h, "sur").await;
    let bruno = h.store.create_client(&actor, new_client("Bruno Díaz", "bruno@mail.cl")).await.expect("bruno");
    h.store.add_note(&actor, bruno.id, NoteText::parse("Cliente puntual").expect("note")).await.expect("noted");
    let rows = vec![
        noted(2, None, "bruno@mail.cl", "Cliente puntual"),
        noted(3, None, "bruno@mail.cl", "Paga en efectivo"),
        noted(4, Some("Ana"), "ana@mail.cl", "Nueva"),
    ];

    let dry = h.store.dry_run_import(&actor, Existing::Update, &mut Lines(rows)).await.expect("dry run");

    assert_eq!(outcomes(&dry), [(2, "unchanged"), (3, "updated"), (4, "created")]);
    assert_eq!(note_texts(h, &actor, bruno.id).await, ["Cliente puntual"], "nothing written");
    assert_eq!(client_by_email(h, &actor, "ana@mail.cl").await, None);
}

pub async fn a_refused_note_refuses_its_line_by_its_column(h: &Harness) {
    let actor = business(h, "sur").await;
    let problem = CellProblem {
        column: Some("Observaciones".into()),
        target: Target::Note,
        error: FieldError::TooLong { max: NoteText::MAX_CHARS },
    };
    let row = ImportRow { problems: vec![problem.clone()], ..line(2, Some("Ana"), "ana@mail.cl") };
    let new = NewImport { existing: Existing::Update, file_name: "c.csv".into(), total_rows: 1 };
    let batch = h.store.open_import(&actor, new).await.expect("opened");

    let reports = h.store.import_rows(&actor, batch.id, vec![row]).await.expect("imported");

    assert_eq!(reports[0].outcome, Outcome::Refused(vec![problem.clone()]));
    let stored = h.store.import_problems(&actor, batch.id, 10).await.expect("problems");
    assert_eq!(stored[0].outcome, Outcome::Refused(vec![problem]), "the report reads back with its column");
    assert_eq!(client_by_email(h, &actor, "ana@mail.cl").await, None);
}

pub async fn undoing_a_batch_removes_its_notes_and_the_profiles_it_created(h: &Harness) {
    let actor = business(h, "sur").await;
    let bruno = h.store.create_client(&actor, new_client("Bruno Díaz", "bruno@mail.cl")).await.expect("bruno");
    h.store.add_note(&actor, bruno.id, NoteText::parse("Escrita a mano").expect("note")).await.expect("noted");
    let rows = vec![
        noted(2, Some("Ana Pérez"), "ana@mail.cl", "Alérgica al látex"),
        noted(3, None, "ana@mail.cl", "Prefiere la tarde"),
        noted(4, None, "bruno@mail.cl", "Cliente puntual"),
    ];
    let (batch, done) = import(h, &actor, Existing::Update, rows).await;
    assert_eq!(done, ["created", "updated", "updated"]);

    h.store.undo_import(&actor, batch.id).await.expect("undone: the created profile has only the batch's notes");

    assert_eq!(client_by_email(h, &actor, "ana@mail.cl").await, None, "Ana is gone");
    assert_eq!(note_texts(h, &actor, bruno.id).await, ["Escrita a mano"], "staff's note stays");
    assert_eq!(h.store.get_client(&actor, bruno.id).await.expect("bruno").version, 1, "no data to restore");
    let history = changes(h, &actor, bruno.id).await;
    assert_eq!(history[0], Change::ImportUndone { batch: batch.id, file_name: "clientes.csv".into() });
    assert!(matches!(&history[1], Change::NoteDeleted { text, .. } if text == "Cliente puntual"), "{history:?}");
}

pub async fn undo_is_refused_when_a_note_of_the_batch_was_edited(h: &Harness) {
    let actor = business(h, "sur").await;
    let bruno = h.store.create_client(&actor, new_client("Bruno Díaz", "bruno@mail.cl")).await.expect("bruno");
    let rows = vec![
        noted(2, Some("Ana Pérez"), "ana@mail.cl", "Alérgica al látex"),
        noted(3, None, "bruno@mail.cl", "Cliente puntual"),
    ];
    let (batch, _) = import(h, &actor, Existing::Update, rows).await;
    let note = h.store.notes(&Viewer::Staff(actor), bruno.id).await.expect("notes")[0].id;
    let edited = NoteText::parse("Cliente puntual, llega antes").expect("note");
    h.store.edit_note(&actor, bruno.id, note, edited).await.expect("edited");

    let refused = h.store.undo_import(&actor, batch.id).await;

    match refused {
        Err(StoreError::ImportRefused(ImportRefused::ChangedSince { lines })) => assert_eq!(lines, [3]),
        other => panic!("expected ChangedSince, got {other:?}"),
    }
    assert_eq!(note_texts(h, &actor, bruno.id).await, ["Cliente puntual, llega antes"]);
    let ana = client_by_email(h, &actor, "ana@mail.cl").await.expect("Ana stays: nothing was undone");

    // Ana's own imported note edited: her profile is someone's work now.
    let mut ana_note = h.store.notes(&Viewer::Staff(actor), ana).await.expect("notes")[0].clone();
    h.store.delete_note(&actor, bruno.id, note).await.expect("bruno's edited note removed by hand");
    ana_note.text = NoteText::parse("Alérgica al látex y al polen").expect("note");
    h.store.edit_note(&actor, ana, ana_note.id, ana_note.text).await.expect("edited");
    let refused = h.store.undo_import(&actor, batch.id).await;
    match refused {
        Err(StoreError::ImportRefused(ImportRefused::ChangedSince { lines })) => assert_eq!(lines, [2]),
        other => panic!("expected ChangedSince, got {other:?}"),
    }
    assert!(client_by_email(h, &actor, "ana@mail.cl").await.is_some());
}
