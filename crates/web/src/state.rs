use std::sync::Arc;
use std::time::Duration;

use ficha_domain::Clock;
use ficha_store::Store;

/// How the web layer behaves, set by the binary's configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure`: on whenever users reach Ficha over TLS.
    pub secure_cookies: bool,
    /// How long a staff login lasts.
    pub session_ttl: Duration,
    /// The text a WhatsApp chat with a client starts with; `{nombre}` is
    /// the client's first name, `{negocio}` the business's name.
    pub whatsapp_greeting: String,
    /// The Meta app's secret that signs WhatsApp webhooks; without it every
    /// webhook call is refused.
    pub whatsapp_app_secret: Option<String>,
    /// The token Meta echoes when the webhook is subscribed.
    pub whatsapp_verify_token: Option<String>,
    /// Take the client's address from the last `X-Forwarded-For` entry:
    /// on only behind a proxy that sets it (the booking site's limits
    /// count per address).
    pub trust_forwarded_for: bool,
}

/// The greeting unless the operator sets another.
pub const DEFAULT_WHATSAPP_GREETING: &str = "Hola {nombre}, te escribimos de {negocio}.";

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_ttl: Duration::from_secs(12 * 60 * 60),
            whatsapp_greeting: DEFAULT_WHATSAPP_GREETING.to_owned(),
            whatsapp_app_secret: None,
            whatsapp_verify_token: None,
            trust_forwarded_for: false,
        }
    }
}

/// What every handler can reach. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<WebConfig>,
    /// Whether the panel's profile page writes its access log entry and
    /// shows owners "Accesos". Always on, except in `ficha bench-profile`'s
    /// comparison run (`without_access_log`): no option or flag of the
    /// server reaches it.
    pub(crate) access_log: bool,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: WebConfig) -> Self {
        Self { store, clock, config: Arc::new(config), access_log: true }
    }

    /// The profile page as it was before the access log, for the benchmark
    /// that measures what the log costs (docs/performance.md). Not for
    /// serving.
    #[doc(hidden)]
    pub fn without_access_log(self) -> Self {
        Self { access_log: false, ..self }
    }
}
