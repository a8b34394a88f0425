//! Reading what is sent about data-subject requests: the list's filters, a
//! request staff record, a step (status, answer, extension), and the
//! due-days setting — every field's problem at once, nothing changed.

use ficha_domain::{DataRight, DueDays, Email, NoteText, RequestChannel, RequestStatus, RequestStep};
use ficha_store::{NewDataRequest, RequestFilter};

use crate::input::{Edit, JsonObject, Problems};
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

pub const LIST_PARAMETERS: &[&str] = &["status", "client_id"];
pub const STATUSES: &[&str] = &["received", "in_progress", "answered", "refused"];
pub const RIGHTS: &[&str] = &["access", "rectification", "erasure", "opposition", "portability", "blocking"];
/// What staff record: the other channels are the client's own.
pub const RECORDED_CHANNELS: &[&str] = &["email", "phone", "in_person"];
/// The statuses a step moves to.
pub const STEP_STATUSES: &[&str] = &["in_progress", "answered", "refused"];

const NEW_FIELDS: &[&str] = &["right", "channel", "client_id", "email", "detail"];
const STEP_FIELDS: &[&str] = &["status", "response", "action_taken", "extension_reason"];
/// What the register keeps by itself.
const READ_ONLY: &[&str] = &[
    "id",
    "client_name",
    "received_at",
    "received_on",
    "due_on",
    "overdue",
    "extension",
    "closed_at",
    "status",
    "response",
    "action_taken",
];
const SETTINGS_FIELDS: &[&str] = &["due_days"];

/// `?status=&client_id=`.
pub fn filter(params: &[(String, String)]) -> Result<RequestFilter, ApiError> {
    let mut filter = RequestFilter::default();
    let mut problems = Vec::new();
    for (name, value) in params {
        let problem = match name.as_str() {
            "status" => match RequestStatus::parse(value) {
                Some(status) => {
                    filter.status = Some(status);
                    None
                }
                None => Some(FieldProblemKind::NotOneOf { allowed: STATUSES }),
            },
            "client_id" => match value.parse() {
                Ok(client) => {
                    filter.client = Some(client);
                    None
                }
                Err(_) => Some(FieldProblemKind::NotAnId),
            },
            _ => Some(FieldProblemKind::Unknown { allowed: LIST_PARAMETERS }),
        };
        if let Some(kind) = problem {
            problems.push(FieldProblem::new(name.as_str(), kind));
        }
    }
    if problems.is_empty() { Ok(filter) } else { Err(ApiError::InvalidQuery(problems)) }
}

/// One of `allowed`, required.
fn choice<T>(
    body: &JsonObject,
    problems: &mut Problems,
    field: &str,
    allowed: &'static [&'static str],
    parse: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let text = problems.read(body.text(field));
    let text = problems.required(field, text.map(|t| t.filter(|t| !t.trim().is_empty())))?;
    let value = parse(text.trim()).filter(|_| allowed.contains(&text.trim()));
    if value.is_none() {
        problems.push(field, FieldProblemKind::NotAChoice { allowed });
    }
    value
}

/// The text sent, if a text was.
fn set(edit: Edit<'_>) -> Option<&str> {
    match edit {
        Edit::Set(text) => Some(text),
        Edit::Absent | Edit::Clear => None,
    }
}

/// An optional text (null or absent: none; empty: none).
fn optional_text(body: &JsonObject, problems: &mut Problems, field: &str) -> Option<Option<NoteText>> {
    let edit = problems.read(body.edit(field))?;
    match set(edit).map(str::trim).filter(|t| !t.is_empty()) {
        None => Some(None),
        Some(text) => problems.take(field, NoteText::parse(text)).map(Some),
    }
}

/// `{"right", "channel", "client_id" | "email", "detail"}`.
pub fn new_request(body: &JsonObject) -> Result<NewDataRequest, ApiError> {
    let mut problems = Problems(body.check_fields(NEW_FIELDS, READ_ONLY));
    let right = choice(body, &mut problems, "right", RIGHTS, DataRight::parse);
    let channel = choice(body, &mut problems, "channel", RECORDED_CHANNELS, RequestChannel::parse);
    let client = match problems.read(body.edit("client_id")).and_then(|e| set(e).map(str::to_owned)) {
        None => None,
        Some(text) => match text.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                problems.push("client_id", FieldProblemKind::NotAnId);
                None
            }
        },
    };
    let email = match problems.read(body.edit("email")).and_then(|e| set(e).map(str::to_owned)) {
        None => None,
        Some(text) => problems.take("email", Email::parse(&text)),
    };
    // Someone must be answered: a profile, or an address.
    let named = problems.0.iter().any(|p| p.field == "client_id" || p.field == "email");
    if client.is_none() && email.is_none() && !named {
        problems.push("email", FieldProblemKind::Invalid(ficha_domain::FieldError::Required));
    }
    let detail = optional_text(body, &mut problems, "detail");
    let new = match (right, channel, detail) {
        (Some(right), Some(channel), Some(detail)) => {
            Some(NewDataRequest { client, email: if client.is_some() { None } else { email }, right, channel, detail })
        }
        _ => None,
    };
    problems.finish(new)
}

/// `{"status": "in_progress"}`, `{"status": "answered" | "refused",
/// "response", "action_taken"}` or `{"extension_reason"}`.
pub fn step(body: &JsonObject) -> Result<RequestStep, ApiError> {
    let mut problems = Problems(body.check_fields(STEP_FIELDS, READ_ONLY));
    let response = optional_text(body, &mut problems, "response");
    let action_taken = optional_text(body, &mut problems, "action_taken").flatten();
    let reason = optional_text(body, &mut problems, "extension_reason").flatten();
    let status_sent = body.get("status").is_some_and(|v| !v.is_null());
    let step = match reason {
        // An extension is a step of its own.
        Some(_) if status_sent => {
            problems.push("extension_reason", FieldProblemKind::Unknown { allowed: &["status"] });
            None
        }
        Some(reason) => Some(RequestStep::Extend { reason }),
        None => match choice(body, &mut problems, "status", STEP_STATUSES, RequestStatus::parse) {
            Some(RequestStatus::InProgress) => Some(RequestStep::Start),
            Some(closing) => match response.flatten() {
                // The answer (or the refusal's reason) is what the person is told.
                None => {
                    problems.push("response", FieldProblemKind::Invalid(ficha_domain::FieldError::Required));
                    None
                }
                Some(response) if closing == RequestStatus::Answered => {
                    Some(RequestStep::Answer { response, action_taken })
                }
                Some(reason) => Some(RequestStep::Refuse { reason, action_taken }),
            },
            None => None,
        },
    };
    problems.finish(step)
}

/// `{"due_days": 1..=30}`.
pub fn due_days(body: &JsonObject) -> Result<DueDays, ApiError> {
    let mut problems = Problems(body.check_fields(SETTINGS_FIELDS, &[]));
    let days = problems.read(body.integer("due_days"));
    let days = problems.required("due_days", days);
    let days = days.and_then(|d| {
        let parsed = DueDays::new(d);
        if parsed.is_none() {
            problems.push(
                "due_days",
                FieldProblemKind::Invalid(ficha_domain::FieldError::OutOfRange {
                    min: i64::from(DueDays::MIN),
                    max: i64::from(DueDays::MAX),
                }),
            );
        }
        parsed
    });
    problems.finish(days)
}
