//! A CSV file's bytes as text: UTF-8 (a byte-order mark is dropped), or,
//! when the bytes are not valid UTF-8, Windows-1252 — what Excel in Chile
//! saves as "CSV (delimitado por comas)".

use std::borrow::Cow;

const BOM: &[u8] = b"\xEF\xBB\xBF";

pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        // Every byte is a character in Windows-1252 (the five unassigned
        // ones decode as their C1 controls), so this never fails.
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_or_without_a_bom() {
        assert_eq!(decode("Teléfono;Ñuñoa".as_bytes()), "Teléfono;Ñuñoa");
        assert_eq!(decode(b"\xEF\xBB\xBFNombre;Correo"), "Nombre;Correo");
    }

    #[test]
    fn windows_1252_as_excel_saves_it() {
        // "Teléfono;Ñuñoa;€" in Windows-1252: é E9, Ñ D1, ñ F1, € 80.
        assert_eq!(decode(b"Tel\xE9fono;\xD1u\xF1oa;\x80"), "Teléfono;Ñuñoa;€");
    }
}
