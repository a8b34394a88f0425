//! Signing a staff member in, shared by the JSON API and the panel: checks
//! the login throttle, the password, and opens a session.

use ficha_domain::Staff;
use ficha_store::LoginKey;
use jiff::Timestamp;

use crate::AppState;
use crate::auth::{password, secret, throttle};
use crate::problem::ApiError;

/// An open session: the secret goes into the cookie, only its hash is stored.
pub struct SignedIn {
    pub staff: Staff,
    pub secret: String,
    pub expires_at: Timestamp,
}

/// The same refusal whether the business, the email or the password was
/// wrong, so logins reveal nothing; repeated failures make the next attempt
/// wait (`TooManyAttempts`).
/// `address` is where the attempt comes from (`ClientAddress`).
pub async fn sign_in(
    state: &AppState,
    business: &str,
    email: &str,
    password: String,
    address: &str,
) -> Result<SignedIn, ApiError> {
    let key = LoginKey::new(business, email);
    let address = throttle::address_key(address);
    throttle::check(state, &key, &address).await?;
    let credentials = state.store.staff_credentials(&key.business_slug, &key.email_key).await?;
    let stored_hash = credentials.as_ref().map(|c| c.password_hash.clone());
    let verified = password::verify_off_thread(password, stored_hash).await;
    let Some(credentials) = credentials.filter(|_| verified) else {
        throttle::failed(state, &key, &address).await?;
        return Err(ApiError::InvalidCredentials);
    };
    throttle::succeeded(state, &key).await?;

    let secret = secret::generate().map_err(|e| {
        tracing::error!(error = %e, "no randomness for a session secret");
        ApiError::Internal
    })?;
    let ttl = i64::try_from(state.config.session_ttl.as_secs()).unwrap_or(0);
    let expires_at = state.clock.now() + jiff::SignedDuration::from_secs(ttl);
    state.store.create_session(&credentials.staff, &secret::hash(&secret), expires_at).await?;
    Ok(SignedIn { staff: credentials.staff, secret, expires_at })
}
