//! The notification outbox end to end: the real `ficha` binary sending to a
//! real SMTP server (aiosmtpd, `notify/tests/support/smtp_sink.rs`) from real
//! databases — what docs/notifications.md promises, checked from outside.
//!
//! - `kill -9` at random moments loses no message and sends at most one
//!   again per kill (on SQLite and on PostgreSQL);
//! - SIGTERM to a busy `ficha worker` finishes and marks what it holds;
//! - two `ficha serve` instances on one PostgreSQL send each message once,
//!   an idle one woken by the other's commit;
//! - a booking made through the API is an email with its calendar invite at
//!   the SMTP server within a second, and its cancellation the cancel invite;
//! - clients racing for one booking-site slot through two instances on one
//!   PostgreSQL make one booking and one email;
//! - three `ficha serve` on one PostgreSQL behave as one (`instances/`):
//!   sessions, a booking race, search and sign-out everywhere across them,
//!   each outbox message sent once.
//!
//! Without aiosmtpd or PostgreSQL a test skips with one line; with `CI=true`
//! it fails instead. Nothing waits by a fixed sleep: every wait looks again
//! until a deadline. The one deliberate sleep is the random moment before
//! each kill.

#[path = "../../../notify/tests/support/smtp_sink.rs"]
mod smtp_sink;

pub(crate) use std::collections::{BTreeMap, HashSet};
pub(crate) use std::fs::File;
pub(crate) use std::io::{BufRead, BufReader, Read, Write};
pub(crate) use std::net::TcpStream;
pub(crate) use std::path::PathBuf;
pub(crate) use std::process::{Child, Command, ExitStatus, Stdio};
pub(crate) use std::sync::Arc;
pub(crate) use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
pub(crate) use std::time::{Duration, Instant};

pub(crate) use ficha_domain::{Actor, BusinessId, Email, MessageStatus, NewBusiness, NoticeKind, Slug, SystemClock};
pub(crate) use ficha_store::{AccountMessage, MessageQuery, Store};
pub(crate) use ficha_store_postgres::PgStore;
pub(crate) use ficha_store_postgres::testing::TestDatabase;
pub(crate) use ficha_store_sqlite::SqliteStore;
pub(crate) use mail_parser::{MessageParser, MimeHeaders};
pub(crate) use smtp_sink::{Received, SmtpSink, Tally};

/// Messages in the crash and two-instance tests.
pub(crate) const MESSAGES: usize = 1_000;
/// Kills in the crash test, each after a random 50–500 ms of sending.
pub(crate) const KILLS: usize = 5;
/// The crash test's random moments come from this seed (printed with the
/// figures), so a run can be repeated.
pub(crate) const SEED: u64 = 0x000F_1C4A_0E0B_0C5A;
/// The longest any wait for the outbox may take before the test fails.
pub(crate) const PATIENCE: Duration = Duration::from_secs(60);
/// What `ficha worker` prints once it is about to send.
pub(crate) const WORKER_READY: &str = "Enviando notificaciones";
/// A booking's email must be at the SMTP server this soon after the answer.
pub(crate) const PROMPT: Duration = Duration::from_secs(1);

mod api_email;
mod crash;
mod harness;
mod instances;
mod site_race;

pub(crate) use harness::*;
