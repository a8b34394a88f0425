//! Finding a client by anything the business knows about them.

use async_trait::async_trait;

#[async_trait]
pub trait SearchStore: Send + Sync {}

/// One found client and what of theirs matched.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub client: ficha_domain::Client,
}

#[derive(Debug, Clone)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
}
