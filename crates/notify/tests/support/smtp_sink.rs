//! A real SMTP server of a test's own: `smtp_sink.py` beside this file, on
//! Python's aiosmtpd, run as its own process on a free port. Each message it
//! receives is one `NNNNNN.eml` (written before the sink answers "250") with
//! its envelope recipients in `NNNNNN.rcpt`.
//!
//! Shared by the test binaries of ficha-notify (`tests/transports`) and of
//! the `ficha` binary (`crates/ficha/tests`), each including this file with
//! `#[path = "…/support/smtp_sink.rs"] mod smtp_sink;`; each uses a part of
//! it, hence the `allow(dead_code)`.
//!
//! Without aiosmtpd a test skips with one line on stderr, except with
//! `CI=true`, where it fails (`scripts/test` installs aiosmtpd).

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The sink's program, carried in the test binary (run with `python3 -c`),
/// so it does not matter which crate's folder a test runs in.
const SCRIPT: &str = include_str!("smtp_sink.py");

/// How often a wait looks at the sink's folder.
const LOOK_EVERY: Duration = Duration::from_millis(5);

pub fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|ci| ci == "true")
}

/// A Python that has aiosmtpd: `FICHA_TEST_PYTHON`, else `python3` on the
/// PATH, else Debian's.
pub fn python_with_aiosmtpd() -> Option<String> {
    let candidates =
        std::env::var("FICHA_TEST_PYTHON").into_iter().chain(["python3".into(), "/usr/bin/python3".into()]);
    candidates.into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    })
}

/// A real SMTP server of this test's own, storing what it receives.
pub struct SmtpSink {
    pub port: u16,
    child: Child,
    folder: tempfile::TempDir,
}

/// One message as the sink received it.
pub struct Received {
    /// The envelope's recipients (RCPT TO).
    pub rcpt_to: Vec<String>,
    pub raw: Vec<u8>,
}

impl Received {
    /// A header's value as sent (folded lines joined), by case-insensitive
    /// name; the first one when it repeats.
    pub fn header(&self, name: &str) -> Option<String> {
        let text = String::from_utf8_lossy(&self.raw);
        let mut found: Option<String> = None;
        for line in text.split("\r\n").flat_map(|l| l.split('\n')) {
            if line.is_empty() {
                break; // the end of the header
            }
            if line.starts_with([' ', '\t']) {
                if let Some(value) = found.as_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                continue;
            }
            if found.is_some() {
                break;
            }
            if let Some((field, value)) = line.split_once(':')
                && field.trim().eq_ignore_ascii_case(name)
            {
                found = Some(value.trim().to_owned());
            }
        }
        found
    }

    /// The `Message-ID` without its angle brackets: Ficha's are
    /// `{outbox message id}@ficha`, the same on every attempt.
    pub fn message_id(&self) -> Option<String> {
        self.header("Message-ID").map(|id| id.trim_start_matches('<').trim_end_matches('>').to_owned())
    }

    /// The address in the `From` header (what `--mail-from` says).
    pub fn sender(&self) -> Option<String> {
        let from = self.header("From")?;
        let address = match (from.rfind('<'), from.rfind('>')) {
            (Some(open), Some(close)) if open < close => &from[open + 1..close],
            _ => from.as_str(),
        };
        Some(address.trim().to_owned())
    }
}

/// What arrived, by Message-ID: every message received, how many distinct
/// ones, and how many arrived more than once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub received: usize,
    pub distinct: usize,
    /// `received - distinct`: the second, third… copies.
    pub duplicates: usize,
    /// Each Message-ID received more than once, with its count.
    pub repeated: Vec<(String, usize)>,
}

impl Tally {
    pub fn of(received: &[Received]) -> Self {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for message in received {
            let id = message.message_id().expect("every message has a Message-ID");
            *counts.entry(id).or_default() += 1;
        }
        let mut repeated: Vec<(String, usize)> =
            counts.iter().filter(|(_, n)| **n > 1).map(|(id, n)| (id.clone(), *n)).collect();
        repeated.sort();
        Self { received: received.len(), distinct: counts.len(), duplicates: received.len() - counts.len(), repeated }
    }
}

impl SmtpSink {
    /// `None` when the test should skip (no aiosmtpd, outside CI).
    pub fn start(test: &str) -> Option<Self> {
        let Some(python) = python_with_aiosmtpd() else {
            assert!(!on_ci(), "CI=true: the SMTP tests need Python's aiosmtpd (pip install aiosmtpd==1.4.6)");
            // Straight to stderr: the test harness swallows eprintln! in a
            // passing test.
            let line = format!("skipping {test}: no Python with aiosmtpd (pip install aiosmtpd==1.4.6)\n");
            let _ = std::io::stderr().write_all(line.as_bytes());
            return None;
        };
        let folder = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(python)
            .arg("-c")
            .arg(SCRIPT)
            .arg(folder.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the SMTP sink starts");
        // Its first line says it is listening; read it on a thread so a
        // sink that never gets there fails the test instead of hanging it.
        let stdout = child.stdout.take().expect("piped stdout");
        let (ready, said) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = ready.send(line);
        });
        let line = said.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        let Some(port) = line.trim().strip_prefix("PORT ").and_then(|p| p.parse().ok()) else {
            let _ = child.kill();
            panic!("the SMTP sink did not start: {line:?}");
        };
        Some(Self { port, child, folder })
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The complete messages' files, in the order received.
    fn files(&self) -> Vec<PathBuf> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.folder.path())
            .expect("sink folder")
            .map(|entry| entry.expect("entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        names.sort();
        names
    }

    /// How many messages have arrived so far.
    pub fn count(&self) -> usize {
        self.files().len()
    }

    /// Everything received so far, in order. The sink writes a message
    /// before it answers "250" to it, so a send that returned `Ok` is here.
    pub fn received(&self) -> Vec<Received> {
        self.files()
            .into_iter()
            .map(|eml| Received {
                rcpt_to: std::fs::read_to_string(eml.with_extension("rcpt"))
                    .expect("recipients beside the message")
                    .lines()
                    .map(str::to_owned)
                    .collect(),
                raw: std::fs::read(&eml).expect("message file"),
            })
            .collect()
    }

    /// Received so far, by Message-ID.
    pub fn tally(&self) -> Tally {
        Tally::of(&self.received())
    }

    /// The messages received so far for `recipient` (an envelope
    /// recipient), in order.
    pub fn received_by(&self, recipient: &str) -> Vec<Received> {
        self.received().into_iter().filter(|m| m.rcpt_to.iter().any(|r| r == recipient)).collect()
    }

    /// How many messages for `recipient` have arrived (reads only the
    /// envelopes).
    pub fn count_for(&self, recipient: &str) -> usize {
        self.files()
            .into_iter()
            .filter(|eml| {
                std::fs::read_to_string(eml.with_extension("rcpt"))
                    .is_ok_and(|rcpt| rcpt.lines().any(|r| r == recipient))
            })
            .count()
    }

    /// Waits until at least `count` messages have arrived, looking at the
    /// folder every few milliseconds, at most `limit`. `Ok` with when the
    /// count was seen, else `Err` with how many came.
    pub fn wait_for(&self, count: usize, limit: Duration) -> Result<Instant, usize> {
        poll(limit, || self.count(), count)
    }

    /// `wait_for`, counting only the messages for `recipient`.
    pub fn wait_for_recipient(&self, recipient: &str, count: usize, limit: Duration) -> Result<Instant, usize> {
        poll(limit, || self.count_for(recipient), count)
    }
}

/// Looks at `current` every few milliseconds until it reaches `count`, at
/// most `limit`.
fn poll(limit: Duration, current: impl Fn() -> usize, count: usize) -> Result<Instant, usize> {
    let deadline = Instant::now() + limit;
    loop {
        let now = current();
        if now >= count {
            return Ok(Instant::now());
        }
        if Instant::now() >= deadline {
            return Err(now);
        }
        std::thread::sleep(LOOK_EVERY);
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
