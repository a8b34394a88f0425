//! Why one field (or query parameter) was refused, and how that reads in
//! Spanish or English: the `errors` entries of a validation problem.

use ficha_domain::FieldError;
use ficha_domain::availability::LocalTimeError;

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
    /// The same client named twice where two different ones are meant
    /// (a pair of possible duplicates).
    SameClient,
    /// A WhatsApp setting the channel cannot be turned on without.
    NeededForWhatsapp,
    /// A WhatsApp phone-number id that is not digits.
    PhoneNumberId,
    /// An access token with spaces or line breaks in it.
    AccessToken,
    /// A template name that is not `[a-z0-9_]{1,512}`.
    TemplateName,
    /// A template language that is not a code like `es` or `es_CL`.
    TemplateLanguage,
    /// A kind of message that never goes by WhatsApp.
    NotWhatsappKind { allowed: &'static [&'static str] },
    /// A booking without the client's acceptance of the privacy notice.
    NoticeNotAccepted,
    /// An export to XLSX of more clients than a sheet has rows.
    TooManyRows { max: u64 },
    /// A value both profiles of a merge hold differently, with no choice
    /// of which to keep; `label` a custom field's label (a general field
    /// is named by its own words).
    MergeChoiceMissing { label: Option<String> },
    /// A merge choice for a custom field the business does not have.
    NoSuchCustomField,
    /// A profile named as the one to merge into itself.
    MergeSameClient,
    /// A file to import that cannot be imported as it is.
    ImportFile(ImportFileProblem),
}

/// Why a file (or its column mapping) cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportFileProblem {
    Empty,
    /// Not a CSV or XLSX this reader can read (at this line, when known).
    Unreadable {
        line: Option<u64>,
    },
    /// No column is read as the email.
    NoEmailColumn,
    /// The mapping names a column the file does not have.
    UnknownColumn {
        header: String,
    },
    /// Two columns are mapped to one target.
    TargetTwice {
        target: String,
    },
    /// The mapping is not a JSON object of header → target.
    BadMapping,
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
            FieldProblemKind::SameClient => "same_client",
            FieldProblemKind::NeededForWhatsapp => "required",
            FieldProblemKind::PhoneNumberId => "phone_number_id_invalid",
            FieldProblemKind::AccessToken => "access_token_invalid",
            FieldProblemKind::TemplateName => "template_name_invalid",
            FieldProblemKind::TemplateLanguage => "template_language_invalid",
            FieldProblemKind::NotWhatsappKind { .. } => "not_whatsapp_kind",
            FieldProblemKind::NoticeNotAccepted => "privacy_notice_not_accepted",
            FieldProblemKind::TooManyRows { .. } => "too_many_rows",
            FieldProblemKind::MergeChoiceMissing { .. } => "choice_missing",
            FieldProblemKind::NoSuchCustomField => "unknown_field",
            FieldProblemKind::MergeSameClient => "same_client",
            FieldProblemKind::ImportFile(problem) => match problem {
                ImportFileProblem::Empty => "file_empty",
                ImportFileProblem::Unreadable { .. } => "file_unreadable",
                ImportFileProblem::NoEmailColumn => "no_email_column",
                ImportFileProblem::UnknownColumn { .. } => "unknown_column",
                ImportFileProblem::TargetTwice { .. } => "target_twice",
                ImportFileProblem::BadMapping => "bad_mapping",
            },
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
            FieldProblemKind::ImportFile(problem) => import_file_message(problem, lang),
            FieldProblemKind::TooManyRows { max } => match lang {
                Lang::Es => format!("Una hoja de Excel admite hasta {max} clientes: exporta en CSV."),
                Lang::En => format!("An Excel sheet holds up to {max} clients: export as CSV."),
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
            FieldProblemKind::MergeChoiceMissing { label } => match (lang, label.clone().unwrap_or_else(|| {
                crate::i18n::field_label(self.field.trim_start_matches("keep."), lang).to_owned()
            })) {
                (Lang::Es, label) => format!(
                    "Los dos perfiles tienen «{label}» distinto: elige cuál conservar («survivor» o «absorbed»)."
                ),
                (Lang::En, label) => {
                    format!("The two profiles differ in “{label}”: choose which to keep (“survivor” or “absorbed”).")
                }
            },
            FieldProblemKind::NoSuchCustomField => match lang {
                Lang::Es => format!("No hay un campo «{}» en «Otros datos».", self.field.trim_start_matches("keep_custom.")),
                Lang::En => format!("There is no custom field “{}”.", self.field.trim_start_matches("keep_custom.")),
            },
            FieldProblemKind::MergeSameClient => lang
                .pick(
                    "Elige otro perfil: un cliente no se fusiona consigo mismo.",
                    "Choose another profile: a client is not merged into itself.",
                )
                .to_owned(),
            FieldProblemKind::SameClient => lang.pick(
                "Indica dos clientes distintos: un cliente no es duplicado de sí mismo.",
                "Name two different clients: a client is not a duplicate of itself.",
            )
            .to_owned(),
            FieldProblemKind::NotAnId => match lang {
                Lang::Es => format!("El campo «{label}» debe tener identificadores válidos (UUID)."),
                Lang::En => format!("The field “{label}” must hold valid ids (UUIDs)."),
            },
            FieldProblemKind::NeededForWhatsapp => match lang {
                Lang::Es => format!("Para activar WhatsApp falta el {label}."),
                Lang::En => format!("WhatsApp cannot be turned on without the {label}."),
            },
            FieldProblemKind::PhoneNumberId => lang
                .pick(
                    "El identificador del número de WhatsApp tiene solo dígitos: es el que Meta muestra en WhatsApp Manager junto al número (no es el teléfono).",
                    "The WhatsApp phone-number id is digits only: the one Meta shows in WhatsApp Manager next to the number (not the phone number).",
                )
                .to_owned(),
            FieldProblemKind::AccessToken => lang
                .pick(
                    "El token de acceso no lleva espacios ni saltos de línea: cópialo completo desde Meta, sin «Bearer».",
                    "The access token has no spaces or line breaks: copy it whole from Meta, without “Bearer”.",
                )
                .to_owned(),
            FieldProblemKind::TemplateName => match lang {
                Lang::Es => format!(
                    "El {label} debe ser el que aprobó Meta: minúsculas sin tilde, dígitos y guiones bajos, hasta 512 (por ejemplo reserva_creada)."
                ),
                Lang::En => format!(
                    "The {label} must be the one Meta approved: lower-case letters, digits and underscores, up to 512 (for example booking_created)."
                ),
            },
            FieldProblemKind::TemplateLanguage => match lang {
                Lang::Es => format!(
                    "El {label} debe ser un código como es o es_CL, el mismo con que Meta aprobó la plantilla."
                ),
                Lang::En => {
                    format!("The {label} must be a code like es or es_CL, the one Meta approved the template in.")
                }
            },
            FieldProblemKind::NotWhatsappKind { allowed } => match lang {
                Lang::Es => format!(
                    "«{}» no se envía por WhatsApp: los enlaces de acceso y las verificaciones van solo por correo. Tipos con plantilla: {}.",
                    self.field,
                    allowed.join(", ")
                ),
                Lang::En => format!(
                    "“{}” is never sent by WhatsApp: sign-in links and verifications go by email only. Kinds with a template: {}.",
                    self.field,
                    allowed.join(", ")
                ),
            },
            FieldProblemKind::NoticeNotAccepted => lang
                .pick(
                    "Para reservar debes leer y aceptar el aviso de privacidad.",
                    "To book, read and accept the privacy notice.",
                )
                .to_owned(),
        }
    }
}

fn import_file_message(problem: &ImportFileProblem, lang: Lang) -> String {
    match (problem, lang) {
        (ImportFileProblem::Empty, Lang::Es) => "El archivo está vacío: debe tener una fila de encabezados y los clientes debajo.".into(),
        (ImportFileProblem::Empty, Lang::En) => "The file is empty: it needs a header row with the clients below it.".into(),
        (ImportFileProblem::Unreadable { line: Some(line) }, Lang::Es) => format!(
            "No se pudo leer el archivo en la línea {line}. Guárdalo como CSV (separado por comas o punto y coma) o como libro de Excel (.xlsx)."
        ),
        (ImportFileProblem::Unreadable { line: None }, Lang::Es) => {
            "No se pudo leer el archivo. Guárdalo como CSV (separado por comas o punto y coma) o como libro de Excel (.xlsx).".into()
        }
        (ImportFileProblem::Unreadable { line: Some(line) }, Lang::En) => {
            format!("The file could not be read at line {line}. Save it as CSV (comma or semicolon separated) or as an Excel workbook (.xlsx).")
        }
        (ImportFileProblem::Unreadable { line: None }, Lang::En) => {
            "The file could not be read. Save it as CSV (comma or semicolon separated) or as an Excel workbook (.xlsx).".into()
        }
        (ImportFileProblem::NoEmailColumn, Lang::Es) => "Falta la columna del correo: cada cliente se reconoce por su correo. Indica qué columna lo tiene.".into(),
        (ImportFileProblem::NoEmailColumn, Lang::En) => "The email column is missing: each client is recognised by their email. Say which column holds it.".into(),
        (ImportFileProblem::UnknownColumn { header }, Lang::Es) => format!("El archivo no tiene una columna «{header}»."),
        (ImportFileProblem::UnknownColumn { header }, Lang::En) => format!("The file has no column “{header}”."),
        (ImportFileProblem::TargetTwice { target }, Lang::Es) => {
            format!("Dos columnas van al mismo dato ({target}): elige una y deja la otra en «No importar».")
        }
        (ImportFileProblem::TargetTwice { target }, Lang::En) => {
            format!("Two columns go to the same data ({target}): choose one and leave the other as “ignore”.")
        }
        (ImportFileProblem::BadMapping, Lang::Es) => "«mapping» debe ser un objeto JSON {\"encabezado\": \"destino\"}; destinos: name, email, phone, rut, birth_date, note, field:<clave>, ignore.".into(),
        (ImportFileProblem::BadMapping, Lang::En) => "“mapping” must be a JSON object {\"header\": \"target\"}; targets: name, email, phone, rut, birth_date, note, field:<key>, ignore.".into(),
    }
}

/// Why a note's text was refused, as the profile's note form says it
/// (`length`: the characters typed, when known; an import's report keeps
/// only the limit).
pub fn note_message(error: &FieldError, length: Option<usize>, lang: Lang) -> String {
    match (error, lang) {
        (FieldError::Required, Lang::Es) => "Escribe algo: una nota no puede quedar vacía.".into(),
        (FieldError::Required, Lang::En) => "Write something: a note cannot be empty.".into(),
        (FieldError::TooLong { max }, Lang::Es) => match length {
            Some(length) => format!("Una nota puede tener hasta {max} caracteres; esta tiene {length}."),
            None => format!("Una nota puede tener hasta {max} caracteres."),
        },
        (FieldError::TooLong { max }, Lang::En) => match length {
            Some(length) => format!("A note can have up to {max} characters; this one has {length}."),
            None => format!("A note can have up to {max} characters."),
        },
        (FieldError::ControlCharacters, Lang::Es) => {
            "La nota tiene caracteres invisibles no permitidos; escríbela de nuevo.".into()
        }
        (FieldError::ControlCharacters, Lang::En) => {
            "The note holds invisible characters that are not allowed; write it again.".into()
        }
        (_, Lang::Es) => "Esta nota no se puede guardar así.".into(),
        (_, Lang::En) => "This note cannot be saved like this.".into(),
    }
}

/// The words a form shows for a value refused with `error`, the field
/// named `label`: what an import reports for a cell.
pub fn cell_message(error: &FieldError, label: &str, options: Option<&[String]>, lang: Lang) -> String {
    match options {
        Some(options) => custom_value_message(error, label, options, lang),
        None => field_error_message(error, label, lang),
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
        (FieldError::InvisibleCharacters, Lang::Es) => format!(
            "El campo «{label}» tiene caracteres invisibles o que cambian la dirección del texto (a veces vienen al copiar y pegar). Escríbelo de nuevo a mano."
        ),
        (FieldError::InvisibleCharacters, Lang::En) => format!(
            "The field “{label}” holds invisible or text-direction characters (pasted text sometimes carries them). Type it again by hand."
        ),
        (FieldError::EmailInvalid, Lang::Es) => {
            "El correo electrónico no es válido: debe tener la forma nombre@dominio.cl.".into()
        }
        (FieldError::EmailInvalid, Lang::En) => "The email is not valid: it must look like name@domain.com.".into(),
        (FieldError::PhoneInvalid, Lang::Es) => {
            format!("El teléfono no es un número válido. Escríbelo como +56 {PHONE_EXAMPLE} o {PHONE_EXAMPLE}.")
        }
        (FieldError::PhoneInvalid, Lang::En) => {
            format!("The phone is not a valid number. Write it as +56 {PHONE_EXAMPLE} or {PHONE_EXAMPLE}.")
        }
        (FieldError::RutFormat, Lang::Es) => "El RUT no tiene un formato válido. Escríbelo como 12.345.678-5.".into(),
        (FieldError::RutFormat, Lang::En) => "The RUT is not well formed. Write it as 12.345.678-5.".into(),
        (FieldError::RutCheckDigit, Lang::Es) => {
            "El dígito verificador del RUT no corresponde al número. Revisa que esté bien escrito.".into()
        }
        (FieldError::RutCheckDigit, Lang::En) => "The RUT's check digit does not match its number.".into(),
        (FieldError::DateFormat, Lang::Es) => format!(
            "{} no es una fecha válida. Usa dd-mm-aaaa o aaaa-mm-dd (por ejemplo 23-04-1990).",
            date_subject(label, lang)
        ),
        (FieldError::DateFormat, Lang::En) => {
            format!("{} is not a valid date. Use YYYY-MM-DD (for example 1990-04-23).", date_subject(label, lang))
        }
        (FieldError::DateInFuture, Lang::Es) => format!("{} no puede ser posterior a hoy.", date_subject(label, lang)),
        (FieldError::DateInFuture, Lang::En) => format!("{} cannot be later than today.", date_subject(label, lang)),
        (FieldError::DateBefore1900, Lang::Es) => {
            format!("{} no puede ser anterior a 1900.", date_subject(label, lang))
        }
        (FieldError::DateBefore1900, Lang::En) => format!("{} cannot be before 1900.", date_subject(label, lang)),
        (FieldError::DateOutOfRange, Lang::Es) => {
            format!("{} debe estar entre 1900 y 2100 (por ejemplo 18-09-2026).", date_subject(label, lang))
        }
        (FieldError::DateOutOfRange, Lang::En) => {
            format!("{} must be between 1900 and 2100 (for example 2026-09-18).", date_subject(label, lang))
        }
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
        (FieldError::TooManyRanges { max }, Lang::Es) => {
            format!(
                "El día «{label}» admite como máximo {max} tramos horarios (por ejemplo 09:00–13:00 y 14:00–18:00)."
            )
        }
        (FieldError::TooManyRanges { max }, Lang::En) => {
            format!("The day “{label}” takes at most {max} time ranges (for example 09:00–13:00 and 14:00–18:00).")
        }
        (FieldError::TooManyDaysOff { max }, Lang::Es) => {
            format!("Una agenda admite como máximo {max} días libres: quita los que ya pasaron.")
        }
        (FieldError::TooManyDaysOff { max }, Lang::En) => {
            format!("An agenda takes at most {max} days off: remove those already past.")
        }
        (FieldError::FieldUnknown, Lang::En) => {
            format!("There is no field “{label}” among the custom fields. Check the key or create the field.")
        }
    }
}

/// Who a date message speaks of: «La fecha de nacimiento» when the label is
/// a date's own name (feminine, like «fecha»), else «El campo «días
/// libres (n.º 1)»» — never «La días libres».
fn date_subject(label: &str, lang: Lang) -> String {
    match lang {
        Lang::Es if label.starts_with("fecha") => format!("La {label}"),
        Lang::Es => format!("El campo «{label}»"),
        Lang::En if label.contains("date") => format!("The {label}"),
        Lang::En => format!("The field “{label}”"),
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

/// The phone number forms show as an example: a Chilean mobile that
/// `Phone::parse` accepts (`9 1234 5678` looks right but is outside the
/// mobile ranges, and was refused when typed as shown). The templates say
/// the same in a hint under the field that the input names in
/// `aria-describedby`, never as a placeholder (an example inside an empty
/// field reads as data); a test holds them to the parser.
pub const PHONE_EXAMPLE: &str = "9 6123 4567";

#[cfg(test)]
mod phone_examples {
    use super::*;

    /// The example a phone input shows: the text after "Ej.: " of the
    /// `…-ejemplo` hint it is described by.
    fn example_of<'a>(input: &'a str, html: &'a str) -> Option<&'a str> {
        let tag = input.split('>').next().unwrap_or_default();
        let described = tag.split("aria-describedby=\"").skip(1).flat_map(|r| r.split('"').next()).collect::<Vec<_>>();
        let hint = described.iter().flat_map(|ids| ids.split_whitespace()).find(|id| id.ends_with("-ejemplo"))?;
        let element = html.split(&format!("id=\"{hint}\">")).nth(1)?;
        element.split('<').next()?.split("Ej.: ").nth(1)
    }

    #[test]
    fn the_phone_shown_as_an_example_is_accepted_where_it_is_shown() {
        ficha_domain::Phone::parse(PHONE_EXAMPLE).expect("the example parses");
        ficha_domain::Phone::parse(&format!("+56 {PHONE_EXAMPLE}")).expect("with the country code too");
        let templates = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut seen = 0;
        for folder in ["panel", "site"] {
            for entry in std::fs::read_dir(format!("{templates}/{folder}")).expect("templates") {
                let path = entry.expect("entry").path();
                let html = std::fs::read_to_string(&path).expect("template");
                // No input of the panel, the site or Mi cuenta shows data-like
                // text inside an empty field (a RUT, a phone, a date).
                for input in html.split("<input").skip(1) {
                    let tag = input.split('>').next().unwrap_or_default();
                    let placeholder = tag.split("placeholder=\"").nth(1).and_then(|r| r.split('"').next());
                    assert!(
                        placeholder.is_none_or(|p| p.chars().filter(char::is_ascii_digit).count() < 4),
                        "{}: a placeholder that reads as data: {placeholder:?}",
                        path.display()
                    );
                }
                for input in html
                    .split("<input")
                    .skip(1)
                    .filter(|i| i.split('>').next().is_some_and(|t| t.contains("type=\"tel\"")))
                {
                    let example = example_of(input, &html)
                        .unwrap_or_else(|| panic!("{}: a phone input without an example", path.display()));
                    seen += 1;
                    assert!(
                        ficha_domain::Phone::parse(example).is_ok(),
                        "{}: example {example:?} is refused",
                        path.display()
                    );
                }
            }
        }
        assert!(seen >= 3, "the phone inputs of the panel, the site and Mi cuenta");
    }
}
