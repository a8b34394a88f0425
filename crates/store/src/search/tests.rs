//! Unit tests of the shared search rules.

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
    assert!(one_edit_away("soto").contains(&"otso".to_owned()) || one_edit_away("soto").contains(&"osto".to_owned()));
    assert!(!near.contains(&"gonzales".to_owned()));
}

#[test]
fn every_word_may_be_a_prefix_in_a_tier_of_its_own() {
    let none = std::collections::HashSet::new();
    let plan = SearchQuery::parse("Lago Pedro").expect("parses").plan(&none).expect("a plan");
    assert_eq!(plan.broad, vec![vec![Token::whole("lago")], vec![Token::prefix("pedro")]]);
    assert_eq!(plan.prefixes, Some(vec![vec![Token::prefix("lago")], vec![Token::prefix("pedro")]]));
    let one_word = SearchQuery::parse("lago").expect("parses").plan(&none).expect("a plan");
    assert_eq!(one_word.prefixes, None, "one word is already a prefix in the broad tier");
    let number = SearchQuery::parse("5678").expect("parses").plan(&none).expect("a plan");
    assert_eq!(number.prefixes, None);
}
