//! Reading what a user typed into terms the index understands.

use ficha_domain::fold::fold;

use super::{MAX_QUERY_CHARS, MIN_NUMBER_DIGITS, QueryError, TYPO_MIN_LETTERS};

/// A query as the index understands it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub(super) terms: Vec<Term>,
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

    /// The words to look up in the index's vocabulary before correcting
    /// typos: each long word itself (a word the index knows is not
    /// corrected) and every word one edit away from it. Empty when no word is
    /// long enough.
    pub fn typo_candidates(&self) -> Vec<String> {
        self.terms
            .iter()
            .filter_map(|term| match term {
                Term::Word(w) if w.chars().count() >= TYPO_MIN_LETTERS && w.chars().all(|c| c.is_ascii_lowercase()) => {
                    let mut candidates = one_edit_away(w);
                    candidates.push(w.clone());
                    Some(candidates)
                }
                _ => None,
            })
            .flatten()
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
