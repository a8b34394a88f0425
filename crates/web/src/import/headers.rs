//! What a column is, from its header: the general fields in Spanish or
//! English (accents, case and spacing aside), each custom field by its
//! label or key, a general note ("Notas", "Observaciones"…), and the
//! export's own columns (`crate::export::cells`), so an exported file maps
//! itself.

use ficha_domain::CustomField;
use ficha_domain::fold::fold;
use ficha_store::imports::Target;

/// How an import treats a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// Read as this target.
    Read(Target),
    /// Kept by the system (the export's `Fecha de registro`, `Última
    /// reserva`): recognised, and never data to write.
    System,
    /// Not imported.
    Ignored,
}

const NAMES: &[&str] = &["nombre", "name", "nombre completo", "full name", "nombres", "cliente", "client"];
const EMAILS: &[&str] = &["correo", "email", "e-mail", "correo electronico", "mail", "e mail"];
const PHONES: &[&str] =
    &["telefono", "celular", "movil", "phone", "mobile", "telefono movil", "fono", "phone number", "cell"];
const RUTS: &[&str] = &["rut"];
const BIRTH_DATES: &[&str] =
    &["fecha de nacimiento", "birth date", "birthday", "birthdate", "date of birth", "nacimiento", "fecha nacimiento"];
const NOTES: &[&str] = &[
    "notas",
    "nota",
    "notes",
    "note",
    "observaciones",
    "observacion",
    "comentarios",
    "comentario",
    "comments",
    "comment",
    "remarks",
];
const SYSTEM: &[&str] =
    &["fecha de registro", "ultima reserva", "registered at", "registered", "last booking", "last booking at"];

/// Lower case, no accents, one space between words.
fn key(header: &str) -> String {
    fold(header).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The column `header` is, among the business's active `fields`. A custom
/// field whose label reads like a general header is recognised by its key
/// (the export heads it so). A note header is a custom field's first, if
/// the business has one of that label or key: a field it kept notes in
/// before imports read notes stays its column (and the export, which
/// writes no notes, still re-imports unchanged).
pub fn recognise(header: &str, fields: &[CustomField]) -> Column {
    let header = key(header);
    let general = [
        (NAMES, Target::Name),
        (EMAILS, Target::Email),
        (PHONES, Target::Phone),
        (RUTS, Target::Rut),
        (BIRTH_DATES, Target::BirthDate),
    ];
    for (words, target) in general {
        if words.contains(&header.as_str()) {
            return Column::Read(target);
        }
    }
    if SYSTEM.contains(&header.as_str()) {
        return Column::System;
    }
    let active = || fields.iter().filter(|f| !f.is_archived());
    let custom = active()
        .find(|f| key(f.label.as_str()) == header)
        .or_else(|| active().find(|f| key(f.key.as_str()) == header))
        .map(|f| Column::Read(Target::Custom(f.key.clone())));
    match custom {
        Some(column) => column,
        None if NOTES.contains(&header.as_str()) => Column::Read(Target::Note),
        None => Column::Ignored,
    }
}

/// The columns of a header row; a target claimed by an earlier column is
/// not claimed again (the later column is ignored).
pub fn recognise_all(headers: &[String], fields: &[CustomField]) -> Vec<Column> {
    let mut columns: Vec<Column> = Vec::with_capacity(headers.len());
    for header in headers {
        let column = recognise(header, fields);
        let taken = matches!(&column, Column::Read(_)) && columns.contains(&column);
        columns.push(if taken { Column::Ignored } else { column });
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;
    use ficha_domain::{ChoiceOptions, CustomFieldId, FieldKey, FieldKind, FieldLabel};

    fn field(key: &str, label: &str) -> CustomField {
        CustomField {
            id: CustomFieldId::generate(),
            key: FieldKey::parse(key).expect("key"),
            label: FieldLabel::parse(label).expect("label"),
            kind: FieldKind::Text,
            options: ChoiceOptions::parse(FieldKind::Text, &[]).expect("options"),
            required: false,
            in_booking_form: false,
            visible_to_client: false,
            sensitive: false,
            identifying: false,
            position: 0,
            archived_at: None,
        }
    }

    fn targets(headers: &[&str], fields: &[CustomField]) -> Vec<Column> {
        recognise_all(&headers.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>(), fields)
    }

    #[test]
    fn spanish_headers_with_or_without_accents() {
        let read = |t| Column::Read(t);
        assert_eq!(
            targets(&["NOMBRE", "Correo electrónico", "Teléfono", "RUT", "Fecha de Nacimiento"], &[]),
            [read(Target::Name), read(Target::Email), read(Target::Phone), read(Target::Rut), read(Target::BirthDate)]
        );
        assert_eq!(targets(&["celular", "Móvil", "telefono"], &[])[..2], [read(Target::Phone), Column::Ignored]);
    }

    #[test]
    fn english_headers() {
        let read = |t| Column::Read(t);
        assert_eq!(
            targets(&["Name", "E-mail", "Mobile", "Birthday", "Notes"], &[]),
            [read(Target::Name), read(Target::Email), read(Target::Phone), read(Target::BirthDate), read(Target::Note)]
        );
        assert_eq!(targets(&["email", "phone", "birth  date"], &[])[2], read(Target::BirthDate));
    }

    #[test]
    fn note_headers_in_spanish_or_english_unless_a_custom_field_holds_them() {
        let read = |t| Column::Read(t);
        for header in ["Notas", "NOTES", "Observaciones", "Observación", "Comentarios", "comments"] {
            assert_eq!(targets(&[header], &[]), [read(Target::Note)], "{header}");
        }
        // Only one column becomes the note.
        assert_eq!(targets(&["Notas", "Comentarios"], &[]), [read(Target::Note), Column::Ignored]);
        let fields = [field("observaciones", "Notas")];
        let custom = read(Target::Custom(FieldKey::parse("observaciones").expect("key")));
        assert_eq!(targets(&["Notas"], &fields)[0], custom);
        assert_eq!(targets(&["Observaciones", "Comentarios"], &fields), [custom, read(Target::Note)]);
    }

    #[test]
    fn custom_fields_by_label_or_key_and_the_exports_own_columns() {
        let fields = [field("comuna", "Comuna de residencia"), field("correo_2", "Correo")];
        let custom = |k: &str| Column::Read(Target::Custom(FieldKey::parse(k).expect("key")));
        assert_eq!(
            targets(
                &["comuna de residencia", "COMUNA", "correo_2", "Fecha de registro", "Última reserva", "Otra"],
                &fields
            ),
            [custom("comuna"), Column::Ignored, custom("correo_2"), Column::System, Column::System, Column::Ignored]
        );
        // The general header wins over a field labelled like it.
        assert_eq!(targets(&["Correo"], &fields), [Column::Read(Target::Email)]);
    }
}
