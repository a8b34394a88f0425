//! A file as a header and rows of cell texts: CSV (`,` or `;`, told from
//! the header line; UTF-8 or Windows-1252) or XLSX (the first sheet).
//!
//! CSV rows are parsed as they are asked for, from the decoded text; an
//! XLSX sheet is read cell by cell (calamine's streaming reader) into rows
//! of text once, since the reader borrows the workbook.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx, open_workbook_from_rs};

use super::text::decode;

/// What kind of file arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Xlsx,
}

impl FileKind {
    /// From a media type (`text/csv`, the XLSX one), or, for a media type
    /// that says nothing (`application/octet-stream`), from the bytes: an
    /// XLSX is a zip.
    pub fn of(media_type: &str, bytes: &[u8]) -> Option<Self> {
        let essence = media_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match essence.as_str() {
            "text/csv" | "application/csv" | "text/comma-separated-values" => Some(Self::Csv),
            XLSX_MEDIA_TYPE => Some(Self::Xlsx),
            "application/octet-stream" | "" if bytes.starts_with(b"PK\x03\x04") => Some(Self::Xlsx),
            "application/octet-stream" | "" => Some(Self::Csv),
            _ => None,
        }
    }
}

pub const XLSX_MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Why a file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Nothing in it, not even a header.
    Empty,
    /// Not a spreadsheet this reader knows (a broken XLSX, a CSV line the
    /// parser cannot split), with the line when known.
    Unreadable { line: Option<u64> },
}

/// The rows below the header.
pub enum Rows {
    Csv(csv::StringRecordsIntoIter<Cursor<Vec<u8>>>),
    Xlsx(std::vec::IntoIter<Vec<String>>),
}

impl Iterator for Rows {
    type Item = Result<Vec<String>, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Csv(records) => Some(match records.next()? {
                Ok(record) => Ok(record.iter().map(csv_cell).collect()),
                Err(e) => Err(ReadError::Unreadable { line: e.position().map(|p| p.line()) }),
            }),
            Self::Xlsx(rows) => rows.next().map(Ok),
        }
    }
}

/// A CSV cell's text: a leading `'` that defused a formula is dropped
/// (see `export::cells`).
fn csv_cell(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

pub struct Table {
    pub headers: Vec<String>,
    pub rows: Rows,
    /// The first row's line number as a spreadsheet shows it.
    pub first_line: u64,
}

pub fn read(kind: FileKind, bytes: &[u8]) -> Result<Table, ReadError> {
    match kind {
        FileKind::Csv => read_csv(bytes),
        FileKind::Xlsx => read_xlsx(bytes),
    }
}

/// `;` when the header line has more of them than commas (Excel in Chile
/// and much of Europe), else `,`.
fn separator(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let count = |c: char| header.chars().filter(|&h| h == c).count();
    if count(';') > count(',') { b';' } else { b',' }
}

fn read_csv(bytes: &[u8]) -> Result<Table, ReadError> {
    let text = decode(bytes).into_owned();
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(&text))
        .has_headers(true)
        .flexible(true)
        .from_reader(Cursor::new(text.into_bytes()));
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| ReadError::Unreadable { line: Some(1) })?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    Ok(Table { headers, rows: Rows::Csv(reader.into_records()), first_line: 2 })
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, ReadError> {
    let unreadable = |_| ReadError::Unreadable { line: None };
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let sheet = workbook.sheet_names().first().cloned().ok_or(ReadError::Empty)?;
    let mut cells = workbook.worksheet_cells_reader(&sheet).map_err(unreadable)?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (row, column) = cell.get_position();
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        let (row, column) = (row as usize, column as usize);
        if rows.len() <= row {
            rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut rows[row];
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = text;
    }
    // The header is the sheet's first row that has anything in it.
    let first = rows.iter().position(|r| !r.is_empty()).ok_or(ReadError::Empty)?;
    let mut rows = rows.into_iter().skip(first);
    let headers = rows.next().unwrap_or_default().into_iter().map(|h| h.trim().to_owned()).collect();
    Ok(Table { headers, rows: Rows::Xlsx(rows.collect::<Vec<_>>().into_iter()), first_line: first as u64 + 2 })
}

/// A cell as the text a person would have typed for it: whole numbers
/// without `.0` (a phone typed as a number), dates `dd-mm-aaaa`, yes/no
/// `Sí`/`No`.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => text.clone(),
        DataRef::SharedString(text) => (*text).to_owned(),
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(yes) => if *yes { "Sí" } else { "No" }.to_owned(),
        DataRef::DateTime(when) => {
            let (year, month, day, ..) = when.to_ymd_hms_milli();
            format!("{day:02}-{month:02}-{year:04}")
        }
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(table: Table) -> (Vec<String>, Vec<Vec<String>>) {
        (table.headers, table.rows.map(|r| r.expect("row")).collect())
    }

    #[test]
    fn semicolons_or_commas_from_the_header_line() {
        let (headers, rows) =
            all(read(FileKind::Csv, b"Nombre;Correo;Notas\nAna;ana@mail.cl;\"uno, dos\"\n").expect("read"));
        assert_eq!(headers, ["Nombre", "Correo", "Notas"]);
        assert_eq!(rows, [["Ana", "ana@mail.cl", "uno, dos"]]);
        let (headers, rows) =
            all(read(FileKind::Csv, b"name,email,notes\nAna,ana@mail.cl,\"a; b\"\r\n").expect("read"));
        assert_eq!(headers, ["name", "email", "notes"]);
        assert_eq!(rows, [["Ana", "ana@mail.cl", "a; b"]]);
    }

    #[test]
    fn windows_1252_and_a_bom_read_alike() {
        let utf8 = all(read(FileKind::Csv, "\u{FEFF}Nombre;Teléfono\nMuñoz;+56912345678\n".as_bytes()).expect("read"));
        let cp1252 = all(read(FileKind::Csv, b"Nombre;Tel\xE9fono\nMu\xF1oz;+56912345678\n").expect("read"));
        assert_eq!(utf8, cp1252);
        assert_eq!(utf8.0, ["Nombre", "Teléfono"]);
    }

    #[test]
    fn a_defused_formula_loses_its_quote_mark_and_line_breaks_stay() {
        let (_, rows) =
            all(read(FileKind::Csv, b"Nombre;Comunas\n'=Ana;\"Maip\xc3\xba\n\xc3\x91u\xc3\xb1oa\"\n'Ana;x\n")
                .expect("read"));
        assert_eq!(rows, [["=Ana", "Maipú\nÑuñoa"], ["'Ana", "x"]]);
    }

    #[test]
    fn empty_files_are_said_so() {
        assert!(matches!(read(FileKind::Csv, b"").err(), Some(ReadError::Empty)));
        assert!(matches!(read(FileKind::Csv, b"\xEF\xBB\xBF  \n").err(), Some(ReadError::Empty)));
        assert!(matches!(read(FileKind::Xlsx, b"not a zip").err(), Some(ReadError::Unreadable { .. })));
    }

    #[test]
    fn xlsx_cells_as_text() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "Nombre").expect("cell");
        sheet.write_string(0, 1, "Teléfono").expect("cell");
        sheet.write_string(0, 2, "Socio").expect("cell");
        sheet.write_string(1, 0, "Ana").expect("cell");
        sheet.write_number(1, 1, 56912345678.0).expect("cell");
        sheet.write_boolean(1, 2, true).expect("cell");
        sheet.write_string(3, 0, "Bruno").expect("cell");
        let bytes = workbook.save_to_buffer().expect("saved");

        let (headers, rows) = all(read(FileKind::Xlsx, &bytes).expect("read"));

        assert_eq!(headers, ["Nombre", "Teléfono", "Socio"]);
        let rows: Vec<Vec<String>> = rows;
        assert_eq!(rows[0], ["Ana", "56912345678", "Sí"]);
        assert!(rows[1].is_empty(), "an empty row keeps its place: {rows:?}");
        assert_eq!(rows[2], ["Bruno"]);
    }

    #[test]
    fn media_types() {
        assert_eq!(FileKind::of("text/csv; charset=utf-8", b""), Some(FileKind::Csv));
        assert_eq!(FileKind::of(XLSX_MEDIA_TYPE, b""), Some(FileKind::Xlsx));
        assert_eq!(FileKind::of("application/octet-stream", b"PK\x03\x04..."), Some(FileKind::Xlsx));
        assert_eq!(FileKind::of("application/json", b"{}"), None);
    }
}
