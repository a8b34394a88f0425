//! Which messages a change writes, decided once for both backends. The
//! booking and attention-note flows call these inside their transaction, so
//! a change and its messages commit together or not at all.

use async_trait::async_trait;
use ficha_domain::notification::plan;
use ficha_domain::{
    Booking, BookingFacts, BookingId, BookingState, BusinessId, Change, Channel, ChoiceSource, ClientId,
    ClientPreferences, Event, Facts, NewMessage, NoticeKind, NotificationSettings, Recipient, ServiceId, StaffId,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::booking_site::Link;
use crate::bookings::rules;
use crate::error::{StoreError, StoreResult};
use crate::secret;

/// Who is told and what the business is called, read in the transaction.
#[derive(Debug, Clone)]
pub struct Audience {
    pub business_name: String,
    pub business_slug: String,
    pub time_zone: String,
    pub client_name: String,
    pub recipient: Recipient,
    pub settings: NotificationSettings,
}

/// A booking's labels as the client reads them.
#[derive(Debug, Clone)]
pub struct BookingLabels {
    pub service: String,
    pub price: i64,
    pub professional: Option<String>,
}

/// One backend's outbox queries on an open writing transaction. Every query
/// binds `business`.
#[async_trait]
pub trait OutboxTx: Send {
    /// The business, the client's contact data and choices, and the
    /// business's notification settings.
    async fn audience(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Audience>;

    /// The booking as stored now.
    async fn booking(&mut self, business: BusinessId, id: BookingId) -> StoreResult<Booking>;

    async fn labels(
        &mut self,
        business: BusinessId,
        service: ServiceId,
        professional: Option<StaffId>,
    ) -> StoreResult<BookingLabels>;

    /// One more than the highest calendar-invite sequence the booking's
    /// messages carry; 0 for its first.
    async fn next_sequence(&mut self, business: BusinessId, booking: BookingId) -> StoreResult<i32>;

    /// Inserts the messages, created `now`; one whose idempotency key the
    /// business already has is skipped. Makes the commit wake the workers.
    async fn enqueue(&mut self, business: BusinessId, messages: &[NewMessage], now: Timestamp) -> StoreResult<()>;

    /// Whether the business's clients book online (then every booking
    /// message carries a manage link).
    async fn books_online(&mut self, business: BusinessId) -> StoreResult<bool>;

    /// Stores a manage link of the booking (its token's hash).
    async fn save_link(
        &mut self,
        business: BusinessId,
        link: &Link,
        booking: BookingId,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Cancels the booking's messages of `kind` not yet taken by a worker
    /// (`pending`).
    async fn cancel_pending(&mut self, business: BusinessId, booking: BookingId, kind: NoticeKind) -> StoreResult<()>;

    /// What the client chose (defaults when never set), held until the
    /// transaction ends so no message for the client is written meanwhile
    /// under the old choice; `NotFound` for a client of another business.
    async fn hold_preferences(&mut self, business: BusinessId, client: ClientId) -> StoreResult<ClientPreferences>;

    async fn save_preferences(
        &mut self,
        business: BusinessId,
        client: ClientId,
        preferences: ClientPreferences,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Whether the client's profile is blocked (then nothing is written
    /// for them). Asked after `audience`, which holds the client's row.
    async fn client_blocked(&mut self, business: BusinessId, client: ClientId) -> StoreResult<bool>;

    /// Cancels the client's `pending` messages by `channel` and/or of `kind`
    /// (`None`: any).
    async fn cancel_client_pending(
        &mut self,
        business: BusinessId,
        client: ClientId,
        channel: Option<Channel>,
        kind: Option<NoticeKind>,
    ) -> StoreResult<()>;
}

/// What a change of a booking tells the client, if anything: a cancellation
/// wins over a new time, a new time over a confirmation; attendance and
/// payment are not told.
pub fn notice_of(before: Option<&Booking>, after: &Booking) -> Option<NoticeKind> {
    let Some(before) = before else { return Some(NoticeKind::BookingCreated) };
    if before.state != after.state && after.state == BookingState::Cancelled {
        return Some(NoticeKind::BookingCancelled);
    }
    if after.when.is_some() && (before.when != after.when || before.professional != after.professional) {
        return Some(NoticeKind::BookingRescheduled);
    }
    if before.state != after.state && after.state == BookingState::Confirmed {
        return Some(NoticeKind::BookingConfirmed);
    }
    None
}

fn facts(audience: &Audience, booking: Option<BookingFacts>) -> Facts {
    Facts {
        business_name: audience.business_name.clone(),
        business_slug: audience.business_slug.clone(),
        time_zone: audience.time_zone.clone(),
        client_name: audience.client_name.clone(),
        booking,
        note: None,
        link: None,
        code: None,
        data_request: None,
    }
}

async fn booking_facts(
    tx: &mut dyn OutboxTx,
    business: BusinessId,
    booking: &Booking,
    previous_start: Option<Timestamp>,
    sequence: i32,
) -> StoreResult<BookingFacts> {
    let labels = tx.labels(business, booking.service, booking.professional).await?;
    Ok(BookingFacts {
        id: booking.id,
        service: labels.service,
        professional: labels.professional,
        start: booking.when.map(|w| w.start()),
        end: booking.when.map(|w| w.end()),
        previous_start,
        sequence,
        state: booking.state.as_str().to_owned(),
        price: labels.price,
        pack: booking.pack.map(|p| (p.number, p.of)),
    })
}

/// Writes what the change `before` → `after` of a booking tells its client
/// (`before` is `None` for a new booking), and keeps its reminder in step:
/// each told change replaces the pending reminder (a new time moves it, a
/// confirmation brings its words up to date), a cancellation drops it. A
/// booking has at most one pending reminder.
pub async fn booking_changed(
    tx: &mut dyn OutboxTx,
    business: BusinessId,
    before: Option<&Booking>,
    after: &Booking,
    now: Timestamp,
) -> StoreResult<()> {
    booking_changed_linked(tx, business, before, after, now, None).await
}

/// `booking_changed`, the messages carrying the booking's manage link (a
/// path under the public URL): the one the change holds (the booking
/// site's own writes), else, when the business books online and the
/// booking is not cancelled, a fresh one minted here (only tokens' hashes
/// are stored, so a staff change cannot reuse the client's first link; any
/// of a booking's links opens it).
pub async fn booking_changed_linked(
    tx: &mut dyn OutboxTx,
    business: BusinessId,
    before: Option<&Booking>,
    after: &Booking,
    now: Timestamp,
    link: Option<&str>,
) -> StoreResult<()> {
    let Some(kind) = notice_of(before, after) else { return Ok(()) };
    if kind != NoticeKind::BookingCreated {
        tx.cancel_pending(business, after.id, NoticeKind::Reminder).await?;
    }
    let audience = tx.audience(business, after.client).await?;
    if tx.client_blocked(business, after.client).await? {
        return Ok(());
    }
    let minted = match link {
        None if after.state != BookingState::Cancelled && tx.books_online(business).await? => {
            Some(mint_link(tx, business, &audience.business_slug, after.id, now).await?)
        }
        _ => None,
    };
    let link = link.or(minted.as_deref());
    let sequence = tx.next_sequence(business, after.id).await?;
    let previous = before.and_then(|b| b.when).map(|w| w.start()).filter(|_| kind == NoticeKind::BookingRescheduled);
    let mut told = facts(&audience, Some(booking_facts(tx, business, after, previous, sequence).await?));
    told.link = link.map(str::to_owned);
    let event = Event { kind, key: format!("booking:{}:{sequence}", after.id), facts: told.clone(), due: now };
    let mut messages = plan(&event, &audience.recipient, &audience.settings, now);
    let remind = kind != NoticeKind::BookingCancelled && after.state != BookingState::Cancelled;
    if let Some(start) = after.when.map(|w| w.start()).filter(|_| remind) {
        let zone: TimeZone = rules::zone(&audience.time_zone);
        if let Some(due) = audience.settings.reminder_lead.due(start, &zone) {
            let reminder = Event {
                kind: NoticeKind::Reminder,
                key: format!("reminder:{}:{sequence}", after.id),
                facts: told,
                due,
            };
            messages.extend(plan(&reminder, &audience.recipient, &audience.settings, now));
        }
    }
    tx.enqueue(business, &messages, now).await
}

/// A new manage link of `booking`, stored; the path its messages carry.
async fn mint_link(
    tx: &mut dyn OutboxTx,
    business: BusinessId,
    slug: &str,
    booking: BookingId,
    now: Timestamp,
) -> StoreResult<String> {
    let token = secret::generate().map_err(StoreError::backend)?;
    let path = format!("/reservar/{slug}/reserva/{token}");
    tx.save_link(business, &Link { token_hash: secret::hash(&token), path: path.clone() }, booking, now).await?;
    Ok(path)
}

/// Writes the message telling the client of a shared attention note on
/// their booking.
pub async fn note_shared(
    tx: &mut dyn OutboxTx,
    business: BusinessId,
    booking: BookingId,
    note_key: &str,
    text: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let booking = &tx.booking(business, booking).await?;
    let audience = tx.audience(business, booking.client).await?;
    if tx.client_blocked(business, booking.client).await? {
        return Ok(());
    }
    // The note's message carries no invite: it does not move the sequence.
    let sequence = tx.next_sequence(business, booking.id).await?.saturating_sub(1).max(0);
    let mut told = facts(&audience, Some(booking_facts(tx, business, booking, None, sequence).await?));
    told.note = Some(text.to_owned());
    let event = Event { kind: NoticeKind::SharedNote, key: format!("note:{note_key}"), facts: told, due: now };
    let messages = plan(&event, &audience.recipient, &audience.settings, now);
    tx.enqueue(business, &messages, now).await
}

/// Records what a client chose to receive and cancels its pending messages
/// it no longer wants (WhatsApp ones, reminders). The history entry to write
/// in the same transaction, or `None` when nothing changed (and nothing was
/// written).
pub async fn set_preferences(
    tx: &mut dyn OutboxTx,
    business: BusinessId,
    client: ClientId,
    new: ClientPreferences,
    source: ChoiceSource,
    now: Timestamp,
) -> StoreResult<Option<Change>> {
    let old = tx.hold_preferences(business, client).await?;
    if old == new {
        return Ok(None);
    }
    tx.save_preferences(business, client, new, now).await?;
    if new.no_whatsapp {
        tx.cancel_client_pending(business, client, Some(Channel::Whatsapp), None).await?;
    }
    if new.no_reminders {
        tx.cancel_client_pending(business, client, None, Some(NoticeKind::Reminder)).await?;
    }
    Ok(Some(Change::NotificationPreferences { old, new, source: Some(source) }))
}

/// The messages of an account message (email only).
pub fn account_messages(
    audience: &Audience,
    message: &crate::outbox::AccountMessage,
    now: Timestamp,
) -> Vec<NewMessage> {
    let mut told = facts(audience, None);
    told.client_name = message.client_name.clone();
    told.link = Some(message.link.clone());
    told.code = message.code.clone();
    let event = Event { kind: message.kind, key: format!("account:{}", message.key), facts: told, due: now };
    let recipient = Recipient {
        client: message.client,
        email: message.email.clone(),
        phone: None,
        preferences: Default::default(),
    };
    plan(&event, &recipient, &audience.settings, now)
}

#[cfg(test)]
mod tests {
    use ficha_domain::{Attendance, Interval, Origin, Payment};

    use super::*;

    fn booking() -> Booking {
        let start: Timestamp = "2026-12-10T13:00:00Z".parse().expect("valid");
        let end: Timestamp = "2026-12-10T14:00:00Z".parse().expect("valid");
        Booking {
            id: BookingId::generate(),
            client: ClientId::generate(),
            service: ServiceId::generate(),
            professional: Some(StaffId::generate()),
            when: Some(Interval::new(start, end).expect("valid")),
            state: BookingState::Pending,
            payment: Payment::Unpaid,
            attendance: Attendance::Unknown,
            origin: Origin::Panel,
            created_by: None,
            created_at: start,
            pack: None,
        }
    }

    #[test]
    fn each_change_is_told_by_what_matters_most() {
        let before = booking();
        assert_eq!(notice_of(None, &before), Some(NoticeKind::BookingCreated));
        let confirmed = Booking { state: BookingState::Confirmed, ..before.clone() };
        assert_eq!(notice_of(Some(&before), &confirmed), Some(NoticeKind::BookingConfirmed));
        let cancelled = Booking { state: BookingState::Cancelled, ..before.clone() };
        assert_eq!(notice_of(Some(&before), &cancelled), Some(NoticeKind::BookingCancelled));
        let moved = Booking { professional: Some(StaffId::generate()), ..before.clone() };
        assert_eq!(notice_of(Some(&before), &moved), Some(NoticeKind::BookingRescheduled));
        let attended = Booking { attendance: Attendance::Attended, ..before.clone() };
        assert_eq!(notice_of(Some(&before), &attended), None);
    }
}
