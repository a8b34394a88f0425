//! Reading a note from a request body.

use ficha_domain::NoteText;

use crate::input::JsonObject;
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

const WRITABLE: &[&str] = &["text"];
const READ_ONLY: &[&str] = &["id", "client_id", "author", "created_at", "edited_at", "href"];

/// `{"text": "..."}`: the only field staff write.
pub fn note_text(body: &JsonObject) -> Result<NoteText, ApiError> {
    let mut problems = body.check_fields(WRITABLE, READ_ONLY);
    let text = match body.text("text") {
        Ok(text) => NoteText::parse(text.unwrap_or(""))
            .map_err(|error| problems.push(FieldProblem::new("text", FieldProblemKind::Invalid(error))))
            .ok(),
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    match text {
        Some(text) if problems.is_empty() => Ok(text),
        _ => Err(ApiError::Validation(problems)),
    }
}
