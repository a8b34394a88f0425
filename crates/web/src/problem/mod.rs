//! Every error the API returns, as `application/problem+json` (RFC 9457) with
//! a stable `code` and, for input errors, one entry per field.
//!
//! Handlers return `ApiError`; its response carries the error itself as an
//! extension, and the `localize` middleware, which knows the request's
//! language, renders the words. Internal errors are logged with their cause
//! chain and never shown.

use axum::Json;
use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ficha_domain::{BookingRule, Client, ClientId, SiteRule, StepRefused};
use ficha_store::imports::ImportRefused;
use ficha_store::{MergeRefusal, StoreError};
use serde_json::{Map, Value, json};

use crate::api::bookings::words::{rule_detail, rule_title};
use crate::api::clients::view::client_json;
use crate::api::public::words::{site_rule_detail, site_rule_title};
use crate::i18n::Lang;

mod field;

pub use field::{FieldProblem, FieldProblemKind, ImportFileProblem, cell_message, note_message};

#[derive(Debug, Clone)]
pub enum ApiError {
    Validation(Vec<FieldProblem>),
    InvalidQuery(Vec<FieldProblem>),
    MalformedJson {
        line: usize,
        column: usize,
    },
    NotAnObject,
    UnsupportedMediaType,
    PayloadTooLarge,
    EmailTaken {
        existing: ClientId,
    },
    FieldKeyTaken,
    OptionsInUse {
        options: Vec<String>,
    },
    Stale {
        current: Box<Client>,
    },
    PreconditionRequired,
    NotFound,
    MethodNotAllowed,
    Unauthenticated,
    InvalidCredentials,
    /// Too many failed logins for this business and email: wait this long.
    TooManyAttempts {
        wait_secs: u64,
    },
    OwnerOnly,
    /// Over a limit of the public booking API (per address or per email):
    /// nothing was done; wait this long.
    TooManyRequests {
        wait_secs: u64,
    },
    /// A booking rule said no.
    Refused(BookingRule),
    /// The business's booking-site rules said no (the public API).
    SiteRefused(SiteRule),
    ServiceInUse,
    NotNoteAuthor,
    /// Only a failed message can be sent again.
    NotResendable,
    /// The client's profile is blocked (bloqueo): frozen until unblocked.
    ClientBlocked,
    /// A data-subject request cannot take this step; nothing changed.
    RequestStep(StepRefused),
    /// A merge or its undo was refused (see `ficha_store::MergeRefusal`);
    /// nothing changed.
    MergeRefused(MergeRefusal),
    /// The profile was merged into `into`: `GET /clients/{id}` leads there
    /// (307 with `Location`; temporary, since the merge can be undone).
    Merged {
        into: ClientId,
    },
    /// A client import's file is neither CSV nor XLSX.
    ImportMediaType,
    /// An import batch cannot take this step (undo); nothing changed.
    ImportRefused(ImportRefused),
    Internal,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::InvalidQuery(_) | Self::MalformedJson { .. } | Self::NotAnObject => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType | Self::ImportMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::ImportRefused(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::EmailTaken { .. } | Self::FieldKeyTaken | Self::OptionsInUse { .. } => StatusCode::CONFLICT,
            Self::Stale { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Merged { .. } => StatusCode::TEMPORARY_REDIRECT,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unauthenticated | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::TooManyAttempts { .. } | Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::OwnerOnly | Self::NotNoteAuthor => StatusCode::FORBIDDEN,
            Self::Refused(BookingRule::Overlap { .. }) => StatusCode::CONFLICT,
            Self::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::SiteRefused(rule) => crate::api::public::words::site_rule_status(*rule),
            Self::ServiceInUse
            | Self::NotResendable
            | Self::ClientBlocked
            | Self::RequestStep(_)
            | Self::MergeRefused(_) => StatusCode::CONFLICT,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine code, part of the API contract.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation(_) => "validation_failed",
            Self::InvalidQuery(_) => "invalid_query",
            Self::MalformedJson { .. } => "malformed_json",
            Self::NotAnObject => "not_an_object",
            Self::UnsupportedMediaType | Self::ImportMediaType => "unsupported_media_type",
            Self::ImportRefused(ImportRefused::NotRunning) => "import_not_running",
            Self::ImportRefused(ImportRefused::Running) => "import_running",
            Self::ImportRefused(ImportRefused::NotStarted) => "import_not_started",
            Self::ImportRefused(ImportRefused::AlreadyUndone) => "import_already_undone",
            Self::ImportRefused(ImportRefused::ChangedSince { .. }) => "import_changed_since",
            Self::PayloadTooLarge => "payload_too_large",
            Self::EmailTaken { .. } => "email_taken",
            Self::FieldKeyTaken => "field_key_taken",
            Self::OptionsInUse { .. } => "option_in_use",
            Self::Stale { .. } => "stale_version",
            Self::PreconditionRequired => "if_match_required",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Unauthenticated => "authentication_required",
            Self::InvalidCredentials => "invalid_credentials",
            Self::TooManyAttempts { .. } => "too_many_attempts",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::OwnerOnly => "owner_only",
            Self::Refused(rule) => rule.code(),
            Self::SiteRefused(rule) => rule.code(),
            Self::ServiceInUse => "service_in_use",
            Self::NotNoteAuthor => "not_note_author",
            Self::NotResendable => "not_resendable",
            Self::ClientBlocked => "client_blocked",
            Self::RequestStep(StepRefused::NotAllowed) => "request_step_not_allowed",
            Self::RequestStep(StepRefused::AlreadyExtended) => "request_already_extended",
            Self::RequestStep(StepRefused::Closed) => "request_closed",
            Self::MergeRefused(refusal) => refusal.code(),
            Self::Merged { .. } => "client_merged",
            Self::Internal => "internal_error",
        }
    }

    fn title(&self, lang: Lang) -> &'static str {
        let (es, en) = match self {
            Self::Refused(rule) => rule_title(rule),
            Self::SiteRefused(rule) => site_rule_title(*rule),
            Self::ServiceInUse => ("El servicio tiene reservas.", "The service has bookings."),
            Self::Validation(_) => ("Los datos enviados no son válidos.", "The submitted data is not valid."),
            Self::InvalidQuery(_) => {
                ("Los parámetros de la consulta no son válidos.", "The query parameters are not valid.")
            }
            Self::MalformedJson { .. } => {
                ("El cuerpo de la solicitud no es JSON válido.", "The request body is not valid JSON.")
            }
            Self::NotAnObject => {
                ("El cuerpo de la solicitud debe ser un objeto JSON.", "The request body must be a JSON object.")
            }
            Self::UnsupportedMediaType => {
                ("El cuerpo debe enviarse como application/json.", "The body must be sent as application/json.")
            }
            Self::PayloadTooLarge => {
                ("El cuerpo de la solicitud es demasiado grande.", "The request body is too large.")
            }
            Self::ImportMediaType => (
                "El archivo debe enviarse como text/csv o como libro de Excel (XLSX).",
                "The file must be sent as text/csv or as an Excel workbook (XLSX).",
            ),
            Self::ImportRefused(ImportRefused::NotRunning) => {
                ("La importación ya terminó.", "The import has already finished.")
            }
            Self::ImportRefused(ImportRefused::Running) => {
                ("La importación todavía está en curso.", "The import is still running.")
            }
            Self::ImportRefused(ImportRefused::NotStarted) => {
                ("La importación todavía no empieza.", "The import has not started yet.")
            }
            Self::ImportRefused(ImportRefused::AlreadyUndone) => {
                ("La importación ya se deshizo.", "The import was already undone.")
            }
            Self::ImportRefused(ImportRefused::ChangedSince { .. }) => (
                "Algunos clientes importados cambiaron después de la importación.",
                "Some imported clients changed after the import.",
            ),
            Self::EmailTaken { .. } => {
                ("Ya existe un cliente con ese correo electrónico.", "A client with that email already exists.")
            }
            Self::FieldKeyTaken => {
                ("Ya existe un campo con esa clave en «Otros datos».", "A custom field with that key already exists.")
            }
            Self::OptionsInUse { .. } => (
                "No se pueden quitar opciones que algún cliente tiene elegidas.",
                "Options that clients have chosen cannot be taken away.",
            ),
            Self::Stale { .. } => {
                ("El cliente fue modificado mientras lo editabas.", "The client was changed while you were editing it.")
            }
            Self::PreconditionRequired => ("Falta el encabezado If-Match.", "The If-Match header is missing."),
            Self::NotFound => ("No encontrado.", "Not found."),
            Self::MethodNotAllowed => ("Método no permitido en esta ruta.", "Method not allowed on this path."),
            Self::Unauthenticated => ("Debes iniciar sesión.", "Authentication required."),
            Self::InvalidCredentials => ("No se pudo iniciar sesión.", "Could not sign in."),
            Self::TooManyAttempts { .. } => ("Demasiados intentos de inicio de sesión.", "Too many sign-in attempts."),
            Self::TooManyRequests { .. } => ("Demasiadas solicitudes.", "Too many requests."),
            Self::OwnerOnly => ("Solo el dueño del negocio puede hacer esto.", "Only the business owner can do this."),
            Self::NotNoteAuthor => (
                "Solo quien escribió la nota, o el dueño del negocio, puede modificarla o eliminarla.",
                "Only the note's author, or the business owner, can change or delete it.",
            ),
            Self::NotResendable => {
                ("Solo se puede reenviar un mensaje fallido.", "Only a failed message can be sent again.")
            }
            Self::ClientBlocked => ("El perfil del cliente está bloqueado.", "The client's profile is blocked."),
            Self::RequestStep(StepRefused::NotAllowed) => {
                ("La solicitud no puede pasar a ese estado.", "The request cannot move to that status.")
            }
            Self::RequestStep(StepRefused::AlreadyExtended) => (
                "El plazo de esta solicitud ya se extendió una vez.",
                "This request's deadline was already extended once.",
            ),
            Self::RequestStep(StepRefused::Closed) => {
                ("La solicitud ya está cerrada.", "The request is already closed.")
            }
            Self::MergeRefused(refusal) => merge_title(refusal),
            Self::Merged { .. } => ("El perfil se fusionó con otro.", "The profile was merged into another."),
            Self::Internal => ("Ocurrió un error interno.", "An internal error occurred."),
        };
        lang.pick(es, en)
    }

    pub(crate) fn detail(&self, lang: Lang) -> Option<String> {
        let text = match self {
            Self::Refused(rule) => return rule_detail(rule, lang),
            Self::SiteRefused(rule) => site_rule_detail(*rule, lang),
            Self::ServiceInUse => lang
                .pick(
                    "Las reservas hechas lo siguen mostrando, así que no se puede eliminar. Puedes cambiarle el nombre o quitarle los profesionales para que no se reserve más.",
                    "Its bookings keep showing it, so it cannot be deleted. Rename it or take its professionals away so it is not booked again.",
                )
                .to_owned(),
            Self::MalformedJson { line, column } => match lang {
                Lang::Es => format!("Error de sintaxis en la línea {line}, columna {column}."),
                Lang::En => format!("Syntax error at line {line}, column {column}."),
            },
            Self::PayloadTooLarge => match lang {
                Lang::Es => format!("El máximo es {} KiB.", crate::MAX_BODY_BYTES / 1024),
                Lang::En => format!("The limit is {} KiB.", crate::MAX_BODY_BYTES / 1024),
            },
            Self::EmailTaken { existing } => match lang {
                Lang::Es => format!(
                    "El correo ya pertenece al cliente {existing} de este negocio. Si son la misma persona, une los perfiles en vez de crear otro."
                ),
                Lang::En => format!(
                    "The email already belongs to client {existing} of this business. If they are the same person, merge the profiles instead."
                ),
            },
            Self::FieldKeyTaken => lang
                .pick(
                    "Las claves no se repiten, tampoco con campos archivados. Usa otra clave, o recupera el campo archivado con PATCH {\"archived\": false}.",
                    "Keys are never reused, not even an archived field's. Choose another key, or bring the archived field back with PATCH {\"archived\": false}.",
                )
                .to_owned(),
            Self::OptionsInUse { options } => match (lang, options.len()) {
                (Lang::Es, 1) => format!(
                    "Hay clientes que tienen elegida la opción {}: cámbiales antes ese valor, o deja la opción (puedes cambiarle mayúsculas o tildes).",
                    quoted(options, "«", "»", " y ")
                ),
                (Lang::Es, _) => format!(
                    "Hay clientes que tienen elegidas las opciones {}: cámbiales antes esos valores, o deja las opciones (puedes cambiarles mayúsculas o tildes).",
                    quoted(options, "«", "»", " y ")
                ),
                (Lang::En, _) => format!(
                    "Some clients have chosen {}: change their values first, or keep the options (their case and accents may change).",
                    quoted(options, "“", "”", " and ")
                ),
            },
            Self::Stale { current } => match lang {
                Lang::Es => format!(
                    "Tus cambios no se guardaron: alguien guardó antes otra versión (la actual es la {}). Revisa los datos actuales en «current» y vuelve a intentarlo con su ETag.",
                    current.version
                ),
                Lang::En => format!(
                    "Your changes were not saved: someone saved another version first (now version {}). Review the current data in “current” and retry with its ETag.",
                    current.version
                ),
            },
            Self::PreconditionRequired => lang
                .pick(
                    "Para modificar un cliente envía If-Match con el ETag que recibiste al leerlo; así nadie sobrescribe los cambios de otra persona.",
                    "To change a client send If-Match with the ETag you got when reading it, so nobody overwrites someone else's changes.",
                )
                .to_owned(),
            Self::Unauthenticated => lang
                .pick(
                    "Inicia sesión en /api/v1/auth/login o envía «Authorization: Bearer <token>» con un token de API del negocio.",
                    "Sign in at /api/v1/auth/login or send “Authorization: Bearer <token>” with one of the business's API tokens.",
                )
                .to_owned(),
            Self::InvalidCredentials => lang
                .pick("El negocio, el correo o la contraseña no son correctos.", "The business, email or password is not correct.")
                .to_owned(),
            Self::TooManyAttempts { wait_secs } => match lang {
                Lang::Es => format!("Demasiados intentos; espera {wait_secs} segundos antes de volver a intentarlo."),
                Lang::En => format!("Too many attempts; wait {wait_secs} seconds before trying again."),
            },
            Self::TooManyRequests { wait_secs } => match lang {
                Lang::Es => format!(
                    "Hiciste demasiadas solicitudes seguidas; no se hizo nada. Inténtalo de nuevo en {wait_secs} segundos."
                ),
                Lang::En => format!("Too many requests in a row; nothing was done. Try again in {wait_secs} seconds."),
            },
            Self::NotResendable => lang
                .pick(
                    "Un mensaje pendiente o en envío saldrá solo, y uno enviado o anulado no se repite. Nada cambió.",
                    "A pending or sending message goes out by itself, and a sent or cancelled one is not repeated. Nothing changed.",
                )
                .to_owned(),
            Self::ClientBlocked => lang
                .pick(
                    "Un perfil bloqueado no se modifica, no recibe mensajes ni reservas nuevas hasta que el dueño del negocio lo desbloquee. Nada cambió.",
                    "A blocked profile is not changed, told anything or booked until the business owner unblocks it. Nothing changed.",
                )
                .to_owned(),
            Self::RequestStep(StepRefused::NotAllowed) => lang
                .pick(
                    "Una solicitud va de recibida a en curso, y de en curso a respondida o rechazada; respondida y rechazada son finales. Nada cambió.",
                    "A request goes from received to in progress, and from in progress to answered or refused; answered and refused are final. Nothing changed.",
                )
                .to_owned(),
            Self::RequestStep(StepRefused::AlreadyExtended) => lang
                .pick(
                    "La ley permite extender el plazo una sola vez. Nada cambió.",
                    "The law allows one extension only. Nothing changed.",
                )
                .to_owned(),
            Self::RequestStep(StepRefused::Closed) => lang
                .pick(
                    "Una solicitud respondida o rechazada no cambia de plazo. Nada cambió.",
                    "An answered or refused request keeps its deadline. Nothing changed.",
                )
                .to_owned(),
            Self::MergeRefused(refusal) => merge_detail(refusal, lang),
            Self::Merged { into } => match lang {
                Lang::Es => format!("Sus datos están ahora en el cliente {into} (se puede deshacer durante 30 días)."),
                Lang::En => format!("Its data lives on client {into} now (the merge can be undone for 30 days)."),
            },
            Self::ImportRefused(ImportRefused::Running) => lang
                .pick(
                    "Espera a que termine para deshacerla. Nada cambió.",
                    "Wait for it to finish to undo it. Nothing changed.",
                )
                .to_owned(),
            Self::ImportRefused(ImportRefused::ChangedSince { lines }) => {
                let lines = lines.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
                match lang {
                    Lang::Es => format!(
                        "Los clientes de las filas {lines} (o notas que la importación agregó) se editaron, agendaron o eliminaron después de importarlos; deshacer la importación perdería esos cambios. Nada cambió."
                    ),
                    Lang::En => format!(
                        "The clients of rows {lines} (or notes the import added) were edited, booked or deleted after the import; undoing it would lose that. Nothing changed."
                    ),
                }
            }
            Self::Internal => lang
                .pick("Inténtalo de nuevo en unos momentos.", "Please try again in a few moments.")
                .to_owned(),
            _ => return None,
        };
        Some(text)
    }

    /// The problem document in `lang`.
    pub fn body(&self, lang: Lang) -> Value {
        let mut body = Map::new();
        body.insert("type".into(), json!(format!("urn:ficha:problem:{}", self.code())));
        body.insert("title".into(), json!(self.title(lang)));
        body.insert("status".into(), json!(self.status().as_u16()));
        body.insert("code".into(), json!(self.code()));
        if let Some(detail) = self.detail(lang) {
            body.insert("detail".into(), json!(detail));
        }
        match self {
            Self::Validation(problems) | Self::InvalidQuery(problems) => {
                let errors: Vec<Value> = problems
                    .iter()
                    .map(|p| json!({ "field": p.field, "code": p.code(), "message": p.message(lang) }))
                    .collect();
                body.insert("errors".into(), Value::Array(errors));
            }
            Self::EmailTaken { existing } => {
                body.insert("existing_client_id".into(), json!(existing));
                body.insert("existing_client".into(), json!(format!("/api/v1/clients/{existing}")));
            }
            Self::Stale { current } => {
                body.insert("current".into(), client_json(current));
            }
            Self::OptionsInUse { options } => {
                body.insert("options_in_use".into(), json!(options));
            }
            Self::Merged { into } => {
                body.insert("merged_into_client_id".into(), json!(into));
                body.insert("merged_into_client".into(), json!(format!("/api/v1/clients/{into}")));
            }
            Self::MergeRefused(MergeRefusal::EmailReused { by: client } | MergeRefusal::OpenDataRequest { client }) => {
                body.insert("client_id".into(), json!(client));
                body.insert("client".into(), json!(format!("/api/v1/clients/{client}")));
            }
            Self::ImportRefused(ImportRefused::ChangedSince { lines }) => {
                body.insert("lines".into(), json!(lines));
            }
            Self::Refused(BookingRule::Overlap { with }) => {
                body.insert("conflicting_booking_id".into(), json!(with));
                body.insert("conflicting_booking".into(), json!(format!("/api/v1/bookings/{with}")));
            }
            _ => {}
        }
        Value::Object(body)
    }

    fn render(&self, lang: Lang) -> Response {
        let mut response = (self.status(), Json(self.body(lang))).into_response();
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Self::Unauthenticated = self {
            response.headers_mut().insert("www-authenticate", HeaderValue::from_static("Bearer realm=\"ficha\""));
        }
        if let Self::Merged { into } = self
            && let Ok(location) = HeaderValue::from_str(&format!("/api/v1/clients/{into}"))
        {
            response.headers_mut().insert(axum::http::header::LOCATION, location);
        }
        if let Self::TooManyAttempts { wait_secs } | Self::TooManyRequests { wait_secs } = self {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(*wait_secs));
        }
        response
    }
}

fn merge_title(refusal: &MergeRefusal) -> (&'static str, &'static str) {
    match refusal {
        MergeRefusal::OpenDataRequest { .. } => (
            "Uno de los perfiles tiene una solicitud de datos abierta.",
            "One of the profiles has an open data request.",
        ),
        MergeRefusal::AlreadyUndone => ("La fusión ya se deshizo.", "The merge was already undone."),
        MergeRefusal::UndoExpired => {
            ("Pasaron más de 30 días desde la fusión.", "More than 30 days have passed since the merge.")
        }
        MergeRefusal::EmailReused { .. } => (
            "El correo del perfil fusionado ya es de otro perfil.",
            "The merged profile's email belongs to another profile now.",
        ),
        MergeRefusal::SameClient | MergeRefusal::ChoicesMissing { .. } | MergeRefusal::UnknownField { .. } => {
            ("No se pudo fusionar.", "The merge was refused.")
        }
    }
}

fn merge_detail(refusal: &MergeRefusal, lang: Lang) -> String {
    let (es, en) = match refusal {
        MergeRefusal::OpenDataRequest { .. } => (
            "Una solicitud abierta se responde sobre el perfil tal como es: respóndela o recházala antes de fusionar. Nada cambió.",
            "An open request is answered about the profile as it is: answer or refuse it before merging. Nothing changed.",
        ),
        MergeRefusal::AlreadyUndone => (
            "Los dos perfiles ya están separados. Nada cambió.",
            "The two profiles are apart already. Nothing changed.",
        ),
        MergeRefusal::UndoExpired => (
            "Una fusión se puede deshacer durante 30 días; después los perfiles quedan unidos. Nada cambió.",
            "A merge can be undone for 30 days; after that the profiles stay one. Nothing changed.",
        ),
        MergeRefusal::EmailReused { .. } => (
            "El perfil no puede volver con un correo que otro perfil tiene: cambia o elimina ese otro perfil primero (se indica en «client»). Nada cambió.",
            "The profile cannot come back with an email another profile has: change or delete that one first (named in “client”). Nothing changed.",
        ),
        MergeRefusal::SameClient | MergeRefusal::ChoicesMissing { .. } | MergeRefusal::UnknownField { .. } => {
            ("Nada cambió.", "Nothing changed.")
        }
    };
    lang.pick(es, en).to_owned()
}

/// Carried on a response so `localize` can render it again in the request's
/// language.
#[derive(Debug, Clone)]
struct PendingProblem(ApiError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.render(Lang::Es);
        response.extensions_mut().insert(PendingProblem(self));
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::EmailTaken { existing } => Self::EmailTaken { existing },
            StoreError::Stale { current } => Self::Stale { current },
            StoreError::FieldKeyTaken => Self::FieldKeyTaken,
            StoreError::NotNoteAuthor => Self::NotNoteAuthor,
            StoreError::OwnerOnly => Self::OwnerOnly,
            StoreError::OptionsInUse { options } => Self::OptionsInUse { options },
            StoreError::Refused(rule) => Self::Refused(rule),
            StoreError::SiteRefused(rule) => Self::SiteRefused(rule),
            StoreError::ServiceInUse => Self::ServiceInUse,
            StoreError::NotResendable => Self::NotResendable,
            StoreError::ClientBlocked => Self::ClientBlocked,
            StoreError::RequestStep(refused) => Self::RequestStep(refused),
            StoreError::MergeRefused(refusal) => crate::api::merges::refusal(refusal),
            // Only `GET /clients/{id}` leads to the survivor; anywhere else
            // an absorbed profile is simply not there.
            StoreError::Merged { .. } => Self::NotFound,
            StoreError::ImportRefused(refused) => Self::ImportRefused(refused),
            StoreError::ValuesRefused(refused) => Self::Validation(
                refused
                    .into_iter()
                    .map(|r| {
                        let kind =
                            FieldProblemKind::CustomValue { label: r.label, error: r.error, options: Vec::new() };
                        FieldProblem::new(format!("values.{}", r.key), kind)
                    })
                    .collect(),
            ),
            other => {
                tracing::error!(error = &other as &dyn std::error::Error, "storage failed");
                Self::Internal
            }
        }
    }
}

/// Middleware: renders problems in the language the request asked for.
pub async fn localize(request: Request, next: Next) -> Response {
    let lang = Lang::from_headers(request.headers());
    let response = next.run(request).await;
    if lang == Lang::Es {
        return response;
    }
    match response.extensions().get::<PendingProblem>() {
        Some(PendingProblem(problem)) => {
            let mut localized = problem.render(lang);
            for (name, value) in response.headers() {
                if !localized.headers().contains_key(name) {
                    localized.headers_mut().insert(name.clone(), value.clone());
                }
            }
            localized
        }
        None => response,
    }
}

/// `«a», «b» y «c»`.
fn quoted(items: &[String], open: &str, close: &str, last: &str) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("{open}{i}{close}")).collect();
    match quoted.split_last() {
        Some((tail, init)) if !init.is_empty() => format!("{}{last}{tail}", init.join(", ")),
        _ => quoted.concat(),
    }
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
