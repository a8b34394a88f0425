//! `GET /clients/{id}/vcard`: the client as a vCard 4.0 file for a phone's
//! contacts (`crate::export::vcard`): name, email, phone, birthday. Any
//! staff member; a blocked profile is 404 for professionals, like every
//! `/clients/{id}/…` route (`api/blocked.rs`, and the store's `get_client`).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::Response;

use super::client_id;
use crate::AppState;
use crate::auth::Caller;
use crate::export::{attachment, vcard};
use crate::problem::ApiError;

pub async fn read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let client = state.store.get_client(&actor, client_id(&id)?).await?;
    Ok(response(&client))
}

/// The vCard download, shared with the panel's "Descargar vCard".
pub fn response(client: &ficha_domain::Client) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", vcard::file_name(client));
    attachment(Body::from(vcard::vcard(client)), vcard::CONTENT_TYPE, &disposition)
}
