//! Wiring of the outbox worker: its transports from the command line, and
//! how `serve` and `worker` run it until shutdown.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use ficha_domain::Clock;
use ficha_notify::email::EmailTransport;
use ficha_notify::whatsapp::WhatsappTransport;
use ficha_notify::worker::{Transports, Worker, WorkerConfig};
use ficha_store::{OutboxStore, Store};
use jiff::SignedDuration;

use crate::cli::NotifyArgs;

/// Where clients reach Ficha when nobody says otherwise.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// A worker ready to run, and one line saying where email goes.
pub struct Notifier {
    pub worker: Worker,
    pub email: String,
}

/// The worker over `store` with the transports `args` configure: SMTP when
/// `--smtp-url` is set, else `.eml` files in the mail folder.
pub fn notifier(
    args: &NotifyArgs,
    database_url: &str,
    public_url: &str,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Notifier> {
    let public_url = args.public_url.as_deref().unwrap_or(public_url);
    let email = match &args.smtp_url {
        Some(url) => EmailTransport::smtp(url, &args.mail_from, public_url)?,
        None => {
            let folder = args.mail_dir.clone().unwrap_or_else(|| mail_folder(database_url));
            std::fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;
            EmailTransport::files(folder, &args.mail_from, public_url)?
        }
    };
    let described = email.describe();
    let transports =
        Transports { email: Arc::new(email), whatsapp: Arc::new(WhatsappTransport::new(&args.whatsapp_api_url)?) };
    let config = WorkerConfig {
        lease: SignedDuration::from_secs(i64::from(args.outbox_lease_seconds.max(1))),
        max_attempts: args.outbox_max_attempts.max(1),
        ..WorkerConfig::default()
    };
    let outbox: Arc<dyn OutboxStore> = store;
    Ok(Notifier { worker: Worker::new(outbox, transports, clock, config), email: described })
}

/// `correo/` beside an SQLite database file; `ficha-data/correo` otherwise.
fn mail_folder(database_url: &str) -> PathBuf {
    let beside_sqlite = database_url
        .strip_prefix("sqlite://")
        .map(|path| path.split('?').next().unwrap_or(path))
        .and_then(|path| std::path::Path::new(path).parent().map(|p| p.join("correo")))
        .filter(|folder| folder.parent().is_some_and(|p| !p.as_os_str().is_empty()));
    beside_sqlite.unwrap_or_else(|| PathBuf::from("ficha-data/correo"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_goes_beside_the_sqlite_database() {
        assert_eq!(mail_folder("sqlite://ficha-data/ficha.db"), PathBuf::from("ficha-data/correo"));
        assert_eq!(mail_folder("sqlite:///var/lib/ficha/ficha.db?mode=rwc"), PathBuf::from("/var/lib/ficha/correo"));
        assert_eq!(mail_folder("postgres://ficha@db/ficha"), PathBuf::from("ficha-data/correo"));
        assert_eq!(mail_folder("sqlite://ficha.db"), PathBuf::from("ficha-data/correo"));
    }
}
