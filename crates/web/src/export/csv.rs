//! The export as CSV, streamed: the byte-order mark and the header, then
//! one chunk per page of clients, each written as soon as it is read.
//!
//! UTF-8 with a BOM, because Excel reads a CSV without one in the
//! machine's legacy code page and garbles every accent. Fields separated by
//! `;` unless asked otherwise: Excel set up for Chile (decimal comma) splits
//! a CSV on `;`, and reads a `,`-separated one as a single column. Quoting
//! by the `csv` crate (RFC 4180: a field holding the separator, a quote or
//! a line break is quoted, quotes doubled), lines ended by CRLF.

use axum::body::{Body, Bytes};
use futures_util::stream;

use super::Separator;
use super::cells::Cell;
use super::rows::Rows;

const BOM: &[u8] = "\u{feff}".as_bytes();

/// The streamed body. A store error after the first bytes ends the stream
/// with an error, so the connection is cut and the download shows as
/// failed rather than complete.
pub fn body(rows: Rows, separator: Separator) -> Body {
    let mut head = BOM.to_vec();
    head.extend(lines(vec![rows.headers().iter().map(|h| Cell::Formatted(h.clone())).collect()], separator));
    let first = stream::once(async move { Ok::<_, ficha_store::StoreError>(Bytes::from(head)) });
    let pages = stream::try_unfold(rows, move |mut rows| async move {
        match rows.next_page().await {
            Ok(Some(page)) => Ok(Some((Bytes::from(lines(page, separator)), rows))),
            Ok(None) => Ok(None),
            Err(error) => {
                tracing::error!(error = %error, "client export stopped: the store failed");
                Err(error)
            }
        }
    });
    Body::from_stream(futures_util::StreamExt::chain(first, pages))
}

/// Rows as CSV lines.
fn lines(rows: Vec<Vec<Cell>>, separator: Separator) -> Vec<u8> {
    let mut writer = ::csv::WriterBuilder::new()
        .delimiter(separator.byte())
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let written =
        rows.iter().try_for_each(|row| writer.write_record(row.iter().map(|cell| cell.defused().into_owned())));
    // Writing into memory fails only on an I/O error, which a Vec never has.
    if let Err(error) = written {
        tracing::error!(error = %error, "client export: a CSV line could not be written");
    }
    writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> Cell {
        Cell::Typed(text.to_owned())
    }

    #[test]
    fn fields_are_quoted_when_they_must_be() {
        let row = vec![typed("Pérez; Ana"), typed("dice \"hola\""), typed("uno\ndos"), typed("=1+1"), typed("")];
        let text = String::from_utf8(lines(vec![row.clone()], Separator::Semicolon)).expect("utf-8");
        assert_eq!(text, "\"Pérez; Ana\";\"dice \"\"hola\"\"\";\"uno\ndos\";'=1+1;\r\n");
        let text = String::from_utf8(lines(vec![row], Separator::Comma)).expect("utf-8");
        assert_eq!(text, "Pérez; Ana,\"dice \"\"hola\"\"\",\"uno\ndos\",'=1+1,\r\n");
    }
}
