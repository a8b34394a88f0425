//! `GET /public/{slug}/services`: the services the business offers online
//! (those the site offers: marked bookable online, with someone who
//! performs them), each with its professionals.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::view::service_json;
use crate::AppState;
use crate::problem::ApiError;
use crate::site::Site;
use crate::site::pages::{bookable, performers};

pub async fn list(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Json<Value>, ApiError> {
    let site = Site::open(&state, &slug).await?;
    let services = bookable(&state, &site).await?;
    let staff = state.store.list_staff(&site.actor).await?;
    let items: Vec<Value> = services.iter().map(|s| service_json(s, &performers(s, &staff))).collect();
    Ok(Json(json!({
        "business": { "name": site.business.name, "time_zone": site.zone.iana_name() },
        "items": items,
    })))
}
