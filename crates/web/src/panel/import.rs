//! Clientes → "Importar clientes" (owners): upload a file
//! (`/clientes/importar`), which waits in a staged batch in the database
//! so any instance serves the next step; then the batch's page
//! (`/clientes/importar/{id}`): while staged, the mapping step (each
//! column with what it was recognised as, "No importar" otherwise, and
//! update or skip existing clients), whose GET form opens the dry run
//! (`import_review.rs`); while running, a progress bar that refreshes
//! itself (a meta refresh: the CSP allows no inline script) and so
//! survives a reload; once done, the counts, the refused rows and
//! "Deshacer importación".

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{CustomField, ImportId};
use ficha_store::imports::{Existing, ImportBatch, ImportRefused, Status, Target};
use ficha_store::{Store, StoreError};
use serde::Deserialize;

use super::error::{PanelError, page_with, path_id};
use super::form::OwnerSubmitted;
use super::format::date_time;
use super::layout::{Chrome, Section};
use super::session::{CSRF_FIELD, OwnerStaffer, Staffer, same_secret};
use crate::AppState;
use crate::import::{self, Column, FileKind, Plan};

/// One column of the mapping step.
pub struct ColumnRow {
    pub index: usize,
    pub header: String,
    /// The first line's cell, to tell the column by.
    pub sample: String,
    pub choices: Vec<Choice>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// What a column may be read as, in the panel's words: "No importar", the
/// general fields, a general note, then the business's custom fields by
/// label.
pub fn choices(fields: &[CustomField], chosen: &Column) -> Vec<Choice> {
    let mut options: Vec<(String, String)> = vec![
        ("ignore".into(), "No importar".into()),
        ("name".into(), "Nombre".into()),
        ("email".into(), "Correo".into()),
        ("phone".into(), "Teléfono".into()),
        ("rut".into(), "RUT".into()),
        ("birth_date".into(), "Fecha de nacimiento".into()),
        ("note".into(), "Nota (se agrega al perfil)".into()),
    ];
    options.extend(
        fields.iter().filter(|f| !f.is_archived()).map(|f| (Target::Custom(f.key.clone()).code(), f.label.to_string())),
    );
    let chosen = match chosen {
        Column::Read(target) => target.code(),
        Column::System | Column::Ignored => "ignore".into(),
    };
    options.into_iter().map(|(value, label)| Choice { selected: value == chosen, value, label }).collect()
}

/// The mapping a form sent: `c{index}` → target code (absent or
/// `ignore`: not imported).
pub fn mapping_from(
    plan: &Plan,
    value_of: impl Fn(&str) -> Option<String>,
) -> Result<Vec<(String, Column)>, PanelError> {
    let mut mapping = Vec::new();
    for (index, header) in plan.headers.iter().enumerate() {
        let Some(value) = value_of(&format!("c{index}")) else { continue };
        let column = match value.as_str() {
            "ignore" => Column::Ignored,
            code => Column::Read(Target::parse(code).ok_or(PanelError::BadRequest("Esa columna no existe."))?),
        };
        mapping.push((header.clone(), column));
    }
    Ok(mapping)
}

pub fn existing_from(value: &str) -> Result<Existing, PanelError> {
    match value {
        "" => Ok(Existing::Update),
        text => Existing::parse(text).ok_or(PanelError::BadRequest("Esa opción no existe.")),
    }
}

/// Why a file or its columns cannot be imported, in Spanish.
pub fn plan_error(error: &import::PlanError) -> String {
    match error {
        import::PlanError::Read(import::ReadError::Empty) => {
            "El archivo está vacío: debe tener una fila de encabezados y los clientes debajo.".into()
        }
        import::PlanError::Read(import::ReadError::Unreadable { .. }) => {
            "No se pudo leer el archivo. Guárdalo como CSV (separado por comas o punto y coma) o como libro de Excel (.xlsx).".into()
        }
        import::PlanError::NoEmailColumn => {
            "Falta la columna del correo: cada cliente se reconoce por su correo. Elige qué columna lo tiene.".into()
        }
        import::PlanError::UnknownHeader(header) => format!("El archivo no tiene una columna «{header}»."),
        import::PlanError::TargetTwice(_) => {
            "Dos columnas van al mismo dato: elige una y deja la otra en «No importar».".into()
        }
    }
}

#[derive(Template)]
#[template(path = "panel/import_upload.html")]
struct UploadPage {
    chrome: Chrome,
    error: Option<String>,
    max_mb: usize,
}

fn upload_page(staffer: &Staffer, status: StatusCode, error: Option<String>) -> Result<Response, PanelError> {
    let page =
        UploadPage { chrome: Chrome::new(staffer, Section::Clients), error, max_mb: import::MAX_FILE_BYTES >> 20 };
    page_with(status, &page)
}

pub async fn upload_form(OwnerStaffer(staffer): OwnerStaffer) -> Result<Response, PanelError> {
    upload_page(&staffer, StatusCode::OK, None)
}

/// The upload: a multipart form with the session's token and the file.
pub async fn upload(
    State(state): State<AppState>,
    OwnerStaffer(staffer): OwnerStaffer,
    mut multipart: Multipart,
) -> Result<Response, PanelError> {
    let unreadable = |_| PanelError::BadRequest("El formulario no se pudo leer.");
    let (mut token, mut file, mut file_name) = (String::new(), Vec::new(), String::new());
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some(CSRF_FIELD) => token = field.text().await.map_err(unreadable)?,
            Some("archivo") => {
                file_name = field.file_name().unwrap_or("clientes").chars().take(200).collect();
                file = field.bytes().await.map_err(unreadable)?.to_vec();
            }
            _ => {}
        }
    }
    if !same_secret(&token, &staffer.csrf) {
        return Err(PanelError::FormExpired);
    }
    if file.is_empty() {
        let error = "Elige un archivo CSV o Excel (.xlsx) con tus clientes.".to_owned();
        return upload_page(&staffer, StatusCode::UNPROCESSABLE_ENTITY, Some(error));
    }
    let kind = FileKind::of("application/octet-stream", &file).unwrap_or(FileKind::Csv);
    let fields = state.store.list_fields(&staffer.actor, false).await?;
    if let Err(error) = import::plan(kind, &file, &fields, &[]) {
        // A missing email column is fixed in the mapping step.
        if !matches!(error, import::PlanError::NoEmailColumn) {
            return upload_page(&staffer, StatusCode::UNPROCESSABLE_ENTITY, Some(plan_error(&error)));
        }
    }
    let batch = state.store.stage_import(&staffer.actor, file_name, file).await?;
    Ok(Redirect::to(&format!("/clientes/importar/{}", batch.id)).into_response())
}

#[derive(Template)]
#[template(path = "panel/import_map.html")]
struct MapPage {
    chrome: Chrome,
    id: String,
    file_name: String,
    columns: Vec<ColumnRow>,
    skip: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "panel/import_batch.html")]
struct BatchPage {
    chrome: Chrome,
    id: String,
    file_name: String,
    running: bool,
    status: &'static str,
    done: u64,
    total: u64,
    percent: u64,
    created: u64,
    updated: u64,
    unchanged: u64,
    exists: u64,
    refused: u64,
    started: String,
    refused_rows: Vec<super::import_review::ProblemRow>,
    may_undo: bool,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct BatchParams {
    #[serde(default)]
    deshecha: String,
}

/// The staged file, its kind and the business's active fields.
pub async fn staged(
    store: &dyn Store,
    staffer: &Staffer,
    id: ImportId,
) -> Result<(Vec<u8>, FileKind, Vec<CustomField>), PanelError> {
    let file = store.staged_file(&staffer.actor, id).await?;
    let kind = FileKind::of("application/octet-stream", &file).unwrap_or(FileKind::Csv);
    let fields = store.list_fields(&staffer.actor, false).await?;
    Ok((file, kind, fields))
}

pub async fn batch(
    State(state): State<AppState>,
    OwnerStaffer(staffer): OwnerStaffer,
    Path(id): Path<String>,
    Query(params): Query<BatchParams>,
) -> Result<Response, PanelError> {
    let id: ImportId = path_id(&id)?;
    let batch = state.store.get_import(&staffer.actor, id).await?;
    if batch.status == Status::Staged {
        return map_page(&state, &staffer, &batch, None, StatusCode::OK).await;
    }
    let notice = (params.deshecha == "1").then(|| "Listo: la importación se deshizo.".to_owned());
    batch_page(&state, &staffer, &batch, notice, None, StatusCode::OK).await
}

/// The mapping step: each column with what it is read as.
pub async fn map_page(
    state: &AppState,
    staffer: &Staffer,
    batch: &ImportBatch,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PanelError> {
    let (file, kind, fields) = staged(&*state.store, staffer, batch.id).await?;
    let table = import::table::read(kind, &file).map_err(|_| PanelError::BadRequest("El archivo no se pudo leer."))?;
    let columns = import::headers::recognise_all(&table.headers, &fields);
    let first: Vec<String> =
        table.rows.filter_map(Result::ok).find(|r| r.iter().any(|c| !c.trim().is_empty())).unwrap_or_default();
    let rows = table
        .headers
        .iter()
        .zip(&columns)
        .enumerate()
        .map(|(index, (header, column))| ColumnRow {
            index,
            header: header.clone(),
            sample: first.get(index).cloned().unwrap_or_default(),
            choices: choices(&fields, column),
        })
        .collect();
    let page = MapPage {
        chrome: Chrome::new(staffer, Section::Clients),
        id: batch.id.to_string(),
        file_name: batch.file_name.clone(),
        columns: rows,
        skip: batch.existing == Existing::Skip,
        error,
    };
    page_with(status, &page)
}

async fn batch_page(
    state: &AppState,
    staffer: &Staffer,
    batch: &ImportBatch,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PanelError> {
    let running = batch.status == Status::Running;
    let problems =
        if running { Vec::new() } else { state.store.import_problems(&staffer.actor, batch.id, 1000).await? };
    let fields = state.store.list_fields(&staffer.actor, true).await?;
    let counts = batch.counts;
    let done = counts.total();
    let page = BatchPage {
        chrome: Chrome::new(staffer, Section::Clients),
        id: batch.id.to_string(),
        file_name: batch.file_name.clone(),
        running,
        status: match batch.status {
            Status::Staged | Status::Running => "En curso",
            Status::Done => "Terminada",
            Status::Failed => "Interrumpida",
            Status::Undone => "Deshecha",
        },
        done,
        total: batch.total_rows,
        percent: (done * 100).checked_div(batch.total_rows).unwrap_or(100).min(100),
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        exists: counts.exists,
        refused: counts.refused,
        started: date_time(batch.started_at, &staffer.zone()),
        refused_rows: problems.iter().map(|r| super::import_review::problem_row(r, &fields)).collect(),
        may_undo: matches!(batch.status, Status::Done | Status::Failed) && counts.created + counts.updated > 0,
        notice,
        error,
    };
    page_with(status, &page)
}

/// "Importar": the staged file, mapped as the form says, written in the
/// background.
pub async fn start(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let id: ImportId = path_id(&id)?;
    let (file, kind, fields) = staged(&*state.store, &staffer, id).await?;
    let headers =
        import::table::read(kind, &file).map_err(|_| PanelError::BadRequest("El archivo no se pudo leer."))?.headers;
    let recognised = Plan { columns: import::headers::recognise_all(&headers, &fields), headers };
    let mapping = mapping_from(&recognised, |name| Some(form.get(name).to_owned()).filter(|v| !v.is_empty()))?;
    let existing = existing_from(form.get("existentes"))?;
    let batch = state.store.get_import(&staffer.actor, id).await?;
    let plan = match import::plan(kind, &file, &fields, &mapping) {
        Ok(plan) => plan,
        Err(error) => {
            return map_page(&state, &staffer, &batch, Some(plan_error(&error)), StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    let today = state.clock.now().to_zoned(staffer.zone()).date();
    let lines = import::lines(kind, &file, &plan, fields, today)
        .map_err(|_| PanelError::BadRequest("El archivo no se pudo leer."))?;
    let total = import::count_lines(kind, &file).map_err(|_| PanelError::BadRequest("El archivo no se pudo leer."))?;
    let batch = state.store.start_staged(&staffer.actor, id, existing, total).await?;
    tracing::info!(batch = %batch.id, rows = total, "client import started (panel)");
    tokio::spawn(import::run(state.store.clone(), staffer.actor, batch.id, lines));
    Ok(Redirect::to(&format!("/clientes/importar/{id}")).into_response())
}

/// "Deshacer importación".
pub async fn undo(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OwnerSubmitted { staffer, .. }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let id: ImportId = path_id(&id)?;
    let refusal = match state.store.undo_import(&staffer.actor, id).await {
        Ok(_) => return Ok(Redirect::to(&format!("/clientes/importar/{id}?deshecha=1")).into_response()),
        Err(StoreError::ImportRefused(refused)) => refused,
        Err(error) => return Err(error.into()),
    };
    let message = match refusal {
        // No line: a note of the batch that a merge moved was edited.
        ImportRefused::ChangedSince { lines } if lines.is_empty() => {
            "No se deshizo nada: una nota que la importación agregó se editó después, y deshacer perdería ese cambio."
                .into()
        }
        ImportRefused::ChangedSince { lines } => format!(
            "No se deshizo nada: los clientes de las filas {} cambiaron después de importarlos (se editaron, agendaron, recibieron notas, se editó una nota que la importación agregó, o se eliminaron), y deshacer perdería esos cambios.",
            lines.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
        ),
        ImportRefused::Running => "Espera a que la importación termine para deshacerla.".into(),
        ImportRefused::AlreadyUndone => "Esta importación ya se deshizo.".into(),
        ImportRefused::NotRunning | ImportRefused::NotStarted => "Esta importación no se puede deshacer.".into(),
    };
    let batch = state.store.get_import(&staffer.actor, id).await?;
    batch_page(&state, &staffer, &batch, None, Some(message), StatusCode::CONFLICT).await
}
