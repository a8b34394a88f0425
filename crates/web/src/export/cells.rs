//! One client as a row of spreadsheet cells, and the header above them.
//!
//! This is the format the client import reads back (issue 13, item 4), so
//! an exported file re-imports without changes:
//!
//! - Columns, in this order: `Nombre`, `Correo`, `Teléfono`, `RUT`,
//!   `Fecha de nacimiento`, `Fecha de registro`, `Última reserva`, then one
//!   column per active custom field in the business's order, headed by its
//!   label — or by its key when the label reads like another column's
//!   header (accents and case aside), so no two headers are taken for one.
//! - `Fecha de registro` and `Última reserva` are kept by the system: an
//!   importer recognises them and leaves them alone (they are not data to
//!   write, and never a reason to refuse a row).
//! - Teléfono in E.164 as stored (`+56912345678`); RUT canonical
//!   (`12345678-5`); dates `dd-mm-aaaa`; registration and last booking
//!   `dd-mm-aaaa HH:MM` in the business's time zone.
//! - Custom values as people write them in the panel: numbers with a
//!   decimal comma (`3,5`), dates `dd-mm-aaaa`, yes/no `Sí`/`No`, a choice
//!   by its option's label, several choices one option per line inside the
//!   cell (an option's label is one line, so a line break never splits
//!   one); long texts keep their line breaks. An empty cell is no value.
//! - Sensitive fields' columns are there only when asked for.
//! - A cell of text people typed (name, email, text values, options) that
//!   starts with `=`, `+`, `-` or `@` gets a leading `'` in the CSV, so a
//!   spreadsheet does not run it as a formula; an importer drops one
//!   leading `'` before those four characters. The XLSX needs none: every
//!   cell there is a text cell holding exactly the CSV's text.

use ficha_domain::fold::fold;
use ficha_domain::{Client, CustomField, CustomValue};
use ficha_store::FieldValue;
use jiff::tz::TimeZone;

use crate::panel::format::{date, date_time};

/// The general columns, as the panel names them.
pub const GENERAL: [&str; 7] =
    ["Nombre", "Correo", "Teléfono", "RUT", "Fecha de nacimiento", "Fecha de registro", "Última reserva"];

/// One cell's text, and whether people typed it freely (and so it may read
/// as a formula) or the system wrote it in a format of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Typed(String),
    Formatted(String),
}

impl Cell {
    pub fn text(&self) -> &str {
        match self {
            Self::Typed(text) | Self::Formatted(text) => text,
        }
    }

    /// The text as a CSV holds it: typed text that a spreadsheet would run
    /// as a formula starts with `'`.
    pub fn defused(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Self::Typed(text) if text.starts_with(['=', '+', '-', '@']) => format!("'{text}").into(),
            other => other.text().into(),
        }
    }
}

/// The export's columns: the general ones and the custom fields it holds.
#[derive(Debug, Clone)]
pub struct Columns {
    fields: Vec<CustomField>,
    headers: Vec<String>,
    zone: TimeZone,
}

impl Columns {
    /// The business's active `fields` in their order; sensitive ones only
    /// when `include_sensitive`.
    pub fn new(fields: Vec<CustomField>, include_sensitive: bool, zone: TimeZone) -> Self {
        let fields: Vec<CustomField> =
            fields.into_iter().filter(|f| !f.is_archived() && (include_sensitive || !f.sensitive)).collect();
        let mut headers: Vec<String> = GENERAL.iter().map(|h| (*h).to_owned()).collect();
        for field in &fields {
            let label = field.label.as_str();
            let taken = headers.iter().any(|h| fold(h) == fold(label));
            headers.push(if taken { field.key.as_str().to_owned() } else { label.to_owned() });
        }
        Self { fields, headers, zone }
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The client's row; `values` are the client's (any order, any field:
    /// those of fields not exported are skipped).
    pub fn row<'a>(&self, client: &Client, values: impl IntoIterator<Item = &'a FieldValue> + Clone) -> Vec<Cell> {
        let mut cells = vec![
            Cell::Typed(client.name.as_str().to_owned()),
            Cell::Typed(client.email.as_str().to_owned()),
            Cell::Formatted(client.phone.as_ref().map(|p| p.e164().to_owned()).unwrap_or_default()),
            Cell::Formatted(client.rut.map(|r| r.canonical()).unwrap_or_default()),
            Cell::Formatted(client.birth_date.map(|b| date(b.date())).unwrap_or_default()),
            Cell::Formatted(date_time(client.registered_at, &self.zone)),
            Cell::Formatted(client.last_booking_at.map(|t| date_time(t, &self.zone)).unwrap_or_default()),
        ];
        for field in &self.fields {
            let value = values.clone().into_iter().find(|v| v.field.id == field.id);
            cells.push(value.map_or_else(|| Cell::Formatted(String::new()), |v| value_cell(&v.value)));
        }
        cells
    }
}

/// A custom value as its cell.
pub fn value_cell(value: &CustomValue) -> Cell {
    match value {
        CustomValue::Text(text) | CustomValue::LongText(text) | CustomValue::SingleChoice(text) => {
            Cell::Typed(text.clone())
        }
        CustomValue::MultiChoice(options) => Cell::Typed(options.join("\n")),
        // `3,5`, `23-04-1990`, `Sí`: the panel's words.
        CustomValue::Number(_) | CustomValue::Date(_) | CustomValue::YesNo(_) => Cell::Formatted(value.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ficha_domain::{ChoiceOptions, CustomFieldId, FieldKey, FieldKind, FieldLabel, RawValue};

    fn field(key: &str, label: &str, kind: FieldKind, options: &[&str]) -> CustomField {
        CustomField {
            id: CustomFieldId::generate(),
            key: FieldKey::parse(key).expect("valid"),
            label: FieldLabel::parse(label).expect("valid"),
            kind,
            options: ChoiceOptions::parse(kind, options).expect("valid"),
            required: false,
            in_booking_form: false,
            visible_to_client: false,
            sensitive: false,
            identifying: false,
            position: 0,
            archived_at: None,
        }
    }

    fn read(field: &CustomField, raw: RawValue<'_>) -> CustomValue {
        CustomValue::read(field, raw).expect("valid")
    }

    #[test]
    fn values_are_written_as_the_panel_reads_them_back() {
        let edad = field("edad", "Edad", FieldKind::Number, &[]);
        let control = field("control", "Control", FieldKind::Date, &[]);
        let seguro = field("seguro", "Seguro", FieldKind::YesNo, &[]);
        let comunas = field("comunas", "Comunas", FieldKind::MultiChoice, &["Ñuñoa, centro", "Maipú"]);
        let cases = [
            (&edad, read(&edad, RawValue::Text("-3.5")), "-3,5"),
            (&control, read(&control, RawValue::Text("1990-04-23")), "23-04-1990"),
            (&seguro, read(&seguro, RawValue::Bool(true)), "Sí"),
            (&seguro, read(&seguro, RawValue::Bool(false)), "No"),
            (
                &comunas,
                read(&comunas, RawValue::List(vec![Some("maipu"), Some("ñuñoa, centro")])),
                "Ñuñoa, centro\nMaipú",
            ),
        ];
        for (field, value, text) in cases {
            let cell = value_cell(&value);
            assert_eq!(cell.text(), text);
            // What an importer does with the cell gives the same value back.
            let raw = if field.kind == FieldKind::MultiChoice {
                RawValue::List(text.split('\n').map(Some).collect())
            } else {
                RawValue::Text(text)
            };
            assert_eq!(CustomValue::read(field, raw), Ok(value), "{text}");
        }
    }

    #[test]
    fn typed_text_that_reads_as_a_formula_is_defused_in_the_csv_only() {
        assert_eq!(Cell::Typed("=HYPERLINK(\"x\")".into()).defused(), "'=HYPERLINK(\"x\")");
        assert_eq!(Cell::Typed("-Ana".into()).defused(), "'-Ana");
        assert_eq!(Cell::Typed("Ana".into()).defused(), "Ana");
        // A phone or a negative number is the system's own format.
        assert_eq!(Cell::Formatted("+56912345678".into()).defused(), "+56912345678");
        assert_eq!(Cell::Typed("@ana".into()).text(), "@ana");
    }

    #[test]
    fn a_label_that_reads_like_another_header_is_replaced_by_its_key() {
        let fields = vec![
            field("mascota", "Nombre de la mascota", FieldKind::Text, &[]),
            field("correo_2", "correo", FieldKind::Text, &[]),
            field("diagnostico", "Diagnóstico", FieldKind::Text, &[]),
        ];
        let mut sensitive = fields.clone();
        sensitive[2].sensitive = true;
        let columns = Columns::new(sensitive.clone(), false, TimeZone::UTC);
        assert_eq!(&columns.headers()[7..], ["Nombre de la mascota", "correo_2"]);
        let columns = Columns::new(sensitive, true, TimeZone::UTC);
        assert_eq!(&columns.headers()[7..], ["Nombre de la mascota", "correo_2", "Diagnóstico"]);
    }
}
