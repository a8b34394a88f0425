//! Custom fields and values as both backends store them, and back: one set
//! of rules for turning columns into domain values.
//!
//! A value is stored as its canonical text: text as saved, the canonical
//! number, the ISO date, `true`/`false`, the option's label; a multi choice
//! as a JSON array of labels. Options are a JSON array of labels.

use ficha_domain::{ChoiceOptions, CustomField, CustomFieldId, CustomValue, FieldKey, FieldKind, FieldLabel, RawValue};

use crate::error::{StoreError, StoreResult};
use crate::record::timestamp;

/// A `custom_fields` row as read.
#[derive(Debug, Clone)]
pub struct CustomFieldRecord {
    pub id: CustomFieldId,
    pub key: String,
    pub label: String,
    pub kind: String,
    pub options: String,
    pub required: bool,
    pub in_booking_form: bool,
    pub visible_to_client: bool,
    pub sensitive: bool,
    pub identifying: bool,
    pub position: i32,
    pub archived_at: Option<i64>,
}

impl CustomFieldRecord {
    pub fn into_field(self) -> StoreResult<CustomField> {
        let corrupt =
            |what: &str, value: &str| StoreError::Corrupt(format!("custom field {} {what}: {value:?}", self.id));
        let kind = FieldKind::parse(&self.kind).map_err(|_| corrupt("kind", &self.kind))?;
        let options: Vec<String> =
            serde_json::from_str(&self.options).map_err(|_| corrupt("options", &self.options))?;
        let options: Vec<&str> = options.iter().map(String::as_str).collect();
        Ok(CustomField {
            id: self.id,
            key: FieldKey::parse(&self.key).map_err(|_| corrupt("key", &self.key))?,
            label: FieldLabel::parse(&self.label).map_err(|_| corrupt("label", &self.label))?,
            kind,
            options: ChoiceOptions::parse(kind, &options).map_err(|_| corrupt("options", &self.options))?,
            required: self.required,
            in_booking_form: self.in_booking_form,
            visible_to_client: self.visible_to_client,
            sensitive: self.sensitive,
            identifying: self.identifying,
            position: self.position,
            archived_at: self.archived_at.map(timestamp).transpose()?,
        })
    }
}

/// The `options` column: a JSON array of the labels.
pub fn options_text(options: &ChoiceOptions) -> String {
    json_array(options.as_slice())
}

/// The `value` column.
pub fn value_text(value: &CustomValue) -> String {
    match value {
        CustomValue::Text(text) | CustomValue::LongText(text) | CustomValue::SingleChoice(text) => text.clone(),
        CustomValue::Number(number) => number.as_str().to_owned(),
        CustomValue::Date(date) => date.to_string(),
        CustomValue::YesNo(yes) => yes.to_string(),
        CustomValue::MultiChoice(labels) => json_array(labels),
    }
}

/// Reads a `value` column back as a value of `field`. Options are matched as
/// they are now: a label whose case the owner changed reads as the new label.
pub fn read_value(field: &CustomField, stored: &str) -> StoreResult<CustomValue> {
    let corrupt = || StoreError::Corrupt(format!("value of custom field {}: {stored:?}", field.id));
    let value = if field.kind == FieldKind::MultiChoice {
        let labels: Vec<String> = serde_json::from_str(stored).map_err(|_| corrupt())?;
        CustomValue::read(field, RawValue::List(labels.iter().map(|l| Some(l.as_str())).collect()))
    } else {
        CustomValue::read(field, RawValue::Text(stored))
    };
    value.map_err(|_| corrupt())
}

/// The labels a stored value holds, for the option-in-use check: the stored
/// text of a single choice, the items of a multi choice.
pub fn stored_labels(kind: FieldKind, stored: &str) -> StoreResult<Vec<String>> {
    match kind {
        FieldKind::MultiChoice => {
            serde_json::from_str(stored).map_err(|_| StoreError::Corrupt(format!("multi-choice value {stored:?}")))
        }
        _ => Ok(vec![stored.to_owned()]),
    }
}

fn json_array(items: &[String]) -> String {
    serde_json::Value::from(items.to_vec()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn field(kind: FieldKind, options: &[&str]) -> CustomField {
        CustomField {
            id: CustomFieldId::generate(),
            key: FieldKey::parse("campo").expect("valid"),
            label: FieldLabel::parse("Campo").expect("valid"),
            kind,
            options: ChoiceOptions::parse(kind, options).expect("valid"),
            required: false,
            in_booking_form: false,
            visible_to_client: false,
            sensitive: false,
            identifying: false,
            position: 0,
            archived_at: None,
        }
    }

    #[test]
    fn every_kind_reads_back_what_was_stored() {
        let cases = [
            (field(FieldKind::Text, &[]), RawValue::Text("Firulais \"el bravo\"")),
            (field(FieldKind::LongText, &[]), RawValue::Text("línea 1\nlínea 2")),
            (field(FieldKind::Number, &[]), RawValue::Text("-3,50")),
            (field(FieldKind::Date, &[]), RawValue::Text("01-05-2026")),
            (field(FieldKind::YesNo, &[]), RawValue::Bool(false)),
            (field(FieldKind::SingleChoice, &["Ñuñoa", "Maipú"]), RawValue::Text("maipu")),
            (field(FieldKind::MultiChoice, &["Perro", "Ga\"to"]), RawValue::List(vec![Some("ga\"to"), Some("perro")])),
        ];
        for (field, raw) in cases {
            let value = CustomValue::read(&field, raw).expect("valid");
            assert_eq!(read_value(&field, &value_text(&value)).expect("reads back"), value, "{:?}", field.kind);
        }
        let stored = value_text(&CustomValue::Date(date(2026, 5, 1)));
        assert_eq!(stored, "2026-05-01");
    }

    #[test]
    fn options_read_back_and_garbage_is_corrupt() {
        let original = field(FieldKind::SingleChoice, &["Las Condes", "Ñuñoa"]);
        let record = CustomFieldRecord {
            id: original.id,
            key: "campo".into(),
            label: "Campo".into(),
            kind: "single_choice".into(),
            options: options_text(&original.options),
            required: false,
            in_booking_form: false,
            visible_to_client: false,
            sensitive: false,
            identifying: false,
            position: 0,
            archived_at: None,
        };
        assert_eq!(record.clone().into_field().expect("reads"), original);
        let broken = CustomFieldRecord { options: "[1,".into(), ..record };
        assert!(matches!(broken.into_field(), Err(StoreError::Corrupt(_))));
        assert!(matches!(read_value(&original, "Maipú"), Err(StoreError::Corrupt(_))));
    }
}
