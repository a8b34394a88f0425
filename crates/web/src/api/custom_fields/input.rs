//! Reading a field definition from a request body, collecting every
//! property's problem before answering.

use ficha_domain::{
    ChoiceOptions, CustomField, CustomFieldChanges, FieldError, FieldKey, FieldKind, FieldLabel, NewCustomField,
    OptionsError,
};
use serde_json::Value;

use crate::input::{JsonObject, Problems};
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

/// What an owner sends to define a field.
pub const CREATE: &[&str] = &[
    "key",
    "label",
    "kind",
    "options",
    "required",
    "in_booking_form",
    "visible_to_client",
    "sensitive",
    "identifying",
    "position",
];
/// What an owner may change afterwards.
pub const EDIT: &[&str] = &[
    "label",
    "options",
    "required",
    "in_booking_form",
    "visible_to_client",
    "sensitive",
    "identifying",
    "position",
    "archived",
];
/// Fixed when the field is created.
const IMMUTABLE: &[&str] = &["key", "kind"];
/// Shown by the API, maintained by the system.
pub const READ_ONLY: &[&str] = &["id", "archived_at", "href"];

pub fn new_field(body: &JsonObject) -> Result<NewCustomField, ApiError> {
    let mut problems = Problems(body.check_fields(CREATE, READ_ONLY));
    let key = required_text(&mut problems, body, "key", FieldKey::parse);
    let label = required_text(&mut problems, body, "label", FieldLabel::parse);
    let kind = required_text(&mut problems, body, "kind", FieldKind::parse);
    let items = option_items(&mut problems, body).map(Option::unwrap_or_default);
    let options = match (kind, items) {
        (Some(kind), Some(items)) => options(&mut problems, kind, &items),
        _ => None,
    };
    let required = flag(&mut problems, body, "required").map(|f| f.unwrap_or(false));
    let in_booking_form = flag(&mut problems, body, "in_booking_form").map(|f| f.unwrap_or(false));
    let visible_to_client = flag(&mut problems, body, "visible_to_client").map(|f| f.unwrap_or(false));
    let sensitive = flag(&mut problems, body, "sensitive").map(|f| f.unwrap_or(false));
    let identifying = flag(&mut problems, body, "identifying").map(|f| f.unwrap_or(false));
    // null, like absent, puts the field last.
    let position = match body.get("position") {
        Some(Value::Null) => Some(None),
        _ => position(&mut problems, body),
    };
    let new = match (
        key,
        label,
        kind,
        options,
        required,
        in_booking_form,
        visible_to_client,
        sensitive,
        identifying,
        position,
    ) {
        (
            Some(key),
            Some(label),
            Some(kind),
            Some(options),
            Some(required),
            Some(in_booking_form),
            Some(visible_to_client),
            Some(sensitive),
            Some(identifying),
            Some(position),
        ) => Some(NewCustomField {
            key,
            label,
            kind,
            options,
            required,
            in_booking_form,
            visible_to_client,
            sensitive,
            identifying,
            position,
        }),
        _ => None,
    };
    problems.finish(new)
}

/// An edit of `field`; its kind decides what options may be.
pub fn field_changes(body: &JsonObject, field: &CustomField) -> Result<CustomFieldChanges, ApiError> {
    // Key and kind get their own refusal, not "unknown field".
    let others = body.check_fields(EDIT, READ_ONLY).into_iter().filter(|p| !IMMUTABLE.contains(&p.field.as_str()));
    let mut problems = Problems(others.collect());
    for name in IMMUTABLE {
        if body.get(name).is_some() {
            problems.push(name, FieldProblemKind::Immutable);
        }
    }
    let mut changes = CustomFieldChanges::default();
    match body.get("label") {
        None => {}
        Some(Value::String(text)) => changes.label = problems.take("label", FieldLabel::parse(text)),
        Some(Value::Null) => {
            problems.take::<()>("label", Err(FieldError::Required));
        }
        Some(_) => problems.push("label", FieldProblemKind::NotText { nullable: false }),
    }
    if let Some(Some(items)) = option_items(&mut problems, body) {
        changes.options = options(&mut problems, field.kind, &items);
    }
    changes.required = flag(&mut problems, body, "required").flatten();
    changes.in_booking_form = flag(&mut problems, body, "in_booking_form").flatten();
    changes.visible_to_client = flag(&mut problems, body, "visible_to_client").flatten();
    changes.sensitive = flag(&mut problems, body, "sensitive").flatten();
    changes.identifying = flag(&mut problems, body, "identifying").flatten();
    changes.archived = flag(&mut problems, body, "archived").flatten();
    changes.position = position(&mut problems, body).flatten();
    problems.finish(Some(changes))
}

fn required_text<T>(
    problems: &mut Problems,
    body: &JsonObject,
    field: &str,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<T> {
    match body.text(field) {
        Ok(text) => problems.take(field, parse(text.unwrap_or(""))),
        Err(problem) => {
            problems.0.push(problem);
            None
        }
    }
}

/// `Some(None)` when absent; `None` when not a list of texts.
fn option_items<'a>(problems: &mut Problems, body: &'a JsonObject) -> Option<Option<Vec<&'a str>>> {
    match body.get("options") {
        None => Some(None),
        Some(Value::Array(items)) => match items.iter().map(Value::as_str).collect::<Option<Vec<_>>>() {
            Some(items) => Some(Some(items)),
            None => {
                problems.push("options", FieldProblemKind::NotAList);
                None
            }
        },
        Some(_) => {
            problems.push("options", FieldProblemKind::NotAList);
            None
        }
    }
}

fn options(problems: &mut Problems, kind: FieldKind, items: &[&str]) -> Option<ChoiceOptions> {
    match ChoiceOptions::parse(kind, items) {
        Ok(options) => Some(options),
        Err(OptionsError { index, error }) => {
            let field = index.map_or_else(|| "options".to_owned(), |i| format!("options[{i}]"));
            problems.0.push(FieldProblem::new(field, FieldProblemKind::Invalid(error)));
            None
        }
    }
}

/// `Some(None)` when absent; `None` when not a boolean.
fn flag(problems: &mut Problems, body: &JsonObject, field: &str) -> Option<Option<bool>> {
    match body.get(field) {
        None => Some(None),
        Some(Value::Bool(flag)) => Some(Some(*flag)),
        Some(_) => {
            problems.push(field, FieldProblemKind::NotBoolean);
            None
        }
    }
}

/// `Some(None)` when absent; `None` when not a whole number.
fn position(problems: &mut Problems, body: &JsonObject) -> Option<Option<i32>> {
    match body.get("position") {
        None => Some(None),
        Some(value) => match crate::input::whole_number(value).and_then(|n| i32::try_from(n).ok()) {
            Some(position) => Some(Some(position)),
            None => {
                problems.push("position", FieldProblemKind::NotWholeNumber);
                None
            }
        },
    }
}
