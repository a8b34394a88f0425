//! Reading what staff send about notifications: the list's parameters, a
//! client's choices, and the business's settings. The settings are checked
//! once, here, for the API and the panel alike (`SettingsDraft` is what
//! either one typed).

use std::collections::BTreeMap;

use ficha_domain::one_line::one_line;
use ficha_domain::{
    ClientPreferences, FieldError, MessageStatus, NoticeKind, NotificationSettings, ReminderLead, Template,
    WhatsappSettings,
};
use ficha_store::{MessageCursor, MessageQuery};

use crate::input::{Edit, JsonObject, Problems};
use crate::problem::{ApiError, FieldProblem, FieldProblemKind};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 100;
/// `GET /notifications`.
pub const LIST_PARAMETERS: &[&str] = &["status", "client_id", "limit", "cursor"];
/// `GET /clients/{id}/notifications`: the client is in the path.
pub const CLIENT_PARAMETERS: &[&str] = &["status", "limit", "cursor"];
pub const STATUS_NAMES: &[&str] = &["pending", "sending", "sent", "failed", "cancelled"];
/// The kinds a WhatsApp template may be set for (`NoticeKind::whatsapp_kinds`).
pub const WHATSAPP_KINDS: &[&str] =
    &["booking_created", "booking_confirmed", "booking_cancelled", "booking_rescheduled", "reminder", "shared_note"];

/// Longest sender name: it is shown before the address in the client's inbox.
pub const SENDER_NAME_MAX: usize = 100;
/// WhatsApp phone-number ids are digits; Meta's are about 15 long.
pub const PHONE_NUMBER_ID_MAX: usize = 32;
/// Access tokens are a few hundred characters.
pub const ACCESS_TOKEN_MAX: usize = 4096;
pub const TEMPLATE_NAME_MAX: usize = 512;

/// `?status=&client_id=&limit=&cursor=`, each problem named.
pub fn message_query(params: &[(String, String)], allowed: &'static [&'static str]) -> Result<MessageQuery, ApiError> {
    let mut query = MessageQuery { limit: DEFAULT_LIMIT, ..Default::default() };
    let mut problems = Vec::new();
    for (name, value) in params {
        let problem = match name.as_str() {
            _ if !allowed.contains(&name.as_str()) => Some(FieldProblemKind::Unknown { allowed }),
            "status" => match MessageStatus::parse(value) {
                Some(status) => {
                    query.status = Some(status);
                    None
                }
                None => Some(FieldProblemKind::NotOneOf { allowed: STATUS_NAMES }),
            },
            "client_id" => match value.parse() {
                Ok(client) => {
                    query.client = Some(client);
                    None
                }
                Err(_) => Some(FieldProblemKind::NotAnId),
            },
            "limit" => match value.parse::<u32>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => {
                    query.limit = limit;
                    None
                }
                _ => Some(FieldProblemKind::OutOfRange { min: 1, max: MAX_LIMIT }),
            },
            // An empty cursor is the first page, as if absent.
            _ if value.is_empty() => None,
            _ => match MessageCursor::decode(value) {
                Some(cursor) => {
                    query.after = Some(cursor);
                    None
                }
                None => Some(FieldProblemKind::BadCursor),
            },
        };
        if let Some(kind) = problem {
            problems.push(FieldProblem::new(name.as_str(), kind));
        }
    }
    if problems.is_empty() { Ok(query) } else { Err(ApiError::InvalidQuery(problems)) }
}

/// Resend takes an empty object (a JSON body keeps cross-site forms out).
pub fn nothing(body: &JsonObject) -> Result<(), ApiError> {
    Problems(body.check_fields(&[], &[])).finish(Some(()))
}

const PREFERENCES: &[&str] = &["whatsapp", "reminders"];

/// `{"whatsapp": bool, "reminders": bool}`: true means the client receives
/// them. Both are required (it replaces the choices).
pub fn preferences(body: &JsonObject) -> Result<ClientPreferences, ApiError> {
    let mut problems = Problems(body.check_fields(PREFERENCES, &[]));
    let whatsapp = problems.read(body.boolean("whatsapp"));
    let whatsapp = problems.required("whatsapp", whatsapp);
    let reminders = problems.read(body.boolean("reminders"));
    let reminders = problems.required("reminders", reminders);
    let preferences = match (whatsapp, reminders) {
        (Some(whatsapp), Some(reminders)) => {
            Some(ClientPreferences { no_whatsapp: !whatsapp, no_reminders: !reminders })
        }
        _ => None,
    };
    problems.finish(preferences)
}

/// What the owner asked for the stored access token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TokenEdit {
    /// Nothing typed: the stored token stays.
    #[default]
    Keep,
    /// Forget the stored token.
    Clear,
    Set(String),
}

/// One kind's template as typed; `kind` as sent (it may not be a kind).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateDraft {
    pub kind: String,
    pub name: String,
    pub language: String,
}

/// Notification settings as typed, in the API's JSON or the panel's form,
/// before they are checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsDraft {
    /// Empty: the business's name.
    pub sender_name: String,
    /// `None`: no reminders.
    pub reminder_lead_minutes: Option<i64>,
    pub whatsapp_enabled: bool,
    pub phone_number_id: String,
    pub access_token: TokenEdit,
    pub templates: Vec<TemplateDraft>,
}

/// A WhatsApp template's name as Meta approves them.
fn template_name(text: &str) -> bool {
    (1..=TEMPLATE_NAME_MAX).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// `es`, `es_CL`, `pt_BR`: a language, maybe with its country.
fn template_language(text: &str) -> bool {
    let (language, country) = match text.split_once('_') {
        Some((language, country)) => (language, Some(country)),
        None => (text, None),
    };
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && country.is_none_or(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
}

/// The settings to store, from what was typed and what is stored (the
/// access token, which is never shown, is kept unless another is typed).
/// Every field's problem at once; nothing to store if there is any.
pub fn settings_from(
    draft: &SettingsDraft,
    stored: &NotificationSettings,
) -> Result<NotificationSettings, Vec<FieldProblem>> {
    let mut problems = Problems::default();
    let sender_name = match draft.sender_name.trim() {
        "" => None,
        text => problems.take("sender_name", one_line(text, SENDER_NAME_MAX)).map(Some).unwrap_or_default(),
    };
    let max = i64::from(ReminderLead::MAX_MINUTES);
    let reminder_lead = match draft.reminder_lead_minutes {
        None => ReminderLead::Off,
        Some(minutes) => match u32::try_from(minutes) {
            Ok(minutes) if (1..=ReminderLead::MAX_MINUTES).contains(&minutes) => ReminderLead::Minutes(minutes),
            _ => {
                problems
                    .push("reminder_lead_minutes", FieldProblemKind::Invalid(FieldError::OutOfRange { min: 1, max }));
                ReminderLead::Off
            }
        },
    };
    let phone_number_id = draft.phone_number_id.trim().to_owned();
    if !phone_number_id.is_empty()
        && (phone_number_id.len() > PHONE_NUMBER_ID_MAX || !phone_number_id.bytes().all(|b| b.is_ascii_digit()))
    {
        problems.push("whatsapp.phone_number_id", FieldProblemKind::PhoneNumberId);
    }
    let access_token = match &draft.access_token {
        TokenEdit::Keep => stored.whatsapp.access_token.clone(),
        TokenEdit::Clear => String::new(),
        TokenEdit::Set(token) => {
            let token = token.trim();
            if token.chars().any(|c| c.is_control() || c.is_whitespace()) {
                problems.push("whatsapp.access_token", FieldProblemKind::AccessToken);
            } else if token.len() > ACCESS_TOKEN_MAX {
                problems.take::<()>("whatsapp.access_token", Err(FieldError::TooLong { max: ACCESS_TOKEN_MAX }));
            }
            token.to_owned()
        }
    };
    if draft.whatsapp_enabled {
        if phone_number_id.is_empty() {
            problems.push("whatsapp.phone_number_id", FieldProblemKind::NeededForWhatsapp);
        }
        if access_token.is_empty() {
            problems.push("whatsapp.access_token", FieldProblemKind::NeededForWhatsapp);
        }
    }
    let mut templates = BTreeMap::new();
    for typed in &draft.templates {
        let field = format!("whatsapp.templates.{}", typed.kind);
        let Some(kind) = NoticeKind::parse(&typed.kind).filter(|k| !k.is_account()) else {
            problems.push(&field, FieldProblemKind::NotWhatsappKind { allowed: WHATSAPP_KINDS });
            continue;
        };
        let (name, language) = (typed.name.trim(), typed.language.trim());
        if !template_name(name) {
            problems.push(&format!("{field}.name"), FieldProblemKind::TemplateName);
        }
        if !template_language(language) {
            problems.push(&format!("{field}.language"), FieldProblemKind::TemplateLanguage);
        }
        templates.insert(kind, Template { name: name.to_owned(), language: language.to_owned() });
    }
    if !problems.0.is_empty() {
        return Err(problems.0);
    }
    Ok(NotificationSettings {
        sender_name,
        reminder_lead,
        whatsapp: WhatsappSettings { enabled: draft.whatsapp_enabled, phone_number_id, access_token, templates },
    })
}

pub const SETTINGS: &[&str] = &["sender_name", "reminder_lead_minutes", "whatsapp"];
const WHATSAPP: &[&str] = &["enabled", "phone_number_id", "access_token", "templates"];
const WHATSAPP_READ_ONLY: &[&str] = &["access_token_set"];
const TEMPLATE: &[&str] = &["name", "language"];

/// `prefix.field` for a problem found inside a nested object.
fn nested(prefix: &str, mut problem: FieldProblem) -> FieldProblem {
    problem.field = format!("{prefix}.{}", problem.field);
    problem
}

/// The draft a `PUT /settings/notifications` body asks for, and the
/// problems of its shape (types, unknown fields, what is missing). A field
/// that did not read is left empty in the draft.
pub fn settings_draft(body: &JsonObject) -> (SettingsDraft, Vec<FieldProblem>) {
    let mut problems = Problems(body.check_fields(SETTINGS, &[]));
    let mut draft = SettingsDraft {
        sender_name: problems.read(body.edit("sender_name")).map_or(String::new(), |edit| match edit {
            Edit::Set(text) => text.to_owned(),
            Edit::Absent | Edit::Clear => String::new(),
        }),
        ..SettingsDraft::default()
    };
    if body.get("reminder_lead_minutes").is_none() {
        // Present, or null for "off": leaving it out is not taken as "off".
        problems.take::<()>("reminder_lead_minutes", Err(FieldError::Required));
    }
    draft.reminder_lead_minutes = problems.read(body.integer("reminder_lead_minutes")).flatten();
    let whatsapp = problems.read(body.object("whatsapp"));
    match whatsapp {
        Some(Some(whatsapp)) => read_whatsapp(&whatsapp, &mut draft, &mut problems),
        Some(None) => {
            problems.take::<()>("whatsapp", Err(FieldError::Required));
        }
        None => {}
    }
    (draft, problems.0)
}

fn read_whatsapp(body: &JsonObject, draft: &mut SettingsDraft, problems: &mut Problems) {
    let mut inner = Problems(body.check_fields(WHATSAPP, WHATSAPP_READ_ONLY));
    let enabled = inner.read(body.boolean("enabled"));
    draft.whatsapp_enabled = inner.required("enabled", enabled).unwrap_or(false);
    draft.phone_number_id = inner.read(body.text("phone_number_id")).flatten().unwrap_or_default().to_owned();
    draft.access_token = match inner.read(body.edit("access_token")) {
        Some(Edit::Clear) => TokenEdit::Clear,
        Some(Edit::Set(token)) if !token.trim().is_empty() => TokenEdit::Set(token.to_owned()),
        _ => TokenEdit::Keep,
    };
    if let Some(Some(templates)) = inner.read(body.object("templates")) {
        for kind in templates.keys() {
            let field = format!("templates.{kind}");
            let template = match templates.object(kind) {
                Ok(Some(template)) => template,
                Ok(None) | Err(_) => {
                    inner.push(&field, FieldProblemKind::NotAnObject);
                    continue;
                }
            };
            let mut parts = Problems(template.check_fields(TEMPLATE, &[]));
            let name = parts.read(template.text("name"));
            let name = parts.required("name", name);
            let language = parts.read(template.text("language"));
            let language = parts.required("language", language);
            inner.0.extend(parts.0.into_iter().map(|p| nested(&field, p)));
            draft.templates.push(TemplateDraft {
                kind: kind.to_owned(),
                name: name.unwrap_or_default().to_owned(),
                language: language.unwrap_or_default().to_owned(),
            });
        }
    }
    problems.0.extend(inner.0.into_iter().map(|p| nested("whatsapp", p)));
}

/// `PUT /settings/notifications`: the body read and checked against what
/// is stored; every problem at once (one per field).
pub fn settings(body: &JsonObject, stored: &NotificationSettings) -> Result<NotificationSettings, ApiError> {
    let (draft, mut problems) = settings_draft(body);
    match settings_from(&draft, stored) {
        Ok(settings) if problems.is_empty() => Ok(settings),
        Ok(_) => Err(ApiError::Validation(problems)),
        Err(more) => {
            // A field that did not read is not judged again on its stand-in.
            let unread: Vec<String> = problems.iter().map(|p| p.field.clone()).collect();
            problems.extend(more.into_iter().filter(|p| !unread.iter().any(|f| p.field.starts_with(f.as_str()))));
            Err(ApiError::Validation(problems))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whatsapp_kinds_listed_are_the_domains() {
        let kinds: Vec<&str> = NoticeKind::whatsapp_kinds().map(NoticeKind::as_str).collect();
        assert_eq!(kinds, WHATSAPP_KINDS);
    }

    #[test]
    fn template_names_and_languages() {
        assert!(template_name("reserva_creada_2"));
        assert!(!template_name("Reserva"));
        assert!(!template_name("reserva creada"));
        assert!(!template_name(""));
        assert!(!template_name(&"a".repeat(513)));
        for good in ["es", "es_CL", "pt_BR", "fil"] {
            assert!(template_language(good), "{good}");
        }
        for bad in ["", "ES", "es-CL", "es_cl", "es_CHL", "e", "español"] {
            assert!(!template_language(bad), "{bad}");
        }
    }

    fn fields(problems: &[FieldProblem]) -> Vec<String> {
        problems.iter().map(|p| format!("{}:{}", p.field, p.code())).collect()
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let draft = SettingsDraft {
            sender_name: "x".repeat(101),
            reminder_lead_minutes: Some(0),
            whatsapp_enabled: true,
            phone_number_id: "+56 9".into(),
            access_token: TokenEdit::Keep,
            templates: vec![
                TemplateDraft { kind: "booking_created".into(), name: "Reserva".into(), language: "es-CL".into() },
                TemplateDraft { kind: "sign_in_link".into(), name: "x".into(), language: "es".into() },
            ],
        };
        let problems = settings_from(&draft, &NotificationSettings::default()).expect_err("refused");
        assert_eq!(
            fields(&problems),
            [
                "sender_name:too_long",
                "reminder_lead_minutes:out_of_range",
                "whatsapp.phone_number_id:phone_number_id_invalid",
                "whatsapp.access_token:required",
                "whatsapp.templates.booking_created.name:template_name_invalid",
                "whatsapp.templates.booking_created.language:template_language_invalid",
                "whatsapp.templates.sign_in_link:not_whatsapp_kind",
            ]
        );
    }

    #[test]
    fn the_stored_token_stays_unless_another_is_typed() {
        let mut stored = NotificationSettings::default();
        stored.whatsapp.access_token = "EAAG-stored".into();
        let draft = SettingsDraft {
            reminder_lead_minutes: Some(120),
            whatsapp_enabled: true,
            phone_number_id: " 1234567890 ".into(),
            ..SettingsDraft::default()
        };
        let settings = settings_from(&draft, &stored).expect("valid");
        assert_eq!(settings.whatsapp.access_token, "EAAG-stored");
        assert_eq!(settings.whatsapp.phone_number_id, "1234567890");
        assert_eq!(settings.reminder_lead, ReminderLead::Minutes(120));
        assert_eq!(settings.sender_name, None);
        let replaced = SettingsDraft { access_token: TokenEdit::Set(" EAAG-new ".into()), ..draft.clone() };
        assert_eq!(settings_from(&replaced, &stored).expect("valid").whatsapp.access_token, "EAAG-new");
        let cleared = SettingsDraft { access_token: TokenEdit::Clear, whatsapp_enabled: false, ..draft };
        assert_eq!(settings_from(&cleared, &stored).expect("valid").whatsapp.access_token, "");
    }
}
