//! Notifications: what a change tells the client, by which channel, and when.
//!
//! A change that notifies someone writes its messages to the outbox in its own
//! transaction; `plan` decides which messages those are, from the event, the
//! client's contact data and choices, and the business's settings. Everything
//! a message says is captured here, at the time of the change (`Facts`), so a
//! message renders the same whenever it is sent and survives later edits.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::ids::{BookingId, ClientId, Id};
use crate::{Email, Phone};

#[derive(Debug)]
pub enum MessageKind {}
/// One message of the outbox. Also its stable identity towards providers (the
/// email's `Message-ID`), so a resend after a crash is recognisable.
pub type MessageId = Id<MessageKind>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Whatsapp,
}

impl Channel {
    pub const ALL: [Self; 2] = [Self::Email, Self::Whatsapp];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Whatsapp => "whatsapp",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// Where a message is in its life. `Sending` is held under a lease: a
/// worker that dies leaves it to be claimed again when the lease ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Pending,
    Sending,
    Sent,
    Failed,
    Cancelled,
}

impl MessageStatus {
    pub const ALL: [Self; 5] = [Self::Pending, Self::Sending, Self::Sent, Self::Failed, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// What a message is about. Booking kinds carry a booking; account kinds a
/// link (and maybe a code) for the client's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    BookingCreated,
    BookingConfirmed,
    BookingCancelled,
    BookingRescheduled,
    Reminder,
    SharedNote,
    SignInLink,
    PasswordReset,
    EmailChange,
    /// The one-time code that confirms an email on the privacy page.
    PrivacyCode,
    /// A data-subject request was received: its due date.
    DataRequestReceived,
    /// A data-subject request was answered or refused: the answer.
    DataRequestAnswered,
}

impl NoticeKind {
    pub const ALL: [Self; 12] = [
        Self::BookingCreated,
        Self::BookingConfirmed,
        Self::BookingCancelled,
        Self::BookingRescheduled,
        Self::Reminder,
        Self::SharedNote,
        Self::SignInLink,
        Self::PasswordReset,
        Self::EmailChange,
        Self::PrivacyCode,
        Self::DataRequestReceived,
        Self::DataRequestAnswered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BookingCreated => "booking_created",
            Self::BookingConfirmed => "booking_confirmed",
            Self::BookingCancelled => "booking_cancelled",
            Self::BookingRescheduled => "booking_rescheduled",
            Self::Reminder => "reminder",
            Self::SharedNote => "shared_note",
            Self::SignInLink => "sign_in_link",
            Self::PasswordReset => "password_reset",
            Self::EmailChange => "email_change",
            Self::PrivacyCode => "privacy_code",
            Self::DataRequestReceived => "data_request_received",
            Self::DataRequestAnswered => "data_request_answered",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Account messages go by email only: a sign-in link on WhatsApp would
    /// reach whoever holds the phone, and the email is the identity.
    pub fn is_account(self) -> bool {
        matches!(
            self,
            Self::SignInLink
                | Self::PasswordReset
                | Self::EmailChange
                | Self::PrivacyCode
                | Self::DataRequestReceived
                | Self::DataRequestAnswered
        )
    }

    /// The kinds a business may map to a WhatsApp template.
    pub fn whatsapp_kinds() -> impl Iterator<Item = Self> {
        Self::ALL.into_iter().filter(|k| !k.is_account())
    }
}

/// A booking as a message tells it, captured at the time of the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingFacts {
    pub id: BookingId,
    pub service: String,
    pub professional: Option<String>,
    /// `None` for a pack session still to schedule.
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// Before a reschedule.
    pub previous_start: Option<Timestamp>,
    /// The calendar invite's SEQUENCE: grows with every change the client
    /// is told of (RFC 5546).
    pub sequence: i32,
    /// `pending`, `confirmed` or `cancelled` after the change.
    pub state: String,
    /// Pesos.
    pub price: i64,
    /// (number, of how many) for a pack session.
    pub pack: Option<(i64, i64)>,
}

/// Everything a message says: rendered into text when it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub business_name: String,
    pub business_slug: String,
    /// IANA name; times are shown in this zone.
    pub time_zone: String,
    pub client_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<BookingFacts>,
    /// A shared attention note's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A path under the public URL (sign-in, reset, verification, manage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// A one-time code to type instead of following the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A data-subject request the message is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_request: Option<DataRequestFacts>,
}

/// A data-subject request as its emails tell it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataRequestFacts {
    /// `DataRight::as_str`.
    pub right: String,
    pub due_on: jiff::civil::Date,
    /// `RequestStatus::as_str` after the change.
    pub status: String,
    /// The answer (or the reason for a refusal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
}

/// How long before an appointment its reminder goes; whole days count as
/// calendar days in the business's zone (the same wall-clock time, also
/// across a clock change), the rest as elapsed time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReminderLead {
    Off,
    Minutes(u32),
}

impl Default for ReminderLead {
    fn default() -> Self {
        Self::Minutes(24 * 60)
    }
}

impl ReminderLead {
    /// Longest lead a business may choose: 14 days.
    pub const MAX_MINUTES: u32 = 14 * 24 * 60;

    /// When the reminder of an appointment starting at `start` goes, or
    /// `None` with reminders off.
    pub fn due(self, start: Timestamp, zone: &TimeZone) -> Option<Timestamp> {
        let Self::Minutes(minutes) = self else { return None };
        let days = i64::from(minutes / (24 * 60));
        let rest = SignedDuration::from_mins(i64::from(minutes % (24 * 60)));
        let civil_back = start.to_zoned(zone.clone()).checked_sub(days.days()).ok()?;
        civil_back.timestamp().checked_sub(rest).ok()
    }
}

/// An approved WhatsApp template for one kind of message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    /// Language code as approved (`es`, `es_CL`…).
    pub language: String,
}

/// The business's WhatsApp Business account, as configured by its owner.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WhatsappSettings {
    pub enabled: bool,
    pub phone_number_id: String,
    pub access_token: String,
    pub templates: BTreeMap<NoticeKind, Template>,
}

impl WhatsappSettings {
    /// The template to send `kind` with, when the channel is on.
    pub fn template(&self, kind: NoticeKind) -> Option<&Template> {
        if !self.enabled || self.phone_number_id.is_empty() || self.access_token.is_empty() {
            return None;
        }
        self.templates.get(&kind)
    }
}

/// A business's notification settings (Configuración → Notificaciones).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotificationSettings {
    /// Shown as the email's sender name; the business's name when empty.
    pub sender_name: Option<String>,
    pub reminder_lead: ReminderLead,
    pub whatsapp: WhatsappSettings,
}

/// What a client chose to receive. Email (other than reminders) cannot be
/// turned off: it carries confirmations and sign-in links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClientPreferences {
    pub no_whatsapp: bool,
    pub no_reminders: bool,
}

/// Where a client's choice of messages was made (oposición): the history
/// keeps it with who and when. Entries written before it was recorded have
/// none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceSource {
    /// Staff, on the profile in the panel.
    Panel,
    /// The JSON API (a staff session or an integration's token).
    Api,
    /// The client themself, in Mi cuenta.
    MiCuenta,
    /// The client themself, ticking (or not) WhatsApp while booking online.
    BookingSite,
}

impl ChoiceSource {
    pub const ALL: [Self; 4] = [Self::Panel, Self::Api, Self::MiCuenta, Self::BookingSite];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Panel => "panel",
            Self::Api => "api",
            Self::MiCuenta => "mi_cuenta",
            Self::BookingSite => "booking_site",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The person a message goes to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub client: Option<ClientId>,
    pub email: Email,
    pub phone: Option<Phone>,
    pub preferences: ClientPreferences,
}

/// Something that happened that the client is told of.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: NoticeKind,
    /// Unique per event (e.g. `booking:<id>:3` for the booking's third
    /// notified change); with channel and recipient it makes the message's
    /// idempotency key, so a second insert of the same message is a no-op.
    pub key: String,
    pub facts: Facts,
    /// When to send: now, or a reminder's time.
    pub due: Timestamp,
}

/// One message to write to the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub id: MessageId,
    pub client: Option<ClientId>,
    pub booking: Option<BookingId>,
    pub channel: Channel,
    /// An email address, or an E.164 phone for WhatsApp.
    pub recipient: String,
    pub kind: NoticeKind,
    pub facts: Facts,
    pub idempotency_key: String,
    pub due: Timestamp,
}

/// The messages `event` produces for `to`: an email, and a WhatsApp template
/// message when the business has a template for the kind and the client a
/// phone and has not opted out. A reminder the client opted out of, or one
/// whose time has already passed (`now`), produces nothing.
pub fn plan(event: &Event, to: &Recipient, settings: &NotificationSettings, now: Timestamp) -> Vec<NewMessage> {
    if event.kind == NoticeKind::Reminder && (to.preferences.no_reminders || event.due <= now) {
        return Vec::new();
    }
    let message = |channel: Channel, recipient: String| NewMessage {
        id: MessageId::generate(),
        client: to.client,
        booking: event.facts.booking.as_ref().map(|b| b.id),
        channel,
        idempotency_key: format!("{}|{}|{}", event.key, channel.as_str(), recipient.to_lowercase()),
        recipient,
        kind: event.kind,
        facts: event.facts.clone(),
        due: event.due,
    };
    let mut messages = vec![message(Channel::Email, to.email.as_str().to_owned())];
    let whatsapp = settings.whatsapp.template(event.kind).is_some() && !event.kind.is_account();
    if let Some(phone) = to.phone.as_ref().filter(|_| whatsapp && !to.preferences.no_whatsapp) {
        messages.push(message(Channel::Whatsapp, phone.e164().to_owned()));
    }
    messages
}

/// How long to wait before attempt `attempts + 1` after a temporary failure:
/// 30 s doubling per attempt, capped at one hour, plus up to a quarter more
/// (`jitter` in 0.0..1.0) so many failed messages do not retry in one burst.
pub fn backoff(attempts: u32, jitter: f64) -> SignedDuration {
    let base = 30i64.saturating_mul(1i64 << attempts.saturating_sub(1).min(7)).min(3600);
    let extra = (base as f64 * 0.25 * jitter.clamp(0.0, 1.0)) as i64;
    SignedDuration::from_secs(base + extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            business_name: "Clínica Alameda".into(),
            business_slug: "demo".into(),
            time_zone: "America/Santiago".into(),
            client_name: "Ana Pérez".into(),
            booking: None,
            note: None,
            link: None,
            code: None,
            data_request: None,
        }
    }

    fn recipient(phone: bool, preferences: ClientPreferences) -> Recipient {
        Recipient {
            client: Some(ClientId::generate()),
            email: Email::parse("Ana@Mail.cl").expect("valid"),
            phone: phone.then(|| Phone::parse("961234567").expect("valid")),
            preferences,
        }
    }

    fn whatsapp_on() -> NotificationSettings {
        NotificationSettings {
            whatsapp: WhatsappSettings {
                enabled: true,
                phone_number_id: "123".into(),
                access_token: "tok".into(),
                templates: NoticeKind::whatsapp_kinds()
                    .map(|k| (k, Template { name: k.as_str().into(), language: "es".into() }))
                    .collect(),
            },
            ..Default::default()
        }
    }

    fn event(kind: NoticeKind, due: Timestamp) -> Event {
        Event { kind, key: "booking:x:0".into(), facts: facts(), due }
    }

    #[test]
    fn email_only_without_whatsapp_and_both_with_it() {
        let now = Timestamp::UNIX_EPOCH;
        let created = event(NoticeKind::BookingCreated, now);
        let plain =
            plan(&created, &recipient(true, ClientPreferences::default()), &NotificationSettings::default(), now);
        assert_eq!(plain.iter().map(|m| m.channel).collect::<Vec<_>>(), [Channel::Email]);
        assert_eq!(plain[0].idempotency_key, "booking:x:0|email|ana@mail.cl");
        let both = plan(&created, &recipient(true, ClientPreferences::default()), &whatsapp_on(), now);
        assert_eq!(both.iter().map(|m| m.channel).collect::<Vec<_>>(), [Channel::Email, Channel::Whatsapp]);
        assert_eq!(both[1].recipient, "+56961234567");
    }

    #[test]
    fn no_phone_or_opted_out_means_email_only() {
        let now = Timestamp::UNIX_EPOCH;
        let created = event(NoticeKind::BookingCreated, now);
        assert_eq!(plan(&created, &recipient(false, ClientPreferences::default()), &whatsapp_on(), now).len(), 1);
        let out = ClientPreferences { no_whatsapp: true, no_reminders: false };
        assert_eq!(plan(&created, &recipient(true, out), &whatsapp_on(), now).len(), 1);
    }

    #[test]
    fn account_messages_never_go_by_whatsapp() {
        let now = Timestamp::UNIX_EPOCH;
        let mut settings = whatsapp_on();
        settings
            .whatsapp
            .templates
            .insert(NoticeKind::SignInLink, Template { name: "x".into(), language: "es".into() });
        let sign_in = event(NoticeKind::SignInLink, now);
        assert_eq!(plan(&sign_in, &recipient(true, ClientPreferences::default()), &settings, now).len(), 1);
    }

    #[test]
    fn a_reminder_is_skipped_when_opted_out_or_already_due() {
        let now: Timestamp = "2026-12-01T12:00:00Z".parse().expect("valid");
        let later = now.checked_add(SignedDuration::from_hours(1)).expect("in range");
        let out = ClientPreferences { no_whatsapp: false, no_reminders: true };
        assert!(plan(&event(NoticeKind::Reminder, later), &recipient(true, out), &whatsapp_on(), now).is_empty());
        let client = recipient(true, ClientPreferences::default());
        assert!(plan(&event(NoticeKind::Reminder, now), &client, &whatsapp_on(), now).is_empty());
        assert_eq!(plan(&event(NoticeKind::Reminder, later), &client, &whatsapp_on(), now).len(), 2);
    }

    #[test]
    fn a_day_ahead_keeps_the_wall_clock_across_santiagos_clock_change() {
        let zone = TimeZone::get("America/Santiago").expect("bundled");
        // Chile moved its clocks forward at 24:00 on 2026-09-05 (Saturday):
        // 10:00 on Sunday the 6th is only 23 hours after 10:00 on the 5th.
        let start = jiff::civil::datetime(2026, 9, 6, 10, 0, 0, 0).to_zoned(zone.clone()).expect("valid").timestamp();
        let due = ReminderLead::Minutes(24 * 60).due(start, &zone).expect("on");
        assert_eq!(due.to_zoned(zone.clone()).datetime(), jiff::civil::datetime(2026, 9, 5, 10, 0, 0, 0));
        assert_eq!(start.duration_since(due), SignedDuration::from_hours(23));
        let two_hours = ReminderLead::Minutes(120).due(start, &zone).expect("on");
        assert_eq!(start.duration_since(two_hours), SignedDuration::from_hours(2));
        assert_eq!(ReminderLead::Off.due(start, &zone), None);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1, 0.0), SignedDuration::from_secs(30));
        assert_eq!(backoff(2, 0.0), SignedDuration::from_secs(60));
        assert_eq!(backoff(3, 0.0), SignedDuration::from_secs(120));
        assert_eq!(backoff(20, 0.0), SignedDuration::from_secs(3600));
        assert_eq!(backoff(1, 1.0), SignedDuration::from_secs(37));
    }
}
