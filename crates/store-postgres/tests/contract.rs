//! The storage contract, run against PostgreSQL: a freshly created database per
//! test, dropped when the test has passed.
//!
//! The server is `FICHA_TEST_POSTGRES_URL` (default: the local one, user
//! postgres). Without a server the tests skip with one line on stderr, except
//! on CI (`CI=true`), where they fail: a suite that silently skips there would
//! prove nothing.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use ficha_domain::FixedClock;
use ficha_store::contract::{Harness, start_time};
use ficha_store_postgres::PgStore;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::sync::OnceCell;
use url::Url;
use uuid::Uuid;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Whether the server answered, asked once per test process so a missing
/// server costs one attempt and one line, not one per test.
static SERVER: OnceCell<Result<Url, String>> = OnceCell::const_new();

async fn probe() -> Result<Url, String> {
    let text = std::env::var("FICHA_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
    let url = Url::parse(&text).map_err(|e| format!("FICHA_TEST_POSTGRES_URL {text:?} is not a URL: {e}"))?;
    // A firewalled host would otherwise hang until the OS gives up.
    let connected = tokio::time::timeout(Duration::from_secs(5), PgConnection::connect(url.as_str())).await;
    match connected {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            Ok(url)
        }
        Ok(Err(e)) => Err(format!("no server at {} ({e})", shown(&url))),
        Err(_) => Err(format!("no server at {} (no answer in 5 s)", shown(&url))),
    }
}

/// The URL without its password, for messages.
fn shown(url: &Url) -> Url {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown
}

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|ci| ci == "true")
}

/// The server to create test databases on, or `None` to skip.
async fn server() -> Option<Url> {
    let probed = SERVER
        .get_or_init(|| async {
            let probed = probe().await;
            // Said inside the one-time probe, so once per process; written to
            // stderr directly, as the test harness swallows what `eprintln!`
            // prints in a passing test.
            if let Err(why) = &probed
                && !on_ci()
            {
                let line = format!(
                    "skipping PostgreSQL contract test: {why} (set FICHA_TEST_POSTGRES_URL or start PostgreSQL)\n"
                );
                let _ = std::io::stderr().write_all(line.as_bytes());
            }
            probed
        })
        .await;
    match probed {
        Ok(url) => Some(url.clone()),
        Err(why) if on_ci() => panic!("PostgreSQL contract tests must run on CI: {why}"),
        Err(_) => None,
    }
}

/// Runs one statement on the server's admin database. CREATE and DROP
/// DATABASE take no bind parameters, hence the text is built here.
async fn admin(server: &Url, statement: String) {
    let mut conn = PgConnection::connect(server.as_str()).await.expect("admin connection to PostgreSQL");
    // Safe to splice: every statement names a database `fresh` generated as
    // "ficha_test_" plus a UUID in hex, so no quote or other SQL can get in.
    sqlx::raw_sql(AssertSqlSafe(statement)).execute(&mut conn).await.expect("admin statement");
    conn.close().await.expect("admin connection closed");
}

async fn fresh() -> Option<Harness> {
    let server = server().await?;
    let name = format!("ficha_test_{}", Uuid::now_v7().simple());
    admin(&server, format!("CREATE DATABASE \"{name}\"")).await;

    let mut url = server.clone();
    url.set_path(&name);
    let clock = Arc::new(FixedClock::at(start_time()));
    let store = PgStore::connect(url.as_str(), clock.clone()).await.expect("PostgreSQL store connects");
    // Harness::finish closes the store's pool before this runs. A failed test
    // leaves its database behind, to look at.
    let teardown = async move { admin(&server, format!("DROP DATABASE \"{name}\" WITH (FORCE)")).await };
    Some(Harness::new(Arc::new(store), clock).with_teardown(teardown))
}

mod postgres {
    ficha_store::contract_suite!(super::fresh);
}

// Races between connections, which the shared suite (one call at a time)
// cannot show. Beside this file, in a folder Cargo does not take for a test
// binary of its own.
#[path = "contract/note_races.rs"]
mod note_races;
#[path = "contract/races.rs"]
mod races;
