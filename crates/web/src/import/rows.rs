//! A row of cell texts as an import line: each mapped cell read by the
//! same parsers as the forms (`Rut::parse`, `Phone::parse`…, a custom
//! value as the panel reads it), every cell's problem kept.

use ficha_domain::{
    BirthDate, ClientName, CustomField, CustomValue, Email, FieldError, FieldKind, NoteText, Phone, RawValue, Rut,
};
use ficha_store::imports::{CellProblem, ImportRow, RowSource, Target};
use jiff::civil::Date;

use super::table::{ReadError, Rows};

/// How each mapped column is read.
#[derive(Debug, Clone)]
pub struct LineReader {
    /// (column index, header, target) of each column read.
    pub columns: Vec<(usize, String, Target)>,
    pub fields: Vec<CustomField>,
    /// Birth dates after it are refused, as the forms do.
    pub today: Date,
}

impl LineReader {
    /// The line, or `None` for a row with nothing in it.
    pub fn line(&self, line: u64, cells: &[String]) -> Option<ImportRow> {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return None;
        }
        let mut row = ImportRow { line, ..ImportRow::default() };
        for (index, header, target) in &self.columns {
            let raw = cells.get(*index).map_or("", String::as_str);
            if raw.trim().is_empty() {
                continue;
            }
            if let Err(error) = self.read(&mut row, target, raw) {
                row.problems.push(CellProblem { column: Some(header.clone()), target: target.clone(), error });
            }
        }
        if row.email.is_none() && !row.problems.iter().any(|p| p.target == Target::Email) {
            let column = self.columns.iter().find(|(_, _, t)| *t == Target::Email).map(|(_, h, _)| h.clone());
            row.problems.insert(0, CellProblem { column, target: Target::Email, error: FieldError::Required });
        }
        Some(row)
    }

    /// `raw` as the file has it: a note is checked as the note form checks
    /// what was typed (control characters before trimming), the rest
    /// trimmed.
    fn read(&self, row: &mut ImportRow, target: &Target, raw: &str) -> Result<(), FieldError> {
        let cell = raw.trim();
        match target {
            Target::Name => row.name = Some(ClientName::parse(cell)?),
            Target::Email => row.email = Some(Email::parse(cell)?),
            Target::Phone => row.phone = Some(Phone::parse(cell)?),
            Target::Rut => row.rut = Some(Rut::parse(cell)?),
            Target::BirthDate => row.birth_date = Some(BirthDate::parse(cell, self.today)?),
            Target::Note => row.note = Some(NoteText::parse(raw)?),
            Target::Custom(key) => {
                let field = self.fields.iter().find(|f| &f.key == key).ok_or(FieldError::FieldUnknown)?;
                row.values.push((key.clone(), read_value(field, cell)?));
            }
        }
        Ok(())
    }
}

/// A custom value's cell: several choices one per line, as the export
/// writes them.
fn read_value(field: &CustomField, cell: &str) -> Result<CustomValue, FieldError> {
    if field.kind == FieldKind::MultiChoice {
        let items: Vec<Option<&str>> = cell.lines().map(str::trim).filter(|l| !l.is_empty()).map(Some).collect();
        CustomValue::read(field, RawValue::List(items))
    } else {
        CustomValue::read(field, RawValue::Text(cell))
    }
}

/// The lines of a file, a chunk at a time.
pub struct FileLines {
    rows: Rows,
    reader: LineReader,
    next_line: u64,
    chunk: usize,
    /// Set when the file broke off unreadable: the lines before it were
    /// given, none after.
    pub failure: Option<ReadError>,
}

impl FileLines {
    pub fn new(rows: Rows, first_line: u64, reader: LineReader, chunk: usize) -> Self {
        Self { rows, reader, next_line: first_line, chunk: chunk.max(1), failure: None }
    }
}

impl RowSource for FileLines {
    fn next_chunk(&mut self) -> Option<Vec<ImportRow>> {
        let mut lines = Vec::new();
        while lines.len() < self.chunk && self.failure.is_none() {
            match self.rows.next() {
                None => break,
                Some(Err(error)) => self.failure = Some(error),
                Some(Ok(cells)) => {
                    let line = self.next_line;
                    self.next_line += 1;
                    lines.extend(self.reader.line(line, &cells));
                }
            }
        }
        (!lines.is_empty()).then_some(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ficha_domain::{ChoiceOptions, CustomFieldId, FieldKey, FieldLabel};
    use jiff::civil::date;

    fn reader(fields: Vec<CustomField>) -> LineReader {
        let mut columns = vec![
            (0, "Nombre".to_owned(), Target::Name),
            (1, "Correo".to_owned(), Target::Email),
            (2, "Teléfono".to_owned(), Target::Phone),
            (3, "RUT".to_owned(), Target::Rut),
            (4, "Nacimiento".to_owned(), Target::BirthDate),
        ];
        for (i, field) in fields.iter().enumerate() {
            columns.push((5 + i, field.label.as_str().to_owned(), Target::Custom(field.key.clone())));
        }
        LineReader { columns, fields, today: date(2026, 3, 14) }
    }

    fn cells(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn cells_read_as_the_forms_read_them() {
        let comunas = CustomField {
            id: CustomFieldId::generate(),
            key: FieldKey::parse("comunas").expect("key"),
            label: FieldLabel::parse("Comunas").expect("label"),
            kind: FieldKind::MultiChoice,
            options: ChoiceOptions::parse(FieldKind::MultiChoice, &["Maipú", "Ñuñoa"]).expect("options"),
            required: false,
            in_booking_form: false,
            visible_to_client: false,
            sensitive: false,
            identifying: false,
            position: 0,
            archived_at: None,
        };
        let reader = reader(vec![comunas]);
        let row = reader
            .line(
                2,
                &cells(&[" Ana Pérez ", "ANA@mail.cl", "+56961234567", "12.345.678-5", "23-04-1990", "Ñuñoa\nMaipú"]),
            )
            .expect("line");
        assert!(row.problems.is_empty(), "{:?}", row.problems);
        assert_eq!(row.name.as_ref().map(ClientName::as_str), Some("Ana Pérez"));
        assert_eq!(row.rut.map(|r| r.canonical()).as_deref(), Some("12345678-5"));
        assert_eq!(row.birth_date.map(|d| d.date()), Some(date(1990, 4, 23)));
        assert_eq!(row.values[0].1, CustomValue::MultiChoice(vec!["Maipú".into(), "Ñuñoa".into()]));
    }

    #[test]
    fn every_bad_cell_is_named_by_its_column() {
        let row = reader(vec![]).line(7, &cells(&["Ana", "", "12", "12.345.678-9", "2030-01-01"])).expect("line");
        let problems: Vec<(Option<&str>, &str)> =
            row.problems.iter().map(|p| (p.column.as_deref(), p.error.code())).collect();
        assert_eq!(
            problems,
            [
                (Some("Correo"), "required"),
                (Some("Teléfono"), "phone_invalid"),
                (Some("RUT"), "rut_check_digit"),
                (Some("Nacimiento"), "date_in_future")
            ]
        );
        assert_eq!(row.line, 7);
    }

    #[test]
    fn a_note_cell_is_read_as_the_note_form_reads_it() {
        let mut reader = reader(vec![]);
        reader.columns.push((5, "Observaciones".to_owned(), Target::Note));
        let row = reader
            .line(2, &cells(&["Ana", "ana@mail.cl", "", "", "", "  alérgica al látex\r\npuntual "]))
            .expect("line");
        assert!(row.problems.is_empty(), "{:?}", row.problems);
        assert_eq!(row.note.as_ref().map(NoteText::as_str), Some("alérgica al látex\r\npuntual"));
        let long = "ñ".repeat(NoteText::MAX_CHARS + 1);
        let row = reader.line(3, &cells(&["Ana", "ana@mail.cl", "", "", "", &long])).expect("line");
        assert_eq!(row.problems[0].column.as_deref(), Some("Observaciones"));
        assert_eq!(row.problems[0].error, FieldError::TooLong { max: NoteText::MAX_CHARS });
        let row = reader.line(4, &cells(&["Ana", "ana@mail.cl", "", "", "", "nota\u{c}"])).expect("line");
        assert_eq!(row.problems[0].error, FieldError::ControlCharacters);
        let row = reader.line(5, &cells(&["Ana", "ana@mail.cl", "", "", "", "  "])).expect("line");
        assert_eq!((row.note, row.problems.len()), (None, 0), "an empty cell adds no note");
    }

    #[test]
    fn empty_rows_are_no_lines() {
        assert_eq!(reader(vec![]).line(3, &cells(&["", " ", ""])), None);
        assert_eq!(reader(vec![]).line(3, &[]), None);
    }
}
