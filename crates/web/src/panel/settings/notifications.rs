//! Notificaciones, from Configuración: the email's sender name, how long
//! before an appointment the reminder goes, and the WhatsApp Business
//! channel (phone-number id, access token, a template per kind of message).
//! Owners only, like every page of Configuración. The form is checked
//! by the same rules as the API (`api::notifications::input`); a refusal
//! re-renders it with each field's Spanish words and saves nothing. The
//! access token is never sent back to the browser.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{NoticeKind, NotificationSettings, ReminderLead};
use serde::Deserialize;

use crate::AppState;
use crate::api::notifications::input::{SettingsDraft, TemplateDraft, TokenEdit, settings_from};
use crate::i18n::Lang;
use crate::panel::error::{PanelError, page_with};
use crate::panel::form::{FormData, OwnerSubmitted};
use crate::panel::layout::{Chrome, Section};
use crate::panel::notification_words::kind_label;
use crate::panel::session::{OwnerStaffer, Staffer};
use crate::problem::FieldProblem;

/// The reminder choices: minutes (empty: none) and words.
const LEADS: &[(u32, &str)] = &[
    (60, "1 hora antes"),
    (120, "2 horas antes"),
    (180, "3 horas antes"),
    (360, "6 horas antes"),
    (720, "12 horas antes"),
    (1440, "24 horas antes"),
    (2880, "48 horas antes"),
];

pub struct LeadChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One kind's template as shown or typed.
pub struct TemplateInput {
    /// The kind's API name: the inputs are `plantilla_<kind>`, `idioma_<kind>`.
    pub kind: &'static str,
    pub label: &'static str,
    pub name: String,
    pub language: String,
    pub name_error: Option<String>,
    pub language_error: Option<String>,
}

#[derive(Template)]
#[template(path = "panel/settings_notifications.html")]
struct NotificationSettingsPage {
    chrome: Chrome,
    settings_tab: &'static str,
    sender_name: String,
    sender_error: Option<String>,
    leads: Vec<LeadChoice>,
    lead_error: Option<String>,
    whatsapp_enabled: bool,
    phone_number_id: String,
    phone_error: Option<String>,
    token_set: bool,
    /// A token was typed but the form was refused: it must be typed again.
    token_retype: bool,
    token_error: Option<String>,
    templates: Vec<TemplateInput>,
    /// Problems no input shows (none expected from this form).
    other_errors: Vec<String>,
    failed: bool,
    saved: bool,
}

/// "90 minutos antes", "3 días antes": a lead the list does not offer (set
/// through the API).
fn lead_words(minutes: u32) -> String {
    if minutes.is_multiple_of(24 * 60) {
        let days = minutes / (24 * 60);
        return if days == 1 { "1 día antes".into() } else { format!("{days} días antes") };
    }
    if minutes.is_multiple_of(60) {
        return format!("{} horas antes", minutes / 60);
    }
    format!("{minutes} minutos antes")
}

/// The select's options with `chosen` (minutes as typed; empty: none)
/// selected, and `chosen` added when the list lacks it.
fn lead_choices(chosen: &str) -> Vec<LeadChoice> {
    let mut choices =
        vec![LeadChoice { value: String::new(), label: "Desactivado".into(), selected: chosen.is_empty() }];
    choices.extend(LEADS.iter().map(|(minutes, label)| LeadChoice {
        value: minutes.to_string(),
        label: (*label).to_owned(),
        selected: chosen == minutes.to_string(),
    }));
    if let Ok(minutes) = chosen.parse::<u32>()
        && !choices.iter().any(|c| c.selected)
    {
        choices.push(LeadChoice { value: chosen.to_owned(), label: lead_words(minutes), selected: true });
    }
    choices
}

impl NotificationSettingsPage {
    fn new(staffer: &Staffer, settings: &NotificationSettings) -> Self {
        let lead = match settings.reminder_lead {
            ReminderLead::Off => String::new(),
            ReminderLead::Minutes(minutes) => minutes.to_string(),
        };
        let whatsapp = &settings.whatsapp;
        Self {
            chrome: Chrome::new(staffer, Section::Settings),
            settings_tab: "notificaciones",
            sender_name: settings.sender_name.clone().unwrap_or_default(),
            sender_error: None,
            leads: lead_choices(&lead),
            lead_error: None,
            whatsapp_enabled: whatsapp.enabled,
            phone_number_id: whatsapp.phone_number_id.clone(),
            phone_error: None,
            token_set: !whatsapp.access_token.is_empty(),
            token_retype: false,
            token_error: None,
            templates: NoticeKind::whatsapp_kinds()
                .map(|kind| {
                    let template = whatsapp.templates.get(&kind);
                    TemplateInput {
                        kind: kind.as_str(),
                        label: kind_label(kind),
                        name: template.map(|t| t.name.clone()).unwrap_or_default(),
                        language: template.map_or_else(|| "es".to_owned(), |t| t.language.clone()),
                        name_error: None,
                        language_error: None,
                    }
                })
                .collect(),
            other_errors: Vec::new(),
            failed: false,
            saved: false,
        }
    }

    /// The form as typed (never the token), with each problem by its input.
    fn refused(&mut self, form: &FormData, problems: Vec<FieldProblem>) {
        self.failed = true;
        self.sender_name = form.get("remitente").to_owned();
        self.leads = lead_choices(form.get("recordatorio"));
        self.whatsapp_enabled = form.ticked("wa_activo");
        self.phone_number_id = form.get("wa_numero").to_owned();
        self.token_retype = !form.get("wa_token").trim().is_empty();
        for input in &mut self.templates {
            input.name = form.get(&format!("plantilla_{}", input.kind)).to_owned();
            input.language = form.get(&format!("idioma_{}", input.kind)).to_owned();
        }
        for problem in problems {
            let message = problem.message(Lang::Es);
            let slot = match problem.field.as_str() {
                "sender_name" => Some(&mut self.sender_error),
                "reminder_lead_minutes" => Some(&mut self.lead_error),
                "whatsapp.phone_number_id" => Some(&mut self.phone_error),
                "whatsapp.access_token" => Some(&mut self.token_error),
                field => field.strip_prefix("whatsapp.templates.").and_then(|rest| {
                    let (kind, part) = rest.rsplit_once('.')?;
                    let input = self.templates.iter_mut().find(|t| t.kind == kind)?;
                    match part {
                        "name" => Some(&mut input.name_error),
                        "language" => Some(&mut input.language_error),
                        _ => None,
                    }
                }),
            };
            match slot {
                Some(slot) => *slot = Some(message),
                None => self.other_errors.push(message),
            }
        }
    }
}

/// What the form asks for. A kind whose template name is left empty has
/// no template (its language box is then ignored).
fn draft(form: &FormData) -> SettingsDraft {
    let token = form.get("wa_token").trim();
    SettingsDraft {
        sender_name: form.get("remitente").to_owned(),
        // A value the select never offers reads as out of range.
        reminder_lead_minutes: match form.get("recordatorio") {
            "" => None,
            minutes => Some(minutes.parse().unwrap_or(0)),
        },
        whatsapp_enabled: form.ticked("wa_activo"),
        phone_number_id: form.get("wa_numero").to_owned(),
        access_token: if !token.is_empty() {
            TokenEdit::Set(token.to_owned())
        } else if form.ticked("wa_borrar_token") {
            TokenEdit::Clear
        } else {
            TokenEdit::Keep
        },
        templates: NoticeKind::whatsapp_kinds()
            .filter_map(|kind| {
                let name = form.get(&format!("plantilla_{}", kind.as_str()));
                (!name.trim().is_empty()).then(|| TemplateDraft {
                    kind: kind.as_str().to_owned(),
                    name: name.to_owned(),
                    language: form.get(&format!("idioma_{}", kind.as_str())).to_owned(),
                })
            })
            .collect(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    #[serde(default)]
    guardada: String,
}

pub async fn show(
    State(state): State<AppState>,
    OwnerStaffer(staffer): OwnerStaffer,
    Query(notice): Query<Notice>,
) -> Result<Response, PanelError> {
    let settings = state.store.notification_settings(&staffer.actor).await?;
    let mut page = NotificationSettingsPage::new(&staffer, &settings);
    page.saved = notice.guardada == "1";
    page_with(StatusCode::OK, &page)
}

pub async fn save(
    State(state): State<AppState>,
    OwnerSubmitted { staffer, form }: OwnerSubmitted,
) -> Result<Response, PanelError> {
    let stored = state.store.notification_settings(&staffer.actor).await?;
    match settings_from(&draft(&form), &stored) {
        Ok(settings) => {
            state.store.set_notification_settings(&staffer.actor, settings).await?;
            Ok(Redirect::to("/configuracion/notificaciones?guardada=1").into_response())
        }
        Err(problems) => {
            let mut page = NotificationSettingsPage::new(&staffer, &stored);
            page.refused(&form, problems);
            page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lead_set_elsewhere_is_offered_in_words() {
        let choices = lead_choices("90");
        let chosen: Vec<&str> = choices.iter().filter(|c| c.selected).map(|c| c.label.as_str()).collect();
        assert_eq!(chosen, ["90 minutos antes"]);
        assert_eq!(lead_words(4320), "3 días antes");
        assert_eq!(lead_words(300), "5 horas antes");
        assert!(lead_choices("")[0].selected, "Desactivado");
        assert_eq!(lead_choices("1440").iter().filter(|c| c.selected).count(), 1);
    }
}
