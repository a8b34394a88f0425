//! Reading the public API's bodies. The client's data goes through the
//! booking form's rules — the same parsers (`ClientName`, `Email`, `Phone`,
//! `Rut`), the same "blank unless the business requires it"
//! (`site::book::optional`), the same custom-field rules (`CustomValue`
//! over the fields asked in the booking form) — and every field's problem
//! is collected, so one answer names all that is wrong.

use ficha_domain::{BirthDate, ClientName, CustomField, CustomValue, Email, FieldError, FieldKey, Phone, Rut, StaffId};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::Value;

use crate::api::bookings::input::instant;
use crate::api::custom_fields::values::parse as value_of;
use crate::input::{JsonObject, Problems};
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};
use crate::site::book::optional;
use ficha_domain::{Acceptance, BookingRules, ServiceId};
use ficha_store::Typed;

const BOOKING: &[&str] = &["service", "professional", "start", "client", "privacy_notice", "whatsapp_opt_in"];
const NOTICE: &[&str] = &["accepted", "version"];
/// The client's fields; the birth date only where the business asks it.
const CLIENT: &[&str] = &["name", "email", "phone", "rut", "values"];
const CLIENT_WITH_BIRTH_DATE: &[&str] = &["name", "email", "phone", "rut", "birth_date", "values"];
const RESCHEDULE: &[&str] = &["professional", "start"];

/// A booking request, read; the manage link is added by the handler.
pub struct Request {
    pub service: ServiceId,
    pub professional: Option<StaffId>,
    pub start: Timestamp,
    pub client: Typed,
    pub consent: Acceptance,
}

/// A text field: absent and null read as blank, anything else but text is
/// refused by name.
fn text<'a>(problems: &mut Problems, body: &'a JsonObject, field: &str, prefix: &str) -> Option<&'a str> {
    match body.get(field) {
        None | Some(Value::Null) => Some(""),
        Some(Value::String(text)) => Some(text),
        Some(_) => {
            problems.push(&format!("{prefix}{field}"), FieldProblemKind::NotText { nullable: true });
            None
        }
    }
}

/// `professional`: absent, null, empty or `cualquiera` is anyone free.
fn professional(problems: &mut Problems, body: &JsonObject) -> Option<Option<StaffId>> {
    match text(problems, body, "professional", "")? {
        "" | "cualquiera" => Some(None),
        id => match id.parse() {
            Ok(id) => Some(Some(id)),
            Err(_) => {
                problems.push("professional", FieldProblemKind::NotAnId);
                None
            }
        },
    }
}

/// `start`: RFC 3339, or a civil time read in the business's zone.
fn start(problems: &mut Problems, body: &JsonObject, zone: &TimeZone) -> Option<Timestamp> {
    match text(problems, body, "start", "")? {
        "" => problems.take("start", Err(FieldError::Required)),
        typed => match instant(typed, zone) {
            Ok(at) => Some(at),
            Err(kind) => {
                problems.push("start", kind);
                None
            }
        },
    }
}

/// The answers to the fields asked in the booking form, by key; a key the
/// form does not ask is refused, and a required field left out too.
fn values(problems: &mut Problems, client: &JsonObject, asked: &[CustomField]) -> Option<Vec<(FieldKey, CustomValue)>> {
    let empty = serde_json::Map::new();
    let map = match client.get("values") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(map)) => map,
        Some(_) => {
            problems.push("client.values", FieldProblemKind::NotAnObject);
            return None;
        }
    };
    let before = problems.0.len();
    for key in map.keys().filter(|key| !asked.iter().any(|f| f.key.as_str() == key.as_str())) {
        let kind =
            FieldProblemKind::CustomValue { label: key.clone(), error: FieldError::FieldUnknown, options: vec![] };
        problems.push(&format!("client.values.{key}"), kind);
    }
    let mut values = Vec::new();
    for field in asked {
        match value_of(field, map.get(field.key.as_str()).unwrap_or(&Value::Null)) {
            Ok(Some(value)) => values.push((field.key.clone(), value)),
            Ok(None) => {}
            Err(error) => {
                let (label, options) = (field.label.to_string(), field.options.as_slice().to_vec());
                let kind = FieldProblemKind::CustomValue { label, error, options };
                problems.push(&format!("client.values.{}", field.key), kind);
            }
        }
    }
    (problems.0.len() == before).then_some(values)
}

fn client(
    problems: &mut Problems,
    body: &JsonObject,
    rules: &BookingRules,
    asked: &[CustomField],
    today: Date,
) -> Option<Typed> {
    let client = match problems.read(body.object("client")) {
        Some(Some(client)) => client,
        Some(None) => {
            problems.take::<()>("client", Err(FieldError::Required));
            return None;
        }
        None => return None,
    };
    let allowed = if rules.ask_birth_date { CLIENT_WITH_BIRTH_DATE } else { CLIENT };
    for mut problem in client.check_fields(allowed, &[]) {
        problem.field = format!("client.{}", problem.field);
        problems.0.push(problem);
    }
    let p = "client.";
    let name = text(problems, &client, "name", p).and_then(|t| problems.take("client.name", ClientName::parse(t)));
    let email = text(problems, &client, "email", p).and_then(|t| problems.take("client.email", Email::parse(t)));
    let phone = text(problems, &client, "phone", p)
        .and_then(|t| problems.take("client.phone", optional(t, rules.require_phone, Phone::parse)));
    let rut = text(problems, &client, "rut", p)
        .and_then(|t| problems.take("client.rut", optional(t, rules.require_rut, Rut::parse)));
    let birth_date = if rules.ask_birth_date {
        text(problems, &client, "birth_date", p)
            .and_then(|t| problems.take("client.birth_date", optional(t, false, |t| BirthDate::parse(t, today))))
    } else {
        Some(None)
    };
    let values = values(problems, &client, asked);
    Some(Typed { name: name?, email: email?, phone: phone?, rut: rut?, birth_date: birth_date?, values: values? })
}

/// The body of `POST /public/{slug}/bookings`.
pub fn booking(
    body: &JsonObject,
    rules: &BookingRules,
    asked: &[CustomField],
    zone: &TimeZone,
    today: Date,
) -> Result<Request, ApiError> {
    let mut problems = Problems(body.check_fields(BOOKING, &[]));
    let service = match text(&mut problems, body, "service", "") {
        Some("") => problems.take("service", Err(FieldError::Required)),
        Some(id) => id.parse::<ServiceId>().map_err(|_| problems.push("service", FieldProblemKind::NotAnId)).ok(),
        None => None,
    };
    let professional = professional(&mut problems, body);
    let start = start(&mut problems, body, zone);
    let client = client(&mut problems, body, rules, asked, today);
    let consent = acceptance(&mut problems, body);
    let request = match (service, professional, start, client, consent) {
        (Some(service), Some(professional), Some(start), Some(client), Some(consent)) => {
            Some(Request { service, professional, start, client, consent })
        }
        _ => None,
    };
    problems.finish(request)
}

/// `privacy_notice: {"accepted": true, "version": n}` (required: the
/// version the client read, which the store checks is still the current
/// one) and `whatsapp_opt_in` (optional, false when absent: consent is
/// never assumed).
fn acceptance(problems: &mut Problems, body: &JsonObject) -> Option<Acceptance> {
    let whatsapp_opt_in = match body.get("whatsapp_opt_in") {
        None | Some(Value::Null) => Some(false),
        Some(Value::Bool(yes)) => Some(*yes),
        Some(_) => {
            problems.push("whatsapp_opt_in", FieldProblemKind::NotBoolean);
            None
        }
    };
    let notice = match problems.read(body.object("privacy_notice")) {
        Some(Some(notice)) => notice,
        Some(None) => {
            problems.push("privacy_notice", FieldProblemKind::NoticeNotAccepted);
            return None;
        }
        None => return None,
    };
    for mut problem in notice.check_fields(NOTICE, &[]) {
        problem.field = format!("privacy_notice.{}", problem.field);
        problems.0.push(problem);
    }
    let accepted = match notice.get("accepted") {
        Some(Value::Bool(true)) => Some(()),
        Some(Value::Bool(false)) | None | Some(Value::Null) => {
            problems.push("privacy_notice.accepted", FieldProblemKind::NoticeNotAccepted);
            None
        }
        Some(_) => {
            problems.push("privacy_notice.accepted", FieldProblemKind::NotBoolean);
            None
        }
    };
    let version = match notice.get("version") {
        Some(Value::Number(n)) => match n.as_u64().and_then(|v| u32::try_from(v).ok()).filter(|v| *v >= 1) {
            Some(version) => Some(version),
            None => {
                problems.push("privacy_notice.version", FieldProblemKind::NotWholeNumber);
                None
            }
        },
        None | Some(Value::Null) => problems.take("privacy_notice.version", Err(FieldError::Required)),
        Some(_) => {
            problems.push("privacy_notice.version", FieldProblemKind::NotWholeNumber);
            None
        }
    };
    let (Some(()), Some(notice_version), Some(whatsapp_opt_in)) = (accepted, version, whatsapp_opt_in) else {
        return None;
    };
    Some(Acceptance { notice_version, whatsapp_opt_in })
}

/// The body of `…/manage/{token}/reschedule`: `{"start", "professional"?}`.
pub fn reschedule(body: &JsonObject, zone: &TimeZone) -> Result<(Option<StaffId>, Timestamp), ApiError> {
    let mut problems = Problems(body.check_fields(RESCHEDULE, &[]));
    let professional = professional(&mut problems, body);
    let start = start(&mut problems, body, zone);
    let read = match (professional, start) {
        (Some(professional), Some(start)) => Some((professional, start)),
        _ => None,
    };
    problems.finish(read)
}

/// The bodies of cancel and confirm: `{}`; a JSON body keeps the call a
/// deliberate one.
pub fn nothing(body: &JsonObject) -> Result<(), ApiError> {
    let problems: Vec<FieldProblem> = body.check_fields(&[], &[]);
    Problems(problems).finish(Some(()))
}
