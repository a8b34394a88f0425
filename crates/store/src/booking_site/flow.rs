//! A booking made on the site, and a client's change through its manage
//! link, decided once for both backends on top of `bookings::flow` (which
//! places the booking and writes its message in the same transaction).

use async_trait::async_trait;
use ficha_domain::{
    Acceptance, Actor, Booking, BookingId, BookingRule, BookingRules, BookingState, BusinessId, Change, Client,
    ClientId, Consent, CustomField, CustomValue, NewClient, Origin, ServiceId, SiteRule, StaffId,
};
use jiff::Timestamp;

use super::{Entered, Link, OnlineBooking, OnlineChange, Typed};
use crate::bookings::flow::{self as bookings, BookingTx};
use crate::bookings::{BookingChange, NewBooking, NewTime};
use crate::clients::registered;
use crate::consent::flow::{self as consent, NoticeTx};
use crate::custom_fields::{FieldValue, check_values};
use crate::error::{StoreError, StoreResult};
use crate::history::value_changes;

/// One backend's booking-site queries on the same writing transaction as
/// its `BookingTx`. Every query binds `business`.
#[async_trait]
pub trait SiteTx: BookingTx + NoticeTx {
    /// The business's rules (the defaults without a row).
    async fn rules(&mut self, business: BusinessId) -> StoreResult<BookingRules>;

    /// Whether the service is bookable online; `NotFound` for none such.
    async fn service_online(&mut self, business: BusinessId, service: ServiceId) -> StoreResult<bool>;

    /// The client with this email key, held until the transaction ends.
    async fn client_by_email(&mut self, business: BusinessId, email_key: &str) -> StoreResult<Option<Client>>;

    /// Inserts a new client and its search entry; `false` (nothing written)
    /// when a client with its email exists meanwhile.
    async fn insert_client(&mut self, business: BusinessId, client: &Client) -> StoreResult<bool>;

    /// Writes a client's general data (and search entry) as given.
    async fn write_client(&mut self, business: BusinessId, client: &Client) -> StoreResult<()>;

    async fn save_link(
        &mut self,
        business: BusinessId,
        link: &Link,
        booking: BookingId,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// The booking a link's token hash opens; `NotFound` otherwise.
    async fn linked(&mut self, business: BusinessId, token_hash: &[u8]) -> StoreResult<BookingId>;

    /// The business's fields, archived ones left out.
    async fn fields(&mut self, business: BusinessId) -> StoreResult<Vec<CustomField>>;

    async fn client_values(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Vec<FieldValue>>;

    /// Writes one of the client's values (the caller bumps the version).
    async fn write_value(
        &mut self,
        business: BusinessId,
        client: ClientId,
        field: &CustomField,
        value: &CustomValue,
    ) -> StoreResult<()>;

    /// Rewrites the client's search entry from what is stored now.
    async fn refresh_search(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()>;

    async fn save_entered(&mut self, business: BusinessId, booking: BookingId, entered: &Entered) -> StoreResult<()>;
}

/// What an anonymous booking does to a stored profile: empty fields take the
/// typed value; a typed value that differs from a stored one is kept aside
/// (`Entered`), the profile keeps its own.
pub fn merge(stored: &Client, typed: &Typed) -> (Client, Entered) {
    let mut filled = stored.clone();
    let mut entered = Entered::default();
    if typed.name != stored.name {
        entered.name = Some(typed.name.as_str().to_owned());
    }
    match (&stored.phone, &typed.phone) {
        (None, Some(phone)) => filled.phone = Some(phone.clone()),
        (Some(old), Some(new)) if old != new => entered.phone = Some(new.e164().to_owned()),
        _ => {}
    }
    match (stored.rut, typed.rut) {
        (None, Some(rut)) => filled.rut = Some(rut),
        (Some(old), Some(new)) if old != new => entered.rut = Some(new.canonical()),
        _ => {}
    }
    match (stored.birth_date, typed.birth_date) {
        (None, Some(date)) => filled.birth_date = Some(date),
        (Some(old), Some(new)) if old != new => entered.birth_date = Some(new.to_string()),
        _ => {}
    }
    (filled, entered)
}

/// The answers as the business's fields take them now; an answer to a
/// field gone meanwhile refuses the booking (`ValuesRefused`).
async fn answers<T: SiteTx>(
    tx: &mut T,
    business: BusinessId,
    typed: &Typed,
) -> StoreResult<Vec<(CustomField, CustomValue)>> {
    if typed.values.is_empty() {
        return Ok(Vec::new());
    }
    let fields = tx.fields(business).await?;
    let asked = typed.values.iter().map(|(key, value)| (key.clone(), Some(value.clone()))).collect();
    let accepted = check_values(&fields, asked).map_err(StoreError::ValuesRefused)?;
    Ok(accepted.into_iter().filter_map(|(field, value)| value.map(|v| (field, v))).collect())
}

/// The client the email names, created if new, filled where empty; and what
/// was typed that differs.
async fn find_or_create<T: SiteTx>(
    tx: &mut T,
    actor: &Actor,
    typed: &Typed,
    now: Timestamp,
) -> StoreResult<(ClientId, Entered)> {
    let business = actor.business();
    let key = typed.email.key();
    let answers = answers(tx, business, typed).await?;
    if tx.client_by_email(business, &key).await?.is_none() {
        let new = NewClient {
            name: typed.name.clone(),
            email: typed.email.clone(),
            phone: typed.phone.clone(),
            rut: typed.rut,
            birth_date: typed.birth_date,
        };
        let client = registered(new, now);
        if tx.insert_client(business, &client).await? {
            if !answers.is_empty() {
                for (field, value) in &answers {
                    tx.write_value(business, client.id, field, value).await?;
                }
                tx.refresh_search(business, client.id).await?;
                let after = tx.client_values(business, client.id).await?;
                tx.record(actor, client.id, now, &value_changes(&[], &after)).await?;
            }
            return Ok((client.id, Entered::default()));
        }
    }
    // Stored already, or by a writer that got there first.
    let stored = tx.client_by_email(business, &key).await?.ok_or(StoreError::NotFound)?;
    let (mut filled, mut entered) = merge(&stored, typed);
    let before = tx.client_values(business, stored.id).await?;
    let mut values_filled = false;
    for (field, value) in &answers {
        match before.iter().find(|v| v.field.id == field.id) {
            None => {
                tx.write_value(business, stored.id, field, value).await?;
                values_filled = true;
            }
            Some(held) if held.value != *value => {
                entered.values.push((field.label.as_str().to_owned(), value.display()));
            }
            Some(_) => {}
        }
    }
    let changes = Change::between(&stored, &filled);
    if !changes.is_empty() || values_filled {
        filled.version += 1;
        tx.write_client(business, &filled).await?;
        tx.record(actor, stored.id, now, &changes).await?;
    }
    if values_filled {
        let after = tx.client_values(business, stored.id).await?;
        tx.record(actor, stored.id, now, &value_changes(&before, &after)).await?;
    }
    Ok((stored.id, entered))
}

/// Whether a refusal means "this professional cannot then", so the next
/// one may be tried.
fn try_next(error: &StoreError) -> bool {
    matches!(
        error,
        StoreError::Refused(
            BookingRule::Overlap { .. }
                | BookingRule::OutsideWorkingHours
                | BookingRule::InThePast
                | BookingRule::ServiceNotPerformed
                | BookingRule::ProfessionalUnknown
        )
    )
}

/// The site never says that a profile is blocked (whoever types an email
/// would learn it): a blocked profile is told what a service closed to
/// online booking is told, "no se puede reservar en línea".
fn unrevealed(error: StoreError) -> StoreError {
    match error {
        StoreError::ClientBlocked => SiteRule::NotBookable.into(),
        other => other,
    }
}

/// The professionals to try, in order: the one chosen, or every one who
/// performs the service ("Cualquiera"), by id so that concurrent requests
/// lock them in the same order.
fn candidates(chosen: Option<StaffId>, performers: impl Iterator<Item = StaffId>) -> Vec<StaffId> {
    match chosen {
        Some(one) => vec![one],
        None => performers.collect(),
    }
}

/// `BookingSiteStore::book_online` inside the backend's transaction; the
/// caller commits. Returns the dated booking (a pack's first session).
pub async fn book<T: SiteTx>(
    tx: &mut T,
    actor: &Actor,
    request: &OnlineBooking,
    now: Timestamp,
) -> StoreResult<Booking> {
    let business = actor.business();
    let rules = tx.rules(business).await?;
    let zone = tx.zone(business).await?;
    rules.may_book(request.start, now, &zone)?;
    match tx.service_online(business, request.service).await {
        Ok(true) => {}
        Ok(false) | Err(StoreError::NotFound) => return Err(SiteRule::NotBookable.into()),
        Err(other) => return Err(other),
    }
    let service = tx.service(business, request.service).await?;
    let notice_version = consent::accepted(tx, business, &request.consent, now).await?;
    let (client, entered) = find_or_create(tx, actor, &request.client, now).await?;
    // Before the booking's messages are written, so they follow the choice.
    let whatsapp_opt_in = whatsapp_choice(tx, actor, client, &request.consent, now).await?;
    let consent = Consent { notice_version, accepted_at: now, whatsapp_opt_in };
    let state =
        if rules.start_state == BookingState::Confirmed { BookingState::Confirmed } else { BookingState::Pending };
    for professional in candidates(request.professional, service.professionals.iter().copied()) {
        let new = NewBooking {
            client,
            service: service.id,
            professional: Some(professional),
            start: Some(request.start),
            end: None,
            state,
            origin: Origin::BookingSite,
            override_agenda: false,
        };
        match bookings::book_linked(tx, actor, &new, now, Some(&request.link.path)).await {
            Ok(rows) => {
                // Every session of a pack was booked under this consent.
                for row in &rows {
                    tx.save_consent(business, row.id, client, &consent).await?;
                }
                let dated = rows.into_iter().find(|b| b.when.is_some()).ok_or(StoreError::NotFound)?;
                tx.save_link(business, &request.link, dated.id, now).await?;
                if !entered.is_empty() {
                    tx.save_entered(business, dated.id, &entered).await?;
                }
                return Ok(dated);
            }
            Err(error) if try_next(&error) => continue,
            Err(error) => return Err(unrevealed(error)),
        }
    }
    Err(SiteRule::SlotTaken.into())
}

/// The client's WhatsApp choice on the booking form, while the business
/// sends WhatsApp messages (else `None`: not asked, nothing changed). It
/// becomes the client's preference, with its history entry, so a later
/// booking's choice overrides an earlier one either way.
async fn whatsapp_choice<T: SiteTx>(
    tx: &mut T,
    actor: &Actor,
    client: ClientId,
    acceptance: &Acceptance,
    now: Timestamp,
) -> StoreResult<Option<bool>> {
    let business = actor.business();
    let mut outbox = tx.outbox();
    if !outbox.audience(business, client).await?.settings.whatsapp.enabled {
        return Ok(None);
    }
    let held = outbox.hold_preferences(business, client).await?;
    let wanted = ficha_domain::ClientPreferences { no_whatsapp: !acceptance.whatsapp_opt_in, ..held };
    let change = crate::outbox::flow::set_preferences(
        &mut *outbox,
        business,
        client,
        wanted,
        ficha_domain::ChoiceSource::BookingSite,
        now,
    )
    .await?;
    drop(outbox);
    if let Some(change) = change {
        tx.record(actor, client, now, &[change]).await?;
    }
    Ok(Some(acceptance.whatsapp_opt_in))
}

/// `BookingSiteStore::change_online` inside the backend's transaction; the
/// caller commits.
pub async fn change<T: SiteTx>(
    tx: &mut T,
    actor: &Actor,
    link: &Link,
    change: &OnlineChange,
    now: Timestamp,
) -> StoreResult<Booking> {
    let id = tx.linked(actor.business(), &link.token_hash).await?;
    let current = tx.booking_to_change(actor.business(), id).await?;
    apply(tx, actor, current, change, now, Some(&link.path)).await
}

/// `BookingSiteStore::change_as_client`: the same rules as the manage
/// link's, on a booking of the signed-in client (`Actor::Client`) — any
/// other booking, and any other actor, is `NotFound`. Its messages get a
/// freshly minted manage link, like a staff change's.
pub async fn change_as_client<T: SiteTx>(
    tx: &mut T,
    actor: &Actor,
    booking: BookingId,
    change: &OnlineChange,
    now: Timestamp,
) -> StoreResult<Booking> {
    let Actor::Client { business, client } = *actor else { return Err(StoreError::NotFound) };
    let current = tx.booking_to_change(business, booking).await?;
    if current.client != client {
        return Err(StoreError::NotFound);
    }
    apply(tx, actor, current, change, now, None).await
}

/// A client's change of `current` under the business's deadlines; `path`
/// is the manage link the client's message carries (`None`: one is minted). A pack session without a date
/// is scheduled (no deadline to respect yet); a dated booking is confirmed,
/// cancelled or moved only until its deadline.
async fn apply<T: SiteTx>(
    tx: &mut T,
    actor: &Actor,
    current: Booking,
    change: &OnlineChange,
    now: Timestamp,
    path: Option<&str>,
) -> StoreResult<Booking> {
    let business = actor.business();
    let id = current.id;
    let rules = tx.rules(business).await?;
    let start = current.when.map(|w| w.start());
    match change {
        OnlineChange::Confirm => {
            rules.may_confirm(start.ok_or(BookingRule::NotScheduled)?, now)?;
            // Confirming twice is no error for the client: it is confirmed.
            if current.state == BookingState::Confirmed {
                return Ok(current);
            }
            bookings::change_linked(tx, actor, id, &BookingChange::Confirm, now, path).await
        }
        OnlineChange::Cancel => {
            rules.may_cancel(start.ok_or(BookingRule::NotScheduled)?, now)?;
            bookings::change_linked(tx, actor, id, &BookingChange::Cancel, now, path).await
        }
        OnlineChange::Reschedule { professional, start: to } => {
            // A cancelled booking comes back only through the business.
            if current.state == BookingState::Cancelled {
                let back = BookingRule::Transition { from: BookingState::Cancelled, to: BookingState::Pending };
                return Err(back.into());
            }
            if let Some(start) = start {
                rules.may_reschedule(start, now)?;
            }
            let zone = tx.zone(business).await?;
            rules.may_book(*to, now, &zone)?;
            let service = tx.service(business, current.service).await?;
            for candidate in candidates(*professional, service.professionals.iter().copied()) {
                let new_time = NewTime {
                    professional: Some(candidate),
                    start: *to,
                    end: None,
                    origin: Origin::BookingSite,
                    override_agenda: false,
                };
                let moved = BookingChange::Reschedule(new_time);
                match bookings::change_linked(tx, actor, id, &moved, now, path).await {
                    Err(error) if try_next(&error) => continue,
                    other => return other.map_err(unrevealed),
                }
            }
            Err(SiteRule::SlotTaken.into())
        }
    }
}
