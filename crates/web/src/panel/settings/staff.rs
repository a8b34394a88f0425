//! Staff accounts, from Configuración: who can sign in, and adding someone.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{ClientName, Email, NewStaff, Role, Staff};
use ficha_store::StoreError;

use super::SettingsPage;
use crate::AppState;
use crate::auth::password::{MIN_PASSWORD_CHARS, hash_off_thread};
use crate::i18n::Lang;
use crate::panel::error::{PanelError, page_with};
use crate::panel::form::OwnerSubmitted;
use crate::problem::{FieldProblem, FieldProblemKind};

pub struct StaffRow {
    pub name: String,
    pub email: String,
    pub role: &'static str,
}

impl StaffRow {
    pub fn new(staff: &Staff) -> Self {
        Self {
            name: staff.name.as_str().to_owned(),
            email: staff.email.as_str().to_owned(),
            role: role_label(staff.role),
        }
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Owner => "Dueño",
        Role::Professional => "Profesional",
    }
}

#[derive(Default)]
pub struct NewStaffForm {
    pub name: String,
    pub email: String,
    pub role: String,
    pub errors: Vec<String>,
}

impl NewStaffForm {
    pub fn is_owner(&self) -> bool {
        self.role == "owner"
    }
}

pub async fn create_staff(
    State(state): State<AppState>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let mut typed = NewStaffForm {
        name: form.get("nombre").to_owned(),
        email: form.get("correo").to_owned(),
        role: form.get("rol").to_owned(),
        errors: Vec::new(),
    };
    let mut problem = |field: &str, error| {
        typed.errors.push(FieldProblem::new(field, FieldProblemKind::Invalid(error)).message(Lang::Es));
    };
    let name = ClientName::parse(form.get("nombre")).map_err(|e| problem("name", e)).ok();
    let email = Email::parse(form.get("correo")).map_err(|e| problem("email", e)).ok();
    let role = Role::parse(form.get("rol"));
    if role.is_none() {
        typed.errors.push("Elige el rol: dueño o profesional.".into());
    }
    let password = form.get("clave");
    if password.chars().count() < MIN_PASSWORD_CHARS {
        typed.errors.push(format!("La contraseña debe tener al menos {MIN_PASSWORD_CHARS} caracteres."));
    }
    if let (Some(name), Some(email), Some(role), true) = (name, email, role, typed.errors.is_empty()) {
        let password_hash = hash_off_thread(password.to_owned()).await.ok_or(PanelError::Internal)?;
        match state.store.create_staff(&staffer.actor, NewStaff { name, email, role, password_hash }).await {
            Ok(_) => return Ok(Redirect::to("/configuracion?aviso=cuenta-creada").into_response()),
            Err(StoreError::StaffEmailTaken) => {
                typed.errors.push("Ya hay una cuenta con ese correo en el negocio.".into())
            }
            Err(other) => return Err(other.into()),
        }
    }
    let mut page = SettingsPage::load(&state, &staffer).await?;
    page.new_staff = typed;
    page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
