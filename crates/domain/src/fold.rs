//! Folding text for comparison: lower case, no diacritics, single spaces.
//! "  Núñez-Ortúzar  " and "nunez-ortuzar" fold to the same key, so sorting and
//! matching treat them alike while the stored value keeps what was typed.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-cases, strips combining marks (accents, tildes, diaereses) and
/// collapses runs of whitespace into one space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// A name's key for sorting and for "begins with" lookups: folded, with
/// hyphens, apostrophes and other separators read as spaces, so
/// "Núñez-Ortúzar" and "nunez ortuzar" have one key.
pub fn name_key(name: &str) -> String {
    let spaced: String = fold(name).chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::{fold, name_key};

    #[test]
    fn name_keys_read_separators_as_spaces() {
        assert_eq!(name_key("Ignacio Núñez-Ortúzar"), "ignacio nunez ortuzar");
        assert_eq!(name_key("Bernardo O'Higgins"), "bernardo o higgins");
        assert_eq!(name_key(" Ana  de la Fuente "), "ana de la fuente");
    }

    #[test]
    fn strips_accents_and_case() {
        assert_eq!(fold("Muñoz"), "munoz");
        assert_eq!(fold("JOSÉ Ñúñez-Ortúzar"), "jose nunez-ortuzar");
        assert_eq!(fold("Ünal  Çelik"), "unal celik");
    }

    #[test]
    fn collapses_and_trims_whitespace() {
        assert_eq!(fold("  Ana \t María  "), "ana maria");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn composed_and_decomposed_forms_fold_alike() {
        assert_eq!(fold("Mu\u{00F1}oz"), fold("Mun\u{0303}oz"));
    }
}
