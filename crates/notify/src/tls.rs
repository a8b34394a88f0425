//! The one TLS stack of outgoing connections: rustls with the ring crypto
//! provider and Mozilla's root certificates (webpki-roots, compiled in, so
//! the binary needs no system CA bundle). lettre picks the same provider
//! (its `ring` feature, or whichever provider the process installed as
//! default); the WhatsApp client asks here for the same choice.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;

/// The process's default provider if one was installed, else ring — the
/// rule lettre follows, so SMTP and HTTPS never disagree.
pub fn provider() -> Arc<CryptoProvider> {
    CryptoProvider::get_default().cloned().unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()))
}
