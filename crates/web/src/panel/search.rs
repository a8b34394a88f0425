//! `/buscar?q=`: the header box's results while typing, as an HTML fragment
//! the panel's script places under the box (escaped here, by the template).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use ficha_store::search::SearchQuery;
use serde::Deserialize;

use super::clients::{ClientRow, matched_words};
use super::error::{PanelError, page};
use super::format::query;
use super::session::Staffer;
use crate::AppState;

/// Results shown under the box; the rest are one click away.
const SHOWN: u32 = 8;

#[derive(Template)]
#[template(path = "panel/search_results.html")]
struct SearchResults {
    rows: Vec<ClientRow>,
    all_href: String,
    more: bool,
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
}

pub async fn results(
    State(state): State<AppState>,
    staffer: Staffer,
    Query(params): Query<SearchParams>,
) -> Result<Response, PanelError> {
    let q = params.q.trim();
    let search = SearchQuery::parse(q).map_err(|_| PanelError::BadRequest("La búsqueda es demasiado larga."))?;
    let zone = staffer.zone();
    let (rows, more) = if q.is_empty() {
        (Vec::new(), false)
    } else {
        let found = state.store.search_clients(&staffer.actor, &search, 0, SHOWN).await?;
        let rows = found
            .hits
            .iter()
            .map(|hit| ClientRow { matched: matched_words(&hit.matched), ..ClientRow::new(&hit.client, &zone) })
            .collect();
        (rows, found.next_offset.is_some())
    };
    page(&SearchResults { rows, all_href: format!("/clientes{}", query(&[("q", q)])), more })
}
