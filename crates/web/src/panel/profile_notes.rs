//! The profile's "Notas": general notes, newest first, the first few shown
//! and the rest a "Ver más" away (a profile with hundreds of notes stays
//! fast); a form to add one; edit and delete where the viewer may (authors
//! their own, owners any). The store enforces the same rule on every write.

use ficha_domain::{ClientId, FieldError, Note, NoteId, NoteText, Viewer, Who};

use super::error::PanelError;
use super::format::{date_time, query};
use super::session::Staffer;
use crate::AppState;

/// Notes shown at first; "Ver más" adds this many each time.
pub const NOTES_SHOWN: usize = 20;

pub struct NoteRow {
    pub id: String,
    pub author: String,
    pub when: String,
    /// When the text last changed, if ever.
    pub edited: String,
    pub text: String,
    pub may_change: bool,
    /// The text in the edit box (what was typed, after a refused edit).
    pub draft: String,
    pub error: Option<String>,
}

pub struct NotesSection {
    pub rows: Vec<NoteRow>,
    pub total: usize,
    pub more_href: Option<String>,
    /// The add form's text and error, after a refused add.
    pub draft: String,
    pub error: Option<String>,
}

/// How people read an author or an actor.
pub fn who_name(who: &Who) -> String {
    match who {
        Who::Staff { name, .. } => name.clone(),
        Who::Integration => "Integración (API)".into(),
        Who::System => "Sistema".into(),
        Who::Client => "El cliente (Mi cuenta)".into(),
    }
}

/// Why a note's text was refused, next to its box.
pub fn text_error(error: &FieldError, typed: &str) -> String {
    crate::problem::note_message(error, Some(typed.trim().chars().count()), crate::i18n::Lang::Es)
}

impl NotesSection {
    pub async fn load(state: &AppState, staffer: &Staffer, client: ClientId, shown: usize) -> Result<Self, PanelError> {
        let notes = state.store.notes(&Viewer::Staff(staffer.actor), client).await?;
        Ok(Self::new(staffer, client, notes, shown))
    }

    fn new(staffer: &Staffer, client: ClientId, notes: Vec<Note>, shown: usize) -> Self {
        let zone = staffer.zone();
        let total = notes.len();
        let shown = shown.max(NOTES_SHOWN);
        let rows = notes
            .into_iter()
            .take(shown)
            .map(|note| NoteRow {
                id: note.id.to_string(),
                author: who_name(&note.author),
                when: date_time(note.created_at, &zone),
                edited: note.edited_at.map(|t| date_time(t, &zone)).unwrap_or_default(),
                may_change: note.may_be_changed_by(&staffer.actor),
                draft: note.text.as_str().to_owned(),
                text: note.text.as_str().to_owned(),
                error: None,
            })
            .collect();
        let more = (shown + NOTES_SHOWN).to_string();
        let more_href =
            (total > shown).then(|| format!("/clientes/{client}{}#notas", query(&[("notas", more.as_str())])));
        Self { rows, total, more_href, draft: String::new(), error: None }
    }

    /// Shows a refused edit of note `id` with what was typed.
    pub fn refuse_edit(&mut self, id: NoteId, typed: &str, error: String) {
        let id = id.to_string();
        if let Some(row) = self.rows.iter_mut().find(|row| row.id == id) {
            row.draft = typed.to_owned();
            row.error = Some(error);
        }
    }
}

/// The typed text, or the message to show next to the box.
pub fn parse_text(typed: &str) -> Result<NoteText, String> {
    NoteText::parse(typed).map_err(|error| text_error(&error, typed))
}
