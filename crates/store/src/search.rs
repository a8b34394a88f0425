//! Finding a client by anything the business knows about them: name words in
//! any order (accent- and case-insensitive, the last one as a prefix, one typo
//! forgiven in words of five letters or more), email, phone in any formatting
//! or its last digits, RUT with or without dots, dash or check digit, and
//! custom-field values.
//!
//! What is indexed and how a query is read is decided here, once; each backend
//! stores the `SearchDocument` in its own full-text index and runs the
//! `SearchPlan`'s tiers against it.

use async_trait::async_trait;
use ficha_domain::fold::fold;
use ficha_domain::{Actor, BusinessId, Client, ClientId};

use crate::error::StoreResult;

/// Longest query accepted.
pub const MAX_QUERY_CHARS: usize = 200;
/// Words of at least this many letters are also matched with one typo.
pub const TYPO_MIN_LETTERS: usize = 5;
/// Digits needed before a number is read as a phone tail or RUT prefix.
pub const MIN_NUMBER_DIGITS: usize = 4;
/// Rows read from the index per tier. Results are ranked inside this window:
/// exact when a query matches fewer clients (every real lookup), and a
/// bounded amount of work for one- or two-letter prefixes that match most of
/// a large business.
pub const TIER_WINDOW: u32 = 100;

/// Token prefixes that keep numbers apart from words in the index.
pub const PHONE_TAIL_PREFIX: &str = "pt";
pub const RUT_PREFIX: &str = "rut";
pub const TENANT_PREFIX: &str = "t";

#[async_trait]
pub trait SearchStore: Send + Sync {
    /// Clients of the actor's business matching `query`, best first:
    /// every word matched exactly, then with the last word as a prefix, then
    /// with a typo; inside each tier, the most recent booking first.
    async fn search_clients(
        &self,
        actor: &Actor,
        query: &SearchQuery,
        offset: u32,
        limit: u32,
    ) -> StoreResult<SearchPage>;

    /// The baseline search is measured against: `LIKE '%text%'` over name,
    /// email, phone and RUT, a full scan of the business's clients. Only
    /// the benchmark calls it.
    async fn scan_clients(&self, actor: &Actor, text: &str, limit: u32) -> StoreResult<Vec<ClientId>>;
}

/// One found client and what of theirs matched.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub client: Client,
    pub matched: Vec<Matched>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matched {
    Name,
    Email,
    Phone,
    Rut,
    /// A custom field's value, with the field's label.
    Custom(String),
}

#[derive(Debug, Clone)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    /// Where the next page starts, when there may be one.
    pub next_offset: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("query longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
}

/// A query as the index understands it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<Term>,
}

/// One word of a query, already folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// Letters (or letters and digits): matched as a word.
    Word(String),
    /// Only digits (and maybe a final RUT `k`), long enough to be a phone tail
    /// or a RUT prefix; also matched as a plain number.
    Number(String),
}

impl SearchQuery {
    /// Reads what a user typed. Symbols and search-engine operators carry no
    /// meaning: only letters and digits become terms, so a query of symbols
    /// alone is empty.
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        if let Some(number) = phone_or_rut(text) {
            return Ok(Self { terms: vec![Term::Number(number)] });
        }
        let folded = fold(text);
        let terms = folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                if w.len() >= MIN_NUMBER_DIGITS && w.bytes().all(|b| b.is_ascii_digit()) {
                    Term::Number(w.to_owned())
                } else {
                    Term::Word(w.to_owned())
                }
            })
            .collect();
        Ok(Self { terms })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The words that may carry a typo, each with itself and the words one
    /// edit away (to be checked against the index's vocabulary). Empty when
    /// no word is long enough.
    pub fn typo_candidates(&self) -> Vec<(usize, Vec<String>)> {
        self.terms
            .iter()
            .enumerate()
            .filter_map(|(i, term)| match term {
                Term::Word(w) if w.chars().count() >= TYPO_MIN_LETTERS && w.chars().all(|c| c.is_ascii_lowercase()) => {
                    // The word itself too: a word the index knows is not corrected.
                    let mut candidates = one_edit_away(w);
                    candidates.push(w.clone());
                    Some((i, candidates))
                }
                _ => None,
            })
            .collect()
    }
}

/// A query made only of digits and the punctuation of phones and RUTs
/// (`+56 9 1234-5678`, `12.345.678-K`) is one number: its digits, plus a
/// final `k` for a RUT.
fn phone_or_rut(text: &str) -> Option<String> {
    let text = text.trim();
    let (body, k) = match text.strip_suffix(['k', 'K']) {
        Some(body) => (body, "k"),
        None => (text, ""),
    };
    let only_number_chars = body.chars().all(|c| c.is_ascii_digit() || " +-.()".contains(c));
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    (only_number_chars && digits.len() >= MIN_NUMBER_DIGITS).then(|| format!("{digits}{k}"))
}

/// Every lower-case ASCII word one deletion, substitution, insertion or
/// transposition away from `word` (the word itself excluded).
pub fn one_edit_away(word: &str) -> Vec<String> {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
    let bytes = word.as_bytes();
    let mut out = std::collections::BTreeSet::new();
    for i in 0..=bytes.len() {
        for &letter in LETTERS {
            let mut inserted = bytes.to_vec();
            inserted.insert(i, letter);
            out.insert(inserted);
            if i < bytes.len() {
                let mut substituted = bytes.to_vec();
                substituted[i] = letter;
                out.insert(substituted);
            }
        }
        if i < bytes.len() {
            let mut deleted = bytes.to_vec();
            deleted.remove(i);
            out.insert(deleted);
        }
        if i + 1 < bytes.len() {
            let mut swapped = bytes.to_vec();
            swapped.swap(i, i + 1);
            out.insert(swapped);
        }
    }
    out.remove(bytes);
    out.into_iter().filter_map(|b| String::from_utf8(b).ok()).collect()
}

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

/// One token of a tier: matched whole, or as a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub prefix: bool,
}

impl Token {
    fn whole(text: impl Into<String>) -> Self {
        Self { text: text.into(), prefix: false }
    }

    fn prefix(text: impl Into<String>) -> Self {
        Self { text: text.into(), prefix: true }
    }
}

/// A tier is a conjunction of groups; a group matches if any of its tokens
/// does. Tokens hold only ASCII letters and digits (folded), so a backend can
/// quote them into its query syntax without escaping.
pub type Tier = Vec<Vec<Token>>;

/// The index queries of a search, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPlan {
    /// Every word whole. Asked first when the last word is a word: a
    /// complete word typed (`valenzuela`) is answered from its own list,
    /// which the index reads lazily, before its prefix expansion, which it
    /// must merge whole.
    pub whole: Option<Tier>,
    /// Every word whole but the last, which may also be a prefix. Its
    /// results split into whole matches (ranked first) and prefix matches
    /// with `SearchQuery::is_whole_match`: one index query for both tiers.
    pub broad: Tier,
    /// The long words the index does not know, widened to their known
    /// one-typo neighbours; `None` when no word needs correcting.
    pub typo: Option<Tier>,
}

impl SearchQuery {
    /// How to look this query up, given which of `typo_candidates()` the
    /// index knows. A word the index knows is taken as typed: correcting it
    /// would only add noise (and cost) to a query that already means
    /// something.
    pub fn plan(&self, known: &std::collections::HashSet<String>) -> Option<SearchPlan> {
        let terms = self.terms();
        let last = terms.len().checked_sub(1)?;
        let broad: Tier = terms.iter().enumerate().map(|(i, t)| t.group(i == last)).collect();
        let whole: Tier = terms.iter().map(|t| t.group(false)).collect();
        let whole = (whole != broad).then_some(whole);
        let mut corrected = false;
        let typo: Tier = terms
            .iter()
            .enumerate()
            .map(|(i, term)| {
                let mut group = term.group(i == last);
                if let Term::Word(word) = term
                    && word.chars().count() >= TYPO_MIN_LETTERS
                    && !known.contains(word)
                {
                    let neighbours: Vec<Token> =
                        one_edit_away(word).into_iter().filter(|n| known.contains(n)).map(Token::whole).collect();
                    corrected |= !neighbours.is_empty();
                    group.extend(neighbours);
                }
                group
            })
            .collect();
        Some(SearchPlan { whole, broad, typo: corrected.then_some(typo) })
    }

    /// For a query of three words or more (a full name being typed), the
    /// range of folded names that begin with its words in the order typed:
    /// `[start, end)`. Those clients are the answer when there are any, read
    /// from the name index; the full-text index, which would AND together the
    /// long lists of common names, is asked only when there are none.
    pub fn name_start(&self) -> Option<(String, String)> {
        let words: Vec<&str> = self
            .terms
            .iter()
            .map(|term| match term {
                Term::Word(word) => Some(word.as_str()),
                Term::Number(_) => None,
            })
            .collect::<Option<_>>()?;
        if words.len() < 3 {
            return None;
        }
        let start = words.join(" ");
        let end = format!("{start}\u{10FFFF}");
        Some((start, end))
    }

    /// Whether a client the broad query found matches the last word whole
    /// (`perez` in "Pérez") rather than as a prefix (`perez` in "Perezoso"),
    /// judged on its folded name and lower-cased email.
    pub fn is_whole_match(&self, name_key: &str, email_key: &str) -> bool {
        match self.terms.last() {
            Some(Term::Word(word)) => name_key
                .split(|c: char| !c.is_alphanumeric())
                .chain(email_key.split(|c: char| !c.is_alphanumeric()))
                .any(|part| part == word),
            _ => true,
        }
    }
}

impl Term {
    /// This term's group. A number may be a phone's last digits, a RUT's
    /// first, or a plain number (an age, a custom value).
    fn group(&self, prefix: bool) -> Vec<Token> {
        match self {
            Term::Word(word) if prefix => vec![Token::prefix(word.clone())],
            Term::Word(word) => vec![Token::whole(word.clone())],
            Term::Number(digits) if digits.ends_with('k') => vec![Token::prefix(format!("{RUT_PREFIX}{digits}"))],
            Term::Number(digits) => vec![
                Token::prefix(digits.clone()),
                Token::prefix(phone_tail_token(digits)),
                Token::prefix(format!("{RUT_PREFIX}{digits}")),
            ],
        }
    }
}

/// What a client is found by, in three columns of one index entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDocument {
    /// One token naming the business: every query requires it.
    pub tenant: String,
    /// The folded name.
    pub name: String,
    /// Email, phone tail token, RUT token, custom values: folded text.
    pub other: String,
}

impl SearchDocument {
    pub fn new(business: BusinessId, client: &Client, custom_texts: &[String]) -> Self {
        let mut other = fold(client.email.as_str());
        if let Some(phone) = &client.phone {
            other.push(' ');
            other.push_str(&phone_tail_token(phone.e164()));
        }
        if let Some(rut) = &client.rut {
            other.push(' ');
            other.push_str(&rut_token(&rut.canonical()));
        }
        for text in custom_texts {
            other.push(' ');
            other.push_str(&fold(text));
        }
        Self { tenant: tenant_token(business), name: fold(client.name.as_str()), other }
    }
}

impl SearchDocument {
    /// Every distinct token of the entry, for indexes that take lexemes.
    pub fn tokens(&self) -> Vec<String> {
        let mut tokens: Vec<String> = [&self.tenant, &self.name, &self.other]
            .into_iter()
            .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        tokens.sort();
        tokens.dedup();
        tokens
    }

    /// The name's words that a typo could be aimed at.
    pub fn typo_targets(&self) -> Vec<String> {
        self.name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= TYPO_MIN_LETTERS - 1 && w.chars().all(|c| c.is_ascii_lowercase()))
            .map(str::to_owned)
            .collect()
    }
}

pub fn tenant_token(business: BusinessId) -> String {
    format!("{TENANT_PREFIX}{}", business.as_uuid().simple())
}

/// The phone's digits reversed, so "ends with 5678" becomes the prefix
/// search "starts with 8765".
pub fn phone_tail_token(digits_or_e164: &str) -> String {
    let reversed: String = digits_or_e164.chars().filter(char::is_ascii_digit).rev().collect();
    format!("{PHONE_TAIL_PREFIX}{reversed}")
}

/// `12345678-5` → `rut123456785`: body and check digit together, so any
/// prefix of the digits, with or without the check digit, is a prefix of it.
pub fn rut_token(canonical_or_digits: &str) -> String {
    let compact: String =
        canonical_or_digits.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    format!("{RUT_PREFIX}{compact}")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn words(query: &str) -> Vec<Term> {
        SearchQuery::parse(query).expect("parses").terms().to_vec()
    }

    #[test]
    fn words_are_folded_and_split_on_anything_else() {
        assert_eq!(
            words("  Núñez-Ortúzar, MARÍA "),
            [Term::Word("nunez".into()), Term::Word("ortuzar".into()), Term::Word("maria".into())]
        );
    }

    #[test]
    fn phones_and_ruts_in_any_writing_become_one_number() {
        for (text, number) in [
            ("+56 9 1234 5678", "56912345678"),
            ("9 1234-5678", "912345678"),
            ("(+56) 912345678", "56912345678"),
            ("12.345.678-5", "123456785"),
            ("10.000.013-K", "10000013k"),
            ("5678", "5678"),
        ] {
            assert_eq!(words(text), [Term::Number(number.into())], "{text}");
        }
        assert_eq!(words("34"), [Term::Word("34".into())], "short numbers are plain words (an age)");
    }

    #[test]
    fn operators_and_symbols_carry_no_meaning() {
        assert!(
            SearchQuery::parse("\"* OR NEAR( ) -")
                .expect("parses")
                .terms()
                .iter()
                .all(|t| matches!(t, Term::Word(w) if w == "or" || w == "near"))
        );
        assert!(SearchQuery::parse("\"*()^:").expect("parses").is_empty());
        assert_eq!(SearchQuery::parse(&"a".repeat(201)), Err(QueryError::TooLong));
    }

    #[test]
    fn tail_and_rut_tokens_turn_suffixes_into_prefixes() {
        assert!(phone_tail_token("+56912345678").starts_with(&phone_tail_token("5678")));
        assert!(phone_tail_token("+56912345678").starts_with(&phone_tail_token("912345678")));
        assert!(rut_token("12345678-5").starts_with(&rut_token("12345678")));
        assert!(rut_token("12345678-5").starts_with(&rut_token("123456785")));
        assert!(rut_token("10000013-K").starts_with(&rut_token("10000013k")));
    }

    #[test]
    fn plans_correct_only_unknown_words() {
        let query = SearchQuery::parse("jose gonzales").expect("parses");
        let known = std::collections::HashSet::from(["gonzalez".to_owned(), "jose".to_owned()]);
        let plan = query.plan(&known).expect("a plan");
        assert_eq!(plan.broad, vec![vec![Token::whole("jose")], vec![Token::prefix("gonzales")]]);
        let typo = plan.typo.expect("gonzales is corrected");
        assert_eq!(typo[1], vec![Token::prefix("gonzales"), Token::whole("gonzalez")]);

        let known_word = std::collections::HashSet::from(["gonzales".to_owned(), "gonzalez".to_owned()]);
        assert_eq!(query.plan(&known_word).expect("a plan").typo, None, "a known word is taken as typed");
        assert!(SearchQuery::parse("5678").expect("parses").plan(&known).expect("a plan").typo.is_none());
    }

    #[test]
    fn full_names_are_looked_up_by_how_they_begin() {
        let (start, end) = SearchQuery::parse("María José Muñ").expect("parses").name_start().expect("3 words");
        assert_eq!(start, "maria jose mun");
        assert!("maria jose munoz perez" >= start.as_str() && "maria jose munoz perez" < end.as_str());
        assert!(SearchQuery::parse("maria jose").expect("parses").name_start().is_none());
        assert!(SearchQuery::parse("maria jose 5678").expect("parses").name_start().is_none());
    }

    #[test]
    fn whole_matches_are_told_from_prefix_matches() {
        let query = SearchQuery::parse("ana perez").expect("parses");
        assert!(query.is_whole_match("ana maria perez soto", "x@mail.cl"));
        assert!(!query.is_whole_match("ana perezoso", "x@mail.cl"));
        assert!(query.is_whole_match("ana soto", "perez@mail.cl"));
    }

    #[test]
    fn one_typo_is_one_edit() {
        let near = one_edit_away("gonzales");
        assert!(near.contains(&"gonzalez".to_owned()), "substitution");
        assert!(one_edit_away("gonzalez").contains(&"gonzalz".to_owned()), "deletion");
        assert!(one_edit_away("perez").contains(&"pereez".to_owned()), "insertion");
        assert!(
            one_edit_away("soto").contains(&"otso".to_owned()) || one_edit_away("soto").contains(&"osto".to_owned())
        );
        assert!(!near.contains(&"gonzales".to_owned()));
    }
}
