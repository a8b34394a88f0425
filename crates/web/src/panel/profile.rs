//! `/clientes/{id}`: the client's profile. A header that stays at the top
//! (who, what to notice, Agendar, WhatsApp, más acciones) over a nav of
//! anchors to each section: Resumen, "Datos generales" and "Otros datos"
//! (shown as values; `?editar=datos` / `?editar=otros` opens the form, and a
//! refused save keeps it open), Reservas, Notas, Notas de atención, Por
//! reservar, Notificaciones, Historial. A save made on a version that
//! someone else has replaced meanwhile is refused and explained, with the
//! current values.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{Client, ClientId, Consent, CustomField};
use ficha_store::{FieldValue, StoreError};
use serde::Deserialize;

use super::attention_notes::AttentionSection;
use super::client_form::ClientForm;
use super::clients::EMAIL_TAKEN;
use super::consent_words::latest_line;
use super::error::{PanelError, page_with, path_id};
use super::form::{FormData, Submitted};
use super::format::date_time;
use super::layout::{Chrome, Section};
use super::other_values::{self, ArchivedValue, ValueInput};
use super::profile_access::AccessSection;
use super::profile_bookings::{BookingsSection, ListParams};
use super::profile_head::ProfileHead;
use super::profile_history::HistorySection;
use super::profile_merges::{MergesSection, refused_notice};
use super::profile_notes::NotesSection;
use super::profile_notifications::NotificationsSection;
use super::session::Staffer;
use crate::AppState;

/// A field whose current value differs from what the stale form sent.
pub struct StaleRow {
    pub label: String,
    pub current: String,
    pub yours: String,
}

/// Why a save was refused as stale, and what is stored now.
pub struct Stale {
    pub section: &'static str,
    pub rows: Vec<StaleRow>,
}

#[derive(Template)]
#[template(path = "panel/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    href: String,
    head: ProfileHead,
    /// The stored general data, as people read them (the form may hold
    /// what was typed instead).
    stored: ClientForm,
    /// Which forms are open: the rest show values with an "Editar".
    editing_general: bool,
    editing_other: bool,
    general: ClientForm,
    /// The version the forms were made on (what the user saw).
    version: i64,
    existing_href: Option<String>,
    last_booking: String,
    registered: String,
    /// The latest consent recorded with an online booking; empty if none.
    consent: String,
    other: Vec<ValueInput>,
    other_failed: bool,
    archived: Vec<ArchivedValue>,
    is_owner: bool,
    /// A save's notice and the section (its anchor) it is shown in.
    saved: Option<Saved>,
    stale: Option<Stale>,
    /// The next few bookings not cancelled, for "Resumen".
    next: Vec<NextLine>,
    bookings: BookingsSection,
    notes: NotesSection,
    attention: AttentionSection,
    notifications: NotificationsSection,
    history: HistorySection,
    /// "Accesos", for owners.
    accesses: Option<AccessSection>,
    /// "Perfil bloqueado desde dd-mm-aaaa: motivo" (only owners see a
    /// blocked profile).
    blocked: Option<String>,
    /// The block form's refused reason and its message.
    block_form: BlockForm,
    /// "Este cliente podría estar duplicado": where its pairs are listed.
    duplicates_href: Option<String>,
    /// The merges an owner may still undo.
    merges: MergesSection,
    may_merge: bool,
    /// Why an undo was refused (`?guardado=fusion-…`).
    merge_notice: Option<&'static str>,
}

/// The "Bloquear perfil" form in "Más acciones": what was typed, and why it
/// was refused (then the form is open).
#[derive(Default)]
pub struct BlockForm {
    pub reason: String,
    pub error: Option<String>,
}

/// A notice after a save, shown in the section it is about.
pub struct Saved {
    pub section: &'static str,
    pub message: &'static str,
}

/// One upcoming booking in "Resumen".
pub struct NextLine {
    pub when: String,
    pub href: String,
    pub what: String,
    pub state: &'static str,
    pub state_class: &'static str,
}

/// Upcoming bookings "Resumen" lists; the rest are in "Reservas".
const SUMMARY_NEXT: usize = 3;

/// Everything a profile page shows, as stored.
struct Loaded {
    client: Client,
    consent: Option<Consent>,
    values: Vec<FieldValue>,
    fields: Vec<CustomField>,
    bookings: BookingsSection,
    notes: NotesSection,
    attention: AttentionSection,
    notifications: NotificationsSection,
    history: HistorySection,
    block: Option<ficha_domain::Block>,
    accesses: Option<AccessSection>,
    /// How many suggested duplicate pairs include this profile.
    duplicates: u64,
    merges: MergesSection,
    /// "Fusionar con otro cliente…" is offered (`merge::may_merge`).
    may_merge: bool,
}

/// Where the profile's long lists start, from its link.
#[derive(Debug, Default, Deserialize)]
pub struct ListsParams {
    #[serde(flatten)]
    bookings: ListParams,
    /// How many notes to show ("Ver más" raises it).
    #[serde(default)]
    notas: String,
    /// Where "Historial" starts (a cursor from its previous page).
    #[serde(default)]
    historial: String,
    /// Where "Accesos" starts (a cursor from its previous page).
    #[serde(default)]
    accesos: String,
}

async fn load(state: &AppState, staffer: &Staffer, id: &str, lists: &ListsParams) -> Result<Loaded, PanelError> {
    let id: ClientId = path_id(id)?;
    let list = &lists.bookings;
    // Independent reads, asked at once (see `BookingsSection::load`); the
    // access log's entry is written alongside them, so it adds a statement's
    // time to the page only where it is the slowest of them.
    let client_side = async {
        Ok::<_, PanelError>(tokio::try_join!(
            state.store.get_client(&staffer.actor, id),
            state.store.custom_values(&staffer.actor, id),
            state.store.list_fields(&staffer.actor, false),
            state.store.latest_consent(&staffer.actor, id),
            state.store.client_block(&staffer.actor, id),
            state.store.count_duplicates_of(&staffer.actor, id),
        )?)
    };
    let (
        (client, values, fields, consent, block, duplicates),
        bookings,
        notes,
        attention,
        notifications,
        history,
        accesses,
        merges,
        may_merge,
    ) = tokio::try_join!(
        client_side,
        BookingsSection::load(state, staffer, id, list),
        NotesSection::load(state, staffer, id, lists.notas.parse().unwrap_or_default()),
        AttentionSection::load(state, staffer, id),
        NotificationsSection::load(state, staffer, id),
        HistorySection::load(state, staffer, id, &lists.historial),
        AccessSection::record_and_load(state, staffer, id, &lists.accesos),
        MergesSection::load(state, staffer, id),
        super::merge::may_merge(state, staffer),
    )?;
    Ok(Loaded {
        client,
        consent,
        values,
        fields,
        bookings,
        notes,
        attention,
        notifications,
        history,
        block,
        accesses,
        duplicates,
        merges,
        may_merge,
    })
}

impl ProfilePage {
    fn new(state: &AppState, staffer: &Staffer, loaded: Loaded) -> Self {
        let Loaded {
            client,
            consent,
            values,
            fields,
            bookings,
            notes,
            attention,
            notifications,
            history,
            block,
            accesses,
            duplicates,
            merges,
            may_merge,
        } = loaded;
        let client = &client;
        let zone = staffer.zone();
        let today = state.clock.now().to_zoned(zone.clone()).date();
        let greeting = (state.config.whatsapp_greeting.as_str(), staffer.business.name.as_str());
        let head = ProfileHead::new(client, today, greeting, bookings.stats.no_shows, notes.rows.first());
        // The "Próximas" list, when the page shows it from its start unfiltered.
        let next = if bookings.upcoming && bookings.first_page && bookings.state.is_empty() {
            let ahead = bookings.rows.iter().filter(|row| row.state_class != "cancelled").take(SUMMARY_NEXT);
            ahead
                .map(|row| NextLine {
                    when: row.when.clone(),
                    href: row.href.clone(),
                    what: format!("{} · {}", row.service, row.professional),
                    state: row.state,
                    state_class: row.state_class,
                })
                .collect()
        } else {
            Vec::new()
        };
        Self {
            chrome: Chrome::new(staffer, Section::Clients),
            href: format!("/clientes/{}", client.id),
            head,
            stored: ClientForm::from_client(client),
            editing_general: false,
            editing_other: false,
            general: ClientForm::from_client(client),
            version: client.version,
            existing_href: None,
            last_booking: client.last_booking_at.map(|t| date_time(t, &zone)).unwrap_or_default(),
            registered: date_time(client.registered_at, &zone),
            consent: consent.map(|c| latest_line(&c, &zone)).unwrap_or_default(),
            other: other_values::stored_inputs(&fields, &values),
            other_failed: false,
            archived: other_values::archived_values(&values),
            is_owner: staffer.is_owner(),
            saved: None,
            stale: None,
            next,
            bookings,
            notes,
            attention,
            notifications,
            history,
            blocked: block.map(|b| {
                let since = super::format::date(b.since.to_zoned(zone.clone()).date());
                format!("Perfil bloqueado desde {since}: {}", b.reason.as_str())
            }),
            block_form: BlockForm::default(),
            accesses,
            duplicates_href: (duplicates > 0).then(|| format!("/clientes/duplicados?cliente={}", client.id)),
            merges,
            may_merge,
            merge_notice: None,
        }
    }
}

/// The profile with the block form open and its reason refused.
pub async fn with_block_refused(
    state: &AppState,
    staffer: &Staffer,
    id: &str,
    form: BlockForm,
) -> Result<Response, PanelError> {
    let loaded = load(state, staffer, id, &ListsParams::default()).await?;
    let mut page = ProfilePage::new(state, staffer, loaded);
    page.block_form = form;
    page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[derive(Debug, Deserialize)]
pub struct ShowParams {
    #[serde(default)]
    guardado: String,
    /// `datos` or `otros`: that section's form is open.
    #[serde(default)]
    editar: String,
    #[serde(flatten)]
    lists: ListsParams,
}

pub async fn show(
    State(state): State<AppState>,
    staffer: Staffer,
    Path(id): Path<String>,
    Query(params): Query<ShowParams>,
) -> Result<Response, PanelError> {
    let loaded = match load(&state, &staffer, &id, &params.lists).await {
        Ok(loaded) => loaded,
        // A profile merged into another: its address leads there.
        Err(PanelError::NotFound) => {
            let id: ClientId = path_id(&id)?;
            return match state.store.get_client(&staffer.actor, id).await {
                Err(StoreError::Merged { into }) => Ok(Redirect::to(&format!("/clientes/{into}")).into_response()),
                _ => Err(PanelError::NotFound),
            };
        }
        Err(other) => return Err(other),
    };
    let mut page = ProfilePage::new(&state, &staffer, loaded);
    page.saved = match params.guardado.as_str() {
        "datos" => Some(("datos", "Datos generales guardados.")),
        "otros" => Some(("otros", "Otros datos guardados.")),
        "nuevo" => Some(("arriba", "Cliente creado.")),
        "nota" => Some(("notas", "Nota guardada.")),
        "nota-eliminada" => Some(("notas", "Nota eliminada.")),
        "bloqueado" => Some(("arriba", "Perfil bloqueado: no se modifica, no recibe mensajes ni reservas nuevas.")),
        "desbloqueado" => Some(("arriba", "Perfil desbloqueado.")),
        "fusionado" => Some(("fusiones", "Perfiles fusionados: todo lo del otro perfil está ahora aquí.")),
        "separado" => Some(("arriba", "Fusión deshecha: este perfil volvió con sus datos, reservas y notas.")),
        _ => None,
    }
    .map(|(section, message)| Saved { section, message });
    page.merge_notice = refused_notice(&params.guardado);
    page.editing_general = params.editar == "datos";
    page.editing_other = params.editar == "otros";
    page.notifications.notice = NotificationsSection::notice_for(&params.guardado);
    page_with(StatusCode::OK, &page)
}

/// The profile again after a refused note form, the refusal shown in
/// "Notas" by `explain`; nothing was saved.
pub async fn notes_refused(
    state: &AppState,
    staffer: &Staffer,
    id: &str,
    explain: impl FnOnce(&mut NotesSection),
) -> Result<Response, PanelError> {
    let loaded = load(state, staffer, id, &ListsParams::default()).await?;
    let mut page = ProfilePage::new(state, staffer, loaded);
    explain(&mut page.notes);
    page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// The version a form was made on, from its hidden field.
fn form_version(form: &FormData) -> Result<i64, PanelError> {
    form.get("version").parse().map_err(|_| PanelError::BadRequest("Al formulario le falta su versión."))
}

/// Back to the profile after a save, at the section saved.
fn saved(client: &Client, what: &str, anchor: &str) -> Response {
    Redirect::to(&format!("/clientes/{}?guardado={what}#{anchor}", client.id)).into_response()
}

/// "Datos generales": every field at once, nothing saved if any is wrong.
pub async fn save_general(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { staffer, form }: Submitted,
) -> Result<Response, PanelError> {
    let loaded = load(&state, &staffer, &id, &ListsParams::default()).await?;
    let client_id = loaded.client.id;
    let version = form_version(&form)?;
    let mut typed = ClientForm::from_form(&form);
    let today = state.clock.now().to_zoned(staffer.zone()).date();
    let mut page = ProfilePage::new(&state, &staffer, loaded);
    // Refused, for whatever reason: the form stays open.
    page.editing_general = true;
    let status = match typed.changes(today) {
        None => StatusCode::UNPROCESSABLE_ENTITY,
        Some(changes) => match state.store.update_client(&staffer.actor, client_id, version, changes).await {
            Ok(client) => return Ok(saved(&client, "datos", "datos-generales")),
            Err(StoreError::EmailTaken { existing }) => {
                typed.add_error("email", EMAIL_TAKEN.into());
                page.existing_href = Some(format!("/clientes/{existing}"));
                StatusCode::CONFLICT
            }
            Err(StoreError::Stale { current }) => {
                // The form as stored now, with what differs from the typed one.
                let current_form = ClientForm::from_client(&current);
                let rows = general_differences(&current_form, &typed);
                page.stale = Some(Stale { section: "Datos generales", rows });
                page.general = current_form;
                page.version = current.version;
                return page_with(StatusCode::CONFLICT, &page);
            }
            Err(other) => return Err(other.into()),
        },
    };
    page.general = typed;
    page.version = version;
    page_with(status, &page)
}

fn general_differences(current: &ClientForm, yours: &ClientForm) -> Vec<StaleRow> {
    [
        ("Nombre", &current.name, &yours.name),
        ("Correo", &current.email, &yours.email),
        ("Teléfono", &current.phone, &yours.phone),
        ("RUT", &current.rut, &yours.rut),
        ("Fecha de nacimiento", &current.birth_date, &yours.birth_date),
    ]
    .into_iter()
    .filter(|(_, current, yours)| current.trim() != yours.trim())
    .map(|(label, current, yours)| StaleRow { label: label.into(), current: current.clone(), yours: yours.clone() })
    .collect()
}

/// "Otros datos": every active field's value at once.
pub async fn save_other(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { staffer, form }: Submitted,
) -> Result<Response, PanelError> {
    let loaded = load(&state, &staffer, &id, &ListsParams::default()).await?;
    let (client_id, fields) = (loaded.client.id, loaded.fields.clone());
    let version = form_version(&form)?;
    let mut page = ProfilePage::new(&state, &staffer, loaded);
    page.editing_other = true;
    let values = match other_values::read(&fields, &form) {
        Ok(values) => values,
        Err(inputs) => {
            page.other = inputs;
            page.other_failed = true;
            page.version = version;
            return page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    match state.store.set_custom_values(&staffer.actor, client_id, version, values).await {
        Ok(saved_values) => Ok(saved(&saved_values.client, "otros", "otros-datos")),
        Err(StoreError::Stale { .. }) => {
            let rows = page
                .other
                .iter()
                .map(|input| StaleRow {
                    label: input.label.clone(),
                    current: current_text(input),
                    yours: form.all(&input.name).join(", "),
                })
                .filter(|row| row.current != row.yours)
                .collect();
            page.stale = Some(Stale { section: "Otros datos", rows });
            page_with(StatusCode::CONFLICT, &page)
        }
        Err(StoreError::ValuesRefused(refused)) => {
            // The fields changed between reading the form and saving it.
            let mut inputs = other_values::typed_inputs(&fields, &form);
            for refusal in refused {
                let field = fields.iter().find(|f| f.key == refusal.key);
                if let (Some(field), Some(input)) = (field, inputs.iter_mut().find(|i| i.label == refusal.label)) {
                    input.error = Some(other_values::message(field, refusal.error));
                }
            }
            page.other = inputs;
            page.other_failed = true;
            page.version = version;
            page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other.into()),
    }
}

/// The stored value an input shows, as text.
fn current_text(input: &ValueInput) -> String {
    if input.choices.is_empty() {
        match input.kind {
            "yes_no" if input.is_yes() => "Sí".into(),
            "yes_no" if input.is_no() => "No".into(),
            _ => input.value.clone(),
        }
    } else {
        input.choices.iter().filter(|c| c.selected).map(|c| c.label.as_str()).collect::<Vec<_>>().join(", ")
    }
}
