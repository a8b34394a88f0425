//! The index queries of a search: tiers of token groups a backend renders in
//! its own syntax.

use super::{RUT_PREFIX, SearchQuery, TYPO_MIN_LETTERS, Term, one_edit_away, phone_tail_token};

/// One token of a tier: matched whole, or as a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub prefix: bool,
}

impl Token {
    pub(crate) fn whole(text: impl Into<String>) -> Self {
        Self { text: text.into(), prefix: false }
    }

    pub(crate) fn prefix(text: impl Into<String>) -> Self {
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
    /// Every word as a prefix (`Lagos Pedro` finds "Pedro Lagomarsino"),
    /// asked while the tiers above have not filled the page; `None` for a
    /// query of one term, where it is `broad` itself.
    pub prefixes: Option<Tier>,
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
        let prefixes: Tier = terms.iter().map(|t| t.group(true)).collect();
        let prefixes = (prefixes != broad).then_some(prefixes);
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
        Some(SearchPlan { whole, broad, prefixes, typo: corrected.then_some(typo) })
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
