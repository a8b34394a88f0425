//! Merging two profiles of one person (issue 13): `GET
//! /clients/{id}/merge-preview?absorbed_id=`, `POST /clients/{id}/merge`
//! (`{id}` the surviving profile), `GET /clients/{id}/merges` and `POST
//! /merges/{id}/undo`. Owners (and API tokens) preview and merge, and so
//! do professionals while the business allows it (`/settings/merges`);
//! listing and undoing merges stay the owners'. The store decides and
//! refuses the others with `owner_only`.

use axum::Json;
use axum::extract::{Path, Query, State};
use ficha_domain::{ClientId, GeneralField, MergeId};
use ficha_store::{
    Keep, MergeChoices, MergePreview, MergeRefusal, MergeRequest, MergeSummary, MoveCounts, PreviewRefusal,
};
use serde_json::{Value, json};

use super::clients::client_id;
use super::clients::view::client_json;
use super::custom_fields::view::values_map;
use super::notes::view::who_json;
use crate::AppState;
use crate::auth::Caller;
use crate::input::{JsonObject, Problems};
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

const FIELDS: &[&str] = &["absorbed_id", "keep", "keep_custom", "survivor_version", "absorbed_version"];
const GENERAL: &[&str] = &["name", "email", "phone", "rut", "birth_date"];
const SIDES: &[&str] = &["survivor", "absorbed"];

/// `{"bookings", "to_schedule", …}`: the rows of each kind that move.
pub fn moves_json(moves: &MoveCounts) -> Value {
    json!({
        "bookings": moves.bookings,
        "to_schedule": moves.to_schedule,
        "notes": moves.notes,
        "attention_notes": moves.attention_notes,
        "notifications": moves.messages,
        "history": moves.history,
        "access_log": moves.access_log,
        "data_requests": moves.data_requests,
    })
}

/// A merge: who, when, the absorbed profile as it was, and until when it
/// can be undone.
pub fn merge_json(merge: &MergeSummary) -> Value {
    json!({
        "id": merge.id,
        "survivor_id": merge.survivor,
        "absorbed_id": merge.absorbed,
        "absorbed_name": merge.absorbed_name,
        "absorbed_email": merge.absorbed_email,
        "merged_at": merge.at.to_string(),
        "merged_by": who_json(&merge.who),
        "undone_at": merge.undone_at.map(|t| t.to_string()),
        "undo_until": merge.undo_until.to_string(),
    })
}

fn preview_json(preview: &MergePreview) -> Value {
    let refusal = preview.refusal.as_ref().map(|refusal| match refusal {
        PreviewRefusal::Blocked { client } => json!({ "code": "client_blocked", "client_id": client }),
        PreviewRefusal::Refused(refusal) => {
            let client = match refusal {
                MergeRefusal::OpenDataRequest { client } | MergeRefusal::EmailReused { by: client } => Some(*client),
                _ => None,
            };
            json!({ "code": refusal.code(), "client_id": client })
        }
    });
    json!({
        "survivor": { "client": client_json(&preview.survivor), "custom": values_map(&preview.survivor_values) },
        "absorbed": { "client": client_json(&preview.absorbed), "custom": values_map(&preview.absorbed_values) },
        "differing_fields": preview.differing_fields.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
        "differing_custom": preview.differing_custom.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(),
        "moves": moves_json(&preview.moves),
        "refusal": refusal,
    })
}

/// What a store refusal is on the API: the choices and ids are the
/// body's fields (422, each named); the rest are conflicts (409).
pub fn refusal(refusal: MergeRefusal) -> ApiError {
    match refusal {
        MergeRefusal::SameClient => {
            ApiError::Validation(vec![FieldProblem::new("absorbed_id", FieldProblemKind::MergeSameClient)])
        }
        MergeRefusal::ChoicesMissing { fields, custom } => {
            let general = fields.iter().map(|f| {
                FieldProblem::new(format!("keep.{}", f.as_str()), FieldProblemKind::MergeChoiceMissing { label: None })
            });
            let custom = custom.into_iter().map(|key| {
                let kind = FieldProblemKind::MergeChoiceMissing { label: Some(key.clone()) };
                FieldProblem::new(format!("keep_custom.{key}"), kind)
            });
            ApiError::Validation(general.chain(custom).collect())
        }
        MergeRefusal::UnknownField { key } => ApiError::Validation(vec![FieldProblem::new(
            format!("keep_custom.{key}"),
            FieldProblemKind::NoSuchCustomField,
        )]),
        other => ApiError::MergeRefused(other),
    }
}

/// Each `{"<field>": "survivor" | "absorbed"}` of `keep` or `keep_custom`.
fn sides(body: &JsonObject, field: &str, problems: &mut Problems) -> Vec<(String, Keep)> {
    let Some(object) = problems.read(body.object(field)).flatten() else { return Vec::new() };
    let mut sides = Vec::new();
    for key in object.keys() {
        let name = format!("{field}.{key}");
        match object.get(key) {
            Some(serde_json::Value::String(text)) if Keep::parse(text).is_some() => {
                sides.push((key.to_owned(), Keep::parse(text).unwrap_or(Keep::Survivor)));
            }
            _ => problems.push(&name, FieldProblemKind::NotAChoice { allowed: SIDES }),
        }
    }
    sides
}

fn version(body: &JsonObject, field: &str, problems: &mut Problems) -> Option<i64> {
    problems.read(body.integer(field)).flatten()
}

/// The body of `POST /clients/{id}/merge`.
fn request(survivor: ClientId, body: &JsonObject) -> Result<MergeRequest, ApiError> {
    let mut problems = Problems(body.check_fields(FIELDS, &[]));
    let absorbed = problems.read(body.text("absorbed_id"));
    let absorbed = problems.required("absorbed_id", absorbed.map(|t| t.map(str::to_owned)));
    let absorbed = absorbed.and_then(|text| match text.parse::<ClientId>() {
        Ok(id) => Some(id),
        Err(_) => {
            problems.push("absorbed_id", FieldProblemKind::NotAnId);
            None
        }
    });
    let mut fields = Vec::new();
    for (key, keep) in sides(body, "keep", &mut problems) {
        match GeneralField::parse(&key) {
            Some(field) => fields.push((field, keep)),
            None => problems.push(&format!("keep.{key}"), FieldProblemKind::Unknown { allowed: GENERAL }),
        }
    }
    let custom = sides(body, "keep_custom", &mut problems);
    let survivor_version = version(body, "survivor_version", &mut problems);
    let absorbed_version = version(body, "absorbed_version", &mut problems);
    let absorbed = problems.finish(absorbed)?;
    Ok(MergeRequest {
        survivor,
        absorbed,
        choices: MergeChoices { fields, custom },
        survivor_version,
        absorbed_version,
    })
}

pub async fn preview(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let survivor = client_id(&id)?;
    let mut absorbed = None;
    let mut problems = Vec::new();
    for (name, value) in &params {
        match name.as_str() {
            "absorbed_id" => match value.parse::<ClientId>() {
                Ok(id) => absorbed = Some(id),
                Err(_) => problems.push(FieldProblem::new("absorbed_id", FieldProblemKind::NotAnId)),
            },
            other => problems.push(FieldProblem::new(other, FieldProblemKind::Unknown { allowed: &["absorbed_id"] })),
        }
    }
    let Some(absorbed) = absorbed.filter(|_| problems.is_empty()) else {
        if problems.is_empty() {
            problems
                .push(FieldProblem::new("absorbed_id", FieldProblemKind::Invalid(ficha_domain::FieldError::Required)));
        }
        return Err(ApiError::InvalidQuery(problems));
    };
    let preview = state.store.merge_preview(&actor, survivor, absorbed).await?;
    Ok(Json(preview_json(&preview)))
}

/// Merges and answers `{"merge", "client", "moved"}`: the merge (its id is
/// what undoes it), the survivor as it is now, what moved.
pub async fn merge(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let survivor = client_id(&id)?;
    let request = request(survivor, &body)?;
    let outcome = state.store.merge_clients(&actor, request).await?;
    let merge = state.store.get_merge(&actor, outcome.merge).await?;
    Ok(Json(json!({
        "merge": merge_json(&merge),
        "client": client_json(&outcome.survivor),
        "moved": moves_json(&outcome.moved),
    })))
}

/// The merges the profile survived, newest first.
pub async fn of_client(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let client = client_id(&id)?;
    let merges = state.store.merges_of(&actor, client).await?;
    Ok(Json(json!({ "items": merges.iter().map(merge_json).collect::<Vec<_>>() })))
}

/// Undoes a merge; answers the absorbed profile as it is back.
pub async fn undo(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let merge: MergeId = id.parse().map_err(|_| ApiError::NotFound)?;
    crate::api::notifications::input::nothing(&body)?;
    let client = state.store.undo_merge(&actor, merge).await?;
    Ok(Json(json!({ "client": client_json(&client) })))
}
