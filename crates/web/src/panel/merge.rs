//! `/clientes/{id}/fusionar`: merging another profile into this one
//! (owners, and professionals while the business allows it: `may_merge`).
//! Without `?con=` the page finds the other profile (by name,
//! email, phone, RUT, or its id); with it, both profiles side by side:
//! which one stays (a link swaps them), a choice for each value both hold
//! differently (the survivor's preselected), what is kept without asking,
//! how many rows move, and "Fusionar". A refusal re-renders the page with
//! its reason; nothing changed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{Client, ClientId, GeneralField};
use ficha_store::search::SearchQuery;
use ficha_store::{
    Keep, MergeChoices, MergePreview, MergeRefusal, MergeRequest, MoveCounts, PreviewRefusal, StoreError,
};
use serde::Deserialize;

use super::error::{PanelError, page_with, path_id};
use super::form::{FormData, Submitted};
use super::format::query;
use super::layout::{Chrome, Section};
use super::profile_history::{field_label, general_value};
use super::session::Staffer;
use crate::AppState;

/// One value both profiles may hold: a choice when they differ.
pub struct ChoiceRow {
    /// The radio group's name: `campo_<field>` or `otro_<key>`.
    pub name: String,
    pub label: String,
    pub survivor: String,
    pub absorbed: String,
    /// Both hold it, differently: the user chooses.
    pub choose: bool,
    pub keep_absorbed: bool,
    /// The choice was missing when the merge was asked for.
    pub missing: bool,
    /// Without a choice: what the merged profile keeps.
    pub kept: String,
}

/// A profile the search found, to merge into this one.
pub struct Candidate {
    pub name: String,
    pub email: String,
    pub href: String,
}

pub struct PreviewView {
    pub survivor_name: String,
    pub survivor_href: String,
    pub absorbed_name: String,
    pub absorbed_href: String,
    pub absorbed_id: String,
    pub swap_href: String,
    pub survivor_version: i64,
    pub absorbed_version: i64,
    pub rows: Vec<ChoiceRow>,
    pub custom_rows: Vec<ChoiceRow>,
    pub moves: Vec<String>,
    /// Why the merge cannot be made now; then there is no button.
    pub refusal: Option<String>,
}

#[derive(Template)]
#[template(path = "panel/merge.html")]
struct MergePage {
    chrome: Chrome,
    action: String,
    name: String,
    profile_href: String,
    q: String,
    searched: bool,
    candidates: Vec<Candidate>,
    preview: Option<PreviewView>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    #[serde(default)]
    con: String,
    #[serde(default)]
    q: String,
}

/// "1 reserva", "2 reservas".
fn counted(n: u64, one: &str, many: &str) -> Option<String> {
    match n {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {many}")),
    }
}

fn moves_lines(moves: &MoveCounts) -> Vec<String> {
    [
        counted(moves.bookings, "reserva", "reservas"),
        counted(moves.to_schedule, "sesión por reservar", "sesiones por reservar"),
        counted(moves.notes, "nota", "notas"),
        counted(moves.attention_notes, "nota de atención", "notas de atención"),
        counted(moves.messages, "mensaje del registro de notificaciones", "mensajes del registro de notificaciones"),
        counted(moves.history, "entrada del historial", "entradas del historial"),
        counted(moves.access_log, "registro de acceso", "registros de acceso"),
        counted(moves.data_requests, "solicitud de datos cerrada", "solicitudes de datos cerradas"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn general_text(field: GeneralField, client: &Client) -> String {
    field.value_of(client).map(|v| general_value(field, &v)).unwrap_or_default()
}

/// The rows of the choice table, every choice as `chosen` says (the
/// survivor's side unless the form said otherwise).
fn rows(preview: &MergePreview, chosen: &FormData, missing: &[String]) -> (Vec<ChoiceRow>, Vec<ChoiceRow>) {
    let row = |name: String, label: String, survivor: String, absorbed: String, choose: bool| {
        let keep_absorbed = chosen.get(&name) == "absorbed";
        let kept = if survivor == absorbed || absorbed.is_empty() {
            survivor.clone()
        } else if survivor.is_empty() {
            absorbed.clone()
        } else {
            String::new()
        };
        ChoiceRow { missing: missing.contains(&name), name, label, survivor, absorbed, choose, keep_absorbed, kept }
    };
    let general = GeneralField::ALL
        .into_iter()
        .map(|field| {
            row(
                format!("campo_{}", field.as_str()),
                field_label(field).to_owned(),
                general_text(field, &preview.survivor),
                general_text(field, &preview.absorbed),
                preview.differing_fields.contains(&field),
            )
        })
        .collect();
    let mut fields: Vec<&ficha_domain::CustomField> = preview.survivor_values.iter().map(|v| &v.field).collect();
    for value in &preview.absorbed_values {
        if !fields.iter().any(|f| f.id == value.field.id) {
            fields.push(&value.field);
        }
    }
    fields.sort_by_key(|f| (f.position, f.id.as_uuid()));
    let shown = |values: &[ficha_store::FieldValue], id| {
        values.iter().find(|v| v.field.id == id).map(|v| v.value.display()).unwrap_or_default()
    };
    let custom = fields
        .into_iter()
        .map(|field| {
            row(
                format!("otro_{}", field.key.as_str()),
                field.label.as_str().to_owned(),
                shown(&preview.survivor_values, field.id),
                shown(&preview.absorbed_values, field.id),
                preview.differing_custom.iter().any(|f| f.id == field.id),
            )
        })
        .collect();
    (general, custom)
}

fn refusal_words(refusal: &PreviewRefusal, preview: &MergePreview) -> String {
    let name_of = |id: ClientId| {
        if id == preview.survivor.id { preview.survivor.name.as_str() } else { preview.absorbed.name.as_str() }
    };
    match refusal {
        PreviewRefusal::Blocked { client } => {
            format!("{} tiene el perfil bloqueado: desbloquéalo antes de fusionar.", name_of(*client))
        }
        PreviewRefusal::Refused(MergeRefusal::OpenDataRequest { client }) => format!(
            "{} tiene una solicitud de datos abierta: respóndela o recházala antes de fusionar (se responde sobre el perfil tal como es).",
            name_of(*client)
        ),
        PreviewRefusal::Refused(MergeRefusal::SameClient) => {
            "Elige otro perfil: un cliente no se fusiona consigo mismo.".to_owned()
        }
        PreviewRefusal::Refused(_) => "Estos perfiles no se pueden fusionar ahora.".to_owned(),
    }
}

fn preview_view(preview: &MergePreview, chosen: &FormData, missing: &[String]) -> PreviewView {
    let (rows, custom_rows) = rows(preview, chosen, missing);
    let (s, a) = (preview.survivor.id, preview.absorbed.id);
    PreviewView {
        survivor_name: preview.survivor.name.as_str().to_owned(),
        survivor_href: format!("/clientes/{s}"),
        absorbed_name: preview.absorbed.name.as_str().to_owned(),
        absorbed_href: format!("/clientes/{a}"),
        absorbed_id: a.to_string(),
        swap_href: format!("/clientes/{a}/fusionar?con={s}"),
        survivor_version: preview.survivor.version,
        absorbed_version: preview.absorbed.version,
        rows,
        custom_rows,
        moves: moves_lines(&preview.moves),
        refusal: preview.refusal.as_ref().map(|r| refusal_words(r, preview)),
    }
}

fn page(staffer: &Staffer, client: &Client) -> MergePage {
    MergePage {
        chrome: Chrome::new(staffer, Section::Clients),
        action: format!("/clientes/{}/fusionar", client.id),
        name: client.name.as_str().to_owned(),
        profile_href: format!("/clientes/{}", client.id),
        q: String::new(),
        searched: false,
        candidates: Vec::new(),
        preview: None,
        error: None,
    }
}

/// Whether `staffer` may merge profiles here: owners always, professionals
/// while the business allows it. The panel shows merge controls only then;
/// the store decides again on every preview and merge.
pub async fn may_merge(state: &AppState, staffer: &Staffer) -> Result<bool, PanelError> {
    Ok(staffer.is_owner() || state.store.professionals_may_merge(&staffer.actor).await?)
}

/// The survivor, or where an absorbed id leads now.
async fn survivor(state: &AppState, staffer: &Staffer, id: ClientId) -> Result<Result<Client, Response>, PanelError> {
    match state.store.get_client(&staffer.actor, id).await {
        Ok(client) => Ok(Ok(client)),
        Err(StoreError::Merged { into }) => {
            Ok(Err(Redirect::to(&format!("/clientes/{into}/fusionar")).into_response()))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn show(
    State(state): State<AppState>,
    staffer: Staffer,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, PanelError> {
    if !may_merge(&state, &staffer).await? {
        return Err(PanelError::OwnersOnly);
    }
    let id: ClientId = path_id(&id)?;
    let client = match survivor(&state, &staffer, id).await? {
        Ok(client) => client,
        Err(redirect) => return Ok(redirect),
    };
    let mut page = page(&staffer, &client);
    if params.con.is_empty() {
        let typed = params.q.trim();
        if let Ok(other) = typed.parse::<ClientId>() {
            return Ok(Redirect::to(&format!("/clientes/{id}/fusionar{}", query(&[("con", &other.to_string())])))
                .into_response());
        }
        page.q = typed.to_owned();
        if let Ok(search) = SearchQuery::parse(typed) {
            let found = state.store.search_clients(&staffer.actor, &search, 0, 10).await?;
            page.candidates = found
                .hits
                .iter()
                .filter(|hit| hit.client.id != id)
                .map(|hit| Candidate {
                    name: hit.client.name.as_str().to_owned(),
                    email: hit.client.email.as_str().to_owned(),
                    href: format!("/clientes/{id}/fusionar?con={}", hit.client.id),
                })
                .collect();
            page.searched = true;
        }
        return page_with(StatusCode::OK, &page);
    }
    let other: ClientId = path_id(&params.con)?;
    let preview = match state.store.merge_preview(&staffer.actor, id, other).await {
        Err(StoreError::Merged { into }) => {
            return Ok(Redirect::to(&format!("/clientes/{id}/fusionar?con={into}")).into_response());
        }
        other => other?,
    };
    page.preview = Some(preview_view(&preview, &FormData::new(Vec::new()), &[]));
    page_with(StatusCode::OK, &page)
}

/// The choices as the form sent them: `campo_<field>` and `otro_<key>`,
/// each `survivor` or `absorbed` (anything else is no choice).
fn choices(form: &FormData, preview: &MergePreview) -> MergeChoices {
    let keep = |name: &str| Keep::parse(form.get(name));
    let fields =
        GeneralField::ALL.into_iter().filter_map(|f| keep(&format!("campo_{}", f.as_str())).map(|k| (f, k))).collect();
    let keys = preview.survivor_values.iter().chain(&preview.absorbed_values).map(|v| v.field.key.as_str().to_owned());
    let mut custom: Vec<(String, Keep)> = Vec::new();
    for key in keys {
        if let Some(k) = keep(&format!("otro_{key}"))
            && !custom.iter().any(|(c, _)| *c == key)
        {
            custom.push((key, k));
        }
    }
    MergeChoices { fields, custom }
}

pub async fn merge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { staffer, form }: Submitted,
) -> Result<Response, PanelError> {
    // The store refuses whoever may not merge (the preview first).
    let id: ClientId = path_id(&id)?;
    let other: ClientId = path_id(form.get("con"))?;
    let version = |name: &str| form.get(name).parse::<i64>().ok();
    let preview = state.store.merge_preview(&staffer.actor, id, other).await?;
    let request = MergeRequest {
        survivor: id,
        absorbed: other,
        choices: choices(&form, &preview),
        survivor_version: version("version_queda"),
        absorbed_version: version("version_se_une"),
    };
    let refused = match state.store.merge_clients(&staffer.actor, request).await {
        Ok(_) => return Ok(Redirect::to(&format!("/clientes/{id}?guardado=fusionado#fusiones")).into_response()),
        Err(error) => error,
    };
    // Refused: the page again, as fresh as the store is now, with why.
    let preview = state.store.merge_preview(&staffer.actor, id, other).await?;
    let (status, error, missing) = match refused {
        StoreError::MergeRefused(MergeRefusal::ChoicesMissing { fields, custom }) => {
            let missing = fields
                .iter()
                .map(|f| format!("campo_{}", f.as_str()))
                .chain(custom.iter().map(|k| format!("otro_{k}")))
                .collect();
            (StatusCode::UNPROCESSABLE_ENTITY, "Elige qué valor conservar en cada campo marcado.", missing)
        }
        StoreError::Stale { .. } => (
            StatusCode::CONFLICT,
            "Uno de los perfiles cambió mientras elegías: revisa los valores de nuevo y confirma.",
            Vec::new(),
        ),
        StoreError::MergeRefused(MergeRefusal::UnknownField { .. }) => (
            StatusCode::CONFLICT,
            "Un campo de «Otros datos» cambió mientras elegías: revisa los valores de nuevo y confirma.",
            Vec::new(),
        ),
        StoreError::MergeRefused(_) | StoreError::ClientBlocked => {
            (StatusCode::CONFLICT, "No se pudo fusionar: revisa el aviso. No se cambió nada.", Vec::new())
        }
        other => return Err(other.into()),
    };
    let client = preview.survivor.clone();
    let mut page = page(&staffer, &client);
    page.preview = Some(preview_view(&preview, &form, &missing));
    page.error = Some(error.to_owned());
    page_with(status, &page)
}
