//! Ley 21.719 on the booking site: the business's privacy notice, versioned
//! (every save of a changed text is a new version, old ones never change),
//! and the consent each online booking records (the version accepted, the
//! WhatsApp choice). The decisions live once in `flow`; each backend holds
//! only its SQL (`NoticeTx`).

pub mod flow;

use async_trait::async_trait;
use ficha_domain::{Actor, BookingId, ClientId, Consent, NoticeText, PrivacyNotice};

use crate::error::StoreResult;

#[async_trait]
pub trait ConsentStore: Send + Sync {
    /// The notice the business's clients read now: its latest version, or
    /// the product's default as version 1 when the owner wrote none.
    async fn privacy_notice(&self, actor: &Actor) -> StoreResult<PrivacyNotice>;

    /// Every stored version, newest first (empty: the default, never
    /// accepted yet).
    async fn privacy_notice_versions(&self, actor: &Actor) -> StoreResult<Vec<PrivacyNotice>>;

    /// Owners only (`OwnerOnly`). A text different from the current one is
    /// stored as the next version; the same text changes nothing and
    /// returns the current version.
    async fn set_privacy_notice(&self, actor: &Actor, text: NoticeText) -> StoreResult<PrivacyNotice>;

    /// The consents recorded on these bookings (only those that have one,
    /// in no particular order).
    async fn consents_of(&self, actor: &Actor, bookings: &[BookingId]) -> StoreResult<Vec<(BookingId, Consent)>>;

    /// The client's most recent consent, if any booking recorded one.
    async fn latest_consent(&self, actor: &Actor, client: ClientId) -> StoreResult<Option<Consent>>;
}
