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

#[cfg(test)]
mod tests {
    use super::fold;

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
