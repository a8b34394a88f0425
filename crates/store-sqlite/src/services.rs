//! Services and agendas on SQLite.

use std::collections::{BTreeMap, BTreeSet};

use ficha_domain::fold::name_key;
use ficha_domain::{Actor, Agenda, BookingRule, BusinessId, NewService, Service, ServiceChanges, ServiceId, StaffId};
use ficha_store::bookings::record::{ServiceRecord, agenda_from_text, agenda_json};
use ficha_store::bookings::several;
use ficha_store::record::micros;
use ficha_store::{StoreError, StoreResult};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::SqliteStore;

const SELECT_SERVICE: &str = "SELECT id, name, duration_minutes, price_clp, sessions, created_at \
     FROM services WHERE business_id = ?1 AND id = ?2";

const SELECT_STAFF: &str = "SELECT id FROM staff WHERE business_id = ?1 AND id = ?2";

fn service_record(row: &SqliteRow) -> Result<ServiceRecord, sqlx::Error> {
    Ok(ServiceRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        duration_minutes: row.try_get("duration_minutes")?,
        price_clp: row.try_get("price_clp")?,
        sessions: row.try_get("sessions")?,
        created_at: row.try_get("created_at")?,
    })
}

pub(crate) async fn fetch_service(
    conn: &mut SqliteConnection,
    business: BusinessId,
    id: ServiceId,
) -> StoreResult<Service> {
    let row = crate::scoped_row(conn, SELECT_SERVICE, business, id.as_uuid()).await?;
    let staff: Vec<Uuid> =
        sqlx::query_scalar("SELECT staff_id FROM service_staff WHERE business_id = ?1 AND service_id = ?2")
            .bind(business.as_uuid())
            .bind(id.as_uuid())
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
    service_record(&row).map_err(StoreError::backend)?.into_service(staff.into_iter().map(StaffId::from_uuid).collect())
}

/// `NotFound` unless `staff` is staff of `business`.
pub(crate) async fn check_staff(conn: &mut SqliteConnection, business: BusinessId, staff: StaffId) -> StoreResult<()> {
    crate::scoped_row(conn, SELECT_STAFF, business, staff.as_uuid()).await.map(drop)
}

pub(crate) async fn fetch_agenda(
    conn: &mut SqliteConnection,
    business: BusinessId,
    staff: StaffId,
) -> StoreResult<Agenda> {
    let hours: Option<String> =
        sqlx::query_scalar("SELECT hours FROM agendas WHERE business_id = ?1 AND staff_id = ?2")
            .bind(business.as_uuid())
            .bind(staff.as_uuid())
            .fetch_optional(conn)
            .await
            .map_err(StoreError::backend)?;
    hours.map_or_else(|| Ok(Agenda::closed()), |text| agenda_from_text(&text))
}

/// Replaces the service's professionals, each checked to be of the business.
async fn write_professionals(
    conn: &mut SqliteConnection,
    business: BusinessId,
    service: ServiceId,
    professionals: &BTreeSet<StaffId>,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM service_staff WHERE business_id = ?1 AND service_id = ?2")
        .bind(business.as_uuid())
        .bind(service.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(StoreError::backend)?;
    for staff in professionals {
        match check_staff(conn, business, *staff).await {
            Err(StoreError::NotFound) => return Err(BookingRule::ProfessionalUnknown.into()),
            other => other?,
        }
        sqlx::query("INSERT INTO service_staff (business_id, service_id, staff_id) VALUES (?1, ?2, ?3)")
            .bind(business.as_uuid())
            .bind(service.as_uuid())
            .bind(staff.as_uuid())
            .execute(&mut *conn)
            .await
            .map_err(StoreError::backend)?;
    }
    Ok(())
}

impl SqliteStore {
    pub(crate) async fn create_service_row(&self, actor: &Actor, new: NewService) -> StoreResult<Service> {
        let business = actor.business();
        let service = Service {
            id: ServiceId::generate(),
            name: new.name,
            duration: new.duration,
            price: new.price,
            sessions: new.sessions,
            professionals: new.professionals,
            created_at: self.clock.now(),
        };
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO services (id, business_id, name, name_key, duration_minutes, price_clp, sessions, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(service.id.as_uuid())
        .bind(business.as_uuid())
        .bind(service.name.as_str())
        .bind(name_key(service.name.as_str()))
        .bind(service.duration.get())
        .bind(service.price.get())
        .bind(service.sessions.get())
        .bind(micros(service.created_at))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
        write_professionals(&mut tx, business, service.id, &service.professionals).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(service)
    }

    pub(crate) async fn update_service_row(
        &self,
        actor: &Actor,
        id: ServiceId,
        changes: ServiceChanges,
    ) -> StoreResult<Service> {
        let business = actor.business();
        let mut tx = self.write().await?;
        let current = fetch_service(&mut tx, business, id).await?;
        let professionals_changed = changes.professionals.is_some();
        let updated = changes.applied_to(&current);
        sqlx::query(
            "UPDATE services SET name = ?3, name_key = ?4, duration_minutes = ?5, price_clp = ?6, sessions = ?7 \
             WHERE business_id = ?1 AND id = ?2",
        )
        .bind(business.as_uuid())
        .bind(id.as_uuid())
        .bind(updated.name.as_str())
        .bind(name_key(updated.name.as_str()))
        .bind(updated.duration.get())
        .bind(updated.price.get())
        .bind(updated.sessions.get())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
        if professionals_changed {
            write_professionals(&mut tx, business, id, &updated.professionals).await?;
        }
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(updated)
    }

    pub(crate) async fn list_service_rows(&self, actor: &Actor) -> StoreResult<Vec<Service>> {
        let business = actor.business().as_uuid();
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let pairs: Vec<(Uuid, Uuid)> =
            sqlx::query_as("SELECT service_id, staff_id FROM service_staff WHERE business_id = ?1")
                .bind(business)
                .fetch_all(&mut *conn)
                .await
                .map_err(StoreError::backend)?;
        let mut staff: BTreeMap<Uuid, BTreeSet<StaffId>> = BTreeMap::new();
        for (service, member) in pairs {
            staff.entry(service).or_default().insert(StaffId::from_uuid(member));
        }
        let rows = sqlx::query(
            "SELECT id, name, duration_minutes, price_clp, sessions, created_at FROM services \
             WHERE business_id = ?1 ORDER BY name_key, id",
        )
        .bind(business)
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::backend)?;
        rows.iter()
            .map(|row| {
                let record = service_record(row).map_err(StoreError::backend)?;
                let professionals = staff.remove(&record.id).unwrap_or_default();
                record.into_service(professionals)
            })
            .collect()
    }

    pub(crate) async fn read_agenda(&self, actor: &Actor, staff: StaffId) -> StoreResult<Agenda> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        check_staff(&mut conn, actor.business(), staff).await?;
        fetch_agenda(&mut conn, actor.business(), staff).await
    }

    pub(crate) async fn read_agendas(&self, actor: &Actor, staff: &[StaffId]) -> StoreResult<Vec<(StaffId, Agenda)>> {
        let asked = several::distinct(staff);
        // The listed ids drive; staff of another business are not found.
        let rows: Vec<(Uuid, Option<String>)> = sqlx::query_as(
            "SELECT s.id, a.hours FROM json_each(?2) AS j \
             CROSS JOIN staff s ON s.business_id = ?1 AND s.id = unhex(j.value) \
             LEFT JOIN agendas a ON a.staff_id = s.id AND a.business_id = s.business_id",
        )
        .bind(actor.business().as_uuid())
        .bind(crate::hex_ids(asked.iter().map(|s| s.as_uuid())))
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        several::agendas(&asked, rows)
    }

    pub(crate) async fn write_agenda(&self, actor: &Actor, staff: StaffId, agenda: Agenda) -> StoreResult<Agenda> {
        let business = actor.business();
        let mut tx = self.write().await?;
        check_staff(&mut tx, business, staff).await?;
        sqlx::query(
            "INSERT INTO agendas (staff_id, business_id, hours, updated_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (business_id, staff_id) DO UPDATE SET hours = excluded.hours, updated_at = excluded.updated_at",
        )
        .bind(staff.as_uuid())
        .bind(business.as_uuid())
        .bind(agenda_json(&agenda).to_string())
        .bind(micros(self.clock.now()))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(agenda)
    }
}
