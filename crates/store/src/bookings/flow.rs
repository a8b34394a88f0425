//! How a booking is placed and changed, written once for both backends. A
//! backend gives the steps (`BookingTx`: its queries on one open writing
//! transaction); the order of the steps and every decision are here, so the
//! rules hold the same on SQLite and PostgreSQL.

use async_trait::async_trait;
use ficha_domain::{
    Actor, Agenda, Booking, BookingId, BookingRule, BusinessId, Change, ClientId, Interval, Request, Service,
    ServiceId, StaffId,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::rules::{self, Placing, Spot};
use super::{BookingChange, NewBooking};
use crate::error::{StoreError, StoreResult};
use crate::outbox::flow::{self as outbox, OutboxTx};

/// One backend's queries inside one open writing transaction. Every query
/// binds `business`; a row of another business is `NotFound`.
#[async_trait]
pub trait BookingTx: Send {
    async fn client_exists(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()>;

    /// `ClientBlocked` when the client's profile is blocked (bloqueo);
    /// on PostgreSQL the client's row is held `FOR SHARE` first, so a
    /// block committed meanwhile is seen.
    async fn ensure_open(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()>;

    async fn service(&mut self, business: BusinessId, id: ServiceId) -> StoreResult<Service>;

    /// Makes other placements for `staff` wait until this transaction ends
    /// (SQLite's single writer does so already; PostgreSQL locks the staff
    /// row). `NotFound` unless `staff` is staff of the business.
    async fn hold_professional(&mut self, business: BusinessId, staff: StaffId) -> StoreResult<()>;

    async fn agenda(&mut self, business: BusinessId, staff: StaffId) -> StoreResult<Agenda>;

    async fn zone(&mut self, business: BusinessId) -> StoreResult<TimeZone>;

    /// The first booking of `staff`, not cancelled and not `moving`, that
    /// overlaps `when`.
    async fn overlapping(
        &mut self,
        business: BusinessId,
        staff: StaffId,
        when: Interval,
        moving: Option<BookingId>,
    ) -> StoreResult<Option<BookingId>>;

    /// The booking, held against concurrent changes until the transaction ends.
    async fn booking_to_change(&mut self, business: BusinessId, id: BookingId) -> StoreResult<Booking>;

    async fn insert(&mut self, business: BusinessId, booking: &Booking) -> StoreResult<()>;

    /// Writes the booking's mutable columns: professional, time, state,
    /// attendance, payment.
    async fn update(&mut self, business: BusinessId, booking: &Booking) -> StoreResult<()>;

    async fn set_last_booking(&mut self, business: BusinessId, client: ClientId, at: Timestamp) -> StoreResult<()>;

    /// Writes `changes` to the client's history, in this transaction.
    async fn record(&mut self, actor: &Actor, client: ClientId, at: Timestamp, changes: &[Change]) -> StoreResult<()>;

    /// The outbox queries on this same transaction.
    fn outbox(&mut self) -> Box<dyn OutboxTx + '_>;
}

/// A failed lookup of a row the request named becomes the rule it broke.
fn named<T>(result: StoreResult<T>, rule: BookingRule) -> StoreResult<T> {
    match result {
        Err(StoreError::NotFound) => Err(rule.into()),
        other => other,
    }
}

/// Checks that the spot's professional may take the service then: of the
/// business, performing it, inside the agenda (or overridden), and free.
async fn place(
    tx: &mut dyn BookingTx,
    business: BusinessId,
    service: &Service,
    spot: Spot,
    now: Timestamp,
) -> StoreResult<()> {
    named(tx.hold_professional(business, spot.professional).await, BookingRule::ProfessionalUnknown)?;
    let agenda = tx.agenda(business, spot.professional).await?;
    let zone = tx.zone(business).await?;
    rules::placement(&Placing { service, agenda: &agenda, zone: &zone, now }, spot)?;
    match tx.overlapping(business, spot.professional, spot.when, spot.moving).await? {
        Some(with) => Err(BookingRule::Overlap { with }.into()),
        None => Ok(()),
    }
}

/// `BookingStore::book` inside the backend's transaction; the caller commits.
pub async fn book(
    tx: &mut dyn BookingTx,
    actor: &Actor,
    new: &NewBooking,
    now: Timestamp,
) -> StoreResult<Vec<Booking>> {
    book_linked(tx, actor, new, now, None).await
}

/// `book`, its message carrying the booking's manage link (the booking
/// site's bookings). A refusal writes nothing, so a caller may try another
/// professional on the same transaction.
pub async fn book_linked(
    tx: &mut dyn BookingTx,
    actor: &Actor,
    new: &NewBooking,
    now: Timestamp,
    link: Option<&str>,
) -> StoreResult<Vec<Booking>> {
    let business = actor.business();
    named(tx.client_exists(business, new.client).await, BookingRule::ClientUnknown)?;
    tx.ensure_open(business, new.client).await?;
    let service = named(tx.service(business, new.service).await, BookingRule::ServiceUnknown)?;
    let placed = rules::placed(new, &service)?;
    if let Some((professional, when)) = placed {
        let request = Request { origin: new.origin, override_agenda: new.override_agenda };
        place(tx, business, &service, Spot { professional, when, request, moving: None }, now).await?;
    }
    let rows = rules::new_rows(new, &service, placed, actor, now);
    for row in &rows {
        tx.insert(business, row).await?;
    }
    tx.set_last_booking(business, new.client, now).await?;
    let created: Vec<Change> =
        rows.iter().map(|b| Change::BookingCreated { booking: b.id, start: b.when.map(|w| w.start()) }).collect();
    tx.record(actor, new.client, now, &created).await?;
    // One message for the purchase: its dated session, else its first.
    if let Some(told) = rows.iter().find(|b| b.when.is_some()).or(rows.first()) {
        outbox::booking_changed_linked(tx.outbox().as_mut(), business, None, told, now, link).await?;
    }
    Ok(rows)
}

/// `BookingStore::change_booking` inside the backend's transaction; the
/// caller commits.
pub async fn change(
    tx: &mut dyn BookingTx,
    actor: &Actor,
    id: BookingId,
    change: &BookingChange,
    now: Timestamp,
) -> StoreResult<Booking> {
    change_linked(tx, actor, id, change, now, None).await
}

/// `change`, its message carrying the booking's manage link (a change made
/// through that link). A refusal writes nothing.
pub async fn change_linked(
    tx: &mut dyn BookingTx,
    actor: &Actor,
    id: BookingId,
    change: &BookingChange,
    now: Timestamp,
    link: Option<&str>,
) -> StoreResult<Booking> {
    let business = actor.business();
    let current = tx.booking_to_change(business, id).await?;
    let changed = match change {
        // A new time is a new booking in all but name: refused for a
        // blocked profile. Confirming, cancelling, attendance and payment
        // record what happened to an existing one and stay possible.
        BookingChange::Reschedule(to) => {
            tx.ensure_open(business, current.client).await?;
            let professional = to.professional.or(current.professional).ok_or(BookingRule::ProfessionalRequired)?;
            let service = tx.service(business, current.service).await?;
            let when = rules::interval(to.start, to.end, &service)?;
            let rescheduled = current.reschedule(professional, when)?;
            let request = Request { origin: to.origin, override_agenda: to.override_agenda };
            place(tx, business, &service, Spot { professional, when, request, moving: Some(id) }, now).await?;
            rescheduled
        }
        BookingChange::Confirm => current.confirm()?,
        BookingChange::Cancel => current.cancel()?,
        BookingChange::Attendance(attendance) => current.mark_attendance(*attendance, now)?,
        // "Not after today" in the business's calendar.
        BookingChange::Payment(payment) => {
            current.set_payment(*payment, now.to_zoned(tx.zone(business).await?).date())?
        }
    };
    tx.update(business, &changed).await?;
    tx.record(actor, changed.client, now, &Change::of_booking(&current, &changed)).await?;
    outbox::booking_changed_linked(tx.outbox().as_mut(), business, Some(&current), &changed, now, link).await?;
    Ok(changed)
}
