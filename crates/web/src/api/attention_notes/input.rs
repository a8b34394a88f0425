//! Reading an attention note from a request body.

use ficha_domain::{NoteText, Visibility};

use crate::input::{JsonObject, Problems};
use crate::problem::{ApiError, FieldProblemKind};

const READ_ONLY: &[&str] = &["id", "booking_id", "client_id", "author", "created_at", "edited_at", "href"];

fn text(problems: &mut Problems, body: &JsonObject) -> Option<NoteText> {
    let typed = problems.read(body.text("text"))?;
    problems.take("text", NoteText::parse(typed.unwrap_or("")))
}

/// `{"kind": "private"|"shared", "text": "..."}`: both required.
pub fn new_note(body: &JsonObject) -> Result<(Visibility, NoteText), ApiError> {
    let mut problems = Problems(body.check_fields(&["kind", "text"], READ_ONLY));
    let kind = match problems.read(body.text("kind")) {
        Some(Some(kind)) => Visibility::parse(kind).or_else(|| {
            problems.push("kind", FieldProblemKind::NotAChoice { allowed: Visibility::NAMES });
            None
        }),
        Some(None) => problems.take("kind", Err(ficha_domain::FieldError::Required)),
        None => None,
    };
    let text = text(&mut problems, body);
    problems.finish(kind.zip(text))
}

/// `{"text": "..."}`: a note's kind is set when it is written.
pub fn edited_text(body: &JsonObject) -> Result<NoteText, ApiError> {
    let mut problems = Problems(body.check_fields(&["text", "kind"], READ_ONLY));
    if body.get("kind").is_some() {
        problems.push("kind", FieldProblemKind::Immutable);
    }
    let text = text(&mut problems, body);
    problems.finish(text)
}
