//! How values read in the panel: dates `dd-mm-aaaa`, times on the 24-hour
//! clock in the business's zone, links with their query text encoded.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// `23-04-1990`.
pub fn date(date: Date) -> String {
    date.strftime("%d-%m-%Y").to_string()
}

/// `14-03-2026 09:05`, in `zone`.
pub fn date_time(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone()).strftime("%d-%m-%Y %H:%M").to_string()
}

/// The weekday's Spanish name, capitalized: `Lunes`.
pub fn weekday(day: jiff::civil::Weekday) -> &'static str {
    use jiff::civil::Weekday::*;
    match day {
        Monday => "Lunes",
        Tuesday => "Martes",
        Wednesday => "Miércoles",
        Thursday => "Jueves",
        Friday => "Viernes",
        Saturday => "Sábado",
        Sunday => "Domingo",
    }
}

/// The weekday's first three letters, whole characters: `Mié`.
pub fn weekday_short(day: jiff::civil::Weekday) -> &'static str {
    let name = weekday(day);
    name.char_indices().nth(3).map_or(name, |(end, _)| &name[..end])
}

/// `09:05`, in `zone`.
pub fn time(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone()).strftime("%H:%M").to_string()
}

/// Percent-encodes `text` for a URL's query: everything but letters, digits
/// and `-._~` (RFC 3986 unreserved), byte by byte of its UTF-8.
pub fn query_value(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// `?a=1&b=2` from the pairs whose value is not empty; empty when none is.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> =
        pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", query_value(v))).collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

/// The greeting with `{nombre}` (the client's first name) and `{negocio}`
/// filled in.
pub fn greeting(template: &str, client_name: &str, business_name: &str) -> String {
    let first_name = client_name.split_whitespace().next().unwrap_or(client_name);
    template.replace("{nombre}", first_name).replace("{negocio}", business_name)
}

/// A WhatsApp chat with `digits` (E.164 without the `+`), the text typed in.
pub fn whatsapp_link(digits: &str, text: &str) -> String {
    format!("https://wa.me/{digits}?text={}", query_value(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_read_the_chilean_way_in_the_business_zone() {
        assert_eq!(date(jiff::civil::date(1990, 4, 3)), "03-04-1990");
        let at: Timestamp = "2026-03-14T12:05:00Z".parse().expect("timestamp");
        let santiago = TimeZone::get("America/Santiago").expect("zone");
        assert_eq!(date_time(at, &santiago), "14-03-2026 09:05");
    }

    #[test]
    fn query_text_is_encoded() {
        assert_eq!(query_value("Hola Ana, ¿cómo estás?"), "Hola%20Ana%2C%20%C2%BFc%C3%B3mo%20est%C3%A1s%3F");
        assert_eq!(query(&[("q", "a&b"), ("orden", ""), ("despues", "x_y")]), "?q=a%26b&despues=x_y");
        assert_eq!(query(&[("q", "")]), "");
    }

    #[test]
    fn short_weekdays_are_three_whole_letters() {
        assert_eq!(weekday_short(jiff::civil::Weekday::Wednesday), "Mié");
        assert_eq!(weekday_short(jiff::civil::Weekday::Saturday), "Sáb");
        assert_eq!(weekday_short(jiff::civil::Weekday::Monday), "Lun");
    }

    #[test]
    fn whatsapp_links_greet_by_first_name() {
        let text = greeting("Hola {nombre}, te escribimos de {negocio}.", "Ana María Pérez", "Clínica Sur");
        assert_eq!(text, "Hola Ana, te escribimos de Clínica Sur.");
        assert_eq!(whatsapp_link("56961234567", "Hola"), "https://wa.me/56961234567?text=Hola");
    }
}
