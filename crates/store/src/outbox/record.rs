//! The outbox as both backends store it: message rows, a business's
//! settings and a client's choices, column by column, and the rules that
//! turn them into domain values and back. Each backend only reads columns
//! into these records and binds them.

use std::collections::BTreeMap;

use ficha_domain::{
    BookingId, BusinessId, Channel, ClientId, ClientName, ClientPreferences, Email, Facts, MessageId, MessageStatus,
    NewMessage, NoticeKind, NotificationSettings, Phone, Recipient, ReminderLead, Template, WhatsappSettings,
};
use uuid::Uuid;

use super::flow::Audience;
use super::{AccountMessage, Claimed, Delivery, Message, MessageCursor, MessagePage, MessageQuery};
use crate::error::{StoreError, StoreResult};
use crate::record::{micros, timestamp};

/// An `outbox_messages` row as read, column by column.
#[derive(Debug, Clone)]
pub struct MessageRecord {
    pub business_id: Uuid,
    pub id: Uuid,
    pub client_id: Option<Uuid>,
    pub booking_id: Option<Uuid>,
    pub channel: String,
    pub recipient: String,
    pub kind: String,
    /// JSON (`Facts`).
    pub facts: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub provider_id: Option<String>,
    pub delivery: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

impl MessageRecord {
    pub fn into_message(self) -> StoreResult<Message> {
        let corrupt = |what: &str, value: &str| StoreError::Corrupt(format!("message {} {what}: {value:?}", self.id));
        Ok(Message {
            id: MessageId::from_uuid(self.id),
            client: self.client_id.map(ClientId::from_uuid),
            booking: self.booking_id.map(BookingId::from_uuid),
            channel: Channel::parse(&self.channel).ok_or_else(|| corrupt("channel", &self.channel))?,
            recipient: self.recipient.clone(),
            kind: NoticeKind::parse(&self.kind).ok_or_else(|| corrupt("kind", &self.kind))?,
            facts: serde_json::from_str(&self.facts).map_err(|_| corrupt("facts", &self.facts))?,
            status: MessageStatus::parse(&self.status).ok_or_else(|| corrupt("status", &self.status))?,
            attempts: u32::try_from(self.attempts).map_err(|_| corrupt("attempts", &self.attempts.to_string()))?,
            next_attempt_at: timestamp(self.next_attempt_at)?,
            last_error: self.last_error.clone(),
            provider_id: self.provider_id.clone(),
            delivery: match &self.delivery {
                Some(d) => Some(Delivery::parse(d).ok_or_else(|| corrupt("delivery", d))?),
                None => None,
            },
            created_at: timestamp(self.created_at)?,
            sent_at: self.sent_at.map(timestamp).transpose()?,
        })
    }

    /// The row as a worker's claim on it.
    pub fn into_claimed(self) -> StoreResult<Claimed> {
        let business = BusinessId::from_uuid(self.business_id);
        Ok(Claimed { business, message: self.into_message()? })
    }
}

/// A new message's columns, in the order both backends' inserts bind them.
#[derive(Debug, Clone)]
pub struct NewMessageRecord {
    pub id: Uuid,
    pub client_id: Option<Uuid>,
    pub booking_id: Option<Uuid>,
    pub channel: &'static str,
    pub recipient: String,
    pub kind: &'static str,
    pub facts: String,
    /// The calendar invite's sequence the message carries, if about a
    /// booking: what `next_sequence` counts from.
    pub sequence: Option<i32>,
    pub next_attempt_at: i64,
    pub idempotency_key: String,
    pub created_at: i64,
}

impl NewMessageRecord {
    /// `message`, written at `now`: pending, due at its time.
    pub fn of(message: &NewMessage, now: jiff::Timestamp) -> StoreResult<Self> {
        Ok(Self {
            id: message.id.as_uuid(),
            client_id: message.client.map(|c| c.as_uuid()),
            booking_id: message.booking.map(|b| b.as_uuid()),
            channel: message.channel.as_str(),
            recipient: message.recipient.clone(),
            kind: message.kind.as_str(),
            facts: facts_json(&message.facts)?,
            sequence: message.facts.booking.as_ref().map(|b| b.sequence),
            next_attempt_at: micros(message.due),
            idempotency_key: message.idempotency_key.clone(),
            created_at: micros(now),
        })
    }
}

fn facts_json(facts: &Facts) -> StoreResult<String> {
    serde_json::to_string(facts).map_err(StoreError::backend)
}

/// A `notification_settings` row, column by column. No row at all means
/// the defaults (`NotificationSettings::default()`: reminders a day ahead,
/// no WhatsApp).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsRecord {
    pub sender_name: Option<String>,
    /// `None`: reminders off.
    pub reminder_lead_minutes: Option<i32>,
    pub whatsapp_enabled: bool,
    pub whatsapp_phone_number_id: String,
    pub whatsapp_access_token: String,
    /// JSON by kind: `{"booking_created": {"name": …, "language": …}}`.
    pub whatsapp_templates: String,
}

impl SettingsRecord {
    pub fn of(settings: &NotificationSettings) -> StoreResult<Self> {
        let lead = match settings.reminder_lead {
            ReminderLead::Off => None,
            ReminderLead::Minutes(m) => Some(i32::try_from(m.min(ReminderLead::MAX_MINUTES)).unwrap_or(i32::MAX)),
        };
        Ok(Self {
            sender_name: settings.sender_name.clone().filter(|name| !name.trim().is_empty()),
            reminder_lead_minutes: lead,
            whatsapp_enabled: settings.whatsapp.enabled,
            whatsapp_phone_number_id: settings.whatsapp.phone_number_id.clone(),
            whatsapp_access_token: settings.whatsapp.access_token.clone(),
            whatsapp_templates: serde_json::to_string(&settings.whatsapp.templates).map_err(StoreError::backend)?,
        })
    }

    pub fn into_settings(self) -> StoreResult<NotificationSettings> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("notification settings {what}"));
        let reminder_lead = match self.reminder_lead_minutes {
            None => ReminderLead::Off,
            Some(m) => ReminderLead::Minutes(u32::try_from(m).map_err(|_| corrupt("reminder lead"))?),
        };
        let templates: BTreeMap<NoticeKind, Template> =
            serde_json::from_str(&self.whatsapp_templates).map_err(|_| corrupt("whatsapp templates"))?;
        Ok(NotificationSettings {
            sender_name: self.sender_name,
            reminder_lead,
            whatsapp: WhatsappSettings {
                enabled: self.whatsapp_enabled,
                phone_number_id: self.whatsapp_phone_number_id,
                access_token: self.whatsapp_access_token,
                templates,
            },
        })
    }
}

/// A business's settings from its row, or the defaults without one.
pub fn settings(row: Option<SettingsRecord>) -> StoreResult<NotificationSettings> {
    row.map_or_else(|| Ok(NotificationSettings::default()), SettingsRecord::into_settings)
}

/// A client's choices from its row's columns, or the defaults (everything
/// on) without one.
pub fn preferences(no_whatsapp: Option<bool>, no_reminders: Option<bool>) -> ClientPreferences {
    ClientPreferences { no_whatsapp: no_whatsapp.unwrap_or(false), no_reminders: no_reminders.unwrap_or(false) }
}

/// The business's side of an audience: who it is and its settings.
#[derive(Debug, Clone)]
pub struct BusinessRecord {
    pub name: String,
    pub slug: String,
    pub time_zone: String,
    pub settings: Option<SettingsRecord>,
}

/// The client's side of an audience, as read (preferences `None` without
/// a row).
#[derive(Debug, Clone)]
pub struct ClientContactRecord {
    pub id: ClientId,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub no_whatsapp: Option<bool>,
    pub no_reminders: Option<bool>,
}

impl BusinessRecord {
    /// Who a message of the business goes to: the client as stored.
    pub fn audience(self, client: ClientContactRecord) -> StoreResult<Audience> {
        let corrupt = |what: &str, value: &str| StoreError::Corrupt(format!("client {} {what}: {value:?}", client.id));
        let name = ClientName::parse(&client.name).map_err(|_| corrupt("name", &client.name))?;
        let recipient = Recipient {
            client: Some(client.id),
            email: Email::parse(&client.email).map_err(|_| corrupt("email", &client.email))?,
            phone: match &client.phone {
                Some(p) => Some(Phone::parse(p).map_err(|_| corrupt("phone", p))?),
                None => None,
            },
            preferences: preferences(client.no_whatsapp, client.no_reminders),
        };
        Ok(Audience {
            business_name: self.name,
            business_slug: self.slug,
            time_zone: self.time_zone,
            client_name: name.as_str().to_owned(),
            recipient,
            settings: settings(self.settings)?,
        })
    }

    /// Who an account message goes to: the address it names.
    pub fn account_audience(self, message: &AccountMessage) -> StoreResult<Audience> {
        self.addressed_to(message.client, message.email.clone(), message.client_name.clone())
    }

    /// Who an email of the client's side goes to: `email`, by name.
    pub fn addressed_to(self, client: Option<ClientId>, email: Email, name: String) -> StoreResult<Audience> {
        Ok(Audience {
            business_name: self.name,
            business_slug: self.slug,
            time_zone: self.time_zone,
            client_name: name,
            recipient: Recipient { client, email, phone: None, preferences: ClientPreferences::default() },
            settings: settings(self.settings)?,
        })
    }
}

impl Delivery {
    /// How far along a message is by the provider's reports; a report that
    /// is not further than what is known (they may arrive out of order) is
    /// not applied.
    fn rank(self) -> u8 {
        match self {
            Self::Sent => 1,
            Self::Delivered => 2,
            Self::Read => 3,
            Self::Failed => 4,
        }
    }

    /// Whether this report changes a message that had `current`.
    pub fn advances(self, current: Option<Delivery>) -> bool {
        current.is_none_or(|c| self.rank() > c.rank())
    }
}

/// A message's columns a delivery report reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    pub status: String,
    pub delivery: Option<String>,
    pub last_error: Option<String>,
}

impl Reported {
    /// The columns after `report` (with the provider's `error`), or `None`
    /// when it changes nothing (an earlier report arriving late). A failure
    /// fails a message that was sent, with the provider's reason.
    pub fn after(&self, report: Delivery, error: Option<&str>) -> StoreResult<Option<Self>> {
        let current = match &self.delivery {
            Some(d) => Some(Delivery::parse(d).ok_or_else(|| StoreError::Corrupt(format!("delivery {d:?}")))?),
            None => None,
        };
        if !report.advances(current) {
            return Ok(None);
        }
        let fails = report == Delivery::Failed && self.status == MessageStatus::Sent.as_str();
        Ok(Some(Self {
            status: if fails { MessageStatus::Failed.as_str().to_owned() } else { self.status.clone() },
            delivery: Some(report.as_str().to_owned()),
            last_error: match error {
                Some(error) if fails => Some(error.to_owned()),
                _ => self.last_error.clone(),
            },
        }))
    }
}

impl MessageQuery {
    /// The (created_at, id) a page starts strictly before; the first page
    /// starts before a sentinel that comes after every row.
    pub fn start(&self) -> (i64, Uuid) {
        self.after.map_or((i64::MAX, Uuid::max()), |c| (c.created_at, c.id.as_uuid()))
    }
}

/// One page of messages from rows fetched with one extra row (which tells
/// whether more follow).
pub fn page(mut messages: Vec<Message>, limit: u32) -> MessagePage {
    let more = messages.len() > limit as usize;
    messages.truncate(limit as usize);
    let next =
        if more { messages.last().map(|m| MessageCursor { created_at: micros(m.created_at), id: m.id }) } else { None };
    MessagePage { messages, next }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_a_missing_row_is_the_default() {
        let settings = NotificationSettings {
            sender_name: Some("Clínica".into()),
            reminder_lead: ReminderLead::Minutes(120),
            whatsapp: WhatsappSettings {
                enabled: true,
                phone_number_id: "123".into(),
                access_token: "tok".into(),
                templates: [(NoticeKind::Reminder, Template { name: "recordatorio".into(), language: "es_CL".into() })]
                    .into(),
            },
        };
        let record = SettingsRecord::of(&settings).expect("stored");
        assert_eq!(record.whatsapp_templates, r#"{"reminder":{"name":"recordatorio","language":"es_CL"}}"#);
        assert_eq!(record.clone().into_settings().expect("read"), settings);
        let off = NotificationSettings { reminder_lead: ReminderLead::Off, ..Default::default() };
        assert_eq!(SettingsRecord::of(&off).expect("stored").into_settings().expect("read"), off);
        assert_eq!(settings_of_none(), NotificationSettings::default());
        assert_eq!(NotificationSettings::default().reminder_lead, ReminderLead::Minutes(1440));
    }

    fn settings_of_none() -> NotificationSettings {
        settings(None).expect("defaults")
    }

    #[test]
    fn delivery_reports_only_move_forward() {
        assert!(Delivery::Sent.advances(None));
        assert!(Delivery::Read.advances(Some(Delivery::Delivered)));
        assert!(!Delivery::Delivered.advances(Some(Delivery::Read)));
        assert!(!Delivery::Sent.advances(Some(Delivery::Sent)));
        assert!(Delivery::Failed.advances(Some(Delivery::Read)));
    }
}
