//! The access log as CSV: a header row, then one row per read, in the words
//! and the dates (`dd-mm-aaaa`, the business's zone) of the panel.

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LINK};
use axum::response::{IntoResponse, Response};
use ficha_domain::ClientId;
use ficha_store::AccessPage;
use jiff::tz::TimeZone;

use crate::panel::access_words::AccessRow;

const HEADER: [&str; 3] = ["Fecha", "Quién", "Qué"];

pub fn response(client: ClientId, page: &AccessPage, zone: &TimeZone) -> Response {
    let mut body = line(&HEADER);
    for entry in &page.entries {
        let row = AccessRow::new(entry, zone);
        body.push_str(&line(&[&row.when, &row.who, row.what]));
    }
    let file = format!("attachment; filename=\"accesos-{client}.csv\"");
    let mut response =
        ([(CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, file)], body).into_response();
    if let Some(next) = &page.next {
        let link = format!("</api/v1/clients/{client}/access-log?format=csv&cursor={}>; rel=\"next\"", next.encode());
        if let Ok(value) = link.parse() {
            response.headers_mut().insert(LINK, value);
        }
    }
    response
}

/// One CSV line (RFC 4180, CRLF).
fn line(fields: &[&str]) -> String {
    let mut line = fields.iter().map(|f| field(f)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// Quoted when it must be; a leading `=`, `+`, `-` or `@` is kept from
/// being read as a formula by a spreadsheet (a staff name is typed by
/// people).
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\r', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("Olga Díaz"), "Olga Díaz");
        assert_eq!(field("Díaz, Olga"), "\"Díaz, Olga\"");
        assert_eq!(field("O\"lga"), "\"O\"\"lga\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(line(&["a", "b"]), "a,b\r\n");
    }
}
