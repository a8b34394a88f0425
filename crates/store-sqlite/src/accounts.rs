//! Businesses, staff, sessions and API tokens on SQLite.

use async_trait::async_trait;
use ficha_domain::{
    Actor, Business, BusinessId, ClientName, Email, NewBusiness, NewStaff, Role, Slug, Staff, StaffId, TokenId,
};
use ficha_store::record::{micros, timestamp};
use ficha_store::{AccountStore, ApiToken, SessionInfo, StaffCredentials, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;

use crate::{SqliteStore, is_unique_violation};

fn business(row: &SqliteRow) -> StoreResult<Business> {
    let slug: String = row.try_get("slug").map_err(StoreError::backend)?;
    Ok(Business {
        id: BusinessId::from_uuid(row.try_get("id").map_err(StoreError::backend)?),
        slug: Slug::parse(&slug).map_err(|_| StoreError::Corrupt(format!("business slug {slug:?}")))?,
        name: row.try_get("name").map_err(StoreError::backend)?,
        time_zone: row.try_get("time_zone").map_err(StoreError::backend)?,
        created_at: timestamp(row.try_get("created_at").map_err(StoreError::backend)?)?,
    })
}

fn staff(row: &SqliteRow) -> StoreResult<Staff> {
    let get = |column: &str| -> StoreResult<String> { row.try_get(column).map_err(StoreError::backend) };
    let (name, email, role) = (get("name")?, get("email")?, get("role")?);
    Ok(Staff {
        id: StaffId::from_uuid(row.try_get("id").map_err(StoreError::backend)?),
        business: BusinessId::from_uuid(row.try_get("business_id").map_err(StoreError::backend)?),
        name: ClientName::parse(&name).map_err(|_| StoreError::Corrupt(format!("staff name {name:?}")))?,
        email: Email::parse(&email).map_err(|_| StoreError::Corrupt(format!("staff email {email:?}")))?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("staff role {role:?}")))?,
        created_at: timestamp(row.try_get("created_at").map_err(StoreError::backend)?)?,
    })
}

fn api_token(row: &SqliteRow) -> StoreResult<ApiToken> {
    let last_used: Option<i64> = row.try_get("last_used_at").map_err(StoreError::backend)?;
    Ok(ApiToken {
        id: TokenId::from_uuid(row.try_get("id").map_err(StoreError::backend)?),
        business: BusinessId::from_uuid(row.try_get("business_id").map_err(StoreError::backend)?),
        name: row.try_get("name").map_err(StoreError::backend)?,
        created_at: timestamp(row.try_get("created_at").map_err(StoreError::backend)?)?,
        last_used_at: last_used.map(timestamp).transpose()?,
    })
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_business(&self, new: NewBusiness) -> StoreResult<Business> {
        let created = Business {
            id: BusinessId::generate(),
            slug: new.slug,
            name: new.name,
            time_zone: new.time_zone,
            created_at: self.clock.now(),
        };
        let inserted =
            sqlx::query("INSERT INTO businesses (id, slug, name, time_zone, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
                .bind(created.id.as_uuid())
                .bind(created.slug.as_str())
                .bind(&created.name)
                .bind(&created.time_zone)
                .bind(micros(created.created_at))
                .execute(&self.pool)
                .await;
        match inserted {
            Ok(_) => Ok(created),
            Err(e) if is_unique_violation(&e) => Err(StoreError::SlugTaken),
            Err(e) => Err(StoreError::backend(e)),
        }
    }

    async fn business_by_slug(&self, slug: &str) -> StoreResult<Option<Business>> {
        sqlx::query("SELECT id, slug, name, time_zone, created_at FROM businesses WHERE slug = ?1")
            .bind(slug)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::backend)?
            .map(|row| business(&row))
            .transpose()
    }

    async fn business(&self, actor: &Actor) -> StoreResult<Business> {
        let row = sqlx::query("SELECT id, slug, name, time_zone, created_at FROM businesses WHERE id = ?1")
            .bind(actor.business().as_uuid())
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::backend)?
            .ok_or(StoreError::NotFound)?;
        business(&row)
    }

    async fn count_businesses(&self) -> StoreResult<u64> {
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM businesses")
            .fetch_one(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn create_staff(&self, actor: &Actor, new: NewStaff) -> StoreResult<Staff> {
        let created = Staff {
            id: StaffId::generate(),
            business: actor.business(),
            name: new.name,
            email: new.email,
            role: new.role,
            created_at: self.clock.now(),
        };
        let inserted = sqlx::query(
            "INSERT INTO staff (id, business_id, name, email, email_key, role, password_hash, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(created.id.as_uuid())
        .bind(created.business.as_uuid())
        .bind(created.name.as_str())
        .bind(created.email.as_str())
        .bind(created.email.key())
        .bind(created.role.as_str())
        .bind(&new.password_hash)
        .bind(micros(created.created_at))
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => Ok(created),
            Err(e) if is_unique_violation(&e) => Err(StoreError::StaffEmailTaken),
            Err(e) => Err(StoreError::backend(e)),
        }
    }

    async fn list_staff(&self, actor: &Actor) -> StoreResult<Vec<Staff>> {
        sqlx::query(
            "SELECT s.id, s.business_id, s.name, s.email, s.role, s.created_at FROM staff s \
             WHERE s.business_id = ?1 ORDER BY s.name, s.id",
        )
        .bind(actor.business().as_uuid())
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::backend)?
        .iter()
        .map(staff)
        .collect()
    }

    async fn set_staff_password(&self, actor: &Actor, id: StaffId, password_hash: String) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let updated = sqlx::query("UPDATE staff SET password_hash = ?3 WHERE business_id = ?1 AND id = ?2")
            .bind(actor.business().as_uuid())
            .bind(id.as_uuid())
            .bind(password_hash)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        end_sessions(&mut tx, actor, id).await?;
        tx.commit().await.map_err(StoreError::backend)
    }

    async fn end_staff_sessions(&self, actor: &Actor, id: StaffId) -> StoreResult<u64> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        end_sessions(&mut conn, actor, id).await
    }

    async fn staff_credentials(&self, business_slug: &str, email_key: &str) -> StoreResult<Option<StaffCredentials>> {
        let row = sqlx::query(
            "SELECT s.id, s.business_id, s.name, s.email, s.role, s.created_at, s.password_hash \
             FROM staff s JOIN businesses b ON b.id = s.business_id WHERE b.slug = ?1 AND s.email_key = ?2",
        )
        .bind(business_slug)
        .bind(email_key)
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(StaffCredentials {
            staff: staff(&row)?,
            password_hash: row.try_get("password_hash").map_err(StoreError::backend)?,
        }))
    }

    async fn create_session(&self, staff: &Staff, token_hash: &[u8], expires_at: Timestamp) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (business_id, token_hash, staff_id, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(staff.business.as_uuid())
        .bind(token_hash)
        .bind(staff.id.as_uuid())
        .bind(micros(self.clock.now()))
        .bind(micros(expires_at))
        .execute(&self.pool)
        .await
        .map(drop)
        .map_err(StoreError::backend)
    }

    async fn session(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<SessionInfo>> {
        let row = sqlx::query(
            "SELECT s.id, s.business_id, s.name, s.email, s.role, s.created_at, x.expires_at \
             FROM sessions x JOIN staff s ON s.business_id = x.business_id AND s.id = x.staff_id \
             WHERE x.token_hash = ?1 AND x.expires_at > ?2",
        )
        .bind(token_hash)
        .bind(micros(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SessionInfo {
            staff: staff(&row)?,
            expires_at: timestamp(row.try_get("expires_at").map_err(StoreError::backend)?)?,
        }))
    }

    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map(drop)
            .map_err(StoreError::backend)
    }

    async fn create_api_token(&self, actor: &Actor, name: &str, token_hash: &[u8]) -> StoreResult<ApiToken> {
        let token = ApiToken {
            id: TokenId::generate(),
            business: actor.business(),
            name: name.to_owned(),
            created_at: self.clock.now(),
            last_used_at: None,
        };
        sqlx::query(
            "INSERT INTO api_tokens (id, business_id, name, token_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(token.id.as_uuid())
        .bind(token.business.as_uuid())
        .bind(&token.name)
        .bind(token_hash)
        .bind(micros(token.created_at))
        .execute(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        Ok(token)
    }

    async fn list_api_tokens(&self, actor: &Actor) -> StoreResult<Vec<ApiToken>> {
        sqlx::query(
            "SELECT id, business_id, name, created_at, last_used_at FROM api_tokens \
             WHERE business_id = ?1 ORDER BY created_at, id",
        )
        .bind(actor.business().as_uuid())
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::backend)?
        .iter()
        .map(api_token)
        .collect()
    }

    async fn revoke_api_token(&self, actor: &Actor, id: TokenId) -> StoreResult<()> {
        let deleted = sqlx::query("DELETE FROM api_tokens WHERE business_id = ?1 AND id = ?2")
            .bind(actor.business().as_uuid())
            .bind(id.as_uuid())
            .execute(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        if deleted.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn use_api_token(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<ApiToken>> {
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = ?2 WHERE token_hash = ?1 \
             RETURNING id, business_id, name, created_at, last_used_at",
        )
        .bind(token_hash)
        .bind(micros(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::backend)?
        .map(|row| api_token(&row))
        .transpose()
    }
}

/// Deletes the sessions of staff member `id`, only if they belong to the
/// actor's business.
async fn end_sessions(conn: &mut SqliteConnection, actor: &Actor, id: StaffId) -> StoreResult<u64> {
    sqlx::query("DELETE FROM sessions WHERE business_id = ?1 AND staff_id = ?2")
        .bind(actor.business().as_uuid())
        .bind(id.as_uuid())
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
        .map_err(StoreError::backend)
}
