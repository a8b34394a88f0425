//! The Cloud API's delivery webhooks: a POST per batch of status changes,
//! signed with the app's secret. The web layer checks the signature on the
//! raw body before reading anything (`verify_signature`), then hands the
//! statuses (`parse_statuses`) to the store's `delivery_report`.

use ficha_store::Delivery;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::answer::{ApiError, permanent_reason, said};

/// Whether `header_value` (the `X-Hub-Signature-256` header, `sha256=<hex>`)
/// is the HMAC-SHA256 of `body` under `app_secret`. Compared in constant
/// time. An empty secret verifies nothing: anyone can compute an HMAC
/// with an empty key.
pub fn verify_signature(app_secret: &str, body: &[u8], header_value: Option<&str>) -> bool {
    let Some(hex) = header_value.and_then(|v| v.trim().strip_prefix("sha256=")) else { return false };
    let Some(expected) = decode_hex(hex) else { return false };
    if app_secret.is_empty() {
        return false;
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()) else { return false };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

/// One status change of a message Ficha sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// The `wamid…` the send was answered with.
    pub provider_id: String,
    pub status: Delivery,
    /// For `failed`: why, in Spanish with the provider's words.
    pub error: Option<String>,
}

#[derive(Deserialize)]
struct Notification {
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize, Default)]
struct Value {
    #[serde(default)]
    statuses: Vec<Status>,
}

#[derive(Deserialize)]
struct Status {
    id: String,
    status: String,
    #[serde(default)]
    errors: Vec<ApiError>,
}

/// The statuses of `entry[].changes[].value.statuses[]` that Ficha knows
/// (`sent`, `delivered`, `read`, `failed`); others (such as incoming
/// messages' changes) and a body that is not such JSON give nothing.
pub fn parse_statuses(body: &[u8]) -> Vec<StatusUpdate> {
    let Ok(notification) = serde_json::from_slice::<Notification>(body) else { return Vec::new() };
    notification
        .entry
        .into_iter()
        .flat_map(|entry| entry.changes)
        .flat_map(|change| change.value.statuses)
        .filter_map(|status| {
            let delivery = Delivery::parse(&status.status)?;
            let error = (delivery == Delivery::Failed).then(|| failure(&status.errors));
            Some(StatusUpdate { provider_id: status.id, status: delivery, error })
        })
        .collect()
}

fn failure(errors: &[ApiError]) -> String {
    match errors.first() {
        Some(error) => permanent_reason(error.code(), &said(error)),
        None => "WhatsApp no pudo entregar el mensaje".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "app-secret";

    fn sign(body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
        mac.update(body);
        let digest = mac.finalize().into_bytes();
        format!("sha256={}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
    }

    #[test]
    fn a_good_signature_passes() {
        let body = br#"{"entry":[]}"#;
        assert!(verify_signature(SECRET, body, Some(&sign(body))));
        assert!(verify_signature(SECRET, body, Some(&sign(body).to_uppercase().replace("SHA256=", "sha256="))));
    }

    #[test]
    fn a_wrong_missing_or_malformed_signature_fails() {
        let body = br#"{"entry":[]}"#;
        assert!(!verify_signature(SECRET, br#"{"entry":[{}]}"#, Some(&sign(body))));
        assert!(!verify_signature("other-secret", body, Some(&sign(body))));
        assert!(!verify_signature(SECRET, body, None));
        assert!(!verify_signature(SECRET, body, Some("")));
        assert!(!verify_signature(SECRET, body, Some(&sign(body).replace("sha256=", ""))));
        assert!(!verify_signature(SECRET, body, Some("sha256=zz")));
        assert!(!verify_signature(SECRET, body, Some(&sign(body)[..20])));
    }

    #[test]
    fn an_empty_secret_verifies_nothing() {
        let body = b"{}";
        let mut mac = Hmac::<Sha256>::new_from_slice(b"").expect("any key length");
        mac.update(body);
        let forged =
            format!("sha256={}", mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>());
        assert!(!verify_signature("", body, Some(&forged)));
    }

    #[test]
    fn statuses_are_read_from_every_entry_and_change() {
        let body = br#"{"object":"whatsapp_business_account","entry":[
          {"id":"WABA","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
            "metadata":{"display_phone_number":"56900000000","phone_number_id":"123"},
            "statuses":[
              {"id":"wamid.A","status":"sent","timestamp":"1764590400","recipient_id":"56961234567"},
              {"id":"wamid.A","status":"delivered","timestamp":"1764590401","recipient_id":"56961234567"}
            ]}}]},
          {"id":"WABA","changes":[{"field":"messages","value":{"statuses":[
              {"id":"wamid.B","status":"read","timestamp":"1764590402","recipient_id":"56961234568"},
              {"id":"wamid.C","status":"failed","timestamp":"1764590403","recipient_id":"56961234569",
               "errors":[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable",
                          "error_data":{"details":"Message Undeliverable."}}]},
              {"id":"wamid.D","status":"deleted"}
            ]}},
            {"field":"messages","value":{"messages":[{"from":"56961234567","id":"wamid.E","type":"text"}]}}]}
        ]}"#;
        let updates = parse_statuses(body);
        let brief: Vec<(&str, Delivery)> = updates.iter().map(|u| (u.provider_id.as_str(), u.status)).collect();
        assert_eq!(
            brief,
            [
                ("wamid.A", Delivery::Sent),
                ("wamid.A", Delivery::Delivered),
                ("wamid.B", Delivery::Read),
                ("wamid.C", Delivery::Failed)
            ]
        );
        assert_eq!(updates[0].error, None);
        let reason = updates[3].error.as_deref().expect("a failure says why");
        assert!(reason.starts_with("WhatsApp no pudo entregar el mensaje: el número no usa WhatsApp"), "{reason}");
        assert!(reason.contains("Message undeliverable — Message Undeliverable."), "{reason}");
    }

    #[test]
    fn not_a_notification_gives_nothing() {
        assert!(parse_statuses(b"not json").is_empty());
        assert!(parse_statuses(br#"{"entry":[{"changes":[{"value":{}}]}]}"#).is_empty());
    }
}
