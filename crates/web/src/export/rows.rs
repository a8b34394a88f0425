//! The export's rows, read a page at a time: the whole list by the store's
//! keyset cursor (name order, as the Clientes page opens), or the pages of
//! a search in its ranking. Each page is the clients plus their custom
//! values in one more query (`custom_values_of`), so memory holds one page
//! whatever the size of the business, and the store sees two queries per
//! `PAGE` clients.
//!
//! The list is read while others may write: a client renamed during a long
//! export can land on both sides of the cursor (twice, or not at all), as
//! in any keyset listing. What the file says is each row as it was read.

use std::collections::HashMap;
use std::sync::Arc;

use ficha_domain::{Actor, Client, ClientId};
use ficha_store::search::SearchQuery;
use ficha_store::{ClientSort, Cursor, FieldValue, ListQuery, Store, StoreResult};

use super::cells::{Cell, Columns};

/// Clients per page.
pub const PAGE: u32 = 500;

enum Next {
    List(Option<Cursor>),
    Search { query: SearchQuery, offset: u32 },
    Done,
}

pub struct Rows {
    store: Arc<dyn Store>,
    actor: Actor,
    columns: Columns,
    next: Next,
}

impl Rows {
    /// The rows of every client, or of `search`'s results.
    pub fn new(store: Arc<dyn Store>, actor: Actor, columns: Columns, search: Option<SearchQuery>) -> Self {
        let next = match search {
            Some(query) => Next::Search { query, offset: 0 },
            None => Next::List(None),
        };
        Self { store, actor, columns, next }
    }

    pub fn headers(&self) -> &[String] {
        self.columns.headers()
    }

    /// The next page's rows; `None` once every client was read.
    pub async fn next_page(&mut self) -> StoreResult<Option<Vec<Vec<Cell>>>> {
        let clients = match std::mem::replace(&mut self.next, Next::Done) {
            Next::Done => return Ok(None),
            Next::List(after) => {
                let query = ListQuery { sort: ClientSort::NameAsc, after, limit: PAGE };
                let page = self.store.list_clients(&self.actor, &query).await?;
                if let Some(cursor) = page.next {
                    self.next = Next::List(Some(cursor));
                }
                page.clients
            }
            Next::Search { query, offset } => {
                let page = self.store.search_clients(&self.actor, &query, offset, PAGE).await?;
                if let Some(offset) = page.next_offset {
                    self.next = Next::Search { query, offset };
                }
                page.hits.into_iter().map(|hit| hit.client).collect()
            }
        };
        if clients.is_empty() {
            self.next = Next::Done;
            return Ok(None);
        }
        let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
        let mut values: HashMap<ClientId, Vec<FieldValue>> = HashMap::new();
        for (client, value) in self.store.custom_values_of(&self.actor, &ids).await? {
            values.entry(client).or_default().push(value);
        }
        Ok(Some(clients.iter().map(|client| self.row(client, &values)).collect()))
    }

    fn row(&self, client: &Client, values: &HashMap<ClientId, Vec<FieldValue>>) -> Vec<Cell> {
        self.columns.row(client, values.get(&client.id).map(Vec::as_slice).unwrap_or_default())
    }
}
