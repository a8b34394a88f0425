//! Typed ids. A `ClientId` cannot be passed where a `StaffId` is expected, yet
//! all ids share one implementation: a UUIDv7 (time-ordered, so indexes stay
//! compact) tagged with a zero-sized marker type.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

pub struct Id<T> {
    uuid: Uuid,
    kind: PhantomData<fn() -> T>,
}

#[derive(Debug)]
pub enum BookingKind {}
#[derive(Debug)]
pub enum BusinessKind {}
#[derive(Debug)]
pub enum ClientKind {}
#[derive(Debug)]
pub enum CustomFieldKind {}
#[derive(Debug)]
pub enum MergeKind {}
pub enum ImportKind {}
#[derive(Debug)]
pub enum PackKind {}
#[derive(Debug)]
pub enum ServiceKind {}
#[derive(Debug)]
pub enum StaffKind {}
#[derive(Debug)]
pub enum TokenKind {}

pub type BookingId = Id<BookingKind>;
pub type BusinessId = Id<BusinessKind>;
pub type ClientId = Id<ClientKind>;
pub type CustomFieldId = Id<CustomFieldKind>;
/// A merge of two client profiles (issue 13): what it moved, so it can be undone.
pub type MergeId = Id<MergeKind>;
/// A batch of clients imported from one file: what its undo reverts.
pub type ImportId = Id<ImportKind>;
/// The purchase of a pack: its sessions share it.
pub type PackId = Id<PackKind>;
pub type ServiceId = Id<ServiceKind>;
pub type StaffId = Id<StaffKind>;
pub type TokenId = Id<TokenKind>;

impl<T> Id<T> {
    /// A fresh id. Time-ordered: ids made later sort later.
    pub fn generate() -> Self {
        Self::from_uuid(Uuid::now_v7())
    }

    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self { uuid, kind: PhantomData }
    }

    pub const fn as_uuid(&self) -> Uuid {
        self.uuid
    }
}

// Written by hand because derives would demand the same traits of `T`.
impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Id<T> {}
impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.uuid == other.uuid
    }
}
impl<T> Eq for Id<T> {}
impl<T> std::hash::Hash for Id<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.uuid.hash(state);
    }
}
impl<T> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Id<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.uuid.cmp(&other.uuid)
    }
}

impl<T> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.uuid)
    }
}

impl<T> fmt::Display for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.uuid.fmt(f)
    }
}

/// Text that is not an id in its one written form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an id: ids are written as 36 lower-case hexadecimal digits and dashes (8-4-4-4-12)")]
pub struct NotAnId;

/// One rule for every id in every path, body and query: exactly the form ids
/// are written in (`0190f5a2-…`, lower case, hyphenated). The `uuid` crate
/// would also take upper case, braces, `urn:uuid:` and no dashes, so one
/// resource had many addresses — and caches, logs and links disagreed.
impl<T> FromStr for Id<T> {
    type Err = NotAnId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let canonical = s.len() == 36
            && s.bytes().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => b == b'-',
                _ => matches!(b, b'0'..=b'9' | b'a'..=b'f'),
            });
        if !canonical {
            return Err(NotAnId);
        }
        Uuid::parse_str(s).map(Self::from_uuid).map_err(|_| NotAnId)
    }
}

impl<T> Serialize for Id<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.uuid.serialize(serializer)
    }
}

impl<'de, T> Deserialize<'de> for Id<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        let id = ClientId::generate();
        let back: ClientId = id.to_string().parse().expect("parses");
        assert_eq!(id, back);
    }

    #[test]
    fn later_ids_sort_later() {
        let first = ClientId::generate();
        let second = ClientId::generate();
        assert!(first < second);
    }

    #[test]
    fn garbage_is_not_an_id() {
        assert!("not-an-id".parse::<ClientId>().is_err());
    }

    #[test]
    fn only_the_written_form_is_an_id() {
        let id = "0190f5a2-7c3e-7b1a-9f00-1234567890ab";
        assert!(id.parse::<ClientId>().is_ok());
        for other in [
            id.to_uppercase(),
            format!("{{{id}}}"),
            format!("urn:uuid:{id}"),
            id.replace('-', ""),
            format!(" {id}"),
            format!("{id}\n"),
        ] {
            assert_eq!(other.parse::<BookingId>(), Err(NotAnId), "{other:?}");
        }
    }
}
