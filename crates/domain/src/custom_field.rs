//! "Otros datos": the fields a business defines for its clients (pet's name,
//! comuna, allergies…). A field is defined once per business; each client's
//! value of it is a `CustomValue` (see `custom_value`).

use std::fmt;

use jiff::Timestamp;

use crate::CustomFieldId;
use crate::field_error::FieldError;
use crate::fold::fold;
use crate::one_line::one_line;

pub const MAX_KEY_CHARS: usize = 40;
pub const MAX_LABEL_CHARS: usize = 80;
pub const MAX_OPTIONS: usize = 50;

/// How integrators name a field: `mascota`, `comuna`, `fecha_control`. A
/// lower-case ASCII letter, then lower-case ASCII letters, digits or `_`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldKey(String);

impl FieldKey {
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let key = text.trim();
        if key.is_empty() {
            return Err(FieldError::Required);
        }
        if key.chars().count() > MAX_KEY_CHARS {
            return Err(FieldError::TooLong { max: MAX_KEY_CHARS });
        }
        let well_formed = key.starts_with(|c: char| c.is_ascii_lowercase())
            && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if well_formed { Ok(Self(key.to_owned())) } else { Err(FieldError::KeyInvalid) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FieldKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What people read: a field's label, or one option of a choice field. One
/// line, trimmed, inner spaces collapsed, 1..=80 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldLabel(String);

impl FieldLabel {
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        one_line(text, MAX_LABEL_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FieldLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The type of a field, which decides what its values may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// One line, up to 200 characters.
    Text,
    /// Several lines, up to 5000 characters.
    LongText,
    Number,
    Date,
    YesNo,
    /// One of the field's options.
    SingleChoice,
    /// Any of the field's options, each at most once.
    MultiChoice,
}

impl FieldKind {
    pub const ALL: [Self; 7] =
        [Self::Text, Self::LongText, Self::Number, Self::Date, Self::YesNo, Self::SingleChoice, Self::MultiChoice];

    /// The API's and the database's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::LongText => "long_text",
            Self::Number => "number",
            Self::Date => "date",
            Self::YesNo => "yes_no",
            Self::SingleChoice => "single_choice",
            Self::MultiChoice => "multi_choice",
        }
    }

    pub fn parse(text: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|k| k.as_str() == text.trim()).ok_or(FieldError::KindInvalid)
    }

    /// Whether fields of this kind have a list of options.
    pub fn has_options(self) -> bool {
        matches!(self, Self::SingleChoice | Self::MultiChoice)
    }

    /// Why a value of the wrong shape is refused by a field of this kind.
    pub fn mismatch(self) -> FieldError {
        match self {
            Self::Text | Self::LongText => FieldError::NotText,
            Self::Number => FieldError::NotANumber,
            Self::Date => FieldError::DateFormat,
            Self::YesNo => FieldError::NotYesNo,
            Self::SingleChoice | Self::MultiChoice => FieldError::NotAnOption,
        }
    }
}

/// Why a list of options was refused: the list as a whole (`index: None`) or
/// one of its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsError {
    pub index: Option<usize>,
    pub error: FieldError,
}

/// The options of a choice field, in the order they are offered: 1..=50
/// labels, distinct ignoring accents and case. Empty for every other kind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChoiceOptions(Vec<String>);

impl ChoiceOptions {
    pub fn parse(kind: FieldKind, items: &[&str]) -> Result<Self, OptionsError> {
        let whole = |error| OptionsError { index: None, error };
        if !kind.has_options() {
            return if items.is_empty() { Ok(Self::default()) } else { Err(whole(FieldError::OptionsNotAllowed)) };
        }
        if items.is_empty() {
            return Err(whole(FieldError::Required));
        }
        if items.len() > MAX_OPTIONS {
            return Err(whole(FieldError::TooManyOptions { max: MAX_OPTIONS }));
        }
        let mut options: Vec<String> = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let label = FieldLabel::parse(item).map_err(|error| OptionsError { index: Some(index), error })?;
            if options.iter().any(|o| fold(o) == fold(label.as_str())) {
                return Err(OptionsError { index: Some(index), error: FieldError::OptionRepeated });
            }
            options.push(label.0);
        }
        Ok(Self(options))
    }

    /// The option `text` names, compared without accents or case: `"las
    /// condes"` finds `"Las Condes"`.
    pub fn find(&self, text: &str) -> Option<&str> {
        let wanted = fold(text);
        self.0.iter().find(|o| fold(o) == wanted).map(String::as_str)
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A field as stored. `archived_at` is set when the owner removed a field
/// that clients have values of: the values stay, new ones are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomField {
    pub id: CustomFieldId,
    pub key: FieldKey,
    pub label: FieldLabel,
    pub kind: FieldKind,
    pub options: ChoiceOptions,
    pub required: bool,
    /// Asked on the booking site.
    pub in_booking_form: bool,
    /// Shown to the client in Mi cuenta.
    pub visible_to_client: bool,
    /// Sensitive data (diagnóstico, alergias): never shown in search
    /// snippets or default exports, marked on the profile.
    pub sensitive: bool,
    /// Identifies a person (N° de ficha, pasaporte): two profiles with the
    /// same value and a very similar name are suggested as duplicates.
    pub identifying: bool,
    /// Where it is shown among the business's fields, lowest first.
    pub position: i32,
    pub archived_at: Option<Timestamp>,
}

impl CustomField {
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }

    /// Whether a client's value of this field may be empty. A required field
    /// may not, unless it is archived: nobody is asked for it any more.
    pub fn check_empty(&self) -> Result<(), FieldError> {
        if self.required && !self.is_archived() { Err(FieldError::Required) } else { Ok(()) }
    }
}

/// What the owner gives to define a field. Without a position it goes last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustomField {
    pub key: FieldKey,
    pub label: FieldLabel,
    pub kind: FieldKind,
    pub options: ChoiceOptions,
    pub required: bool,
    pub in_booking_form: bool,
    pub visible_to_client: bool,
    pub sensitive: bool,
    pub identifying: bool,
    pub position: Option<i32>,
}

/// An edit of a field; `None` leaves a property as it is. Key and kind never
/// change: values and integrations depend on them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomFieldChanges {
    pub label: Option<FieldLabel>,
    pub options: Option<ChoiceOptions>,
    pub required: Option<bool>,
    pub in_booking_form: Option<bool>,
    pub visible_to_client: Option<bool>,
    pub sensitive: Option<bool>,
    pub identifying: Option<bool>,
    pub position: Option<i32>,
    /// `Some(true)` archives, `Some(false)` brings an archived field back.
    pub archived: Option<bool>,
}

impl CustomFieldChanges {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The field as it would be after this edit; `now` is when an archiving
    /// happens (an already archived field keeps its first date).
    pub fn applied_to(&self, field: &CustomField, now: Timestamp) -> CustomField {
        CustomField {
            label: self.label.clone().unwrap_or_else(|| field.label.clone()),
            options: self.options.clone().unwrap_or_else(|| field.options.clone()),
            required: self.required.unwrap_or(field.required),
            in_booking_form: self.in_booking_form.unwrap_or(field.in_booking_form),
            visible_to_client: self.visible_to_client.unwrap_or(field.visible_to_client),
            sensitive: self.sensitive.unwrap_or(field.sensitive),
            identifying: self.identifying.unwrap_or(field.identifying),
            position: self.position.unwrap_or(field.position),
            archived_at: match self.archived {
                Some(true) => field.archived_at.or(Some(now)),
                Some(false) => None,
                None => field.archived_at,
            },
            ..field.clone()
        }
    }

    /// The options of `before` that this edit takes away. An option whose
    /// label only changes in accents or case is kept, not removed.
    pub fn removed_options<'a>(&self, before: &'a CustomField) -> Vec<&'a str> {
        let Some(after) = &self.options else { return Vec::new() };
        before.options.as_slice().iter().map(String::as_str).filter(|o| after.find(o).is_none()).collect()
    }
}

/// A field for tests: key `campo`, the given label, kind and options.
#[cfg(test)]
pub(crate) fn sample_field(label: &str, kind: FieldKind, options: &[&str]) -> CustomField {
    CustomField {
        id: CustomFieldId::generate(),
        key: FieldKey::parse("campo").expect("valid"),
        label: FieldLabel::parse(label).expect("valid"),
        kind,
        options: ChoiceOptions::parse(kind, options).expect("valid"),
        required: false,
        in_booking_form: false,
        visible_to_client: false,
        sensitive: false,
        identifying: false,
        position: 1,
        archived_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn field(kind: FieldKind, options: &[&str]) -> CustomField {
        sample_field("Campo", kind, options)
    }

    #[test]
    fn keys_are_lower_case_identifiers() {
        for good in ["mascota", "fecha_control", "a1", "x", &"k".repeat(40)] {
            assert_eq!(FieldKey::parse(good).expect(good).as_str(), good);
        }
        assert_eq!(FieldKey::parse("  comuna ").expect("trimmed").as_str(), "comuna");
        for bad in ["Mascota", "1a", "_a", "fecha-control", "año", "a b", "ñandu"] {
            assert_eq!(FieldKey::parse(bad), Err(FieldError::KeyInvalid), "{bad}");
        }
        assert_eq!(FieldKey::parse(" "), Err(FieldError::Required));
        assert_eq!(FieldKey::parse(&"k".repeat(41)), Err(FieldError::TooLong { max: 40 }));
    }

    #[test]
    fn labels_are_one_trimmed_line() {
        assert_eq!(FieldLabel::parse("  Nombre de   la mascota ").expect("valid").as_str(), "Nombre de la mascota");
        assert_eq!(FieldLabel::parse(""), Err(FieldError::Required));
        assert_eq!(FieldLabel::parse("a\nb"), Err(FieldError::ControlCharacters));
        assert!(FieldLabel::parse(&"ñ".repeat(80)).is_ok());
        assert_eq!(FieldLabel::parse(&"ñ".repeat(81)), Err(FieldError::TooLong { max: 80 }));
    }

    #[test]
    fn kinds_parse_back() {
        for kind in FieldKind::ALL {
            assert_eq!(FieldKind::parse(kind.as_str()), Ok(kind));
        }
        assert_eq!(FieldKind::parse("checkbox"), Err(FieldError::KindInvalid));
    }

    #[test]
    fn only_choice_fields_have_options() {
        assert_eq!(ChoiceOptions::parse(FieldKind::Text, &[]), Ok(ChoiceOptions::default()));
        let refused = ChoiceOptions::parse(FieldKind::Number, &["1"]);
        assert_eq!(refused, Err(OptionsError { index: None, error: FieldError::OptionsNotAllowed }));
        let none = ChoiceOptions::parse(FieldKind::SingleChoice, &[]);
        assert_eq!(none, Err(OptionsError { index: None, error: FieldError::Required }));
    }

    #[test]
    fn options_are_distinct_non_empty_labels() {
        let options = ChoiceOptions::parse(FieldKind::MultiChoice, &[" Las  Condes", "Ñuñoa"]).expect("valid");
        assert_eq!(options.as_slice(), ["Las Condes", "Ñuñoa"]);
        let repeated = ChoiceOptions::parse(FieldKind::SingleChoice, &["Ñuñoa", "nunoa"]);
        assert_eq!(repeated, Err(OptionsError { index: Some(1), error: FieldError::OptionRepeated }));
        let blank = ChoiceOptions::parse(FieldKind::SingleChoice, &["a", " "]);
        assert_eq!(blank, Err(OptionsError { index: Some(1), error: FieldError::Required }));
        let many: Vec<String> = (0..51).map(|i| format!("op {i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(ChoiceOptions::parse(FieldKind::SingleChoice, &many[..50]).is_ok());
        let too_many = ChoiceOptions::parse(FieldKind::SingleChoice, &many);
        assert_eq!(too_many, Err(OptionsError { index: None, error: FieldError::TooManyOptions { max: 50 } }));
    }

    #[test]
    fn options_are_found_without_accents_or_case() {
        let options = ChoiceOptions::parse(FieldKind::SingleChoice, &["Las Condes", "Ñuñoa"]).expect("valid");
        assert_eq!(options.find("NUNOA"), Some("Ñuñoa"));
        assert_eq!(options.find(" las   condes "), Some("Las Condes"));
        assert_eq!(options.find("Providencia"), None);
    }

    #[test]
    fn a_required_field_refuses_emptiness_until_archived() {
        let mut f = field(FieldKind::Text, &[]);
        assert_eq!(f.check_empty(), Ok(()));
        f.required = true;
        assert_eq!(f.check_empty(), Err(FieldError::Required));
        f.archived_at = Some(Timestamp::UNIX_EPOCH);
        assert_eq!(f.check_empty(), Ok(()));
    }

    #[test]
    fn changes_apply_and_archiving_keeps_its_first_date() {
        let before = field(FieldKind::Text, &[]);
        assert_eq!(CustomFieldChanges::default().applied_to(&before, Timestamp::UNIX_EPOCH), before);
        let first = Timestamp::from_second(100).expect("valid");
        let archive = CustomFieldChanges { archived: Some(true), ..Default::default() };
        let archived = archive.applied_to(&before, first);
        assert_eq!(archived.archived_at, Some(first));
        let later = Timestamp::from_second(200).expect("valid");
        assert_eq!(archive.applied_to(&archived, later).archived_at, Some(first));
        let restore = CustomFieldChanges { archived: Some(false), position: Some(7), ..Default::default() };
        let restored = restore.applied_to(&archived, later);
        assert_eq!((restored.archived_at, restored.position, restored.key), (None, 7, before.key));
    }

    #[test]
    fn removed_options_ignore_changes_of_case_and_accents() {
        let before = field(FieldKind::SingleChoice, &["Las Condes", "Nunoa", "Maipú"]);
        let options = ChoiceOptions::parse(FieldKind::SingleChoice, &["las condes", "Ñuñoa", "Providencia"]);
        let changes = CustomFieldChanges { options: Some(options.expect("valid")), ..Default::default() };
        assert_eq!(changes.removed_options(&before), ["Maipú"]);
        assert!(CustomFieldChanges::default().removed_options(&before).is_empty());
    }

    proptest! {
        #[test]
        fn keys_parse_back_and_stay_in_their_alphabet(text in "[a-zA-Z0-9_ -]{0,45}") {
            if let Ok(key) = FieldKey::parse(&text) {
                prop_assert_eq!(FieldKey::parse(key.as_str()), Ok(key.clone()));
                prop_assert!(key.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
                prop_assert!((1..=MAX_KEY_CHARS).contains(&key.as_str().len()));
            }
        }

        #[test]
        fn labels_parse_back(text in "\\PC{0,90}") {
            if let Ok(label) = FieldLabel::parse(&text) {
                prop_assert_eq!(FieldLabel::parse(label.as_str()), Ok(label.clone()));
                prop_assert!(label.as_str().chars().count() <= MAX_LABEL_CHARS);
            }
        }

        #[test]
        fn every_option_finds_itself(items in proptest::collection::vec("[a-zA-Z ñÑáé]{1,12}", 1..8)) {
            let items: Vec<&str> = items.iter().map(String::as_str).collect();
            if let Ok(options) = ChoiceOptions::parse(FieldKind::MultiChoice, &items) {
                for option in options.as_slice() {
                    prop_assert_eq!(options.find(option), Some(option.as_str()));
                    prop_assert_eq!(options.find(&option.to_uppercase()), Some(option.as_str()));
                }
            }
        }
    }
}
