//! Data-subject requests (Ley 21.719): a person asks the business to act on
//! their data — access, rectification, erasure, opposition, portability or
//! blocking. The register keeps each request with its due date and answer;
//! this module holds the rules a request moves by, with no I/O: its states
//! and the only transitions allowed between them, when it falls due, and
//! the one extension.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ids::Id;
use crate::note::NoteText;
use crate::{ClientId, Email};

#[derive(Debug)]
pub enum DataRequestKind {}
pub type DataRequestId = Id<DataRequestKind>;

/// The right the person exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataRight {
    Access,
    Rectification,
    Erasure,
    Opposition,
    Portability,
    Blocking,
}

impl DataRight {
    pub const ALL: [Self; 6] =
        [Self::Access, Self::Rectification, Self::Erasure, Self::Opposition, Self::Portability, Self::Blocking];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Rectification => "rectification",
            Self::Erasure => "erasure",
            Self::Opposition => "opposition",
            Self::Portability => "portability",
            Self::Blocking => "blocking",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// How the request reached the business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestChannel {
    /// Filed by the signed-in client in Mi cuenta.
    Account,
    /// Filed on the booking site's privacy page, after an email code.
    PrivacyPage,
    /// Recorded by staff: it came by email, phone or in person.
    Email,
    Phone,
    InPerson,
}

impl RequestChannel {
    pub const ALL: [Self; 5] = [Self::Account, Self::PrivacyPage, Self::Email, Self::Phone, Self::InPerson];
    /// The channels staff record a request from.
    pub const RECORDED: [Self; 3] = [Self::Email, Self::Phone, Self::InPerson];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::PrivacyPage => "privacy_page",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::InPerson => "in_person",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// Where a request is: received → in progress → answered, or refused with
/// a reason. Answered and refused are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Received,
    InProgress,
    Answered,
    Refused,
}

impl RequestStatus {
    pub const ALL: [Self; 4] = [Self::Received, Self::InProgress, Self::Answered, Self::Refused];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::InProgress => "in_progress",
            Self::Answered => "answered",
            Self::Refused => "refused",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Still waiting for the business: it counts against the due date.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Received | Self::InProgress)
    }

    /// The legal transitions: received → in progress → answered | refused.
    pub fn may_become(self, next: Self) -> bool {
        matches!((self, next), (Self::Received, Self::InProgress) | (Self::InProgress, Self::Answered | Self::Refused))
    }
}

/// Days a business has to answer, from the date of receipt (calendar days).
/// Ley 21.719 gives 30; a business may promise less, never more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueDays(u8);

impl DueDays {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 30;
    pub const DEFAULT: Self = Self(30);

    pub fn new(days: i64) -> Option<Self> {
        u8::try_from(days).ok().filter(|d| (Self::MIN..=Self::MAX).contains(d)).map(Self)
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// The due date of a request received on `received`.
    pub fn due_from(self, received: Date) -> Date {
        received.saturating_add(jiff::Span::new().days(i64::from(self.0)))
    }
}

impl Default for DueDays {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The one extension a request may get: why, and the due date it replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub reason: NoteText,
    pub previous_due: Date,
    pub at: Timestamp,
}

/// One request of the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataRequest {
    pub id: DataRequestId,
    /// The profile it was matched to; `None` when no profile has the
    /// requester's email (or the profile was since deleted).
    pub client: Option<ClientId>,
    /// The profile's name, when there is one.
    pub client_name: Option<String>,
    /// Who asked: the profile's email, or the address they confirmed.
    pub email: Email,
    pub right: DataRight,
    pub channel: RequestChannel,
    /// What the person wrote, if anything.
    pub detail: Option<NoteText>,
    pub received_at: Timestamp,
    /// The day of receipt in the business's zone.
    pub received_on: Date,
    pub due_on: Date,
    pub extension: Option<Extension>,
    pub status: RequestStatus,
    /// The answer told to the person (the reason, when refused).
    pub response: Option<NoteText>,
    /// What the business did, for its own record.
    pub action_taken: Option<NoteText>,
    pub closed_at: Option<Timestamp>,
}

impl DataRequest {
    /// Open and past its due date on `today` (the business's date).
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status.is_open() && self.due_on < today
    }
}

/// A step an owner takes on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestStep {
    /// received → in progress.
    Start,
    /// in progress → answered, telling the person `response`.
    Answer { response: NoteText, action_taken: Option<NoteText> },
    /// in progress → refused, with the reason told to the person.
    Refuse { reason: NoteText, action_taken: Option<NoteText> },
    /// A second period of the same length, once, while open.
    Extend { reason: NoteText },
}

/// Why a step was not taken. Nothing changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepRefused {
    /// Not a legal transition from the request's status.
    NotAllowed,
    /// The request was already extended once.
    AlreadyExtended,
    /// Only an open request can be extended.
    Closed,
}

/// What a step did, for the history and the person's email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RequestEvent {
    Received { due_on: Date },
    Moved { from: RequestStatus, to: RequestStatus },
    Extended { due_on: Date, reason: String },
}

impl DataRequest {
    /// The request after `step` at `now`, and what happened; or why not.
    pub fn step(&self, step: RequestStep, now: Timestamp) -> Result<(Self, RequestEvent), StepRefused> {
        let mut next = self.clone();
        let moved = |to: RequestStatus, next: &mut Self| {
            if !self.status.may_become(to) {
                return Err(StepRefused::NotAllowed);
            }
            next.status = to;
            if !to.is_open() {
                next.closed_at = Some(now);
            }
            Ok(RequestEvent::Moved { from: self.status, to })
        };
        let event = match step {
            RequestStep::Start => moved(RequestStatus::InProgress, &mut next)?,
            RequestStep::Answer { response, action_taken } => {
                let event = moved(RequestStatus::Answered, &mut next)?;
                (next.response, next.action_taken) = (Some(response), action_taken);
                event
            }
            RequestStep::Refuse { reason, action_taken } => {
                let event = moved(RequestStatus::Refused, &mut next)?;
                (next.response, next.action_taken) = (Some(reason), action_taken);
                event
            }
            RequestStep::Extend { reason } => {
                if !self.status.is_open() {
                    return Err(StepRefused::Closed);
                }
                if self.extension.is_some() {
                    return Err(StepRefused::AlreadyExtended);
                }
                // "Por igual período": as many days again as first given.
                let period = self.received_on.until(self.due_on).map_err(|_| StepRefused::NotAllowed)?;
                next.due_on = self.due_on.saturating_add(period);
                next.extension = Some(Extension { reason: reason.clone(), previous_due: self.due_on, at: now });
                RequestEvent::Extended { due_on: next.due_on, reason: reason.as_str().to_owned() }
            }
        };
        Ok((next, event))
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn request() -> DataRequest {
        DataRequest {
            id: DataRequestId::generate(),
            client: None,
            client_name: None,
            email: Email::parse("ana@example.cl").expect("valid"),
            right: DataRight::Access,
            channel: RequestChannel::PrivacyPage,
            detail: None,
            received_at: Timestamp::UNIX_EPOCH,
            received_on: date(2026, 12, 1),
            due_on: DueDays::DEFAULT.due_from(date(2026, 12, 1)),
            extension: None,
            status: RequestStatus::Received,
            response: None,
            action_taken: None,
            closed_at: None,
        }
    }

    fn text(t: &str) -> NoteText {
        NoteText::parse(t).expect("valid")
    }

    #[test]
    fn due_thirty_calendar_days_after_receipt() {
        assert_eq!(DueDays::DEFAULT.due_from(date(2026, 12, 1)), date(2026, 12, 31));
        assert_eq!(DueDays::DEFAULT.due_from(date(2027, 2, 10)), date(2027, 3, 12));
        assert_eq!(DueDays::new(0), None);
        assert_eq!(DueDays::new(31), None);
        assert_eq!(DueDays::new(10).map(DueDays::get), Some(10));
    }

    #[test]
    fn only_legal_transitions() {
        let now = Timestamp::UNIX_EPOCH;
        let received = request();
        let answer = || RequestStep::Answer { response: text("Adjuntamos sus datos."), action_taken: None };
        assert_eq!(received.step(answer(), now).err(), Some(StepRefused::NotAllowed));
        let (started, event) = received.step(RequestStep::Start, now).expect("start");
        assert_eq!(event, RequestEvent::Moved { from: RequestStatus::Received, to: RequestStatus::InProgress });
        assert_eq!(started.step(RequestStep::Start, now).err(), Some(StepRefused::NotAllowed));
        let (answered, _) = started.step(answer(), now).expect("answer");
        assert_eq!(answered.status, RequestStatus::Answered);
        assert_eq!(answered.closed_at, Some(now));
        for step in [RequestStep::Start, answer(), RequestStep::Refuse { reason: text("x"), action_taken: None }] {
            assert_eq!(answered.step(step, now).err(), Some(StepRefused::NotAllowed));
        }
        assert_eq!(answered.step(RequestStep::Extend { reason: text("x") }, now).err(), Some(StepRefused::Closed));
    }

    #[test]
    fn extended_once_by_the_same_period() {
        let now = Timestamp::UNIX_EPOCH;
        let (extended, event) =
            request().step(RequestStep::Extend { reason: text("Volumen de datos") }, now).expect("extend");
        assert_eq!(extended.due_on, date(2027, 1, 30));
        assert_eq!(event, RequestEvent::Extended { due_on: date(2027, 1, 30), reason: "Volumen de datos".into() });
        assert_eq!(extended.extension.as_ref().map(|e| e.previous_due), Some(date(2026, 12, 31)));
        let again = extended.step(RequestStep::Extend { reason: text("otra vez") }, now);
        assert_eq!(again.err(), Some(StepRefused::AlreadyExtended));
    }

    #[test]
    fn overdue_only_while_open() {
        let mut r = request();
        assert!(!r.is_overdue(date(2026, 12, 31)));
        assert!(r.is_overdue(date(2027, 1, 1)));
        r.status = RequestStatus::Answered;
        assert!(!r.is_overdue(date(2027, 1, 1)));
    }
}
