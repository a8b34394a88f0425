//! A blocked profile (bloqueo) is hidden from professionals wherever they
//! look. The store hides it from the profile itself, the lists and search;
//! this layer, on every `/clients/{id}/…` route, hides what hangs from it
//! (bookings, notes, history, custom values, notifications…), so no side
//! door shows what the profile hides. Owners pass untouched, and so does
//! anything this layer cannot read (no caller, an id that does not parse):
//! the route answers that as it always does.

use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use ficha_domain::ClientId;

use crate::AppState;
use crate::auth::Caller;
use crate::problem::ApiError;

pub async fn hide_from_professionals(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let (mut parts, body) = request.into_parts();
    let client = RawPathParams::from_request_parts(&mut parts, &state).await.ok().and_then(|params| {
        params.iter().find(|(name, _)| *name == "id").and_then(|(_, id)| id.parse::<ClientId>().ok())
    });
    if let Some(client) = client
        && let Ok(caller) = Caller::from_request_parts(&mut parts, &state).await
        && !caller.0.is_owner()
    {
        // A professional reading a blocked profile's block gets NotFound.
        state.store.client_block(&caller.0, client).await?;
        // The route's own `Caller` reads this instead of the store again.
        parts.extensions.insert(caller);
    }
    Ok(next.run(Request::from_parts(parts, body)).await)
}
