//! Contract cases for who may merge (issue 13: "owners, or professionals
//! if the business allows"): the setting is off until an owner turns it
//! on, it is one business's alone, it lets professionals preview, merge
//! and dismiss a duplicate pair, and it never lets them undo.

use ficha_domain::{Actor, Change, ClientId, MergeRole, NewClient, Role, Rut, Who};

use super::merges::{pair, usual};
use super::notes::staff;
use super::{Harness, business, new_client};
use crate::{HistoryQuery, StoreError};

#[macro_export]
macro_rules! merge_permission_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            professionals_merge_only_while_their_business_allows_it,
            undo_stays_the_owners_even_when_professionals_merge,
            dismissing_a_pair_follows_the_merge_rule
        );
    };
}

fn owner_only<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::OwnerOnly))
}

pub async fn professionals_merge_only_while_their_business_allows_it(h: &Harness) {
    let p = pair(h, "permiso").await;
    let owner = staff(h, &p.site.actor, "Carolina Díaz", Role::Owner).await;
    let pro = staff(h, &p.site.actor, "Pedro Soto", Role::Professional).await;
    let elsewhere = pair(h, "vecino").await;
    let their_owner = staff(h, &elsewhere.site.actor, "Olga Vecina", Role::Owner).await;
    let their_pro = staff(h, &elsewhere.site.actor, "Pía Vecina", Role::Professional).await;

    // Off by default: today's refusal, nothing changed.
    assert!(!h.store.professionals_may_merge(&owner).await.expect("read"));
    assert!(!h.store.professionals_may_merge(&pro).await.expect("a professional reads it"));
    assert!(owner_only(h.store.merge_preview(&pro, p.survivor, p.absorbed).await));
    assert!(owner_only(h.store.merge_clients(&pro, usual(&p)).await));
    assert!(h.store.get_client(&owner, p.absorbed).await.is_ok(), "not merged");
    // Only owners change it.
    assert!(owner_only(h.store.set_professionals_may_merge(&pro, true).await));
    assert!(!h.store.professionals_may_merge(&owner).await.expect("read"));
    let client = Actor::Client { business: p.site.actor.business(), client: p.survivor };
    assert!(matches!(h.store.professionals_may_merge(&client).await, Err(StoreError::NotFound)));

    // On, for this business only.
    h.store.set_professionals_may_merge(&owner, true).await.expect("allowed");
    assert!(h.store.professionals_may_merge(&pro).await.expect("read"));
    assert!(!h.store.professionals_may_merge(&their_owner).await.expect("another business's own setting"));
    assert!(owner_only(h.store.merge_clients(&their_pro, usual(&elsewhere)).await));

    let preview = h.store.merge_preview(&pro, p.survivor, p.absorbed).await.expect("previewed");
    assert_eq!(preview.absorbed.id, p.absorbed);
    let outcome = h.store.merge_clients(&pro, usual(&p)).await.expect("merged by a professional");
    // The merge, its answer and the history name who made it.
    let merge = h.store.get_merge(&pro, outcome.merge).await.expect("the merge they made");
    assert!(matches!(&merge.who, Who::Staff { name, .. } if name == "Pedro Soto"), "{:?}", merge.who);
    let history = h.store.client_history(&owner, p.survivor, &HistoryQuery::default()).await.expect("history");
    let entry = history
        .entries
        .iter()
        .find(|e| matches!(e.change, Change::ClientMerged { role: MergeRole::Survivor, .. }))
        .expect("merge entry");
    assert!(matches!(&entry.who, Who::Staff { name, .. } if name == "Pedro Soto"), "{:?}", entry.who);

    // Off again: refused again, and the other business never changed.
    h.store.set_professionals_may_merge(&owner, false).await.expect("set back");
    assert!(!h.store.professionals_may_merge(&pro).await.expect("read"));
    let q = pair(h, "permiso-dos").await;
    let q_pro = staff(h, &q.site.actor, "Pedro Otro", Role::Professional).await;
    assert!(owner_only(h.store.merge_clients(&q_pro, usual(&q)).await), "a fresh business is off");
    assert!(owner_only(h.store.get_merge(&pro, outcome.merge).await));
    assert!(!h.store.professionals_may_merge(&their_owner).await.expect("read"));
}

pub async fn undo_stays_the_owners_even_when_professionals_merge(h: &Harness) {
    let p = pair(h, "deshacer").await;
    let owner = staff(h, &p.site.actor, "Carolina Díaz", Role::Owner).await;
    let pro = staff(h, &p.site.actor, "Pedro Soto", Role::Professional).await;
    h.store.set_professionals_may_merge(&owner, true).await.expect("allowed");
    let merge = h.store.merge_clients(&pro, usual(&p)).await.expect("merged").merge;

    assert!(owner_only(h.store.undo_merge(&pro, merge).await));
    assert!(owner_only(h.store.merges_of(&pro, p.survivor).await), "the undo control is the owners'");
    assert!(matches!(h.store.get_client(&owner, p.absorbed).await, Err(StoreError::Merged { .. })), "still merged");
    let back = h.store.undo_merge(&owner, merge).await.expect("an owner undoes it");
    assert_eq!(back.id, p.absorbed);
}

fn same_rut(name: &str, email: &str) -> NewClient {
    NewClient { rut: Some(Rut::parse("12.345.678-5").expect("rut")), ..new_client(name, email) }
}

async fn suggested(h: &Harness, actor: &Actor) -> usize {
    h.store.duplicate_suggestions(actor, 10, None).await.expect("listed").pairs.len()
}

pub async fn dismissing_a_pair_follows_the_merge_rule(h: &Harness) {
    let b = business(h, "descartes").await;
    let owner = staff(h, &b, "Carolina Díaz", Role::Owner).await;
    let pro = staff(h, &b, "Pedro Soto", Role::Professional).await;
    let add = |client| async { h.store.create_client(&b, client).await.expect("created").id };
    let x: ClientId = add(same_rut("Ana Pérez", "a1@x.cl")).await;
    let y: ClientId = add(same_rut("Ana Perez", "a2@x.cl")).await;

    assert_eq!(suggested(h, &pro).await, 1, "professionals see the pairs");
    assert!(owner_only(h.store.dismiss_duplicate(&pro, x, y).await));
    assert_eq!(suggested(h, &owner).await, 1, "still suggested");

    h.store.set_professionals_may_merge(&owner, true).await.expect("allowed");
    h.store.dismiss_duplicate(&pro, x, y).await.expect("dismissed by a professional");
    assert_eq!(suggested(h, &owner).await, 0);
}
