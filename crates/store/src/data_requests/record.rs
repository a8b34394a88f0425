//! A request row as both backends read and write it: ids as UUIDs, times as
//! UTC microseconds, dates as `YYYY-MM-DD`, enums by their stable names.

use ficha_domain::{
    ClientId, DataRequest, DataRequestId, DataRight, Email, Extension, NoteText, RequestChannel, RequestStatus,
};
use jiff::civil::Date;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::record::{micros, timestamp};

/// The columns of `data_requests` (and the profile's name, joined in).
#[derive(Debug, Clone)]
pub struct RequestRecord {
    pub id: Uuid,
    /// Only while the profile exists (the read joins it).
    pub client_id: Option<Uuid>,
    pub client_name: Option<String>,
    pub email: String,
    pub data_right: String,
    pub channel: String,
    pub detail: Option<String>,
    pub received_at: i64,
    pub received_on: String,
    pub due_on: String,
    pub extension_reason: Option<String>,
    pub previous_due_on: Option<String>,
    pub extended_at: Option<i64>,
    pub status: String,
    pub response: Option<String>,
    pub action_taken: Option<String>,
    pub closed_at: Option<i64>,
}

impl RequestRecord {
    pub fn of(request: &DataRequest) -> Self {
        let text = |t: &Option<NoteText>| t.as_ref().map(|t| t.as_str().to_owned());
        let extension = request.extension.as_ref();
        Self {
            id: request.id.as_uuid(),
            client_id: request.client.map(|c| c.as_uuid()),
            client_name: request.client_name.clone(),
            email: request.email.as_str().to_owned(),
            data_right: request.right.as_str().to_owned(),
            channel: request.channel.as_str().to_owned(),
            detail: text(&request.detail),
            received_at: micros(request.received_at),
            received_on: request.received_on.to_string(),
            due_on: request.due_on.to_string(),
            extension_reason: extension.map(|e| e.reason.as_str().to_owned()),
            previous_due_on: extension.map(|e| e.previous_due.to_string()),
            extended_at: extension.map(|e| micros(e.at)),
            status: request.status.as_str().to_owned(),
            response: text(&request.response),
            action_taken: text(&request.action_taken),
            closed_at: request.closed_at.map(micros),
        }
    }

    pub fn into_request(self) -> StoreResult<DataRequest> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("data request {}: {what}", self.id));
        let date = |text: &str| text.parse::<Date>().map_err(|_| corrupt("date"));
        let text =
            |value: &Option<String>| value.as_deref().map(NoteText::parse).transpose().map_err(|_| corrupt("text"));
        let extension = match (&self.extension_reason, &self.previous_due_on, self.extended_at) {
            (Some(reason), Some(previous), Some(at)) => Some(Extension {
                reason: NoteText::parse(reason).map_err(|_| corrupt("extension"))?,
                previous_due: date(previous)?,
                at: timestamp(at)?,
            }),
            (None, None, None) => None,
            _ => return Err(corrupt("extension")),
        };
        Ok(DataRequest {
            id: DataRequestId::from_uuid(self.id),
            client: self.client_id.map(ClientId::from_uuid),
            client_name: self.client_name.clone(),
            email: Email::parse(&self.email).map_err(|_| corrupt("email"))?,
            right: DataRight::parse(&self.data_right).ok_or_else(|| corrupt("right"))?,
            channel: RequestChannel::parse(&self.channel).ok_or_else(|| corrupt("channel"))?,
            detail: text(&self.detail)?,
            received_at: timestamp(self.received_at)?,
            received_on: date(&self.received_on)?,
            due_on: date(&self.due_on)?,
            extension,
            status: RequestStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?,
            response: text(&self.response)?,
            action_taken: text(&self.action_taken)?,
            closed_at: self.closed_at.map(timestamp).transpose()?,
        })
    }
}
