//! Bookings, services and agendas as both backends store them: one set of
//! rules from stored columns to domain values and back.

use std::collections::BTreeSet;

use ficha_domain::agenda::{WEEK, weekday_name};
use ficha_domain::{
    Agenda, Attendance, Booking, BookingId, BookingState, ClientId, Clp, DayHours, Interval, Minutes, Origin, PackId,
    PackPlace, Payment, PaymentMethod, Service, ServiceId, ServiceName, Sessions, StaffId, TimeRange,
};
use jiff::civil::Date;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::record::{micros, timestamp};

/// A bookings row, column by column.
#[derive(Debug, Clone)]
pub struct BookingRecord {
    pub id: Uuid,
    pub client_id: Uuid,
    pub service_id: Uuid,
    pub staff_id: Option<Uuid>,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub state: String,
    pub attendance: String,
    pub origin: String,
    pub paid_amount: Option<i64>,
    pub paid_method: Option<String>,
    /// YYYY-MM-DD.
    pub paid_on: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: i64,
    pub pack_id: Option<Uuid>,
    pub pack_number: Option<i64>,
    pub pack_size: Option<i64>,
}

impl BookingRecord {
    pub fn of(booking: &Booking) -> Self {
        let (paid_amount, paid_method, paid_on) = match booking.payment {
            Payment::Unpaid => (None, None, None),
            Payment::Paid { amount, method, date } => {
                (Some(amount), Some(method.as_str().to_owned()), Some(date.to_string()))
            }
        };
        Self {
            id: booking.id.as_uuid(),
            client_id: booking.client.as_uuid(),
            service_id: booking.service.as_uuid(),
            staff_id: booking.professional.map(|s| s.as_uuid()),
            starts_at: booking.when.map(|w| micros(w.start())),
            ends_at: booking.when.map(|w| micros(w.end())),
            state: booking.state.as_str().to_owned(),
            attendance: booking.attendance.as_str().to_owned(),
            origin: booking.origin.as_str().to_owned(),
            paid_amount,
            paid_method,
            paid_on,
            created_by: booking.created_by.map(|s| s.as_uuid()),
            created_at: micros(booking.created_at),
            pack_id: booking.pack.map(|p| p.pack.as_uuid()),
            pack_number: booking.pack.map(|p| p.number),
            pack_size: booking.pack.map(|p| p.of),
        }
    }

    pub fn into_booking(self) -> StoreResult<Booking> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("booking {} {what}", self.id));
        let when = match (self.starts_at, self.ends_at) {
            (Some(start), Some(end)) => {
                Some(Interval::new(timestamp(start)?, timestamp(end)?).map_err(|_| corrupt("interval"))?)
            }
            (None, None) => None,
            _ => return Err(corrupt("half a time")),
        };
        let payment = match (self.paid_amount, &self.paid_method, &self.paid_on) {
            (Some(amount), Some(method), Some(date)) => Payment::Paid {
                amount,
                method: PaymentMethod::parse(method).ok_or_else(|| corrupt("payment method"))?,
                date: date.parse::<Date>().map_err(|_| corrupt("payment date"))?,
            },
            _ => Payment::Unpaid,
        };
        let pack = match (self.pack_id, self.pack_number, self.pack_size) {
            (Some(pack), Some(number), Some(of)) => Some(PackPlace { pack: PackId::from_uuid(pack), number, of }),
            _ => None,
        };
        Ok(Booking {
            id: BookingId::from_uuid(self.id),
            client: ClientId::from_uuid(self.client_id),
            service: ServiceId::from_uuid(self.service_id),
            professional: self.staff_id.map(StaffId::from_uuid),
            when,
            state: BookingState::parse(&self.state).ok_or_else(|| corrupt("state"))?,
            payment,
            attendance: Attendance::parse(&self.attendance).ok_or_else(|| corrupt("attendance"))?,
            origin: Origin::parse(&self.origin).ok_or_else(|| corrupt("origin"))?,
            created_by: self.created_by.map(StaffId::from_uuid),
            created_at: timestamp(self.created_at)?,
            pack,
        })
    }
}

/// A services row; `professionals` from the service_staff rows.
#[derive(Debug, Clone)]
pub struct ServiceRecord {
    pub id: Uuid,
    pub name: String,
    pub duration_minutes: i64,
    pub price_clp: i64,
    pub sessions: i64,
    pub created_at: i64,
}

impl ServiceRecord {
    pub fn into_service(self, professionals: BTreeSet<StaffId>) -> StoreResult<Service> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("service {} {what}", self.id));
        Ok(Service {
            id: ServiceId::from_uuid(self.id),
            name: ServiceName::parse(&self.name).map_err(|_| corrupt("name"))?,
            duration: Minutes::new(self.duration_minutes).map_err(|_| corrupt("duration"))?,
            price: Clp::new(self.price_clp).map_err(|_| corrupt("price"))?,
            sessions: Sessions::new(self.sessions).map_err(|_| corrupt("sessions"))?,
            professionals,
            created_at: timestamp(self.created_at)?,
        })
    }
}

/// An agenda as stored (a JSON text column on both backends; it is read and
/// written whole): `{"monday": [["09:00", "13:00"], …], …, "days_off":
/// ["2026-09-18"]}`. The API speaks the same shape.
pub fn agenda_json(agenda: &Agenda) -> Value {
    let mut object = Map::new();
    for day in WEEK {
        let ranges: Vec<Value> = agenda
            .hours(day)
            .ranges()
            .iter()
            .map(|r| json!([r.start().strftime("%H:%M").to_string(), r.end().strftime("%H:%M").to_string()]))
            .collect();
        object.insert(weekday_name(day).to_owned(), Value::Array(ranges));
    }
    let days_off: Vec<String> = agenda.days_off().iter().map(Date::to_string).collect();
    object.insert("days_off".into(), json!(days_off));
    Value::Object(object)
}

pub fn agenda_from_text(text: &str) -> StoreResult<Agenda> {
    let corrupt = || StoreError::Corrupt(format!("agenda {text:?}"));
    let value: Value = serde_json::from_str(text).map_err(|_| corrupt())?;
    let mut weekly: [DayHours; 7] = Default::default();
    for (slot, day) in weekly.iter_mut().zip(WEEK) {
        let ranges = value[weekday_name(day)].as_array().ok_or_else(corrupt)?;
        let ranges = ranges
            .iter()
            .map(|pair| match (pair[0].as_str(), pair[1].as_str()) {
                (Some(start), Some(end)) => TimeRange::parse(start, end).map_err(|_| corrupt()),
                _ => Err(corrupt()),
            })
            .collect::<StoreResult<Vec<_>>>()?;
        *slot = DayHours::new(ranges).map_err(|_| corrupt())?;
    }
    let days_off = value["days_off"]
        .as_array()
        .ok_or_else(corrupt)?
        .iter()
        .map(|d| d.as_str().and_then(|d| d.parse::<Date>().ok()).ok_or_else(corrupt))
        .collect::<StoreResult<BTreeSet<_>>>()?;
    Agenda::new(weekly, days_off).map_err(|_| corrupt())
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn agendas_round_trip_through_text() {
        let mut weekly: [DayHours; 7] = Default::default();
        weekly[2] = DayHours::new(vec![
            TimeRange::parse("09:00", "13:00").expect("valid"),
            TimeRange::parse("14:30", "19:00").expect("valid"),
        ])
        .expect("valid");
        let agenda = Agenda::new(weekly, [date(2026, 9, 18)].into()).expect("valid");
        let text = agenda_json(&agenda).to_string();
        assert!(text.contains(r#""wednesday":[["09:00","13:00"],["14:30","19:00"]]"#), "{text}");
        assert_eq!(agenda_from_text(&text).expect("parses"), agenda);
    }
}
