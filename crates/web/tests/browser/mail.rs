//! The client's mailbox for a browser test: a real SMTP server
//! (aiosmtpd, `notify/tests/support/smtp_sink.rs`) and the notification
//! worker sending the app's outbox to it, as `ficha serve` does. A test
//! reads the links a client would click out of the emails.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ficha_domain::SystemClock;
use ficha_notify::email::EmailTransport;
use ficha_notify::whatsapp::WhatsappTransport;
use ficha_notify::worker::{Transports, Worker, WorkerConfig};
use ficha_store::{OutboxStore, Store};
use tokio::sync::oneshot;

#[path = "../../../notify/tests/support/smtp_sink.rs"]
mod smtp_sink;

use smtp_sink::SmtpSink;

pub struct Mailbox {
    sink: SmtpSink,
    _stop: oneshot::Sender<()>,
}

impl Mailbox {
    /// `None` when the test should skip (no aiosmtpd, outside CI).
    pub fn start(test: &str, store: Arc<dyn Store>, public_url: &str) -> Option<Self> {
        let sink = SmtpSink::start(test)?;
        let email = EmailTransport::smtp(&sink.url(), "no-responder@ficha.localhost", public_url).expect("smtp");
        let whatsapp = WhatsappTransport::new("http://127.0.0.1:9").expect("whatsapp");
        let transports = Transports { email: Arc::new(email), whatsapp: Arc::new(whatsapp) };
        let outbox: Arc<dyn OutboxStore> = store;
        let worker = Worker::new(outbox, transports, Arc::new(SystemClock), WorkerConfig::default());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(worker.run(async move { drop(stopped.await) }));
        Some(Self { sink, _stop: stop })
    }

    /// The text of the emails sent to `to` so far, decoded, oldest first.
    pub fn texts_to(&self, to: &str) -> Vec<String> {
        self.sink
            .received()
            .into_iter()
            .filter(|m| m.rcpt_to.iter().any(|r| r.eq_ignore_ascii_case(to)))
            .map(|m| decoded(&String::from_utf8_lossy(&m.raw)))
            .collect()
    }

    /// The first link starting with `prefix` in the latest email to `to`
    /// that has one, waiting up to ten seconds for it to arrive.
    pub async fn link(&self, to: &str, prefix: &str) -> String {
        for _ in 0..100 {
            let found = self.texts_to(to).iter().rev().find_map(|text| first_link(text, prefix));
            if let Some(link) = found {
                return link;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no email to {to} with a link to {prefix}: {:?}", self.texts_to(to));
    }
}

fn first_link(text: &str, prefix: &str) -> Option<String> {
    let at = text.find(prefix)?;
    let link: String = text[at..].chars().take_while(|c| !c.is_whitespace() && !"\"<>".contains(*c)).collect();
    Some(link)
}

/// A message's parts with their transfer encodings undone (quoted-printable
/// and base64), so links can be read as the client's mail program shows
/// them. Headers and parts without an encoding pass through.
fn decoded(raw: &str) -> String {
    let mut out = String::new();
    let mut encoding = String::new();
    let mut in_body = false;
    let mut body = String::new();
    let flush = |encoding: &str, body: &mut String, out: &mut String| {
        match encoding {
            "quoted-printable" => out.push_str(&unquote(body)),
            "base64" => {
                let joined: String = body.split_whitespace().collect();
                out.push_str(&String::from_utf8_lossy(&STANDARD.decode(joined).unwrap_or_default()));
            }
            _ => out.push_str(body),
        }
        body.clear();
    };
    for line in raw.split("\r\n").flat_map(|l| l.split('\n')) {
        if line.starts_with("--") {
            flush(&encoding, &mut body, &mut out);
            (encoding, in_body) = (String::new(), false);
            continue;
        }
        if !in_body {
            if line.is_empty() {
                in_body = true;
            } else if let Some(value) = line.strip_prefix("Content-Transfer-Encoding:") {
                encoding = value.trim().to_ascii_lowercase();
            }
            out.push_str(line);
            out.push('\n');
            continue;
        }
        body.push_str(line);
        body.push('\n');
    }
    flush(&encoding, &mut body, &mut out);
    out
}

fn unquote(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && let Some(byte) = joined.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_undone() {
        let raw = "Subject: x\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nVer: http://a/reservar/c/reserva/ab=\r\ncd =C3=A1\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\naHR0cDovL2IvcmVzZXJ2YXIveA==\r\n";
        let text = decoded(raw);
        assert_eq!(first_link(&text, "http://a/").as_deref(), Some("http://a/reservar/c/reserva/abcd"));
        assert!(text.contains("á"));
        assert!(text.contains("http://b/reservar/x"));
    }
}
