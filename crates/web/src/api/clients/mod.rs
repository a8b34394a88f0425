//! `/clients`: the client registry's general data.

pub mod block;
pub mod data_file;
pub mod duplicates;
pub mod export;
mod input;
mod listing;
pub mod vcard;
pub mod view;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{ETAG, IF_MATCH, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ficha_domain::{AccessKind, Actor, Client, ClientId};
use ficha_store::{FieldValue, StoreError};
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::AppState;
use crate::auth::Caller;
use crate::input::JsonObject;
use crate::problem::ApiError;

pub use listing::list;
use view::{client_with_custom_json, etag};

/// A client and its custom values with its ETag, as every single-client
/// answer goes out.
/// An owner's answer also says the profile is open: a write that went
/// through was not refused as blocked (`read` asks the store instead).
fn with_etag(status: StatusCode, actor: &Actor, client: &Client, values: &[FieldValue]) -> Response {
    let mut json = client_with_custom_json(client, values);
    if actor.is_owner()
        && let (Some(target), serde_json::Value::Object(open)) = (json.as_object_mut(), block::block_json(None))
    {
        target.extend(open);
    }
    let mut response = (status, Json(json)).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag(client)) {
        response.headers_mut().insert(ETAG, value);
    }
    response
}

/// Ids that do not parse name no client: 404, like an unknown id.
pub(crate) fn client_id(text: &str) -> Result<ClientId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound)
}

/// Today in the business's time zone: a birth date may be today, not later.
pub(crate) async fn business_today(state: &AppState, actor: &Actor) -> Result<Date, ApiError> {
    let business = state.store.business(actor).await?;
    let zone = TimeZone::get(&business.time_zone).unwrap_or(TimeZone::UTC);
    Ok(state.clock.now().to_zoned(zone).date())
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let new = input::new_client(&body, business_today(&state, &actor).await?)?;
    let client = state.store.create_client(&actor, new).await?;
    // A new client has no custom values yet.
    let mut response = with_etag(StatusCode::CREATED, &actor, &client, &[]);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/clients/{}", client.id)) {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

pub async fn read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = client_id(&id)?;
    // The access log's entry is written alongside the reads, not after them.
    let read = tokio::try_join!(
        state.store.get_client(&actor, id),
        state.store.custom_values(&actor, id),
        state.store.record_access(&actor, id, AccessKind::Profile),
    );
    let (client, values, ()) = match read {
        // A profile merged into another leads there; which of the three
        // reads failed first is a race, so the profile is asked again.
        Err(StoreError::NotFound | StoreError::Merged { .. }) => {
            return Err(match state.store.get_client(&actor, id).await {
                Err(StoreError::Merged { into }) => ApiError::Merged { into },
                _ => ApiError::NotFound,
            });
        }
        other => other?,
    };
    let json = block::with_block(&state, &actor, id, client_with_custom_json(&client, &values)).await?;
    let mut response = Json(json).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag(&client)) {
        response.headers_mut().insert(ETAG, value);
    }
    Ok(response)
}

/// Partial update. Requires `If-Match` with the ETag the editor read, so two
/// people editing one profile never silently overwrite each other.
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let id = client_id(&id)?;
    let if_match = required_if_match(&headers)?;
    let changes = input::client_changes(&body, business_today(&state, &actor).await?)?;
    let expected = expected_version(&state, &actor, id, if_match).await?;
    let client = state.store.update_client(&actor, id, expected, changes).await?;
    let values = state.store.custom_values(&actor, id).await?;
    Ok(with_etag(StatusCode::OK, &actor, &client, &values))
}

/// An edit must say which version it was made on: `If-Match` missing is 428.
pub(crate) fn required_if_match(headers: &HeaderMap) -> Result<&HeaderValue, ApiError> {
    headers.get(IF_MATCH).ok_or(ApiError::PreconditionRequired)
}

/// The version `If-Match` names. `*` matches whatever version is current
/// (RFC 9110 §13.1.1: the client exists), so it is the current one. An
/// entity tag we never issued cannot match the current one: 412, with the
/// client as stored.
pub(crate) async fn expected_version(
    state: &AppState,
    actor: &Actor,
    id: ClientId,
    if_match: &HeaderValue,
) -> Result<i64, ApiError> {
    if if_match.to_str().is_ok_and(|text| text.trim() == "*") {
        return Ok(state.store.get_client(actor, id).await?.version);
    }
    match parse_version(if_match) {
        Some(version) => Ok(version),
        None => Err(ApiError::Stale { current: Box::new(state.store.get_client(actor, id).await?) }),
    }
}

/// `"3"` (or the weak `W/"3"`) → 3.
fn parse_version(header: &HeaderValue) -> Option<i64> {
    let text = header.to_str().ok()?.trim();
    let text = text.strip_prefix("W/").unwrap_or(text);
    text.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_client(&actor, client_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_come_from_entity_tags() {
        let parse = |s: &str| parse_version(&HeaderValue::from_str(s).expect("header"));
        assert_eq!(parse("\"3\""), Some(3));
        assert_eq!(parse("W/\"12\""), Some(12));
        assert_eq!(parse("3"), None);
        assert_eq!(parse("\"abc\""), None);
        assert_eq!(parse("*"), None);
    }
}
