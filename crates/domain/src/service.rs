//! Services a business offers: what is booked. A service lasts a number of
//! minutes, costs a price in pesos, is one session or a pack of several, and
//! is performed by some of the business's professionals.

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};

use crate::field_error::FieldError;
use crate::one_line::one_line;
use crate::{ServiceId, StaffId};

pub const MAX_NAME_CHARS: usize = 120;
/// Twelve hours: longer is a typing mistake, not an appointment.
pub const MAX_DURATION_MINUTES: i64 = 12 * 60;
/// One hundred million pesos: far above any appointment's price.
pub const MAX_PRICE_CLP: i64 = 100_000_000;
/// The most sessions a pack can hold.
pub const MAX_SESSIONS: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceName(String);

impl ServiceName {
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        one_line(text, MAX_NAME_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How long one session takes, in whole minutes, 1..=720.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Minutes(i64);

impl Minutes {
    pub fn new(minutes: i64) -> Result<Self, FieldError> {
        in_range(minutes, 1, MAX_DURATION_MINUTES).map(Self)
    }

    pub fn get(self) -> i64 {
        self.0
    }

    pub fn duration(self) -> SignedDuration {
        SignedDuration::from_mins(self.0)
    }
}

/// A price in Chilean pesos, which have no cents: 0..=100 000 000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Clp(i64);

impl Clp {
    pub fn new(pesos: i64) -> Result<Self, FieldError> {
        in_range(pesos, 0, MAX_PRICE_CLP).map(Self)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// How many sessions buying the service gives: 1, or a pack of up to 50.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Sessions(i64);

impl Sessions {
    /// A single session: not a pack.
    pub const ONE: Self = Self(1);

    pub fn new(sessions: i64) -> Result<Self, FieldError> {
        in_range(sessions, 1, MAX_SESSIONS).map(Self)
    }

    pub fn get(self) -> i64 {
        self.0
    }

    pub fn is_pack(self) -> bool {
        self.0 > 1
    }
}

fn in_range(value: i64, min: i64, max: i64) -> Result<i64, FieldError> {
    if (min..=max).contains(&value) { Ok(value) } else { Err(FieldError::OutOfRange { min, max }) }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: ServiceId,
    pub name: ServiceName,
    pub duration: Minutes,
    pub price: Clp,
    pub sessions: Sessions,
    /// The professionals who perform it; a booking with anyone else is refused.
    pub professionals: BTreeSet<StaffId>,
    pub created_at: Timestamp,
}

impl Service {
    pub fn performed_by(&self, staff: StaffId) -> bool {
        self.professionals.contains(&staff)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewService {
    pub name: ServiceName,
    pub duration: Minutes,
    pub price: Clp,
    pub sessions: Sessions,
    pub professionals: BTreeSet<StaffId>,
}

/// An edit of a service; `None` leaves a field as it is. Changing the
/// number of sessions affects packs bought afterwards, never those bought.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceChanges {
    pub name: Option<ServiceName>,
    pub duration: Option<Minutes>,
    pub price: Option<Clp>,
    pub sessions: Option<Sessions>,
    pub professionals: Option<BTreeSet<StaffId>>,
}

impl ServiceChanges {
    pub fn applied_to(self, service: &Service) -> Service {
        Service {
            id: service.id,
            name: self.name.unwrap_or_else(|| service.name.clone()),
            duration: self.duration.unwrap_or(service.duration),
            price: self.price.unwrap_or(service.price),
            sessions: self.sessions.unwrap_or(service.sessions),
            professionals: self.professionals.unwrap_or_else(|| service.professionals.clone()),
            created_at: service.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_whole_minutes_up_to_twelve_hours() {
        assert_eq!(Minutes::new(45).map(Minutes::duration), Ok(SignedDuration::from_mins(45)));
        assert_eq!(Minutes::new(720).map(Minutes::get), Ok(720));
        for bad in [0, -30, 721] {
            assert_eq!(Minutes::new(bad), Err(FieldError::OutOfRange { min: 1, max: 720 }), "{bad}");
        }
    }

    #[test]
    fn prices_are_pesos_and_may_be_free() {
        assert_eq!(Clp::new(0).map(Clp::get), Ok(0));
        assert_eq!(Clp::new(25_990).map(Clp::get), Ok(25_990));
        assert!(Clp::new(-1).is_err());
        assert!(Clp::new(MAX_PRICE_CLP + 1).is_err());
    }

    #[test]
    fn one_session_is_not_a_pack() {
        assert!(!Sessions::new(1).expect("valid").is_pack());
        assert!(Sessions::new(10).expect("valid").is_pack());
        assert!(Sessions::new(0).is_err());
        assert!(Sessions::new(51).is_err());
    }

    #[test]
    fn names_are_one_trimmed_line() {
        assert_eq!(
            ServiceName::parse("  Limpieza   facial ").map(|n| n.as_str().to_owned()),
            Ok("Limpieza facial".into())
        );
        assert_eq!(ServiceName::parse(" "), Err(FieldError::Required));
        assert_eq!(ServiceName::parse(&"a".repeat(121)), Err(FieldError::TooLong { max: 120 }));
    }
}
