//! `/reservar/{slug}/aviso-de-privacidad`: the business's privacy notice as
//! clients read it (its current version, or the product's default until the
//! owner writes one), linked from the booking form's required tick, the
//! Privacidad page and every site footer. Open whether or not the business
//! books online: what the business does with personal data is owed to
//! anyone, not only to who books now.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::account::business_site;
use super::{Site, SiteError, assets, page_with};
use crate::AppState;
use crate::panel::format::date;

#[derive(Template)]
#[template(path = "site/aviso.html")]
struct NoticePage {
    css: String,
    business: String,
    home: String,
    version: u32,
    /// "Vigente desde dd-mm-aaaa", when stored.
    since: Option<String>,
    text: String,
}

/// The path of the notice page of `site`.
pub fn path(site: &Site) -> String {
    format!("{}/aviso-de-privacidad", site.home())
}

pub async fn show(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, SiteError> {
    let site = business_site(&state, &slug).await?;
    let notice = state.store.privacy_notice(&site.actor).await?;
    let page = NoticePage {
        css: assets::css_link(),
        business: site.business.name.clone(),
        home: site.home(),
        version: notice.version,
        since: notice.written_at.map(|at| date(at.to_zoned(site.zone.clone()).date())),
        text: notice.text,
    };
    page_with(StatusCode::OK, &page)
}
