//! A search's steps, decided once for both backends: which index queries
//! run, in which order, and how their results are ranked. A backend provides
//! only the queries (`SearchSource`).

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use ficha_domain::ClientId;

use super::closeness::Phrase;
use super::{Candidate, Ranking, SearchQuery, Tier};
use crate::error::StoreResult;

/// The queries a search needs from a backend, all scoped to one business.
#[async_trait]
pub trait SearchSource: Send {
    /// Which of `words` (never empty) are words of the business's names.
    async fn known_words(&mut self, words: Vec<String>) -> StoreResult<HashSet<String>>;

    /// The business's clients among the first `TIER_WINDOW` index entries
    /// matching `tier`, in any order.
    async fn tier(&mut self, tier: &Tier) -> StoreResult<Vec<Candidate>>;

    /// Up to `TIER_WINDOW` clients whose folded name lies in `[start, end)`.
    async fn names_starting(&mut self, start: &str, end: &str) -> StoreResult<Vec<Candidate>>;

    /// The custom values of the listed clients: (client, field label,
    /// search text), in the fields' order. One query for all of them.
    async fn custom_texts(&mut self, ids: &[ClientId]) -> StoreResult<Vec<(ClientId, String, String)>>;
}

/// The clients matching `query`, best first, as far as the page at
/// `offset`/`limit` needs:
///
/// - a query of three words or more that begins names, in the order typed,
///   is answered from the name index when it finds anyone;
/// - otherwise the tiers, each asked only while the page is not full: every
///   word whole; the last word also as a prefix (whole matches of it first);
///   every word as a prefix; one typo corrected.
///
/// Inside each tier (or half of the broad one) clients are ordered by
/// `Closeness`, then by recency. The custom values are read, in one query
/// per tier, only for a query of two words or more and only for the
/// candidates whose name and email do not hold all its words. `hidden`
/// clients (blocked profiles, for a professional) are never ranked.
pub async fn rank(
    source: &mut (dyn SearchSource + '_),
    query: &SearchQuery,
    offset: u32,
    limit: u32,
    hidden: Vec<ClientId>,
) -> StoreResult<Ranking> {
    let phrase = Phrase::of(query);
    let mut ranking = Ranking::hiding(hidden);
    if let Some((start, end)) = query.name_start() {
        let found = source.names_starting(&start, &end).await?;
        add(source, &phrase, &mut ranking, found).await?;
        if !ranking.is_empty() {
            return Ok(ranking);
        }
    }

    let candidates = query.typo_candidates();
    let known = if candidates.is_empty() { HashSet::new() } else { source.known_words(candidates).await? };
    let Some(plan) = query.plan(&known) else { return Ok(ranking) };
    if let Some(whole) = &plan.whole {
        let found = source.tier(whole).await?;
        add_whole_then_prefix(source, query, &phrase, &mut ranking, found).await?;
    }
    if !ranking.covers(offset, limit) {
        let found = source.tier(&plan.broad).await?;
        add_whole_then_prefix(source, query, &phrase, &mut ranking, found).await?;
    }
    if let Some(prefixes) = plan.prefixes.filter(|_| !ranking.covers(offset, limit)) {
        let found = source.tier(&prefixes).await?;
        add(source, &phrase, &mut ranking, found).await?;
    }
    if let Some(typo) = plan.typo.filter(|_| !ranking.covers(offset, limit)) {
        let found = source.tier(&typo).await?;
        add(source, &phrase, &mut ranking, found).await?;
    }
    Ok(ranking)
}

/// The candidates matching the last word whole (`perez` in "Pérez"), then
/// those matching it only as a prefix ("Perezoso").
async fn add_whole_then_prefix(
    source: &mut (dyn SearchSource + '_),
    query: &SearchQuery,
    phrase: &Phrase,
    ranking: &mut Ranking,
    found: Vec<Candidate>,
) -> StoreResult<()> {
    let (whole, prefix): (Vec<_>, Vec<_>) =
        found.into_iter().partition(|c| query.is_whole_match(&c.name_key, &c.email_key));
    add(source, phrase, ranking, whole).await?;
    add(source, phrase, ranking, prefix).await
}

/// Ranks one group of equally matching candidates after those already
/// ranked.
async fn add(
    source: &mut (dyn SearchSource + '_),
    phrase: &Phrase,
    ranking: &mut Ranking,
    found: Vec<Candidate>,
) -> StoreResult<()> {
    let found: Vec<Candidate> = found.into_iter().filter(|c| !ranking.has(c.id)).collect();
    let mut custom: HashMap<ClientId, Vec<String>> = HashMap::new();
    if phrase.spans_fields() {
        let unsure: Vec<ClientId> =
            found.iter().filter(|c| !phrase.held_by_name_or_email(&c.name_key, &c.email_key)).map(|c| c.id).collect();
        if !unsure.is_empty() {
            for (id, _, text) in source.custom_texts(&unsure).await? {
                custom.entry(id).or_default().push(text);
            }
        }
    }
    let scored = found
        .into_iter()
        .map(|candidate| {
            let texts: Vec<&str> = custom.get(&candidate.id).into_iter().flatten().map(String::as_str).collect();
            let closeness = phrase.closeness(&candidate.name_key, &candidate.email_key, &texts);
            (candidate, closeness)
        })
        .collect();
    ranking.add_group(scored);
    Ok(())
}
