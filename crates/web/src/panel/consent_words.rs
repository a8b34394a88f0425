//! A booking's consent (Ley 21.719) as staff read it on the profile: the
//! privacy notice version accepted, when, and the WhatsApp choice.

use ficha_domain::Consent;
use jiff::tz::TimeZone;

use super::format::date_time;

/// "WhatsApp: sí" / "no" / "no se preguntó" (the channel was off).
pub fn whatsapp(consent: &Consent) -> &'static str {
    match consent.whatsapp_opt_in {
        Some(true) => "WhatsApp: sí",
        Some(false) => "WhatsApp: no",
        None => "WhatsApp: no se preguntó",
    }
}

/// One booking's line: "Aviso de privacidad v2 aceptado · WhatsApp: sí".
pub fn booking_line(consent: &Consent) -> String {
    format!("Aviso de privacidad v{} aceptado · {}", consent.notice_version, whatsapp(consent))
}

/// The profile's latest consent, with its date.
pub fn latest_line(consent: &Consent, zone: &TimeZone) -> String {
    format!(
        "Aviso de privacidad v{}, aceptado el {} · {}",
        consent.notice_version,
        date_time(consent.accepted_at, zone),
        whatsapp(consent)
    )
}

/// The same, as the client reads it in Mi cuenta.
pub fn client_line(consent: &Consent, zone: &TimeZone) -> String {
    format!(
        "Aceptaste su aviso de privacidad (versión {}) el {}.",
        consent.notice_version,
        date_time(consent.accepted_at, zone)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    #[test]
    fn a_consent_reads_in_spanish_with_the_business_date() {
        let at: Timestamp = "2026-03-14T12:30:00Z".parse().expect("valid");
        let zone = TimeZone::get("America/Santiago").expect("zone");
        let consent = Consent { notice_version: 2, accepted_at: at, whatsapp_opt_in: None };
        assert_eq!(booking_line(&consent), "Aviso de privacidad v2 aceptado · WhatsApp: no se preguntó");
        let yes = Consent { whatsapp_opt_in: Some(true), ..consent };
        assert_eq!(latest_line(&yes, &zone), "Aviso de privacidad v2, aceptado el 14-03-2026 09:30 · WhatsApp: sí");
        assert_eq!(client_line(&yes, &zone), "Aceptaste su aviso de privacidad (versión 2) el 14-03-2026 09:30.");
    }
}
