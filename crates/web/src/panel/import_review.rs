//! The import's dry run in the panel (`/clientes/importar/{id}/revision`,
//! a GET of the mapping form: it changes nothing): the counts per outcome,
//! the refused rows with each column's problem in the forms' words, "Descargar
//! filas con errores (CSV)" (`…/errores.csv`, the same dry run, the
//! refused rows as the file had them plus an "Errores" column) and the
//! "Importar" form that carries the same choices.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ficha_domain::{CustomField, ImportId};
use ficha_store::imports::{Counts, Existing, Outcome, RowReport};

use super::error::{PanelError, page_with, path_id};
use super::import::{existing_from, map_page, mapping_from, plan_error, staged};
use super::layout::{Chrome, Section};
use super::session::{OwnerStaffer, Staffer};
use crate::AppState;
use crate::api::imports::problem_json;
use crate::export::cells::Cell;
use crate::i18n::Lang;
use crate::import::{self, FileKind, Plan};

/// A refused row: its line and each problem's words.
pub struct ProblemRow {
    pub line: u64,
    pub problems: Vec<String>,
}

pub fn problem_row(report: &RowReport, fields: &[CustomField]) -> ProblemRow {
    let problems = match &report.outcome {
        // The message as the form says it, after the file's column.
        Outcome::Refused(problems) => problems
            .iter()
            .map(|p| {
                let message = problem_json(p, fields, Lang::Es)["message"].as_str().unwrap_or_default().to_owned();
                match &p.column {
                    Some(column) => format!("Columna «{column}»: {message}"),
                    None => message,
                }
            })
            .collect(),
        Outcome::Blocked => {
            vec!["El perfil con este correo está bloqueado: no se modifica hasta que el dueño lo desbloquee.".into()]
        }
        _ => Vec::new(),
    };
    ProblemRow { line: report.line, problems }
}

#[derive(Template)]
#[template(path = "panel/import_review.html")]
struct ReviewPage {
    chrome: Chrome,
    id: String,
    file_name: String,
    counts: Counts,
    skip: bool,
    /// The mapping, to send on with "Importar" and the download.
    hidden: Vec<(String, String)>,
    query: String,
    rows: Vec<ProblemRow>,
}

/// The staged file's dry run with the mapping `params` choose.
async fn dry_run(
    state: &AppState,
    staffer: &Staffer,
    id: ImportId,
    params: &HashMap<String, String>,
) -> Result<Result<(Vec<RowReport>, Vec<u8>, FileKind, Plan, Vec<CustomField>, Existing), String>, PanelError> {
    let (file, kind, fields) = staged(&*state.store, staffer, id).await?;
    let headers =
        import::table::read(kind, &file).map_err(|_| PanelError::BadRequest("El archivo no se pudo leer."))?.headers;
    let recognised = Plan { columns: import::headers::recognise_all(&headers, &fields), headers };
    let mapping = mapping_from(&recognised, |name| params.get(name).cloned().filter(|v| !v.is_empty()))?;
    let existing = existing_from(params.get("existentes").map_or("", String::as_str))?;
    let plan = match import::plan(kind, &file, &fields, &mapping) {
        Ok(plan) => plan,
        Err(error) => return Ok(Err(plan_error(&error))),
    };
    let today = state.clock.now().to_zoned(staffer.zone()).date();
    let mut lines = import::lines(kind, &file, &plan, fields.clone(), today)
        .map_err(|_| PanelError::BadRequest("El archivo no se pudo leer."))?;
    let reports = state.store.dry_run_import(&staffer.actor, existing, &mut lines).await?;
    if lines.failure.is_some() {
        return Ok(Err(plan_error(&import::PlanError::Read(import::ReadError::Unreadable { line: None }))));
    }
    Ok(Ok((reports, file, kind, plan, fields, existing)))
}

/// The choices the form sent, in the order of the columns.
fn choices_of(params: &HashMap<String, String>) -> Vec<(String, String)> {
    let mut hidden: Vec<(String, String)> = params
        .iter()
        .filter(|(name, _)| name.starts_with('c') && name[1..].parse::<usize>().is_ok())
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    hidden.sort_by_key(|(name, _)| name[1..].parse::<usize>().unwrap_or(0));
    if let Some(existing) = params.get("existentes") {
        hidden.push(("existentes".into(), existing.clone()));
    }
    hidden
}

pub async fn review(
    State(state): State<AppState>,
    OwnerStaffer(staffer): OwnerStaffer,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, PanelError> {
    let id: ImportId = path_id(&id)?;
    let batch = state.store.get_import(&staffer.actor, id).await?;
    let (reports, _, _, _, fields, existing) = match dry_run(&state, &staffer, id, &params).await? {
        Ok(done) => done,
        Err(message) => {
            return map_page(&state, &staffer, &batch, Some(message), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let hidden = choices_of(&params);
    let query = serde_urlencoded::to_string(&hidden).unwrap_or_default();
    let rows = reports
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Refused(_) | Outcome::Blocked))
        .map(|r| problem_row(r, &fields))
        .collect();
    let page = ReviewPage {
        chrome: Chrome::new(&staffer, Section::Clients),
        id: id.to_string(),
        file_name: batch.file_name,
        counts: Counts::of(&reports),
        skip: existing == Existing::Skip,
        hidden,
        query,
        rows,
    };
    page_with(StatusCode::OK, &page)
}

/// The refused rows as a CSV to fix and upload again: the file's own
/// columns, then "Errores".
pub async fn errors_csv(
    State(state): State<AppState>,
    OwnerStaffer(staffer): OwnerStaffer,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, PanelError> {
    let id: ImportId = path_id(&id)?;
    let Ok((reports, file, kind, plan, fields, _)) = dry_run(&state, &staffer, id, &params).await? else {
        return Err(PanelError::BadRequest("Esas columnas no se pueden importar."));
    };
    let refused: HashMap<u64, Vec<String>> = reports
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Refused(_) | Outcome::Blocked))
        .map(|r| (r.line, problem_row(r, &fields).problems))
        .collect();
    let table = import::table::read(kind, &file).map_err(|_| PanelError::BadRequest("El archivo no se pudo leer."))?;
    let mut writer =
        csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(vec![0xEF, 0xBB, 0xBF]);
    let mut header = plan.headers.clone();
    header.push("Errores".into());
    let write = |e: csv::Error| {
        tracing::error!(error = &e as &dyn std::error::Error, "rejected rows not written");
        PanelError::Internal
    };
    writer.write_record(&header).map_err(write)?;
    for (line, row) in (table.first_line..).zip(table.rows) {
        let Some(problems) = refused.get(&line) else { continue };
        // Defused again as the export does: the file is opened in a spreadsheet.
        let mut cells: Vec<String> =
            row.unwrap_or_default().into_iter().map(|c| Cell::Typed(c).defused().into_owned()).collect();
        cells.resize(plan.headers.len(), String::new());
        cells.push(problems.join(" "));
        writer.write_record(&cells).map_err(write)?;
    }
    let body = writer.into_inner().map_err(|_| PanelError::Internal)?;
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"filas-con-errores.csv\""));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
