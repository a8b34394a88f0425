//! Staff passwords: argon2id with the crate's recommended parameters, run off
//! the async threads because each hash takes tens of milliseconds on purpose.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

pub const MIN_PASSWORD_CHARS: usize = 10;

/// A PHC string (`$argon2id$v=19$...`) for storage.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    Ok(Argon2::default().hash_password(password.as_bytes())?.to_string())
}

/// Whether `password` matches the stored PHC string. A malformed stored hash
/// matches nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), stored).is_ok()
}

/// Hashes on the blocking pool.
pub async fn hash_off_thread(password: String) -> Option<String> {
    tokio::task::spawn_blocking(move || hash(&password).ok()).await.ok().flatten()
}

/// Verifies on the blocking pool. Without a stored hash (unknown account) it
/// still hashes once, so a wrong email costs the same time as a wrong password.
pub async fn verify_off_thread(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match stored {
        Some(stored) => verify(&password, &stored),
        None => {
            let _ = hash(&password);
            false
        }
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_password() {
        let stored = hash("correct horse battery").expect("hashed");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("Correct horse battery", &stored));
        assert!(!verify("correct horse battery", "not a hash"));
    }
}
