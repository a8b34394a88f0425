//! The command line. Every option can also be set with a `FICHA_*`
//! environment variable.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Where data lives unless told otherwise: an SQLite file under ./ficha-data.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://ficha-data/ficha.db";

#[derive(Debug, Parser)]
#[command(name = "ficha", version, about = "Ficha: client registry and booking back-office")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Database: `sqlite://PATH` (embedded default) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "FICHA_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
    /// Log filter, e.g. `info` or `ficha=debug,sqlx=warn`.
    #[arg(long, env = "FICHA_LOG", default_value = "info,sqlx=warn", global = true)]
    pub log: String,
    /// Log format.
    #[arg(long, env = "FICHA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (applies migrations first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a business with demo clients (slug `demo` unless told otherwise).
    Demo {
        #[arg(long, default_value = "demo")]
        slug: String,
    },
    /// Measure search speed on a business of synthetic clients (see
    /// docs/performance.md).
    Bench {
        /// Clients to load (skipped when the database already has the
        /// benchmark business).
        #[arg(long, default_value_t = 100_000)]
        clients: u64,
        #[arg(long, default_value_t = 2_000)]
        queries: usize,
        /// How many of the queries also run as a naive LIKE scan.
        #[arg(long, default_value_t = 200)]
        naive_queries: usize,
        /// Clients to edit after the first measurement (a new phone, every
        /// other one a new surname); the queries then run again.
        #[arg(long, default_value_t = 0)]
        edits: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Measure a client profile (bookings side, then the whole rendered page)
    /// for a client with many bookings and notes (see docs/performance.md)
    BenchProfile {
        /// Bookings of the measured client.
        #[arg(long, default_value_t = 2_000)]
        bookings: u64,
        /// Other clients in the business.
        #[arg(long, default_value_t = 5_000)]
        others: u64,
        /// Bookings of each other client.
        #[arg(long, default_value_t = 20)]
        others_bookings: u64,
        /// General notes of the measured client (with a few phone edits in
        /// its history).
        #[arg(long, default_value_t = 300)]
        notes: u64,
        /// Profile loads measured.
        #[arg(long, default_value_t = 2_000)]
        rounds: usize,
        /// Render the profile page only without the access log, and skip
        /// the log's statement alone: the same work as a `bench-profile` of
        /// a binary from before the log, to compare the two.
        #[arg(long)]
        without_access_log: bool,
    },
    /// Measure everyday single-client writes (create, edit, custom values)
    /// by one writer and by several at once (see docs/performance.md).
    BenchWrites {
        /// Clients loaded first (skipped when the database already has the
        /// benchmark business).
        #[arg(long, default_value_t = 100_000)]
        clients: u64,
        /// Writes of each kind in each run.
        #[arg(long, default_value_t = 2_000)]
        writes: usize,
        /// Concurrent writers in the second run.
        #[arg(long, default_value_t = 8)]
        writers: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Measure duplicate suggestions on a large business with planted
    /// duplicates: the count, the first page, one profile's (see
    /// docs/performance.md).
    BenchDuplicates {
        /// Clients loaded first (skipped when the database already has the
        /// benchmark business).
        #[arg(long, default_value_t = 100_000)]
        clients: u64,
        /// Duplicates planted after the load.
        #[arg(long, default_value_t = 3_000)]
        planted: usize,
        /// Timed calls of each kind.
        #[arg(long, default_value_t = 20)]
        rounds: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Measure the client import: a generated spreadsheet of `rows`
    /// clients imported into a new business as the API does (see
    /// docs/performance.md).
    BenchImport {
        #[arg(long, default_value_t = 100_000)]
        rows: u64,
        /// Time the dry run of the file instead of the import.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Send the notification outbox without serving HTTP (`serve` runs the
    /// same worker already; this is for a dedicated sender process).
    Worker(NotifyArgs),
    /// Measure the outbox: messages per second to an SMTP server, and what
    /// writing its messages adds to a booking (see docs/performance.md).
    BenchNotify {
        /// Messages sent in the throughput run.
        #[arg(long, default_value_t = 2_000)]
        messages: u64,
        /// Bookings made in the write-latency run.
        #[arg(long, default_value_t = 2_000)]
        bookings: u64,
        #[command(flatten)]
        notify: NotifyArgs,
    },
    /// Measure the booking site: a week of free slots for a busy business,
    /// and its pages rendered, with their weight (see docs/performance.md).
    BenchSite {
        /// Professionals, all performing the one 30-minute service.
        #[arg(long, default_value_t = 10)]
        professionals: u64,
        /// Bookings spread over the next `--days` days.
        #[arg(long, default_value_t = 20_000)]
        bookings: u64,
        #[arg(long, default_value_t = 30)]
        days: u64,
        /// Weeks (and pages of each kind) measured.
        #[arg(long, default_value_t = 500)]
        rounds: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Measure the panel's Calendario: a busy day of many professionals as a
    /// time grid, and one professional's week, rendered in-process, with
    /// their weight (see docs/performance.md).
    BenchCalendar {
        /// Professionals, agendas Monday to Saturday 08:00–20:00 with lunch.
        #[arg(long, default_value_t = 10)]
        professionals: u64,
        /// Bookings on the measured day (some overlapping, some out of hours).
        #[arg(long, default_value_t = 150)]
        bookings: u64,
        /// Times each page is rendered.
        #[arg(long, default_value_t = 500)]
        rounds: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Manage businesses.
    #[command(subcommand)]
    Business(BusinessCommand),
    /// Manage staff accounts.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "FICHA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// On a database without businesses, create the demo business instead of
    /// an empty one.
    #[arg(long, env = "FICHA_DEMO")]
    pub demo: bool,
    /// Mark cookies Secure (set when users reach Ficha over HTTPS).
    #[arg(long, env = "FICHA_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Take clients' addresses from X-Forwarded-For (set only behind a
    /// proxy that writes it): the booking site's limits count per address.
    #[arg(long, env = "FICHA_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Hours a staff login lasts.
    #[arg(long, env = "FICHA_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u64,
    /// The text a WhatsApp chat with a client starts with, from the panel;
    /// {nombre} is the client's first name, {negocio} the business's name.
    #[arg(long, env = "FICHA_WHATSAPP_GREETING", default_value = ficha_web::DEFAULT_WHATSAPP_GREETING)]
    pub whatsapp_greeting: String,
    #[command(flatten)]
    pub notify: NotifyArgs,
}

/// How notifications leave: the outbox worker's transports and pace.
#[derive(Debug, Clone, Args)]
pub struct NotifyArgs {
    /// SMTP server for email, e.g. `smtp://user:pass@host:587?tls=starttls`
    /// (`tls=tls` for implicit TLS, `tls=none` for plain). Without it, each
    /// email is written as an `.eml` file under the mail folder.
    #[arg(long, env = "FICHA_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender address of every email; the business's name is shown as
    /// the sender's name.
    #[arg(long, env = "FICHA_MAIL_FROM", default_value = "no-responder@ficha.localhost")]
    pub mail_from: String,
    /// Where emails are written without SMTP; default `correo/` beside the
    /// SQLite database (`ficha-data/correo` otherwise).
    #[arg(long, env = "FICHA_MAIL_DIR")]
    pub mail_dir: Option<std::path::PathBuf>,
    /// The address clients reach Ficha at; links in messages start with it.
    /// Default: the address `serve` listens on.
    #[arg(long, env = "FICHA_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// WhatsApp Cloud API base URL.
    #[arg(long, env = "FICHA_WHATSAPP_API_URL", default_value = "https://graph.facebook.com/v21.0")]
    pub whatsapp_api_url: String,
    /// The Meta app's secret: delivery-status webhooks must be signed with
    /// it (`X-Hub-Signature-256`); without it they are refused.
    #[arg(long, env = "FICHA_WHATSAPP_APP_SECRET", hide_env_values = true)]
    pub whatsapp_app_secret: Option<String>,
    /// The token Meta echoes when the webhook is registered.
    #[arg(long, env = "FICHA_WHATSAPP_VERIFY_TOKEN", hide_env_values = true)]
    pub whatsapp_verify_token: Option<String>,
    /// Seconds a worker holds a message it is sending before another
    /// worker may take it over.
    #[arg(long, env = "FICHA_OUTBOX_LEASE_SECONDS", default_value_t = 60)]
    pub outbox_lease_seconds: u32,
    /// Attempts before a message that keeps failing is marked failed.
    #[arg(long, env = "FICHA_OUTBOX_MAX_ATTEMPTS", default_value_t = 8)]
    pub outbox_max_attempts: u32,
}

#[derive(Debug, Subcommand)]
pub enum BusinessCommand {
    /// Create a business and its first owner; prints the owner's password.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "America/Santiago")]
        time_zone: String,
        #[arg(long)]
        owner_email: String,
        #[arg(long, default_value = "Dueño")]
        owner_name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add a staff account; prints its password unless FICHA_PASSWORD is set.
    Add {
        #[arg(long)]
        business: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value_t = RoleArg::Professional)]
        role: RoleArg,
        /// The password; a random one is generated and printed when absent.
        #[arg(long, env = "FICHA_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List a business's staff.
    List {
        #[arg(long)]
        business: String,
    },
    /// Set a staff member's password and end their open sessions; prints it
    /// unless FICHA_PASSWORD is set.
    SetPassword {
        #[arg(long)]
        business: String,
        #[arg(long)]
        email: String,
        #[arg(long, env = "FICHA_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Owner,
    Professional,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a business; prints it once.
    Create {
        #[arg(long)]
        business: String,
        #[arg(long)]
        name: String,
    },
}
