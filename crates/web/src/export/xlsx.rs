//! The export as XLSX, written by `rust_xlsxwriter` in constant-memory
//! mode: each row goes to a temporary file as soon as the next begins, so
//! memory holds one row (plus the page of clients being read), never the
//! sheet. When the last row is in, the workbook is zipped straight into the
//! response through a channel (`save_to_writer` needs no `Seek`), 64 KiB at
//! a time. The cost is disk: the sheet's XML waits in the temporary
//! directory until it is zipped (about 200 bytes a client; ~200 MB for a
//! million), and the download starts only then.
//!
//! Every cell is a text cell with the CSV's text (see `cells`): Excel then
//! never turns a phone into a number or a RUT into a date, and the import
//! reads one format. A sheet holds at most `MAX_ROWS` clients.

use std::io::{self, Write};

use axum::body::{Body, Bytes};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use tokio::runtime::Handle;
use tokio::sync::mpsc;

use super::rows::Rows;

/// Excel's 1 048 576 rows, less the header.
pub const MAX_ROWS: u64 = 1_048_575;
const CHUNK: usize = 64 * 1024;

/// The streamed body. The workbook is written on a blocking thread, which
/// reads the store's pages through the runtime's handle; a failure cuts
/// the download (an error in the stream) and is logged.
pub fn body(rows: Rows) -> Body {
    let (sender, receiver) = mpsc::channel::<io::Result<Bytes>>(4);
    let handle = Handle::current();
    tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter { sender: sender.clone(), buffer: Vec::with_capacity(CHUNK) };
        let written = write(&handle, rows, &mut out).and_then(|()| out.flush().map_err(XlsxError::from));
        match written {
            Ok(()) => {}
            // The person stopped the download: nothing failed.
            Err(_) if sender.is_closed() => tracing::info!("client export (xlsx) dropped by the client"),
            Err(error) => {
                tracing::error!(error = %error, "client export (xlsx) failed");
                let _ = sender.blocking_send(Err(io::Error::other(error.to_string())));
            }
        }
    });
    let chunks = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    Body::from_stream(chunks)
}

fn write(handle: &Handle, mut rows: Rows, out: &mut ChannelWriter) -> Result<(), XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name("Clientes")?;
    for (column, header) in (0u16..).zip(rows.headers()) {
        sheet.write_string_with_format(0, column, header, &bold)?;
    }
    let mut row: u32 = 1;
    while let Some(page) = handle.block_on(rows.next_page()).map_err(|e| XlsxError::CustomError(e.to_string()))? {
        // No reading on for a download nobody waits for any more.
        if out.sender.is_closed() {
            return Err(XlsxError::IoError(io::ErrorKind::BrokenPipe.into()));
        }
        for cells in page {
            if u64::from(row) > MAX_ROWS {
                return Err(XlsxError::RowColumnLimitError);
            }
            for (column, cell) in (0u16..).zip(&cells) {
                if !cell.text().is_empty() {
                    sheet.write_string(row, column, cell.text())?;
                }
            }
            row += 1;
        }
    }
    workbook.save_to_writer(out)
}

/// Bytes written into it reach the response body in chunks.
struct ChannelWriter {
    sender: mpsc::Sender<io::Result<Bytes>>,
    buffer: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK)));
        // The receiver is gone when the client stopped the download.
        self.sender.blocking_send(Ok(chunk)).map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "download dropped"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}
