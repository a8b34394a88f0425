//! Mi cuenta as the store sees it: a client's sign-in (a one-time code and
//! link), sessions, email change awaiting verification, and optional
//! password — every row keyed by the business, every secret only as a hash
//! the web layer computed. A client's booking changes and edits go through
//! the same write paths as staff's, with `Actor::Client`
//! (`BookingSiteStore::change_as_client`, `ClientStore::update_client`).
//!
//! Every call takes an `Actor` of the business (the site's
//! `Actor::System`, or the signed-in `Actor::Client`): another business's
//! rows are never found.

use async_trait::async_trait;
use ficha_domain::{Actor, Client, ClientId, Email};
use jiff::Timestamp;
use uuid::Uuid;

use crate::error::StoreResult;

/// Wrong codes an issued sign-in takes before it dies.
pub const MAX_CODE_ATTEMPTS: u32 = 5;

/// A sign-in just issued, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSignIn {
    /// Public: the code form carries it.
    pub id: Uuid,
    pub client: ClientId,
    /// SHA-256 of the id and the code (`sign_in_code_hash`).
    pub code_hash: Vec<u8>,
    /// SHA-256 of the link's token.
    pub link_hash: Vec<u8>,
    pub expires_at: Timestamp,
}

/// Why a code or link opened nothing. The client is told the same for all
/// (nothing to learn by trying), tests tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRefused {
    /// Wrong code (counted), or no such sign-in.
    Wrong,
    /// Used, expired, or out of attempts.
    Dead,
}

/// An email change waiting for its verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEmail {
    pub client: ClientId,
    pub email: Email,
}

/// The hash a sign-in's code is stored as: bound to the sign-in's id, so
/// equal codes of two sign-ins do not hash alike.
pub fn sign_in_code_hash(id: Uuid, code: &str) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(b"ficha sign-in code\n");
    hasher.update(id.as_bytes());
    hasher.update(code.trim().as_bytes());
    hasher.finalize().to_vec()
}

#[async_trait]
pub trait ClientAccountStore: Send + Sync {
    /// The client whose email key (lower-cased, trimmed) this is.
    async fn client_by_email(&self, actor: &Actor, email_key: &str) -> StoreResult<Option<Client>>;

    /// Stores a sign-in; `NotFound` for a client not of the business.
    async fn issue_sign_in(&self, actor: &Actor, sign_in: &NewSignIn, now: Timestamp) -> StoreResult<()>;

    /// Spends the sign-in `id` if `code_hash` is its code, still live and
    /// with attempts left; a wrong code counts one attempt.
    async fn redeem_code(
        &self,
        actor: &Actor,
        id: Uuid,
        code_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<Result<ClientId, SignInRefused>>;

    /// Spends the live sign-in whose link has this hash.
    async fn redeem_link(
        &self,
        actor: &Actor,
        link_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<Result<ClientId, SignInRefused>>;

    async fn open_client_session(
        &self,
        actor: &Actor,
        client: ClientId,
        token_hash: &[u8],
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()>;

    /// The client a live session belongs to.
    async fn client_session(&self, actor: &Actor, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<ClientId>>;

    async fn close_client_session(&self, actor: &Actor, token_hash: &[u8]) -> StoreResult<()>;

    /// Every session of the client, on every device.
    async fn close_client_sessions(&self, actor: &Actor, client: ClientId) -> StoreResult<()>;

    /// Stores an email change for verification. `EmailTaken` when another
    /// profile of the business has it (the web layer never says whose).
    async fn request_email_change(
        &self,
        actor: &Actor,
        client: ClientId,
        email: &Email,
        token_hash: &[u8],
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()>;

    /// The newest email change of the client still waiting for its
    /// verification at `now`, if any (Mis datos says so).
    async fn pending_email_change(&self, actor: &Actor, client: ClientId, now: Timestamp)
    -> StoreResult<Option<Email>>;

    /// Spends a live verification: the caller then writes the email.
    async fn take_email_change(&self, actor: &Actor, token_hash: &[u8], now: Timestamp) -> StoreResult<PendingEmail>;

    async fn set_client_password(
        &self,
        actor: &Actor,
        client: ClientId,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<()>;

    async fn client_password(&self, actor: &Actor, client: ClientId) -> StoreResult<Option<String>>;
}
