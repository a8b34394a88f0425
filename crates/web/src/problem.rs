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
use ficha_domain::availability::LocalTimeError;
use ficha_domain::{BookingRule, Client, ClientId, FieldError};
use ficha_store::StoreError;
use serde_json::{Map, Value, json};

use crate::api::bookings::words::{rule_detail, rule_title};
use crate::api::clients::view::client_json;
use crate::i18n::{Lang, field_label};

/// Why one field (or query parameter) was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub kind: FieldProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblemKind {
    /// The value broke a domain rule.
    Invalid(FieldError),
    /// Not a field of this resource.
    Unknown { allowed: &'static [&'static str] },
    /// A field the system maintains.
    ReadOnly,
    /// Not a JSON string (or null, where null clears the field).
    NotText { nullable: bool },
    /// A query parameter out of its range.
    OutOfRange { min: u32, max: u32 },
    /// A query parameter that is not one of a fixed set.
    NotOneOf { allowed: &'static [&'static str] },
    /// A body field that is not one of a fixed set.
    NotAChoice { allowed: &'static [&'static str] },
    /// A paging cursor this API did not hand out.
    BadCursor,
    /// Not a JSON boolean.
    NotBoolean,
    /// Not a whole JSON number in `i32`'s range.
    NotWholeNumber,
    /// Not a JSON array of strings.
    NotAList,
    /// Not a JSON object.
    NotAnObject,
    /// Set when the resource was created; never changed afterwards.
    Immutable,
    /// A client's value of a custom field, refused; `label` is the field's
    /// label (its key when there is no such field), `options` a choice
    /// field's options, to suggest.
    CustomValue { label: String, error: FieldError, options: Vec<String> },
    /// A civil time the business's clock skips or shows twice that day.
    LocalTime(LocalTimeError),
    /// Not the id of anything (not a UUID).
    NotAnId,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, kind: FieldProblemKind) -> Self {
        Self { field: field.into(), kind }
    }

    pub fn code(&self) -> &'static str {
        match &self.kind {
            FieldProblemKind::Invalid(error) => error.code(),
            FieldProblemKind::Unknown { .. } => "unknown_field",
            FieldProblemKind::ReadOnly => "read_only",
            FieldProblemKind::NotText { .. } => "not_text",
            FieldProblemKind::OutOfRange { .. } => "out_of_range",
            FieldProblemKind::NotOneOf { .. } | FieldProblemKind::NotAChoice { .. } => "not_allowed",
            FieldProblemKind::BadCursor => "bad_cursor",
            FieldProblemKind::NotBoolean => "not_boolean",
            FieldProblemKind::NotWholeNumber => "not_whole_number",
            FieldProblemKind::NotAList => "not_a_list",
            FieldProblemKind::NotAnObject => "not_an_object",
            FieldProblemKind::Immutable => "immutable",
            FieldProblemKind::CustomValue { error, .. } => error.code(),
            FieldProblemKind::LocalTime(LocalTimeError::Gap { .. }) => "time_in_gap",
            FieldProblemKind::LocalTime(LocalTimeError::Ambiguous { .. }) => "time_ambiguous",
            FieldProblemKind::LocalTime(LocalTimeError::OutOfRange) => "datetime_format",
            FieldProblemKind::NotAnId => "not_an_id",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let label = &indexed_label(&self.field, lang);
        match &self.kind {
            FieldProblemKind::Invalid(error) => field_error_message(error, label, lang),
            FieldProblemKind::Unknown { allowed } => match lang {
                Lang::Es => format!("El campo «{}» no existe. Campos permitidos: {}.", self.field, allowed.join(", ")),
                Lang::En => format!("There is no field “{}”. Allowed fields: {}.", self.field, allowed.join(", ")),
            },
            FieldProblemKind::ReadOnly => match lang {
                Lang::Es => format!("El campo «{label}» lo mantiene el sistema y no se puede modificar."),
                Lang::En => format!("The field “{label}” is maintained by the system and cannot be changed."),
            },
            FieldProblemKind::NotText { nullable: true } => match lang {
                Lang::Es => format!("El campo «{label}» debe ser texto, o null para dejarlo vacío."),
                Lang::En => format!("The field “{label}” must be a string, or null to clear it."),
            },
            FieldProblemKind::NotText { nullable: false } => match lang {
                Lang::Es => format!("El campo «{label}» debe ser texto."),
                Lang::En => format!("The field “{label}” must be a string."),
            },
            FieldProblemKind::OutOfRange { min, max } => match lang {
                Lang::Es => format!("El parámetro «{label}» debe ser un número entero entre {min} y {max}."),
                Lang::En => format!("The parameter “{label}” must be a whole number from {min} to {max}."),
            },
            FieldProblemKind::NotOneOf { allowed } => match lang {
                Lang::Es => format!("El parámetro «{label}» debe ser uno de: {}.", allowed.join(", ")),
                Lang::En => format!("The parameter “{label}” must be one of: {}.", allowed.join(", ")),
            },
            FieldProblemKind::NotAChoice { allowed } => match lang {
                Lang::Es => format!("El campo «{label}» debe ser uno de: {}.", allowed.join(", ")),
                Lang::En => format!("The field “{label}” must be one of: {}.", allowed.join(", ")),
            },
            FieldProblemKind::BadCursor => lang
                .pick(
                    "El cursor no es válido: usa el valor «next_cursor» de la página anterior, con el mismo orden.",
                    "The cursor is not valid: pass the previous page's “next_cursor”, with the same sort.",
                )
                .to_owned(),
            FieldProblemKind::NotBoolean => match lang {
                Lang::Es => format!("El campo «{label}» debe ser true o false."),
                Lang::En => format!("The field “{label}” must be true or false."),
            },
            FieldProblemKind::NotWholeNumber => match lang {
                Lang::Es => format!("El campo «{label}» debe ser un número entero."),
                Lang::En => format!("The field “{label}” must be a whole number."),
            },
            FieldProblemKind::NotAList => match lang {
                Lang::Es => format!("El campo «{label}» debe ser una lista de textos, por ejemplo [\"Sí\", \"No\"]."),
                Lang::En => format!("The field “{label}” must be a list of strings, for example [\"Yes\", \"No\"]."),
            },
            FieldProblemKind::NotAnObject => match lang {
                Lang::Es => format!("El campo «{label}» debe ser un objeto JSON {{\"clave\": valor}}."),
                Lang::En => format!("The field “{label}” must be a JSON object {{\"key\": value}}."),
            },
            FieldProblemKind::Immutable => match lang {
                Lang::Es => format!(
                    "El campo «{label}» se fija al crear el campo y no se puede cambiar. Si necesitas otro, crea un campo nuevo."
                ),
                Lang::En => {
                    format!("The field “{label}” is set at creation and cannot change. Create a new field instead.")
                }
            },
            FieldProblemKind::CustomValue { label, error, options } => {
                custom_value_message(error, label, options, lang)
            }
            FieldProblemKind::LocalTime(error) => local_time_message(error, lang),
            FieldProblemKind::NotAnId => match lang {
                Lang::Es => format!("El campo «{label}» debe tener identificadores válidos (UUID)."),
                Lang::En => format!("The field “{label}” must hold valid ids (UUIDs)."),
            },
        }
    }
}

fn field_error_message(error: &FieldError, label: &str, lang: Lang) -> String {
    match (error, lang) {
        (FieldError::Required, Lang::Es) => format!("El campo «{label}» es obligatorio."),
        (FieldError::Required, Lang::En) => format!("The field “{label}” is required."),
        (FieldError::TooLong { max }, Lang::Es) => format!("El campo «{label}» admite como máximo {max} caracteres."),
        (FieldError::TooLong { max }, Lang::En) => format!("The field “{label}” takes at most {max} characters."),
        (FieldError::ControlCharacters, Lang::Es) => {
            format!("El campo «{label}» no puede tener saltos de línea, tabulaciones ni caracteres de control.")
        }
        (FieldError::ControlCharacters, Lang::En) => {
            format!("The field “{label}” cannot contain line breaks, tabs or control characters.")
        }
        (FieldError::EmailInvalid, Lang::Es) => {
            "El correo electrónico no es válido: debe tener la forma nombre@dominio.cl.".into()
        }
        (FieldError::EmailInvalid, Lang::En) => "The email is not valid: it must look like name@domain.com.".into(),
        (FieldError::PhoneInvalid, Lang::Es) => {
            "El teléfono no es un número válido. Escríbelo como +56 9 1234 5678 o 9 1234 5678.".into()
        }
        (FieldError::PhoneInvalid, Lang::En) => {
            "The phone is not a valid number. Write it as +56 9 1234 5678 or 9 1234 5678.".into()
        }
        (FieldError::RutFormat, Lang::Es) => "El RUT no tiene un formato válido. Escríbelo como 12.345.678-5.".into(),
        (FieldError::RutFormat, Lang::En) => "The RUT is not well formed. Write it as 12.345.678-5.".into(),
        (FieldError::RutCheckDigit, Lang::Es) => {
            "El dígito verificador del RUT no corresponde al número. Revisa que esté bien escrito.".into()
        }
        (FieldError::RutCheckDigit, Lang::En) => "The RUT's check digit does not match its number.".into(),
        (FieldError::DateFormat, Lang::Es) => {
            format!("La {label} no es una fecha válida. Usa dd-mm-aaaa o aaaa-mm-dd (por ejemplo 23-04-1990).")
        }
        (FieldError::DateFormat, Lang::En) => {
            format!("The {label} is not a valid date. Use YYYY-MM-DD (for example 1990-04-23).")
        }
        (FieldError::DateInFuture, Lang::Es) => format!("La {label} no puede ser posterior a hoy."),
        (FieldError::DateInFuture, Lang::En) => format!("The {label} cannot be later than today."),
        (FieldError::DateBefore1900, Lang::Es) => format!("La {label} no puede ser anterior a 1900."),
        (FieldError::DateBefore1900, Lang::En) => format!("The {label} cannot be before 1900."),
        (FieldError::SlugInvalid, Lang::Es) => {
            format!("El campo «{label}» solo admite minúsculas sin tilde, dígitos y guiones.")
        }
        (FieldError::SlugInvalid, Lang::En) => {
            format!("The field “{label}” takes only lower-case letters, digits and dashes.")
        }
        (FieldError::KeyInvalid, Lang::Es) => format!(
            "El campo «{label}» debe empezar con una letra minúscula y tener solo minúsculas sin tilde, dígitos y guiones bajos (por ejemplo fecha_control)."
        ),
        (FieldError::KeyInvalid, Lang::En) => format!(
            "The field “{label}” must start with a lower-case letter and hold only lower-case letters, digits and underscores (for example next_checkup)."
        ),
        (FieldError::KindInvalid, Lang::Es) => {
            format!("El campo «{label}» debe ser uno de: {}.", KIND_NAMES.join(", "))
        }
        (FieldError::KindInvalid, Lang::En) => {
            format!("The field “{label}” must be one of: {}.", KIND_NAMES.join(", "))
        }
        (FieldError::NotText, Lang::Es) => format!("El campo «{label}» debe ser texto."),
        (FieldError::NotText, Lang::En) => format!("The field “{label}” must be text."),
        (FieldError::NotANumber, Lang::Es) => format!("El campo «{label}» debe ser un número, por ejemplo 34 o 3,5."),
        (FieldError::NotANumber, Lang::En) => format!("The field “{label}” must be a number, for example 34 or 3.5."),
        (FieldError::NotYesNo, Lang::Es) => format!("El campo «{label}» debe ser sí o no (true o false)."),
        (FieldError::NotYesNo, Lang::En) => format!("The field “{label}” must be yes or no (true or false)."),
        (FieldError::NotAnOption, Lang::Es) => format!("El valor de «{label}» no es una de sus opciones."),
        (FieldError::NotAnOption, Lang::En) => format!("The value of “{label}” is not one of its options."),
        (FieldError::OptionRepeated, Lang::Es) => format!("El campo «{label}» repite una opción."),
        (FieldError::OptionRepeated, Lang::En) => format!("The field “{label}” repeats an option."),
        (FieldError::OptionsNotAllowed, Lang::Es) => {
            "Solo los campos de selección (single_choice, multi_choice) tienen opciones.".into()
        }
        (FieldError::OptionsNotAllowed, Lang::En) => {
            "Only choice fields (single_choice, multi_choice) have options.".into()
        }
        (FieldError::TooManyOptions { max }, Lang::Es) => format!("Un campo admite como máximo {max} opciones."),
        (FieldError::TooManyOptions { max }, Lang::En) => format!("A field takes at most {max} options."),
        (FieldError::FieldArchived, Lang::Es) => {
            format!("El campo «{label}» está archivado y ya no admite valores nuevos.")
        }
        (FieldError::FieldArchived, Lang::En) => format!("The field “{label}” is archived and takes no new values."),
        (FieldError::FieldUnknown, Lang::Es) => {
            format!("No hay ningún campo «{label}» en «Otros datos». Revisa la clave o crea el campo.")
        }
        (FieldError::OutOfRange { min, max }, Lang::Es) => {
            format!("El campo «{label}» debe ser un número entero entre {min} y {max}.")
        }
        (FieldError::OutOfRange { min, max }, Lang::En) => {
            format!("The field “{label}” must be a whole number from {min} to {max}.")
        }
        (FieldError::TimeFormat, Lang::Es) => {
            format!("El campo «{label}» debe ser una hora HH:MM entre 00:00 y 23:59 (por ejemplo 09:30).")
        }
        (FieldError::TimeFormat, Lang::En) => {
            format!("The field “{label}” must be a time HH:MM from 00:00 to 23:59 (for example 09:30).")
        }
        (FieldError::DateTimeFormat, Lang::Es) => format!(
            "El campo «{label}» debe ser una fecha y hora aaaa-mm-ddTHH:MM (hora del negocio) o con desfase, por ejemplo 2026-09-07T10:30 o 2026-09-07T10:30:00-03:00."
        ),
        (FieldError::DateTimeFormat, Lang::En) => format!(
            "The field “{label}” must be a date and time YYYY-MM-DDTHH:MM (the business's time) or with an offset, for example 2026-09-07T10:30 or 2026-09-07T10:30:00-03:00."
        ),
        (FieldError::EndNotAfterStart, Lang::Es) => {
            format!("En «{label}» el término debe ser posterior al inicio.")
        }
        (FieldError::EndNotAfterStart, Lang::En) => format!("In “{label}” the end must be after the start."),
        (FieldError::RangesOverlap, Lang::Es) => {
            format!(
                "Los horarios de «{label}» se superponen: cada tramo debe terminar antes de que empiece el siguiente."
            )
        }
        (FieldError::RangesOverlap, Lang::En) => {
            format!("The ranges of “{label}” overlap: each must end before the next begins.")
        }
        (FieldError::FieldUnknown, Lang::En) => {
            format!("There is no field “{label}” among the custom fields. Check the key or create the field.")
        }
    }
}

/// `monday[0]` → «lunes (n.º 1)»: an item of a list field, counted from one.
fn indexed_label(field: &str, lang: Lang) -> String {
    let item = field.strip_suffix(']').and_then(|f| f.split_once('['));
    match item.and_then(|(name, index)| Some((name, index.parse::<usize>().ok()?))) {
        Some((name, index)) => match lang {
            Lang::Es => format!("{} (n.º {})", field_label(name, lang), index + 1),
            Lang::En => format!("{} (no. {})", field_label(name, lang), index + 1),
        },
        None => field_label(field, lang).to_owned(),
    }
}

/// A time on a clock-change day that is not one instant.
fn local_time_message(error: &LocalTimeError, lang: Lang) -> String {
    match (error, lang) {
        (LocalTimeError::Gap { datetime, .. }, Lang::Es) => format!(
            "La hora {} del {} no existe: ese día los relojes se adelantan una hora. Elige otra hora.",
            datetime.time().strftime("%H:%M"),
            datetime.date().strftime("%d-%m-%Y")
        ),
        (LocalTimeError::Gap { datetime, .. }, Lang::En) => format!(
            "{} on {} does not exist: the clocks move forward an hour that day. Choose another time.",
            datetime.time().strftime("%H:%M"),
            datetime.date()
        ),
        (LocalTimeError::Ambiguous { datetime, earlier, later }, Lang::Es) => format!(
            "La hora {} del {} ocurre dos veces (ese día los relojes se atrasan una hora). Indica cuál con su desfase: {} o {}.",
            datetime.time().strftime("%H:%M"),
            datetime.date().strftime("%d-%m-%Y"),
            instant_with_offset(*earlier, *datetime),
            instant_with_offset(*later, *datetime)
        ),
        (LocalTimeError::Ambiguous { datetime, earlier, later }, Lang::En) => format!(
            "{} on {} happens twice (the clocks go back an hour that day). Say which with its offset: {} or {}.",
            datetime.time().strftime("%H:%M"),
            datetime.date(),
            instant_with_offset(*earlier, *datetime),
            instant_with_offset(*later, *datetime)
        ),
        (LocalTimeError::OutOfRange, Lang::Es) => "La fecha y hora están fuera de rango.".into(),
        (LocalTimeError::OutOfRange, Lang::En) => "The date and time are out of range.".into(),
    }
}

/// `2026-04-04T23:30:00-03:00`: the civil time `datetime` at `instant`,
/// with the offset that makes it so.
fn instant_with_offset(instant: jiff::Timestamp, datetime: jiff::civil::DateTime) -> String {
    let seconds = datetime
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second() - instant.as_second())
        .unwrap_or(0);
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{}{sign}{:02}:{:02}", datetime.strftime("%Y-%m-%dT%H:%M:%S"), minutes / 60, minutes % 60)
}

/// The kinds of custom field, as the API spells them.
const KIND_NAMES: [&str; 7] = ["text", "long_text", "number", "date", "yes_no", "single_choice", "multi_choice"];

/// Why a client's value of the custom field labelled `label` was refused.
/// Dates and options get their own words; the rest reads as for any field.
fn custom_value_message(error: &FieldError, label: &str, options: &[String], lang: Lang) -> String {
    match (error, lang) {
        (FieldError::DateFormat, Lang::Es) => {
            format!("El campo «{label}» debe ser una fecha dd-mm-aaaa o aaaa-mm-dd (por ejemplo 23-04-1990).")
        }
        (FieldError::DateFormat, Lang::En) => {
            format!("The field “{label}” must be a date, YYYY-MM-DD (for example 1990-04-23).")
        }
        (FieldError::NotAnOption, Lang::Es) if !options.is_empty() => {
            format!("El valor de «{label}» debe ser una de sus opciones: {}.", options.join(", "))
        }
        (FieldError::NotAnOption, Lang::En) if !options.is_empty() => {
            format!("The value of “{label}” must be one of its options: {}.", options.join(", "))
        }
        _ => field_error_message(error, label, lang),
    }
}

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
    /// A booking rule said no.
    Refused(BookingRule),
    ServiceInUse,
    NotNoteAuthor,
    Internal,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::InvalidQuery(_) | Self::MalformedJson { .. } | Self::NotAnObject => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::EmailTaken { .. } | Self::FieldKeyTaken | Self::OptionsInUse { .. } => StatusCode::CONFLICT,
            Self::Stale { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unauthenticated | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::OwnerOnly | Self::NotNoteAuthor => StatusCode::FORBIDDEN,
            Self::Refused(BookingRule::Overlap { .. }) => StatusCode::CONFLICT,
            Self::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::ServiceInUse => StatusCode::CONFLICT,
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
            Self::UnsupportedMediaType => "unsupported_media_type",
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
            Self::OwnerOnly => "owner_only",
            Self::Refused(rule) => rule.code(),
            Self::ServiceInUse => "service_in_use",
            Self::NotNoteAuthor => "not_note_author",
            Self::Internal => "internal_error",
        }
    }

    fn title(&self, lang: Lang) -> &'static str {
        let (es, en) = match self {
            Self::Refused(rule) => rule_title(rule),
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
            Self::OwnerOnly => ("Solo el dueño del negocio puede hacer esto.", "Only the business owner can do this."),
            Self::NotNoteAuthor => (
                "Solo quien escribió la nota, o el dueño del negocio, puede modificarla o eliminarla.",
                "Only the note's author, or the business owner, can change or delete it.",
            ),
            Self::Internal => ("Ocurrió un error interno.", "An internal error occurred."),
        };
        lang.pick(es, en)
    }

    pub(crate) fn detail(&self, lang: Lang) -> Option<String> {
        let text = match self {
            Self::Refused(rule) => return rule_detail(rule, lang),
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
        if let Self::TooManyAttempts { wait_secs } = self {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(*wait_secs));
        }
        response
    }
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
            StoreError::ServiceInUse => Self::ServiceInUse,
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
