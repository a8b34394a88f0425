//! How a data-subject request looks on the API.

use ficha_domain::{DataRequest, NoteText};
use jiff::civil::Date;
use serde_json::{Value, json};

/// `{"id", "client_id", "client_name", "email", "right", "channel", "detail",
/// "received_at", "received_on", "due_on", "overdue", "extension",
/// "status", "response", "action_taken", "closed_at"}`: dates are the
/// business's calendar days (`YYYY-MM-DD`), times RFC 3339 in UTC;
/// `overdue` is open and past its due date on `today`.
pub fn request_json(request: &DataRequest, today: Date) -> Value {
    let text = |t: &Option<NoteText>| t.as_ref().map(|t| t.as_str().to_owned());
    json!({
        "id": request.id,
        "client_id": request.client,
        "client_name": request.client_name,
        "email": request.email.as_str(),
        "right": request.right.as_str(),
        "channel": request.channel.as_str(),
        "detail": text(&request.detail),
        "received_at": request.received_at.to_string(),
        "received_on": request.received_on.to_string(),
        "due_on": request.due_on.to_string(),
        "overdue": request.is_overdue(today),
        "extension": request.extension.as_ref().map(|e| json!({
            "reason": e.reason.as_str(),
            "previous_due_on": e.previous_due.to_string(),
            "at": e.at.to_string(),
        })),
        "status": request.status.as_str(),
        "response": text(&request.response),
        "action_taken": text(&request.action_taken),
        "closed_at": request.closed_at.map(|t| t.to_string()),
    })
}
