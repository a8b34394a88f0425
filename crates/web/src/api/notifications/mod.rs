//! `/notifications`: the messages the business sent (or will send) to its
//! clients, newest first, and sending a failed one again;
//! `/clients/{id}/notifications` and `/clients/{id}/notification-preferences`:
//! one client's messages and what it chose to receive; and
//! `/settings/notifications`: sender name, reminder lead time and the
//! WhatsApp Business channel, for owners (like every setting, and the
//! store holds the access token in them).

pub mod input;
pub mod view;

use axum::Json;
use axum::extract::{Path, Query, State};
use ficha_domain::MessageId;
use serde_json::Value;

use super::clients::client_id;
use super::professionals::business_zone;
use crate::AppState;
use crate::auth::{Caller, Owner};
use crate::input::JsonObject;
use crate::problem::ApiError;
use view::{message_json, page_json, preferences_json, settings_json};

/// Ids that do not parse name no message: 404, like an unknown id.
fn message_id(text: &str) -> Result<MessageId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound)
}

/// `?status=&client_id=&limit=&cursor=`.
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let query = input::message_query(&params, input::LIST_PARAMETERS)?;
    let page = state.store.messages(&actor, &query).await?;
    Ok(Json(page_json(&page, &business_zone(&state, &actor).await?)))
}

pub async fn read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let message = state.store.message(&actor, message_id(&id)?).await?;
    Ok(Json(message_json(&message, &business_zone(&state, &actor).await?)))
}

/// A failed message goes out again (same id); any other is 409
/// `not_resendable`.
pub async fn resend(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    input::nothing(&body)?;
    let message = state.store.resend(&actor, message_id(&id)?).await?;
    Ok(Json(message_json(&message, &business_zone(&state, &actor).await?)))
}

/// `?status=&limit=&cursor=` for one client.
pub async fn of_client(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let client = client_id(&id)?;
    let mut query = input::message_query(&params, input::CLIENT_PARAMETERS)?;
    query.client = Some(client);
    // An unknown client is 404, not an empty list. Independent reads, asked
    // at once.
    let (_, page, zone) = tokio::try_join!(
        async { state.store.get_client(&actor, client).await.map_err(ApiError::from) },
        async { state.store.messages(&actor, &query).await.map_err(ApiError::from) },
        business_zone(&state, &actor),
    )?;
    Ok(Json(page_json(&page, &zone)))
}

pub async fn preferences(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let preferences = state.store.client_preferences(&actor, client_id(&id)?).await?;
    Ok(Json(preferences_json(&preferences)))
}

/// `{"whatsapp": bool, "reminders": bool}`; recorded in the client's
/// history, and pending messages it no longer wants are cancelled.
pub async fn set_preferences(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let client = client_id(&id)?;
    let preferences = input::preferences(&body)?;
    let saved =
        state.store.set_client_preferences(&actor, client, preferences, ficha_domain::ChoiceSource::Api).await?;
    Ok(Json(preferences_json(&saved)))
}

pub async fn settings(State(state): State<AppState>, Owner(actor): Owner) -> Result<Json<Value>, ApiError> {
    Ok(Json(settings_json(&state.store.notification_settings(&actor).await?)))
}

/// Owners: replaces the settings; the access token stays unless another
/// (or null, to forget it) is sent.
pub async fn set_settings(
    State(state): State<AppState>,
    Owner(actor): Owner,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let stored = state.store.notification_settings(&actor).await?;
    let settings = input::settings(&body, &stored)?;
    let saved = state.store.set_notification_settings(&actor, settings).await?;
    Ok(Json(settings_json(&saved)))
}
