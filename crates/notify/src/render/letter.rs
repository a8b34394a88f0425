//! A message's words as a structure (greeting, paragraphs, details, note,
//! links, code), written out twice: as plain text, and as HTML through an
//! askama template that escapes every value. No HTML is put together by
//! hand, so a client's name or a note's text can never become markup.

use askama::Template;

/// One labelled value of the message (`Servicio: Kinesiología`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub label: &'static str,
    pub value: String,
}

/// A link the client will use (`Mi cuenta: https://…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub label: &'static str,
    pub url: String,
}

/// Everything a message says, before it is text or HTML.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Letter {
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    pub details: Vec<Detail>,
    /// Shown as typed (line breaks kept), set apart from our words.
    pub note: Option<String>,
    pub actions: Vec<Action>,
    /// A one-time code, shown large.
    pub code: Option<String>,
    /// Small print after the links.
    pub closing: Vec<String>,
    pub signature: String,
}

#[derive(Template)]
#[template(path = "email.html")]
struct Html<'a> {
    letter: &'a Letter,
}

impl Letter {
    pub fn text(&self) -> String {
        let mut blocks: Vec<String> = vec![self.greeting.clone()];
        blocks.extend(self.paragraphs.iter().cloned());
        if !self.details.is_empty() {
            blocks
                .push(self.details.iter().map(|d| format!("{}: {}", d.label, d.value)).collect::<Vec<_>>().join("\n"));
        }
        if let Some(note) = &self.note {
            blocks.push(note.lines().map(|line| format!("> {line}")).collect::<Vec<_>>().join("\n"));
        }
        if let Some(code) = &self.code {
            blocks.push(format!("Código: {code}"));
        }
        if !self.actions.is_empty() {
            blocks.push(self.actions.iter().map(|a| format!("{}: {}", a.label, a.url)).collect::<Vec<_>>().join("\n"));
        }
        blocks.extend(self.closing.iter().cloned());
        blocks.push(self.signature.clone());
        let mut text = blocks.join("\n\n");
        text.push('\n');
        text
    }

    pub fn html(&self) -> String {
        // The template only reads fields of a struct in memory; the one way
        // it fails is a `fmt::Write` error, which writing to a String never
        // returns. Falling back to the escaped text keeps the function total.
        Html { letter: self }.render().unwrap_or_else(|_| format!("<pre>{}</pre>", escape(&self.text())))
    }
}

/// HTML-escapes `text` (for the fallback above only; the template escapes
/// on its own).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter() -> Letter {
        Letter {
            subject: "Asunto".into(),
            greeting: "Hola <b>Ana</b>:".into(),
            paragraphs: vec!["Primero & segundo.".into()],
            details: vec![Detail { label: "Servicio", value: "Masaje \"relajante\"".into() }],
            note: Some("línea 1\n<script>alert(1)</script>".into()),
            actions: vec![Action { label: "Mi cuenta", url: "http://x/reservar/a?b=1&c=2".into() }],
            code: Some("123456".into()),
            closing: vec!["Si no lo pediste, ignora este correo.".into()],
            signature: "Clínica".into(),
        }
    }

    #[test]
    fn text_keeps_everything_in_order() {
        let text = letter().text();
        assert_eq!(
            text,
            "Hola <b>Ana</b>:\n\nPrimero & segundo.\n\nServicio: Masaje \"relajante\"\n\n> línea 1\n> \
             <script>alert(1)</script>\n\nCódigo: 123456\n\nMi cuenta: http://x/reservar/a?b=1&c=2\n\n\
             Si no lo pediste, ignora este correo.\n\nClínica\n"
        );
    }

    #[test]
    fn html_escapes_every_value() {
        let html = letter().html();
        assert!(html.contains("<p>Hola &#60;b&#62;Ana&#60;/b&#62;:</p>"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("<p>Primero &#38; segundo.</p>"), "{html}");
        assert!(html.contains(r#"<a href="http://x/reservar/a?b=1&#38;c=2""#), "{html}");
        assert!(html.contains("123456"));
    }
}
