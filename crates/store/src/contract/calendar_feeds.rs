//! Contract cases for calendar feeds: the token opens its feed until it is
//! revoked, feeds stay with their staff member and business, and a feed
//! shows that professional's bookings only, a blocked client without name.

use ficha_domain::{
    Actor, BlockReason, BookingState, ClientId, Clock, FeedLabel, Origin, Role, ServiceId, StaffId,
    calendar_feed::LAST_USE_GRAIN,
};
use jiff::SignedDuration;
use jiff::civil::date;

use super::bookings::{local, new_service, office_hours, staff};
use super::{Harness, business, new_client, start_time};
use crate::{BookingChange, NewBooking, NewTime, StoreError};

/// The calendar feed cases.
#[macro_export]
macro_rules! calendar_feeds_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            a_feed_opens_by_its_token_until_revoked,
            feeds_stay_with_their_staff_member_and_business,
            a_feed_shows_only_its_professionals_bookings_and_hides_blocked_clients,
            a_feeds_last_use_is_written_at_most_once_a_minute,
            full_names_are_an_owners_choice_read_with_the_feed
        );
    };
}

fn label(text: &str) -> FeedLabel {
    FeedLabel::parse(text).expect("valid label")
}

fn as_staff(owner: &Actor, staff: StaffId, role: Role) -> Actor {
    Actor::Staff { business: owner.business(), staff: Some(staff), role }
}

pub async fn a_feed_opens_by_its_token_until_revoked(h: &Harness) {
    let sur = business(h, "sur").await;
    let pro = staff(h, &sur, "pro@sur.cl").await;
    let me = as_staff(&sur, pro, Role::Professional);
    let phone = h.store.create_calendar_feed(&me, pro, label("iPhone"), b"hash-phone").await.expect("created");
    let laptop = h.store.create_calendar_feed(&me, pro, label("Notebook"), b"hash-laptop").await.expect("created");
    assert_eq!((phone.staff, phone.label.as_str(), phone.last_used_at), (pro, "iPhone", None));

    let open = h.store.open_calendar_feed(b"hash-phone", start_time()).await.expect("read").expect("opens");
    assert_eq!((open.id, open.business, open.staff, open.full_names), (phone.id, sur.business(), pro, false));
    assert_eq!(open.business_name, "Negocio sur");
    let listed = h.store.list_calendar_feeds(&me, pro).await.expect("listed");
    assert_eq!(listed.iter().map(|f| f.label.as_str()).collect::<Vec<_>>(), ["iPhone", "Notebook"]);
    assert_eq!(listed[0].last_used_at, Some(start_time()));

    h.store.revoke_calendar_feed(&me, phone.id).await.expect("revoked");
    assert_eq!(h.store.open_calendar_feed(b"hash-phone", start_time()).await.expect("read"), None);
    assert!(h.store.open_calendar_feed(b"hash-laptop", start_time()).await.expect("read").is_some());
    assert!(matches!(h.store.revoke_calendar_feed(&me, phone.id).await, Err(StoreError::NotFound)));
    let left = h.store.list_calendar_feeds(&me, pro).await.expect("listed");
    assert_eq!(left.iter().map(|f| f.id).collect::<Vec<_>>(), [laptop.id]);
    assert_eq!(h.store.open_calendar_feed(b"never-made", start_time()).await.expect("read"), None);
}

pub async fn feeds_stay_with_their_staff_member_and_business(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    let ana = staff(h, &sur, "ana@sur.cl").await;
    let beto = staff(h, &sur, "beto@sur.cl").await;
    let other = staff(h, &norte, "otra@norte.cl").await;
    let as_ana = as_staff(&sur, ana, Role::Professional);
    let as_beto = as_staff(&sur, beto, Role::Professional);
    let feed = h.store.create_calendar_feed(&as_ana, ana, label("iPhone"), b"hash-ana").await.expect("created");

    // A colleague neither makes, lists nor revokes Ana's feeds.
    let made = h.store.create_calendar_feed(&as_beto, ana, label("Mío"), b"hash-x").await;
    assert!(matches!(made, Err(StoreError::NotFound)), "{made:?}");
    assert!(matches!(h.store.list_calendar_feeds(&as_beto, ana).await, Err(StoreError::NotFound)));
    assert!(matches!(h.store.revoke_calendar_feed(&as_beto, feed.id).await, Err(StoreError::NotFound)));

    // Another business sees nothing and revokes nothing, even as owner.
    assert!(h.store.list_calendar_feeds(&norte, ana).await.expect("listed").is_empty());
    assert!(matches!(h.store.revoke_calendar_feed(&norte, feed.id).await, Err(StoreError::NotFound)));
    let foreign = h.store.create_calendar_feed(&norte, ana, label("Ajeno"), b"hash-y").await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    let foreign = h.store.create_calendar_feed(&sur, other, label("Ajeno"), b"hash-z").await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    assert_eq!(h.store.open_calendar_feed(b"hash-x", start_time()).await.expect("read"), None);
    assert!(h.store.open_calendar_feed(b"hash-ana", start_time()).await.expect("read").is_some());

    // An owner of the business lists and revokes anyone's (a lost phone).
    assert_eq!(h.store.list_calendar_feeds(&sur, ana).await.expect("listed").len(), 1);
    h.store.revoke_calendar_feed(&sur, feed.id).await.expect("revoked by the owner");
    assert_eq!(h.store.open_calendar_feed(b"hash-ana", start_time()).await.expect("read"), None);
}

fn booking(client: ClientId, service: ServiceId, pro: StaffId, day: i8, hour: i8) -> NewBooking {
    NewBooking {
        client,
        service,
        professional: Some(pro),
        start: Some(local(date(2026, 3, day), hour, 0)),
        end: None,
        state: BookingState::Pending,
        origin: Origin::Panel,
        override_agenda: false,
    }
}

pub async fn a_feed_shows_only_its_professionals_bookings_and_hides_blocked_clients(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    let ana = staff(h, &sur, "ana@sur.cl").await;
    let beto = staff(h, &sur, "beto@sur.cl").await;
    let lejos = staff(h, &norte, "lejos@norte.cl").await;
    for (actor, pro) in [(&sur, ana), (&sur, beto), (&norte, lejos)] {
        h.store.set_agenda(actor, pro, office_hours()).await.expect("agenda");
    }
    let kine = h.store.create_service(&sur, new_service("Kinesiología", 60, 1, &[ana, beto])).await.expect("service");
    let masaje = h.store.create_service(&norte, new_service("Masaje", 60, 1, &[lejos])).await.expect("service");
    let marta = h.store.create_client(&sur, new_client("Marta Soto", "marta@mail.cl")).await.expect("client").id;
    let pablo = h.store.create_client(&sur, new_client("Pablo Díaz", "pablo@mail.cl")).await.expect("client").id;
    let nora = h.store.create_client(&norte, new_client("Nora Vial", "nora@mail.cl")).await.expect("client").id;

    let book =
        |actor: Actor, new: NewBooking| async move { h.store.book(&actor, new).await.expect("booked").remove(0) };
    let first = book(sur, booking(marta, kine.id, ana, 16, 10)).await;
    let blocked = book(sur, booking(pablo, kine.id, ana, 17, 10)).await;
    let cancelled = book(sur, booking(marta, kine.id, ana, 18, 10)).await;
    let late = book(sur, booking(marta, kine.id, ana, 30, 10)).await;
    book(sur, booking(marta, kine.id, beto, 16, 10)).await;
    book(norte, booking(nora, masaje.id, lejos, 16, 10)).await;
    h.store.change_booking(&sur, cancelled.id, BookingChange::Cancel).await.expect("cancelled");
    h.store
        .block_client(&sur, pablo, BlockReason::parse("A pedido del cliente").expect("valid"))
        .await
        .expect("blocked");

    let me = as_staff(&sur, ana, Role::Professional);
    h.store.create_calendar_feed(&me, ana, label("iPhone"), b"hash-ana").await.expect("created");
    let feed = h.store.open_calendar_feed(b"hash-ana", start_time()).await.expect("read").expect("opens");
    let (from, to) = (local(date(2026, 3, 1), 0, 0), local(date(2026, 3, 29), 0, 0));
    let events = h.store.feed_events(&feed, from, to).await.expect("events");

    // Ana's, in the range, not cancelled; Beto's and the other business's
    // bookings at the same hour are not there.
    assert_eq!(events.iter().map(|e| e.booking).collect::<Vec<_>>(), [first.id, blocked.id], "{events:#?}");
    let shown = &events[0];
    assert_eq!((shown.service.as_str(), shown.client_name.as_deref()), ("Kinesiología", Some("Marta Soto")));
    let when = first.when.expect("dated");
    assert_eq!((shown.start, shown.end, shown.state), (when.start(), when.end(), BookingState::Pending));
    assert!(shown.changed_at >= first.created_at);
    assert_eq!(events[1].client_name, None, "a blocked client's name is not read out");
    assert_eq!(
        h.store.feed_events(&feed, to, to + SignedDuration::from_hours(24 * 7)).await.expect("events")[0].booking,
        late.id
    );

    // A notified change raises the sequence the feed carries.
    let before = shown.sequence;
    let moved = NewTime {
        professional: None,
        start: local(date(2026, 3, 16), 11, 0),
        end: None,
        origin: Origin::Panel,
        override_agenda: false,
    };
    h.clock.advance(SignedDuration::from_mins(5));
    h.store.change_booking(&sur, first.id, BookingChange::Reschedule(moved)).await.expect("moved");
    let events = h.store.feed_events(&feed, from, to).await.expect("events");
    assert!(events[0].sequence > before, "{} after {before}", events[0].sequence);
    assert_eq!(events[0].changed_at, h.clock.now());
}

pub async fn a_feeds_last_use_is_written_at_most_once_a_minute(h: &Harness) {
    let sur = business(h, "sur").await;
    let pro = staff(h, &sur, "pro@sur.cl").await;
    h.store.create_calendar_feed(&sur, pro, label("iPhone"), b"hash").await.expect("created");
    let last_use = || async { h.store.list_calendar_feeds(&sur, pro).await.expect("listed")[0].last_used_at };
    let t0 = start_time();
    h.store.open_calendar_feed(b"hash", t0).await.expect("read").expect("opens");
    assert_eq!(last_use().await, Some(t0));
    h.store.open_calendar_feed(b"hash", t0 + SignedDuration::from_secs(30)).await.expect("read").expect("opens");
    assert_eq!(last_use().await, Some(t0), "within the minute nothing is written");
    let later = t0 + LAST_USE_GRAIN + SignedDuration::from_secs(1);
    h.store.open_calendar_feed(b"hash", later).await.expect("read").expect("opens");
    assert_eq!(last_use().await, Some(later));
}

pub async fn full_names_are_an_owners_choice_read_with_the_feed(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    let pro = staff(h, &sur, "pro@sur.cl").await;
    let me = as_staff(&sur, pro, Role::Professional);
    h.store.create_calendar_feed(&me, pro, label("iPhone"), b"hash").await.expect("created");
    assert!(!h.store.feed_full_names(&me).await.expect("read"), "initials by default");
    assert!(matches!(h.store.set_feed_full_names(&me, true).await, Err(StoreError::OwnerOnly)));
    assert!(!h.store.open_calendar_feed(b"hash", start_time()).await.expect("read").expect("opens").full_names);

    h.store.set_feed_full_names(&norte, true).await.expect("another business's choice");
    assert!(!h.store.feed_full_names(&sur).await.expect("read"));
    h.store.set_feed_full_names(&sur, true).await.expect("set");
    assert!(h.store.feed_full_names(&me).await.expect("read"));
    assert!(h.store.open_calendar_feed(b"hash", start_time()).await.expect("read").expect("opens").full_names);
    h.store.set_feed_full_names(&sur, false).await.expect("set back");
    assert!(!h.store.open_calendar_feed(b"hash", start_time()).await.expect("read").expect("opens").full_names);
}
