//! Clients imported from a file (issue 13, item 4): the rows a reader made
//! of a spreadsheet go through the same checks as the forms, each lands on
//! a profile by its email, and every line that changed something is tagged
//! with its batch so the whole batch can be undone.
//!
//! The web layer reads the file and turns each line's cells into domain
//! values (`ImportRow`, with the problems of cells that do not parse); the
//! store decides what each line does to the business's clients
//! (`flow.rs`, written once over each backend's `ImportTx`).
//!
//! - A **dry run** is the real import inside one transaction that is rolled
//!   back at the end: it reports exactly what the import would do, lines
//!   that repeat an email included.
//! - A **batch** is written a chunk of lines per transaction; its row holds
//!   the counts so far (the progress bar) and, once finished, the refused
//!   lines' problems (the report).
//! - A **note** column adds a general note per line (tagged with its batch),
//!   unless the profile already has a note of that text: importing a file
//!   twice adds nothing the second time.
//! - Each profile a line wrote gets a history entry naming the batch and
//!   its file (`Change::ClientImported`) beside the line's own changes;
//!   undo leaves `Change::ImportUndone` on the profiles it restored.
//! - **Undo** is all or nothing: if a profile the batch wrote has changed
//!   since (its version moved, a created profile has bookings or notes other
//!   than the batch's own, or a note the batch added was edited), nothing is
//!   undone and the lines are named (`ImportRefused::ChangedSince`).
//!
//! Owners only, like the export: a whole client list arriving is the
//! business's act.

pub mod flow;
pub mod record;

use async_trait::async_trait;
use ficha_domain::{
    Actor, BirthDate, ClientId, ClientName, CustomValue, Email, FieldError, FieldKey, ImportId, NoteText, Phone, Rut,
    StaffId,
};
use jiff::Timestamp;

use crate::error::StoreResult;

#[async_trait]
pub trait ImportStore: Send + Sync {
    /// What importing `rows` would do, line by line: the import itself in
    /// one transaction that is rolled back. Nothing changes.
    async fn dry_run_import(
        &self,
        actor: &Actor,
        existing: Existing,
        rows: &mut (dyn RowSource + Send),
    ) -> StoreResult<Vec<RowReport>>;

    /// Opens a batch, `running` with no line done yet.
    async fn open_import(&self, actor: &Actor, new: NewImport) -> StoreResult<ImportBatch>;

    /// Keeps an uploaded file in a `staged` batch while the owner maps its
    /// columns and dry-runs it (the panel's steps): in the database, so any
    /// instance can take the next step.
    async fn stage_import(&self, actor: &Actor, file_name: String, file: Vec<u8>) -> StoreResult<ImportBatch>;

    /// A staged batch's file; `NotFound` once it has started (the file is
    /// forgotten then).
    async fn staged_file(&self, actor: &Actor, batch: ImportId) -> StoreResult<Vec<u8>>;

    /// Starts a staged batch: `running`, its file forgotten.
    async fn start_staged(
        &self,
        actor: &Actor,
        batch: ImportId,
        existing: Existing,
        total_rows: u64,
    ) -> StoreResult<ImportBatch>;

    /// Imports the next lines of a running batch in one transaction, and
    /// counts them in the batch.
    async fn import_rows(&self, actor: &Actor, batch: ImportId, rows: Vec<ImportRow>) -> StoreResult<Vec<RowReport>>;

    /// Ends a running batch: `done`, or `failed` with why.
    async fn finish_import(&self, actor: &Actor, batch: ImportId, failure: Option<String>) -> StoreResult<ImportBatch>;

    async fn get_import(&self, actor: &Actor, batch: ImportId) -> StoreResult<ImportBatch>;

    /// The refused lines of a batch, in the file's order, at most `limit`.
    async fn import_problems(&self, actor: &Actor, batch: ImportId, limit: u32) -> StoreResult<Vec<RowReport>>;

    /// Removes the profiles the batch created, restores the fields it
    /// updated and removes the notes it added, in one transaction; `ImportRefused` when it cannot (nothing
    /// changes then).
    async fn undo_import(&self, actor: &Actor, batch: ImportId) -> StoreResult<ImportBatch>;
}

/// Where the lines of a file come from, a chunk at a time, so that a large
/// file is never held as rows all at once.
pub trait RowSource {
    /// The next lines, or `None` at the end.
    fn next_chunk(&mut self) -> Option<Vec<ImportRow>>;
}

/// What an import does with a line whose email is already a client's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Existing {
    /// Writes the line's non-empty cells over the profile's values.
    #[default]
    Update,
    /// Leaves the profile alone: the line is "ya existe".
    Skip,
}

impl Existing {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Update => "update",
            Self::Skip => "skip",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Update, Self::Skip].into_iter().find(|e| e.as_str() == text)
    }
}

/// What a column of the file is read as.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Name,
    Email,
    Phone,
    Rut,
    BirthDate,
    /// A general note on the profile.
    Note,
    /// A custom field's value, by the field's key.
    Custom(FieldKey),
}

impl Target {
    /// The API's spelling: `name`, `email`, `phone`, `rut`, `birth_date`,
    /// `note`, `field:<key>`.
    pub fn code(&self) -> String {
        match self {
            Self::Name => "name".into(),
            Self::Email => "email".into(),
            Self::Phone => "phone".into(),
            Self::Rut => "rut".into(),
            Self::BirthDate => "birth_date".into(),
            Self::Note => "note".into(),
            Self::Custom(key) => format!("field:{key}"),
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "name" => Self::Name,
            "email" => Self::Email,
            "phone" => Self::Phone,
            "rut" => Self::Rut,
            "birth_date" => Self::BirthDate,
            "note" => Self::Note,
            other => Self::Custom(FieldKey::parse(other.strip_prefix("field:")?).ok()?),
        })
    }
}

/// One line of the file, its cells read into domain values. An empty cell
/// is `None` (or absent from `values`): it leaves the profile's value as it
/// is, so an import fills and corrects but never erases.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportRow {
    /// The line's number as a spreadsheet shows it (the header is 1).
    pub line: u64,
    pub email: Option<Email>,
    pub name: Option<ClientName>,
    pub phone: Option<Phone>,
    pub rut: Option<Rut>,
    pub birth_date: Option<BirthDate>,
    pub values: Vec<(FieldKey, CustomValue)>,
    /// A general note to add (unless the profile has one of this text).
    pub note: Option<NoteText>,
    /// The cells that did not read; a line with any is refused whole.
    pub problems: Vec<CellProblem>,
}

/// Why one cell (or a missing one) refuses its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    /// The column's header in the file; `None` when the file has no column
    /// for a value the line needs (a new profile's name).
    pub column: Option<String>,
    pub target: Target,
    pub error: FieldError,
}

/// What a line did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    /// The profile already holds every value of the line.
    Unchanged,
    /// The email is a client's and the batch skips existing profiles.
    Exists,
    Refused(Vec<CellProblem>),
    /// The email is a blocked profile's (bloqueo): nothing about it changes.
    Blocked,
}

impl Outcome {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Unchanged => "unchanged",
            Self::Exists => "exists",
            Self::Refused(_) => "refused",
            Self::Blocked => "blocked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowReport {
    pub line: u64,
    /// The profile the line landed on (none for a refused line).
    pub client: Option<ClientId>,
    pub outcome: Outcome,
}

/// How many lines had each outcome (blocked lines count as refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub exists: u64,
    pub refused: u64,
}

impl Counts {
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Exists => self.exists += 1,
            Outcome::Refused(_) | Outcome::Blocked => self.refused += 1,
        }
    }

    pub fn of<'a>(reports: impl IntoIterator<Item = &'a RowReport>) -> Self {
        let mut counts = Self::default();
        for report in reports {
            counts.add(&report.outcome);
        }
        counts
    }

    /// Lines done so far.
    pub fn total(&self) -> u64 {
        self.created + self.updated + self.unchanged + self.exists + self.refused
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Uploaded in the panel, not started.
    Staged,
    Running,
    Done,
    Failed,
    Undone,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Staged => "staged",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Undone => "undone",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Staged, Self::Running, Self::Done, Self::Failed, Self::Undone].into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImport {
    pub existing: Existing,
    pub file_name: String,
    /// The file's lines below the header, for the progress bar.
    pub total_rows: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportBatch {
    pub id: ImportId,
    pub status: Status,
    pub existing: Existing,
    pub file_name: String,
    pub total_rows: u64,
    pub counts: Counts,
    pub by: Option<StaffId>,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub undone_at: Option<Timestamp>,
    pub failure: Option<String>,
}

/// Why a batch cannot take a step (more lines, undo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportRefused {
    /// Lines go only to a running batch.
    NotRunning,
    /// A staged batch has imported nothing to undo.
    NotStarted,
    /// Its lines are still being written: it cannot be undone yet.
    Running,
    AlreadyUndone,
    /// These lines' profiles changed after the import (edited, booked,
    /// noted, deleted, a note the line added edited): undoing would lose
    /// that.
    ChangedSince {
        lines: Vec<u64>,
    },
}
