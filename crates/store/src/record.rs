//! Rows as both backends read them, before they become domain values. Shared so
//! the two backends turn stored text into `Client`s by one set of rules.

use ficha_domain::{BirthDate, Client, ClientId, ClientName, Email, Phone, Rut};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::error::{StoreError, StoreResult};

/// Timestamps are stored as microseconds since the Unix epoch (UTC) on both
/// backends: exact, sortable, and one representation for both.
pub fn micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub fn timestamp(micros: i64) -> StoreResult<Timestamp> {
    Timestamp::from_microsecond(micros).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[derive(Debug, Clone)]
pub struct ClientRecord {
    pub id: ClientId,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub rut: Option<String>,
    pub birth_date: Option<String>,
    pub last_booking_at: Option<i64>,
    pub registered_at: i64,
    pub version: i64,
}

impl ClientRecord {
    pub fn into_client(self) -> StoreResult<Client> {
        let corrupt = |what: &str, value: &str| StoreError::Corrupt(format!("client {} {what}: {value:?}", self.id));
        Ok(Client {
            id: self.id,
            name: ClientName::parse(&self.name).map_err(|_| corrupt("name", &self.name))?,
            email: Email::parse(&self.email).map_err(|_| corrupt("email", &self.email))?,
            phone: match &self.phone {
                Some(p) => Some(Phone::parse(p).map_err(|_| corrupt("phone", p))?),
                None => None,
            },
            rut: match &self.rut {
                Some(r) => Some(Rut::parse(r).map_err(|_| corrupt("rut", r))?),
                None => None,
            },
            // A stored birth date was valid when written; it is not re-checked
            // against today.
            birth_date: match &self.birth_date {
                Some(d) => {
                    let date: Date = d.parse().map_err(|_| corrupt("birth date", d))?;
                    Some(BirthDate::new(date, Date::MAX).map_err(|_| corrupt("birth date", d))?)
                }
                None => None,
            },
            last_booking_at: self.last_booking_at.map(timestamp).transpose()?,
            registered_at: timestamp(self.registered_at)?,
            version: self.version,
        })
    }
}
