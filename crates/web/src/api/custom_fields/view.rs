//! How custom fields and clients' values look on the API.

use ficha_domain::{CustomField, CustomValue, Decimal};
use ficha_store::FieldValue;
use serde_json::{Map, Value, json};

pub fn field_json(field: &CustomField) -> Value {
    json!({
        "id": field.id,
        "key": field.key.as_str(),
        "label": field.label.as_str(),
        "kind": field.kind.as_str(),
        "options": field.options.as_slice(),
        "required": field.required,
        "in_booking_form": field.in_booking_form,
        "visible_to_client": field.visible_to_client,
        "sensitive": field.sensitive,
        "identifying": field.identifying,
        "position": field.position,
        "archived": field.is_archived(),
        "archived_at": field.archived_at.map(|t| t.to_string()),
        "href": format!("/api/v1/custom-fields/{}", field.id),
    })
}

/// A value as JSON, in the shape `PUT …/custom-values` takes it: text,
/// number, `YYYY-MM-DD`, boolean, option label, or list of labels.
pub fn value_json(value: &CustomValue) -> Value {
    match value {
        CustomValue::Text(text) | CustomValue::LongText(text) | CustomValue::SingleChoice(text) => json!(text),
        CustomValue::Number(number) => number_json(number),
        CustomValue::Date(date) => json!(date.to_string()),
        CustomValue::YesNo(yes) => json!(yes),
        CustomValue::MultiChoice(labels) => json!(labels),
    }
}

/// A JSON number when one carries the value exactly; otherwise (more digits
/// than a double holds) the canonical decimal text.
fn number_json(number: &Decimal) -> Value {
    let text = number.as_str();
    if let Ok(whole) = text.parse::<i64>() {
        return json!(whole);
    }
    let exact = text.parse::<f64>().ok().filter(|f| Decimal::parse(&format!("{f:e}")).as_ref() == Ok(number));
    match exact.and_then(serde_json::Number::from_f64) {
        Some(n) => Value::Number(n),
        None => json!(text),
    }
}

/// How people read a value: decimal comma, `dd-mm-aaaa`, Sí/No, options
/// joined by commas.
fn display(value: &CustomValue) -> String {
    match value {
        CustomValue::Text(text) | CustomValue::LongText(text) | CustomValue::SingleChoice(text) => text.clone(),
        CustomValue::Number(number) => number.display(),
        CustomValue::Date(date) => date.strftime("%d-%m-%Y").to_string(),
        CustomValue::YesNo(true) => "Sí".into(),
        CustomValue::YesNo(false) => "No".into(),
        CustomValue::MultiChoice(labels) => labels.join(", "),
    }
}

/// `{key: value}` of a client's values, archived fields' included: what
/// `GET /clients/{id}` shows under `custom`.
pub fn values_map(values: &[FieldValue]) -> Value {
    let map: Map<String, Value> = values.iter().map(|v| (v.field.key.to_string(), value_json(&v.value))).collect();
    Value::Object(map)
}

/// The answer of `…/custom-values`: the map, and each value with its field's
/// label and kind and a display form, in the fields' order.
pub fn values_body(values: &[FieldValue]) -> Value {
    let items: Vec<Value> = values
        .iter()
        .map(|v| {
            json!({
                "key": v.field.key.as_str(),
                "label": v.field.label.as_str(),
                "kind": v.field.kind.as_str(),
                "value": value_json(&v.value),
                "display": display(&v.value),
                "archived": v.field.is_archived(),
            })
        })
        .collect();
    json!({ "values": values_map(values), "items": items })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Value {
        number_json(&Decimal::parse(text).expect("valid"))
    }

    #[test]
    fn numbers_are_json_numbers_when_exact() {
        assert_eq!(number("34"), json!(34));
        assert_eq!(number("-3,5"), json!(-3.5));
        assert_eq!(number("0.1"), json!(0.1));
        assert_eq!(number("12345678901234567890.5"), json!("12345678901234567890.5"));
        assert_eq!(number("99999999999999999999"), json!("99999999999999999999"));
    }
}
