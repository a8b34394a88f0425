//! The access log in Spanish: what was read, and a row as the profile's
//! "Accesos" and the CSV download both show it.

use ficha_domain::{AccessEntry, AccessKind};
use jiff::tz::TimeZone;

use super::format::date_time;
use super::profile_notes::who_name;

pub fn kind_label(kind: AccessKind) -> &'static str {
    match kind {
        AccessKind::Profile => "Ficha del cliente",
        AccessKind::Notes => "Notas",
        AccessKind::AttentionNotes => "Notas de atención",
        AccessKind::History => "Historial",
        AccessKind::DataFile => "Archivo de datos",
        AccessKind::AccessLog => "Registro de accesos",
    }
}

/// One entry as people read it: when (`dd-mm-aaaa HH:MM` in the business's
/// zone), who, what.
pub struct AccessRow {
    pub when: String,
    pub who: String,
    pub what: &'static str,
}

impl AccessRow {
    pub fn new(entry: &AccessEntry, zone: &TimeZone) -> Self {
        Self { when: date_time(entry.at, zone), who: who_name(&entry.who), what: kind_label(entry.kind) }
    }
}
