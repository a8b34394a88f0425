//! Contract cases for general notes: who may change them and who sees them.

use ficha_domain::{Actor, Change, ClientId, ClientName, Email, NewStaff, Note, NoteText, Role, Viewer, Who};
use jiff::SignedDuration;

use super::{Harness, business, new_client, start_time};
use crate::{HistoryQuery, StoreError};

/// The general-notes cases.
#[macro_export]
macro_rules! notes_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            notes_are_listed_newest_first_with_author_and_time,
            notes_are_stored_as_typed,
            authors_and_owners_change_notes_colleagues_cannot,
            a_client_viewer_gets_no_general_notes,
            another_business_cannot_reach_notes,
            a_note_is_reached_only_through_its_client
        );
    };
}

/// A staff member of the actor's business, acting for themself.
pub(crate) async fn staff(h: &Harness, business: &Actor, name: &str, role: Role) -> Actor {
    let email = format!("{}@clinica.cl", ficha_domain::fold::fold(name).replace(" ", "."));
    let new = NewStaff {
        name: ClientName::parse(name).expect("valid name"),
        email: Email::parse(&email).expect("valid email"),
        role,
        password_hash: "not a real hash".into(),
    };
    let staff = h.store.create_staff(business, new).await.expect("staff created");
    Actor::Staff { business: business.business(), staff: Some(staff.id), role }
}

pub(crate) fn text(text: &str) -> NoteText {
    NoteText::parse(text).expect("valid note")
}

pub(crate) async fn client(h: &Harness, actor: &Actor, email: &str) -> ClientId {
    h.store.create_client(actor, new_client("Ana Pérez", email)).await.expect("created").id
}

fn author_name(note: &Note) -> &str {
    match &note.author {
        Who::Staff { name, .. } => name,
        _ => "",
    }
}

pub async fn notes_are_listed_newest_first_with_author_and_time(h: &Harness) {
    let sur = business(h, "sur").await;
    let carolina = staff(h, &sur, "Carolina Díaz", Role::Owner).await;
    let pedro = staff(h, &sur, "Pedro Soto", Role::Professional).await;
    let ana = client(h, &sur, "ana@mail.cl").await;

    let first = h.store.add_note(&carolina, ana, text("cliente puntual")).await.expect("added");
    h.clock.advance(SignedDuration::from_mins(5));
    let second = h.store.add_note(&pedro, ana, text("alérgica al látex")).await.expect("added");
    assert_eq!(first.created_at, start_time());
    assert_eq!(first.edited_at, None);
    assert_eq!(author_name(&first), "Carolina Díaz");

    let listed = h.store.notes(&Viewer::Staff(pedro), ana).await.expect("listed");
    let shown: Vec<(&str, &str)> = listed.iter().map(|n| (n.text.as_str(), author_name(n))).collect();
    assert_eq!(shown, [("alérgica al látex", "Pedro Soto"), ("cliente puntual", "Carolina Díaz")]);
    assert_eq!(listed[0], second);
    assert_eq!(listed[0].created_at, start_time() + SignedDuration::from_mins(5));
    let Who::Staff { id, .. } = &listed[1].author else { panic!("a staff author: {:?}", listed[1].author) };
    assert_eq!(
        Some(*id),
        match carolina {
            Actor::Staff { staff, .. } => staff,
            Actor::System { .. } | Actor::Client { .. } => None,
        }
    );

    let other = client(h, &sur, "bea@mail.cl").await;
    assert!(h.store.notes(&Viewer::Staff(sur), other).await.expect("listed").is_empty());
    let missing = h.store.notes(&Viewer::Staff(sur), ClientId::generate()).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let added = h.store.add_note(&sur, ClientId::generate(), text("x")).await;
    assert!(matches!(added, Err(StoreError::NotFound)), "{added:?}");
}

pub async fn notes_are_stored_as_typed(h: &Harness) {
    let sur = business(h, "sur").await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    let typed = "<script>alert('hola')</script>\n  Ñandú & \"comillas\"\n\n—fin";
    let added = h.store.add_note(&sur, ana, text(&format!("  {typed}\n"))).await.expect("added");
    assert_eq!(added.text.as_str(), typed);
    assert_eq!(added.author, Who::System);
    let read = h.store.note(&Viewer::Staff(sur), ana, added.id).await.expect("read");
    assert_eq!(read.text.as_str(), typed);
    let longest = "ñ".repeat(NoteText::MAX_CHARS);
    let long = h.store.add_note(&sur, ana, text(&longest)).await.expect("5000 characters fit");
    assert_eq!(h.store.note(&Viewer::Staff(sur), ana, long.id).await.expect("read").text.as_str(), longest);
}

pub async fn authors_and_owners_change_notes_colleagues_cannot(h: &Harness) {
    let sur = business(h, "sur").await;
    let owner = staff(h, &sur, "Carolina Díaz", Role::Owner).await;
    let pedro = staff(h, &sur, "Pedro Soto", Role::Professional).await;
    let julia = staff(h, &sur, "Julia Rojas", Role::Professional).await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    let note = h.store.add_note(&pedro, ana, text("cliente puntual")).await.expect("added");
    let history_len = |h: &Harness| {
        let store = h.store.clone();
        async move { store.client_history(&sur, ana, &HistoryQuery::default()).await.expect("history").entries.len() }
    };
    let entries = history_len(h).await;

    let edit = h.store.edit_note(&julia, ana, note.id, text("no viene nunca")).await;
    assert!(matches!(edit, Err(StoreError::NotNoteAuthor)), "{edit:?}");
    let delete = h.store.delete_note(&julia, ana, note.id).await;
    assert!(matches!(delete, Err(StoreError::NotNoteAuthor)), "{delete:?}");
    assert_eq!(h.store.note(&Viewer::Staff(julia), ana, note.id).await.expect("still there"), note);
    assert_eq!(history_len(h).await, entries, "a refused change leaves no history");

    h.clock.advance(SignedDuration::from_mins(1));
    let edited = h.store.edit_note(&pedro, ana, note.id, text("cliente muy puntual")).await.expect("own note");
    assert_eq!(edited.text.as_str(), "cliente muy puntual");
    assert_eq!(edited.edited_at, Some(start_time() + SignedDuration::from_mins(1)));
    assert_eq!(edited.created_at, note.created_at);
    assert_eq!(h.store.note(&Viewer::Staff(owner), ana, note.id).await.expect("read"), edited);

    let by_owner = h.store.edit_note(&owner, ana, note.id, text("puntual")).await.expect("owners edit any");
    assert_eq!(by_owner.author, note.author, "the author stays the author");
    h.store.delete_note(&owner, ana, note.id).await.expect("owners delete any");
    let gone = h.store.note(&Viewer::Staff(owner), ana, note.id).await;
    assert!(matches!(gone, Err(StoreError::NotFound)), "{gone:?}");
    let again = h.store.delete_note(&owner, ana, note.id).await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
}

pub async fn a_client_viewer_gets_no_general_notes(h: &Harness) {
    let sur = business(h, "sur").await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    let bea = client(h, &sur, "bea@mail.cl").await;
    let about_ana = h.store.add_note(&sur, ana, text("alérgica al látex")).await.expect("added");
    let about_bea = h.store.add_note(&sur, bea, text("cliente puntual")).await.expect("added");
    let as_ana = Viewer::Client { business: sur.business(), client: ana };

    let own = h.store.notes(&as_ana, ana).await.expect("an answer");
    assert!(own.is_empty(), "general notes are staff-only: {own:?}");
    let others = h.store.notes(&as_ana, bea).await;
    assert!(matches!(others, Err(StoreError::NotFound)), "{others:?}");
    for (client, id) in [(ana, about_ana.id), (bea, about_bea.id)] {
        let read = h.store.note(&as_ana, client, id).await;
        assert!(matches!(read, Err(StoreError::NotFound)), "{read:?}");
    }
    // Staff still see them: the client viewer's answer was not an accident of
    // an empty table.
    assert_eq!(h.store.notes(&Viewer::Staff(sur), ana).await.expect("listed"), [about_ana]);
}

pub async fn another_business_cannot_reach_notes(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    let note = h.store.add_note(&sur, ana, text("cliente puntual")).await.expect("added");
    let outsider = Viewer::Staff(norte);
    let as_outside_client = Viewer::Client { business: norte.business(), client: ana };

    for viewer in [outsider, as_outside_client] {
        let read = h.store.note(&viewer, ana, note.id).await;
        assert!(matches!(read, Err(StoreError::NotFound)), "{read:?}");
        let listed = h.store.notes(&viewer, ana).await;
        assert!(matches!(listed, Err(StoreError::NotFound)) || listed.as_ref().is_ok_and(Vec::is_empty), "{listed:?}");
    }
    let listed = h.store.notes(&outsider, ana).await;
    assert!(matches!(listed, Err(StoreError::NotFound)), "{listed:?}");
    let edit = h.store.edit_note(&norte, ana, note.id, text("hackeado")).await;
    assert!(matches!(edit, Err(StoreError::NotFound)), "{edit:?}");
    let delete = h.store.delete_note(&norte, ana, note.id).await;
    assert!(matches!(delete, Err(StoreError::NotFound)), "{delete:?}");
    let added = h.store.add_note(&norte, ana, text("intruso")).await;
    assert!(matches!(added, Err(StoreError::NotFound)), "{added:?}");
    assert_eq!(h.store.notes(&Viewer::Staff(sur), ana).await.expect("listed"), [note]);
}

pub async fn a_note_is_reached_only_through_its_client(h: &Harness) {
    let sur = business(h, "sur").await;
    let ana = client(h, &sur, "ana@mail.cl").await;
    let bea = client(h, &sur, "bea@mail.cl").await;
    let note = h.store.add_note(&sur, ana, text("cliente puntual")).await.expect("added");

    let read = h.store.note(&Viewer::Staff(sur), bea, note.id).await;
    assert!(matches!(read, Err(StoreError::NotFound)), "{read:?}");
    let edit = h.store.edit_note(&sur, bea, note.id, text("otro")).await;
    assert!(matches!(edit, Err(StoreError::NotFound)), "{edit:?}");
    let delete = h.store.delete_note(&sur, bea, note.id).await;
    assert!(matches!(delete, Err(StoreError::NotFound)), "{delete:?}");
    let history = h.store.client_history(&sur, bea, &HistoryQuery::default()).await.expect("history");
    assert!(history.entries.is_empty(), "{:?}", history.entries);
    let kept = h.store.note(&Viewer::Staff(sur), ana, note.id).await.expect("still there");
    assert_eq!(kept, note);
    assert!(matches!(
        h.store.client_history(&sur, ana, &HistoryQuery::default()).await.expect("history").entries[0].change,
        Change::NoteAdded { .. }
    ));
}
