//! The general-data form of a client (new client and "Datos generales"):
//! what was typed, kept to show again, and every field's problem in Spanish.

use ficha_domain::{BirthDate, Client, ClientChanges, ClientName, Email, FieldError, NewClient, Phone, Rut};
use jiff::civil::Date;

use super::form::FormData;
use crate::i18n::Lang;
use crate::problem::{FieldProblem, FieldProblemKind};

#[derive(Debug, Clone, Default)]
pub struct ClientForm {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub rut: String,
    pub birth_date: String,
    /// (field, message), by the API's field names.
    errors: Vec<(&'static str, String)>,
}

impl ClientForm {
    /// The client's data as people read it.
    pub fn from_client(client: &Client) -> Self {
        Self {
            name: client.name.as_str().to_owned(),
            email: client.email.as_str().to_owned(),
            phone: client.phone.as_ref().map(|p| p.display()).unwrap_or_default(),
            rut: client.rut.map(|r| r.display()).unwrap_or_default(),
            birth_date: client.birth_date.map(|d| d.display()).unwrap_or_default(),
            errors: Vec::new(),
        }
    }

    pub fn from_form(form: &FormData) -> Self {
        Self {
            name: form.get("nombre").to_owned(),
            email: form.get("correo").to_owned(),
            phone: form.get("telefono").to_owned(),
            rut: form.get("rut").to_owned(),
            birth_date: form.get("nacimiento").to_owned(),
            errors: Vec::new(),
        }
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn add_error(&mut self, field: &'static str, message: String) {
        self.errors.push((field, message));
    }

    fn check<T>(&mut self, field: &'static str, result: Result<T, FieldError>) -> Option<T> {
        result
            .map_err(|error| {
                let message = FieldProblem::new(field, FieldProblemKind::Invalid(error)).message(Lang::Es);
                self.errors.push((field, message));
            })
            .ok()
    }

    /// The typed data as a new client, or `None` with every problem recorded.
    pub fn new_client(&mut self, today: Date) -> Option<NewClient> {
        let name = self.check("name", ClientName::parse(&self.name.clone()));
        let email = self.check("email", Email::parse(&self.email.clone()));
        let phone = self.check("phone", optional(&self.phone.clone(), Phone::parse));
        let rut = self.check("rut", optional(&self.rut.clone(), Rut::parse));
        let birth_date = self.check("birth_date", optional(&self.birth_date.clone(), |t| BirthDate::parse(t, today)));
        Some(NewClient { name: name?, email: email?, phone: phone?, rut: rut?, birth_date: birth_date? })
    }

    /// The typed data as changes of every field (emptied optional fields are
    /// cleared), or `None` with every problem recorded.
    pub fn changes(&mut self, today: Date) -> Option<ClientChanges> {
        let new = self.new_client(today)?;
        Some(ClientChanges {
            name: Some(new.name),
            email: Some(new.email),
            phone: Some(new.phone),
            rut: Some(new.rut),
            birth_date: Some(new.birth_date),
        })
    }
}

/// An optional field: blank means none.
fn optional<T>(text: &str, parse: impl FnOnce(&str) -> Result<T, FieldError>) -> Result<Option<T>, FieldError> {
    if text.trim().is_empty() { Ok(None) } else { parse(text).map(Some) }
}
