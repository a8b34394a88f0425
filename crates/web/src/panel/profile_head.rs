//! The profile's header, which stays at the top while the page scrolls: who
//! the client is (name, phone, email, RUT, age) and what a receptionist
//! should notice before speaking to them (no-shows, the most recent note),
//! next to the actions (Agendar, WhatsApp, más acciones).
//!
//! Notes have no "alert" flag in the domain, so the most recent general
//! note stands for "what matters"; no-shows come from the booking figures
//! the page already reads. Nothing here asks the store for more.

use ficha_domain::Client;
use jiff::civil::Date;

use super::format::{greeting, whatsapp_link};
use super::profile_notes::NoteRow;

/// Characters of the most recent note shown in the header; the note
/// itself is a click away in "Notas".
const NOTE_TAG_CHARS: usize = 80;

/// One fact to notice, shown as a tag.
pub struct HeadTag {
    pub text: String,
    /// The whole text, when `text` was cut.
    pub title: String,
    pub href: String,
    /// `warning` for what calls for care; empty for the rest.
    pub tone: &'static str,
}

pub struct ProfileHead {
    pub id: String,
    pub name: String,
    /// As people read them; empty when unknown.
    pub phone: String,
    /// `tel:+56…`, empty without a phone.
    pub phone_href: String,
    pub email: String,
    pub rut: String,
    /// "34 años", empty without a birth date.
    pub age: String,
    pub whatsapp: Option<String>,
    pub tags: Vec<HeadTag>,
}

impl ProfileHead {
    pub fn new(
        client: &Client,
        today: Date,
        (greeting_template, business): (&str, &str),
        no_shows: i64,
        latest_note: Option<&NoteRow>,
    ) -> Self {
        let href = format!("/clientes/{}", client.id);
        let whatsapp = client.phone.as_ref().map(|phone| {
            let text = greeting(greeting_template, client.name.as_str(), business);
            whatsapp_link(phone.wa_digits(), &text)
        });
        let mut tags = Vec::new();
        if no_shows > 0 {
            let text = if no_shows == 1 { "1 inasistencia".to_owned() } else { format!("{no_shows} inasistencias") };
            tags.push(HeadTag { text, title: String::new(), href: format!("{href}#resumen"), tone: "warning" });
        }
        if let Some(note) = latest_note {
            let (text, cut) = shorten(&note.text, NOTE_TAG_CHARS);
            tags.push(HeadTag {
                text: format!("Nota: {text}"),
                title: if cut { note.text.clone() } else { String::new() },
                href: format!("{href}#nota-{}", note.id),
                tone: "",
            });
        }
        Self {
            id: client.id.to_string(),
            name: client.name.as_str().to_owned(),
            phone: client.phone.as_ref().map(|p| p.display()).unwrap_or_default(),
            phone_href: client.phone.as_ref().map(|p| format!("tel:{}", p.e164())).unwrap_or_default(),
            email: client.email.as_str().to_owned(),
            rut: client.rut.map(|r| r.display()).unwrap_or_default(),
            age: client.birth_date.map(|b| age_words(years_between(b.date(), today))).unwrap_or_default(),
            whatsapp,
            tags,
        }
    }
}

/// Whole years from `birth` to `today` (a birthday not yet reached this
/// year does not count).
pub fn years_between(birth: Date, today: Date) -> i16 {
    let before_birthday = (today.month(), today.day()) < (birth.month(), birth.day());
    today.year() - birth.year() - i16::from(before_birthday)
}

pub fn age_words(years: i16) -> String {
    match years {
        1 => "1 año".into(),
        years if years < 1 => "menos de 1 año".into(),
        years => format!("{years} años"),
    }
}

/// The text on one line, cut to `max` characters with "…"; whether it was cut.
fn shorten(text: &str, max: usize) -> (String, bool) {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return (one_line, false);
    }
    let mut cut: String = one_line.chars().take(max).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    (cut, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn age_counts_whole_years_and_waits_for_the_birthday() {
        assert_eq!(years_between(date(1990, 4, 23), date(2026, 4, 22)), 35);
        assert_eq!(years_between(date(1990, 4, 23), date(2026, 4, 23)), 36);
        assert_eq!(years_between(date(2000, 2, 29), date(2026, 2, 28)), 25);
        assert_eq!(age_words(36), "36 años");
        assert_eq!(age_words(1), "1 año");
        assert_eq!(age_words(0), "menos de 1 año");
    }

    #[test]
    fn a_long_note_is_one_line_cut_with_an_ellipsis() {
        assert_eq!(shorten("Alérgica\nal  látex", 80), ("Alérgica al látex".to_owned(), false));
        let (cut, was_cut) = shorten(&"palabra ".repeat(20), 80);
        assert!(was_cut && cut.ends_with("palabra…") && cut.chars().count() <= 81, "{cut}");
    }
}
