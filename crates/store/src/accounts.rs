//! Businesses, staff accounts, login sessions and API tokens.

use async_trait::async_trait;
use ficha_domain::{Actor, Business, BusinessId, NewBusiness, NewStaff, Role, Staff, StaffId, TokenId};
use jiff::Timestamp;

use crate::error::StoreResult;

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates a business; for the installation's operator (command line).
    async fn create_business(&self, new: NewBusiness) -> StoreResult<Business>;

    async fn business_by_slug(&self, slug: &str) -> StoreResult<Option<Business>>;

    async fn business(&self, actor: &Actor) -> StoreResult<Business>;

    async fn count_businesses(&self) -> StoreResult<u64>;

    async fn create_staff(&self, actor: &Actor, new: NewStaff) -> StoreResult<Staff>;

    async fn list_staff(&self, actor: &Actor) -> StoreResult<Vec<Staff>>;

    /// Sets a new password and ends every session of the account, in one
    /// transaction: whoever knew the old password is signed out too.
    async fn set_staff_password(&self, actor: &Actor, staff: StaffId, password_hash: String) -> StoreResult<()>;

    /// Ends every session of a staff member of the actor's business ("Cerrar
    /// sesión en todos los dispositivos"); how many there were.
    async fn end_staff_sessions(&self, actor: &Actor, staff: StaffId) -> StoreResult<u64>;

    /// What a login checks a password against: the account of that email in
    /// the business with that slug.
    async fn staff_credentials(&self, business_slug: &str, email_key: &str) -> StoreResult<Option<StaffCredentials>>;

    async fn create_session(&self, staff: &Staff, token_hash: &[u8], expires_at: Timestamp) -> StoreResult<()>;

    /// The session's account, if the session exists and has not expired at `now`.
    async fn session(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<SessionInfo>>;

    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<()>;

    async fn create_api_token(&self, actor: &Actor, name: &str, token_hash: &[u8]) -> StoreResult<ApiToken>;

    async fn list_api_tokens(&self, actor: &Actor) -> StoreResult<Vec<ApiToken>>;

    async fn revoke_api_token(&self, actor: &Actor, id: TokenId) -> StoreResult<()>;

    /// The token's record, if it exists; marks it used at `now`.
    async fn use_api_token(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<ApiToken>>;
}

#[derive(Debug, Clone)]
pub struct StaffCredentials {
    pub staff: Staff,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub staff: Staff,
    pub expires_at: Timestamp,
}

impl SessionInfo {
    pub fn actor(&self) -> Actor {
        Actor::Staff { business: self.staff.business, staff: Some(self.staff.id), role: self.staff.role }
    }
}

/// A per-business token for integrators. It acts with owner rights on the
/// business's data; the secret itself is never stored, only its hash.
#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: TokenId,
    pub business: BusinessId,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

impl ApiToken {
    pub fn actor(&self) -> Actor {
        Actor::Staff { business: self.business, staff: None, role: Role::Owner }
    }
}
