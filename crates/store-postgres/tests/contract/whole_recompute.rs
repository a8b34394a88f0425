//! The duplicate recompute's whole-business pass, which PostgreSQL takes
//! when more than 50 000 queue entries wait (after a bulk import or a
//! migration), finds exactly the pairs the group-by-group batches do, and
//! leaves the queue empty.

use ficha_domain::{Actor, BirthDate, ClientName, Email, NewBusiness, NewClient, Phone, Rut, Slug};
use sqlx::{Connection, PgConnection};

use super::fresh_with_url;

fn client(name: &str, email: &str, rut: Option<&str>, phone: Option<&str>, birth: Option<&str>) -> NewClient {
    let today = jiff::civil::date(2026, 1, 1);
    NewClient {
        name: ClientName::parse(name).expect("valid"),
        email: Email::parse(email).expect("valid"),
        rut: rut.map(|r| Rut::parse(r).expect("valid")),
        phone: phone.map(|p| Phone::parse(p).expect("valid")),
        birth_date: birth.map(|b| BirthDate::parse(b, today).expect("valid")),
    }
}

#[tokio::test]
async fn the_whole_business_pass_finds_the_pairs_the_batches_do() {
    let Some((h, url)) = fresh_with_url().await else { return };
    let new = NewBusiness { slug: Slug::parse("dup").expect("valid"), name: "Dup".into(), time_zone: "UTC".into() };
    let actor = Actor::System { business: h.store.create_business(new).await.expect("business").id };
    for new in [
        client("Ana Pérez", "a1@x.cl", Some("12.345.678-5"), None, None),
        client("Anita Soto", "a2@x.cl", Some("12345678-5"), None, None),
        client("Luis Rojas", "l1@x.cl", None, Some("+56 9 6234 5678"), None),
        client("Pedro Díaz", "l2@x.cl", None, Some("962345678"), None),
        client("Catalina González", "c1@x.cl", None, None, Some("1990-04-23")),
        client("Catalna Gonzales", "c2@x.cl", None, None, Some("1990-04-23")),
        client("Jorge Fuentes", "j@x.cl", None, None, Some("1990-04-23")),
    ] {
        h.store.create_client(&actor, new).await.expect("created");
    }
    let seen = |pairs: Vec<ficha_store::DuplicatePair>| {
        pairs.into_iter().map(|p| (p.a.id, p.b.id, p.reasons, p.score)).collect::<Vec<_>>()
    };
    let batched = seen(h.store.duplicate_suggestions(&actor, 100, None).await.expect("listed").pairs);
    assert_eq!(batched.len(), 3, "RUT, phone, and birth date with a similar name: {batched:?}");

    // As after a bulk import: the links gone, every group queued, and more
    // entries than the batches take (groups nobody holds).
    let mut raw = PgConnection::connect(&url).await.expect("raw connection");
    for sql in [
        "DELETE FROM duplicate_links",
        "INSERT INTO duplicate_stale_keys (business_id, kind, key) SELECT business_id, kind, key FROM client_match_keys",
        "INSERT INTO duplicate_stale_keys (business_id, kind, key) \
         SELECT (SELECT id FROM businesses WHERE slug = 'dup'), 'rut', 'nadie-' || n FROM generate_series(1, 50001) n",
    ] {
        sqlx::query(sql).execute(&mut raw).await.expect("raw SQL runs");
    }
    let whole = seen(h.store.duplicate_suggestions(&actor, 100, None).await.expect("listed").pairs);
    assert_eq!(whole, batched);
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM duplicate_stale_keys").fetch_one(&mut raw).await.expect("counted");
    assert_eq!(left, 0, "the pass empties the queue");
    raw.close().await.expect("closed");
    h.finish().await;
}
