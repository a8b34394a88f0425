//! What a panel page answers when it cannot do what was asked: a page in
//! Spanish with the right status, or, without a session, the login page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficha_store::StoreError;

use super::assets;
use crate::problem::ApiError;

#[derive(Debug)]
pub enum PanelError {
    /// No (valid) session: go sign in.
    SignIn,
    /// A page or action for owners only.
    OwnersOnly,
    NotFound,
    /// A form without the token of the session that showed it.
    FormExpired,
    /// A professional changing a colleague's note (only a forged form can).
    NotYourNote,
    /// A link or form value this panel never makes.
    BadRequest(&'static str),
    /// A change to a blocked profile (bloqueo): nothing changed.
    ClientBlocked,
    Internal,
}

/// What an error page says, kept on its response so that a signed-in staff
/// member gets it inside the panel's header, menu and search.
#[derive(Debug, Clone, Copy)]
pub struct ErrorWords {
    pub title: &'static str,
    pub explanation: &'static str,
}

#[derive(Template)]
#[template(path = "panel/error.html")]
struct ErrorPage {
    assets: assets::Links,
    title: &'static str,
    explanation: &'static str,
}

impl PanelError {
    fn status(&self) -> StatusCode {
        match self {
            Self::SignIn => StatusCode::SEE_OTHER,
            Self::OwnersOnly | Self::FormExpired | Self::NotYourNote => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::ClientBlocked => StatusCode::CONFLICT,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn words(&self) -> (&'static str, &'static str) {
        match self {
            Self::SignIn => ("Debes iniciar sesión", ""),
            Self::OwnersOnly => (
                "Solo para dueños",
                "Esta sección la administra el dueño del negocio. Si necesitas un cambio aquí, pídeselo.",
            ),
            Self::NotFound => ("No encontrado", "La página o el cliente que buscas no existe, o fue eliminado."),
            Self::FormExpired => (
                "El formulario expiró",
                "Por seguridad no se guardó nada. Vuelve atrás, recarga la página y envíalo de nuevo.",
            ),
            Self::NotYourNote => (
                "Esta nota no es tuya",
                "Solo quien escribió una nota, o el dueño del negocio, puede editarla o eliminarla. No se cambió nada.",
            ),
            Self::BadRequest(explanation) => ("Enlace no válido", explanation),
            Self::ClientBlocked => (
                "Perfil bloqueado",
                "Este perfil está bloqueado: no se modifica, no recibe mensajes ni reservas nuevas hasta que el dueño del negocio lo desbloquee. No se cambió nada.",
            ),
            Self::Internal => {
                ("Ocurrió un error", "No se pudo completar la acción. Inténtalo de nuevo en unos momentos.")
            }
        }
    }
}

impl IntoResponse for PanelError {
    fn into_response(self) -> Response {
        if let Self::SignIn = self {
            return Redirect::to("/entrar").into_response();
        }
        let (title, explanation) = self.words();
        let page = ErrorPage { assets: assets::Links::default(), title, explanation };
        match page.render() {
            Ok(html) => {
                let mut response = (self.status(), Html(html)).into_response();
                // For `error_page::with_chrome`: the same words inside the
                // panel's header when a staff member is signed in.
                response.extensions_mut().insert(ErrorWords { title, explanation });
                response
            }
            Err(error) => {
                tracing::error!(%error, "error page did not render");
                self.status().into_response()
            }
        }
    }
}

impl From<StoreError> for PanelError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::NotNoteAuthor => Self::NotYourNote,
            StoreError::OwnerOnly => Self::OwnersOnly,
            StoreError::ClientBlocked => Self::ClientBlocked,
            // Only the profile's own page leads to the survivor.
            StoreError::Merged { .. } => Self::NotFound,
            other => {
                tracing::error!(error = &other as &dyn std::error::Error, "storage failed");
                Self::Internal
            }
        }
    }
}

impl From<ApiError> for PanelError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::NotFound => Self::NotFound,
            ApiError::Unauthenticated => Self::SignIn,
            ApiError::OwnerOnly => Self::OwnersOnly,
            _ => Self::Internal,
        }
    }
}

impl From<askama::Error> for PanelError {
    fn from(error: askama::Error) -> Self {
        tracing::error!(%error, "template did not render");
        Self::Internal
    }
}

/// A rendered page with `status`.
pub fn page_with(status: StatusCode, template: &impl Template) -> Result<Response, PanelError> {
    Ok((status, Html(template.render()?)).into_response())
}

pub fn page(template: &impl Template) -> Result<Response, PanelError> {
    page_with(StatusCode::OK, template)
}

/// An id taken from the address. One that does not parse names nothing
/// here, exactly like an id of nothing: 404.
pub fn path_id<T: std::str::FromStr>(text: &str) -> Result<T, PanelError> {
    text.parse().map_err(|_| PanelError::NotFound)
}
