//! The Cloud API's template message, field for field:
//! `{"messaging_product":"whatsapp","to":"56961234567","type":"template",
//! "template":{"name":…,"language":{"code":…},"components":[{"type":"body",
//! "parameters":[{"type":"text","text":…},…]}]}}`. Structs rather than a
//! `json!` map keep the fields in this order.

use ficha_domain::Template;
use ficha_store::Message;
use serde::Serialize;

use crate::SendError;
use crate::render::template_parameters;

#[derive(Serialize)]
struct Outgoing<'a> {
    messaging_product: &'static str,
    to: String,
    #[serde(rename = "type")]
    kind: &'static str,
    template: TemplateBody<'a>,
}

#[derive(Serialize)]
struct TemplateBody<'a> {
    name: &'a str,
    language: Language<'a>,
    components: [Component; 1],
}

#[derive(Serialize)]
struct Language<'a> {
    code: &'a str,
}

#[derive(Serialize)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    parameters: Vec<Parameter>,
}

#[derive(Serialize)]
struct Parameter {
    #[serde(rename = "type")]
    kind: &'static str,
    text: String,
}

/// The API wants the number's digits with the country code, no `+`.
pub fn recipient_digits(e164: &str) -> Result<String, SendError> {
    let digits = e164.trim().strip_prefix('+').unwrap_or(e164.trim());
    if digits.len() < 8 || digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(SendError::Permanent(format!("El teléfono no es válido para WhatsApp: {e164}")));
    }
    Ok(digits.to_owned())
}

/// The JSON body that sends `message` with `template`.
pub fn body(message: &Message, template: &Template) -> Result<Vec<u8>, SendError> {
    let outgoing = Outgoing {
        messaging_product: "whatsapp",
        to: recipient_digits(&message.recipient)?,
        kind: "template",
        template: TemplateBody {
            name: &template.name,
            language: Language { code: &template.language },
            components: [Component {
                kind: "body",
                parameters: template_parameters(message)
                    .into_iter()
                    .map(|text| Parameter { kind: "text", text })
                    .collect(),
            }],
        },
    };
    serde_json::to_vec(&outgoing).map_err(|e| SendError::Permanent(format!("No se pudo armar el mensaje: {e}")))
}

#[cfg(test)]
mod tests {
    use ficha_domain::NoticeKind;

    use super::*;
    use crate::fixtures::{facts, message};

    #[test]
    fn the_exact_body() {
        let mut m = message(NoticeKind::BookingConfirmed, facts());
        m.recipient = "+56961234567".into();
        let template = Template { name: "reserva_confirmada".into(), language: "es_CL".into() };
        let body = String::from_utf8(body(&m, &template).expect("builds")).expect("utf-8");
        assert_eq!(
            body,
            r#"{"messaging_product":"whatsapp","to":"56961234567","type":"template","template":{"name":"reserva_confirmada","language":{"code":"es_CL"},"components":[{"type":"body","parameters":[{"type":"text","text":"Ana Pérez"},{"type":"text","text":"Clínica Alameda"},{"type":"text","text":"10-12-2026 10:00"},{"type":"text","text":"Kinesiología"},{"type":"text","text":"Juan Soto"}]}]}}"#
        );
    }

    #[test]
    fn a_phone_must_be_e164_digits() {
        assert_eq!(recipient_digits("+56961234567"), Ok("56961234567".into()));
        for bad in ["", "+56 9 6123 4567", "+569612a4567", "+123"] {
            assert!(matches!(recipient_digits(bad), Err(SendError::Permanent(_))), "{bad:?}");
        }
    }
}
