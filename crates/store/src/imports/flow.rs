//! What each line of an import does, and how a batch is undone, written
//! once for both backends over their `ImportTx` (the queries on one open
//! writing transaction, as `bookings::flow`).

use std::collections::HashMap;

use async_trait::async_trait;
use ficha_domain::{
    Actor, BusinessId, Change, Client, ClientChanges, ClientId, CustomField, CustomFieldId, CustomValue, Email,
    FieldError, ImportId, NewClient, NoteId, NoteText,
};
use jiff::Timestamp;

use super::record::{Previous, TagKind, TagRecord, problems_text};
use super::{
    CellProblem, Counts, Existing, ImportBatch, ImportRefused, ImportRow, NewImport, Outcome, RowReport, RowSource,
    Status, Target,
};
use crate::clients::registered;
use crate::custom_fields::record::{read_value, value_text};
use crate::custom_fields::{FieldValue, check_values, values_after};
use crate::error::{StoreError, StoreResult};
use crate::history::value_changes;

/// A profile as a write found it.
#[derive(Debug, Clone)]
pub struct HeldProfile {
    pub client: Client,
    pub blocked: bool,
    pub values: Vec<FieldValue>,
}

/// A general note a batch added, as undo finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchNote {
    pub id: NoteId,
    /// The profile it is on now.
    pub client: ClientId,
    pub text: String,
    /// Edited since the import wrote it.
    pub edited: bool,
}

/// A profile a line creates. A chunk's are written together
/// (`ImportTx::insert_clients`), at its end or before a later line of it
/// reads one of them: per line, its three or four statements were most of
/// an import's time (sqlx hands each to SQLite's thread and back).
#[derive(Debug, Clone)]
pub struct NewProfile {
    pub client: Client,
    pub values: Vec<(CustomField, Option<CustomValue>)>,
}

/// What a chunk's lines created and has not written yet: the profiles,
/// then their notes (which need the profile).
#[derive(Debug, Default)]
struct Pending {
    profiles: Vec<NewProfile>,
    notes: Vec<(ClientId, NoteId, NoteText)>,
}

impl Pending {
    fn holds(&self, client: ClientId) -> bool {
        self.profiles.iter().any(|p| p.client.id == client)
    }

    /// Writes what is pending.
    async fn write(&mut self, tx: &mut dyn ImportTx, actor: &Actor, now: Timestamp, run: Run<'_>) -> StoreResult<()> {
        tx.insert_clients(actor.business(), &std::mem::take(&mut self.profiles)).await?;
        for (client, note, text) in std::mem::take(&mut self.notes) {
            tx.insert_note(actor, client, note, &text, now, run.origin.map(|o| o.batch)).await?;
        }
        Ok(())
    }
}

/// The batch a line's writes belong to; a dry run has none (nothing it
/// writes stays).
#[derive(Debug, Clone, Copy)]
struct Origin<'a> {
    batch: ImportId,
    file_name: &'a str,
}

/// How a run treats its lines: existing profiles, the batch (none in a dry
/// run), the business's fields.
#[derive(Debug, Clone, Copy)]
struct Run<'a> {
    existing: Existing,
    origin: Option<Origin<'a>>,
    fields: &'a [CustomField],
}

/// One backend's queries inside one open transaction. Every query binds
/// `business`.
#[async_trait]
pub trait ImportTx: Send {
    /// The business's custom fields, archived ones included.
    async fn fields(&mut self, business: BusinessId) -> StoreResult<Vec<CustomField>>;

    /// The profiles lines with these `emails` land on, as (email key,
    /// profile): the one place where an import matches a line to a
    /// profile (by email key; aliases of merged profiles belong here too).
    /// One query per chunk of lines.
    async fn profiles_by_email(
        &mut self,
        business: BusinessId,
        emails: &[Email],
    ) -> StoreResult<Vec<(String, ClientId)>>;

    /// The profile, held for a write until the transaction ends (PostgreSQL
    /// locks its row); `None` when there is no such profile.
    async fn hold(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Option<HeldProfile>>;

    /// Whether the profile has bookings or notes (which deleting it would
    /// take with it), the notes `batch` added and nobody edited aside.
    async fn has_activity(&mut self, business: BusinessId, client: ClientId, batch: ImportId) -> StoreResult<bool>;

    /// Whether the profile has a general note of exactly this text.
    async fn has_note(&mut self, business: BusinessId, client: ClientId, text: &NoteText) -> StoreResult<bool>;

    /// Adds a general note by `actor`, tagged with `batch` (none in a dry
    /// run).
    async fn insert_note(
        &mut self,
        actor: &Actor,
        client: ClientId,
        note: NoteId,
        text: &NoteText,
        at: Timestamp,
        batch: Option<ImportId>,
    ) -> StoreResult<()>;

    /// The notes `batch` added that still exist, wherever they are now.
    async fn batch_notes(&mut self, business: BusinessId, batch: ImportId) -> StoreResult<Vec<BatchNote>>;

    async fn delete_note(&mut self, business: BusinessId, note: NoteId) -> StoreResult<()>;

    /// Inserts a new profile with its `values` and its search entry.
    async fn insert_client(
        &mut self,
        business: BusinessId,
        client: &Client,
        values: &[(CustomField, Option<CustomValue>)],
    ) -> StoreResult<()>;

    /// Inserts a chunk's new profiles, as `insert_client` does each; a
    /// backend may write them set-based.
    async fn insert_clients(&mut self, business: BusinessId, profiles: &[NewProfile]) -> StoreResult<()> {
        for profile in profiles {
            self.insert_client(business, &profile.client, &profile.values).await?;
        }
        Ok(())
    }

    /// Writes the general fields and the version.
    async fn write_client(&mut self, business: BusinessId, client: &Client) -> StoreResult<()>;

    /// Sets (or, with `None`, removes) one custom value.
    async fn set_value(
        &mut self,
        business: BusinessId,
        client: ClientId,
        field: &CustomField,
        value: Option<&CustomValue>,
    ) -> StoreResult<()>;

    /// Rebuilds the profile's search entry from its rows as written.
    async fn refresh_search(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()>;

    async fn record(&mut self, actor: &Actor, client: ClientId, at: Timestamp, changes: &[Change]) -> StoreResult<()>;

    /// Records the history of a chunk's lines, several profiles', in one
    /// statement, in the order given.
    async fn record_many(&mut self, actor: &Actor, at: Timestamp, entries: &[(ClientId, Change)]) -> StoreResult<()>;

    /// Deletes the profile as `delete_client` does (search entry,
    /// deletion trace).
    async fn delete_client(&mut self, actor: &Actor, client: ClientId, at: Timestamp) -> StoreResult<()>;

    /// Tags a chunk's lines, in one statement.
    async fn tag(&mut self, business: BusinessId, batch: ImportId, tags: &[TagRecord]) -> StoreResult<()>;

    /// The batch's lines of `kinds`, in the file's order, at most `limit`.
    async fn tags(
        &mut self,
        business: BusinessId,
        batch: ImportId,
        kinds: &[TagKind],
        limit: u32,
    ) -> StoreResult<Vec<TagRecord>>;

    /// The batch (held for a write until the transaction ends); `NotFound`
    /// when it is not the business's.
    async fn batch(&mut self, business: BusinessId, batch: ImportId) -> StoreResult<ImportBatch>;

    /// Inserts the batch, with the file of a staged one.
    async fn insert_batch(&mut self, business: BusinessId, batch: &ImportBatch, file: Option<&[u8]>)
    -> StoreResult<()>;

    /// A staged batch's file; `NotFound` when the batch has none.
    async fn staged_file(&mut self, business: BusinessId, batch: ImportId) -> StoreResult<Vec<u8>>;

    /// Writes the status, mode, total, counts, times and failure; the file
    /// goes once the batch is no longer staged.
    async fn save_batch(&mut self, business: BusinessId, batch: &ImportBatch) -> StoreResult<()>;
}

/// The import's steps are the owners'.
pub fn owners_only(actor: &Actor) -> StoreResult<()> {
    if actor.is_owner() { Ok(()) } else { Err(StoreError::OwnerOnly) }
}

/// A new batch, running.
pub async fn open(tx: &mut dyn ImportTx, actor: &Actor, now: Timestamp, new: NewImport) -> StoreResult<ImportBatch> {
    let batch = new_batch(actor, now, new, Status::Running)?;
    tx.insert_batch(actor.business(), &batch, None).await?;
    Ok(batch)
}

/// A new batch holding `file` until it starts.
pub async fn stage(
    tx: &mut dyn ImportTx,
    actor: &Actor,
    now: Timestamp,
    file_name: String,
    file: &[u8],
) -> StoreResult<ImportBatch> {
    let new = NewImport { existing: Existing::Update, file_name, total_rows: 0 };
    let batch = new_batch(actor, now, new, Status::Staged)?;
    tx.insert_batch(actor.business(), &batch, Some(file)).await?;
    Ok(batch)
}

/// A staged batch, started: running, its file forgotten.
pub async fn start(
    tx: &mut dyn ImportTx,
    actor: &Actor,
    now: Timestamp,
    id: ImportId,
    existing: Existing,
    total_rows: u64,
) -> StoreResult<ImportBatch> {
    owners_only(actor)?;
    let mut batch = tx.batch(actor.business(), id).await?;
    if batch.status != Status::Staged {
        return Err(StoreError::ImportRefused(ImportRefused::NotRunning));
    }
    batch.status = Status::Running;
    batch.existing = existing;
    batch.total_rows = total_rows;
    batch.started_at = now;
    tx.save_batch(actor.business(), &batch).await?;
    Ok(batch)
}

fn new_batch(actor: &Actor, now: Timestamp, new: NewImport, status: Status) -> StoreResult<ImportBatch> {
    owners_only(actor)?;
    Ok(ImportBatch {
        id: ImportId::generate(),
        status,
        existing: new.existing,
        file_name: new.file_name,
        total_rows: new.total_rows,
        counts: Counts::default(),
        by: match actor {
            Actor::Staff { staff, .. } => *staff,
            _ => None,
        },
        started_at: now,
        finished_at: None,
        undone_at: None,
        failure: None,
    })
}

/// Every line of `source` as the import would write it; the caller rolls
/// the transaction back.
pub async fn dry_run(
    tx: &mut dyn ImportTx,
    actor: &Actor,
    now: Timestamp,
    existing: Existing,
    source: &mut (dyn RowSource + Send),
) -> StoreResult<Vec<RowReport>> {
    owners_only(actor)?;
    let fields = tx.fields(actor.business()).await?;
    let mut reports = Vec::new();
    while let Some(rows) = source.next_chunk() {
        let run = Run { existing, origin: None, fields: &fields };
        let done = apply_chunk(tx, actor, now, run, rows).await?;
        reports.extend(done.into_iter().map(|(r, _)| r));
    }
    Ok(reports)
}

/// The next lines of a running batch, counted in it.
pub async fn import_rows(
    tx: &mut dyn ImportTx,
    actor: &Actor,
    now: Timestamp,
    id: ImportId,
    rows: Vec<ImportRow>,
) -> StoreResult<Vec<RowReport>> {
    owners_only(actor)?;
    let mut batch = tx.batch(actor.business(), id).await?;
    if batch.status != Status::Running {
        return Err(StoreError::ImportRefused(ImportRefused::NotRunning));
    }
    let fields = tx.fields(actor.business()).await?;
    let mut reports = Vec::with_capacity(rows.len());
    let mut tags = Vec::new();
    let origin = Origin { batch: id, file_name: &batch.file_name };
    let run = Run { existing: batch.existing, origin: Some(origin), fields: &fields };
    let done = apply_chunk(tx, actor, now, run, rows).await?;
    for (report, tag) in done {
        batch.counts.add(&report.outcome);
        reports.push(report);
        tags.extend(tag);
    }
    if !tags.is_empty() {
        tx.tag(actor.business(), id, &tags).await?;
    }
    tx.save_batch(actor.business(), &batch).await?;
    Ok(reports)
}

/// Ends a running batch.
pub async fn finish(
    tx: &mut dyn ImportTx,
    actor: &Actor,
    now: Timestamp,
    id: ImportId,
    failure: Option<String>,
) -> StoreResult<ImportBatch> {
    owners_only(actor)?;
    let mut batch = tx.batch(actor.business(), id).await?;
    if batch.status != Status::Running {
        return Err(StoreError::ImportRefused(ImportRefused::NotRunning));
    }
    batch.status = if failure.is_some() { Status::Failed } else { Status::Done };
    batch.failure = failure;
    batch.finished_at = Some(now);
    tx.save_batch(actor.business(), &batch).await?;
    Ok(batch)
}

/// Lines in turn: each found by email, then created, updated, left or
/// refused; with the tag a batch keeps of a line that wrote or was
/// refused. The chunk's profiles are looked up at once; a profile a line
/// creates is found by the lines after it.
async fn apply_chunk(
    tx: &mut dyn ImportTx,
    actor: &Actor,
    now: Timestamp,
    run: Run<'_>,
    rows: Vec<ImportRow>,
) -> StoreResult<Vec<(RowReport, Option<TagRecord>)>> {
    let emails: Vec<Email> = rows.iter().filter(|r| r.problems.is_empty()).filter_map(|r| r.email.clone()).collect();
    let mut known: HashMap<String, ClientId> =
        tx.profiles_by_email(actor.business(), &emails).await?.into_iter().collect();
    let mut done = Vec::with_capacity(rows.len());
    // The chunk's history, written at once after its lines (one statement
    // per created profile would cost an import of 100 000 lines seconds).
    let mut history = Vec::new();
    let mut pending = Pending::default();
    for row in rows {
        let line = row.line;
        let key = row.email.as_ref().map(Email::key);
        let (report, tag) = decide(tx, actor, now, run, &known, row, (&mut history, &mut pending)).await?;
        if let (Outcome::Created, Some(key), Some(client)) = (&report.outcome, key, report.client) {
            known.insert(key, client);
        }
        done.push((RowReport { line, ..report }, tag.map(|tag| TagRecord { line, ..tag })));
    }
    pending.write(tx, actor, now, run).await?;
    tx.record_many(actor, now, &history).await?;
    Ok(done)
}

fn tag(kind: TagKind, client: Option<ClientId>) -> TagRecord {
    TagRecord { line: 0, kind, client, version_after: None, previous: None, problems: None }
}

fn refused(problems: Vec<CellProblem>) -> (RowReport, Option<TagRecord>) {
    let tag = TagRecord { problems: Some(problems_text(&problems)), ..tag(TagKind::Refused, None) };
    (RowReport { line: 0, client: None, outcome: Outcome::Refused(problems) }, Some(tag))
}

async fn decide(
    tx: &mut dyn ImportTx,
    actor: &Actor,
    now: Timestamp,
    run: Run<'_>,
    known: &HashMap<String, ClientId>,
    row: ImportRow,
    (history, pending): (&mut Vec<(ClientId, Change)>, &mut Pending),
) -> StoreResult<(RowReport, Option<TagRecord>)> {
    let Run { existing, origin, fields } = run;
    let business = actor.business();
    if !row.problems.is_empty() {
        return Ok(refused(row.problems));
    }
    let Some(email) = row.email.clone() else {
        return Ok(refused(vec![CellProblem { column: None, target: Target::Email, error: FieldError::Required }]));
    };
    // The values against the fields as stored now, as a form's save does.
    let typed = row.values.iter().map(|(key, value)| (key.clone(), Some(value.clone()))).collect();
    let values = match check_values(fields, typed) {
        Ok(values) => values,
        Err(refusals) => {
            let problems = refusals
                .into_iter()
                .map(|r| CellProblem { column: None, target: Target::Custom(r.key), error: r.error })
                .collect();
            return Ok(refused(problems));
        }
    };
    let Some(id) = known.get(&email.key()).copied() else {
        return Ok(create(now, origin, (email, row, values), history, pending));
    };
    let outcome = |outcome| RowReport { line: 0, client: Some(id), outcome };
    if existing == Existing::Skip {
        return Ok((outcome(Outcome::Exists), None));
    }
    // A profile an earlier line of the chunk created is written first.
    if pending.holds(id) {
        pending.write(tx, actor, now, run).await?;
    }
    let held = tx.hold(business, id).await?.ok_or(StoreError::NotFound)?;
    if held.blocked {
        return Ok((outcome(Outcome::Blocked), Some(tag(TagKind::Blocked, Some(id)))));
    }
    let current = &held.client;
    let changes = ClientChanges {
        name: row.name.filter(|n| n.as_str() != current.name.as_str()),
        email: None,
        phone: row.phone.filter(|p| current.phone.as_ref().map(|c| c.e164()) != Some(p.e164())).map(Some),
        rut: row.rut.filter(|r| current.rut.map(|c| c.canonical()) != Some(r.canonical())).map(Some),
        birth_date: row.birth_date.filter(|d| current.birth_date.map(|c| c.date()) != Some(d.date())).map(Some),
    };
    let stored =
        |field: &CustomField| held.values.iter().find(|v| v.field.id == field.id).map(|v| value_text(&v.value));
    let changed: Vec<(CustomField, Option<CustomValue>)> =
        values.into_iter().filter(|(field, value)| stored(field) != value.as_ref().map(value_text)).collect();
    // A note the profile already has (this file imported before) is not
    // added twice.
    let note = match row.note {
        Some(note) if !tx.has_note(business, id, &note).await? => Some(note),
        _ => None,
    };
    if changes.is_empty() && changed.is_empty() && note.is_none() {
        return Ok((outcome(Outcome::Unchanged), None));
    }
    let previous = Previous::of(current, changed.iter().map(|(field, _)| (field.id, stored(field))).collect());
    let mut updated = current.clone();
    let mut changes_made = Vec::new();
    // A note alone leaves the profile's data, and so its version, alone.
    if !changes.is_empty() || !changed.is_empty() {
        updated = changes.applied_to(current);
        updated.version += 1;
        changes_made = rewrite(tx, actor, &held, &updated, &changed).await?;
    }
    changes_made.extend(add_note(tx, actor, now, origin, id, note).await?);
    changes_made.extend(origin.map(|o| imported(o, false)));
    history.extend(changes_made.into_iter().map(|change| (id, change)));
    let tag = TagRecord {
        version_after: Some(updated.version),
        previous: Some(previous.to_text()),
        ..tag(TagKind::Updated, Some(id))
    };
    Ok((outcome(Outcome::Updated), Some(tag)))
}

fn create(
    now: Timestamp,
    origin: Option<Origin<'_>>,
    (email, row, values): (Email, ImportRow, Vec<(CustomField, Option<CustomValue>)>),
    history: &mut Vec<(ClientId, Change)>,
    pending: &mut Pending,
) -> (RowReport, Option<TagRecord>) {
    let Some(name) = row.name else {
        return refused(vec![CellProblem { column: None, target: Target::Name, error: FieldError::Required }]);
    };
    let new = NewClient { name, email, phone: row.phone, rut: row.rut, birth_date: row.birth_date };
    let client = registered(new, now);
    let id = client.id;
    let tag = TagRecord { version_after: Some(client.version), ..tag(TagKind::Created, Some(id)) };
    let note = row.note.map(|text| (NoteId::generate(), text));
    let note_added = note.iter().map(|(note, text)| Change::NoteAdded { note: *note, text: text.as_str().to_owned() });
    history.extend(note_added.chain(origin.map(|o| imported(o, true))).map(|change| (id, change)));
    pending.profiles.push(NewProfile { client, values });
    pending.notes.extend(note.map(|(note, text)| (id, note, text)));
    (RowReport { line: 0, client: Some(id), outcome: Outcome::Created }, Some(tag))
}

/// The history entry that names the batch on a profile a line wrote; it
/// is recorded after the line's own changes, so a newest-first history
/// shows it above them.
fn imported(origin: Origin<'_>, created: bool) -> Change {
    Change::ClientImported { batch: origin.batch, file_name: origin.file_name.to_owned(), created }
}

/// Adds the line's note, if any, as the note form does; its history
/// change.
async fn add_note(
    tx: &mut dyn ImportTx,
    actor: &Actor,
    now: Timestamp,
    origin: Option<Origin<'_>>,
    client: ClientId,
    note: Option<NoteText>,
) -> StoreResult<Option<Change>> {
    let Some(text) = note else { return Ok(None) };
    let id = NoteId::generate();
    tx.insert_note(actor, client, id, &text, now, origin.map(|o| o.batch)).await?;
    Ok(Some(Change::NoteAdded { note: id, text: text.as_str().to_owned() }))
}

/// Writes `updated` and the `changed` values over the held profile, with
/// its search entry, as a form's save does; the history changes to record.
async fn rewrite(
    tx: &mut dyn ImportTx,
    actor: &Actor,
    held: &HeldProfile,
    updated: &Client,
    changed: &[(CustomField, Option<CustomValue>)],
) -> StoreResult<Vec<Change>> {
    let business = actor.business();
    let id = held.client.id;
    tx.write_client(business, updated).await?;
    for (field, value) in changed {
        tx.set_value(business, id, field, value.as_ref()).await?;
    }
    tx.refresh_search(business, id).await?;
    let mut history = Change::between(&held.client, updated);
    history.extend(value_changes(&held.values, &values_after(held.values.clone(), changed)));
    Ok(history)
}

/// What undo does to one profile the batch wrote.
struct Undoing {
    /// The batch's first line on the profile: a created profile is removed,
    /// an updated one gets that line's previous values back.
    first: TagRecord,
    /// The version the batch's last line on it left.
    version_after: Option<i64>,
    lines: Vec<u64>,
}

/// Removes what the batch created and restores what it updated, or, when a
/// profile changed since, refuses naming the lines and changes nothing.
pub async fn undo(tx: &mut dyn ImportTx, actor: &Actor, now: Timestamp, id: ImportId) -> StoreResult<ImportBatch> {
    owners_only(actor)?;
    let business = actor.business();
    let mut batch = tx.batch(business, id).await?;
    match batch.status {
        Status::Staged => return Err(StoreError::ImportRefused(ImportRefused::NotStarted)),
        Status::Running => return Err(StoreError::ImportRefused(ImportRefused::Running)),
        Status::Undone => return Err(StoreError::ImportRefused(ImportRefused::AlreadyUndone)),
        Status::Done | Status::Failed => {}
    }
    // A file may name one email on several lines: each profile is undone
    // once, from its first line, and checked against its last.
    let mut profiles: Vec<(ClientId, Undoing)> = Vec::new();
    let mut at: HashMap<ClientId, usize> = HashMap::new();
    for tag in tx.tags(business, id, &[TagKind::Created, TagKind::Updated], u32::MAX).await? {
        let Some(client) = tag.client else { continue };
        match at.get(&client) {
            Some(&i) => {
                let undoing = &mut profiles[i].1;
                undoing.version_after = tag.version_after;
                undoing.lines.push(tag.line);
            }
            None => {
                at.insert(client, profiles.len());
                let undoing = Undoing { version_after: tag.version_after, lines: vec![tag.line], first: tag };
                profiles.push((client, undoing));
            }
        }
    }
    // The notes the batch added: one edited since is someone's work that
    // undo would lose.
    let notes = tx.batch_notes(business, id).await?;
    let mut changed_since = Vec::new();
    for note in notes.iter().filter(|n| n.edited) {
        match at.get(&note.client) {
            Some(&i) => changed_since.extend(profiles[i].1.lines.iter().copied()),
            // Moved to another profile by a merge since: no line of this
            // batch names where it is, yet it was still edited.
            None => changed_since.push(0),
        }
    }
    let mut held = Vec::new();
    for (client, undoing) in profiles {
        let created = undoing.first.kind == TagKind::Created;
        match tx.hold(business, client).await? {
            // A profile the batch created and someone deleted since: gone
            // already.
            None if created => {}
            None => changed_since.extend(undoing.lines),
            Some(profile) => {
                let moved = Some(profile.client.version) != undoing.version_after;
                if moved || (created && tx.has_activity(business, client, id).await?) {
                    changed_since.extend(undoing.lines);
                } else {
                    held.push((undoing.first, profile));
                }
            }
        }
    }
    if !changed_since.is_empty() {
        changed_since.sort_unstable();
        changed_since.dedup();
        changed_since.retain(|&line| line != 0);
        return Err(StoreError::ImportRefused(ImportRefused::ChangedSince { lines: changed_since }));
    }
    let fields = tx.fields(business).await?;
    let origin = Origin { batch: id, file_name: &batch.file_name };
    // The batch's notes by the profile they are on (a batch of 100 000
    // lines is not searched once per profile).
    let mut notes_on: HashMap<ClientId, Vec<BatchNote>> = HashMap::new();
    for note in notes {
        notes_on.entry(note.client).or_default().push(note);
    }
    for (first, profile) in held {
        let client = profile.client.id;
        let notes = notes_on.remove(&client).unwrap_or_default();
        if first.kind == TagKind::Created {
            // Its notes go with it.
            tx.delete_client(actor, client, now).await?;
            continue;
        }
        let previous = Previous::parse(first.previous.as_deref().unwrap_or_default())?;
        let mut restored = previous.restored(&profile.client)?;
        let mut history = Vec::new();
        // A line that only added a note changed no data to restore.
        if !previous.values.is_empty() || !Change::between(&profile.client, &restored).is_empty() {
            restored.version += 1;
            let values = restored_values(&fields, &previous.values)?;
            history = rewrite(tx, actor, &profile, &restored, &values).await?;
        }
        history.extend(remove_notes(tx, business, &notes).await?);
        history.push(undone(origin));
        tx.record(actor, client, now, &history).await?;
    }
    // Notes a merge moved to a profile the batch did not write.
    for (client, notes) in notes_on {
        let mut history = remove_notes(tx, business, &notes).await?;
        history.push(undone(origin));
        tx.record(actor, client, now, &history).await?;
    }
    batch.status = Status::Undone;
    batch.undone_at = Some(now);
    tx.save_batch(business, &batch).await?;
    Ok(batch)
}

fn undone(origin: Origin<'_>) -> Change {
    Change::ImportUndone { batch: origin.batch, file_name: origin.file_name.to_owned() }
}

/// Deletes the batch's `notes` of one profile; their history changes.
async fn remove_notes(tx: &mut dyn ImportTx, business: BusinessId, notes: &[BatchNote]) -> StoreResult<Vec<Change>> {
    let mut history = Vec::new();
    for note in notes {
        tx.delete_note(business, note.id).await?;
        history.push(Change::NoteDeleted { note: note.id, text: note.text.clone() });
    }
    Ok(history)
}

/// The stored previous values as values of their fields; a field deleted
/// since has nothing to restore.
fn restored_values(
    fields: &[CustomField],
    previous: &[(CustomFieldId, Option<String>)],
) -> StoreResult<Vec<(CustomField, Option<CustomValue>)>> {
    let mut values = Vec::new();
    for (id, stored) in previous {
        let Some(field) = fields.iter().find(|f| f.id == *id) else { continue };
        let value = stored.as_deref().map(|s| read_value(field, s)).transpose()?;
        values.push((field.clone(), value));
    }
    Ok(values)
}

/// What a new profile's `values` add to its search entry, in the
/// profile's order (position, then id).
pub fn new_search_texts(values: &[(CustomField, Option<CustomValue>)]) -> Vec<String> {
    let mut present: Vec<&(CustomField, Option<CustomValue>)> = values.iter().filter(|(_, v)| v.is_some()).collect();
    present.sort_by_key(|(field, _)| (field.position, field.id.as_uuid()));
    present.iter().filter_map(|(field, value)| Some(value.as_ref()?.search_text(field))).collect()
}
