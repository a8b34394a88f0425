//! `GET /clients/export`: the business's clients as CSV or XLSX, the whole
//! list or, with `q`, a search's results (`crate::export`). Owners only; a
//! professional gets 403 `owner_only`. `sensitive=true` puts in the
//! sensitive custom fields.

use axum::extract::{Query, State};
use axum::response::Response;
use ficha_domain::FieldError;
use ficha_store::search::{self, QueryError, SearchQuery};

use crate::AppState;
use crate::auth::Owner;
use crate::export::{self, Export, ExportError, Format, MAX_XLSX_ROWS, Separator};
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

const PARAMETERS: &[&str] = &["format", "q", "sensitive", "separator"];
const FORMATS: &[&str] = &["csv", "xlsx"];
const BOOLEANS: &[&str] = &["true", "false"];
const SEPARATORS: &[&str] = &["semicolon", "comma"];

pub async fn export(
    State(state): State<AppState>,
    Owner(actor): Owner,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let request = export_of(&params)?;
    let format = request.format;
    export::response(state.store.clone(), actor, request, state.clock.now()).await.map_err(|error| match error {
        ExportError::Store(error) => error.into(),
        ExportError::TooManyForXlsx if format == Format::Xlsx => ApiError::InvalidQuery(vec![FieldProblem::new(
            "format",
            FieldProblemKind::TooManyRows { max: MAX_XLSX_ROWS },
        )]),
        ExportError::TooManyForXlsx => ApiError::Internal,
    })
}

/// The parameters, every problem at once.
fn export_of(params: &[(String, String)]) -> Result<Export, ApiError> {
    let mut export = Export { format: Format::Csv, search: None, sensitive: false, separator: Separator::default() };
    let mut problems = Vec::new();
    for (name, value) in params {
        match (name.as_str(), value.as_str()) {
            ("format", "csv") => export.format = Format::Csv,
            ("format", "xlsx") => export.format = Format::Xlsx,
            ("format", _) => {
                problems.push(FieldProblem::new("format", FieldProblemKind::NotOneOf { allowed: FORMATS }))
            }
            ("sensitive", "true") => export.sensitive = true,
            ("sensitive", "false") => export.sensitive = false,
            ("sensitive", _) => {
                problems.push(FieldProblem::new("sensitive", FieldProblemKind::NotOneOf { allowed: BOOLEANS }))
            }
            ("separator", "semicolon") => export.separator = Separator::Semicolon,
            ("separator", "comma") => export.separator = Separator::Comma,
            ("separator", _) => {
                problems.push(FieldProblem::new("separator", FieldProblemKind::NotOneOf { allowed: SEPARATORS }))
            }
            // An empty search is the whole list, as on `GET /clients`.
            ("q", text) if text.trim().is_empty() => export.search = None,
            ("q", text) => match SearchQuery::parse(text.trim()) {
                Ok(query) => export.search = Some(query),
                Err(QueryError::TooLong) => problems.push(FieldProblem::new(
                    "q",
                    FieldProblemKind::Invalid(FieldError::TooLong { max: search::MAX_QUERY_CHARS }),
                )),
            },
            (other, _) => problems.push(FieldProblem::new(other, FieldProblemKind::Unknown { allowed: PARAMETERS })),
        }
    }
    if problems.is_empty() { Ok(export) } else { Err(ApiError::InvalidQuery(problems)) }
}
