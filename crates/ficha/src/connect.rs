//! Picks the backend from the database URL's scheme. This is the only place
//! above the store crates that names a database.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use ficha_domain::Clock;
use ficha_store::Store;
use ficha_store_postgres::PgStore;
use ficha_store_sqlite::SqliteStore;

pub async fn connect(url: &str, clock: Arc<dyn Clock>) -> anyhow::Result<Arc<dyn Store>> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        create_parent_folder(path)?;
        let store = SqliteStore::connect(url, clock).await.with_context(|| format!("opening SQLite at {path}"))?;
        Ok(Arc::new(store))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url, clock).await.context("opening SQLite")?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url, clock).await.context("connecting to PostgreSQL")?))
    } else {
        bail!("unknown database URL {url:?}: use sqlite://PATH or postgres://USER@HOST/DATABASE")
    }
}

/// SQLite creates the file but not its folder.
fn create_parent_folder(path: &str) -> anyhow::Result<()> {
    let path = path.split('?').next().unwrap_or(path);
    match Path::new(path).parent() {
        Some(folder) if !folder.as_os_str().is_empty() => {
            std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))
        }
        _ => Ok(()),
    }
}
