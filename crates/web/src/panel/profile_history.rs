//! The profile's "Historial": what changed in the client's data and notes,
//! newest first, one page at a time (a cursor in the link). Values read the
//! way the rest of the panel writes them: dates `dd-mm-aaaa`, Sí/No, lists
//! with commas.

use ficha_domain::{
    Change, ChoiceSource, ClientId, ClientPreferences, GeneralField, HistoryEntry, MergeRole, Visibility,
};
use ficha_store::{HistoryCursor, HistoryQuery};

use super::booking_words::{attendance_label, payment_label};
use super::error::PanelError;
use super::format::{date, date_time, query};
use super::profile_notes::who_name;
use super::request_words::{event_values, right_label};
use super::session::Staffer;
use crate::AppState;

const PAGE_SIZE: u32 = 15;
/// Longer note texts are cut in the history; the note itself keeps all.
const NOTE_PREVIEW_CHARS: usize = 280;

pub struct HistoryRow {
    pub when: String,
    pub who: String,
    /// What changed: "Teléfono", "Nota agregada"…
    pub what: String,
    /// Empty when the change has no "before" (a note added).
    pub old: String,
    pub new: String,
    pub has_old: bool,
    pub has_new: bool,
    /// The value was empty before (shown plainly, not struck through).
    pub was_empty: bool,
}

pub struct HistorySection {
    pub rows: Vec<HistoryRow>,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
}

impl HistorySection {
    pub async fn load(state: &AppState, staffer: &Staffer, client: ClientId, from: &str) -> Result<Self, PanelError> {
        let after = HistoryCursor::decode(from);
        let first_page = after.is_none();
        let page =
            state.store.client_history(&staffer.actor, client, &HistoryQuery { after, limit: PAGE_SIZE }).await?;
        let zone = staffer.zone();
        let base = format!("/clientes/{client}");
        Ok(Self {
            rows: page.entries.iter().map(|entry| row(entry, &zone)).collect(),
            next_href: page
                .next
                .map(|next| format!("{base}{}#historial", query(&[("historial", next.encode().as_str())]))),
            first_href: (!first_page).then(|| format!("{base}#historial")),
        })
    }
}

pub(crate) fn row(entry: &HistoryEntry, zone: &jiff::tz::TimeZone) -> HistoryRow {
    let (what, old, new) = match &entry.change {
        Change::Field { field, old, new } => {
            let shown = |value: &str| general_value(*field, value);
            (field_label(*field).to_owned(), old.as_deref().map(shown), new.as_deref().map(shown))
        }
        Change::CustomValue { label, old, new } => {
            (label.clone(), old.as_deref().map(readable), new.as_deref().map(readable))
        }
        Change::NoteAdded { text, .. } => ("Nota agregada".into(), None, Some(preview(text))),
        Change::NoteEdited { old, new, .. } => ("Nota editada".into(), Some(preview(old)), Some(preview(new))),
        Change::NoteDeleted { text, .. } => ("Nota eliminada".into(), Some(preview(text)), None),
        Change::BookingCreated { start, .. } => (
            "Reserva creada".into(),
            None,
            Some(start.map_or_else(|| "por reservar".to_owned(), |at| date_time(at, zone))),
        ),
        Change::BookingRescheduled { old, new, .. } => {
            ("Reserva reagendada".into(), old.map(|at| date_time(at, zone)), Some(date_time(*new, zone)))
        }
        Change::BookingConfirmed { .. } => ("Reserva confirmada".into(), None, None),
        Change::BookingCancelled { .. } => ("Reserva anulada".into(), None, None),
        Change::BookingAttendance { old, new, .. } => {
            ("Asistencia".into(), Some(attendance_label(*old).to_owned()), Some(attendance_label(*new).to_owned()))
        }
        Change::BookingPayment { old, new, .. } => ("Pago".into(), Some(payment_label(old)), Some(payment_label(new))),
        Change::AttentionNoteAdded { visibility, text, .. } => {
            (attention_note(*visibility, "agregada"), None, Some(preview(text)))
        }
        Change::AttentionNoteEdited { visibility, old, new, .. } => {
            (attention_note(*visibility, "editada"), Some(preview(old)), Some(preview(new)))
        }
        Change::AttentionNoteDeleted { visibility, text, .. } => {
            (attention_note(*visibility, "eliminada"), Some(preview(text)), None)
        }
        Change::NotificationPreferences { old, new, source } => {
            let what = match source {
                Some(source) => format!("Notificaciones ({})", source_label(*source)),
                None => "Notificaciones".into(),
            };
            (what, Some(notifications(old)), Some(notifications(new)))
        }
        Change::ClientBlocked { reason } => ("Perfil bloqueado".into(), None, Some(preview(reason))),
        Change::ClientUnblocked => ("Perfil desbloqueado".into(), None, None),
        Change::ClientMerged { role, other_name, other_email, .. } => {
            let what = match role {
                MergeRole::Survivor => "Fusionado: absorbió el perfil",
                MergeRole::Absorbed => "Fusionado en el perfil",
            };
            (what.into(), None, Some(format!("{other_name} <{other_email}>")))
        }
        Change::MergeUndone { role, other_name, other_email, .. } => {
            let what = match role {
                MergeRole::Survivor => "Fusión deshecha: volvió el perfil",
                MergeRole::Absorbed => "Fusión deshecha: separado de",
            };
            (what.into(), None, Some(format!("{other_name} <{other_email}>")))
        }
        Change::ClientImported { file_name, created, .. } => {
            (format!("Importado desde «{file_name}»"), None, created.then(|| "Perfil creado".to_owned()))
        }
        Change::ImportUndone { file_name, .. } => (format!("Importación deshecha: «{file_name}»"), None, None),
        Change::DataRequest { right, event, .. } => {
            let (old, new) = event_values(event);
            (format!("Solicitud de datos: {}", right_label(*right).to_lowercase()), old, new)
        }
    };
    // Entries that say what happened rather than a value's before and after.
    let is_event = !matches!(entry.change, Change::Field { .. } | Change::CustomValue { .. });
    let (has_old, has_new) = if is_event { (old.is_some(), new.is_some()) } else { (true, true) };
    let was_empty = old.is_none();
    let empty = || "(vacío)".to_owned();
    HistoryRow {
        when: date_time(entry.at, zone),
        who: who_name(&entry.who),
        what,
        old: old.unwrap_or_else(empty),
        new: new.unwrap_or_else(empty),
        has_old,
        has_new,
        was_empty,
    }
}

fn attention_note(visibility: Visibility, what: &str) -> String {
    let kind = match visibility {
        Visibility::Private => "privada",
        Visibility::Shared => "compartida",
    };
    format!("Nota de atención {kind} {what}")
}

/// Where a choice of messages was made, as the profile says it.
pub(crate) fn source_label(source: ChoiceSource) -> &'static str {
    match source {
        ChoiceSource::Panel => "desde el panel",
        ChoiceSource::Api => "por la API",
        ChoiceSource::MiCuenta => "el cliente, en Mi cuenta",
        ChoiceSource::BookingSite => "el cliente, al reservar en línea",
    }
}

/// What a client chose to receive, as the profile says it: "recibir
/// WhatsApp, no recibir recordatorios".
fn notifications(preferences: &ClientPreferences) -> String {
    let say = |off: bool, what: &str| if off { format!("no recibir {what}") } else { format!("recibir {what}") };
    format!("{}, {}", say(preferences.no_whatsapp, "WhatsApp"), say(preferences.no_reminders, "recordatorios"))
}

pub(crate) fn field_label(field: GeneralField) -> &'static str {
    match field {
        GeneralField::Name => "Nombre",
        GeneralField::Email => "Correo",
        GeneralField::Phone => "Teléfono",
        GeneralField::Rut => "RUT",
        GeneralField::BirthDate => "Fecha de nacimiento",
    }
}

/// A general field's stored value as the profile shows it: a phone as
/// everywhere else (`9 6123 4567`), a RUT as `12.345.678-5` (stored E.164
/// and bare).
pub(crate) fn general_value(field: GeneralField, stored: &str) -> String {
    match field {
        GeneralField::Phone => ficha_domain::Phone::parse(stored).map_or_else(|_| stored.to_owned(), |p| p.display()),
        GeneralField::Rut => ficha_domain::Rut::parse(stored).map_or_else(|_| stored.to_owned(), |r| r.display()),
        GeneralField::Name | GeneralField::Email | GeneralField::BirthDate => readable(stored),
    }
}

/// A stored value as people read it: `true`/`false` as Sí/No, ISO dates as
/// `dd-mm-aaaa`, a list (stored as JSON) with commas; anything else as is.
fn readable(stored: &str) -> String {
    match stored {
        "true" => return "Sí".into(),
        "false" => return "No".into(),
        _ => {}
    }
    if let Ok(day) = stored.parse::<jiff::civil::Date>() {
        return date(day);
    }
    if stored.starts_with('[')
        && let Ok(items) = serde_json::from_str::<Vec<String>>(stored)
    {
        return items.join(", ");
    }
    stored.to_owned()
}

fn preview(text: &str) -> String {
    if text.chars().count() <= NOTE_PREVIEW_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(NOTE_PREVIEW_CHARS).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_read_the_way_the_panel_writes_them() {
        assert_eq!(readable("true"), "Sí");
        assert_eq!(readable("false"), "No");
        assert_eq!(readable("1990-04-03"), "03-04-1990");
        assert_eq!(readable(r#"["Perro","Gato"]"#), "Perro, Gato");
        assert_eq!(readable("+56961234567"), "+56961234567");
        assert_eq!(general_value(GeneralField::Phone, "+56961234567"), "9 6123 4567");
        assert_eq!(general_value(GeneralField::Rut, "12345678-5"), "12.345.678-5");
        assert_eq!(general_value(GeneralField::BirthDate, "1990-04-03"), "03-04-1990");
        assert_eq!(preview(&"a".repeat(300)).chars().count(), NOTE_PREVIEW_CHARS + 1);
    }

    #[test]
    fn an_imports_entries_name_its_file() {
        let entry = |change| HistoryEntry {
            id: ficha_domain::HistoryId::generate(),
            client: ClientId::generate(),
            at: jiff::Timestamp::UNIX_EPOCH,
            who: ficha_domain::Who::System,
            change,
        };
        let batch = ficha_domain::ImportId::generate();
        let zone = jiff::tz::TimeZone::UTC;
        let created =
            row(&entry(Change::ClientImported { batch, file_name: "clientes.csv".into(), created: true }), &zone);
        assert_eq!(
            (created.what.as_str(), created.has_new, created.new.as_str()),
            ("Importado desde «clientes.csv»", true, "Perfil creado")
        );
        let updated =
            row(&entry(Change::ClientImported { batch, file_name: "clientes.csv".into(), created: false }), &zone);
        assert_eq!(
            (updated.what.as_str(), updated.has_old, updated.has_new),
            ("Importado desde «clientes.csv»", false, false)
        );
        let undone = row(&entry(Change::ImportUndone { batch, file_name: "clientes.csv".into() }), &zone);
        assert_eq!(undone.what, "Importación deshecha: «clientes.csv»");
    }

    #[test]
    fn notification_choices_read_as_what_the_client_receives() {
        let out = ClientPreferences { no_whatsapp: true, no_reminders: false };
        assert_eq!(notifications(&out), "no recibir WhatsApp, recibir recordatorios");
        assert_eq!(notifications(&ClientPreferences::default()), "recibir WhatsApp, recibir recordatorios");
    }
}
