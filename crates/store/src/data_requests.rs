//! The register of data-subject requests (Ley 21.719) as the store sees it:
//! who asked, which right, by which channel, when it falls due, and where
//! it is; the business's due-days setting; and the one-time codes that
//! confirm an email on the booking site's privacy page.
//!
//! Who may do what: owners (and the system) read and move every request of
//! the business; a professional gets `OwnerOnly`; a client (`Actor::Client`)
//! files and reads only their own. Every write is decided once in `flow`.

pub mod flow;
pub mod record;

use async_trait::async_trait;
use ficha_domain::{
    Actor, ClientId, DataRequest, DataRequestId, DataRight, DueDays, Email, NoteText, RequestChannel, RequestStatus,
    RequestStep,
};
use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

use crate::client_accounts::SignInRefused;
use crate::error::StoreResult;

/// How long a privacy-page code lives, and the wrong codes it takes.
pub const CODE_MINUTES: i64 = 15;
pub use crate::client_accounts::MAX_CODE_ATTEMPTS;

/// A request about to be filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDataRequest {
    /// The profile it is about, when staff chose one (a client filing from
    /// Mi cuenta is always their own; the privacy page matches by email).
    pub client: Option<ClientId>,
    /// The requester's address when there is no profile to take it from.
    pub email: Option<Email>,
    pub right: DataRight,
    pub channel: RequestChannel,
    pub detail: Option<NoteText>,
}

/// Which requests a list holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    pub status: Option<RequestStatus>,
    pub client: Option<ClientId>,
}

/// Open requests past their due date, and due within the window asked for:
/// the panel header's flag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DueCounts {
    pub overdue: u32,
    pub due_soon: u32,
}

/// A privacy-page request waiting for its email's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacyCode {
    /// Public: the code form carries it.
    pub id: Uuid,
    pub email: Email,
    pub right: DataRight,
    pub detail: Option<NoteText>,
    /// `client_accounts::sign_in_code_hash(id, code)`.
    pub code_hash: Vec<u8>,
    pub expires_at: Timestamp,
}

#[async_trait]
pub trait DataRequestStore: Send + Sync {
    /// Files a request received now: the due date from the business's
    /// setting, an entry in the client's history when there is a client.
    /// Staff (owners only) record email/phone/in-person requests; a client
    /// files their own from Mi cuenta; the system files the privacy page's.
    async fn file_data_request(&self, actor: &Actor, request: NewDataRequest) -> StoreResult<DataRequest>;

    /// The requests, open ones first by due date (overdue first), then the
    /// closed ones newest first. A client sees only their own.
    async fn data_requests(&self, actor: &Actor, filter: &RequestFilter) -> StoreResult<Vec<DataRequest>>;

    async fn data_request(&self, actor: &Actor, id: DataRequestId) -> StoreResult<DataRequest>;

    /// Takes a step (owners only): start, answer, refuse, extend once.
    /// An illegal one is `StoreError::RequestStep`, nothing changed.
    async fn step_data_request(&self, actor: &Actor, id: DataRequestId, step: RequestStep) -> StoreResult<DataRequest>;

    /// The days a business gives itself to answer (default 30).
    async fn data_request_due_days(&self, actor: &Actor) -> StoreResult<DueDays>;

    /// Owners only.
    async fn set_data_request_due_days(&self, actor: &Actor, days: DueDays) -> StoreResult<()>;

    /// Open requests due before `today` and from `today` to `soon`
    /// (inclusive). Owners only. One indexed query.
    async fn data_requests_due(&self, actor: &Actor, today: Date, soon: Date) -> StoreResult<DueCounts>;

    /// Stores a privacy-page request waiting for its code.
    async fn issue_privacy_code(&self, actor: &Actor, code: &PrivacyCode) -> StoreResult<()>;

    /// Spends the code `id` if `code_hash` is its code, live and with
    /// attempts left, and files its request in the same transaction
    /// (matched to a profile by email). A wrong code counts an attempt.
    async fn confirm_privacy_code(
        &self,
        actor: &Actor,
        id: Uuid,
        code_hash: &[u8],
    ) -> StoreResult<Result<DataRequest, SignInRefused>>;
}

/// The request a spent privacy code was holding.
pub fn waiting(email: String, right: String, detail: Option<String>) -> StoreResult<NewDataRequest> {
    let corrupt = || crate::StoreError::Corrupt("data request code".into());
    Ok(NewDataRequest {
        client: None,
        email: Some(Email::parse(&email).map_err(|_| corrupt())?),
        right: DataRight::parse(&right).ok_or_else(corrupt)?,
        channel: RequestChannel::PrivacyPage,
        detail: detail.as_deref().map(NoteText::parse).transpose().map_err(|_| corrupt())?,
    })
}
