//! An import's report and batch as JSON: each line's outcome, and a
//! refused line's problems per column in the forms' words.

use ficha_domain::CustomField;
use ficha_store::imports::{CellProblem, Counts, ImportBatch, Outcome, RowReport, Target};
use serde_json::{Value, json};

use crate::i18n::{Lang, field_label};
use crate::import::{Column, Plan};
use crate::problem::{cell_message, note_message};

pub fn counts_json(counts: &Counts) -> Value {
    json!({
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "exists": counts.exists,
        "refused": counts.refused,
    })
}

pub fn columns_json(plan: &Plan) -> Value {
    let columns: Vec<Value> = plan
        .headers
        .iter()
        .zip(&plan.columns)
        .map(|(header, column)| {
            let target = match column {
                Column::Read(target) => target.code(),
                Column::System => "system".to_owned(),
                Column::Ignored => "ignore".to_owned(),
            };
            json!({ "header": header, "target": target })
        })
        .collect();
    Value::Array(columns)
}

/// The API's field name for a target (`name`, `note`, `values.<key>`).
pub fn field_name(target: &Target) -> String {
    match target {
        Target::Custom(key) => format!("values.{key}"),
        other => other.code(),
    }
}

/// One problem of a refused line, in `lang`: the column as the file heads
/// it (or the data's own name when the file has no column for it).
pub fn problem_json(problem: &CellProblem, fields: &[CustomField], lang: Lang) -> Value {
    let field = match &problem.target {
        Target::Custom(key) => fields.iter().find(|f| &f.key == key),
        _ => None,
    };
    let label = match (&problem.column, field, &problem.target) {
        (Some(column), _, _) => column.clone(),
        (None, Some(field), _) => field.label.as_str().to_owned(),
        (None, None, target) => field_label(&target.code(), lang).to_owned(),
    };
    let options = field.map(|f| f.options.as_slice().to_vec());
    // A note's text in the note form's words.
    let message = match problem.target {
        Target::Note => note_message(&problem.error, None, lang),
        _ => cell_message(&problem.error, &label, options.as_deref(), lang),
    };
    json!({
        "column": problem.column,
        "field": field_name(&problem.target),
        "code": problem.error.code(),
        "message": message,
    })
}

pub fn row_json(report: &RowReport, fields: &[CustomField], lang: Lang) -> Value {
    let mut row = json!({
        "line": report.line,
        "outcome": report.outcome.code(),
        "client_id": report.client,
    });
    match &report.outcome {
        Outcome::Refused(problems) => {
            row["errors"] = problems.iter().map(|p| problem_json(p, fields, lang)).collect();
        }
        Outcome::Blocked => {
            let message = lang.pick(
                "El perfil con este correo está bloqueado: no se modifica hasta que el dueño lo desbloquee.",
                "The profile with this email is blocked: it does not change until the owner unblocks it.",
            );
            row["errors"] = json!([{ "column": null, "field": "email", "code": "client_blocked", "message": message }]);
        }
        _ => {}
    }
    row
}

pub fn batch_json(batch: &ImportBatch, problems: &[RowReport], fields: &[CustomField], lang: Lang) -> Value {
    let id = batch.id;
    json!({
        "id": id,
        "status": batch.status.as_str(),
        "existing": batch.existing.as_str(),
        "file_name": batch.file_name,
        "total_rows": batch.total_rows,
        "processed_rows": batch.counts.total(),
        "counts": counts_json(&batch.counts),
        "started_at": batch.started_at.to_string(),
        "finished_at": batch.finished_at.map(|t| t.to_string()),
        "undone_at": batch.undone_at.map(|t| t.to_string()),
        "failure": batch.failure,
        "refused_rows": problems.iter().map(|r| row_json(r, fields, lang)).collect::<Vec<_>>(),
        "links": {
            "self": format!("/api/v1/imports/{id}"),
            "undo": format!("/api/v1/imports/{id}/undo"),
        },
    })
}
