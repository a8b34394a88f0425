//! The business's booking site as the store sees it: the booking rules, which
//! services are bookable online, a booking made by an anonymous client (one
//! transaction, `flow::book`), and the booking's manage link.
//!
//! The manage link is a 256-bit random token of which only the SHA-256 is
//! stored (`booking_links`), like session cookies and API tokens: nothing to
//! configure or rotate, nothing in the database that opens a booking, and a
//! leaked database dump gives no working links. Its cost: only writes that
//! hold the token (the site's own) can put the link in their messages.

pub mod flow;

use async_trait::async_trait;
use ficha_domain::{
    Acceptance, Actor, BirthDate, Booking, BookingId, BookingRules, ClientName, CustomValue, Email, FieldKey, Phone,
    Rut, ServiceId, StaffId,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::StoreResult;

#[async_trait]
pub trait BookingSiteStore: Send + Sync {
    /// The business's rules; the defaults (closed) until an owner saves them.
    async fn booking_rules(&self, actor: &Actor) -> StoreResult<BookingRules>;

    /// Owners only (`OwnerOnly`).
    async fn set_booking_rules(&self, actor: &Actor, rules: BookingRules) -> StoreResult<BookingRules>;

    /// The services clients may book online.
    async fn online_services(&self, actor: &Actor) -> StoreResult<Vec<ServiceId>>;

    /// Owners only (`OwnerOnly`); `NotFound` for a service not of the business.
    async fn set_service_online(&self, actor: &Actor, service: ServiceId, online: bool) -> StoreResult<()>;

    /// Books for an anonymous client on the site, in one transaction: finds
    /// or creates the client by email, places the booking under the
    /// business's rules, stores the manage link and what the client typed
    /// that differs from the profile. A refusal writes nothing.
    async fn book_online(&self, actor: &Actor, request: OnlineBooking) -> StoreResult<Booking>;

    /// The booking a manage link's token hash opens; `NotFound` otherwise.
    async fn linked_booking(&self, actor: &Actor, token_hash: &[u8]) -> StoreResult<Booking>;

    /// A client's change through the manage link, inside the business's
    /// deadlines (`SiteRefused`) and the booking rules; nothing changes on a
    /// refusal.
    async fn change_online(&self, actor: &Actor, link: &Link, change: OnlineChange) -> StoreResult<Booking>;

    /// A signed-in client's change of one of their bookings (`Actor::Client`)
    /// under the same rules as `change_online`; a booking of anyone else is
    /// `NotFound`. A pack session without a date gets its first one.
    async fn change_as_client(&self, actor: &Actor, booking: BookingId, change: OnlineChange) -> StoreResult<Booking>;

    /// What the client typed on the site that differed from the profile.
    async fn entered_data(&self, actor: &Actor, booking: BookingId) -> StoreResult<Option<Entered>>;

    /// `entered_data` of several bookings at once (a page of a profile's
    /// bookings): only those that have some, in no particular order.
    async fn entered_data_of(&self, actor: &Actor, bookings: &[BookingId]) -> StoreResult<Vec<(BookingId, Entered)>>;
}

/// The data a client typed on the booking form, each value already parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typed {
    pub name: ClientName,
    pub email: Email,
    pub phone: Option<Phone>,
    pub rut: Option<Rut>,
    /// Asked only when the business says so; never required.
    pub birth_date: Option<BirthDate>,
    /// The answers to the fields asked in the booking form (blank ones left
    /// out), each already read by its field's rules.
    pub values: Vec<(FieldKey, CustomValue)>,
}

/// A manage link: the token's hash (what is stored) and the path the
/// client's messages carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub token_hash: Vec<u8>,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineBooking {
    pub service: ServiceId,
    /// `None`: "Cualquiera", the first of the service's professionals free then.
    pub professional: Option<StaffId>,
    pub start: Timestamp,
    pub client: Typed,
    pub link: Link,
    /// The privacy notice version the client accepted (refused as
    /// `NoticeOutdated` unless it is the current one) and their WhatsApp
    /// choice (applied only while the business sends WhatsApp messages).
    pub consent: Acceptance,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnlineChange {
    /// The client says they will come: `pending` → `confirmed`.
    Confirm,
    Cancel,
    /// To `start`, with `professional` or (`None`) the first free one.
    Reschedule {
        professional: Option<StaffId>,
        start: Timestamp,
    },
}

/// "Datos ingresados al reservar": the values the client typed that differ
/// from the stored profile, as the client wrote them (canonical forms).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Entered {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rut: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// Custom fields' answers that differ from the stored ones: (label,
    /// value as people read it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<(String, String)>,
}

impl Entered {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}
