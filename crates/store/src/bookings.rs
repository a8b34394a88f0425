//! Services, agendas and bookings: the calendar behind the client profile.
//!
//! Both backends check a booking's placement by the same rules
//! (`rules::placement`) inside their writing transaction, after making
//! concurrent writers for the same professional queue (SQLite: one writer at
//! a time; PostgreSQL: a lock on the professional's staff row), so two
//! overlapping requests can never both pass the overlap check.

pub mod flow;
pub mod record;
pub mod rules;
pub mod several;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ficha_domain::{
    Actor, Agenda, Attendance, Booking, BookingId, BookingState, ClientId, Interval, NewService, Origin, PackId,
    Payment, Service, ServiceChanges, ServiceId, StaffId,
};
use jiff::Timestamp;
use uuid::Uuid;

use crate::error::StoreResult;

#[async_trait]
pub trait BookingStore: Send + Sync {
    /// A professional named in `new` that is not staff of the business gives
    /// `Refused(ProfessionalUnknown)`.
    async fn create_service(&self, actor: &Actor, new: NewService) -> StoreResult<Service>;

    async fn get_service(&self, actor: &Actor, id: ServiceId) -> StoreResult<Service>;

    /// By name.
    async fn list_services(&self, actor: &Actor) -> StoreResult<Vec<Service>>;

    async fn update_service(&self, actor: &Actor, id: ServiceId, changes: ServiceChanges) -> StoreResult<Service>;

    /// Deletes a service nobody has booked; one with bookings (cancelled
    /// ones and pack sessions included) gives `ServiceInUse`.
    async fn delete_service(&self, actor: &Actor, id: ServiceId) -> StoreResult<()>;

    /// The professional's agenda; a closed one (no hours) until one is set.
    /// `NotFound` when `staff` is not staff of the business.
    async fn agenda(&self, actor: &Actor, staff: StaffId) -> StoreResult<Agenda>;

    /// Replaces the professional's agenda. Existing bookings stay where they
    /// are.
    async fn set_agenda(&self, actor: &Actor, staff: StaffId, agenda: Agenda) -> StoreResult<Agenda>;

    /// Books the client into the service: one booking, or for a pack all
    /// its sessions (the first at `start` if one is given, the others "por
    /// reservar"). Sets the client's last booking to now, in the same
    /// transaction. A refusal (`Refused`) writes nothing.
    async fn book(&self, actor: &Actor, new: NewBooking) -> StoreResult<Vec<Booking>>;

    async fn get_booking(&self, actor: &Actor, id: BookingId) -> StoreResult<Booking>;

    /// Applies one change under the booking's rules; a refusal changes nothing.
    async fn change_booking(&self, actor: &Actor, id: BookingId, change: BookingChange) -> StoreResult<Booking>;

    /// The times the professional is booked that overlap `[from, to)`.
    async fn busy(&self, actor: &Actor, staff: StaffId, from: Timestamp, to: Timestamp) -> StoreResult<Vec<Interval>>;

    /// The agendas of several professionals in one read (the booking site's
    /// "Cualquiera"), in the order asked, each once; a closed one for a
    /// professional without one. `NotFound` when one is not staff of the
    /// business.
    async fn agendas_of(&self, actor: &Actor, staff: &[StaffId]) -> StoreResult<Vec<(StaffId, Agenda)>>;

    /// `busy` for several professionals in one query: the times each is
    /// booked that overlap `[from, to)`, by professional as asked, then by
    /// start. A professional not of the business has no times.
    async fn busy_of(
        &self,
        actor: &Actor,
        staff: &[StaffId],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(StaffId, Interval)>>;

    /// The calendar: bookings starting in `[from, to)` of one professional
    /// or all, by start time; cancelled ones only `with_cancelled`.
    async fn calendar(
        &self,
        actor: &Actor,
        staff: Option<StaffId>,
        from: Timestamp,
        to: Timestamp,
        with_cancelled: bool,
    ) -> StoreResult<Vec<CalendarEntry>>;

    /// One page of the client's dated bookings. `NotFound` for a client not
    /// of the business.
    async fn client_bookings(&self, actor: &Actor, client: ClientId, query: &BookingQuery) -> StoreResult<BookingPage>;

    /// The client's pack sessions without a date ("Por reservar"), by pack
    /// and number, and their packs' use.
    async fn por_reservar(&self, actor: &Actor, client: ClientId) -> StoreResult<PorReservar>;

    /// The client's figures for the profile, as of the store's clock.
    async fn client_stats(&self, actor: &Actor, client: ClientId) -> StoreResult<ClientStats>;

    /// Stores bookings as given, with no rule checked, in one transaction:
    /// for demo data and benchmarks only.
    async fn import_bookings(&self, actor: &Actor, bookings: Vec<Booking>) -> StoreResult<u64>;
}

/// A booking as asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBooking {
    pub client: ClientId,
    pub service: ServiceId,
    /// Required with `start`.
    pub professional: Option<StaffId>,
    /// Required unless the service is a pack.
    pub start: Option<Timestamp>,
    /// Defaults to `start` plus the service's duration.
    pub end: Option<Timestamp>,
    pub state: BookingState,
    pub origin: Origin,
    pub override_agenda: bool,
}

/// One change of a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingChange {
    Confirm,
    Cancel,
    /// A new time (and maybe professional); also how a session "por
    /// reservar" gets its date. `end` defaults to start plus the service's
    /// duration; `professional` to the current one.
    Reschedule(NewTime),
    Attendance(Attendance),
    Payment(Payment),
}

/// Where a booking is moved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTime {
    pub professional: Option<StaffId>,
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    pub origin: Origin,
    pub override_agenda: bool,
}

/// A booking on the calendar, with what its card shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    pub booking: Booking,
    pub client_name: String,
    pub service_name: String,
}

/// Which of the client's bookings to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum When {
    /// Starting now or later, soonest first.
    Upcoming,
    /// Started before now, latest first.
    Past,
    /// All, latest first.
    #[default]
    All,
}

impl When {
    pub const NAMES: &'static [&'static str] = &["upcoming", "past", "all"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "upcoming" => Some(Self::Upcoming),
            "past" => Some(Self::Past),
            "all" => Some(Self::All),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upcoming => "upcoming",
            Self::Past => "past",
            Self::All => "all",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingQuery {
    pub when: When,
    pub state: Option<BookingState>,
    pub after: Option<BookingCursor>,
    pub limit: u32,
}

impl Default for BookingQuery {
    fn default() -> Self {
        Self { when: When::All, state: None, after: None, limit: 20 }
    }
}

impl BookingQuery {
    /// The (start, id) a page begins strictly after, in its direction;
    /// without a cursor one that comes before every booking.
    pub fn start(&self) -> (i64, Uuid) {
        if let Some(cursor) = self.after.as_ref().filter(|c| c.when == self.when) {
            return (cursor.start, cursor.id.as_uuid());
        }
        match self.when {
            When::Upcoming => (i64::MIN, Uuid::nil()),
            When::Past | When::All => (i64::MAX, Uuid::max()),
        }
    }
}

/// Where the next page of a client's bookings starts. Opaque to API users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingCursor {
    pub when: When,
    pub start: i64,
    pub id: BookingId,
}

impl BookingCursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}\n{}\n{}", self.when.as_str(), self.start, self.id))
    }

    pub fn decode(text: &str) -> Option<Self> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
        let mut parts = text.splitn(3, '\n');
        let when = When::parse(parts.next()?)?;
        let start = parts.next()?.parse().ok()?;
        let id = parts.next()?.parse().ok()?;
        Some(Self { when, start, id })
    }
}

#[derive(Debug, Clone)]
pub struct BookingPage {
    pub bookings: Vec<Booking>,
    pub next: Option<BookingCursor>,
}

/// A pack bought by a client and how much of it is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackUse {
    pub pack: PackId,
    pub service: ServiceId,
    pub sessions: i64,
    /// Sessions with a date that are not cancelled.
    pub used: i64,
    /// Sessions still to schedule (cancelled ones included: they can be
    /// scheduled again).
    pub left: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PorReservar {
    pub sessions: Vec<Booking>,
    pub packs: Vec<PackUse>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientStats {
    /// Dated bookings, whatever their state.
    pub bookings: i64,
    pub attended: i64,
    pub cancelled: i64,
    pub no_shows: i64,
    /// Pesos, over every payment recorded.
    pub total_paid: i64,
    /// The soonest booking not cancelled starting now or later.
    pub next_appointment: Option<Booking>,
}
