//! How a data-subject request is filed and moved, written once for both
//! backends. A backend gives its queries on one open writing transaction
//! (`RequestTx`); who may do what, the due date, the step's rules (in
//! `ficha_domain::data_request`), the history entry and the requester's
//! email are decided here, so the change, its history and its email commit
//! together or not at all.

use async_trait::async_trait;
use ficha_domain::notification::plan;
use ficha_domain::{
    Actor, BusinessId, Change, ClientId, DataRequest, DataRequestFacts, DataRequestId, DueDays, Email, Event, Facts,
    NoticeKind, Recipient, RequestChannel, RequestEvent, RequestStatus, RequestStep,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::NewDataRequest;
use super::record::RequestRecord;
use crate::error::{StoreError, StoreResult};
use crate::outbox::flow::{Audience, OutboxTx};

/// One backend's queries inside one open writing transaction. Every query
/// binds `business`; another business's row is `NotFound`.
#[async_trait]
pub trait RequestTx: Send {
    /// The business's time zone (IANA name) and its due-days setting.
    async fn terms(&mut self, business: BusinessId) -> StoreResult<(String, DueDays)>;

    /// The profile's email and name.
    async fn client(&mut self, business: BusinessId, client: ClientId) -> StoreResult<(Email, String)>;

    /// The profile with this email key, if any, and its name.
    async fn client_by_email(&mut self, business: BusinessId, key: &str) -> StoreResult<Option<(ClientId, String)>>;

    async fn insert(&mut self, business: BusinessId, request: &RequestRecord) -> StoreResult<()>;

    /// The request, held against concurrent steps until the transaction ends.
    async fn request_to_change(&mut self, business: BusinessId, id: DataRequestId) -> StoreResult<DataRequest>;

    /// Writes status, answer and extension back.
    async fn save(&mut self, business: BusinessId, request: &RequestRecord) -> StoreResult<()>;

    /// Writes `changes` to the client's history, in this transaction.
    async fn record(&mut self, actor: &Actor, client: ClientId, at: Timestamp, changes: &[Change]) -> StoreResult<()>;

    /// The business's name and settings, for an email to `email`.
    async fn audience(&mut self, business: BusinessId, email: &Email, name: &str) -> StoreResult<Audience>;

    /// The outbox queries on this same transaction.
    fn outbox(&mut self) -> Box<dyn OutboxTx + '_>;
}

/// Whether `actor` may file a request that came by `channel`: owners record
/// what arrived by email, phone or in person; a client files from Mi cuenta;
/// the system files the privacy page's.
fn may_file(actor: &Actor, channel: RequestChannel) -> StoreResult<()> {
    let allowed = match actor {
        Actor::Staff { .. } if !actor.is_owner() => return Err(StoreError::OwnerOnly),
        Actor::Staff { .. } => RequestChannel::RECORDED.contains(&channel),
        Actor::Client { .. } => channel == RequestChannel::Account,
        Actor::System { .. } => true,
    };
    if allowed { Ok(()) } else { Err(StoreError::OwnerOnly) }
}

/// Staff other than owners read no request; a client reads their own.
pub fn may_read(actor: &Actor) -> StoreResult<()> {
    match actor {
        Actor::Staff { .. } if !actor.is_owner() => Err(StoreError::OwnerOnly),
        _ => Ok(()),
    }
}

/// `DataRequestStore::file_data_request` inside the backend's transaction;
/// the caller commits.
pub async fn file(
    tx: &mut dyn RequestTx,
    actor: &Actor,
    new: NewDataRequest,
    now: Timestamp,
) -> StoreResult<DataRequest> {
    may_file(actor, new.channel)?;
    let business = actor.business();
    let (zone, days) = tx.terms(business).await?;
    let own = match actor {
        Actor::Client { client, .. } => Some(*client),
        _ => new.client,
    };
    let (client, client_name, email) = match (own, new.email) {
        (Some(client), _) => {
            let (email, name) = tx.client(business, client).await?;
            (Some(client), Some(name), email)
        }
        (None, Some(email)) => match tx.client_by_email(business, &email.key()).await? {
            // Answered at the profile's address as stored.
            Some((client, _)) => {
                let (stored, name) = tx.client(business, client).await?;
                (Some(client), Some(name), stored)
            }
            None => (None, None, email),
        },
        // Someone must be answered: a profile or an address.
        (None, None) => return Err(StoreError::NotFound),
    };
    let received_on = now.to_zoned(TimeZone::get(&zone).unwrap_or(TimeZone::UTC)).date();
    let request = DataRequest {
        id: DataRequestId::generate(),
        client,
        client_name,
        email,
        right: new.right,
        channel: new.channel,
        detail: new.detail,
        received_at: now,
        received_on,
        due_on: days.due_from(received_on),
        extension: None,
        status: RequestStatus::Received,
        response: None,
        action_taken: None,
        closed_at: None,
    };
    tx.insert(business, &RequestRecord::of(&request)).await?;
    let event = RequestEvent::Received { due_on: request.due_on };
    recorded(tx, actor, &request, event, now).await?;
    tell(tx, business, &request, NoticeKind::DataRequestReceived, "received", now).await?;
    Ok(request)
}

/// `DataRequestStore::step_data_request` inside the backend's transaction;
/// the caller commits. Owners only.
pub async fn step(
    tx: &mut dyn RequestTx,
    actor: &Actor,
    id: DataRequestId,
    step: RequestStep,
    now: Timestamp,
) -> StoreResult<DataRequest> {
    if !actor.is_owner() {
        return Err(StoreError::OwnerOnly);
    }
    let business = actor.business();
    let before = tx.request_to_change(business, id).await?;
    let (after, event) = before.step(step, now).map_err(StoreError::RequestStep)?;
    tx.save(business, &RequestRecord::of(&after)).await?;
    recorded(tx, actor, &after, event, now).await?;
    // The person hears back when the business has answered or refused.
    if !after.status.is_open() {
        tell(tx, business, &after, NoticeKind::DataRequestAnswered, after.status.as_str(), now).await?;
    }
    Ok(after)
}

/// The history entry of a request's event, when it is about a profile.
async fn recorded(
    tx: &mut dyn RequestTx,
    actor: &Actor,
    request: &DataRequest,
    event: RequestEvent,
    now: Timestamp,
) -> StoreResult<()> {
    let Some(client) = request.client else { return Ok(()) };
    let change = Change::DataRequest { request: request.id, right: request.right, event };
    tx.record(actor, client, now, &[change]).await
}

/// The requester's email (`key` tells the event apart, so a retry sends once).
async fn tell(
    tx: &mut dyn RequestTx,
    business: BusinessId,
    request: &DataRequest,
    kind: NoticeKind,
    key: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let name = request.client_name.clone().unwrap_or_default();
    let audience = tx.audience(business, &request.email, &name).await?;
    let facts = Facts {
        business_name: audience.business_name.clone(),
        business_slug: audience.business_slug.clone(),
        time_zone: audience.time_zone.clone(),
        client_name: name,
        booking: None,
        note: None,
        link: None,
        code: None,
        data_request: Some(DataRequestFacts {
            right: request.right.as_str().to_owned(),
            due_on: request.due_on,
            status: request.status.as_str().to_owned(),
            response: request.response.as_ref().map(|r| r.as_str().to_owned()),
        }),
    };
    let event = Event { kind, key: format!("data_request:{}:{key}", request.id), facts, due: now };
    let recipient = Recipient {
        client: request.client,
        email: request.email.clone(),
        phone: None,
        preferences: Default::default(),
    };
    let messages = plan(&event, &recipient, &audience.settings, now);
    tx.outbox().enqueue(business, &messages, now).await
}
