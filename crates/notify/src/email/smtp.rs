//! SMTP delivery through lettre's async SMTP connections (tokio, rustls
//! with the ring provider and Mozilla's roots), and what a server's answer means for
//! the outbox: worth retrying, or not.
//!
//! `--smtp-url` is `smtp://user:pass@host:port?tls=starttls|tls|none`:
//! - `tls=starttls`: plain connection upgraded with STARTTLS, which must
//!   succeed (never sent in the clear); default port 587.
//! - `tls=tls`: TLS from the first byte ("SMTPS"); default port 465. The
//!   scheme `smtps://` means the same.
//! - `tls=none`: no encryption; default port 25. Only sensible on the same
//!   machine or a private network.
//!
//! Without `tls=`, a loopback host (`localhost`, `127.x.x.x`, `::1`) gets
//! `none` (a local relay or test sink rarely has a certificate), port 465
//! gets `tls`, and anything else `starttls`: a remote server is never spoken
//! to in the clear unless asked for by name. User and password are
//! percent-decoded (`%40` for `@`).

use std::net::IpAddr;
use std::time::Duration;

use std::time::Instant;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use percent_encoding::percent_decode_str;
use tokio::net::TcpStream;
use tokio::sync::Mutex;

use super::EmailConfigError;
use crate::SendError;

/// How long one SMTP command may take before the attempt counts as failed
/// (temporarily).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    None,
    StartTls,
    Tls,
}

/// A parsed `--smtp-url`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for SmtpUrl {
    // Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpUrl")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl SmtpUrl {
    pub fn parse(text: &str) -> Result<Self, EmailConfigError> {
        let bad = |why: &str| EmailConfigError::SmtpUrl(why.to_owned());
        let url = url::Url::parse(text.trim()).map_err(|e| bad(&e.to_string()))?;
        let implicit_tls = match url.scheme() {
            "smtp" => false,
            "smtps" => true,
            other => return Err(bad(&format!("unknown scheme {other:?}"))),
        };
        let host = match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(host) => host.to_string(),
            None => return Err(bad("no host")),
        };
        let mut tls = None;
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), value.as_ref()) {
                ("tls", "starttls") => tls = Some(TlsMode::StartTls),
                ("tls", "tls") => tls = Some(TlsMode::Tls),
                ("tls", "none") => tls = Some(TlsMode::None),
                ("tls", other) => return Err(bad(&format!("unknown tls={other}"))),
                (other, _) => return Err(bad(&format!("unknown parameter {other:?}"))),
            }
        }
        let tls = match (tls, implicit_tls, url.port()) {
            (Some(TlsMode::Tls) | None, true, _) => TlsMode::Tls,
            (Some(_), true, _) => return Err(bad("smtps:// is TLS from the start; use smtp:// for another tls=")),
            (Some(tls), false, _) => tls,
            (None, false, _) if is_loopback(&host) => TlsMode::None,
            (None, false, Some(465)) => TlsMode::Tls,
            (None, false, _) => TlsMode::StartTls,
        };
        let port = url.port().unwrap_or(match tls {
            TlsMode::None => 25,
            TlsMode::StartTls => 587,
            TlsMode::Tls => 465,
        });
        let decode = |part: &str| percent_decode_str(part).decode_utf8().map(|s| s.into_owned());
        let user = Some(url.username())
            .filter(|u| !u.is_empty())
            .map(decode)
            .transpose()
            .map_err(|_| bad("user is not UTF-8"))?;
        let password = url.password().map(decode).transpose().map_err(|_| bad("password is not UTF-8"))?;
        if password.is_some() && user.is_none() {
            return Err(bad("a password without a user"));
        }
        Ok(Self { host, port, tls, user, password })
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// An SMTP server to deliver to. Connections are kept and reused (at most
/// `POOL` idle ones, none idle longer than `IDLE`).
///
/// The connections are opened here rather than by lettre's pooled
/// transport for one reason: lettre writes a message's body and its final
/// `.` as two writes, and on a socket with Nagle's algorithm on the `.`
/// waits for the server's (delayed) ACK of the body — about 40 ms per
/// message. That is both slow and, for the outbox, the window in which the
/// server has a message we do not know it took. Our sockets set
/// `TCP_NODELAY`. (Implicit TLS, `tls=tls`, still connects through lettre,
/// which does not let us reach its socket; it only costs speed there.)
pub struct Smtp {
    url: SmtpUrl,
    hello: ClientId,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    shown: String,
}

/// Idle connections kept for the next messages.
const POOL: usize = 8;
/// Servers drop idle clients after a minute or more (Postfix: 5); ours are
/// let go well before, so a reused connection is not a dead one.
const IDLE: Duration = Duration::from_secs(20);

impl Smtp {
    pub fn new(url: &SmtpUrl) -> Result<Self, EmailConfigError> {
        if url.tls != TlsMode::None {
            // Checked now so a bad host name for TLS fails at startup.
            TlsParameters::new(url.host.clone()).map_err(|e| EmailConfigError::SmtpUrl(format!("TLS: {e}")))?;
        }
        let mode = match url.tls {
            TlsMode::None => "sin TLS",
            TlsMode::StartTls => "STARTTLS",
            TlsMode::Tls => "TLS",
        };
        Ok(Self {
            url: url.clone(),
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
            shown: format!("{}:{} ({mode})", url.host, url.port),
        })
    }

    pub fn describe(&self) -> String {
        self.shown.clone()
    }

    /// Sends `email` to its envelope's recipients. `Ok` carries the
    /// server's queue id when its answer names one ("queued as …").
    pub async fn deliver(&self, email: lettre::Message) -> Result<Option<String>, SendError> {
        let envelope = email.envelope().clone();
        let bytes = email.formatted();
        let mut connection = self.connection().await?;
        let sent = tokio::time::timeout(COMMAND_TIMEOUT, connection.send(&envelope, &bytes)).await;
        match sent {
            Ok(Ok(response)) => {
                self.keep(connection).await;
                Ok(queue_id(response.message()))
            }
            // A refused message leaves a usable connection; anything else
            // is let go (lettre resets the session after a refusal).
            Ok(Err(error)) => {
                if error.status().is_some() && !connection.has_broken() {
                    self.keep(connection).await;
                }
                Err(classify(error))
            }
            Err(_) => Err(SendError::Temporary("El servidor de correo no respondió a tiempo".to_owned())),
        }
    }

    async fn keep(&self, connection: AsyncSmtpConnection) {
        let mut idle = self.idle.lock().await;
        if idle.len() < POOL {
            idle.push((connection, Instant::now()));
        }
    }

    /// An idle connection not kept too long, else a new one.
    async fn connection(&self) -> Result<AsyncSmtpConnection, SendError> {
        {
            let mut idle = self.idle.lock().await;
            while let Some((connection, since)) = idle.pop() {
                if since.elapsed() < IDLE && !connection.has_broken() {
                    return Ok(connection);
                }
            }
        }
        match tokio::time::timeout(COMMAND_TIMEOUT, self.connect()).await {
            Ok(connected) => connected,
            Err(_) => Err(SendError::Temporary("El servidor de correo no respondió a tiempo".to_owned())),
        }
    }

    /// Connects, says EHLO, upgrades with STARTTLS when asked (refusing a
    /// server that does not offer it) and signs in.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let url = &self.url;
        let tls = || {
            TlsParameters::new(url.host.clone())
                .map_err(|e| SendError::Temporary(format!("Falló la conexión segura (TLS): {e}")))
        };
        let mut connection = if url.tls == TlsMode::Tls {
            let address = (url.host.as_str(), url.port);
            AsyncSmtpConnection::connect_tokio1(address, Some(COMMAND_TIMEOUT), &self.hello, Some(tls()?), None)
                .await
                .map_err(classify)?
        } else {
            let tcp = TcpStream::connect((url.host.as_str(), url.port)).await.map_err(unreachable)?;
            tcp.set_nodelay(true).map_err(unreachable)?;
            AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello).await.map_err(classify)?
        };
        if url.tls == TlsMode::StartTls {
            if !connection.can_starttls() {
                return Err(SendError::Temporary(
                    "El servidor de correo no ofrece STARTTLS; no se envía sin cifrar (usa tls=none para permitirlo)"
                        .to_owned(),
                ));
            }
            connection.starttls(tls()?, &self.hello).await.map_err(classify)?;
        }
        if let Some(user) = &url.user {
            let credentials = Credentials::new(user.clone(), url.password.clone().unwrap_or_default());
            connection.auth(&[Mechanism::Plain, Mechanism::Login], &credentials).await.map_err(classify)?;
        }
        Ok(connection)
    }
}

fn unreachable(error: std::io::Error) -> SendError {
    SendError::Temporary(format!("No se pudo hablar con el servidor de correo: {error}"))
}

/// "250 2.0.0 Ok: queued as 4F3A21" → `4F3A21`.
fn queue_id<'a>(lines: impl Iterator<Item = &'a str>) -> Option<String> {
    lines
        .filter_map(|line| line.split_once("queued as "))
        .find_map(|(_, rest)| rest.split_whitespace().next().map(str::to_owned))
}

/// What a failure means for the outbox. Only a 5xx answer about the message
/// or its recipient is permanent; anything about the connection, the
/// server's mood (4xx) or our own configuration (credentials, TLS) is
/// temporary, so once fixed the waiting messages still go.
pub(crate) fn classify(error: lettre::transport::smtp::Error) -> SendError {
    let said = server_text(&error);
    if let Some(code) = error.status() {
        let code = code.to_string();
        // RFC 4954: authentication required, too weak, failed, needs encryption.
        if matches!(code.as_str(), "530" | "534" | "535" | "538") {
            return SendError::Temporary(format!("El servidor de correo rechazó las credenciales ({code}): {said}"));
        }
        if error.is_transient() {
            return SendError::Temporary(format!("El servidor de correo pidió reintentar más tarde ({code}): {said}"));
        }
        // An enhanced status code (RFC 3463) says what was refused: 5.1.x is
        // the address. Without one, 550/551/553 are the mailbox's.
        let address = match enhanced(&said) {
            Some(status) => status.starts_with("5.1."),
            None => matches!(code.as_str(), "550" | "551" | "553"),
        };
        return if address {
            SendError::Permanent(format!("El servidor de correo rechazó la dirección: {said}"))
        } else {
            SendError::Permanent(format!("El servidor de correo rechazó el mensaje ({code}): {said}"))
        };
    }
    if error.is_timeout() {
        return SendError::Temporary("El servidor de correo no respondió a tiempo".to_owned());
    }
    if error.is_tls() {
        return SendError::Temporary(format!("Falló la conexión segura (TLS) con el servidor de correo: {said}"));
    }
    SendError::Temporary(format!("No se pudo hablar con el servidor de correo: {error}"))
}

/// `5.1.1` from "5.1.1 <x@y>: Recipient address rejected".
fn enhanced(said: &str) -> Option<&str> {
    let first = said.split_whitespace().next()?;
    let parts: Vec<&str> = first.split('.').collect();
    (parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))).then_some(first)
}

/// The server's words (or the underlying error's) without lettre's prefix.
fn server_text(error: &lettre::transport::smtp::Error) -> String {
    use std::error::Error as _;
    error.source().map_or_else(|| error.to_string(), |source| source.to_string()).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> SmtpUrl {
        SmtpUrl::parse(text).expect("valid URL")
    }

    #[test]
    fn tls_as_asked() {
        let url = parse("smtp://user:pa%40ss@mail.example.com:2525?tls=starttls");
        assert_eq!((url.host.as_str(), url.port, url.tls), ("mail.example.com", 2525, TlsMode::StartTls));
        assert_eq!((url.user.as_deref(), url.password.as_deref()), (Some("user"), Some("pa@ss")));
        assert_eq!(parse("smtp://mail.example.com?tls=tls").port, 465);
        assert_eq!(parse("smtp://mail.example.com?tls=none").port, 25);
        assert_eq!(parse("smtps://mail.example.com").tls, TlsMode::Tls);
    }

    #[test]
    fn defaults_never_go_plain_to_a_remote_server() {
        assert_eq!(parse("smtp://localhost:1025").tls, TlsMode::None);
        assert_eq!(parse("smtp://127.0.0.1:1025").tls, TlsMode::None);
        assert_eq!(parse("smtp://[::1]:1025").tls, TlsMode::None);
        let remote = parse("smtp://mail.example.com");
        assert_eq!((remote.tls, remote.port), (TlsMode::StartTls, 587));
        assert_eq!(parse("smtp://mail.example.com:465").tls, TlsMode::Tls);
    }

    #[test]
    fn mistakes_are_refused() {
        for text in [
            "http://mail.example.com",
            "smtp://mail.example.com?tls=maybe",
            "smtp://mail.example.com?tsl=none",
            "smtps://mail.example.com?tls=none",
            "smtp://:secret@mail.example.com",
            "mail.example.com:587",
        ] {
            assert!(SmtpUrl::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn debug_hides_the_password() {
        assert!(!format!("{:?}", parse("smtp://u:secret@h")).contains("secret"));
    }

    #[test]
    fn enhanced_status_codes() {
        assert_eq!(enhanced("5.1.1 <x@y>: Recipient address rejected"), Some("5.1.1"));
        assert_eq!(enhanced("not relaying to that domain"), None);
        assert_eq!(enhanced("5.7 x"), None);
    }

    #[test]
    fn queue_id_from_the_answer() {
        assert_eq!(queue_id(["2.0.0 Ok: queued as 4F3A21"].into_iter()), Some("4F3A21".into()));
        assert_eq!(queue_id(["OK"].into_iter()), None);
    }
}
