//! `/clientes`: every client of the business, sorted and paged (keyset
//! cursor), or the clients a search finds; and "Nuevo cliente".

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::Client;
use ficha_store::search::{Matched, SearchQuery};
use ficha_store::{ClientSort, Cursor, ListQuery, StoreError};
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::agendar_pick::Slot;
use super::client_form::ClientForm;
use super::error::{PanelError, page, page_with};
use super::flash;
use super::form::Submitted;
use super::format::{date_time, query};
use super::layout::{Chrome, Section};
use super::session::Staffer;
use crate::AppState;

const PAGE_SIZE: u32 = 50;

/// The sorts, as the panel names them.
const SORTS: [(ClientSort, &str); 6] = [
    (ClientSort::NameAsc, "Nombre (A–Z)"),
    (ClientSort::NameDesc, "Nombre (Z–A)"),
    (ClientSort::RegisteredDesc, "Registro más reciente"),
    (ClientSort::RegisteredAsc, "Registro más antiguo"),
    (ClientSort::LastBookingDesc, "Última reserva más reciente"),
    (ClientSort::LastBookingAsc, "Última reserva más antigua"),
];

/// One line of the list.
pub struct ClientRow {
    pub href: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub rut: String,
    pub last_booking: String,
    pub registered: String,
    /// What a search found the client by; empty in the plain list.
    pub matched: String,
}

impl ClientRow {
    pub fn new(client: &Client, zone: &TimeZone) -> Self {
        Self {
            href: format!("/clientes/{}", client.id),
            name: client.name.as_str().to_owned(),
            email: client.email.as_str().to_owned(),
            phone: client.phone.as_ref().map(|p| p.display()).unwrap_or_default(),
            rut: client.rut.map(|r| r.display()).unwrap_or_default(),
            last_booking: client.last_booking_at.map(|t| date_time(t, zone)).unwrap_or_default(),
            registered: date_time(client.registered_at, zone),
            matched: String::new(),
        }
    }

    /// How to reach the client: the email, or the phone when there is one
    /// and the search found them by it.
    pub fn contact(&self) -> &str {
        if self.matched.contains("teléfono") && !self.phone.is_empty() { &self.phone } else { &self.email }
    }
}

/// "nombre, teléfono": what matched, in Spanish.
pub fn matched_words(matched: &[Matched]) -> String {
    let words: Vec<&str> = matched
        .iter()
        .map(|m| match m {
            Matched::Name => "nombre",
            Matched::Email => "correo",
            Matched::Phone => "teléfono",
            Matched::Rut => "RUT",
            Matched::Custom(label) => label.as_str(),
        })
        .collect();
    words.join(", ")
}

pub struct SortChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "panel/clients.html")]
struct ClientsPage {
    chrome: Chrome,
    rows: Vec<ClientRow>,
    /// Clients of the business (the plain list) or `None` (a search).
    total: Option<u64>,
    sorts: Vec<SortChoice>,
    next_href: Option<String>,
    prev_href: Option<String>,
    first_href: Option<String>,
    /// "Página 2 de 7" in the plain list.
    page_label: Option<String>,
    notice: Option<String>,
    /// Suggested duplicate pairs, beside the "Posibles duplicados" link
    /// (the plain list only; a search does not ask).
    duplicates: Option<u64>,
}

impl ClientsPage {
    fn searching(&self) -> bool {
        !self.chrome.q.is_empty()
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    orden: String,
    #[serde(default)]
    despues: String,
    /// The page before this cursor (the "anterior" link).
    #[serde(default)]
    antes: String,
    /// The page's number, carried by the links for "Página N de M".
    #[serde(default)]
    pagina: String,
    #[serde(default)]
    desde: String,
    #[serde(default)]
    eliminado: String,
}

pub async fn list(
    State(state): State<AppState>,
    staffer: Staffer,
    Query(params): Query<ListParams>,
    headers: HeaderMap,
) -> Result<Response, PanelError> {
    let q = params.q.trim();
    let sort = if params.orden.is_empty() {
        ClientSort::default()
    } else {
        ClientSort::parse(&params.orden).ok_or(PanelError::BadRequest("Ese orden de la lista no existe."))?
    };
    let zone = staffer.zone();
    let deleted = (params.eliminado == "1").then(|| flash::deleted_name(&headers));
    let said_deleted = deleted.is_some();
    let mut page_data = ClientsPage {
        chrome: Chrome::new(&staffer, Section::Clients).with_query(q),
        rows: Vec::new(),
        total: None,
        sorts: SORTS.iter().map(|(s, label)| SortChoice { value: s.as_str(), label, selected: *s == sort }).collect(),
        next_href: None,
        prev_href: None,
        first_href: None,
        page_label: None,
        // The name comes from a cookie the deletion set, never from the
        // link: a link cannot make the panel say what it likes.
        notice: deleted.map(|name| match name {
            Some(name) => format!("Se eliminó a {name} y toda su ficha."),
            None => "Se eliminó el cliente y toda su ficha.".to_owned(),
        }),
        duplicates: None,
    };
    if q.is_empty() {
        let (listed, duplicates) = tokio::join!(
            list_page(&state, &staffer, &params, sort, &mut page_data),
            state.store.count_duplicates(&staffer.actor)
        );
        listed?;
        page_data.duplicates = Some(duplicates?);
    } else {
        let search = SearchQuery::parse(q).map_err(|_| PanelError::BadRequest("La búsqueda es demasiado larga."))?;
        let offset: u32 = params.desde.parse().unwrap_or(0);
        let found = state.store.search_clients(&staffer.actor, &search, offset, PAGE_SIZE).await?;
        page_data.rows = found
            .hits
            .iter()
            .map(|hit| ClientRow { matched: matched_words(&hit.matched), ..ClientRow::new(&hit.client, &zone) })
            .collect();
        page_data.next_href =
            found.next_offset.map(|o| format!("/clientes{}", query(&[("q", q), ("desde", &o.to_string())])));
        if offset > 0 {
            let before = offset.saturating_sub(PAGE_SIZE);
            let desde = if before == 0 { String::new() } else { before.to_string() };
            page_data.prev_href = Some(format!("/clientes{}", query(&[("q", q), ("desde", &desde)])));
        }
    }
    let mut response = page(&page_data)?;
    if said_deleted {
        flash::clear(&mut response);
    }
    Ok(response)
}

/// One page of the plain list: after a cursor (forwards), or before one
/// (the "anterior" link: the reversed sort, read back to front).
async fn list_page(
    state: &AppState,
    staffer: &Staffer,
    params: &ListParams,
    sort: ClientSort,
    page_data: &mut ClientsPage,
) -> Result<(), PanelError> {
    let zone = staffer.zone();
    let cursor = |text: &str, sort: ClientSort| match text {
        "" => Ok(None),
        text => Cursor::decode(text)
            .filter(|c| c.sort == sort)
            .map(Some)
            .ok_or(PanelError::BadRequest("El enlace de la página no es válido.")),
    };
    let backwards = !params.antes.is_empty();
    let (clients, more, total) = if backwards {
        let before = cursor(&params.antes, sort.reversed())?;
        let query = ListQuery { sort: sort.reversed(), after: before, limit: PAGE_SIZE };
        let mut listed = state.store.list_clients(&staffer.actor, &query).await?;
        listed.clients.reverse();
        (listed.clients, listed.next.is_some(), listed.total)
    } else {
        let after = cursor(&params.despues, sort)?;
        let listed = state.store.list_clients(&staffer.actor, &ListQuery { sort, after, limit: PAGE_SIZE }).await?;
        (listed.clients, listed.next.is_some(), listed.total)
    };
    let pages = total.div_ceil(u64::from(PAGE_SIZE)).max(1);
    let number = params.pagina.parse::<u64>().unwrap_or(1).clamp(1, pages);
    let link = |key: &str, cursor: String, number: u64| {
        let number = number.to_string();
        format!("/clientes{}", query(&[("orden", sort.as_str()), (key, &cursor), ("pagina", &number)]))
    };
    // Forwards, more means a next page; backwards, a previous one. The
    // other direction is known from where the user came from.
    let (has_next, has_prev) = if backwards { (true, more) } else { (more, !params.despues.is_empty()) };
    if has_next && let Some(last) = clients.last() {
        page_data.next_href = Some(link("despues", Cursor::after(sort, last).encode(), number + 1));
    }
    if has_prev && let Some(first) = clients.first() {
        page_data.prev_href = Some(link("antes", Cursor::after(sort.reversed(), first).encode(), number - 1));
        page_data.first_href = Some(format!("/clientes{}", query(&[("orden", sort.as_str())])));
    }
    page_data.page_label = (pages > 1).then(|| format!("Página {number} de {pages}"));
    page_data.rows = clients.iter().map(|c| ClientRow::new(c, &zone)).collect();
    page_data.total = Some(total);
    Ok(())
}

#[derive(Template)]
#[template(path = "panel/client_new.html")]
struct NewClientPage {
    chrome: Chrome,
    form: ClientForm,
    existing_href: Option<String>,
    /// A time chosen on the calendar: once created, the client goes to
    /// Agendar with it.
    slot: Slot,
}

pub async fn new_form(staffer: Staffer, Query(slot): Query<Slot>) -> Result<Response, PanelError> {
    page(&NewClientPage {
        chrome: Chrome::new(&staffer, Section::Clients),
        form: ClientForm::default(),
        existing_href: None,
        slot,
    })
}

pub async fn create(
    State(state): State<AppState>,
    Submitted { staffer, form }: Submitted,
) -> Result<Response, PanelError> {
    let mut typed = ClientForm::from_form(&form);
    let today = state.clock.now().to_zoned(staffer.zone()).date();
    let mut existing_href = None;
    let slot = Slot::from_form(&form);
    if let Some(new) = typed.new_client(today) {
        match state.store.create_client(&staffer.actor, new).await {
            Ok(client) if slot.is_complete() => return Ok(Redirect::to(&slot.agendar_href(client.id)).into_response()),
            Ok(client) => return Ok(Redirect::to(&format!("/clientes/{}?guardado=nuevo", client.id)).into_response()),
            Err(StoreError::EmailTaken { existing }) => {
                typed.add_error("email", EMAIL_TAKEN.into());
                existing_href = Some(format!("/clientes/{existing}"));
            }
            Err(other) => return Err(other.into()),
        }
    }
    let page_data = NewClientPage { chrome: Chrome::new(&staffer, Section::Clients), form: typed, existing_href, slot };
    let status =
        if page_data.existing_href.is_some() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    page_with(status, &page_data)
}

/// Said next to the email when another client of the business has it.
pub const EMAIL_TAKEN: &str =
    "Ya existe un cliente con ese correo. Si es la misma persona, abre su ficha en vez de crear otra.";
