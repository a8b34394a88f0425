//! The profile's "Notificaciones": the newest messages sent (or to be sent)
//! to the client, "Reenviar" on failed ones, a link to all of them; and what
//! the client chose to receive (WhatsApp, reminders), saved by staff and
//! recorded in the client's history by the store.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{ClientId, ClientPreferences};
use ficha_store::MessageQuery;

use super::error::{PanelError, path_id};
use super::form::Submitted;
use super::format::query;
use super::notification_words::MessageRow;
use super::notifications::resend_notice;
use super::session::Staffer;
use crate::AppState;

/// Messages the profile shows; the rest are on `/notificaciones`.
pub const SHOWN: u32 = 20;

pub struct NotificationsSection {
    pub rows: Vec<MessageRow>,
    /// All of the client's messages, when there are more than shown.
    pub more_href: Option<String>,
    /// The client receives WhatsApp messages / reminders.
    pub whatsapp: bool,
    pub reminders: bool,
    /// After "Reenviar" or saving the choices: the words, and whether it
    /// went well.
    pub notice: Option<(&'static str, bool)>,
}

impl NotificationsSection {
    pub async fn load(state: &AppState, staffer: &Staffer, client: ClientId) -> Result<Self, PanelError> {
        let newest = MessageQuery { client: Some(client), limit: SHOWN, ..Default::default() };
        let (page, preferences) = tokio::try_join!(
            state.store.messages(&staffer.actor, &newest),
            state.store.client_preferences(&staffer.actor, client),
        )?;
        let zone = staffer.zone();
        Ok(Self {
            rows: page.messages.iter().map(|m| MessageRow::new(m, &zone, state.clock.now())).collect(),
            more_href: page
                .next
                .map(|_| format!("/notificaciones{}", query(&[("cliente", client.to_string().as_str())]))),
            whatsapp: !preferences.no_whatsapp,
            reminders: !preferences.no_reminders,
            notice: None,
        })
    }

    /// The alert for the profile's `?guardado=`, when it is about this
    /// section.
    pub fn notice_for(code: &str) -> Option<(&'static str, bool)> {
        match code {
            "preferencias" => Some(("Preferencias de notificación guardadas.", true)),
            other => resend_notice(other),
        }
    }
}

/// The two check boxes; one left unticked is an opt-out. Back to the
/// profile's section.
pub async fn save_preferences(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { staffer, form }: Submitted,
) -> Result<Response, PanelError> {
    let client: ClientId = path_id(&id)?;
    let preferences =
        ClientPreferences { no_whatsapp: !form.ticked("whatsapp"), no_reminders: !form.ticked("recordatorios") };
    state.store.set_client_preferences(&staffer.actor, client, preferences, ficha_domain::ChoiceSource::Panel).await?;
    Ok(Redirect::to(&format!("/clientes/{client}?guardado=preferencias#notificaciones")).into_response())
}
