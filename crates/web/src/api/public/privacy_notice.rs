//! `GET /public/{slug}/privacy-notice`: the notice a client must read and
//! accept to book (its version goes back in `POST bookings` as
//! `privacy_notice.version`), and whether the business asks for WhatsApp
//! consent (then `whatsapp_opt_in` is worth asking).

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use crate::AppState;
use crate::problem::ApiError;
use crate::site::Site;

pub async fn read(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Json<Value>, ApiError> {
    let site = Site::open(&state, &slug).await?;
    let notice = state.store.privacy_notice(&site.actor).await?;
    let whatsapp = state.store.notification_settings(&site.actor).await?.whatsapp.enabled;
    Ok(Json(json!({
        "version": notice.version,
        "text": notice.text,
        "default": notice.is_default,
        "whatsapp_opt_in_offered": whatsapp,
    })))
}
