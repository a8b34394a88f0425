//! `GET /clients/{id}/data-file`: everything the business holds on the
//! client as one JSON document (acceso / portabilidad), built by
//! `crate::data_file`. `?private=true` puts in the staff-only notes.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_DISPOSITION;
use axum::response::{IntoResponse, Response};

use super::client_id;
use crate::AppState;
use crate::auth::Caller;
use crate::data_file::json::data_file_json;
use crate::data_file::{DataFile, Reader};
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

const PARAMETERS: &[&str] = &["private"];
const BOOLEANS: &[&str] = &["true", "false"];

pub async fn read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let mut private = false;
    let mut problems = Vec::new();
    for (name, value) in &params {
        match (name.as_str(), value.as_str()) {
            ("private", "true") => private = true,
            ("private", "false") => private = false,
            ("private", _) => {
                problems.push(FieldProblem::new("private", FieldProblemKind::NotOneOf { allowed: BOOLEANS }))
            }
            (other, _) => problems.push(FieldProblem::new(other, FieldProblemKind::Unknown { allowed: PARAMETERS })),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::InvalidQuery(problems));
    }
    let id = client_id(&id)?;
    let file = DataFile::gather(state.store.as_ref(), Reader::Staff { actor, private }, id, state.clock.now()).await?;
    let disposition = format!("attachment; filename=\"datos-{id}.json\"");
    Ok(([(CONTENT_DISPOSITION, disposition)], Json(data_file_json(&file))).into_response())
}
