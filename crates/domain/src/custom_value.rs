//! A client's value of one custom field, valid for that field's kind: a
//! number field refuses `abc`, a choice refuses what is not one of its
//! options, a required field cannot be emptied.

use jiff::civil::Date;
use unicode_normalization::UnicodeNormalization;

use crate::birth_date::parse_date;
use crate::custom_field::{ChoiceOptions, CustomField, FieldKind};
use crate::decimal::Decimal;
use crate::field_error::FieldError;
use crate::fold::fold;

pub const MAX_TEXT_CHARS: usize = 200;
pub const MAX_LONG_TEXT_CHARS: usize = 5000;

/// A value as it arrives, before it is read as any kind: what a JSON body (or
/// a form, or a spreadsheet cell) can hold. The web layer converts to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawValue<'a> {
    /// `null`: no value.
    Empty,
    Text(&'a str),
    /// A JSON number, as its text (`34`, `3.5`, `1e20`).
    Number(&'a str),
    Bool(bool),
    /// A list; `None` stands for an item that is not text.
    List(Vec<Option<&'a str>>),
    /// Anything else (a JSON object).
    Other,
}

impl RawValue<'_> {
    /// Null, blank text and the empty list all mean "no value".
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Empty => true,
            Self::Text(text) => text.trim().is_empty(),
            Self::List(items) => items.is_empty(),
            Self::Number(_) | Self::Bool(_) | Self::Other => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomValue {
    /// One line, trimmed.
    Text(String),
    /// Line breaks (as `\n`) and tabs kept, trimmed at both ends.
    LongText(String),
    Number(Decimal),
    Date(Date),
    YesNo(bool),
    /// The option's own label, whatever the case or accents typed.
    SingleChoice(String),
    /// Options' labels, in the order the field lists them.
    MultiChoice(Vec<String>),
}

impl CustomValue {
    /// Reads `raw` as a new value of `field`. `Ok(None)` is "no value",
    /// which a required field refuses; an archived field refuses any new
    /// value; a new date must be between 1900 and 2100, like every date
    /// people type (values stored before that rule still read back).
    pub fn parse(field: &CustomField, raw: RawValue<'_>) -> Result<Option<Self>, FieldError> {
        if raw.is_empty() {
            return field.check_empty().map(|()| None);
        }
        if field.is_archived() {
            return Err(FieldError::FieldArchived);
        }
        match Self::read(field, raw)? {
            Self::Date(date) => crate::dates::in_range(date).map(|date| Some(Self::Date(date))),
            value => Ok(Some(value)),
        }
    }

    /// Reads a non-empty `raw` as a value of `field`'s kind, without the
    /// rules of the field's state (required, archived): also how stored
    /// values are read back.
    pub fn read(field: &CustomField, raw: RawValue<'_>) -> Result<Self, FieldError> {
        let mismatch = field.kind.mismatch();
        match (field.kind, raw) {
            (FieldKind::Text, RawValue::Text(text) | RawValue::Number(text)) => text_value(text, false).map(Self::Text),
            (FieldKind::LongText, RawValue::Text(text) | RawValue::Number(text)) => {
                text_value(text, true).map(Self::LongText)
            }
            (FieldKind::Number, RawValue::Text(text) | RawValue::Number(text)) => {
                Decimal::parse(text).map(Self::Number)
            }
            (FieldKind::Date, RawValue::Text(text)) => parse_date(text.trim()).map(Self::Date).ok_or(mismatch),
            (FieldKind::YesNo, RawValue::Bool(yes)) => Ok(Self::YesNo(yes)),
            (FieldKind::YesNo, RawValue::Text(text)) => match fold(text).as_str() {
                "si" | "true" => Ok(Self::YesNo(true)),
                "no" | "false" => Ok(Self::YesNo(false)),
                _ => Err(mismatch),
            },
            (FieldKind::SingleChoice, RawValue::Text(text) | RawValue::Number(text)) => {
                field.options.find(text).map(|o| Self::SingleChoice(o.to_owned())).ok_or(mismatch)
            }
            (FieldKind::MultiChoice, RawValue::Text(text) | RawValue::Number(text)) => {
                choose(&field.options, &[Some(text)]).map(Self::MultiChoice)
            }
            (FieldKind::MultiChoice, RawValue::List(items)) => choose(&field.options, &items).map(Self::MultiChoice),
            _ => Err(mismatch),
        }
    }

    /// Checks a value read earlier against `field` as it is now (its options
    /// may have changed, it may have been archived meanwhile); the store
    /// calls this inside the transaction that saves the value.
    pub fn conform(self, field: &CustomField) -> Result<Self, FieldError> {
        if field.is_archived() {
            return Err(FieldError::FieldArchived);
        }
        if self.kind() != field.kind {
            return Err(field.kind.mismatch());
        }
        match self {
            Self::SingleChoice(label) => Self::read(field, RawValue::Text(&label)),
            Self::MultiChoice(labels) => {
                let items: Vec<Option<&str>> = labels.iter().map(|l| Some(l.as_str())).collect();
                Self::read(field, RawValue::List(items))
            }
            other => Ok(other),
        }
    }

    pub fn kind(&self) -> FieldKind {
        match self {
            Self::Text(_) => FieldKind::Text,
            Self::LongText(_) => FieldKind::LongText,
            Self::Number(_) => FieldKind::Number,
            Self::Date(_) => FieldKind::Date,
            Self::YesNo(_) => FieldKind::YesNo,
            Self::SingleChoice(_) => FieldKind::SingleChoice,
            Self::MultiChoice(_) => FieldKind::MultiChoice,
        }
    }

    /// The value as people read it: `3,5`, `23-04-1990`, `Sí`, `Ñuñoa, Maipú`.
    pub fn display(&self) -> String {
        match self {
            Self::Text(t) | Self::LongText(t) | Self::SingleChoice(t) => t.clone(),
            Self::Number(n) => n.display(),
            Self::Date(d) => d.strftime("%d-%m-%Y").to_string(),
            Self::YesNo(true) => "Sí".into(),
            Self::YesNo(false) => "No".into(),
            Self::MultiChoice(os) => os.join(", "),
        }
    }

    /// The words search finds the client by through this value: text as
    /// typed, the canonical number, a date both ISO and Chilean, the field's
    /// label for a "yes" (nothing for a "no"), the chosen options' labels.
    pub fn search_text(&self, field: &CustomField) -> String {
        match self {
            Self::Text(text) | Self::LongText(text) | Self::SingleChoice(text) => text.clone(),
            Self::Number(number) => number.as_str().to_owned(),
            Self::Date(date) => format!("{date} {}", date.strftime("%d-%m-%Y")),
            Self::YesNo(true) => field.label.as_str().to_owned(),
            Self::YesNo(false) => String::new(),
            Self::MultiChoice(labels) => labels.join(" "),
        }
    }
}

/// Trimmed, NFC (an "ñ" typed two ways is one letter), counted in
/// characters. One line, or several with `\n` line breaks and tabs.
fn text_value(text: &str, multi_line: bool) -> Result<String, FieldError> {
    let text = if multi_line { text.replace("\r\n", "\n").replace('\r', "\n") } else { text.to_owned() };
    // Checked before trimming, which would drop a trailing form feed.
    let allowed = |c: char| multi_line && (c == '\n' || c == '\t');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(FieldError::ControlCharacters);
    }
    let text: String = text.trim().nfc().collect();
    let max = if multi_line { MAX_LONG_TEXT_CHARS } else { MAX_TEXT_CHARS };
    if text.chars().count() > max {
        return Err(FieldError::TooLong { max });
    }
    Ok(text)
}

/// The options `items` name, each once, in the field's order.
fn choose(options: &ChoiceOptions, items: &[Option<&str>]) -> Result<Vec<String>, FieldError> {
    let mut chosen: Vec<&str> = Vec::with_capacity(items.len());
    for item in items {
        let option = item.and_then(|text| options.find(text)).ok_or(FieldError::NotAnOption)?;
        if chosen.contains(&option) {
            return Err(FieldError::OptionRepeated);
        }
        chosen.push(option);
    }
    Ok(options.as_slice().iter().filter(|o| chosen.contains(&o.as_str())).cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn field(kind: FieldKind, options: &[&str]) -> CustomField {
        crate::custom_field::sample_field("Tiene seguro", kind, options)
    }

    fn parse(field: &CustomField, raw: RawValue<'_>) -> Result<Option<CustomValue>, FieldError> {
        CustomValue::parse(field, raw)
    }

    fn value(field: &CustomField, raw: RawValue<'_>) -> CustomValue {
        parse(field, raw).expect("valid").expect("not empty")
    }

    fn number(text: &str) -> CustomValue {
        CustomValue::Number(Decimal::parse(text).expect("valid"))
    }

    #[test]
    fn text_is_one_trimmed_line() {
        let f = field(FieldKind::Text, &[]);
        assert_eq!(value(&f, RawValue::Text("  Firulais ")), CustomValue::Text("Firulais".into()));
        assert_eq!(value(&f, RawValue::Number("1234")), CustomValue::Text("1234".into()));
        assert_eq!(parse(&f, RawValue::Text("a\nb")), Err(FieldError::ControlCharacters));
        assert_eq!(parse(&f, RawValue::Text("Firulais\n")), Err(FieldError::ControlCharacters));
        assert!(parse(&f, RawValue::Text(&"ñ".repeat(200))).is_ok());
        assert_eq!(parse(&f, RawValue::Text(&"ñ".repeat(201))), Err(FieldError::TooLong { max: 200 }));
        assert_eq!(parse(&f, RawValue::Bool(true)), Err(FieldError::NotText));
        assert_eq!(parse(&f, RawValue::List(vec![Some("a")])), Err(FieldError::NotText));
        assert_eq!(parse(&f, RawValue::Other), Err(FieldError::NotText));
    }

    #[test]
    fn long_text_keeps_its_lines() {
        let f = field(FieldKind::LongText, &[]);
        let text = value(&f, RawValue::Text(" Alérgico al látex.\r\n\tUsa inhalador.\n"));
        assert_eq!(text, CustomValue::LongText("Alérgico al látex.\n\tUsa inhalador.".into()));
        assert_eq!(parse(&f, RawValue::Text("a\u{0007}b")), Err(FieldError::ControlCharacters));
        assert_eq!(parse(&f, RawValue::Text("Usa inhalador.\u{c}")), Err(FieldError::ControlCharacters));
        assert!(parse(&f, RawValue::Text(&"x".repeat(5000))).is_ok());
        assert_eq!(parse(&f, RawValue::Text(&"x".repeat(5001))), Err(FieldError::TooLong { max: 5000 }));
    }

    #[test]
    fn numbers_take_a_comma_or_a_point_and_refuse_words() {
        let f = field(FieldKind::Number, &[]);
        assert_eq!(value(&f, RawValue::Text("34")), number("34"));
        assert_eq!(value(&f, RawValue::Text("3,5")), number("3.5"));
        assert_eq!(value(&f, RawValue::Text("3.5")), number("3.5"));
        assert_eq!(value(&f, RawValue::Number("34")), number("34"));
        assert_eq!(parse(&f, RawValue::Text("abc")), Err(FieldError::NotANumber));
        assert_eq!(parse(&f, RawValue::Bool(false)), Err(FieldError::NotANumber));
    }

    #[test]
    fn dates_are_iso_or_chilean() {
        let f = field(FieldKind::Date, &[]);
        assert_eq!(value(&f, RawValue::Text("2026-05-01")), CustomValue::Date(date(2026, 5, 1)));
        assert_eq!(value(&f, RawValue::Text("01-05-2026")), CustomValue::Date(date(2026, 5, 1)));
        assert_eq!(value(&f, RawValue::Text("1900-01-01")), CustomValue::Date(date(1900, 1, 1)));
        assert_eq!(value(&f, RawValue::Text("31-12-2100")), CustomValue::Date(date(2100, 12, 31)));
        for slip in ["1899-12-31", "01-05-0026", "2101-01-01", "31-12-9999"] {
            assert_eq!(parse(&f, RawValue::Text(slip)), Err(FieldError::DateOutOfRange), "{slip}");
        }
        // A value stored before the rule still reads back.
        assert_eq!(CustomValue::read(&f, RawValue::Text("1890-05-01")), Ok(CustomValue::Date(date(1890, 5, 1))));
        for bad in ["2026-02-30", "mañana", "2026/05"] {
            assert_eq!(parse(&f, RawValue::Text(bad)), Err(FieldError::DateFormat), "{bad}");
        }
        assert_eq!(parse(&f, RawValue::Number("20260501")), Err(FieldError::DateFormat));
    }

    #[test]
    fn yes_no_takes_booleans_and_si_or_no() {
        let f = field(FieldKind::YesNo, &[]);
        assert_eq!(value(&f, RawValue::Bool(true)), CustomValue::YesNo(true));
        for yes in ["sí", "Si", "SÍ", "true"] {
            assert_eq!(value(&f, RawValue::Text(yes)), CustomValue::YesNo(true), "{yes}");
        }
        for no in ["no", "NO", "false"] {
            assert_eq!(value(&f, RawValue::Text(no)), CustomValue::YesNo(false), "{no}");
        }
        assert_eq!(parse(&f, RawValue::Text("quizás")), Err(FieldError::NotYesNo));
        assert_eq!(parse(&f, RawValue::Number("1")), Err(FieldError::NotYesNo));
    }

    #[test]
    fn a_single_choice_is_stored_as_the_options_label() {
        let f = field(FieldKind::SingleChoice, &["Las Condes", "Ñuñoa", "3"]);
        assert_eq!(value(&f, RawValue::Text("ÑUNOA")), CustomValue::SingleChoice("Ñuñoa".into()));
        assert_eq!(value(&f, RawValue::Number("3")), CustomValue::SingleChoice("3".into()));
        assert_eq!(parse(&f, RawValue::Text("Maipú")), Err(FieldError::NotAnOption));
        assert_eq!(parse(&f, RawValue::List(vec![Some("Ñuñoa")])), Err(FieldError::NotAnOption));
    }

    #[test]
    fn a_multi_choice_holds_options_once_in_the_fields_order() {
        let f = field(FieldKind::MultiChoice, &["Perro", "Gato", "Ave"]);
        let chosen = value(&f, RawValue::List(vec![Some("ave"), Some("PERRO")]));
        assert_eq!(chosen, CustomValue::MultiChoice(vec!["Perro".into(), "Ave".into()]));
        assert_eq!(value(&f, RawValue::Text("gato")), CustomValue::MultiChoice(vec!["Gato".into()]));
        assert_eq!(parse(&f, RawValue::List(vec![Some("Perro"), Some("perro")])), Err(FieldError::OptionRepeated));
        assert_eq!(parse(&f, RawValue::List(vec![Some("Perro"), Some("Pez")])), Err(FieldError::NotAnOption));
        assert_eq!(parse(&f, RawValue::List(vec![Some("Perro"), None])), Err(FieldError::NotAnOption));
    }

    #[test]
    fn emptiness_is_refused_only_by_required_fields() {
        let mut f = field(FieldKind::Text, &[]);
        for empty in [RawValue::Empty, RawValue::Text("  "), RawValue::List(vec![])] {
            assert_eq!(parse(&f, empty), Ok(None));
        }
        f.required = true;
        assert_eq!(parse(&f, RawValue::Empty), Err(FieldError::Required));
        assert_eq!(parse(&f, RawValue::Text("")), Err(FieldError::Required));
    }

    #[test]
    fn an_archived_field_takes_no_new_value_but_can_be_emptied() {
        let mut f = field(FieldKind::Text, &[]);
        f.required = true;
        f.archived_at = Some(Timestamp::UNIX_EPOCH);
        assert_eq!(parse(&f, RawValue::Text("x")), Err(FieldError::FieldArchived));
        assert_eq!(parse(&f, RawValue::Empty), Ok(None));
        assert_eq!(CustomValue::Text("x".into()).conform(&f), Err(FieldError::FieldArchived));
    }

    #[test]
    fn conforming_follows_the_fields_current_options() {
        let before = field(FieldKind::MultiChoice, &["Perro", "Gato"]);
        let chosen = value(&before, RawValue::List(vec![Some("gato"), Some("perro")]));
        let mut after = before.clone();
        after.options = ChoiceOptions::parse(FieldKind::MultiChoice, &["GATO", "Perro"]).expect("valid");
        let conformed = chosen.clone().conform(&after).expect("still options");
        assert_eq!(conformed, CustomValue::MultiChoice(vec!["GATO".into(), "Perro".into()]));
        after.options = ChoiceOptions::parse(FieldKind::MultiChoice, &["Perro"]).expect("valid");
        assert_eq!(chosen.conform(&after), Err(FieldError::NotAnOption));
        let text = field(FieldKind::Text, &[]);
        assert_eq!(number("3").conform(&text), Err(FieldError::NotText));
    }

    #[test]
    fn search_text_is_what_a_person_would_type() {
        let f = field(FieldKind::YesNo, &[]);
        assert_eq!(CustomValue::YesNo(true).search_text(&f), "Tiene seguro");
        assert_eq!(CustomValue::YesNo(false).search_text(&f), "");
        assert_eq!(CustomValue::Date(date(2026, 5, 1)).search_text(&f), "2026-05-01 01-05-2026");
        assert_eq!(number("3,50").search_text(&f), "3.5");
        assert_eq!(CustomValue::MultiChoice(vec!["Perro".into(), "Ave".into()]).search_text(&f), "Perro Ave");
        assert_eq!(CustomValue::Text("Firulais".into()).search_text(&f), "Firulais");
    }

    proptest! {
        #[test]
        fn text_values_read_back_unchanged(text in "\\PC{0,210}", multi_line in any::<bool>()) {
            let kind = if multi_line { FieldKind::LongText } else { FieldKind::Text };
            let f = field(kind, &[]);
            if let Ok(Some(first)) = parse(&f, RawValue::Text(&text)) {
                let (CustomValue::Text(stored) | CustomValue::LongText(stored)) = &first else {
                    return Err(TestCaseError::fail("not text"));
                };
                prop_assert_eq!(CustomValue::read(&f, RawValue::Text(stored)), Ok(first.clone()));
            }
        }

        #[test]
        fn dates_read_back_from_their_iso_form(days in 0i32..3_000_000) {
            let f = field(FieldKind::Date, &[]);
            let d = date(1000, 1, 1).checked_add(jiff::Span::new().days(days));
            if let Ok(d) = d && d.year() <= 9999 {
                prop_assert_eq!(CustomValue::read(&f, RawValue::Text(&d.to_string())), Ok(CustomValue::Date(d)));
                let chilean = d.strftime("%d-%m-%Y").to_string();
                prop_assert_eq!(CustomValue::read(&f, RawValue::Text(&chilean)), Ok(CustomValue::Date(d)));
            }
        }

        #[test]
        fn any_subset_of_options_is_a_multi_choice(mask in 1u8..64) {
            let labels = ["Perro", "Gato", "Ave", "Pez", "Conejo", "Hámster"];
            let f = field(FieldKind::MultiChoice, &labels);
            let picked: Vec<Option<&str>> =
                labels.iter().enumerate().rev().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, l)| Some(*l)).collect();
            let CustomValue::MultiChoice(chosen) = value(&f, RawValue::List(picked.clone())) else {
                return Err(TestCaseError::fail("not a multi choice"));
            };
            prop_assert_eq!(chosen.len(), picked.len());
            let mut in_order = chosen.clone();
            in_order.sort_by_key(|c| labels.iter().position(|l| l == c));
            prop_assert_eq!(chosen, in_order);
        }
    }
}
