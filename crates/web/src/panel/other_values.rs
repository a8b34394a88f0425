//! "Otros datos" as form inputs: one typed input per custom field (a select
//! for choices and yes/no, check boxes for several choices, a date picker…),
//! read back into values with each field's rules.

use ficha_domain::{CustomField, CustomValue, FieldError, FieldKey, FieldKind, RawValue};
use ficha_store::FieldValue;

use super::form::FormData;
use crate::i18n::Lang;
use crate::problem::{FieldProblem, FieldProblemKind};

pub struct Choice {
    pub label: String,
    pub selected: bool,
}

/// One field's input, with what it holds and its problem.
pub struct ValueInput {
    /// The form's name for it.
    pub name: String,
    pub label: String,
    /// text, long_text, number, date, yes_no, single_choice, multi_choice.
    pub kind: &'static str,
    /// What the input shows (not used by choices).
    pub value: String,
    pub choices: Vec<Choice>,
    pub required: bool,
    /// A sensitive field's value (marked "Dato sensible" on the profile).
    pub sensitive: bool,
    pub error: Option<String>,
}

impl ValueInput {
    fn new(field: &CustomField, value: String, chosen: &[&str]) -> Self {
        Self {
            name: form_name(&field.key),
            label: field.label.as_str().to_owned(),
            kind: field.kind.as_str(),
            choices: field
                .options
                .as_slice()
                .iter()
                .map(|o| Choice { label: o.clone(), selected: chosen.contains(&o.as_str()) })
                .collect(),
            value,
            required: field.required,
            sensitive: field.sensitive,
            error: None,
        }
    }

    /// The input showing the stored `value`.
    pub fn stored(field: &CustomField, value: Option<&CustomValue>) -> Self {
        let (text, chosen): (String, Vec<&str>) = match value {
            None => (String::new(), Vec::new()),
            Some(CustomValue::Text(t) | CustomValue::LongText(t)) => (t.clone(), Vec::new()),
            Some(CustomValue::Number(n)) => (n.display(), Vec::new()),
            // What `<input type="date">` takes.
            Some(CustomValue::Date(d)) => (d.to_string(), Vec::new()),
            Some(CustomValue::YesNo(yes)) => ((if *yes { "si" } else { "no" }).to_owned(), Vec::new()),
            Some(CustomValue::SingleChoice(o)) => (String::new(), vec![o.as_str()]),
            Some(CustomValue::MultiChoice(os)) => (String::new(), os.iter().map(String::as_str).collect()),
        };
        Self::new(field, text, &chosen)
    }

    /// The input showing what was typed.
    fn typed(field: &CustomField, form: &FormData) -> Self {
        let name = form_name(&field.key);
        let chosen = form.all(&name);
        Self::new(field, form.get(&name).to_owned(), &chosen)
    }

    pub fn is_yes(&self) -> bool {
        self.value == "si"
    }

    pub fn is_no(&self) -> bool {
        self.value == "no"
    }

    /// The value as the profile shows it read-only: Sí/No, dates
    /// `dd-mm-aaaa`, choices with commas; empty when there is none.
    pub fn shown(&self) -> String {
        if !self.choices.is_empty() {
            let chosen: Vec<&str> = self.choices.iter().filter(|c| c.selected).map(|c| c.label.as_str()).collect();
            return chosen.join(", ");
        }
        match self.kind {
            "yes_no" if self.is_yes() => "Sí".into(),
            "yes_no" if self.is_no() => "No".into(),
            "date" => self.value.parse().map_or_else(|_| self.value.clone(), super::format::date),
            _ => self.value.clone(),
        }
    }
}

fn form_name(key: &FieldKey) -> String {
    format!("campo.{key}")
}

/// The inputs of the business's active fields, with the client's values.
pub fn stored_inputs(fields: &[CustomField], values: &[FieldValue]) -> Vec<ValueInput> {
    fields
        .iter()
        .filter(|f| !f.is_archived())
        .map(|f| ValueInput::stored(f, values.iter().find(|v| v.field.id == f.id).map(|v| &v.value)))
        .collect()
}

/// A value of an archived field: shown, no longer editable.
pub struct ArchivedValue {
    pub label: String,
    pub value: String,
}

pub fn archived_values(values: &[FieldValue]) -> Vec<ArchivedValue> {
    values
        .iter()
        .filter(|v| v.field.is_archived())
        .map(|v| ArchivedValue { label: v.field.label.as_str().to_owned(), value: shown(&v.value) })
        .collect()
}

/// A value as people read it: `3,5`, `23-04-1990`, `Sí`, `Ñuñoa, Maipú`.
pub fn shown(value: &CustomValue) -> String {
    value.display()
}

/// The inputs of the business's active fields, as typed in `form`.
pub fn typed_inputs(fields: &[CustomField], form: &FormData) -> Vec<ValueInput> {
    fields.iter().filter(|f| !f.is_archived()).map(|f| ValueInput::typed(f, form)).collect()
}

/// Reads the form's value of every active field. `Err` gives the inputs
/// again, as typed, with each problem next to its field.
pub fn read(fields: &[CustomField], form: &FormData) -> Result<Vec<(FieldKey, Option<CustomValue>)>, Vec<ValueInput>> {
    let mut values = Vec::new();
    let mut inputs = Vec::new();
    let mut failed = false;
    for field in fields.iter().filter(|f| !f.is_archived()) {
        let mut input = ValueInput::typed(field, form);
        let raw = match field.kind {
            FieldKind::MultiChoice => RawValue::List(form.all(&input.name).into_iter().map(Some).collect()),
            _ => RawValue::Text(form.get(&input.name)),
        };
        match CustomValue::parse(field, raw) {
            Ok(value) => values.push((field.key.clone(), value)),
            Err(error) => {
                input.error = Some(message(field, error));
                failed = true;
            }
        }
        inputs.push(input);
    }
    if failed { Err(inputs) } else { Ok(values) }
}

/// Why a value of `field` was refused, in Spanish.
pub fn message(field: &CustomField, error: FieldError) -> String {
    let options = field.options.as_slice().to_vec();
    let kind = FieldProblemKind::CustomValue { label: field.label.as_str().to_owned(), error, options };
    FieldProblem::new(field.key.as_str(), kind).message(Lang::Es)
}
