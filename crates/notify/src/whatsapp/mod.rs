//! WhatsApp Business, through the Cloud API: a message is sent as the
//! business's approved template for its kind, filled with
//! `render::template_parameters`, to the client's phone; the answer's
//! message id (`wamid…`) is kept to match the delivery webhooks
//! (`webhook`) that report it sent, delivered, read or failed.

mod answer;
mod http;
mod request;
pub mod webhook;

use async_trait::async_trait;
use ficha_domain::NotificationSettings;
use ficha_store::Message;

use crate::render::kind_label;
use crate::{SendError, Transport};

/// The public Graph API (`--whatsapp-api-url` changes it).
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com/v21.0";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid --whatsapp-api-url {0:?}: use an http(s) URL such as {DEFAULT_BASE_URL}")]
pub struct WhatsappConfigError(pub String);

/// Sends template messages to `{base}/{phone_number_id}/messages`.
pub struct WhatsappTransport {
    base: String,
    client: http::Client,
}

impl WhatsappTransport {
    pub fn new(base_url: &str) -> Result<Self, WhatsappConfigError> {
        let bad = || WhatsappConfigError(base_url.to_owned());
        let parsed = url::Url::parse(base_url.trim()).map_err(|_| bad())?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() || parsed.query().is_some() {
            return Err(bad());
        }
        Ok(Self {
            base: base_url.trim().trim_end_matches('/').to_owned(),
            client: http::Client::new().map_err(|_| bad())?,
        })
    }

    /// Where a business's messages are posted.
    pub fn endpoint(&self, phone_number_id: &str) -> String {
        format!("{}/{phone_number_id}/messages", self.base)
    }
}

#[async_trait]
impl Transport for WhatsappTransport {
    async fn send(&self, message: &Message, settings: &NotificationSettings) -> Result<Option<String>, SendError> {
        let whatsapp = &settings.whatsapp;
        if !whatsapp.enabled {
            return Err(SendError::Permanent("WhatsApp no está activado en Configuración → Notificaciones".to_owned()));
        }
        if whatsapp.phone_number_id.is_empty() || whatsapp.access_token.is_empty() {
            return Err(SendError::Permanent(
                "Falta el identificador del número o el token de acceso de WhatsApp en Configuración → Notificaciones"
                    .to_owned(),
            ));
        }
        // Meta's ids are numbers; anything else must not reach the URL's path.
        if !whatsapp.phone_number_id.chars().all(|c| c.is_ascii_digit()) {
            return Err(SendError::Permanent(format!(
                "El identificador del número de WhatsApp no es válido: {}",
                whatsapp.phone_number_id
            )));
        }
        let template = whatsapp.templates.get(&message.kind).ok_or_else(|| {
            SendError::Permanent(format!(
                "La plantilla de WhatsApp para «{}» no está configurada",
                kind_label(message.kind)
            ))
        })?;
        let body = request::body(message, template)?;
        let answer =
            self.client.post_json(&self.endpoint(&whatsapp.phone_number_id), &whatsapp.access_token, body).await?;
        answer::read(answer)
    }
}
