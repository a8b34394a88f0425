//! Contract cases for the reads of several professionals at once, which the
//! booking site's week of free slots makes for "Cualquiera".

use ficha_domain::{Agenda, BookingState, Interval, Origin, StaffId};
use jiff::civil::date;

use super::bookings::{local, new_service, office_hours, staff};
use super::{Harness, business, new_client};
use crate::{BookingChange, NewBooking, StoreError};

pub async fn agendas_of_reads_several_in_the_order_asked(h: &Harness) {
    let actor = business(h, "sur").await;
    let (ana, beto) = (staff(h, &actor, "ana@sur.cl").await, staff(h, &actor, "beto@sur.cl").await);
    h.store.set_agenda(&actor, ana, office_hours()).await.expect("agenda");

    let read = h.store.agendas_of(&actor, &[beto, ana, beto]).await.expect("read");
    assert_eq!(read, [(beto, Agenda::closed()), (ana, office_hours())], "as asked, each once; none set is closed");
    assert!(h.store.agendas_of(&actor, &[]).await.expect("read").is_empty());

    let norte = business(h, "norte").await;
    let theirs = staff(h, &norte, "otra@norte.cl").await;
    let refused = h.store.agendas_of(&actor, &[ana, theirs]).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "another business's professional: {refused:?}");
    let refused = h.store.agendas_of(&norte, &[ana]).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
}

pub async fn busy_of_reads_what_busy_reads_for_each_professional(h: &Harness) {
    let actor = business(h, "sur").await;
    let (ana, beto) = (staff(h, &actor, "ana@sur.cl").await, staff(h, &actor, "beto@sur.cl").await);
    for pro in [ana, beto] {
        h.store.set_agenda(&actor, pro, office_hours()).await.expect("agenda");
    }
    let client = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("client").id;
    let service = h.store.create_service(&actor, new_service("Masaje", 60, 1, &[ana, beto])).await.expect("service");
    let day = date(2026, 3, 16);
    let book = |pro: StaffId, hour: i8| {
        let new = NewBooking {
            client,
            service: service.id,
            professional: Some(pro),
            start: Some(local(day, hour, 0)),
            end: None,
            state: BookingState::Confirmed,
            origin: Origin::Panel,
            override_agenda: false,
        };
        let store = h.store.clone();
        async move { store.book(&actor, new).await.expect("booked").remove(0) }
    };
    let ana_late = book(ana, 15).await;
    let ana_early = book(ana, 10).await;
    let beto_one = book(beto, 11).await;
    let gone = book(beto, 16).await;
    h.store.change_booking(&actor, gone.id, BookingChange::Cancel).await.expect("cancelled");
    book(ana, 9).await; // ends as the span starts: not busy in it

    // From 10:30: the booking 10:00–11:00 overlaps it and is read.
    let (from, to) = (local(day, 10, 30), local(date(2026, 3, 17), 0, 0));
    let when = |b: &ficha_domain::Booking| -> Interval { b.when.expect("dated") };
    let expected = vec![(beto, when(&beto_one)), (ana, when(&ana_early)), (ana, when(&ana_late))];
    let read = h.store.busy_of(&actor, &[beto, ana], from, to).await.expect("read");
    assert_eq!(read, expected, "by professional as asked, then by start; cancelled left out");
    for pro in [ana, beto] {
        let one: Vec<Interval> = read.iter().filter(|(p, _)| *p == pro).map(|(_, w)| *w).collect();
        assert_eq!(one, h.store.busy(&actor, pro, from, to).await.expect("busy"), "the same as busy");
    }
    assert!(h.store.busy_of(&actor, &[], from, to).await.expect("read").is_empty());

    let norte = business(h, "norte").await;
    let read = h.store.busy_of(&norte, &[ana, beto], from, to).await.expect("read");
    assert!(read.is_empty(), "another business sees none of them: {read:?}");
}
