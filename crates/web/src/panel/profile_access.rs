//! The profile page's entry in the access log, and its "Accesos" section
//! (owners only): who read this client's data, newest first, a page at a
//! time (`?accesos=` a cursor), with the CSV download of the whole log.
//!
//! The page writes ONE entry, `Profile`, whoever looks: it covers every
//! section the page shows, "Accesos" included (the store writes it with
//! the read of the log's page, in the same call).

use ficha_domain::{AccessKind, ClientId};
use ficha_store::{HistoryCursor, HistoryQuery};

use super::access_words::AccessRow;
use super::error::PanelError;
use super::format::query;
use super::session::Staffer;
use crate::AppState;

const PAGE_SIZE: u32 = 10;

pub struct AccessSection {
    pub rows: Vec<AccessRow>,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
    pub csv_href: String,
}

impl AccessSection {
    /// Records the page's read and, for an owner, reads the section.
    pub async fn record_and_load(
        state: &AppState,
        staffer: &Staffer,
        client: ClientId,
        from: &str,
    ) -> Result<Option<Self>, PanelError> {
        if !state.access_log {
            return Ok(None);
        }
        if !staffer.is_owner() {
            state.store.record_access(&staffer.actor, client, AccessKind::Profile).await?;
            return Ok(None);
        }
        let after = HistoryCursor::decode(from);
        let first_page = after.is_none();
        let page = state
            .store
            .access_log(&staffer.actor, client, &HistoryQuery { after, limit: PAGE_SIZE }, AccessKind::Profile)
            .await?;
        let zone = staffer.zone();
        let base = format!("/clientes/{client}");
        Ok(Some(Self {
            rows: page.entries.iter().map(|entry| AccessRow::new(entry, &zone)).collect(),
            next_href: page.next.map(|next| format!("{base}{}#accesos", query(&[("accesos", next.encode().as_str())]))),
            first_href: (!first_page).then(|| format!("{base}#accesos")),
            csv_href: format!("/api/v1/clients/{client}/access-log?format=csv"),
        }))
    }
}
