//! The privacy notice's versions and a booking's consent, decided once for
//! both backends over a `NoticeTx` on an open writing transaction.

use async_trait::async_trait;
use ficha_domain::{
    Acceptance, Actor, BookingId, BusinessId, ClientId, Consent, NoticeText, PrivacyNotice, SiteRule, StaffId,
};
use jiff::Timestamp;

use crate::error::{StoreError, StoreResult};

/// One backend's notice and consent queries. Every query binds `business`.
#[async_trait]
pub trait NoticeTx: Send {
    /// The business's latest stored version, if any.
    async fn latest_notice(&mut self, business: BusinessId) -> StoreResult<Option<PrivacyNotice>>;

    /// Inserts a version; `false` (nothing written) when the business has
    /// that version already (a concurrent writer got there first).
    async fn insert_notice(&mut self, business: BusinessId, notice: &PrivacyNotice) -> StoreResult<bool>;

    /// A staff member's name, for the version's author.
    async fn staff_name(&mut self, business: BusinessId, staff: StaffId) -> StoreResult<String>;

    async fn save_consent(
        &mut self,
        business: BusinessId,
        booking: BookingId,
        client: ClientId,
        consent: &Consent,
    ) -> StoreResult<()>;
}

/// The current notice: the latest stored, else the default as version 1.
pub async fn current<T: NoticeTx + ?Sized>(tx: &mut T, business: BusinessId) -> StoreResult<PrivacyNotice> {
    Ok(tx.latest_notice(business).await?.unwrap_or_else(PrivacyNotice::default_unstored))
}

/// Checks that the client accepted the current version and returns it. The
/// default, accepted for the first time, is stored as version 1 so every
/// consent points at a stored text. A stale version is `NoticeOutdated`.
pub async fn accepted<T: NoticeTx + ?Sized>(
    tx: &mut T,
    business: BusinessId,
    acceptance: &Acceptance,
    now: Timestamp,
) -> StoreResult<u32> {
    let version = match tx.latest_notice(business).await? {
        Some(stored) => stored.version,
        None => {
            let default = PrivacyNotice { written_at: Some(now), ..PrivacyNotice::default_unstored() };
            if tx.insert_notice(business, &default).await? {
                default.version
            } else {
                // Written meanwhile: by another first booking (the same
                // default, fine), or by the owner (then the client read a
                // notice no longer in force).
                match tx.latest_notice(business).await? {
                    Some(stored) if stored.is_default => stored.version,
                    _ => return Err(SiteRule::NoticeOutdated.into()),
                }
            }
        }
    };
    if acceptance.notice_version != version {
        return Err(SiteRule::NoticeOutdated.into());
    }
    Ok(version)
}

/// `ConsentStore::set_privacy_notice` inside the backend's transaction.
pub async fn write<T: NoticeTx + ?Sized>(
    tx: &mut T,
    actor: &Actor,
    text: &NoticeText,
    now: Timestamp,
) -> StoreResult<PrivacyNotice> {
    if !actor.is_owner() {
        return Err(StoreError::OwnerOnly);
    }
    let business = actor.business();
    let author = match actor {
        Actor::Staff { staff: Some(staff), .. } => Some((*staff, tx.staff_name(business, *staff).await?)),
        _ => None,
    };
    // A concurrent save may take the number: read again and retry.
    for _ in 0..4 {
        let Some(stored) = tx.latest_notice(business).await? else {
            // The default is version 1 whether or not anyone accepted it
            // yet: a client who read it never finds the owner's first text
            // under the same number.
            let default = PrivacyNotice { written_at: Some(now), ..PrivacyNotice::default_unstored() };
            if default.text == text.as_str() {
                return Ok(PrivacyNotice::default_unstored());
            }
            tx.insert_notice(business, &default).await?;
            continue;
        };
        if stored.text == text.as_str() {
            return Ok(stored);
        }
        let notice = PrivacyNotice {
            version: stored.version + 1,
            text: text.as_str().to_owned(),
            is_default: false,
            author: author.clone(),
            written_at: Some(now),
        };
        if tx.insert_notice(business, &notice).await? {
            return Ok(notice);
        }
    }
    Err(StoreError::Corrupt("privacy notice versions keep changing".into()))
}
