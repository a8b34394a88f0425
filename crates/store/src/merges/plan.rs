//! Which values a merged profile keeps: pure, so the rules are tested
//! without a database. A value both profiles hold differently needs a
//! choice; a value only one holds is kept without asking (nothing is
//! overwritten, nothing lost), unless a choice says otherwise.

use ficha_domain::{Client, CustomField, CustomValue, Email, GeneralField};

use super::MergeRefusal;
use crate::custom_fields::FieldValue;
use crate::custom_fields::record::value_text;

/// Which side's value the merged profile keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    Survivor,
    Absorbed,
}

impl Keep {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Survivor => "survivor",
            Self::Absorbed => "absorbed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "survivor" => Some(Self::Survivor),
            "absorbed" => Some(Self::Absorbed),
            _ => None,
        }
    }
}

/// The caller's choices: per general field, and per custom field by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeChoices {
    pub fields: Vec<(GeneralField, Keep)>,
    pub custom: Vec<(String, Keep)>,
}

impl MergeChoices {
    fn field(&self, field: GeneralField) -> Option<Keep> {
        self.fields.iter().find(|(f, _)| *f == field).map(|(_, keep)| *keep)
    }

    fn custom(&self, key: &str) -> Option<Keep> {
        self.custom.iter().find(|(k, _)| k == key).map(|(_, keep)| *keep)
    }
}

/// The general fields both profiles fill, differently.
pub fn differing_fields(survivor: &Client, absorbed: &Client) -> Vec<GeneralField> {
    GeneralField::ALL
        .into_iter()
        .filter(|f| match (f.value_of(survivor), f.value_of(absorbed)) {
            (Some(s), Some(a)) => !same(*f, &s, &a),
            _ => false,
        })
        .collect()
}

/// Emails are one identity whatever their case; other values compare as
/// stored.
fn same(field: GeneralField, a: &str, b: &str) -> bool {
    if field == GeneralField::Email { a.to_lowercase() == b.to_lowercase() } else { a == b }
}

fn text_of(values: &[FieldValue], field: &CustomField) -> Option<String> {
    values.iter().find(|v| v.field.id == field.id).map(|v| value_text(&v.value))
}

/// The custom fields both profiles hold, differently, in the order of
/// `survivor`'s values.
pub fn differing_custom(survivor: &[FieldValue], absorbed: &[FieldValue]) -> Vec<CustomField> {
    survivor
        .iter()
        .filter(|s| text_of(absorbed, &s.field).is_some_and(|a| a != value_text(&s.value)))
        .map(|s| s.field.clone())
        .collect()
}

/// What the survivor becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The survivor with the kept general values, the earliest
    /// registration and the latest booking of the two, its version bumped.
    pub client: Client,
    /// The survivor's custom values the merge writes: `None` clears one
    /// (a choice of the survivor's empty side).
    pub values: Vec<(CustomField, Option<CustomValue>)>,
    /// The email the survivor does not keep: it becomes an alias.
    pub alias: Email,
}

/// The plan for merging `absorbed` into `survivor`, or why not. `fields`
/// are all the business's custom fields (a choice must name one).
pub fn plan(
    survivor: &Client,
    absorbed: &Client,
    survivor_values: &[FieldValue],
    absorbed_values: &[FieldValue],
    fields: &[CustomField],
    choices: &MergeChoices,
) -> Result<Plan, MergeRefusal> {
    if let Some((key, _)) = choices.custom.iter().find(|(key, _)| !fields.iter().any(|f| f.key.as_str() == key)) {
        return Err(MergeRefusal::UnknownField { key: key.clone() });
    }
    let missing_fields: Vec<GeneralField> =
        differing_fields(survivor, absorbed).into_iter().filter(|f| choices.field(*f).is_none()).collect();
    let missing_custom: Vec<String> = differing_custom(survivor_values, absorbed_values)
        .into_iter()
        .filter(|f| choices.custom(f.key.as_str()).is_none())
        .map(|f| f.key.as_str().to_owned())
        .collect();
    if !missing_fields.is_empty() || !missing_custom.is_empty() {
        return Err(MergeRefusal::ChoicesMissing { fields: missing_fields, custom: missing_custom });
    }

    // A general value: the chosen side's; without a choice the survivor's,
    // or the absorbed one's where the survivor has none.
    let pick = |field: GeneralField, s_has: bool| match choices.field(field) {
        Some(keep) => keep,
        None if s_has => Keep::Survivor,
        None => Keep::Absorbed,
    };
    let mut client = survivor.clone();
    if pick(GeneralField::Name, true) == Keep::Absorbed {
        client.name = absorbed.name.clone();
    }
    let alias = if pick(GeneralField::Email, true) == Keep::Absorbed {
        client.email = absorbed.email.clone();
        survivor.email.clone()
    } else {
        absorbed.email.clone()
    };
    if pick(GeneralField::Phone, survivor.phone.is_some()) == Keep::Absorbed {
        client.phone = absorbed.phone.clone();
    }
    if pick(GeneralField::Rut, survivor.rut.is_some()) == Keep::Absorbed {
        client.rut = absorbed.rut;
    }
    if pick(GeneralField::BirthDate, survivor.birth_date.is_some()) == Keep::Absorbed {
        client.birth_date = absorbed.birth_date;
    }
    client.registered_at = survivor.registered_at.min(absorbed.registered_at);
    client.last_booking_at = survivor.last_booking_at.max(absorbed.last_booking_at);
    client.version += 1;

    let mut values = Vec::new();
    for field in fields {
        let s = survivor_values.iter().find(|v| v.field.id == field.id);
        let a = absorbed_values.iter().find(|v| v.field.id == field.id);
        let keep =
            choices.custom(field.key.as_str()).unwrap_or(if s.is_some() { Keep::Survivor } else { Keep::Absorbed });
        if keep == Keep::Absorbed && s.map(|v| value_text(&v.value)) != a.map(|v| value_text(&v.value)) {
            values.push((field.clone(), a.map(|v| v.value.clone())));
        }
    }
    Ok(Plan { client, values, alias })
}

#[cfg(test)]
mod tests {
    use ficha_domain::{ClientId, ClientName, FieldKey, FieldKind, FieldLabel, Phone, Rut};
    use jiff::Timestamp;

    use super::*;

    fn client(name: &str, email: &str, phone: Option<&str>) -> Client {
        Client {
            id: ClientId::generate(),
            name: ClientName::parse(name).expect("name"),
            email: Email::parse(email).expect("email"),
            phone: phone.map(|p| Phone::parse(p).expect("phone")),
            rut: None,
            birth_date: None,
            last_booking_at: None,
            registered_at: Timestamp::UNIX_EPOCH,
            version: 3,
        }
    }

    fn text_field(key: &str) -> CustomField {
        CustomField {
            id: ficha_domain::CustomFieldId::generate(),
            key: FieldKey::parse(key).expect("key"),
            label: FieldLabel::parse(key).expect("label"),
            kind: FieldKind::Text,
            options: Default::default(),
            required: false,
            in_booking_form: false,
            visible_to_client: false,
            sensitive: false,
            identifying: false,
            position: 0,
            archived_at: None,
        }
    }

    fn value(field: &CustomField, text: &str) -> FieldValue {
        FieldValue { field: field.clone(), value: CustomValue::Text(text.into()) }
    }

    #[test]
    fn differing_values_need_a_choice_and_identical_or_one_sided_ones_do_not() {
        let mut s = client("Ana Pérez", "ana@mail.cl", Some("961234567"));
        let mut a = client("Ana Pérez", "ana.perez@otro.cl", None);
        a.rut = Some(Rut::parse("12.345.678-5").expect("rut"));
        assert_eq!(differing_fields(&s, &a), [GeneralField::Email]);
        let comuna = text_field("comuna");
        let mascota = text_field("mascota");
        let (sv, av) = (vec![value(&comuna, "Ñuñoa")], vec![value(&comuna, "Maipú"), value(&mascota, "Toby")]);
        let fields = [comuna.clone(), mascota.clone()];
        let refused = plan(&s, &a, &sv, &av, &fields, &MergeChoices::default());
        assert_eq!(
            refused,
            Err(MergeRefusal::ChoicesMissing { fields: vec![GeneralField::Email], custom: vec!["comuna".into()] })
        );

        let choices = MergeChoices {
            fields: vec![(GeneralField::Email, Keep::Absorbed)],
            custom: vec![("comuna".into(), Keep::Survivor)],
        };
        let planned = plan(&s, &a, &sv, &av, &fields, &choices).expect("planned");
        assert_eq!(planned.client.email.as_str(), "ana.perez@otro.cl");
        assert_eq!(planned.alias.as_str(), "ana@mail.cl");
        // One-sided values fill the survivor's gaps.
        assert_eq!(planned.client.rut, a.rut);
        assert_eq!(planned.client.phone, s.phone);
        assert_eq!(planned.client.version, 4);
        assert_eq!(planned.values, vec![(mascota.clone(), Some(CustomValue::Text("Toby".into())))]);

        s.phone = None;
        a.phone = None;
        let unknown = MergeChoices { custom: vec![("nada".into(), Keep::Survivor)], ..choices };
        assert_eq!(plan(&s, &a, &sv, &av, &fields, &unknown), Err(MergeRefusal::UnknownField { key: "nada".into() }));
    }

    #[test]
    fn an_explicit_choice_of_an_empty_side_clears_the_value() {
        let s = client("Ana", "a@mail.cl", None);
        let a = client("Ana", "b@mail.cl", Some("961234567"));
        let choices = MergeChoices {
            fields: vec![(GeneralField::Email, Keep::Survivor), (GeneralField::Phone, Keep::Survivor)],
            custom: Vec::new(),
        };
        let planned = plan(&s, &a, &[], &[], &[], &choices).expect("planned");
        assert_eq!(planned.client.phone, None);
        assert_eq!(planned.alias.as_str(), "b@mail.cl");
    }
}
