//! The schema stays shardable by business (issue 15; docs/scale-out.md):
//! after every migration has run, PostgreSQL's own catalog is read and each
//! table is held to the rules a distributed PostgreSQL (Citus) sets for
//! tables colocated by `business_id`:
//!
//! * a table of a business's data has a NOT NULL `business_id`;
//! * its primary key and every unique index lead with `business_id`;
//! * every foreign key between two such tables pairs `business_id` with
//!   `business_id`;
//! * a global table references no business table (on Citus a reference
//!   table cannot point into a distributed one).
//!
//! Every table not in `GLOBAL` counts as a business's data, so a table any
//! later migration adds is checked without anyone remembering to.

use std::collections::HashMap;
use std::sync::Arc;

use ficha_domain::FixedClock;
use ficha_store::Store;
use ficha_store::contract::start_time;
use ficha_store_postgres::PgStore;
use ficha_store_postgres::testing::TestDatabase;
use sqlx::{Connection, PgConnection, Row};

/// The tables that are not one business's data, each with why. Everything
/// else is checked as business data.
const GLOBAL: &[(&str, &str)] = &[
    ("businesses", "the tenants themselves; a reference table on Citus"),
    (
        "login_failures",
        "keyed by the business slug as typed, so attempts against a business that does not exist count alike",
    ),
    ("request_counts", "a hash of an address or email, counted before (or without) knowing a business"),
    ("_sqlx_migrations", "sqlx's record of the applied migrations"),
];

struct Table {
    /// `business_id`'s column number, and whether it may be NULL.
    business_id: Option<(i16, bool)>,
    has_primary_key: bool,
}

/// What breaks the rules, one line per table and constraint.
async fn problems(conn: &mut PgConnection) -> Vec<String> {
    let mut tables = HashMap::new();
    let rows = sqlx::query(
        "SELECT c.relname::text, a.attnum, a.attnotnull, \
           EXISTS (SELECT 1 FROM pg_index x WHERE x.indrelid = c.oid AND x.indisprimary) \
         FROM pg_class c \
         LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'business_id' AND NOT a.attisdropped \
         WHERE c.relnamespace = to_regnamespace(current_schema()) AND c.relkind IN ('r', 'p') AND NOT c.relispartition",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("tables read");
    for row in rows {
        let name: String = row.get(0);
        let column: Option<i16> = row.get(1);
        let not_null: Option<bool> = row.get(2);
        let table = Table { business_id: column.map(|n| (n, !not_null.unwrap_or(false))), has_primary_key: row.get(3) };
        tables.insert(name, table);
    }
    let global = |name: &str| GLOBAL.iter().any(|(g, _)| *g == name);

    let mut found = Vec::new();
    for (name, _) in GLOBAL {
        if !tables.contains_key(*name) {
            found.push(format!("{name}: listed as global, but there is no such table"));
        }
    }
    for (name, table) in &tables {
        if global(name) {
            continue;
        }
        match table.business_id {
            None => found.push(format!("{name}: business data without a business_id column")),
            Some((_, true)) => found.push(format!("{name}: business_id may be NULL")),
            Some(_) => {}
        }
        if !table.has_primary_key {
            found.push(format!("{name}: no primary key"));
        }
    }

    // Unique indexes, whether made by PRIMARY KEY, UNIQUE or CREATE UNIQUE
    // INDEX: the first key column (0 for an expression) must be business_id.
    let rows = sqlx::query(
        "SELECT t.relname::text, i.relname::text, x.indkey[0] FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
         WHERE t.relnamespace = to_regnamespace(current_schema()) AND x.indisunique",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("unique indexes read");
    for row in rows {
        let (table, index, first): (String, String, i16) = (row.get(0), row.get(1), row.get(2));
        let Some(Table { business_id: Some((column, _)), .. }) = tables.get(&table).filter(|_| !global(&table)) else {
            continue;
        };
        if first != *column {
            found.push(format!("{table}: unique {index} does not lead with business_id"));
        }
    }

    // Foreign keys: between business tables, business_id must reference
    // business_id at the same position; a global table may reference only
    // global tables.
    let rows = sqlx::query(
        "SELECT t.relname::text, c.conname::text, r.relname::text, c.conkey, c.confkey FROM pg_constraint c \
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid \
         WHERE c.contype = 'f' AND t.relnamespace = to_regnamespace(current_schema())",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("foreign keys read");
    for row in rows {
        let (table, constraint, target): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        let (from, to): (Vec<i16>, Vec<i16>) = (row.get(3), row.get(4));
        match (global(&table), global(&target)) {
            (_, true) => {}
            (true, false) => {
                found.push(format!("{table}: {constraint} references business data ({target}) from a global table"))
            }
            (false, false) => {
                let column = |name: &str| tables.get(name).and_then(|t| t.business_id).map(|(n, _)| n);
                let paired = match (column(&table), column(&target)) {
                    (Some(own), Some(theirs)) => from.iter().zip(&to).any(|(f, t)| *f == own && *t == theirs),
                    _ => false,
                };
                if !paired {
                    found.push(format!("{table}: foreign key {constraint} to {target} does not include business_id"));
                }
            }
        }
    }
    found.sort();
    found
}

async fn migrated() -> Option<(TestDatabase, PgConnection)> {
    let database = TestDatabase::create().await?;
    let store = PgStore::connect(database.url(), Arc::new(FixedClock::at(start_time()))).await.expect("migrates");
    store.close().await;
    let conn = PgConnection::connect(database.url()).await.expect("catalog connection");
    Some((database, conn))
}

#[tokio::test]
async fn every_table_of_business_data_is_keyed_by_business() {
    let Some((database, mut conn)) = migrated().await else { return };
    let found = problems(&mut conn).await;
    assert!(
        found.is_empty(),
        "tables that a distributed PostgreSQL could not shard by business:\n{}",
        found.join("\n")
    );
    conn.close().await.expect("closed");
    database.drop_database().await;
}

/// The check itself finds each kind of mistake, named by table and
/// constraint, in tables made wrong on purpose beside the real ones.
#[tokio::test]
async fn the_check_names_each_kind_of_mistake() {
    let Some((database, mut conn)) = migrated().await else { return };
    sqlx::raw_sql(
        "CREATE TABLE no_business (id uuid PRIMARY KEY); \
         CREATE TABLE id_first (business_id uuid NOT NULL, id uuid, PRIMARY KEY (id, business_id)); \
         CREATE TABLE loose (business_id uuid NOT NULL, id uuid, client_id uuid, email text, \
           PRIMARY KEY (business_id, id), CONSTRAINT loose_email UNIQUE (email), \
           CONSTRAINT loose_client FOREIGN KEY (client_id, business_id) REFERENCES clients (business_id, id)); \
         CREATE TABLE nullable (business_id uuid, id uuid); \
         ALTER TABLE login_failures ADD COLUMN business_id uuid, ADD COLUMN client_id uuid, \
           ADD CONSTRAINT login_client FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id);",
    )
    .execute(&mut conn)
    .await
    .expect("wrong tables made");
    let found = problems(&mut conn).await;
    assert_eq!(
        found,
        [
            "id_first: unique id_first_pkey does not lead with business_id",
            "login_failures: login_client references business data (clients) from a global table",
            "loose: foreign key loose_client to clients does not include business_id",
            "loose: unique loose_email does not lead with business_id",
            "no_business: business data without a business_id column",
            "nullable: business_id may be NULL",
            "nullable: no primary key",
        ],
        "each mistake named once"
    );
    conn.close().await.expect("closed");
    database.drop_database().await;
}

/// Tables keyed by a client that a merge does not move row by row, each
/// with what the merge does instead (issue 13). A merge deletes the
/// absorbed profile's row, so anything keyed by it and in neither list
/// would cascade away unseen: this test makes a new such table choose.
const NOT_MOVED_BY_A_MERGE: &[(&str, &str)] = &[
    ("client_custom_values", "merged value by value as chosen; the absorbed ones kept in the merge's record"),
    ("client_search_pending", "a queue of entries to build; rebuilt anyway"),
    ("client_match_keys", "kept by trigger from the client row"),
    ("client_notification_preferences", "merged (an opt-out on either stays); the absorbed ones kept in the record"),
    ("client_passwords", "the absorbed one kept in the merge's record, restored by an undo"),
    ("client_sessions", "Mi cuenta credentials of a profile that ends: signed in again by either email"),
    ("client_sign_ins", "pending codes of a profile that ends"),
    ("client_email_changes", "pending email changes of a profile that ends"),
    ("client_blocks", "a blocked profile is never merged"),
    ("duplicate_dismissals", "a pair with the absorbed profile no longer exists"),
    ("duplicate_links", "recomputed from the match keys, which the merge's writes queue"),
    (
        "import_rows",
        "a line names the profile it wrote; once that profile is merged away the batch's undo refuses (changed since) instead of acting on the survivor",
    ),
];

#[tokio::test]
async fn every_table_keyed_by_a_client_follows_it_through_a_merge() {
    let Some((database, mut conn)) = migrated().await else { return };
    let keyed: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND column_name = 'client_id' \
         UNION SELECT conrelid::regclass::text FROM pg_constraint \
         WHERE contype = 'f' AND confrelid = 'clients'::regclass ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .expect("tables read");
    let unaccounted: Vec<&String> = keyed
        .iter()
        .filter(|t| {
            !ficha_store::merges::MOVED_TABLES.contains(&t.as_str())
                && !NOT_MOVED_BY_A_MERGE.iter().any(|(name, _)| name == t)
        })
        .collect();
    assert!(unaccounted.is_empty(), "tables a merge would let cascade away: {unaccounted:?}");
    for name in ficha_store::merges::MOVED_TABLES.iter().chain(NOT_MOVED_BY_A_MERGE.iter().map(|(n, _)| n)) {
        assert!(keyed.iter().any(|t| t == name), "{name} is listed but holds no client id");
    }
    conn.close().await.expect("closed");
    database.drop_database().await;
}
