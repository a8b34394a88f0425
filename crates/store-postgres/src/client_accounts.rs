//! Mi cuenta's sign-ins, sessions, email changes and passwords on PostgreSQL:
//! one statement each, every one bound to the actor's business. A code or
//! link is spent by the UPDATE that checks it, so two requests racing with
//! one code open at most one session.

use async_trait::async_trait;
use ficha_domain::{Actor, Client, ClientId, Email};
use ficha_store::client_accounts::MAX_CODE_ATTEMPTS;
use ficha_store::record::micros;
use ficha_store::{ClientAccountStore, NewSignIn, PendingEmail, SignInRefused, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::Row;
use uuid::Uuid;

use crate::PgStore;
use crate::clients::record;

#[async_trait]
impl ClientAccountStore for PgStore {
    async fn client_by_email(&self, actor: &Actor, email_key: &str) -> StoreResult<Option<Client>> {
        // The email's client, or the one it is an alias of (a merge): the
        // person signs in to the profile they live on now.
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let business = actor.business();
        let Some(id) = crate::merges::email_holder(&mut conn, business, email_key).await? else { return Ok(None) };
        let row = sqlx::query(
            "SELECT id, name, email, phone, rut, birth_date::text AS birth_date, last_booking_at, registered_at, version \
             FROM clients WHERE business_id = $1 AND id = $2",
        )
        .bind(business.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::backend)?;
        row.map(|row| record(&row).map_err(StoreError::backend)?.into_client()).transpose()
    }

    async fn issue_sign_in(&self, actor: &Actor, sign_in: &NewSignIn, now: Timestamp) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO client_sign_ins (business_id, id, client_id, code_hash, link_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(actor.business().as_uuid())
        .bind(sign_in.id)
        .bind(sign_in.client.as_uuid())
        .bind(&sign_in.code_hash)
        .bind(&sign_in.link_hash)
        .bind(micros(now))
        .bind(micros(sign_in.expires_at))
        .execute(&self.pool)
        .await
        .map(drop)
        .map_err(not_found_on_foreign_key)
    }

    async fn redeem_code(
        &self,
        actor: &Actor,
        id: Uuid,
        code_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<Result<ClientId, SignInRefused>> {
        let business = actor.business().as_uuid();
        let spent: Option<Uuid> = sqlx::query_scalar(
            "UPDATE client_sign_ins SET used_at = $4 WHERE business_id = $1 AND id = $2 AND code_hash = $3 \
             AND used_at IS NULL AND expires_at > $4 AND attempts < $5 RETURNING client_id",
        )
        .bind(business)
        .bind(id)
        .bind(code_hash)
        .bind(micros(now))
        .bind(i32::try_from(MAX_CODE_ATTEMPTS).unwrap_or(i32::MAX))
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        if let Some(client) = spent {
            return Ok(Ok(ClientId::from_uuid(client)));
        }
        // Wrong: one attempt fewer, while it lives.
        let counted = sqlx::query(
            "UPDATE client_sign_ins SET attempts = attempts + 1 WHERE business_id = $1 AND id = $2 \
             AND used_at IS NULL AND expires_at > $3 AND attempts < $4 RETURNING id",
        )
        .bind(business)
        .bind(id)
        .bind(micros(now))
        .bind(i32::try_from(MAX_CODE_ATTEMPTS).unwrap_or(i32::MAX))
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        Ok(Err(if counted.is_some() { SignInRefused::Wrong } else { SignInRefused::Dead }))
    }

    async fn redeem_link(
        &self,
        actor: &Actor,
        link_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<Result<ClientId, SignInRefused>> {
        let spent: Option<Uuid> = sqlx::query_scalar(
            "UPDATE client_sign_ins SET used_at = $3 WHERE business_id = $1 AND link_hash = $2 \
             AND used_at IS NULL AND expires_at > $3 AND attempts < $4 RETURNING client_id",
        )
        .bind(actor.business().as_uuid())
        .bind(link_hash)
        .bind(micros(now))
        .bind(i32::try_from(MAX_CODE_ATTEMPTS).unwrap_or(i32::MAX))
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        Ok(spent.map(ClientId::from_uuid).ok_or(SignInRefused::Dead))
    }

    async fn open_client_session(
        &self,
        actor: &Actor,
        client: ClientId,
        token_hash: &[u8],
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO client_sessions (business_id, token_hash, client_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(actor.business().as_uuid())
        .bind(token_hash)
        .bind(client.as_uuid())
        .bind(micros(now))
        .bind(micros(expires_at))
        .execute(&self.pool)
        .await
        .map(drop)
        .map_err(not_found_on_foreign_key)
    }

    async fn client_session(&self, actor: &Actor, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<ClientId>> {
        let client: Option<Uuid> = sqlx::query_scalar(
            "SELECT client_id FROM client_sessions WHERE business_id = $1 AND token_hash = $2 AND expires_at > $3",
        )
        .bind(actor.business().as_uuid())
        .bind(token_hash)
        .bind(micros(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        Ok(client.map(ClientId::from_uuid))
    }

    async fn close_client_session(&self, actor: &Actor, token_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM client_sessions WHERE business_id = $1 AND token_hash = $2")
            .bind(actor.business().as_uuid())
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn close_client_sessions(&self, actor: &Actor, client: ClientId) -> StoreResult<()> {
        sqlx::query("DELETE FROM client_sessions WHERE business_id = $1 AND client_id = $2")
            .bind(actor.business().as_uuid())
            .bind(client.as_uuid())
            .execute(&self.pool)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn request_email_change(
        &self,
        actor: &Actor,
        client: ClientId,
        email: &Email,
        token_hash: &[u8],
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        let business = actor.business().as_uuid();
        // Another profile's email, or an alias of another profile, is taken.
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let holder = crate::merges::email_holder(&mut conn, actor.business(), &email.key())
            .await?
            .filter(|holder| *holder != client);
        drop(conn);
        if let Some(existing) = holder {
            return Err(StoreError::EmailTaken { existing });
        }
        sqlx::query(
            "INSERT INTO client_email_changes (business_id, token_hash, client_id, new_email, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(business)
        .bind(token_hash)
        .bind(client.as_uuid())
        .bind(email.as_str())
        .bind(micros(now))
        .bind(micros(expires_at))
        .execute(&self.pool)
        .await
        .map(drop)
        .map_err(not_found_on_foreign_key)
    }

    async fn pending_email_change(
        &self,
        actor: &Actor,
        client: ClientId,
        now: Timestamp,
    ) -> StoreResult<Option<Email>> {
        let email: Option<String> = sqlx::query_scalar(
            "SELECT new_email FROM client_email_changes WHERE business_id = $1 AND client_id = $2 \
             AND used_at IS NULL AND expires_at > $3 ORDER BY created_at DESC LIMIT 1",
        )
        .bind(actor.business().as_uuid())
        .bind(client.as_uuid())
        .bind(micros(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        email.map(|e| Email::parse(&e).map_err(|_| StoreError::Corrupt(format!("pending email {e:?}")))).transpose()
    }

    async fn take_email_change(&self, actor: &Actor, token_hash: &[u8], now: Timestamp) -> StoreResult<PendingEmail> {
        let row = sqlx::query(
            "UPDATE client_email_changes SET used_at = $3 WHERE business_id = $1 AND token_hash = $2 \
             AND used_at IS NULL AND expires_at > $3 RETURNING client_id, new_email",
        )
        .bind(actor.business().as_uuid())
        .bind(token_hash)
        .bind(micros(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::backend)?
        .ok_or(StoreError::NotFound)?;
        let client: Uuid = row.try_get("client_id").map_err(StoreError::backend)?;
        let email: String = row.try_get("new_email").map_err(StoreError::backend)?;
        let email = Email::parse(&email).map_err(|_| StoreError::Corrupt(format!("pending email {email:?}")))?;
        Ok(PendingEmail { client: ClientId::from_uuid(client), email })
    }

    async fn set_client_password(
        &self,
        actor: &Actor,
        client: ClientId,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO client_passwords (business_id, client_id, password_hash, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (business_id, client_id) DO UPDATE SET password_hash = excluded.password_hash, \
             updated_at = excluded.updated_at",
        )
        .bind(actor.business().as_uuid())
        .bind(client.as_uuid())
        .bind(password_hash)
        .bind(micros(now))
        .execute(&self.pool)
        .await
        .map(drop)
        .map_err(not_found_on_foreign_key)
    }

    async fn client_password(&self, actor: &Actor, client: ClientId) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT password_hash FROM client_passwords WHERE business_id = $1 AND client_id = $2")
            .bind(actor.business().as_uuid())
            .bind(client.as_uuid())
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::backend)
    }
}

/// A row about a client not of the business breaks its foreign key: that
/// client is simply not found.
fn not_found_on_foreign_key(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
        _ => StoreError::backend(error),
    }
}
