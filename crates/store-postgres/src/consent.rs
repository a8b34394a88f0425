//! The privacy notice's versions and the bookings' consents on PostgreSQL:
//! the queries of `ficha_store::consent::flow`, on the booking's
//! transaction or the notice's own. Two first versions written at once meet
//! on the primary key (`ON CONFLICT DO NOTHING`), and the flow reads again.

use async_trait::async_trait;
use ficha_domain::{Actor, BookingId, BusinessId, ClientId, Consent, NoticeText, PrivacyNotice, StaffId};
use ficha_store::consent::flow::{self, NoticeTx};
use ficha_store::record::{micros, timestamp};
use ficha_store::{ConsentStore, StoreError, StoreResult};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::PgStore;
use crate::bookings::Tx;

const LATEST_NOTICE: &str = "SELECT version, body, is_default, staff_id, author, written_at FROM privacy_notices \
     WHERE business_id = $1 ORDER BY version DESC LIMIT 1";

const ALL_NOTICES: &str = "SELECT version, body, is_default, staff_id, author, written_at FROM privacy_notices \
     WHERE business_id = $1 ORDER BY version DESC";

/// Versions are only ever inserted: an old one never changes.
const INSERT_NOTICE: &str = "INSERT INTO privacy_notices \
     (business_id, version, body, is_default, staff_id, author, written_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT DO NOTHING";

const INSERT_CONSENT: &str = "INSERT INTO booking_consents \
     (business_id, booking_id, client_id, notice_version, accepted_at, whatsapp_opt_in) \
     VALUES ($1, $2, $3, $4, $5, $6)";

const CONSENTS_OF: &str = "SELECT booking_id, notice_version, accepted_at, whatsapp_opt_in FROM booking_consents \
     WHERE business_id = $1 AND booking_id = ANY($2)";

const LATEST_CONSENT: &str = "SELECT notice_version, accepted_at, whatsapp_opt_in FROM booking_consents \
     WHERE business_id = $1 AND client_id = $2 ORDER BY accepted_at DESC LIMIT 1";

fn notice(row: &PgRow) -> StoreResult<PrivacyNotice> {
    let read = || -> Result<_, sqlx::Error> {
        let staff: Option<Uuid> = row.try_get("staff_id")?;
        let author: Option<String> = row.try_get("author")?;
        let version: i32 = row.try_get("version")?;
        Ok((version, row.try_get("body")?, row.try_get("is_default")?, staff, author, row.try_get("written_at")?))
    };
    let (version, text, is_default, staff, author, written_at): (i32, String, bool, _, _, i64) =
        read().map_err(StoreError::backend)?;
    Ok(PrivacyNotice {
        version: u32::try_from(version).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        text,
        is_default,
        author: staff.map(|id| (StaffId::from_uuid(id), author.unwrap_or_default())),
        written_at: Some(timestamp(written_at)?),
    })
}

fn consent(row: &PgRow) -> StoreResult<Consent> {
    let read = || -> Result<(i32, i64, Option<bool>), sqlx::Error> {
        Ok((row.try_get("notice_version")?, row.try_get("accepted_at")?, row.try_get("whatsapp_opt_in")?))
    };
    let (version, at, whatsapp) = read().map_err(StoreError::backend)?;
    Ok(Consent {
        notice_version: u32::try_from(version).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        accepted_at: timestamp(at)?,
        whatsapp_opt_in: whatsapp,
    })
}

async fn latest(conn: &mut PgConnection, business: BusinessId) -> StoreResult<Option<PrivacyNotice>> {
    let row =
        sqlx::query(LATEST_NOTICE).bind(business.as_uuid()).fetch_optional(conn).await.map_err(StoreError::backend)?;
    row.as_ref().map(notice).transpose()
}

#[async_trait]
impl NoticeTx for Tx<'_> {
    async fn latest_notice(&mut self, business: BusinessId) -> StoreResult<Option<PrivacyNotice>> {
        latest(self.0, business).await
    }

    async fn insert_notice(&mut self, business: BusinessId, notice: &PrivacyNotice) -> StoreResult<bool> {
        let at = notice.written_at.ok_or_else(|| StoreError::Corrupt("a notice stored without its time".into()))?;
        let done = sqlx::query(INSERT_NOTICE)
            .bind(business.as_uuid())
            .bind(i32::try_from(notice.version).map_err(|e| StoreError::Corrupt(e.to_string()))?)
            .bind(&notice.text)
            .bind(notice.is_default)
            .bind(notice.author.as_ref().map(|(id, _)| id.as_uuid()))
            .bind(notice.author.as_ref().map(|(_, name)| name.clone()))
            .bind(micros(at))
            .execute(&mut *self.0)
            .await
            .map_err(StoreError::backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn staff_name(&mut self, business: BusinessId, staff: StaffId) -> StoreResult<String> {
        let row = crate::scoped_row(
            self.0,
            "SELECT name FROM staff WHERE business_id = $1 AND id = $2",
            business,
            staff.as_uuid(),
        )
        .await?;
        row.try_get("name").map_err(StoreError::backend)
    }

    async fn save_consent(
        &mut self,
        business: BusinessId,
        booking: BookingId,
        client: ClientId,
        consent: &Consent,
    ) -> StoreResult<()> {
        sqlx::query(INSERT_CONSENT)
            .bind(business.as_uuid())
            .bind(booking.as_uuid())
            .bind(client.as_uuid())
            .bind(i32::try_from(consent.notice_version).map_err(|e| StoreError::Corrupt(e.to_string()))?)
            .bind(micros(consent.accepted_at))
            .bind(consent.whatsapp_opt_in)
            .execute(&mut *self.0)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }
}

#[async_trait]
impl ConsentStore for PgStore {
    async fn privacy_notice(&self, actor: &Actor) -> StoreResult<PrivacyNotice> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        flow::current(&mut Tx(&mut conn), actor.business()).await
    }

    async fn privacy_notice_versions(&self, actor: &Actor) -> StoreResult<Vec<PrivacyNotice>> {
        let rows = sqlx::query(ALL_NOTICES)
            .bind(actor.business().as_uuid())
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        rows.iter().map(notice).collect()
    }

    async fn set_privacy_notice(&self, actor: &Actor, text: NoticeText) -> StoreResult<PrivacyNotice> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let written = flow::write(&mut Tx(&mut tx), actor, &text, now).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(written)
    }

    async fn consents_of(&self, actor: &Actor, bookings: &[BookingId]) -> StoreResult<Vec<(BookingId, Consent)>> {
        if bookings.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = bookings.iter().map(|id| id.as_uuid()).collect();
        let query = sqlx::query(CONSENTS_OF).bind(actor.business().as_uuid()).bind(&ids);
        let rows = query.fetch_all(&self.pool).await.map_err(StoreError::backend)?;
        rows.iter()
            .map(|row| {
                let id: Uuid = row.try_get("booking_id").map_err(StoreError::backend)?;
                Ok((BookingId::from_uuid(id), consent(row)?))
            })
            .collect()
    }

    async fn latest_consent(&self, actor: &Actor, client: ClientId) -> StoreResult<Option<Consent>> {
        let row = sqlx::query(LATEST_CONSENT)
            .bind(actor.business().as_uuid())
            .bind(client.as_uuid())
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        row.as_ref().map(consent).transpose()
    }
}
