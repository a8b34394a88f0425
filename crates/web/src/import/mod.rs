//! Clients arriving from a spreadsheet (issue 13, item 4): the file read
//! (`table.rs`: CSV with `,` or `;`, UTF-8 or Windows-1252 by
//! `text.rs`, or XLSX), its columns recognised (`headers.rs`) or mapped by
//! hand, each row read into an import line by the forms' parsers
//! (`rows.rs`), and the lines handed to the store a chunk at a time — a
//! dry run in one rolled-back transaction, or a batch in the background
//! (`run`), whose row holds the progress.
//!
//! The file's bytes are held whole (up to `MAX_FILE_BYTES`, the route's
//! own body limit); its rows are not: CSV rows are parsed as the store
//! asks for the next chunk, so a large file is never a vector of parsed
//! lines. (An XLSX sheet is read into rows of text first: calamine's cell
//! reader borrows the workbook.)

pub mod headers;
mod rows;
pub mod table;
mod text;

use std::sync::Arc;

use ficha_domain::{Actor, CustomField, ImportId};
use ficha_store::imports::{RowSource, Target};
use ficha_store::{Store, StoreError};
use jiff::civil::Date;

pub use headers::Column;
pub use rows::{FileLines, LineReader};
pub use table::{FileKind, ReadError};

/// The largest file an import takes: 32 MiB, room for 100 000 clients
/// with a dozen columns (about 15 MB as CSV).
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

/// Lines per store call: one transaction each in a batch (the progress
/// bar moves a chunk at a time).
pub const CHUNK: usize = 500;

/// A file's columns and how each is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub headers: Vec<String>,
    pub columns: Vec<Column>,
}

/// Why a file cannot be imported as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    Read(ReadError),
    /// No column is read as the email, which every line is matched by.
    NoEmailColumn,
    /// A hand mapping names a header the file does not have.
    UnknownHeader(String),
    /// Two columns mapped to one target.
    TargetTwice(Target),
}

impl From<ReadError> for PlanError {
    fn from(error: ReadError) -> Self {
        Self::Read(error)
    }
}

/// Reads the header and decides each column: recognised, then `mapping`
/// (header → column) over it.
pub fn plan(
    kind: FileKind,
    bytes: &[u8],
    fields: &[CustomField],
    mapping: &[(String, Column)],
) -> Result<Plan, PlanError> {
    let table = table::read(kind, bytes)?;
    let mut columns = headers::recognise_all(&table.headers, fields);
    for (header, column) in mapping {
        let index = table
            .headers
            .iter()
            .position(|h| h == header.trim())
            .ok_or_else(|| PlanError::UnknownHeader(header.clone()))?;
        columns[index] = column.clone();
    }
    let mut seen = Vec::new();
    for column in &columns {
        if let Column::Read(target) = column {
            if seen.contains(&target) {
                return Err(PlanError::TargetTwice(target.clone()));
            }
            seen.push(target);
        }
    }
    if !seen.contains(&&Target::Email) {
        return Err(PlanError::NoEmailColumn);
    }
    Ok(Plan { headers: table.headers, columns })
}

/// The file's lines as the plan reads them, `CHUNK` at a time.
pub fn lines(
    kind: FileKind,
    bytes: &[u8],
    plan: &Plan,
    fields: Vec<CustomField>,
    today: Date,
) -> Result<FileLines, ReadError> {
    let table = table::read(kind, bytes)?;
    let columns = plan
        .columns
        .iter()
        .enumerate()
        .filter_map(|(i, column)| match column {
            Column::Read(target) => Some((i, plan.headers[i].clone(), target.clone())),
            Column::System | Column::Ignored => None,
        })
        .collect();
    let reader = LineReader { columns, fields, today };
    Ok(FileLines::new(table.rows, table.first_line, reader, CHUNK))
}

/// How many lines the file has (rows with anything in them), for the
/// progress bar; `Err` when it breaks off unreadable.
pub fn count_lines(kind: FileKind, bytes: &[u8]) -> Result<u64, ReadError> {
    let mut count = 0;
    for row in table::read(kind, bytes)?.rows {
        if row?.iter().any(|cell| !cell.trim().is_empty()) {
            count += 1;
        }
    }
    Ok(count)
}

/// Writes a batch's lines a chunk at a time, then finishes it: `done`, or
/// `failed` with the reason when the file or the store broke off (the
/// chunks written stay, and the batch can be undone). Meant to run on its
/// own task; the batch's row tells anyone polling how far it got.
pub async fn run(store: Arc<dyn Store>, actor: Actor, batch: ImportId, mut lines: FileLines) {
    let failure = loop {
        let Some(chunk) = lines.next_chunk() else {
            break lines.failure.map(|error| match error {
                ReadError::Unreadable { line: Some(line) } => format!("unreadable at line {line}"),
                _ => "unreadable file".to_owned(),
            });
        };
        if let Err(error) = store.import_rows(&actor, batch, chunk).await {
            tracing::error!(error = &error as &dyn std::error::Error, %batch, "client import failed");
            break Some(failure_text(&error));
        }
    };
    if let Err(error) = store.finish_import(&actor, batch, failure).await {
        tracing::error!(error = &error as &dyn std::error::Error, %batch, "client import not finished");
    }
}

fn failure_text(error: &StoreError) -> String {
    match error {
        StoreError::EmailTaken { .. } => "an email was taken by another write meanwhile".to_owned(),
        _ => "storage failed".to_owned(),
    }
}
