//! Clientes → "Posibles duplicados": the pairs of profiles that may be one
//! person, side by side with why, best first, each with "No es duplicado"
//! (`POST /clientes/duplicados/descartar`, which dismisses it for good)
//! and "Fusionar…", both for whoever may merge (`merge::may_merge`).
//! `?cliente={id}` shows only the pairs of one profile (its notice links
//! here).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{Client, ClientId};
use ficha_store::{DuplicatePair, PairCursor, Reason};
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::clients::ClientRow;
use super::error::{PanelError, page_with, path_id};
use super::form::Submitted;
use super::format::{date, query};
use super::layout::{Chrome, Section};
use super::session::Staffer;
use crate::AppState;

const PAGE_SIZE: u32 = 50;

/// The panel's words for a reason.
pub fn reason_label(reason: Reason) -> &'static str {
    match reason {
        Reason::SameRut => "Mismo RUT",
        Reason::SamePhone => "Mismo teléfono",
        Reason::BirthDateAndName => "Misma fecha de nacimiento y nombre parecido",
        Reason::IdentifyingFieldAndName => "Mismo dato identificador y nombre parecido",
    }
}

pub struct Side {
    pub row: ClientRow,
    pub id: String,
    pub birth_date: String,
}

impl Side {
    fn new(client: &Client, zone: &TimeZone) -> Self {
        Self {
            row: ClientRow::new(client, zone),
            id: client.id.to_string(),
            birth_date: client.birth_date.map(|d| date(d.date())).unwrap_or_default(),
        }
    }
}

pub struct PairRow {
    /// The two profiles, the smaller id first.
    pub sides: [Side; 2],
    pub reasons: Vec<&'static str>,
    pub score: u32,
}

fn pair_row(pair: &DuplicatePair, zone: &TimeZone) -> PairRow {
    PairRow {
        sides: [Side::new(&pair.a, zone), Side::new(&pair.b, zone)],
        reasons: pair.reasons.iter().map(|r| reason_label(*r)).collect(),
        score: pair.score,
    }
}

#[derive(Template)]
#[template(path = "panel/duplicates.html")]
struct DuplicatesPage {
    chrome: Chrome,
    pairs: Vec<PairRow>,
    /// The one profile whose pairs are shown (`?cliente=`), by name.
    client: Option<String>,
    /// Where the form sends the user back to.
    back: String,
    next_href: Option<String>,
    notice: Option<&'static str>,
    /// Owners, and professionals while the business allows it, merge or
    /// dismiss a pair from here; others only look.
    may_merge: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    #[serde(default)]
    cliente: String,
    #[serde(default)]
    despues: String,
    #[serde(default)]
    descartado: String,
}

pub async fn list(
    State(state): State<AppState>,
    staffer: Staffer,
    Query(params): Query<Params>,
) -> Result<Response, PanelError> {
    let zone = staffer.zone();
    let mut page = DuplicatesPage {
        chrome: Chrome::new(&staffer, Section::Clients),
        pairs: Vec::new(),
        client: None,
        back: "/clientes/duplicados".to_owned(),
        next_href: None,
        notice: (params.descartado == "1").then_some("Listo: ese par ya no se sugerirá como duplicado."),
        may_merge: super::merge::may_merge(&state, &staffer).await?,
    };
    if params.cliente.is_empty() {
        let after = match params.despues.as_str() {
            "" => None,
            text => {
                Some(PairCursor::decode(text).ok_or(PanelError::BadRequest("El enlace de la página no es válido."))?)
            }
        };
        let found = state.store.duplicate_suggestions(&staffer.actor, PAGE_SIZE, after.as_ref()).await?;
        page.pairs = found.pairs.iter().map(|p| pair_row(p, &zone)).collect();
        page.next_href = found.next.map(|c| format!("/clientes/duplicados{}", query(&[("despues", &c.encode())])));
    } else {
        let id: ClientId = path_id(&params.cliente)?;
        let client = state.store.get_client(&staffer.actor, id).await?;
        let found = state.store.duplicates_of(&staffer.actor, id).await?;
        page.pairs = found.iter().map(|p| pair_row(p, &zone)).collect();
        page.client = Some(client.name.as_str().to_owned());
        page.back = format!("/clientes/duplicados?cliente={id}");
    }
    page_with(StatusCode::OK, &page)
}

/// "No es duplicado". `volver` is only ever this page (with or without
/// `?cliente=`), so a form cannot send the user elsewhere.
pub async fn dismiss(
    State(state): State<AppState>,
    Submitted { staffer, form }: Submitted,
) -> Result<Response, PanelError> {
    let a: ClientId = path_id(form.get("a"))?;
    let b: ClientId = path_id(form.get("b"))?;
    if a == b {
        return Err(PanelError::BadRequest("Un cliente no es duplicado de sí mismo."));
    }
    state.store.dismiss_duplicate(&staffer.actor, a, b).await?;
    let back = match form.get("volver").strip_prefix("/clientes/duplicados?cliente=") {
        Some(id) => match id.parse::<ClientId>() {
            Ok(id) => format!("/clientes/duplicados?cliente={id}&descartado=1"),
            Err(_) => "/clientes/duplicados?descartado=1".to_owned(),
        },
        None => "/clientes/duplicados?descartado=1".to_owned(),
    };
    Ok(Redirect::to(&back).into_response())
}
