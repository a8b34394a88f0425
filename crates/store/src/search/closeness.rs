//! How closely a found client's data hold the query's words: what orders
//! clients that match the words equally well (same tier), before recency.
//!
//! The rule, best first:
//! 1. **Together**: one field (the name, the email, or one custom value)
//!    holds the words in the order typed and adjacent ("Ana Sot" → "Ana
//!    Soto Rivas"); then one field holds them all in another order or
//!    apart ("Ana Reyes Sotomayor"); then the words are spread over
//!    several fields.
//! 2. **Name start**: the name's first word is one the query's words match
//!    ("Soto" → "Soto Pérez, Juan" before "Juan Pérez Soto"). Only the first
//!    word counts, not how far in the match is: a Chilean name's paternal
//!    surname is its second, third or fourth word depending on how many
//!    given names it has, so "further in" means nothing more.
//! 3. **Whole value**: the words, in order, are the whole name or the whole
//!    custom value ("ana soto" → "Ana Soto" before "Ana Soto Rivas";
//!    "puente alto" → the comuna "Puente Alto").
//!
//! Custom values are read only for a phrase of two words or more (and only
//! for clients whose name and email do not already hold it): for one word,
//! a client whose name or email holds it comes before one found by a custom
//! value alone.
//!
//! A word matches a field's word it begins (the tiers have already decided
//! whole against prefix), or, for words of `TYPO_MIN_LETTERS` or more, one
//! it is one typo away from. Numbers (phones, RUTs) take no part: a query of
//! numbers only leaves every client equal here.

use ficha_domain::fold::fold;

use super::{SearchQuery, TYPO_MIN_LETTERS, Term};

/// A client's closeness to a query; smaller is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Closeness {
    together: Together,
    name_start: Start,
    whole_value: Whole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
enum Together {
    #[default]
    InOrder,
    OneField,
    Spread,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
enum Start {
    #[default]
    AtStart,
    Later,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
enum Whole {
    #[default]
    WholeValue,
    Part,
}

/// The query's words, ready to be compared with a client's fields.
#[derive(Debug, Clone)]
pub struct Phrase {
    words: Vec<String>,
}

impl Phrase {
    pub fn of(query: &SearchQuery) -> Self {
        let words = query
            .terms()
            .iter()
            .filter_map(|term| match term {
                Term::Word(word) => Some(word.clone()),
                Term::Number(_) => None,
            })
            .collect();
        Self { words }
    }

    /// Whether custom values could change a client's closeness: only a
    /// phrase of two words or more can be held by one field rather than
    /// spread over several.
    pub fn spans_fields(&self) -> bool {
        self.words.len() >= 2
    }

    /// Whether one of the name's or email's words holds the whole phrase
    /// (in any order): then no custom value can bring the client closer.
    pub fn held_by_name_or_email(&self, name_key: &str, email_key: &str) -> bool {
        [name_key, email_key].into_iter().any(|text| self.in_field(&words_of(text)) <= Together::OneField)
    }

    /// How close the client with this folded name, email key and custom
    /// values (as stored, folded here) comes to the phrase.
    pub fn closeness(&self, name_key: &str, email_key: &str, custom: &[&str]) -> Closeness {
        if self.words.is_empty() {
            return Closeness::default();
        }
        let name = words_of(name_key);
        let name_start = match name.first().is_some_and(|first| self.words.iter().any(|word| word_matches(first, word)))
        {
            true => Start::AtStart,
            false => Start::Later,
        };
        let mut together = Together::Spread;
        let mut whole_value = Whole::Part;
        let fields = std::iter::once(name).chain(std::iter::once(words_of(email_key)));
        let folded: Vec<String> = custom.iter().map(|text| fold(text)).collect();
        let custom = folded.iter().map(|text| words_of(text));
        for (i, field) in fields.chain(custom).enumerate() {
            let is_email = i == 1;
            together = together.min(self.in_field(&field));
            if !is_email && field.len() == self.words.len() && self.run_at(&field, 0) {
                whole_value = Whole::WholeValue;
            }
        }
        Closeness { together, name_start, whole_value }
    }

    fn in_field(&self, field: &[&str]) -> Together {
        if field.len() >= self.words.len() && (0..=field.len() - self.words.len()).any(|at| self.run_at(field, at)) {
            Together::InOrder
        } else if self.words.iter().all(|word| field.iter().any(|part| word_matches(part, word))) {
            Together::OneField
        } else {
            Together::Spread
        }
    }

    /// Whether the phrase's words match the field's words from `at` on, one
    /// after the other.
    fn run_at(&self, field: &[&str], at: usize) -> bool {
        self.words.iter().enumerate().all(|(j, word)| field.get(at + j).is_some_and(|part| word_matches(part, word)))
    }
}

fn words_of(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect()
}

/// Whether a query word matches a field's word: as its beginning, or, when
/// long enough, with one typo.
fn word_matches(part: &str, word: &str) -> bool {
    part.starts_with(word) || (word.chars().count() >= TYPO_MIN_LETTERS && within_one_edit(part, word))
}

/// One deletion, insertion, substitution or transposition at most, without
/// building the neighbours (this runs for every word of every candidate).
pub(crate) fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let head = short.iter().zip(long.iter()).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        let tail_equal = |from: usize| short[from..] == long[from..];
        head == short.len()
            || tail_equal(head + 1)
            || (head + 1 < short.len()
                && short[head] == long[head + 1]
                && short[head + 1] == long[head]
                && tail_equal(head + 2))
    } else {
        short[head..] == long[head + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrase(text: &str) -> Phrase {
        Phrase::of(&SearchQuery::parse(text).expect("parses"))
    }

    #[test]
    fn words_in_order_and_adjacent_come_closest() {
        let ana_sot = phrase("Ana Sot");
        let rivas = ana_sot.closeness("ana soto rivas", "a@x.cl", &[]);
        let sotomayor = ana_sot.closeness("ana reyes sotomayor", "b@x.cl", &[]);
        assert!(rivas < sotomayor, "{rivas:?} {sotomayor:?}");
        let reversed = phrase("sot ana").closeness("ana soto rivas", "a@x.cl", &[]);
        assert!(rivas < reversed, "typed order counts");
    }

    #[test]
    fn the_name_start_comes_before_a_match_further_in() {
        let soto = phrase("soto");
        assert!(soto.closeness("soto perez juan", "", &[]) < soto.closeness("juan perez soto", "", &[]));
        assert_eq!(
            soto.closeness("ana soto rivas", "", &[]),
            soto.closeness("juan perez soto", "", &[]),
            "only the first word counts"
        );
    }

    #[test]
    fn a_whole_custom_value_comes_before_words_spread_over_fields() {
        let comuna = phrase("puente alto");
        let one = comuna.closeness("rosa diaz", "r@x.cl", &["Puente Alto"]);
        let spread = comuna.closeness("rosa diaz", "r@x.cl", &["Puente", "Alto Hospicio"]);
        assert!(one < spread);
        assert!(!comuna.held_by_name_or_email("rosa diaz", "r@x.cl"));
        assert!(comuna.held_by_name_or_email("alto puente rosa", "r@x.cl"));
    }

    #[test]
    fn numbers_leave_clients_equal() {
        let number = phrase("5678");
        assert_eq!(number.closeness("soto perez", "", &[]), number.closeness("juan soto", "", &[]));
    }

    #[test]
    fn one_edit_is_told_without_listing_neighbours() {
        for (a, b, near) in [
            ("gonzalez", "gonzales", true),
            ("gonzalez", "gonzalz", true),
            ("perez", "pereez", true),
            ("soto", "osto", true),
            ("soto", "soto", true),
            ("gonzalez", "gonsales", false),
            ("soto", "sotomayor", false),
            ("ab", "ba", true),
            ("abc", "cab", false),
        ] {
            assert_eq!(within_one_edit(a, b), near, "{a} {b}");
            assert_eq!(within_one_edit(a, b), a == b || super::super::one_edit_away(b).contains(&a.to_owned()));
        }
    }
}
