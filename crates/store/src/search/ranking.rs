//! Ordering what the tiers found, and telling what of each client matched.

use ficha_domain::fold::fold;
use ficha_domain::{Client, ClientId};

use super::{Matched, SearchHit, SearchQuery, TYPO_MIN_LETTERS, Term, one_edit_away, rut_token};

/// A client found by one tier, with what orders it inside the tier.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: ClientId,
    pub last_booking_at: Option<i64>,
    pub registered_at: i64,
}

/// The results of the tiers in rank order, without repeats.
#[derive(Debug, Default)]
pub struct Ranking {
    ranked: Vec<ClientId>,
}

impl Ranking {
    /// Appends a tier's candidates: the most recent booking first, the
    /// never-booked last, then the newest registration; clients an earlier
    /// tier already ranked keep their place.
    pub fn add_tier(&mut self, mut tier: Vec<Candidate>) {
        tier.sort_by(|a, b| b.last_booking_at.cmp(&a.last_booking_at).then(b.registered_at.cmp(&a.registered_at)));
        for candidate in tier {
            if !self.ranked.contains(&candidate.id) {
                self.ranked.push(candidate.id);
            }
        }
    }

    /// Appends the broad query's candidates: whole matches, then prefix
    /// matches, each ordered as a tier.
    pub fn add_broad(&mut self, candidates: Vec<(Candidate, bool)>) {
        let (whole, prefix): (Vec<_>, Vec<_>) = candidates.into_iter().partition(|(_, whole)| *whole);
        self.add_tier(whole.into_iter().map(|(c, _)| c).collect());
        self.add_tier(prefix.into_iter().map(|(c, _)| c).collect());
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
                    .any(|n| n.starts_with(w.as_str()) || (w.len() >= TYPO_MIN_LETTERS && one_edit(n, w)))
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

fn one_edit(a: &str, b: &str) -> bool {
    a == b || one_edit_away(b).iter().any(|candidate| candidate == a)
}
