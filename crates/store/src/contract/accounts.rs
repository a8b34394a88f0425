use ficha_domain::{Actor, ClientName, Email, NewBusiness, NewStaff, Role, Slug};
use jiff::SignedDuration;

use super::{Harness, business, start_time};
use crate::StoreError;

fn staff(name: &str, email: &str, role: Role) -> NewStaff {
    NewStaff {
        name: ClientName::parse(name).expect("valid"),
        email: Email::parse(email).expect("valid"),
        role,
        password_hash: "$argon2id$placeholder".into(),
    }
}

pub async fn staff_login_credentials_are_found_by_slug_and_email(h: &Harness) {
    let sur = business(h, "sur").await;
    let created =
        h.store.create_staff(&sur, staff("Dra. Paz", "Paz@Clinica.cl", Role::Professional)).await.expect("created");

    let found = h.store.staff_credentials("sur", "paz@clinica.cl").await.expect("looked up").expect("found");
    assert_eq!(found.staff, created);
    assert_eq!(found.password_hash, "$argon2id$placeholder");

    assert!(h.store.staff_credentials("norte", "paz@clinica.cl").await.expect("looked up").is_none());
    assert!(h.store.staff_credentials("sur", "otra@clinica.cl").await.expect("looked up").is_none());

    h.store.set_staff_password(&sur, created.id, "$argon2id$new".into()).await.expect("changed");
    let found = h.store.staff_credentials("sur", "paz@clinica.cl").await.expect("looked up").expect("found");
    assert_eq!(found.password_hash, "$argon2id$new");

    let listed = h.store.list_staff(&sur).await.expect("listed");
    assert_eq!(listed, [created]);
}

pub async fn staff_email_is_unique_per_business(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    h.store.create_staff(&sur, staff("Paz", "paz@clinica.cl", Role::Owner)).await.expect("created");
    let again = h.store.create_staff(&sur, staff("Paz 2", "PAZ@clinica.cl", Role::Professional)).await;
    assert!(matches!(again, Err(StoreError::StaffEmailTaken)), "{again:?}");
    h.store.create_staff(&norte, staff("Paz", "paz@clinica.cl", Role::Owner)).await.expect("fine elsewhere");
}

pub async fn business_slug_is_unique(h: &Harness) {
    business(h, "sur").await;
    let again = h
        .store
        .create_business(NewBusiness {
            slug: Slug::parse("sur").expect("valid"),
            name: "Otro".into(),
            time_zone: "UTC".into(),
        })
        .await;
    assert!(matches!(again, Err(StoreError::SlugTaken)), "{again:?}");
    assert_eq!(h.store.count_businesses().await.expect("counted"), 1);
    let found = h.store.business_by_slug("sur").await.expect("looked up").expect("found");
    assert_eq!(found.name, "Negocio sur");
    assert_eq!(h.store.business(&Actor::System { business: found.id }).await.expect("read"), found);
}

pub async fn sessions_expire_and_can_be_deleted(h: &Harness) {
    let sur = business(h, "sur").await;
    let paz = h.store.create_staff(&sur, staff("Paz", "paz@clinica.cl", Role::Owner)).await.expect("created");
    let expires = start_time() + SignedDuration::from_hours(12);
    h.store.create_session(&paz, b"hash-one", expires).await.expect("session");
    h.store.create_session(&paz, b"hash-two", expires).await.expect("session");

    let live = h.store.session(b"hash-one", start_time()).await.expect("read").expect("live");
    assert_eq!(live.staff, paz);
    assert_eq!(live.actor(), Actor::Staff { business: sur.business(), staff: Some(paz.id), role: Role::Owner });

    let later = expires + SignedDuration::from_secs(1);
    assert!(h.store.session(b"hash-one", later).await.expect("read").is_none(), "expired");
    assert!(h.store.session(b"unknown", start_time()).await.expect("read").is_none());

    h.store.delete_session(b"hash-two").await.expect("deleted");
    assert!(h.store.session(b"hash-two", start_time()).await.expect("read").is_none(), "logged out");
}

pub async fn a_new_password_and_signing_out_everywhere_end_the_accounts_sessions(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    let paz = h.store.create_staff(&sur, staff("Paz", "paz@clinica.cl", Role::Owner)).await.expect("created");
    let leo = h.store.create_staff(&sur, staff("Leo", "leo@clinica.cl", Role::Professional)).await.expect("created");
    let expires = start_time() + SignedDuration::from_hours(12);
    let live = |hash: &'static [u8]| async move { h.store.session(hash, start_time()).await.expect("read").is_some() };
    for hash in [b"paz-phone".as_slice(), b"paz-laptop"] {
        h.store.create_session(&paz, hash, expires).await.expect("session");
    }
    h.store.create_session(&leo, b"leo-phone", expires).await.expect("session");

    h.store.set_staff_password(&sur, paz.id, "$argon2id$reset".into()).await.expect("reset");
    assert!(!live(b"paz-phone").await && !live(b"paz-laptop").await, "a reset password ends the sessions");
    assert!(live(b"leo-phone").await, "only that account's");

    h.store.create_session(&leo, b"leo-laptop", expires).await.expect("session");
    assert_eq!(h.store.end_staff_sessions(&norte, leo.id).await.expect("scoped"), 0, "not another business's");
    assert!(live(b"leo-phone").await);
    assert_eq!(h.store.end_staff_sessions(&sur, leo.id).await.expect("ended"), 2);
    assert!(!live(b"leo-phone").await && !live(b"leo-laptop").await);
}

pub async fn api_tokens_act_for_their_business_until_revoked(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    let token = h.store.create_api_token(&sur, "Integración agenda", b"token-hash").await.expect("created");
    assert_eq!(token.last_used_at, None);

    let used = h.store.use_api_token(b"token-hash", start_time()).await.expect("read").expect("valid");
    assert_eq!(used.business, sur.business());
    assert_eq!(used.actor().business(), sur.business());
    let listed = h.store.list_api_tokens(&sur).await.expect("listed");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_used_at, Some(start_time()));
    assert!(h.store.list_api_tokens(&norte).await.expect("listed").is_empty());

    let foreign = h.store.revoke_api_token(&norte, token.id).await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "another business cannot revoke it");
    h.store.revoke_api_token(&sur, token.id).await.expect("revoked");
    assert!(h.store.use_api_token(b"token-hash", start_time()).await.expect("read").is_none());
}
