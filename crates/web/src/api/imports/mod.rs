//! Client imports (`crate::import`): `POST /clients/import` takes the file
//! as the raw body (`text/csv` or the XLSX media type), with
//! `dry_run=true|false` (default false), `existing=update|skip` (default
//! update), `mapping` (a JSON object, header → `name`, `email`, `phone`,
//! `rut`, `birth_date`, `field:<key>` or `ignore`, over what the headers
//! say) and `file_name`. A dry run answers 200 with every line's outcome;
//! an import answers 202 with the batch, written in the background, which
//! `GET /imports/{id}` follows and `POST /imports/{id}/undo` undoes.
//! Owners only.

mod view;

pub(crate) use view::problem_json;

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ficha_domain::{Actor, CustomField, ImportId};
use ficha_store::Store;
use ficha_store::imports::{Counts, Existing, NewImport, Target};

use crate::AppState;
use crate::api::clients::business_today;
use crate::auth::Owner;
use crate::i18n::Lang;
use crate::import::{self, Column, FileKind, PlanError, ReadError};
use crate::problem::{ApiError, FieldProblem, FieldProblemKind, ImportFileProblem};

pub use crate::import::MAX_FILE_BYTES;

const PARAMETERS: &[&str] = &["dry_run", "existing", "mapping", "file_name"];
const BOOLEANS: &[&str] = &["true", "false"];
const EXISTING: &[&str] = &["update", "skip"];

/// The refused lines a batch's answer lists; the counts say how many in all.
const LISTED_PROBLEMS: u32 = 1000;

struct Request {
    dry_run: bool,
    existing: Existing,
    mapping: Vec<(String, Column)>,
    file_name: Option<String>,
}

pub async fn import(
    State(state): State<AppState>,
    Owner(actor): Owner,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request = request_of(&params)?;
    let media_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let kind = FileKind::of(media_type, &body).ok_or(ApiError::ImportMediaType)?;
    let fields = state.store.list_fields(&actor, false).await?;
    let plan = import::plan(kind, &body, &fields, &request.mapping).map_err(plan_problem)?;
    let today = business_today(&state, &actor).await?;
    let lang = Lang::from_headers(&headers);
    let mut lines = import::lines(kind, &body, &plan, fields.clone(), today).map_err(read_problem)?;

    if request.dry_run {
        let reports = state.store.dry_run_import(&actor, request.existing, &mut lines).await?;
        if let Some(error) = lines.failure {
            return Err(read_problem(error));
        }
        let body = serde_json::json!({
            "dry_run": true,
            "existing": request.existing.as_str(),
            "columns": view::columns_json(&plan),
            "counts": view::counts_json(&Counts::of(&reports)),
            "rows": reports.iter().map(|r| view::row_json(r, &fields, lang)).collect::<Vec<_>>(),
        });
        return Ok(Json(body).into_response());
    }

    // The whole file is read once before anything is written, so a file
    // that breaks off unreadable imports nothing.
    let total_rows = import::count_lines(kind, &body).map_err(read_problem)?;
    let default_name = match kind {
        FileKind::Csv => "clientes.csv",
        FileKind::Xlsx => "clientes.xlsx",
    };
    let file_name = request.file_name.unwrap_or_else(|| default_name.to_owned());
    let new = NewImport { existing: request.existing, file_name, total_rows };
    let batch = state.store.open_import(&actor, new).await?;
    tracing::info!(batch = %batch.id, rows = total_rows, "client import started");
    let store: Arc<dyn Store> = state.store.clone();
    tokio::spawn(import::run(store, actor, batch.id, lines));

    let mut response = (StatusCode::ACCEPTED, Json(view::batch_json(&batch, &[], &fields, lang))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/imports/{}", batch.id)) {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

pub async fn read(
    State(state): State<AppState>,
    Owner(actor): Owner,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id: ImportId = id.parse().map_err(|_| ApiError::NotFound)?;
    let batch = state.store.get_import(&actor, id).await?;
    Ok(Json(answer(&state, &actor, &batch, Lang::from_headers(&headers)).await?))
}

pub async fn undo(
    State(state): State<AppState>,
    Owner(actor): Owner,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id: ImportId = id.parse().map_err(|_| ApiError::NotFound)?;
    let batch = state.store.undo_import(&actor, id).await?;
    tracing::info!(batch = %batch.id, "client import undone");
    Ok(Json(answer(&state, &actor, &batch, Lang::from_headers(&headers)).await?))
}

/// The batch with its refused lines (once it is no longer running).
async fn answer(
    state: &AppState,
    actor: &Actor,
    batch: &ficha_store::imports::ImportBatch,
    lang: Lang,
) -> Result<serde_json::Value, ApiError> {
    let problems = match batch.status {
        ficha_store::imports::Status::Running => Vec::new(),
        _ => state.store.import_problems(actor, batch.id, LISTED_PROBLEMS).await?,
    };
    let fields: Vec<CustomField> = state.store.list_fields(actor, true).await?;
    Ok(view::batch_json(batch, &problems, &fields, lang))
}

/// The parameters, every problem at once.
fn request_of(params: &[(String, String)]) -> Result<Request, ApiError> {
    let mut request = Request { dry_run: false, existing: Existing::Update, mapping: Vec::new(), file_name: None };
    let mut problems = Vec::new();
    for (name, value) in params {
        match (name.as_str(), value.as_str()) {
            ("dry_run", "true") => request.dry_run = true,
            ("dry_run", "false") => request.dry_run = false,
            ("dry_run", _) => {
                problems.push(FieldProblem::new("dry_run", FieldProblemKind::NotOneOf { allowed: BOOLEANS }))
            }
            ("existing", text) => match Existing::parse(text) {
                Some(existing) => request.existing = existing,
                None => problems.push(FieldProblem::new("existing", FieldProblemKind::NotOneOf { allowed: EXISTING })),
            },
            ("mapping", text) => match mapping_of(text) {
                Some(mapping) => request.mapping = mapping,
                None => problems
                    .push(FieldProblem::new("mapping", FieldProblemKind::ImportFile(ImportFileProblem::BadMapping))),
            },
            ("file_name", text) => {
                let text = text.trim();
                if text.chars().count() > 200 || text.chars().any(char::is_control) {
                    let error = ficha_domain::FieldError::TooLong { max: 200 };
                    problems.push(FieldProblem::new("file_name", FieldProblemKind::Invalid(error)));
                } else if !text.is_empty() {
                    request.file_name = Some(text.to_owned());
                }
            }
            (other, _) => problems.push(FieldProblem::new(other, FieldProblemKind::Unknown { allowed: PARAMETERS })),
        }
    }
    if problems.is_empty() { Ok(request) } else { Err(ApiError::InvalidQuery(problems)) }
}

/// `{"header": "target", …}`; `None` for anything else.
fn mapping_of(text: &str) -> Option<Vec<(String, Column)>> {
    let serde_json::Value::Object(object) = serde_json::from_str(text).ok()? else { return None };
    object
        .into_iter()
        .map(|(header, target)| {
            let column = match target.as_str()? {
                "ignore" => Column::Ignored,
                target => Column::Read(Target::parse(target)?),
            };
            Some((header, column))
        })
        .collect()
}

fn read_problem(error: ReadError) -> ApiError {
    let problem = match error {
        ReadError::Empty => ImportFileProblem::Empty,
        ReadError::Unreadable { line } => ImportFileProblem::Unreadable { line },
    };
    ApiError::Validation(vec![FieldProblem::new("file", FieldProblemKind::ImportFile(problem))])
}

fn plan_problem(error: PlanError) -> ApiError {
    let (field, problem) = match error {
        PlanError::Read(error) => return read_problem(error),
        PlanError::NoEmailColumn => ("file", ImportFileProblem::NoEmailColumn),
        PlanError::UnknownHeader(header) => ("mapping", ImportFileProblem::UnknownColumn { header }),
        PlanError::TargetTwice(target) => ("mapping", ImportFileProblem::TargetTwice { target: target.code() }),
    };
    ApiError::Validation(vec![FieldProblem::new(field, FieldProblemKind::ImportFile(problem))])
}
