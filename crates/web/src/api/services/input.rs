//! Reading a service from a request body, every field's problem collected.

use std::collections::BTreeSet;

use ficha_domain::{Clp, FieldError, Minutes, NewService, ServiceChanges, ServiceName, Sessions, StaffId};
use serde_json::Value;

use crate::input::{JsonObject, Problems};
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

/// What an owner sends, to create or to edit.
pub const WRITABLE: &[&str] = &["name", "duration_minutes", "price_clp", "sessions", "professional_ids"];
pub const READ_ONLY: &[&str] = &["id", "is_pack", "created_at", "href"];

/// The fields of a service: `None` when it had a problem, `Some(None)`
/// when absent.
struct Read {
    name: Option<Option<ServiceName>>,
    duration: Option<Option<Minutes>>,
    price: Option<Option<Clp>>,
    sessions: Option<Option<Sessions>>,
    professionals: Option<Option<BTreeSet<StaffId>>>,
}

fn read(body: &JsonObject, problems: &mut Problems) -> Read {
    let name = match problems.read(body.text("name")) {
        None => None,
        Some(None) => Some(None),
        Some(Some(text)) => problems.take("name", ServiceName::parse(text)).map(Some),
    };
    let duration = number(body, problems, "duration_minutes", Minutes::new);
    let price = number(body, problems, "price_clp", Clp::new);
    let sessions = number(body, problems, "sessions", Sessions::new);
    let professionals = problems.read(staff_ids(body, "professional_ids"));
    Read { name, duration, price, sessions, professionals }
}

/// A whole-number field read into `T`.
fn number<T>(
    body: &JsonObject,
    problems: &mut Problems,
    field: &str,
    parse: fn(i64) -> Result<T, FieldError>,
) -> Option<Option<T>> {
    match problems.read(body.integer(field))? {
        None => Some(None),
        Some(number) => problems.take(field, parse(number)).map(Some),
    }
}

/// A list of staff ids; absent or null is `None`.
pub fn staff_ids(body: &JsonObject, field: &str) -> Result<Option<BTreeSet<StaffId>>, FieldProblem> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item.as_str() {
                Some(text) => text.parse().map_err(|_| FieldProblem::new(field, FieldProblemKind::NotAnId)),
                None => Err(FieldProblem::new(field, FieldProblemKind::NotAList)),
            })
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Some),
        Some(_) => Err(FieldProblem::new(field, FieldProblemKind::NotAList)),
    }
}

pub fn new_service(body: &JsonObject) -> Result<NewService, ApiError> {
    let mut problems = Problems(body.check_fields(WRITABLE, READ_ONLY));
    let read = read(body, &mut problems);
    let name = problems.required("name", read.name);
    let duration = problems.required("duration_minutes", read.duration);
    let price = problems.required("price_clp", read.price);
    let sessions = read.sessions.map(|s| s.unwrap_or(Sessions::ONE));
    let professionals = read.professionals.map(Option::unwrap_or_default);
    let new = match (name, duration, price, sessions, professionals) {
        (Some(name), Some(duration), Some(price), Some(sessions), Some(professionals)) => {
            Some(NewService { name, duration, price, sessions, professionals })
        }
        _ => None,
    };
    problems.finish(new)
}

pub fn service_changes(body: &JsonObject) -> Result<ServiceChanges, ApiError> {
    let mut problems = Problems(body.check_fields(WRITABLE, READ_ONLY));
    let read = read(body, &mut problems);
    // Null is no change for these: none of them can be emptied.
    let changes = ServiceChanges {
        name: read.name.flatten(),
        duration: read.duration.flatten(),
        price: read.price.flatten(),
        sessions: read.sessions.flatten(),
        professionals: read.professionals.flatten(),
    };
    problems.finish(Some(changes))
}
