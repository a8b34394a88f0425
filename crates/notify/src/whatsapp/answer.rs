//! What the Cloud API answered: the message's id, or an error that is worth
//! retrying (rate limits, the API's own trouble) or not (a number that is
//! not on WhatsApp, a template that does not match, a bad token). The
//! reason staff see is Spanish and carries the provider's own words.
//!
//! An error answer is `{"error":{"message":"(#131026) Message
//! Undeliverable.","type":"OAuthException","code":131026,
//! "error_data":{"details":"…"},"fbtrace_id":"…"}}`.

use serde::Deserialize;

use super::http::Answer;
use crate::SendError;

#[derive(Deserialize)]
struct Accepted {
    messages: Vec<AcceptedMessage>,
}

#[derive(Deserialize)]
struct AcceptedMessage {
    id: String,
}

#[derive(Deserialize)]
struct Refused {
    error: ApiError,
}

#[derive(Deserialize)]
pub(crate) struct ApiError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    error_data: Option<ErrorData>,
}

impl ApiError {
    /// The error's code (0 when the API gave none).
    pub(crate) fn code(&self) -> i64 {
        self.code.unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct ErrorData {
    #[serde(default)]
    details: Option<String>,
}

pub(crate) fn read(answer: Answer) -> Result<Option<String>, SendError> {
    if answer.status.is_success() {
        // Taken: even an answer we cannot read must not be sent again.
        return Ok(serde_json::from_slice::<Accepted>(&answer.body)
            .ok()
            .and_then(|accepted| accepted.messages.into_iter().next())
            .map(|m| m.id)
            .or_else(|| {
                tracing::warn!(body = %String::from_utf8_lossy(&answer.body), "WhatsApp accepted a message without an id");
                None
            }));
    }
    let status = answer.status.as_u16();
    match serde_json::from_slice::<Refused>(&answer.body) {
        Ok(refused) => Err(classify(status, &refused.error)),
        // Not the API speaking (a proxy, a wrong base URL, an outage page):
        // try again later rather than fail the message on it.
        Err(_) => Err(SendError::Temporary(format!(
            "WhatsApp respondió {status}: {}",
            String::from_utf8_lossy(&answer.body).chars().take(200).collect::<String>()
        ))),
    }
}

/// Codes that say "later": throughput and pair rate limits, spam rate limit,
/// the app's and the account's call limits, and the API's own trouble.
const TEMPORARY_CODES: [i64; 10] = [130429, 131056, 131048, 4, 80007, 1, 2, 131000, 131016, 133004];

/// Sorts an API error by HTTP status and error code.
pub(crate) fn classify(status: u16, error: &ApiError) -> SendError {
    let said = said(error);
    let code = error.code();
    if status == 429 || status == 408 || status >= 500 || TEMPORARY_CODES.contains(&code) {
        return SendError::Temporary(format!("WhatsApp pidió reintentar más tarde ({code}): {said}"));
    }
    SendError::Permanent(permanent_reason(code, &said))
}

/// The Spanish reason for an error that will not go away by retrying.
pub(crate) fn permanent_reason(code: i64, said: &str) -> String {
    match code {
        131026 => {
            format!("WhatsApp no pudo entregar el mensaje: el número no usa WhatsApp o no puede recibirlo ({said})")
        }
        131030 => format!("El número no está en la lista de destinatarios permitidos de la cuenta de prueba ({said})"),
        132000..=132099 => format!("WhatsApp rechazó la plantilla ({code}): {said}"),
        190 => format!("El token de acceso de WhatsApp no es válido o expiró: {said}"),
        10 | 200..=299 => format!("La cuenta de WhatsApp no tiene permiso para enviar: {said}"),
        100 | 131008 | 131009 => format!("WhatsApp rechazó un parámetro del mensaje ({code}): {said}"),
        _ => format!("WhatsApp rechazó el mensaje ({code}): {said}"),
    }
}

/// The provider's words: its message, and its details when they add to it.
pub(crate) fn said(error: &ApiError) -> String {
    let headline =
        if error.message.is_empty() { error.title.clone().unwrap_or_default() } else { error.message.clone() };
    match error.error_data.as_ref().and_then(|d| d.details.as_deref()).filter(|d| !d.is_empty() && *d != headline) {
        Some(details) => format!("{headline} — {details}"),
        None => headline,
    }
}

#[cfg(test)]
mod tests {
    use hyper::StatusCode;
    use hyper::body::Bytes;

    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer { status: StatusCode::from_u16(status).expect("status"), body: Bytes::from(body.to_owned()) }
    }

    fn error(code: i64, message: &str) -> String {
        format!(r#"{{"error":{{"message":"{message}","type":"OAuthException","code":{code},"fbtrace_id":"A1"}}}}"#)
    }

    #[test]
    fn accepted_gives_the_wamid() {
        let body = r#"{"messaging_product":"whatsapp","contacts":[{"input":"56961234567","wa_id":"56961234567"}],"messages":[{"id":"wamid.HBgL"}]}"#;
        assert_eq!(read(answer(200, body)), Ok(Some("wamid.HBgL".into())));
        assert_eq!(read(answer(200, "{}")), Ok(None));
    }

    #[test]
    fn rate_limits_and_outages_are_temporary() {
        for (status, code) in [(429, 130429), (400, 131056), (400, 131048), (500, 131000), (503, 1), (400, 4)] {
            let result = read(answer(status, &error(code, "(#x) Rate limit hit")));
            assert!(matches!(result, Err(SendError::Temporary(_))), "{status} {code}: {result:?}");
        }
        assert!(matches!(read(answer(502, "<html>Bad Gateway</html>")), Err(SendError::Temporary(_))));
    }

    #[test]
    fn a_bad_number_template_parameter_or_token_is_permanent_and_says_why() {
        let undeliverable = read(answer(400, &error(131026, "(#131026) Message Undeliverable.")));
        assert_eq!(
            undeliverable,
            Err(SendError::Permanent(
                "WhatsApp no pudo entregar el mensaje: el número no usa WhatsApp o no puede recibirlo \
                 ((#131026) Message Undeliverable.)"
                    .into()
            ))
        );
        for code in [132000, 132001, 100, 190, 131009] {
            let result = read(answer(400, &error(code, "nope")));
            assert!(
                matches!(&result, Err(SendError::Permanent(reason)) if reason.contains("nope")),
                "{code}: {result:?}"
            );
        }
    }

    #[test]
    fn details_are_added_to_the_message() {
        let body = r#"{"error":{"message":"(#132000) Number of parameters does not match","code":132000,"error_data":{"messaging_product":"whatsapp","details":"body: number of localizable_params (5) does not match the expected number of params (6)"}}}"#;
        let Err(SendError::Permanent(reason)) = read(answer(400, body)) else { panic!("permanent") };
        assert!(
            reason.starts_with("WhatsApp rechazó la plantilla (132000): (#132000) Number of parameters"),
            "{reason}"
        );
        assert!(reason.ends_with("expected number of params (6)"), "{reason}");
    }
}
