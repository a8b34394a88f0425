//! The client profile's general data ("Datos generales").

use jiff::Timestamp;

use crate::{BirthDate, ClientId, ClientName, Email, Phone, Rut};

/// A client as stored. `registered_at` and `last_booking_at` are maintained by
/// the system; `version` grows by one with every saved change and is what
/// optimistic concurrency compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: ClientId,
    pub name: ClientName,
    pub email: Email,
    pub phone: Option<Phone>,
    pub rut: Option<Rut>,
    pub birth_date: Option<BirthDate>,
    pub last_booking_at: Option<Timestamp>,
    pub registered_at: Timestamp,
    pub version: i64,
}

/// What staff (or the booking site) give to register a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClient {
    pub name: ClientName,
    pub email: Email,
    pub phone: Option<Phone>,
    pub rut: Option<Rut>,
    pub birth_date: Option<BirthDate>,
}

/// An edit of the editable fields. `None` leaves a field as it is; for the
/// optional fields `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientChanges {
    pub name: Option<ClientName>,
    pub email: Option<Email>,
    pub phone: Option<Option<Phone>>,
    pub rut: Option<Option<Rut>>,
    pub birth_date: Option<Option<BirthDate>>,
}

impl ClientChanges {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The client as it would be after this edit (version untouched: the
    /// store bumps it when it saves).
    pub fn applied_to(&self, client: &Client) -> Client {
        Client {
            name: self.name.clone().unwrap_or_else(|| client.name.clone()),
            email: self.email.clone().unwrap_or_else(|| client.email.clone()),
            phone: self.phone.clone().unwrap_or_else(|| client.phone.clone()),
            rut: self.rut.unwrap_or(client.rut),
            birth_date: self.birth_date.unwrap_or(client.birth_date),
            ..client.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client {
            id: ClientId::generate(),
            name: ClientName::parse("Ana Pérez").expect("valid"),
            email: Email::parse("ana@mail.cl").expect("valid"),
            phone: Some(Phone::parse("961234567").expect("valid")),
            rut: Some(Rut::parse("12.345.678-5").expect("valid")),
            birth_date: None,
            last_booking_at: None,
            registered_at: Timestamp::UNIX_EPOCH,
            version: 3,
        }
    }

    #[test]
    fn empty_changes_change_nothing() {
        let before = client();
        assert!(ClientChanges::default().is_empty());
        assert_eq!(ClientChanges::default().applied_to(&before), before);
    }

    #[test]
    fn some_none_clears_an_optional_field_and_keeps_the_rest() {
        let before = client();
        let changes = ClientChanges { phone: Some(None), ..Default::default() };
        let after = changes.applied_to(&before);
        assert_eq!(after.phone, None);
        assert_eq!(after.rut, before.rut);
        assert_eq!(after.version, before.version);
        assert_eq!(after.registered_at, before.registered_at);
    }
}
