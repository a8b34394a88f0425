use std::collections::HashSet;

use ficha_domain::{Actor, Client};
use jiff::SignedDuration;

use super::{Harness, business, new_client};
use crate::{ClientSort, ListQuery};

/// Reads every page of a sort, `limit` rows at a time.
async fn all_pages(h: &Harness, actor: &Actor, sort: ClientSort, limit: u32) -> Vec<Client> {
    let mut query = ListQuery { sort, after: None, limit };
    let mut seen = Vec::new();
    loop {
        let page = h.store.list_clients(actor, &query).await.expect("listed");
        assert!(page.clients.len() <= limit as usize);
        seen.extend(page.clients);
        match page.next {
            Some(next) => query.after = Some(next),
            None => return seen,
        }
    }
}

pub async fn every_sort_pages_through_all_clients_once(h: &Harness) {
    let actor = business(h, "sur").await;
    let names = ["Ñuble Díaz", "ana soto", "Álvaro Pérez", "Bea Núñez", "bea nunez", "Carlos Muñoz", "Zoe Ríos"];
    for (i, name) in names.iter().enumerate() {
        h.store.create_client(&actor, new_client(name, &format!("c{i}@mail.cl"))).await.expect("created");
        h.clock.advance(SignedDuration::from_mins(1));
    }

    for sort in ClientSort::ALL {
        let listed = all_pages(h, &actor, sort, 2).await;
        let ids: HashSet<_> = listed.iter().map(|c| c.id).collect();
        assert_eq!(listed.len(), names.len(), "{sort:?}: every client once");
        assert_eq!(ids.len(), names.len(), "{sort:?}: no client twice");
    }

    let newest_first = all_pages(h, &actor, ClientSort::RegisteredDesc, 3).await;
    assert_eq!(newest_first.first().map(|c| c.name.as_str()), Some("Zoe Ríos"));
    let oldest_first = all_pages(h, &actor, ClientSort::RegisteredAsc, 3).await;
    assert_eq!(oldest_first.first().map(|c| c.name.as_str()), Some("Ñuble Díaz"));

    let page = h.store.list_clients(&actor, &ListQuery { limit: 2, ..Default::default() }).await.expect("listed");
    assert_eq!(page.total, names.len() as u64);
}

pub async fn name_sort_ignores_accents_and_case(h: &Harness) {
    let actor = business(h, "sur").await;
    for (i, name) in ["Zoe Ríos", "Álvaro Pérez", "ana soto", "Ñuble Díaz", "Bea Soto"].iter().enumerate() {
        h.store.create_client(&actor, new_client(name, &format!("c{i}@mail.cl"))).await.expect("created");
    }

    let names: Vec<String> =
        all_pages(h, &actor, ClientSort::NameAsc, 10).await.into_iter().map(|c| c.name.as_str().to_owned()).collect();
    assert_eq!(names, ["Álvaro Pérez", "ana soto", "Bea Soto", "Ñuble Díaz", "Zoe Ríos"]);

    let reversed: Vec<String> =
        all_pages(h, &actor, ClientSort::NameDesc, 2).await.into_iter().map(|c| c.name.as_str().to_owned()).collect();
    assert_eq!(reversed, ["Zoe Ríos", "Ñuble Díaz", "Bea Soto", "ana soto", "Álvaro Pérez"]);
}

pub async fn last_booking_sort_puts_never_booked_last(h: &Harness) {
    // No bookings exist yet in this contract, so every client has "never
    // booked": the sort must still list all of them, in a stable order.
    let actor = business(h, "sur").await;
    for i in 0..5 {
        h.store
            .create_client(&actor, new_client(&format!("Cliente {i}"), &format!("c{i}@mail.cl")))
            .await
            .expect("created");
    }
    let listed = all_pages(h, &actor, ClientSort::LastBookingDesc, 2).await;
    assert_eq!(listed.len(), 5);
    assert!(listed.iter().all(|c| c.last_booking_at.is_none()));
}
