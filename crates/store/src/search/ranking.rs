//! Ordering what the tiers found, and telling what of each client matched.

use ficha_domain::fold::fold;
use ficha_domain::{Client, ClientId};

use super::closeness::{Closeness, within_one_edit};
use super::{Matched, SearchHit, SearchQuery, TYPO_MIN_LETTERS, Term, rut_token};

/// A client found by one tier, with what orders it inside the tier.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: ClientId,
    pub last_booking_at: Option<i64>,
    pub registered_at: i64,
    /// The folded name (`clients.name_key`) and the lower-cased email
    /// (`clients.email_key`), to tell how closely they hold the query.
    pub name_key: String,
    pub email_key: String,
}

/// The results of the tiers in rank order, without repeats.
#[derive(Debug, Default)]
pub struct Ranking {
    ranked: Vec<ClientId>,
    seen: std::collections::HashSet<ClientId>,
}

impl Ranking {
    /// An empty ranking that never takes `hidden` (the blocked profiles a
    /// professional must not find): hiding them here, before the page is
    /// cut, keeps every page as full as its limit.
    pub fn hiding(hidden: impl IntoIterator<Item = ClientId>) -> Self {
        Self { ranked: Vec::new(), seen: hidden.into_iter().collect() }
    }

    /// Appends a group of candidates that match the query equally well (one
    /// tier, or one half of the broad tier): the closest first
    /// (`Closeness`), then the most recent booking, the never-booked last,
    /// then the newest registration. Clients an earlier group already ranked
    /// keep their place.
    pub fn add_group(&mut self, mut group: Vec<(Candidate, Closeness)>) {
        group.sort_by(|(a, a_close), (b, b_close)| {
            a_close
                .cmp(b_close)
                .then(b.last_booking_at.cmp(&a.last_booking_at))
                .then(b.registered_at.cmp(&a.registered_at))
        });
        for (candidate, _) in group {
            if self.seen.insert(candidate.id) {
                self.ranked.push(candidate.id);
            }
        }
    }

    /// Whether an earlier group already ranked this client.
    pub fn has(&self, id: ClientId) -> bool {
        self.seen.contains(&id)
    }

    pub fn is_empty(&self) -> bool {
        self.ranked.is_empty()
    }

    /// Whether the page asked for is already filled by better tiers.
    pub fn covers(&self, offset: u32, limit: u32) -> bool {
        self.ranked.len() >= (offset + limit) as usize
    }

    /// The ids of one page, and where the next starts if there is more.
    pub fn page(&self, offset: u32, limit: u32) -> (&[ClientId], Option<u32>) {
        let start = (offset as usize).min(self.ranked.len());
        let end = (start + limit as usize).min(self.ranked.len());
        (&self.ranked[start..end], (end < self.ranked.len()).then_some(end as u32))
    }
}

/// The page's hits in rank order, from the clients and custom values a
/// backend read for `ids` in any order.
pub fn assemble(
    query: &SearchQuery,
    ids: &[ClientId],
    clients: Vec<Client>,
    custom: &[(ClientId, String, String)],
) -> Vec<SearchHit> {
    let mut by_id: std::collections::HashMap<ClientId, Client> = clients.into_iter().map(|c| (c.id, c)).collect();
    ids.iter()
        .filter_map(|id| by_id.remove(id))
        .map(|client| {
            let theirs: Vec<(String, String)> = custom
                .iter()
                .filter(|(owner, _, _)| *owner == client.id)
                .map(|(_, label, text)| (label.clone(), text.clone()))
                .collect();
            SearchHit { matched: explain(query, &client, &theirs), client }
        })
        .collect()
}

/// Which of the client's data the query's terms touch, for showing "found by
/// phone" next to a result.
pub fn explain(query: &SearchQuery, client: &Client, custom: &[(String, String)]) -> Vec<Matched> {
    let name_words: Vec<String> =
        fold(client.name.as_str()).split(|c: char| !c.is_alphanumeric()).map(str::to_owned).collect();
    let email = fold(client.email.as_str());
    let mut matched = Vec::new();
    let mut push = |m: Matched| {
        if !matched.contains(&m) {
            matched.push(m);
        }
    };
    for term in query.terms() {
        match term {
            Term::Word(w) => {
                if name_words
                    .iter()
                    .any(|n| n.starts_with(w.as_str()) || (w.len() >= TYPO_MIN_LETTERS && within_one_edit(n, w)))
                {
                    push(Matched::Name);
                }
                if email.split(|c: char| !c.is_alphanumeric()).any(|part| part.starts_with(w.as_str())) {
                    push(Matched::Email);
                }
                for (label, text) in custom {
                    if fold(text).split(|c: char| !c.is_alphanumeric()).any(|part| part.starts_with(w.as_str())) {
                        push(Matched::Custom(label.clone()));
                    }
                }
            }
            Term::Number(digits) => {
                if client.phone.as_ref().is_some_and(|p| p.e164().ends_with(digits.as_str())) {
                    push(Matched::Phone);
                }
                if client.rut.is_some_and(|r| rut_token(&r.canonical()).starts_with(&rut_token(digits))) {
                    push(Matched::Rut);
                }
                for (label, text) in custom {
                    if fold(text).split(|c: char| !c.is_alphanumeric()).any(|part| part.starts_with(digits.as_str())) {
                        push(Matched::Custom(label.clone()));
                    }
                }
            }
        }
    }
    matched
}
