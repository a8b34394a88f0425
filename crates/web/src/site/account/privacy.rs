//! Mi cuenta's privacy side: the client's own data file (a page and a JSON
//! download, never with staff-only notes: `data_file::Reader::Client`), and
//! their choice of messages (oposición), recorded with Mi cuenta as its
//! source.

use axum::Form;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_DISPOSITION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ficha_domain::{ChoiceSource, ClientPreferences};

use super::super::{SiteError, assets, page_with};
use super::{Account, required};
use crate::AppState;
use crate::data_file::json::data_file_json;
use crate::data_file::page::{Links, page};
use crate::data_file::{DataFile, Reader};
use crate::panel::form::FormData;

async fn file(state: &AppState, account: &Account) -> Result<DataFile, SiteError> {
    let reader = Reader::Client { business: account.site.business.id, client: account.client };
    Ok(DataFile::gather(state.store.as_ref(), reader, account.client, state.clock.now()).await?)
}

/// `/mi-cuenta/archivo-de-datos`: the readable page.
pub async fn data_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, SiteError> {
    let account = match required(&state, &slug, &headers).await? {
        Ok(account) => account,
        Err(redirect) => return Ok(redirect),
    };
    let file = file(&state, &account).await?;
    let base = account.base();
    let links = Links {
        css: assets::css_link(),
        json_href: format!("{base}/archivo-de-datos.json"),
        back_href: base,
        private_href: String::new(),
        for_client: true,
    };
    page_with(StatusCode::OK, &page(&file, links))
}

/// `/mi-cuenta/archivo-de-datos.json`: the same, to keep or take elsewhere.
pub async fn data_json(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, SiteError> {
    let account = match required(&state, &slug, &headers).await? {
        Ok(account) => account,
        Err(redirect) => return Ok(redirect),
    };
    let file = file(&state, &account).await?;
    let disposition = "attachment; filename=\"mis-datos.json\"";
    Ok(([(CONTENT_DISPOSITION, disposition)], Json(data_file_json(&file))).into_response())
}

/// The two check boxes; one left unticked stops those messages.
pub async fn save_preferences(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, SiteError> {
    let form = FormData::new(fields);
    let account = match super::submitted(&state, &slug, &headers, &form).await? {
        Ok(account) => account,
        Err(redirect) => return Ok(redirect),
    };
    let preferences =
        ClientPreferences { no_whatsapp: !form.ticked("whatsapp"), no_reminders: !form.ticked("recordatorios") };
    state.store.set_client_preferences(&account.actor, account.client, preferences, ChoiceSource::MiCuenta).await?;
    Ok(Redirect::to(&format!("{}?aviso=notificaciones#mensajes", account.base())).into_response())
}
