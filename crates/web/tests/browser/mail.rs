//! The client's mailbox for a browser test: a real SMTP server
//! (aiosmtpd, `notify/tests/support/smtp_sink.rs`) and the notification
//! worker sending the app's outbox to it, as `ficha serve` does. A test
//! reads the links a client would click out of the emails.

use std::sync::Arc;
use std::time::Duration;

use ficha_domain::SystemClock;
use ficha_notify::email::EmailTransport;
use ficha_notify::whatsapp::WhatsappTransport;
use ficha_notify::worker::{Transports, Worker, WorkerConfig};
use ficha_store::{OutboxStore, Store};
use mail_parser::MessageParser;
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
            .map(|m| decoded(&m.raw))
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

/// The message's plain text, as the client's mail program shows it.
fn decoded(raw: &[u8]) -> String {
    let message = MessageParser::default().parse(raw).expect("a MIME message");
    message.body_text(0).map(|text| text.into_owned()).unwrap_or_default()
}
