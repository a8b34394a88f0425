//! The client registry: general data of each client of a business.

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ficha_domain::fold::name_key;
use ficha_domain::{Actor, Client, ClientChanges, ClientId, NewClient};
use uuid::Uuid;

use crate::error::StoreResult;
use crate::record::micros;

#[async_trait]
pub trait ClientStore: Send + Sync {
    /// Registers a client; `registered_at` is the store's clock. A taken email
    /// (compared case-insensitively) gives `EmailTaken` naming the holder.
    async fn create_client(&self, actor: &Actor, new: NewClient) -> StoreResult<Client>;

    async fn get_client(&self, actor: &Actor, id: ClientId) -> StoreResult<Client>;

    /// Applies `changes` if the stored version is `expected_version`; otherwise
    /// changes nothing and returns `Stale` with the stored client.
    async fn update_client(
        &self,
        actor: &Actor,
        id: ClientId,
        expected_version: i64,
        changes: ClientChanges,
    ) -> StoreResult<Client>;

    /// Erases the client and everything hanging from it. The email is free
    /// again afterwards.
    async fn delete_client(&self, actor: &Actor, id: ClientId) -> StoreResult<()>;

    async fn list_clients(&self, actor: &Actor, query: &ListQuery) -> StoreResult<ClientPage>;

    /// Registers many clients in one transaction, each indexed for search as
    /// it is written: all or nothing (a taken email rolls the whole batch
    /// back). For imports and benchmarks.
    async fn import_clients(&self, actor: &Actor, clients: Vec<NewClient>) -> StoreResult<u64>;

    /// Brings the database's own bookkeeping up to date after a bulk import
    /// (many `import_clients` or `import_bookings` batches), so searches and
    /// busy-time reads are fast right away rather than once background
    /// maintenance catches up. Slow (seconds to
    /// minutes at a million clients); call it once, at the end.
    async fn settle_after_import(&self) -> StoreResult<()>;
}

/// The client a `NewClient` becomes when registered at `now`.
pub fn registered(new: NewClient, now: jiff::Timestamp) -> Client {
    Client {
        id: ClientId::generate(),
        name: new.name,
        email: new.email,
        phone: new.phone,
        rut: new.rut,
        birth_date: new.birth_date,
        last_booking_at: None,
        registered_at: now,
        version: 1,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientSort {
    /// A→Z, accent- and case-insensitively.
    #[default]
    NameAsc,
    NameDesc,
    /// Newest first.
    RegisteredDesc,
    RegisteredAsc,
    /// Most recent booking first; clients who never booked last.
    LastBookingDesc,
    LastBookingAsc,
}

impl ClientSort {
    pub const ALL: [Self; 6] = [
        Self::NameAsc,
        Self::NameDesc,
        Self::RegisteredDesc,
        Self::RegisteredAsc,
        Self::LastBookingDesc,
        Self::LastBookingAsc,
    ];

    /// The API's spelling: `name`, `-name`, `registered_at`, `-registered_at`…
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NameAsc => "name",
            Self::NameDesc => "-name",
            Self::RegisteredAsc => "registered_at",
            Self::RegisteredDesc => "-registered_at",
            Self::LastBookingAsc => "last_booking_at",
            Self::LastBookingDesc => "-last_booking_at",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The same order backwards: a page before a row is the page after it
    /// in the reversed sort, read back to front (each sort breaks ties by
    /// id, so the reversal is exact).
    pub fn reversed(self) -> Self {
        match self {
            Self::NameAsc => Self::NameDesc,
            Self::NameDesc => Self::NameAsc,
            Self::RegisteredAsc => Self::RegisteredDesc,
            Self::RegisteredDesc => Self::RegisteredAsc,
            Self::LastBookingAsc => Self::LastBookingDesc,
            Self::LastBookingDesc => Self::LastBookingAsc,
        }
    }
}

/// Where a page starts: just after the row with this sort key and id. Opaque
/// to API users, who get it as a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub sort: ClientSort,
    pub key: CursorKey,
    pub id: ClientId,
}

/// The sort column's value of the last row of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CursorKey {
    Text(String),
    Micros(i64),
}

impl Cursor {
    /// The cursor that continues a `sort` listing after `client`.
    pub fn after(sort: ClientSort, client: &Client) -> Self {
        let key = match sort {
            ClientSort::NameAsc | ClientSort::NameDesc => CursorKey::Text(name_key(client.name.as_str())),
            ClientSort::RegisteredAsc | ClientSort::RegisteredDesc => CursorKey::Micros(micros(client.registered_at)),
            // Never-booked clients sort as booking time 0.
            ClientSort::LastBookingAsc | ClientSort::LastBookingDesc => {
                CursorKey::Micros(client.last_booking_at.map_or(0, micros))
            }
        };
        Self { sort, key, id: client.id }
    }

    pub fn encode(&self) -> String {
        let key = match &self.key {
            CursorKey::Text(t) => format!("t{t}"),
            CursorKey::Micros(m) => format!("m{m}"),
        };
        URL_SAFE_NO_PAD.encode(format!("{}\n{}\n{key}", self.sort.as_str(), self.id))
    }

    /// `None` for anything that is not a cursor this store handed out.
    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.splitn(3, '\n');
        let sort = ClientSort::parse(parts.next()?)?;
        let id = ClientId::from_uuid(Uuid::parse_str(parts.next()?).ok()?);
        let key = parts.next()?;
        // A key this store made never holds control characters (names refuse
        // them); PostgreSQL would choke on a NUL.
        if key.chars().any(char::is_control) {
            return None;
        }
        let key = match key.split_at_checked(1)? {
            ("t", t) => CursorKey::Text(t.to_owned()),
            ("m", m) => CursorKey::Micros(m.parse().ok()?),
            _ => return None,
        };
        Some(Self { sort, key, id })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub sort: ClientSort,
    /// Continue after this cursor; its sort must equal `sort`.
    pub after: Option<Cursor>,
    pub limit: u32,
}

impl ListQuery {
    /// The (key, id) a page starts strictly after, in the sort's direction.
    /// Without a cursor (or with one of another sort) it is a sentinel that
    /// comes before every row: U+10FFFF is the largest scalar value and both
    /// backends compare the name key byte-wise, so it sorts after any name.
    pub fn start(&self) -> (CursorKey, Uuid) {
        if let Some(cursor) = self.after.as_ref().filter(|c| c.sort == self.sort) {
            return (cursor.key.clone(), cursor.id.as_uuid());
        }
        match self.sort {
            ClientSort::NameAsc => (CursorKey::Text(String::new()), Uuid::nil()),
            ClientSort::NameDesc => (CursorKey::Text('\u{10FFFF}'.to_string()), Uuid::max()),
            ClientSort::RegisteredAsc | ClientSort::LastBookingAsc => (CursorKey::Micros(i64::MIN), Uuid::nil()),
            ClientSort::RegisteredDesc | ClientSort::LastBookingDesc => (CursorKey::Micros(i64::MAX), Uuid::max()),
        }
    }
}

impl Default for ListQuery {
    fn default() -> Self {
        Self { sort: ClientSort::default(), after: None, limit: 50 }
    }
}

#[derive(Debug, Clone)]
pub struct ClientPage {
    pub clients: Vec<Client>,
    /// Present when more rows follow.
    pub next: Option<Cursor>,
    /// All clients of the business.
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        for key in [CursorKey::Text("núñez ortúzar".into()), CursorKey::Micros(-5)] {
            let cursor = Cursor { sort: ClientSort::NameDesc, key, id: ClientId::generate() };
            assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
    }

    #[test]
    fn garbage_is_not_a_cursor() {
        let nul = URL_SAFE_NO_PAD.encode(format!("name\n{}\ntab\u{0}c", ClientId::generate()));
        for bad in ["", "abc", "!!!", &URL_SAFE_NO_PAD.encode("name\nnot-a-uuid\ntx"), &nul] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn sorts_parse_back() {
        for sort in ClientSort::ALL {
            assert_eq!(ClientSort::parse(sort.as_str()), Some(sort));
        }
        assert_eq!(ClientSort::parse("email"), None);
    }
}
