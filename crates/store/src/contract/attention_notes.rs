//! Contract cases for attention notes: who changes them, who sees which
//! (a client viewer: shared notes of their own bookings, nothing else), and
//! the history entries of bookings and attention notes.

use ficha_domain::{
    Actor, Attendance, Booking, BookingId, BookingState, Change, ClientId, Origin, Payment, PaymentMethod, Role,
    Viewer, Visibility, Who,
};
use jiff::SignedDuration;
use jiff::civil::date;

use super::bookings::new_service;
use super::notes::{client, staff, text};
use super::{Harness, business, start_time};
use crate::{BookingChange, HistoryQuery, NewBooking, NewTime, StoreError};

/// The attention-note cases.
#[macro_export]
macro_rules! attention_notes_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            attention_notes_are_grouped_by_kind_newest_first_with_their_booking,
            a_client_viewer_sees_only_shared_notes_of_its_own_bookings,
            authors_and_owners_change_attention_notes_colleagues_cannot,
            another_business_cannot_reach_attention_notes,
            deleting_a_client_removes_its_bookings_attention_notes,
            booking_changes_are_recorded_in_the_clients_history,
            attention_note_changes_are_recorded_in_the_clients_history
        );
    };
}

/// A business with an owner and two professionals, a service the first
/// professional performs, and two clients with one booking each.
struct Clinic {
    owner: Actor,
    pedro: Actor,
    julia: Actor,
    ana: ClientId,
    bea: ClientId,
    ana_booking: Booking,
    bea_booking: Booking,
}

fn staff_id(actor: &Actor) -> ficha_domain::StaffId {
    match actor {
        Actor::Staff { staff: Some(staff), .. } => *staff,
        other => panic!("not a staff member: {other:?}"),
    }
}

/// Books `client` with `pro`, `hours` from the clock's start (before it too:
/// staff override the agenda).
async fn booking(
    h: &Harness,
    actor: &Actor,
    pro: &Actor,
    service: ficha_domain::ServiceId,
    client: ClientId,
    hours: i64,
) -> Booking {
    let new = NewBooking {
        client,
        service,
        professional: Some(staff_id(pro)),
        start: Some(start_time() + SignedDuration::from_hours(hours)),
        end: None,
        state: BookingState::Pending,
        origin: Origin::Panel,
        override_agenda: true,
    };
    h.store.book(actor, new).await.expect("booked").remove(0)
}

async fn clinic(h: &Harness) -> Clinic {
    let sur = business(h, "sur").await;
    let owner = staff(h, &sur, "Carolina Díaz", Role::Owner).await;
    let pedro = staff(h, &sur, "Pedro Soto", Role::Professional).await;
    let julia = staff(h, &sur, "Julia Rojas", Role::Professional).await;
    let service =
        h.store.create_service(&owner, new_service("Kinesiología", 60, 1, &[staff_id(&pedro)])).await.expect("service");
    let ana = client(h, &owner, "ana@mail.cl").await;
    let bea = client(h, &owner, "bea@mail.cl").await;
    let ana_booking = booking(h, &owner, &pedro, service.id, ana, -48).await;
    let bea_booking = booking(h, &owner, &pedro, service.id, bea, -24).await;
    Clinic { owner, pedro, julia, ana, bea, ana_booking, bea_booking }
}

fn texts(notes: &[ficha_domain::AttentionNote]) -> Vec<&str> {
    notes.iter().map(|n| n.text.as_str()).collect()
}

fn is_not_found<T: std::fmt::Debug>(result: &Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::NotFound))
}

pub async fn attention_notes_are_grouped_by_kind_newest_first_with_their_booking(h: &Harness) {
    let c = clinic(h).await;
    let add = |actor: Actor, booking: BookingId, visibility, note: &'static str| {
        let store = h.store.clone();
        async move { store.add_attention_note(&actor, booking, visibility, text(note)).await.expect("added") }
    };
    let first = add(c.pedro, c.ana_booking.id, Visibility::Private, "contractura en trapecio").await;
    h.clock.advance(SignedDuration::from_mins(1));
    add(c.pedro, c.ana_booking.id, Visibility::Shared, "aplicar calor 20 minutos al día").await;
    h.clock.advance(SignedDuration::from_mins(1));
    add(c.owner, c.ana_booking.id, Visibility::Private, "<script>alert(1)</script> & más").await;
    add(c.owner, c.bea_booking.id, Visibility::Shared, "de Bea").await;

    assert_eq!(first.booking, c.ana_booking.id);
    assert_eq!(first.client, c.ana);
    assert_eq!(first.created_at, start_time());
    assert_eq!(first.edited_at, None);
    assert!(matches!(&first.author, Who::Staff { name, .. } if name == "Pedro Soto"), "{:?}", first.author);

    let staff_view = Viewer::Staff(c.julia);
    let on_booking = h.store.booking_notes(&staff_view, c.ana_booking.id).await.expect("listed");
    assert_eq!(
        texts(&on_booking),
        ["<script>alert(1)</script> & más", "aplicar calor 20 minutos al día", "contractura en trapecio"]
    );
    let profile = h.store.client_attention_notes(&staff_view, c.ana).await.expect("listed");
    let private: Vec<&str> = profile.private.iter().map(|n| n.note.text.as_str()).collect();
    let shared: Vec<&str> = profile.shared.iter().map(|n| n.note.text.as_str()).collect();
    assert_eq!(private, ["<script>alert(1)</script> & más", "contractura en trapecio"]);
    assert_eq!(shared, ["aplicar calor 20 minutos al día"]);
    assert!(profile.shared.iter().chain(&profile.private).all(|n| n.service_name == "Kinesiología"
        && n.booking_start == c.ana_booking.when.map(|w| w.start())
        && n.note.booking == c.ana_booking.id));

    let missing = h.store.client_attention_notes(&staff_view, ClientId::generate()).await;
    assert!(is_not_found(&missing), "{missing:?}");
    let no_booking = h.store.add_attention_note(&c.owner, BookingId::generate(), Visibility::Shared, text("x")).await;
    assert!(is_not_found(&no_booking), "{no_booking:?}");
}

pub async fn a_client_viewer_sees_only_shared_notes_of_its_own_bookings(h: &Harness) {
    let c = clinic(h).await;
    let add = |booking: BookingId, visibility, note: &'static str| {
        let (store, actor) = (h.store.clone(), c.pedro);
        async move { store.add_attention_note(&actor, booking, visibility, text(note)).await.expect("added") }
    };
    let ana_private = add(c.ana_booking.id, Visibility::Private, "evaluar derivación").await;
    let ana_shared = add(c.ana_booking.id, Visibility::Shared, "aplicar calor").await;
    let bea_private = add(c.bea_booking.id, Visibility::Private, "de Bea, privada").await;
    let bea_shared = add(c.bea_booking.id, Visibility::Shared, "de Bea, compartida").await;
    h.store.add_note(&c.pedro, c.ana, text("general: alérgica al látex")).await.expect("general note");
    let as_ana = Viewer::Client { business: c.owner.business(), client: c.ana };

    // Its own booking: the shared note, and nothing that betrays the private one.
    let own = h.store.booking_notes(&as_ana, c.ana_booking.id).await.expect("listed");
    assert_eq!(own, std::slice::from_ref(&ana_shared));
    let profile = h.store.client_attention_notes(&as_ana, c.ana).await.expect("listed");
    assert!(profile.private.is_empty(), "{:?}", profile.private);
    assert_eq!(profile.shared.iter().map(|n| n.note.clone()).collect::<Vec<_>>(), std::slice::from_ref(&ana_shared));
    let read = h.store.attention_note(&as_ana, c.ana_booking.id, ana_shared.id).await.expect("read");
    assert_eq!(read, ana_shared);
    let private = h.store.attention_note(&as_ana, c.ana_booking.id, ana_private.id).await;
    assert!(is_not_found(&private), "a private note of its own booking: {private:?}");
    assert!(h.store.notes(&as_ana, c.ana).await.expect("an answer").is_empty(), "no general notes");

    // Another client's: not found, whatever the note's kind or the path.
    let listed = h.store.booking_notes(&as_ana, c.bea_booking.id).await;
    assert!(is_not_found(&listed), "another client's booking: {listed:?}");
    let profile = h.store.client_attention_notes(&as_ana, c.bea).await;
    assert!(is_not_found(&profile), "another client's profile: {profile:?}");
    for (booking, note) in [
        (c.bea_booking.id, bea_shared.id),
        (c.bea_booking.id, bea_private.id),
        (c.ana_booking.id, bea_shared.id),
        (c.ana_booking.id, bea_private.id),
    ] {
        let read = h.store.attention_note(&as_ana, booking, note).await;
        assert!(is_not_found(&read), "another client's note by id: {read:?}");
    }

    // A client of another business naming this one's rows reaches nothing.
    let norte = business(h, "norte").await;
    let outside = Viewer::Client { business: norte.business(), client: c.ana };
    assert!(is_not_found(&h.store.booking_notes(&outside, c.ana_booking.id).await));
    assert!(is_not_found(&h.store.client_attention_notes(&outside, c.ana).await));
    assert!(is_not_found(&h.store.attention_note(&outside, c.ana_booking.id, ana_shared.id).await));

    // Staff see every note: the answers above were not an empty table's.
    let all = h.store.booking_notes(&Viewer::Staff(c.julia), c.bea_booking.id).await.expect("listed");
    assert_eq!(all, [bea_shared, bea_private]);
}

pub async fn authors_and_owners_change_attention_notes_colleagues_cannot(h: &Harness) {
    let c = clinic(h).await;
    let booking = c.ana_booking.id;
    let note = h.store.add_attention_note(&c.pedro, booking, Visibility::Shared, text("reposo")).await.expect("added");
    let entries = |h: &Harness| {
        let (store, owner, ana) = (h.store.clone(), c.owner, c.ana);
        async move { store.client_history(&owner, ana, &HistoryQuery::default()).await.expect("history").entries }
    };
    let before = entries(h).await;

    let edit = h.store.edit_attention_note(&c.julia, booking, note.id, text("nada de reposo")).await;
    assert!(matches!(edit, Err(StoreError::NotNoteAuthor)), "{edit:?}");
    let delete = h.store.delete_attention_note(&c.julia, booking, note.id).await;
    assert!(matches!(delete, Err(StoreError::NotNoteAuthor)), "{delete:?}");
    let kept = h.store.attention_note(&Viewer::Staff(c.owner), booking, note.id).await.expect("still there");
    assert_eq!(kept, note);
    assert_eq!(entries(h).await, before, "a refused change leaves no history");

    // A note is reached only through its own booking.
    let other = c.bea_booking.id;
    assert!(is_not_found(&h.store.edit_attention_note(&c.pedro, other, note.id, text("x")).await));
    assert!(is_not_found(&h.store.delete_attention_note(&c.pedro, other, note.id).await));
    assert!(is_not_found(&h.store.attention_note(&Viewer::Staff(c.pedro), other, note.id).await));

    h.clock.advance(SignedDuration::from_mins(2));
    let edited = h.store.edit_attention_note(&c.pedro, booking, note.id, text("reposo relativo")).await.expect("own");
    assert_eq!(edited.text.as_str(), "reposo relativo");
    assert_eq!(edited.edited_at, Some(start_time() + SignedDuration::from_mins(2)));
    assert_eq!(edited.visibility, Visibility::Shared, "the kind stays");
    assert_eq!(h.store.attention_note(&Viewer::Staff(c.julia), booking, note.id).await.expect("read"), edited);
    let by_owner = h.store.edit_attention_note(&c.owner, booking, note.id, text("reposo")).await.expect("any");
    assert_eq!(by_owner.author, note.author, "the author stays the author");
    h.store.delete_attention_note(&c.owner, booking, note.id).await.expect("owners delete any");
    assert!(is_not_found(&h.store.attention_note(&Viewer::Staff(c.owner), booking, note.id).await));
    assert!(is_not_found(&h.store.delete_attention_note(&c.owner, booking, note.id).await));
}

pub async fn another_business_cannot_reach_attention_notes(h: &Harness) {
    let c = clinic(h).await;
    let booking = c.ana_booking.id;
    let note = h.store.add_attention_note(&c.pedro, booking, Visibility::Private, text("x")).await.expect("added");
    let norte = business(h, "norte").await;
    let outsider = staff(h, &norte, "Dueña Norte", Role::Owner).await;

    let added = h.store.add_attention_note(&outsider, booking, Visibility::Shared, text("intruso")).await;
    assert!(is_not_found(&added), "{added:?}");
    assert!(is_not_found(&h.store.edit_attention_note(&outsider, booking, note.id, text("hackeado")).await));
    assert!(is_not_found(&h.store.delete_attention_note(&outsider, booking, note.id).await));
    let viewer = Viewer::Staff(outsider);
    assert!(is_not_found(&h.store.booking_notes(&viewer, booking).await));
    assert!(is_not_found(&h.store.attention_note(&viewer, booking, note.id).await));
    assert!(is_not_found(&h.store.client_attention_notes(&viewer, c.ana).await));
    assert_eq!(h.store.booking_notes(&Viewer::Staff(c.owner), booking).await.expect("listed"), [note]);
}

pub async fn deleting_a_client_removes_its_bookings_attention_notes(h: &Harness) {
    let c = clinic(h).await;
    let staff_view = Viewer::Staff(c.owner);
    let ana_note = h.store.add_attention_note(&c.pedro, c.ana_booking.id, Visibility::Shared, text("a")).await;
    let bea_note = h.store.add_attention_note(&c.pedro, c.bea_booking.id, Visibility::Shared, text("b")).await;
    let (ana_note, bea_note) = (ana_note.expect("added"), bea_note.expect("added"));

    h.store.delete_client(&c.owner, c.ana).await.expect("deleted");
    assert!(is_not_found(&h.store.attention_note(&staff_view, c.ana_booking.id, ana_note.id).await));
    assert!(is_not_found(&h.store.client_attention_notes(&staff_view, c.ana).await));
    let kept = h.store.client_attention_notes(&staff_view, c.bea).await.expect("listed");
    assert_eq!(kept.shared.iter().map(|n| n.note.clone()).collect::<Vec<_>>(), [bea_note]);
    // The same business's client with a new booking starts empty.
    let again = client(h, &c.owner, "ana@mail.cl").await;
    let fresh = h.store.client_attention_notes(&staff_view, again).await.expect("listed");
    assert!(fresh.private.is_empty() && fresh.shared.is_empty());
}

fn staff_name(who: &Who) -> &str {
    match who {
        Who::Staff { name, .. } => name,
        _ => "",
    }
}

pub async fn booking_changes_are_recorded_in_the_clients_history(h: &Harness) {
    let c = clinic(h).await;
    let booking = c.bea_booking.id;
    let when = |hours| start_time() + SignedDuration::from_hours(hours);
    h.clock.advance(SignedDuration::from_mins(1));
    let moved =
        NewTime { professional: None, start: when(-20), end: None, origin: Origin::Panel, override_agenda: true };
    h.store.change_booking(&c.pedro, booking, BookingChange::Reschedule(moved)).await.expect("moved");
    h.store.change_booking(&c.pedro, booking, BookingChange::Confirm).await.expect("confirmed");
    let paid = Payment::Paid { amount: 25_000, method: PaymentMethod::Debit, date: date(2026, 3, 13) };
    h.store.change_booking(&c.owner, booking, BookingChange::Payment(paid)).await.expect("paid");
    h.store.change_booking(&c.owner, booking, BookingChange::Attendance(Attendance::NoShow)).await.expect("marked");
    h.store.change_booking(&c.owner, booking, BookingChange::Attendance(Attendance::Unknown)).await.expect("unmarked");
    h.store.change_booking(&c.owner, booking, BookingChange::Cancel).await.expect("cancelled");
    let refused = h.store.change_booking(&c.owner, booking, BookingChange::Cancel).await;
    assert!(matches!(refused, Err(StoreError::Refused(_))), "{refused:?}");

    let entries = h.store.client_history(&c.owner, c.bea, &HistoryQuery::default()).await.expect("history").entries;
    let changes: Vec<Change> = entries.iter().map(|e| e.change.clone()).collect();
    assert_eq!(
        changes,
        [
            Change::BookingCancelled { booking },
            Change::BookingAttendance { booking, old: Attendance::NoShow, new: Attendance::Unknown },
            Change::BookingAttendance { booking, old: Attendance::Unknown, new: Attendance::NoShow },
            Change::BookingPayment { booking, old: Payment::Unpaid, new: paid },
            Change::BookingConfirmed { booking },
            Change::BookingRescheduled { booking, old: Some(when(-24)), new: when(-20) },
            Change::BookingCreated { booking, start: Some(when(-24)) },
        ],
        "newest first; the refused second cancel left nothing"
    );
    let names: Vec<&str> = entries.iter().map(|e| staff_name(&e.who)).collect();
    assert_eq!(
        names,
        [
            "Carolina Díaz",
            "Carolina Díaz",
            "Carolina Díaz",
            "Carolina Díaz",
            "Pedro Soto",
            "Pedro Soto",
            "Carolina Díaz"
        ]
    );
    assert_eq!(entries[0].at, start_time() + SignedDuration::from_mins(1));
    assert_eq!(entries[6].at, start_time());
    // Ana's history holds only her own booking.
    let ana = h.store.client_history(&c.owner, c.ana, &HistoryQuery::default()).await.expect("history").entries;
    let ana_changes: Vec<Change> = ana.into_iter().map(|e| e.change).collect();
    assert_eq!(ana_changes, [Change::BookingCreated { booking: c.ana_booking.id, start: Some(when(-48)) }]);
}

pub async fn attention_note_changes_are_recorded_in_the_clients_history(h: &Harness) {
    let c = clinic(h).await;
    let booking = c.ana_booking.id;
    let note =
        h.store.add_attention_note(&c.pedro, booking, Visibility::Private, text("dolor 7/10")).await.expect("added");
    h.store.edit_attention_note(&c.pedro, booking, note.id, text("dolor 5/10")).await.expect("edited");
    h.clock.advance(SignedDuration::from_mins(1));
    h.store.delete_attention_note(&c.owner, booking, note.id).await.expect("deleted");

    let entries = h.store.client_history(&c.owner, c.ana, &HistoryQuery::default()).await.expect("history").entries;
    let changes: Vec<Change> = entries.iter().take(3).map(|e| e.change.clone()).collect();
    let (id, visibility) = (note.id, Visibility::Private);
    assert_eq!(
        changes,
        [
            Change::AttentionNoteDeleted { note: id, booking, visibility, text: "dolor 5/10".into() },
            Change::AttentionNoteEdited {
                note: id,
                booking,
                visibility,
                old: "dolor 7/10".into(),
                new: "dolor 5/10".into()
            },
            Change::AttentionNoteAdded { note: id, booking, visibility, text: "dolor 7/10".into() },
        ]
    );
    assert_eq!(staff_name(&entries[0].who), "Carolina Díaz");
    assert_eq!(staff_name(&entries[2].who), "Pedro Soto");
    assert_eq!(entries[0].at, start_time() + SignedDuration::from_mins(1));
}
