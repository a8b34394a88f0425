//! One client as a vCard 4.0 (RFC 6350), for a phone's or a mail
//! program's contacts: name, email, phone and birthday — never notes or
//! custom values (either may be health data, and a contact list syncs to
//! places the business does not control).
//!
//! Written here rather than with `calcard` (the crate the stack notes
//! suggest): it brings chrono, chrono-tz's compiled time-zone tables and a
//! mail builder for what is five properties. What RFC 6350 asks of a
//! writer is small and tested below: text escaping (§3.4), lines ending in
//! CRLF, folded at 75 octets without splitting a character (§3.2).

use ficha_domain::Client;
use ficha_domain::fold::fold;

/// `Content-Type` of a vCard (RFC 6350 §10.1).
pub const CONTENT_TYPE: &str = "text/vcard; charset=utf-8";

/// The client's vCard. The name is one piece of text with no known split
/// into given names and surnames (Chilean names have two of each, or
/// not), so `N` carries it whole as the given name, and contact lists
/// that build a name from `N` show it as typed.
pub fn vcard(client: &Client) -> String {
    let name = escape(client.name.as_str());
    let mut lines = vec![
        "BEGIN:VCARD".to_owned(),
        "VERSION:4.0".to_owned(),
        "PRODID:-//Ficha//ES".to_owned(),
        format!("UID:urn:uuid:{}", client.id),
        format!("FN:{name}"),
        format!("N:;{name};;;"),
        format!("EMAIL:{}", escape(client.email.as_str())),
    ];
    if let Some(phone) = &client.phone {
        lines.push(format!("TEL;VALUE=uri:tel:{}", phone.e164()));
    }
    if let Some(birth) = &client.birth_date {
        lines.push(format!("BDAY:{}", birth.date().strftime("%Y%m%d")));
    }
    lines.push("END:VCARD".to_owned());
    lines.iter().map(|line| fold_line(line)).collect()
}

/// `ana-perez.vcf`: the name without accents, letters and digits only.
pub fn file_name(client: &Client) -> String {
    let words: Vec<String> = fold(client.name.as_str())
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    if words.is_empty() { "cliente.vcf".to_owned() } else { format!("{}.vcf", words.join("-")) }
}

/// A text value (§3.4): backslash, comma and semicolon escaped, line
/// breaks written `\n`.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ',' => escaped.push_str("\\,"),
            ';' => escaped.push_str("\\;"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// One content line ended by CRLF, folded (§3.2) so no physical line is
/// longer than 75 octets: a break, then a space, never inside a UTF-8
/// sequence.
fn fold_line(line: &str) -> String {
    let mut folded = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            folded.push_str("\r\n ");
            // The space that opens a continuation counts.
            width = 1;
        }
        folded.push(c);
        width += c.len_utf8();
    }
    folded.push_str("\r\n");
    folded
}

#[cfg(test)]
mod tests {
    use super::*;
    use ficha_domain::{BirthDate, ClientId, ClientName, Email, Phone};
    use jiff::Timestamp;
    use jiff::civil::date;

    fn client(name: &str) -> Client {
        Client {
            id: ClientId::generate(),
            name: ClientName::parse(name).expect("valid"),
            email: Email::parse("ana@correo.cl").expect("valid"),
            phone: None,
            rut: None,
            birth_date: None,
            last_booking_at: None,
            registered_at: Timestamp::UNIX_EPOCH,
            version: 1,
        }
    }

    #[test]
    fn a_client_is_a_vcard_of_name_email_phone_and_birthday() {
        let mut ana = client("Ana Pérez, hija; \\ sur");
        ana.phone = Some(Phone::parse("9 6123 4567").expect("valid"));
        ana.birth_date = Some(BirthDate::new(date(1990, 4, 23), date(2026, 1, 1)).expect("valid"));
        let card = vcard(&ana);
        let head = format!("BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:-//Ficha//ES\r\nUID:urn:uuid:{}\r\n", ana.id);
        assert!(card.starts_with(&head), "{card}");
        assert!(
            card.contains("\r\nFN:Ana Pérez\\, hija\\; \\\\ sur\r\nN:;Ana Pérez\\, hija\\; \\\\ sur;;;\r\n"),
            "{card}"
        );
        assert!(
            card.contains(
                "\r\nEMAIL:ana@correo.cl\r\nTEL;VALUE=uri:tel:+56961234567\r\nBDAY:19900423\r\nEND:VCARD\r\n"
            )
        );
        assert!(!vcard(&client("Ana")).contains("TEL"), "no phone, no TEL");
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let line = format!("FN:{}", "ñ".repeat(60));
        let folded = fold_line(&line);
        let physical: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() > 1);
        assert!(physical.iter().all(|p| p.len() <= 75), "{physical:?}");
        assert!(physical[1..].iter().all(|p| p.starts_with(' ')));
        let unfolded: String = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
    }

    #[test]
    fn file_names_are_the_name_in_plain_letters() {
        assert_eq!(file_name(&client("Ana María Núñez")), "ana-maria-nunez.vcf");
        assert_eq!(file_name(&client("Ñ")), "n.vcf");
    }
}
