//! Contract cases for bloqueo: a blocked profile is frozen — no edits, no
//! messages, no new bookings — and hidden from professionals, lists and
//! search except to owners, until an owner unblocks it; both recorded.

use ficha_domain::{Actor, BlockReason, BookingState, Change, ClientChanges, MessageStatus, Role, Visibility, Who};
use jiff::SignedDuration;

use super::booking_site::{request, site, ten_tomorrow, typed};
use super::notes::{staff, text};
use super::outbox::{all, book, in_hours, office, whatsapp_on};
use super::{Harness, business, start_time};
use crate::search::SearchQuery;
use crate::{BookingChange, HistoryQuery, ListQuery, NewTime, StoreError};

#[macro_export]
macro_rules! blocks_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            a_blocked_profile_is_frozen_until_unblocked,
            a_blocked_profile_is_hidden_from_professionals_lists_and_search,
            only_owners_block_and_only_in_their_business,
            the_booking_site_cannot_book_a_blocked_profile
        );
    };
}

fn reason(text: &str) -> BlockReason {
    BlockReason::parse(text).expect("valid reason")
}

fn is_blocked<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::ClientBlocked))
}

pub async fn a_blocked_profile_is_frozen_until_unblocked(h: &Harness) {
    let o = office(h, "sur").await;
    whatsapp_on(h, &o.owner).await;
    let booked = book(h, &o, o.ana, in_hours(72)).await;
    h.clock.advance(SignedDuration::from_mins(5));

    let block = h.store.block_client(&o.owner, o.ana, reason("A pedido de la clienta")).await.expect("blocked");
    assert_eq!(block.since, start_time() + SignedDuration::from_mins(5));
    assert_eq!(block.reason.as_str(), "A pedido de la clienta");
    // Blocking again keeps the first block.
    h.clock.advance(SignedDuration::from_mins(1));
    let again = h.store.block_client(&o.owner, o.ana, reason("otra")).await.expect("still blocked");
    assert_eq!(again, block);
    assert_eq!(h.store.client_block(&o.owner, o.ana).await.expect("read"), Some(block.clone()));

    // Everything waiting to be told was cancelled.
    let messages = all(h, &o.owner).await;
    assert!(!messages.is_empty());
    assert!(messages.iter().all(|m| m.status == MessageStatus::Cancelled), "{messages:#?}");

    // No edit of any kind.
    let ana = h.store.get_client(&o.owner, o.ana).await.expect("owners see it");
    let rename =
        ClientChanges { name: Some(ficha_domain::ClientName::parse("Ana Soto").expect("name")), ..Default::default() };
    assert!(is_blocked(h.store.update_client(&o.owner, o.ana, ana.version, rename.clone()).await));
    assert!(is_blocked(h.store.set_custom_values(&o.owner, o.ana, ana.version, Vec::new()).await));
    assert!(is_blocked(h.store.add_note(&o.owner, o.ana, text("nota")).await));
    assert!(is_blocked(h.store.add_attention_note(&o.owner, booked.id, Visibility::Shared, text("nota")).await));
    // No new booking, no new time for an old one.
    let new = crate::NewBooking {
        client: o.ana,
        service: o.service.id,
        professional: Some(o.pro),
        start: Some(in_hours(96)),
        end: None,
        state: BookingState::Pending,
        origin: ficha_domain::Origin::Panel,
        override_agenda: true,
    };
    assert!(is_blocked(h.store.book(&o.owner, new.clone()).await));
    let later = NewTime {
        start: in_hours(98),
        end: None,
        professional: None,
        origin: ficha_domain::Origin::Panel,
        override_agenda: true,
    };
    assert!(is_blocked(h.store.change_booking(&o.owner, booked.id, BookingChange::Reschedule(later)).await));
    assert_eq!(h.store.get_client(&o.owner, o.ana).await.expect("read"), ana, "nothing changed");
    // What happened to an existing booking is still recorded, and told to
    // nobody.
    let before = all(h, &o.owner).await.len();
    h.store.change_booking(&o.owner, booked.id, BookingChange::Cancel).await.expect("cancel stays possible");
    assert_eq!(all(h, &o.owner).await.len(), before, "no message for a blocked profile");

    // Unblocked, the profile takes changes again.
    h.clock.advance(SignedDuration::from_mins(1));
    h.store.unblock_client(&o.owner, o.ana).await.expect("unblocked");
    h.store.unblock_client(&o.owner, o.ana).await.expect("unblocking an open profile changes nothing");
    assert_eq!(h.store.client_block(&o.owner, o.ana).await.expect("read"), None);
    h.store.update_client(&o.owner, o.ana, ana.version, rename).await.expect("edits again");
    h.store.book(&o.owner, new).await.expect("books again");

    // Both acts in the history, with who and when.
    let history = h.store.client_history(&o.owner, o.ana, &HistoryQuery::default()).await.expect("history");
    let acts: Vec<_> = history
        .entries
        .iter()
        .filter(|e| matches!(e.change, Change::ClientBlocked { .. } | Change::ClientUnblocked))
        .map(|e| (e.at, e.change.clone(), matches!(&e.who, Who::Staff { name, .. } if name == "Carolina Díaz")))
        .collect();
    assert_eq!(
        acts,
        [
            (start_time() + SignedDuration::from_mins(7), Change::ClientUnblocked, true),
            (
                start_time() + SignedDuration::from_mins(5),
                Change::ClientBlocked { reason: "A pedido de la clienta".into() },
                true
            ),
        ]
    );
}

pub async fn a_blocked_profile_is_hidden_from_professionals_lists_and_search(h: &Harness) {
    let o = office(h, "sur").await;
    let pro = staff(h, &o.owner, "Marta Rojas", Role::Professional).await;
    super::outbox::client_with(h, &o.owner, "Ana Rojas", "rojas@mail.cl", None).await;
    h.store.block_client(&o.owner, o.ana, reason("Bloqueo solicitado")).await.expect("blocked");

    assert!(matches!(h.store.get_client(&pro, o.ana).await, Err(StoreError::NotFound)));
    assert!(matches!(h.store.client_block(&pro, o.ana).await, Err(StoreError::NotFound)));
    let client = Actor::Client { business: o.owner.business(), client: o.ana };
    assert!(h.store.client_block(&client, o.ana).await.expect("the client sees their own").is_some());
    h.store.get_client(&client, o.ana).await.expect("the client sees their profile");

    let listed = |page: crate::ClientPage| -> (Vec<String>, u64) {
        (page.clients.iter().map(|c| c.name.as_str().to_owned()).collect(), page.total)
    };
    let query = ListQuery::default();
    assert_eq!(listed(h.store.list_clients(&pro, &query).await.expect("list")), (vec!["Ana Rojas".into()], 1));
    assert_eq!(
        listed(h.store.list_clients(&o.owner, &query).await.expect("list")),
        (vec!["Ana Pérez".into(), "Ana Rojas".into()], 2)
    );

    let ana = SearchQuery::parse("ana").expect("query");
    let found = |page: crate::SearchPage| -> Vec<String> {
        page.hits.iter().map(|hit| hit.client.name.as_str().to_owned()).collect()
    };
    assert_eq!(found(h.store.search_clients(&pro, &ana, 0, 20).await.expect("search")), ["Ana Rojas"]);
    let mut owners = found(h.store.search_clients(&o.owner, &ana, 0, 20).await.expect("search"));
    owners.sort();
    assert_eq!(owners, ["Ana Pérez", "Ana Rojas"]);

    // A page of one is still a page of one: a blocked profile ranked first
    // (the newest of equal matches) is skipped before the page is cut.
    h.clock.advance(jiff::SignedDuration::from_mins(1));
    let palma = super::outbox::client_with(h, &o.owner, "Ana Palma", "palma@mail.cl", None).await;
    h.store.block_client(&o.owner, palma, reason("Bloqueo solicitado")).await.expect("blocked");
    let owners_first = h.store.search_clients(&o.owner, &ana, 0, 1).await.expect("search");
    assert_eq!(found(owners_first), ["Ana Palma"], "ranked first");
    let first = h.store.search_clients(&pro, &ana, 0, 1).await.expect("search");
    assert_eq!(found(first), ["Ana Rojas"], "a full page");
}

pub async fn only_owners_block_and_only_in_their_business(h: &Harness) {
    let o = office(h, "sur").await;
    let pro = staff(h, &o.owner, "Marta Rojas", Role::Professional).await;
    assert!(matches!(h.store.block_client(&pro, o.ana, reason("no")).await, Err(StoreError::OwnerOnly)));
    let client = Actor::Client { business: o.owner.business(), client: o.ana };
    assert!(matches!(h.store.block_client(&client, o.ana, reason("no")).await, Err(StoreError::OwnerOnly)));
    let norte = business(h, "norte").await;
    assert!(matches!(h.store.block_client(&norte, o.ana, reason("no")).await, Err(StoreError::NotFound)));
    assert_eq!(h.store.client_block(&o.owner, o.ana).await.expect("read"), None);

    h.store.block_client(&o.owner, o.ana, reason("sí")).await.expect("blocked");
    assert!(matches!(h.store.unblock_client(&pro, o.ana).await, Err(StoreError::OwnerOnly)));
    assert!(matches!(h.store.unblock_client(&norte, o.ana).await, Err(StoreError::NotFound)));
    assert!(matches!(h.store.client_block(&norte, o.ana).await, Err(StoreError::NotFound)));
    assert!(h.store.client_block(&o.owner, o.ana).await.expect("read").is_some(), "still blocked");
}

pub async fn the_booking_site_cannot_book_a_blocked_profile(h: &Harness) {
    let s = site(h, "abierta").await;
    let first = typed("Marta Soto", "marta@mail.cl", None, None);
    let booked = h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), first, "t1")).await.expect("booked");
    h.store.block_client(&s.actor, booked.client, reason("A su pedido")).await.expect("blocked");
    let again = typed("Marta Soto", "marta@mail.cl", Some("+56 9 6123 4567"), None);
    let later = ten_tomorrow() + SignedDuration::from_hours(2);
    // Said as a service closed to online booking: the site never tells
    // whoever typed the email that the profile is blocked.
    let refused = h.store.book_online(&s.actor, request(&s, None, later, again, "t2")).await;
    assert_eq!(super::booking_site::site_refusal(refused), ficha_domain::SiteRule::NotBookable);
    let client = h.store.get_client(&s.actor, booked.client).await.expect("read");
    assert_eq!(client.phone, None, "the typed phone was not filled in");
}
