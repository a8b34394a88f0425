//! `/clients/{id}/custom-values`: a client's "Otros datos". Staff read and
//! write them; a write needs the client's ETag, like `PATCH /clients/{id}`,
//! and answers with the new one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::ETAG;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use ficha_domain::{Client, CustomField, CustomValue, FieldError, FieldKey, RawValue};
use ficha_store::FieldValue;
use serde_json::Value;

use super::view::values_body;
use crate::AppState;
use crate::api::clients::view::etag;
use crate::api::clients::{client_id, expected_version, required_if_match};
use crate::auth::Caller;
use crate::input::JsonObject;
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

/// The values with the client's ETag.
fn with_etag(client: &Client, values: &[FieldValue]) -> Response {
    let mut response = Json(values_body(values)).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag(client)) {
        response.headers_mut().insert(ETAG, value);
    }
    response
}

pub async fn read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = client_id(&id)?;
    let client = state.store.get_client(&actor, id).await?;
    let values = state.store.custom_values(&actor, id).await?;
    Ok(with_etag(&client, &values))
}

/// `{"values": {"mascota": "Firulais", "edad": 34, "comuna": null}}`: sets
/// the values named, clears those given as null (or empty text or list),
/// leaves the others as they are.
pub async fn write(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let id = client_id(&id)?;
    let if_match = required_if_match(&headers)?;
    let fields = state.store.list_fields(&actor, true).await?;
    let values = read_values(&body, &fields)?;
    let expected = expected_version(&state, &actor, id, if_match).await?;
    let saved = state.store.set_custom_values(&actor, id, expected, values).await?;
    Ok(with_etag(&saved.client, &saved.values))
}

/// Reads each value against its field, collecting every problem, each named
/// `values.<key>`.
fn read_values(body: &JsonObject, fields: &[CustomField]) -> Result<Vec<(FieldKey, Option<CustomValue>)>, ApiError> {
    let mut problems = body.check_fields(&["values"], &[]);
    let map = match body.get("values") {
        Some(Value::Object(map)) => map,
        Some(_) => {
            problems.push(FieldProblem::new("values", FieldProblemKind::NotAnObject));
            return Err(ApiError::Validation(problems));
        }
        None => {
            problems.push(FieldProblem::new("values", FieldProblemKind::Invalid(FieldError::Required)));
            return Err(ApiError::Validation(problems));
        }
    };
    let mut values = Vec::with_capacity(map.len());
    for (key, json) in map {
        let field = FieldKey::parse(key).ok().and_then(|key| fields.iter().find(|f| f.key == key));
        let Some(field) = field else {
            let kind =
                FieldProblemKind::CustomValue { label: key.clone(), error: FieldError::FieldUnknown, options: vec![] };
            problems.push(FieldProblem::new(format!("values.{key}"), kind));
            continue;
        };
        match parse(field, json) {
            Ok(value) => values.push((field.key.clone(), value)),
            Err(error) => {
                let label = field.label.to_string();
                let options = field.options.as_slice().to_vec();
                let kind = FieldProblemKind::CustomValue { label, error, options };
                problems.push(FieldProblem::new(format!("values.{key}"), kind));
            }
        }
    }
    if problems.is_empty() { Ok(values) } else { Err(ApiError::Validation(problems)) }
}

/// A JSON value read as a value of `field`.
pub(crate) fn parse(field: &CustomField, json: &Value) -> Result<Option<CustomValue>, FieldError> {
    let number;
    let raw = match json {
        Value::Null => RawValue::Empty,
        Value::String(text) => RawValue::Text(text),
        Value::Number(n) => {
            number = n.to_string();
            RawValue::Number(&number)
        }
        Value::Bool(flag) => RawValue::Bool(*flag),
        Value::Array(items) => RawValue::List(items.iter().map(Value::as_str).collect()),
        Value::Object(_) => RawValue::Other,
    };
    CustomValue::parse(field, raw)
}
