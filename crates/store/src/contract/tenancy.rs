use ficha_domain::{ClientChanges, ClientName};

use super::{Harness, business, new_client};
use crate::StoreError;

pub async fn another_business_cannot_reach_a_client_by_id(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    let client = h.store.create_client(&sur, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");

    let read = h.store.get_client(&norte, client.id).await;
    assert!(matches!(read, Err(StoreError::NotFound)), "read: {read:?}");

    let changes = ClientChanges { name: Some(ClientName::parse("Hacked").expect("valid")), ..Default::default() };
    let update = h.store.update_client(&norte, client.id, 1, changes).await;
    assert!(matches!(update, Err(StoreError::NotFound)), "update: {update:?}");

    let delete = h.store.delete_client(&norte, client.id).await;
    assert!(matches!(delete, Err(StoreError::NotFound)), "delete: {delete:?}");

    assert_eq!(h.store.get_client(&sur, client.id).await.expect("still there"), client);
}

pub async fn listing_is_scoped_to_the_business(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    h.store.create_client(&sur, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    h.store.create_client(&norte, new_client("Bea Soto", "bea@mail.cl")).await.expect("created");

    let page = h.store.list_clients(&norte, &Default::default()).await.expect("listed");
    let names: Vec<&str> = page.clients.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Bea Soto"]);
    assert_eq!(page.total, 1);
}
