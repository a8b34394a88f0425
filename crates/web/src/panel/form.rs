//! Reading a submitted panel form. `Submitted` is the only way a handler gets
//! a form, and it refuses any form without the session's CSRF token: no
//! state-changing handler can forget the check.

use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Request};

use super::error::PanelError;
use super::session::{CSRF_FIELD, Staffer, same_secret};
use crate::AppState;

/// A form's fields in the order sent; a name may repeat (check boxes).
#[derive(Debug, Default)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn new(fields: Vec<(String, String)>) -> Self {
        Self(fields)
    }

    /// The first value of `name`; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value sent under `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }

    /// A check box: present means ticked.
    pub fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }
}

/// A form sent by a signed-in staff member, its CSRF token checked.
pub struct Submitted {
    pub staffer: Staffer,
    pub form: FormData,
}

impl FromRequest<AppState> for Submitted {
    type Rejection = PanelError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let staffer = Staffer::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(|_| PanelError::BadRequest("El formulario no se pudo leer."))?;
        let form = FormData::new(fields);
        if !same_secret(form.get(CSRF_FIELD), &staffer.csrf) {
            return Err(PanelError::FormExpired);
        }
        Ok(Self { staffer, form })
    }
}

/// A form sent by an owner (CSRF checked); anyone else gets the 403 page.
pub struct OwnerSubmitted {
    pub staffer: Staffer,
    pub form: FormData,
}

impl FromRequest<AppState> for OwnerSubmitted {
    type Rejection = PanelError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let Submitted { staffer, form } = Submitted::from_request(request, state).await?;
        if staffer.is_owner() { Ok(Self { staffer, form }) } else { Err(PanelError::OwnersOnly) }
    }
}
