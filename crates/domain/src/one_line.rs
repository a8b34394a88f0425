//! The rule for short, one-line texts people type: names, labels.

use unicode_normalization::UnicodeNormalization;

use crate::field_error::FieldError;

/// Trims, collapses inner whitespace, normalises to NFC (so "ñ" typed two
/// ways is one letter) and refuses control characters (tabs and line breaks
/// too, the Unicode line and paragraph separators included: it is one line),
/// invisible format characters (see `invisible`) and empty or over-long texts.
pub fn one_line(text: &str, max_chars: usize) -> Result<String, FieldError> {
    // Checked before trimming: a trailing form feed or NEL is whitespace to
    // `trim`, and would otherwise slip through where the API says it is refused.
    if text.chars().any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')) {
        return Err(FieldError::ControlCharacters);
    }
    let trimmed = text.trim();
    if has_stray_invisible(trimmed) {
        return Err(FieldError::InvisibleCharacters);
    }
    let collapsed: String = trimmed.split_whitespace().collect::<Vec<_>>().join(" ").nfc().collect();
    match collapsed.chars().count() {
        0 => Err(FieldError::Required),
        n if n > max_chars => Err(FieldError::TooLong { max: max_chars }),
        _ => Ok(collapsed),
    }
}

/// Characters that print nothing, or that reorder what prints around them:
/// Unicode's format characters (category Cf) people meet in pasted text —
/// the soft hyphen, zero-width space and joiners, direction marks,
/// embeddings, overrides and isolates, word joiner and invisible operators,
/// the byte-order mark, interlinear annotations and tag characters — and the
/// Hangul fillers, which are letters that draw as blanks. A name made of
/// them looks empty in a list; one with a right-to-left override shows
/// other letters than it holds.
pub fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// Whether `text` holds an invisible character that no script needs there.
/// The zero-width joiner and non-joiner (U+200D, U+200C) shape letters in
/// Persian, Indic and other scripts, always between two letters (a combining
/// mark counts with its letter); anywhere else they only hide something.
fn has_stray_invisible(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| match c {
        '\u{200C}' | '\u{200D}' => {
            let before = chars[..i].iter().rev().find(|c| !is_combining(**c));
            let after = chars.get(i + 1);
            !(before.is_some_and(|c| c.is_alphabetic()) && after.is_some_and(|c| c.is_alphabetic()))
        }
        c => invisible(c),
    })
}

/// Combining marks that follow a letter (the common blocks: Latin accents,
/// and the vowel signs of the scripts that use joiners).
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{064B}'..='\u{065F}' | '\u{0900}'..='\u{0903}' | '\u{093A}'..='\u{094F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_only_invisible_characters_are_refused() {
        for text in ["\u{200B}", "\u{200D}", "\u{FEFF}", "\u{200B}\u{200B} \u{FEFF}", "\u{3164}"] {
            assert_eq!(one_line(text, 120), Err(FieldError::InvisibleCharacters), "{text:?}");
        }
    }

    #[test]
    fn direction_overrides_and_isolates_are_refused() {
        for text in ["Ana \u{202E}zereP", "Ana\u{2066}Pérez\u{2069}", "\u{200F}Ana", "Ana\u{200B}Pérez"] {
            assert_eq!(one_line(text, 120), Err(FieldError::InvisibleCharacters), "{text:?}");
        }
    }

    #[test]
    fn line_and_paragraph_separators_are_line_breaks() {
        assert_eq!(one_line("Ana\u{2028}Pérez", 120), Err(FieldError::ControlCharacters));
        assert_eq!(one_line("Ana\u{2029}Pérez", 120), Err(FieldError::ControlCharacters));
        // At either end too, where `trim` would have dropped them.
        assert_eq!(one_line("Ana Pérez\n", 120), Err(FieldError::ControlCharacters));
        assert_eq!(one_line("\u{c}Ana", 120), Err(FieldError::ControlCharacters));
    }

    #[test]
    fn joiners_stay_between_letters_where_scripts_need_them() {
        // Persian "می‌خواهم" with a zero-width non-joiner; Devanagari with a ZWJ.
        assert!(one_line("می\u{200C}خواهم", 120).is_ok());
        assert!(one_line("क्\u{200D}ष", 120).is_ok());
        assert_eq!(one_line("Ana\u{200D}", 120), Err(FieldError::InvisibleCharacters));
        assert_eq!(one_line("\u{200C}Ana", 120), Err(FieldError::InvisibleCharacters));
        assert_eq!(one_line("Ana \u{200D} Pérez", 120), Err(FieldError::InvisibleCharacters));
    }

    #[test]
    fn ordinary_names_are_untouched() {
        assert_eq!(one_line("  José   Ñúñez-O'Higgins ", 120), Ok("José Ñúñez-O'Higgins".into()));
    }
}
