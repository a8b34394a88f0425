//! Reading a client from a request body, collecting every field's problem
//! before answering, so one round trip shows the user all that is wrong.

use ficha_domain::{BirthDate, ClientChanges, ClientName, Email, FieldError, NewClient, Phone, Rut};
use jiff::civil::Date;

use crate::input::{Edit, JsonObject, Problems};
use crate::problem::ApiError;

/// The fields staff may write.
pub const WRITABLE: &[&str] = &["name", "email", "phone", "rut", "birth_date"];
/// Fields the API shows but the system maintains.
pub const READ_ONLY: &[&str] = &["id", "registered_at", "last_booking_at", "version", "href"];

/// An optional field given as text: empty text means "none", like null.
fn optional<T>(text: &str, parse: impl FnOnce(&str) -> Result<T, FieldError>) -> Result<Option<T>, FieldError> {
    if text.trim().is_empty() { Ok(None) } else { parse(text).map(Some) }
}

pub fn new_client(body: &JsonObject, today: Date) -> Result<NewClient, ApiError> {
    let mut problems = Problems(body.check_fields(WRITABLE, READ_ONLY));
    let name = problems.read(body.text("name")).map(|t| problems.take("name", ClientName::parse(t.unwrap_or(""))));
    let email = problems.read(body.text("email")).map(|t| problems.take("email", Email::parse(t.unwrap_or(""))));
    let phone = optional_field(&mut problems, body, "phone", Phone::parse);
    let rut = optional_field(&mut problems, body, "rut", Rut::parse);
    let birth_date = optional_field(&mut problems, body, "birth_date", |t| BirthDate::parse(t, today));
    let client = match (name.flatten(), email.flatten(), phone, rut, birth_date) {
        (Some(name), Some(email), Some(phone), Some(rut), Some(birth_date)) => {
            Some(NewClient { name, email, phone, rut, birth_date })
        }
        _ => None,
    };
    problems.finish(client)
}

/// Reads an optional field of a new client; `None` means it had a problem.
fn optional_field<T>(
    problems: &mut Problems,
    body: &JsonObject,
    field: &str,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<Option<T>> {
    match problems.read(body.edit(field))? {
        Edit::Absent | Edit::Clear => Some(None),
        Edit::Set(text) => problems.take(field, optional(text, parse)),
    }
}

pub fn client_changes(body: &JsonObject, today: Date) -> Result<ClientChanges, ApiError> {
    let mut problems = Problems(body.check_fields(WRITABLE, READ_ONLY));
    let mut changes = ClientChanges::default();
    // Name and email can be changed but never cleared: null counts as empty.
    if let Some(edit) = problems.read(body.edit("name")) {
        changes.name = required_edit(&mut problems, "name", edit, ClientName::parse);
    }
    if let Some(edit) = problems.read(body.edit("email")) {
        changes.email = required_edit(&mut problems, "email", edit, Email::parse);
    }
    changes.phone = optional_edit(&mut problems, body, "phone", Phone::parse);
    changes.rut = optional_edit(&mut problems, body, "rut", Rut::parse);
    changes.birth_date = optional_edit(&mut problems, body, "birth_date", |t| BirthDate::parse(t, today));
    problems.finish(Some(changes))
}

fn required_edit<T>(
    problems: &mut Problems,
    field: &str,
    edit: Edit<'_>,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<T> {
    match edit {
        Edit::Absent => None,
        Edit::Clear => problems.take(field, parse("")),
        Edit::Set(text) => problems.take(field, parse(text)),
    }
}

fn optional_edit<T>(
    problems: &mut Problems,
    body: &JsonObject,
    field: &str,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<Option<T>> {
    match problems.read(body.edit(field))? {
        Edit::Absent => None,
        Edit::Clear => Some(None),
        Edit::Set(text) => problems.take(field, optional(text, parse)),
    }
}
