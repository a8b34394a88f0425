//! The business's own fields, from Configuración.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::fold::fold;
use ficha_domain::{
    ChoiceOptions, CustomField, CustomFieldChanges, CustomFieldId, FieldError, FieldKey, FieldKind, FieldLabel,
    NewCustomField, OptionsError,
};
use ficha_store::StoreError;

use super::SettingsPage;
use crate::AppState;
use crate::i18n::Lang;
use crate::panel::error::{PanelError, page_with};
use crate::panel::form::{FormData, OwnerSubmitted};
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

/// The kinds of field, as owners read them.
pub const KINDS: [(&str, &str); 7] = [
    ("text", "Texto corto"),
    ("long_text", "Texto largo"),
    ("number", "Número"),
    ("date", "Fecha"),
    ("yes_no", "Sí / No"),
    ("single_choice", "Una opción de una lista"),
    ("multi_choice", "Varias opciones de una lista"),
];

fn kind_label(kind: FieldKind) -> &'static str {
    KINDS.iter().find(|(k, _)| *k == kind.as_str()).map_or("", |(_, label)| label)
}

pub struct FieldRow {
    pub id: String,
    pub label: String,
    pub key: String,
    pub kind: &'static str,
    pub has_options: bool,
    /// One option per line, as the edit box shows them.
    pub options: String,
    pub required: bool,
    pub in_booking_form: bool,
    pub visible_to_client: bool,
    pub sensitive: bool,
    pub identifying: bool,
    pub archived: bool,
    pub first: bool,
    pub last: bool,
    pub errors: Vec<String>,
}

impl FieldRow {
    pub fn new(field: &CustomField) -> Self {
        Self {
            id: field.id.to_string(),
            label: field.label.as_str().to_owned(),
            key: field.key.to_string(),
            kind: kind_label(field.kind),
            has_options: field.kind.has_options(),
            options: field.options.as_slice().join("\n"),
            required: field.required,
            in_booking_form: field.in_booking_form,
            visible_to_client: field.visible_to_client,
            sensitive: field.sensitive,
            identifying: field.identifying,
            archived: field.is_archived(),
            first: false,
            last: false,
            errors: Vec::new(),
        }
    }

    pub fn options_inline(&self) -> String {
        self.options.replace('\n', ", ")
    }
}

/// The "new field" form as typed, and its problems.
#[derive(Default)]
pub struct NewFieldForm {
    pub label: String,
    pub kind: String,
    pub options: String,
    pub required: bool,
    pub in_booking_form: bool,
    pub visible_to_client: bool,
    pub sensitive: bool,
    pub identifying: bool,
    pub errors: Vec<String>,
}

fn problem(name: &str, error: FieldError) -> String {
    FieldProblem::new(name, FieldProblemKind::Invalid(error)).message(Lang::Es)
}

/// The options box: one option per line, blank lines ignored.
fn option_lines(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

fn options_problem(error: OptionsError) -> String {
    match error.index {
        Some(index) => format!("Opción {}: {}", index + 1, problem("opción", error.error)),
        None => problem("Opciones", error.error),
    }
}

/// A key for a new field from its label: `Previsión de salud` →
/// `prevision_de_salud`. Owners never type keys; the API shows them.
pub fn key_from_label(label: &str) -> String {
    let mut key = String::new();
    for c in fold(label).chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    let key = key.trim_end_matches('_');
    let key = if key.starts_with(|c: char| c.is_ascii_lowercase()) { key.to_owned() } else { format!("campo_{key}") };
    key.chars().take(ficha_domain::custom_field::MAX_KEY_CHARS).collect::<String>().trim_end_matches('_').to_owned()
}

/// Why the store refused a field, in words for the settings page.
fn store_problem(error: StoreError) -> Result<String, PanelError> {
    match error {
        StoreError::FieldKeyTaken => {
            Ok("Ya existe un campo con ese nombre (quizás archivado). Usa otro nombre, o restaura el campo archivado."
                .into())
        }
        StoreError::OptionsInUse { options } => {
            Ok(ApiError::OptionsInUse { options }.detail(Lang::Es).unwrap_or_default())
        }
        other => Err(other.into()),
    }
}

impl NewFieldForm {
    fn from_form(form: &FormData) -> Self {
        Self {
            label: form.get("etiqueta").to_owned(),
            kind: form.get("tipo").to_owned(),
            options: form.get("opciones").to_owned(),
            required: form.ticked("obligatorio"),
            in_booking_form: form.ticked("en_reserva"),
            visible_to_client: form.ticked("visible_cliente"),
            sensitive: form.ticked("sensible"),
            identifying: form.ticked("identifica"),
            errors: Vec::new(),
        }
    }

    fn parse(&mut self) -> Option<NewCustomField> {
        let label = FieldLabel::parse(&self.label).map_err(|e| self.errors.push(problem("Nombre del campo", e))).ok();
        let key = FieldKey::parse(&key_from_label(&self.label)).ok();
        let kind = FieldKind::parse(&self.kind).map_err(|_| self.errors.push("Elige el tipo del campo.".into())).ok();
        let options = kind.and_then(|kind| {
            ChoiceOptions::parse(kind, &option_lines(&self.options))
                .map_err(|e| self.errors.push(options_problem(e)))
                .ok()
        });
        Some(NewCustomField {
            key: key.filter(|_| label.is_some())?,
            label: label?,
            kind: kind?,
            options: options?,
            required: self.required,
            in_booking_form: self.in_booking_form,
            visible_to_client: self.visible_to_client,
            sensitive: self.sensitive,
            identifying: self.identifying,
            position: None,
        })
    }
}

fn to_settings(notice: &str) -> Response {
    Redirect::to(&format!("/configuracion?aviso={notice}")).into_response()
}

pub async fn create_field(
    State(state): State<AppState>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let mut typed = NewFieldForm::from_form(&form);
    if let Some(new) = typed.parse() {
        match state.store.create_field(&staffer.actor, new).await {
            Ok(_) => return Ok(to_settings("campo-creado")),
            Err(error) => typed.errors.push(store_problem(error)?),
        }
    }
    let mut page = SettingsPage::load(&state, &staffer).await?;
    page.new_field = typed;
    page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

async fn field_of(
    state: &AppState,
    staffer: &crate::panel::session::Staffer,
    id: &str,
) -> Result<CustomField, PanelError> {
    let id: CustomFieldId = id.parse().map_err(|_| PanelError::NotFound)?;
    Ok(state.store.get_field(&staffer.actor, id).await?)
}

pub async fn update_field(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let field = field_of(&state, &staffer, &id).await?;
    let mut errors = Vec::new();
    let label = FieldLabel::parse(form.get("etiqueta")).map_err(|e| errors.push(problem("Nombre del campo", e))).ok();
    let options = if field.kind.has_options() {
        ChoiceOptions::parse(field.kind, &option_lines(form.get("opciones")))
            .map(Some)
            .map_err(|e| errors.push(options_problem(e)))
            .ok()
    } else {
        Some(None)
    };
    if let (Some(label), Some(options)) = (label, options) {
        let changes = CustomFieldChanges {
            label: Some(label),
            options,
            required: Some(form.ticked("obligatorio")),
            in_booking_form: Some(form.ticked("en_reserva")),
            visible_to_client: Some(form.ticked("visible_cliente")),
            sensitive: Some(form.ticked("sensible")),
            identifying: Some(form.ticked("identifica")),
            ..Default::default()
        };
        match state.store.update_field(&staffer.actor, field.id, changes).await {
            Ok(_) => return Ok(to_settings("campo-guardado")),
            Err(error) => errors.push(store_problem(error)?),
        }
    }
    let mut page = SettingsPage::load(&state, &staffer).await?;
    if let Some(row) = page.fields.iter_mut().find(|row| row.id == field.id.to_string()) {
        row.label = form.get("etiqueta").to_owned();
        row.options = form.get("opciones").to_owned();
        row.errors = errors;
    }
    page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// Moves an active field one place up or down, then numbers them all again.
pub async fn move_field(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let field = field_of(&state, &staffer, &id).await?;
    let mut order: Vec<CustomField> = state.store.list_fields(&staffer.actor, false).await?;
    let at = order.iter().position(|f| f.id == field.id).ok_or(PanelError::NotFound)?;
    let to = match form.get("hacia") {
        "arriba" => at.checked_sub(1),
        "abajo" => Some(at + 1).filter(|to| *to < order.len()),
        _ => return Err(PanelError::BadRequest("Solo se puede mover hacia arriba o hacia abajo.")),
    };
    if let Some(to) = to {
        order.swap(at, to);
        for (position, field) in order.iter().enumerate() {
            let position = i32::try_from(position).unwrap_or(i32::MAX);
            if field.position != position {
                let changes = CustomFieldChanges { position: Some(position), ..Default::default() };
                state.store.update_field(&staffer.actor, field.id, changes).await?;
            }
        }
    }
    Ok(to_settings("campo-movido"))
}

/// Archives a field (its values stay with their clients) or brings it back.
pub async fn set_archived(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let field = field_of(&state, &staffer, &id).await?;
    let archive = form.get("archivar") == "si";
    let changes = CustomFieldChanges { archived: Some(archive), ..Default::default() };
    state.store.update_field(&staffer.actor, field.id, changes).await?;
    Ok(to_settings(if archive { "campo-archivado" } else { "campo-restaurado" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_labels() {
        assert_eq!(key_from_label("Previsión de salud"), "prevision_de_salud");
        assert_eq!(key_from_label("  ¿Alergias?  "), "alergias");
        assert_eq!(key_from_label("2º control"), "campo_2_control");
        assert!(FieldKey::parse(&key_from_label(&"ñ".repeat(80))).is_ok());
    }
}
