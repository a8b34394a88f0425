//! What the outbox tests share: fresh databases, the `ficha` processes, a
//! seeded random source, and tallies of what reached the SMTP server.

use super::*;

// ---------------------------------------------------------------- databases

#[derive(Clone, Copy, Debug)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database for one test: an SQLite file in a temporary folder, or a
/// PostgreSQL database created on the test server (dropped at the end).
pub(crate) enum Database {
    Sqlite { _folder: tempfile::TempDir, url: String },
    Postgres(TestDatabase),
}

impl Database {
    /// `None` to skip (no PostgreSQL, outside CI).
    pub(crate) fn create(backend: Backend, runtime: &tokio::runtime::Runtime) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let folder = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/ficha.db", folder.path().display());
                Some(Self::Sqlite { _folder: folder, url })
            }
            Backend::Postgres => runtime.block_on(TestDatabase::create()).map(Self::Postgres),
        }
    }

    pub(crate) fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } => url,
            Self::Postgres(database) => database.url(),
        }
    }

    /// The store the test itself writes and reads through (migrating the
    /// database on first use, as `ficha` does).
    pub(crate) fn open(&self, runtime: &tokio::runtime::Runtime) -> Arc<dyn Store> {
        let clock = Arc::new(SystemClock);
        runtime.block_on(async {
            match self {
                Self::Sqlite { url, .. } => {
                    Arc::new(SqliteStore::connect(url, clock).await.expect("SQLite opens")) as Arc<dyn Store>
                }
                Self::Postgres(database) => {
                    Arc::new(PgStore::connect(database.url(), clock).await.expect("PostgreSQL connects"))
                }
            }
        })
    }

    pub(crate) fn finish(self, runtime: &tokio::runtime::Runtime) {
        if let Self::Postgres(database) = self {
            runtime.block_on(database.drop_database());
        }
    }
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime")
}

pub(crate) fn create_business(runtime: &tokio::runtime::Runtime, store: &dyn Store, slug: &str) -> Actor {
    let new = NewBusiness {
        slug: Slug::parse(slug).expect("valid slug"),
        name: "Clínica Prueba".into(),
        time_zone: "America/Santiago".into(),
    };
    let business = runtime.block_on(store.create_business(new)).expect("business created");
    Actor::System { business: business.id }
}

/// Sign-in emails number `numbers`, each its own transaction with its own
/// key, to `cliente{n}@correo.cl`.
pub(crate) fn write_messages(
    runtime: &tokio::runtime::Runtime,
    store: &dyn Store,
    business: BusinessId,
    numbers: std::ops::Range<usize>,
) {
    runtime.block_on(async {
        for n in numbers {
            let message = AccountMessage {
                kind: NoticeKind::SignInLink,
                key: format!("prueba-{n}"),
                client: None,
                email: Email::parse(&format!("cliente{n}@correo.cl")).expect("valid email"),
                client_name: format!("Cliente {n}"),
                link: format!("/reservar/prueba/entrar?token={n:016x}"),
                code: Some(format!("{:06}", n % 1_000_000)),
            };
            store.send_account_message(business, message).await.expect("message written");
        }
    });
}

/// The business's messages by status, and the ids of every one.
pub(crate) struct Outbox {
    pub(crate) by_status: BTreeMap<&'static str, usize>,
    pub(crate) ids: HashSet<String>,
    /// Messages that took more than one attempt (claimed again after a
    /// worker died holding them).
    pub(crate) retried: usize,
}

pub(crate) fn outbox(runtime: &tokio::runtime::Runtime, store: &dyn Store, actor: &Actor) -> Outbox {
    runtime.block_on(async {
        let mut seen = Outbox { by_status: BTreeMap::new(), ids: HashSet::new(), retried: 0 };
        let mut query = MessageQuery { limit: 100, ..MessageQuery::default() };
        loop {
            let page = store.messages(actor, &query).await.expect("messages listed");
            for message in &page.messages {
                *seen.by_status.entry(message.status.as_str()).or_default() += 1;
                seen.ids.insert(format!("{}@ficha", message.id));
                seen.retried += usize::from(message.attempts > 1);
            }
            match page.next {
                Some(next) => query.after = Some(next),
                None => return seen,
            }
        }
    })
}

/// Whether any message is still to go (pending, being sent, or given up).
pub(crate) fn unsent(runtime: &tokio::runtime::Runtime, store: &dyn Store, actor: &Actor) -> bool {
    runtime.block_on(async {
        for status in [MessageStatus::Pending, MessageStatus::Sending, MessageStatus::Failed, MessageStatus::Cancelled]
        {
            let query = MessageQuery { status: Some(status), limit: 1, ..MessageQuery::default() };
            if !store.messages(actor, &query).await.expect("messages listed").messages.is_empty() {
                return true;
            }
        }
        false
    })
}

/// Looks at the outbox until every message is `sent`, at most `PATIENCE`.
pub(crate) fn wait_until_all_sent(
    runtime: &tokio::runtime::Runtime,
    store: &dyn Store,
    actor: &Actor,
    why: impl Fn() -> String,
) {
    let deadline = Instant::now() + PATIENCE;
    while unsent(runtime, store, actor) {
        assert!(Instant::now() < deadline, "not every message was sent within {PATIENCE:?}: {}", why());
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------- processes

/// A running `ficha` process: its standard output line by line, its log in a
/// file; killed (SIGKILL) if still running when dropped.
pub(crate) struct Ficha {
    pub(crate) child: Child,
    pub(crate) lines: Receiver<String>,
    pub(crate) log: PathBuf,
}

impl Ficha {
    pub(crate) fn start(database_url: &str, args: &[&str], log: PathBuf) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ficha"));
        // Only what the test says: no FICHA_* settings from the environment.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("FICHA_") {
                command.env_remove(name);
            }
        }
        let mut child = command
            .env("FICHA_DATABASE_URL", database_url)
            .env("FICHA_LOG", "info,sqlx=warn")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(File::create(&log).expect("log file"))
            .spawn()
            .expect("ficha starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (said, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if said.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines, log }
    }

    /// Reads standard output until a line starting with `prefix` (returned
    /// with everything before it), at most `limit`.
    pub(crate) fn wait_for_line(&mut self, prefix: &str, limit: Duration) -> (String, String) {
        let deadline = Instant::now() + limit;
        let mut before = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return (line, before),
                Ok(line) => {
                    before.push_str(&line);
                    before.push('\n');
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    panic!(
                        "ficha did not say {prefix:?} within {limit:?}; it said:\n{before}\nlog:\n{}",
                        self.log_text()
                    )
                }
            }
        }
    }

    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL, as a crash: nothing is finished or marked.
    pub(crate) fn kill(&mut self) {
        self.child.kill().expect("SIGKILL sent");
        self.child.wait().expect("killed process reaped");
    }

    /// SIGTERM, and its exit within `limit` (what it was sending finished
    /// and marked).
    pub(crate) fn stop(&mut self, limit: Duration) -> ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs").success());
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("process status") {
                return status;
            }
            assert!(Instant::now() < deadline, "ficha did not stop within {limit:?} of SIGTERM:\n{}", self.log_text());
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Ficha {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// SplitMix64: a few random numbers from a seed, no crate needed.
pub(crate) struct Random(pub(crate) u64);

impl Random {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number in `low..=high`.
    pub(crate) fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

/// How many of the repeated messages each worker run had sent first (the
/// runs are told apart by their `--mail-from`): the duplicates a kill made.
pub(crate) fn duplicates_by_first_sender(received: &[Received], tally: &Tally) -> BTreeMap<String, usize> {
    let repeated: HashSet<&str> = tally.repeated.iter().map(|(id, _)| id.as_str()).collect();
    let mut first_seen: HashSet<String> = HashSet::new();
    let mut by_sender: BTreeMap<String, usize> = BTreeMap::new();
    for message in received {
        let id = message.message_id().unwrap_or_default();
        if repeated.contains(id.as_str()) && first_seen.insert(id) {
            *by_sender.entry(message.sender().unwrap_or_default()).or_default() += 1;
        }
    }
    by_sender
}
