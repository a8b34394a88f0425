//! Random secrets handed to people (session cookies, API tokens, a
//! booking's manage link). Only their SHA-256 is stored: a leaked database
//! does not leak working credentials, and a 256-bit random secret needs no
//! slow hash. Here, below the web layer, because the store mints manage
//! links inside the transaction that writes a booking's message.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// 32 random bytes, URL-safe base64.
pub fn generate() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}
