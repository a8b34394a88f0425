//! The history (audit trail) of each client, and the trace deleted clients
//! leave. Backends write entries inside the transaction of the change they
//! record; this module holds what both share: how an actor and a change are
//! stored, how rows read back, and the history's paging cursor.

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ficha_domain::{
    Actor, Attendance, AttentionNoteId, BookingId, Change, ClientId, ClientPreferences, DataRequestId, DataRight,
    Deletion, DeletionId, GeneralField, HistoryEntry, HistoryId, ImportId, MergeId, MergeRole, NoteId, Payment,
    PaymentMethod, StaffId, Visibility, Who,
};
use jiff::Timestamp;
use uuid::Uuid;

use crate::FieldValue;
use crate::custom_fields::record::value_text;
use crate::error::{StoreError, StoreResult};
use crate::record::timestamp;

#[async_trait]
pub trait HistoryStore: Send + Sync {
    /// One page of the client's history, newest first. Staff only (it takes
    /// an `Actor`): it tells what notes said.
    async fn client_history(&self, actor: &Actor, client: ClientId, page: &HistoryQuery) -> StoreResult<HistoryPage>;

    /// The business's deleted clients (anonymous), newest first. Owners
    /// only: anyone else gets `OwnerOnly`.
    async fn deletions(&self, actor: &Actor, page: &HistoryQuery) -> StoreResult<DeletionPage>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    pub after: Option<HistoryCursor>,
    pub limit: u32,
}

impl Default for HistoryQuery {
    fn default() -> Self {
        Self { after: None, limit: 50 }
    }
}

impl HistoryQuery {
    /// The (time, id) a page starts strictly before; the first page starts
    /// before a sentinel that comes after every row.
    pub fn start(&self) -> (i64, Uuid) {
        self.after.as_ref().map_or((i64::MAX, Uuid::max()), |c| (c.at, c.id))
    }
}

/// Where a newest-first page starts: just after (older than) this entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryCursor {
    pub at: i64,
    pub id: Uuid,
}

impl HistoryCursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("h\n{}\n{}", self.at, self.id))
    }

    /// `None` for anything that is not a cursor this store handed out.
    pub fn decode(text: &str) -> Option<Self> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
        let mut parts = text.split('\n');
        if parts.next()? != "h" {
            return None;
        }
        let at = parts.next()?.parse().ok()?;
        let id = Uuid::parse_str(parts.next()?).ok()?;
        parts.next().is_none().then_some(Self { at, id })
    }
}

#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    pub next: Option<HistoryCursor>,
}

#[derive(Debug, Clone)]
pub struct DeletionPage {
    pub deletions: Vec<Deletion>,
    pub next: Option<HistoryCursor>,
}

/// Who acted, as stored: a kind and, for staff, the account (whose name is
/// joined in when read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhoRecord {
    pub kind: String,
    pub staff: Option<Uuid>,
    pub staff_name: Option<String>,
}

impl WhoRecord {
    /// The columns `actor` is stored as: kind and staff account.
    pub fn columns(actor: &Actor) -> (&'static str, Option<Uuid>) {
        match actor {
            Actor::Staff { staff: Some(staff), .. } => ("staff", Some(staff.as_uuid())),
            Actor::Staff { staff: None, .. } => ("integration", None),
            Actor::System { .. } => ("system", None),
            Actor::Client { .. } => ("client", None),
        }
    }

    pub fn into_who(self) -> StoreResult<Who> {
        match (self.kind.as_str(), self.staff, self.staff_name) {
            ("staff", Some(id), Some(name)) => Ok(Who::Staff { id: StaffId::from_uuid(id), name }),
            ("integration", None, _) => Ok(Who::Integration),
            ("system", None, _) => Ok(Who::System),
            ("client", None, _) => Ok(Who::Client),
            (kind, staff, _) => Err(StoreError::Corrupt(format!("who: {kind} {staff:?}"))),
        }
    }
}

/// A change as stored: what kind, about what (field name, custom field
/// label, note or booking id), old and new text; for booking and attention
/// note entries also the booking, and an attention note's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRecord {
    pub kind: &'static str,
    pub subject: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub booking: Option<Uuid>,
    pub visibility: Option<&'static str>,
}

/// A payment as the history keeps it: `None` for unpaid, else
/// "amount method date".
fn payment_text(payment: &Payment) -> Option<String> {
    match payment {
        Payment::Unpaid => None,
        Payment::Paid { amount, method, date } => Some(format!("{amount} {} {date}", method.as_str())),
    }
}

fn payment_of(text: Option<&str>) -> Option<Payment> {
    let Some(text) = text else { return Some(Payment::Unpaid) };
    let mut parts = text.split(' ');
    let amount = parts.next()?.parse().ok()?;
    let method = PaymentMethod::parse(parts.next()?)?;
    let date = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some(Payment::Paid { amount, method, date })
}

impl ChangeRecord {
    pub fn of(change: &Change) -> Self {
        let record = |kind, subject: String, old: Option<&str>, new: Option<&str>| Self {
            kind,
            subject,
            old: old.map(str::to_owned),
            new: new.map(str::to_owned),
            booking: None,
            visibility: None,
        };
        let on = |record: Self, booking: &BookingId| Self { booking: Some(booking.as_uuid()), ..record };
        let time = |at: &Timestamp| at.to_string();
        let noted = |record: Self, booking: &BookingId, visibility: &Visibility| Self {
            visibility: Some(visibility.as_str()),
            ..on(record, booking)
        };
        match change {
            Change::Field { field, old, new } => {
                record("field", field.as_str().to_owned(), old.as_deref(), new.as_deref())
            }
            Change::CustomValue { label, old, new } => {
                record("custom_value", label.clone(), old.as_deref(), new.as_deref())
            }
            Change::NoteAdded { note, text } => record("note_added", note.to_string(), None, Some(text)),
            Change::NoteEdited { note, old, new } => record("note_edited", note.to_string(), Some(old), Some(new)),
            Change::NoteDeleted { note, text } => record("note_deleted", note.to_string(), Some(text), None),
            Change::BookingCreated { booking, start } => {
                on(record("booking_created", booking.to_string(), None, start.map(|s| time(&s)).as_deref()), booking)
            }
            Change::BookingRescheduled { booking, old, new } => on(
                record("booking_rescheduled", booking.to_string(), old.map(|o| time(&o)).as_deref(), Some(&time(new))),
                booking,
            ),
            Change::BookingConfirmed { booking } => {
                on(record("booking_confirmed", booking.to_string(), None, None), booking)
            }
            Change::BookingCancelled { booking } => {
                on(record("booking_cancelled", booking.to_string(), None, None), booking)
            }
            Change::BookingAttendance { booking, old, new } => {
                on(record("booking_attendance", booking.to_string(), Some(old.as_str()), Some(new.as_str())), booking)
            }
            Change::BookingPayment { booking, old, new } => on(
                record(
                    "booking_payment",
                    booking.to_string(),
                    payment_text(old).as_deref(),
                    payment_text(new).as_deref(),
                ),
                booking,
            ),
            Change::AttentionNoteAdded { note, booking, visibility, text } => {
                noted(record("attention_note_added", note.to_string(), None, Some(text)), booking, visibility)
            }
            Change::AttentionNoteEdited { note, booking, visibility, old, new } => {
                noted(record("attention_note_edited", note.to_string(), Some(old), Some(new)), booking, visibility)
            }
            Change::AttentionNoteDeleted { note, booking, visibility, text } => {
                noted(record("attention_note_deleted", note.to_string(), Some(text), None), booking, visibility)
            }
            Change::NotificationPreferences { old, new, source } => record(
                "notification_preferences",
                source.map_or_else(
                    || PREFERENCES_SUBJECT.to_owned(),
                    |source| format!("{PREFERENCES_SUBJECT}:{}", source.as_str()),
                ),
                Some(&preferences_text(old)),
                Some(&preferences_text(new)),
            ),
            Change::ClientBlocked { reason } => record("client_blocked", BLOCK_SUBJECT.to_owned(), None, Some(reason)),
            Change::ClientUnblocked => record("client_unblocked", BLOCK_SUBJECT.to_owned(), None, None),
            // The right as the old value, what happened (JSON) as the new.
            // The merge's id as subject, the other profile's id as the old
            // value, which side this one was and the other's name and
            // email (JSON) as the new.
            Change::ClientMerged { merge, role, other, other_name, other_email } => record(
                "client_merged",
                merge.to_string(),
                Some(&other.to_string()),
                Some(&merge_text(*role, other_name, other_email)),
            ),
            Change::MergeUndone { merge, role, other, other_name, other_email } => record(
                "merge_undone",
                merge.to_string(),
                Some(&other.to_string()),
                Some(&merge_text(*role, other_name, other_email)),
            ),
            // The batch's id as subject, the file's name (and whether the
            // line created the profile) as JSON in the new value.
            Change::ClientImported { batch, file_name, created } => record(
                "client_imported",
                batch.to_string(),
                None,
                Some(&serde_json::json!({ "file_name": file_name, "created": created }).to_string()),
            ),
            Change::ImportUndone { batch, file_name } => record(
                "import_undone",
                batch.to_string(),
                None,
                Some(&serde_json::json!({ "file_name": file_name }).to_string()),
            ),
            Change::DataRequest { request, right, event } => record(
                "data_request",
                request.to_string(),
                Some(right.as_str()),
                serde_json::to_string(event).ok().as_deref(),
            ),
        }
    }
}

/// The subject of a `notification_preferences` entry: there is one set of
/// choices per client; `notifications:<source>` says where the choice was
/// made (older entries have the bare subject).
const PREFERENCES_SUBJECT: &str = "notifications";

/// The subject of block entries: the profile as a whole.
const BLOCK_SUBJECT: &str = "profile";

/// The other side of a merge entry as the history keeps it.
fn merge_text(role: MergeRole, name: &str, email: &str) -> String {
    serde_json::json!({ "role": role.as_str(), "name": name, "email": email }).to_string()
}

/// Reads `merge_text` back: (role, name, email).
fn merge_of(text: Option<&str>) -> Option<(MergeRole, String, String)> {
    let value: serde_json::Value = serde_json::from_str(text?).ok()?;
    let role = MergeRole::parse(value.get("role")?.as_str()?)?;
    Some((role, value.get("name")?.as_str()?.to_owned(), value.get("email")?.as_str()?.to_owned()))
}

/// A client's choices as the history keeps them: JSON,
/// `{"no_whatsapp":false,"no_reminders":true}`.
fn preferences_text(preferences: &ClientPreferences) -> String {
    serde_json::to_string(preferences).unwrap_or_default()
}

/// A history row as both backends read it.
#[derive(Debug, Clone)]
pub struct HistoryRecord {
    pub id: Uuid,
    pub client: ClientId,
    pub at: i64,
    pub who: WhoRecord,
    pub kind: String,
    pub subject: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub booking: Option<Uuid>,
    pub visibility: Option<String>,
}

impl HistoryRecord {
    pub fn into_entry(self) -> StoreResult<HistoryEntry> {
        let corrupt = || StoreError::Corrupt(format!("history entry {}: {} {:?}", self.id, self.kind, self.subject));
        let note = || self.subject.parse::<NoteId>().map_err(|_| corrupt());
        let attention_note = || self.subject.parse::<AttentionNoteId>().map_err(|_| corrupt());
        let booking = || self.booking.map(BookingId::from_uuid).ok_or_else(corrupt);
        let visibility = || self.visibility.as_deref().and_then(Visibility::parse).ok_or_else(corrupt);
        let text = |value: &Option<String>| value.clone().ok_or_else(corrupt);
        let time =
            |value: &Option<String>| value.as_deref().map(str::parse::<Timestamp>).transpose().map_err(|_| corrupt());
        let attendance = |value: &Option<String>| value.as_deref().and_then(Attendance::parse).ok_or_else(corrupt);
        let payment = |value: &Option<String>| payment_of(value.as_deref()).ok_or_else(corrupt);
        let preferences = |value: &Option<String>| {
            value.as_deref().and_then(|v| serde_json::from_str::<ClientPreferences>(v).ok()).ok_or_else(corrupt)
        };
        let change = match self.kind.as_str() {
            "field" => Change::Field {
                field: GeneralField::parse(&self.subject).ok_or_else(corrupt)?,
                old: self.old.clone(),
                new: self.new.clone(),
            },
            "custom_value" => {
                Change::CustomValue { label: self.subject.clone(), old: self.old.clone(), new: self.new.clone() }
            }
            "note_added" => Change::NoteAdded { note: note()?, text: text(&self.new)? },
            "note_edited" => Change::NoteEdited { note: note()?, old: text(&self.old)?, new: text(&self.new)? },
            "note_deleted" => Change::NoteDeleted { note: note()?, text: text(&self.old)? },
            "booking_created" => Change::BookingCreated { booking: booking()?, start: time(&self.new)? },
            "booking_rescheduled" => Change::BookingRescheduled {
                booking: booking()?,
                old: time(&self.old)?,
                new: time(&self.new)?.ok_or_else(corrupt)?,
            },
            "booking_confirmed" => Change::BookingConfirmed { booking: booking()? },
            "booking_cancelled" => Change::BookingCancelled { booking: booking()? },
            "booking_attendance" => Change::BookingAttendance {
                booking: booking()?,
                old: attendance(&self.old)?,
                new: attendance(&self.new)?,
            },
            "booking_payment" => {
                Change::BookingPayment { booking: booking()?, old: payment(&self.old)?, new: payment(&self.new)? }
            }
            "attention_note_added" => Change::AttentionNoteAdded {
                note: attention_note()?,
                booking: booking()?,
                visibility: visibility()?,
                text: text(&self.new)?,
            },
            "attention_note_edited" => Change::AttentionNoteEdited {
                note: attention_note()?,
                booking: booking()?,
                visibility: visibility()?,
                old: text(&self.old)?,
                new: text(&self.new)?,
            },
            "attention_note_deleted" => Change::AttentionNoteDeleted {
                note: attention_note()?,
                booking: booking()?,
                visibility: visibility()?,
                text: text(&self.old)?,
            },
            "data_request" => Change::DataRequest {
                request: self.subject.parse::<DataRequestId>().map_err(|_| corrupt())?,
                right: self.old.as_deref().and_then(DataRight::parse).ok_or_else(corrupt)?,
                event: self.new.as_deref().and_then(|e| serde_json::from_str(e).ok()).ok_or_else(corrupt)?,
            },
            "notification_preferences" => {
                let source = match self.subject.strip_prefix(PREFERENCES_SUBJECT) {
                    Some("") => None,
                    Some(rest) => {
                        Some(rest.strip_prefix(':').and_then(ficha_domain::ChoiceSource::parse).ok_or_else(corrupt)?)
                    }
                    None => return Err(corrupt()),
                };
                Change::NotificationPreferences { old: preferences(&self.old)?, new: preferences(&self.new)?, source }
            }
            "client_merged" | "merge_undone" => {
                let merge = self.subject.parse::<MergeId>().map_err(|_| corrupt())?;
                let other = self.old.as_deref().and_then(|o| o.parse::<ClientId>().ok()).ok_or_else(corrupt)?;
                let (role, other_name, other_email) = merge_of(self.new.as_deref()).ok_or_else(corrupt)?;
                if self.kind == "client_merged" {
                    Change::ClientMerged { merge, role, other, other_name, other_email }
                } else {
                    Change::MergeUndone { merge, role, other, other_name, other_email }
                }
            }
            "client_imported" | "import_undone" => {
                let batch = self.subject.parse::<ImportId>().map_err(|_| corrupt())?;
                let value: serde_json::Value =
                    self.new.as_deref().and_then(|v| serde_json::from_str(v).ok()).ok_or_else(corrupt)?;
                let file_name = value.get("file_name").and_then(|f| f.as_str()).ok_or_else(corrupt)?.to_owned();
                if self.kind == "client_imported" {
                    let created = value.get("created").and_then(serde_json::Value::as_bool).ok_or_else(corrupt)?;
                    Change::ClientImported { batch, file_name, created }
                } else {
                    Change::ImportUndone { batch, file_name }
                }
            }
            "client_blocked" if self.subject == BLOCK_SUBJECT => Change::ClientBlocked { reason: text(&self.new)? },
            "client_unblocked" if self.subject == BLOCK_SUBJECT => Change::ClientUnblocked,
            _ => return Err(corrupt()),
        };
        Ok(HistoryEntry {
            id: HistoryId::from_uuid(self.id),
            client: self.client,
            at: timestamp(self.at)?,
            who: self.who.into_who()?,
            change,
        })
    }
}

/// A deletion row as both backends read it.
pub fn deletion(id: Uuid, at: i64, who: WhoRecord) -> StoreResult<Deletion> {
    Ok(Deletion { id: DeletionId::from_uuid(id), at: timestamp(at)?, who: who.into_who()? })
}

/// The changes of custom values from `before` to `after` (each a client's
/// values as read), in the order of `after` then the values that went away.
pub fn value_changes(before: &[FieldValue], after: &[FieldValue]) -> Vec<Change> {
    let text_in =
        |values: &[FieldValue], field| values.iter().find(|v| v.field.id == field).map(|v| value_text(&v.value));
    let mut changes = Vec::new();
    for value in after {
        let (old, new) = (text_in(before, value.field.id), Some(value_text(&value.value)));
        if old != new {
            changes.push(Change::CustomValue { label: value.field.label.to_string(), old, new });
        }
    }
    for value in before.iter().filter(|v| text_in(after, v.field.id).is_none()) {
        changes.push(Change::CustomValue {
            label: value.field.label.to_string(),
            old: Some(value_text(&value.value)),
            new: None,
        });
    }
    changes
}

/// Page bookkeeping both backends share: `rows` were fetched with one extra
/// row to tell whether more follow.
pub fn page<T>(mut items: Vec<T>, limit: u32, key: impl Fn(&T) -> HistoryCursor) -> (Vec<T>, Option<HistoryCursor>) {
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next = if more { items.last().map(key) } else { None };
    (items, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = HistoryCursor { at: -5, id: Uuid::now_v7() };
        assert_eq!(HistoryCursor::decode(&cursor.encode()), Some(cursor));
        for bad in ["", "!!", &URL_SAFE_NO_PAD.encode("h\n1"), &URL_SAFE_NO_PAD.encode("x\n1\nabc")] {
            assert_eq!(HistoryCursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_change_reads_back_as_written() {
        let note = NoteId::generate();
        let (booking, attention) = (BookingId::generate(), AttentionNoteId::generate());
        let at = Timestamp::from_second(1_773_489_600).expect("valid");
        let paid = Payment::Paid { amount: 25_000, method: PaymentMethod::Debit, date: jiff::civil::date(2026, 3, 14) };
        let changes = [
            Change::Field { field: GeneralField::Phone, old: None, new: Some("+56961234567".into()) },
            Change::CustomValue { label: "Mascota".into(), old: Some("Firulais".into()), new: None },
            Change::NoteAdded { note, text: "a".into() },
            Change::NoteEdited { note, old: "a".into(), new: "b".into() },
            Change::NoteDeleted { note, text: "b".into() },
            Change::BookingCreated { booking, start: None },
            Change::BookingCreated { booking, start: Some(at) },
            Change::BookingRescheduled { booking, old: None, new: at },
            Change::BookingRescheduled { booking, old: Some(at), new: at + jiff::SignedDuration::from_hours(1) },
            Change::BookingConfirmed { booking },
            Change::BookingCancelled { booking },
            Change::BookingAttendance { booking, old: Attendance::Unknown, new: Attendance::NoShow },
            Change::BookingPayment { booking, old: Payment::Unpaid, new: paid },
            Change::BookingPayment { booking, old: paid, new: Payment::Unpaid },
            Change::AttentionNoteAdded { note: attention, booking, visibility: Visibility::Shared, text: "a".into() },
            Change::AttentionNoteEdited {
                note: attention,
                booking,
                visibility: Visibility::Private,
                old: "a".into(),
                new: "b".into(),
            },
            Change::AttentionNoteDeleted {
                note: attention,
                booking,
                visibility: Visibility::Private,
                text: "b".into(),
            },
            Change::NotificationPreferences {
                old: ClientPreferences::default(),
                new: ClientPreferences { no_whatsapp: true, no_reminders: false },
                source: None,
            },
            Change::NotificationPreferences {
                old: ClientPreferences::default(),
                new: ClientPreferences { no_whatsapp: false, no_reminders: true },
                source: Some(ficha_domain::ChoiceSource::MiCuenta),
            },
            Change::ClientBlocked { reason: "A pedido del cliente".into() },
            Change::ClientUnblocked,
            Change::ClientMerged {
                merge: MergeId::generate(),
                role: MergeRole::Survivor,
                other: ClientId::generate(),
                other_name: "Ana \"Pérez\"".into(),
                other_email: "ana@mail.cl".into(),
            },
            Change::MergeUndone {
                merge: MergeId::generate(),
                role: MergeRole::Absorbed,
                other: ClientId::generate(),
                other_name: "Ana".into(),
                other_email: "a@b.cl".into(),
            },
            Change::ClientImported {
                batch: ImportId::generate(),
                file_name: "clientes \"1\".csv".into(),
                created: true,
            },
            Change::ClientImported { batch: ImportId::generate(), file_name: "c.xlsx".into(), created: false },
            Change::ImportUndone { batch: ImportId::generate(), file_name: "clientes.csv".into() },
            Change::DataRequest {
                request: ficha_domain::DataRequestId::generate(),
                right: DataRight::Erasure,
                event: ficha_domain::RequestEvent::Extended {
                    due_on: jiff::civil::date(2027, 1, 30),
                    reason: "Volumen".into(),
                },
            },
            Change::DataRequest {
                request: ficha_domain::DataRequestId::generate(),
                right: DataRight::Access,
                event: ficha_domain::RequestEvent::Moved {
                    from: ficha_domain::RequestStatus::Received,
                    to: ficha_domain::RequestStatus::InProgress,
                },
            },
        ];
        for change in changes {
            let stored = ChangeRecord::of(&change);
            let record = HistoryRecord {
                id: Uuid::now_v7(),
                client: ClientId::generate(),
                at: 0,
                who: WhoRecord { kind: "system".into(), staff: None, staff_name: None },
                kind: stored.kind.into(),
                subject: stored.subject,
                old: stored.old,
                new: stored.new,
                booking: stored.booking,
                visibility: stored.visibility.map(str::to_owned),
            };
            assert_eq!(record.into_entry().expect("reads").change, change);
        }
    }
}
