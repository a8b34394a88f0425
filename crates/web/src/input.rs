//! The one door request bodies come in through. `JsonObject` checks the media
//! type, the size and the syntax, and hands handlers a JSON object whose
//! fields they read one by one, so every refusal can name its field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};

use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

#[derive(Debug)]
pub struct JsonObject(Map<String, Value>);

/// A field of an edit: absent (leave as is), null (clear) or a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit<'a> {
    Absent,
    Clear,
    Set(&'a str),
}

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok())) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|_| ApiError::PayloadTooLarge)?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(ApiError::NotAnObject),
            Err(error) => Err(ApiError::MalformedJson { line: error.line(), column: error.column() }),
        }
    }
}

/// `application/json`, with or without parameters, or any `+json` type.
fn is_json(content_type: Option<&str>) -> bool {
    let Some(essence) = content_type.and_then(|c| c.split(';').next()) else { return false };
    let essence = essence.trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Collects every field's problem while a body is read, so one answer
/// names all that is wrong.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<FieldProblem>);

impl Problems {
    /// The value, or `None` with the rule it broke noted under `field`.
    pub fn take<T>(&mut self, field: &str, result: Result<T, ficha_domain::FieldError>) -> Option<T> {
        result.map_err(|e| self.0.push(FieldProblem::new(field, FieldProblemKind::Invalid(e)))).ok()
    }

    /// The value, or `None` with its problem noted.
    pub fn read<T>(&mut self, result: Result<T, FieldProblem>) -> Option<T> {
        result.map_err(|p| self.0.push(p)).ok()
    }

    pub fn push(&mut self, field: &str, kind: FieldProblemKind) {
        self.0.push(FieldProblem::new(field, kind));
    }

    /// A present required field, or `None` with `required` noted.
    pub fn required<T>(&mut self, field: &str, value: Option<Option<T>>) -> Option<T> {
        match value {
            Some(Some(value)) => Some(value),
            Some(None) => self.take(field, Err(ficha_domain::FieldError::Required)),
            None => None,
        }
    }

    pub fn finish<T>(self, value: Option<T>) -> Result<T, ApiError> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(ApiError::Validation(self.0)),
        }
    }
}

/// A JSON number that is a whole number: `3`, and also `3.0` or `3e0`,
/// which JSON Schema's `integer` (what the OpenAPI document promises)
/// counts as integers too.
pub fn whole_number(value: &Value) -> Option<i64> {
    if let Some(n) = value.as_i64() {
        return Some(n);
    }
    let n = value.as_f64()?;
    // Exactly representable in both directions, so no rounding sneaks in.
    const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53
    (n.fract() == 0.0 && n.abs() <= LIMIT).then_some(n as i64)
}

impl JsonObject {
    /// A whole-number field that may be absent (null counts as absent).
    pub fn integer(&self, field: &str) -> Result<Option<i64>, FieldProblem> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => {
                whole_number(value).map(Some).ok_or_else(|| FieldProblem::new(field, FieldProblemKind::NotWholeNumber))
            }
        }
    }

    /// A boolean field that may be absent.
    pub fn boolean(&self, field: &str) -> Result<Option<bool>, FieldProblem> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(_) => Err(FieldProblem::new(field, FieldProblemKind::NotBoolean)),
        }
    }

    /// Refuses fields the system maintains and fields the resource does not
    /// have, each with its own message.
    pub fn check_fields(
        &self,
        writable: &'static [&'static str],
        read_only: &'static [&'static str],
    ) -> Vec<FieldProblem> {
        self.0
            .keys()
            .filter(|key| !writable.contains(&key.as_str()))
            .map(|key| {
                let kind = if read_only.contains(&key.as_str()) {
                    FieldProblemKind::ReadOnly
                } else {
                    FieldProblemKind::Unknown { allowed: writable }
                };
                FieldProblem::new(key.as_str(), kind)
            })
            .collect()
    }

    /// A text field that may also be null or absent.
    pub fn edit(&self, field: &str) -> Result<Edit<'_>, FieldProblem> {
        match self.0.get(field) {
            None => Ok(Edit::Absent),
            Some(Value::Null) => Ok(Edit::Clear),
            Some(Value::String(text)) => Ok(Edit::Set(text)),
            Some(_) => Err(FieldProblem::new(field, FieldProblemKind::NotText { nullable: true })),
        }
    }

    /// A field holding a JSON object, read like a body of its own; absent or
    /// null is `None`.
    pub fn object(&self, field: &str) -> Result<Option<JsonObject>, FieldProblem> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Self(map.clone()))),
            Some(_) => Err(FieldProblem::new(field, FieldProblemKind::NotAnObject)),
        }
    }

    /// The names of the fields sent, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// A field as sent, of any JSON type, for readers of non-text fields.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.0.get(field)
    }

    /// A text field that must be present, or `None` when absent.
    pub fn text(&self, field: &str) -> Result<Option<&str>, FieldProblem> {
        match self.0.get(field) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(FieldProblem::new(field, FieldProblemKind::NotText { nullable: false })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn json_media_types() {
        assert!(is_json(Some("application/json")));
        assert!(is_json(Some("application/json; charset=utf-8")));
        assert!(is_json(Some("Application/Merge-Patch+JSON")));
        assert!(!is_json(Some("text/plain")));
        assert!(!is_json(Some("application/x-www-form-urlencoded")));
        assert!(!is_json(None));
    }
}
