//! Random secrets handed to clients (session cookies, API tokens). Only their
//! SHA-256 is stored: a leaked database does not leak working credentials, and
//! a 256-bit random secret needs no slow hash.

pub use ficha_store::secret::{generate, hash};

/// Prefix that makes API tokens recognisable in logs and secret scanners.
pub const API_TOKEN_PREFIX: &str = "ficha_";

pub fn generate_api_token() -> Result<String, getrandom::Error> {
    Ok(format!("{API_TOKEN_PREFIX}{}", generate()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_fresh_and_hash_stably() {
        let a = generate().expect("random");
        let b = generate().expect("random");
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
        assert!(generate_api_token().expect("random").starts_with("ficha_"));
    }
}
