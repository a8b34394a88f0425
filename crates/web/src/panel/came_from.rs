//! Where a booking page was opened from, so its breadcrumb and the menu
//! lead back there: the client's profile or the calendar.
//!
//! Links say it with `?desde=perfil|calendario`. Without it, the Referer
//! decides (the panel sends it within the site: `Referrer-Policy:
//! same-origin`): a page opened from `/calendario…` goes back to that very
//! view, and the booking page reloaded after one of its own actions (a 303
//! or the in-place update) keeps the `desde` it had. Anything else — a
//! link from the profile, a bookmark, a notification — goes to the
//! profile, where every booking is listed.

use axum::http::HeaderMap;
use axum::http::header::REFERER;
use jiff::civil::Date;

use super::format::{date, query, weekday};
use super::layout::Section;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameFrom {
    Profile,
    /// The calendar, at the view it showed when it was left (if known).
    Calendar {
        view: Option<String>,
    },
}

impl CameFrom {
    pub fn read(desde: &str, headers: &HeaderMap) -> Self {
        let referer = headers.get(REFERER).and_then(|v| v.to_str().ok()).and_then(path_and_query);
        match (desde, referer) {
            ("calendario", Some(path)) if is_calendar(path) => Self::Calendar { view: Some(path.to_owned()) },
            ("calendario", _) => Self::Calendar { view: None },
            ("perfil", _) => Self::Profile,
            (_, Some(path)) if is_calendar(path) => Self::Calendar { view: Some(path.to_owned()) },
            (_, Some(path)) if path.starts_with("/reservas/") && path.contains("desde=calendario") => {
                Self::Calendar { view: None }
            }
            _ => Self::Profile,
        }
    }

    pub fn section(&self) -> Section {
        match self {
            Self::Profile => Section::Clients,
            Self::Calendar { .. } => Section::Calendar,
        }
    }

    /// The links before the page's own name: `Clientes / Ana Pérez`, or
    /// `Calendario / Lunes 16-03-2026` (the day of `on`, or the view left).
    pub fn crumbs(&self, client_name: &str, client_href: &str, on: Option<Date>) -> Vec<(String, String)> {
        match self {
            Self::Profile => {
                vec![("/clientes".to_owned(), "Clientes".to_owned()), (client_href.to_owned(), client_name.to_owned())]
            }
            Self::Calendar { view } => {
                let mut crumbs = vec![("/calendario".to_owned(), "Calendario".to_owned())];
                if let Some(day) = on {
                    let href =
                        view.clone().unwrap_or_else(|| format!("/calendario{}", query(&[("fecha", &day.to_string())])));
                    crumbs.push((href, format!("{} {}", weekday(day.weekday()), date(day))));
                } else if let Some(view) = view {
                    crumbs[0].0.clone_from(view);
                }
                crumbs
            }
        }
    }
}

fn is_calendar(path: &str) -> bool {
    path == "/calendario" || path.starts_with("/calendario?") || path.starts_with("/calendario/")
}

/// `/calendario?fecha=…` out of `http://host/calendario?fecha=…`.
fn path_and_query(url: &str) -> Option<&str> {
    let after_scheme = url.split_once("://").map(|(_, rest)| rest)?;
    let path = &after_scheme[after_scheme.find('/')?..];
    Some(path.split('#').next().unwrap_or(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_referer(url: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(REFERER, url.parse().expect("header"));
        headers
    }

    #[test]
    fn the_param_wins_then_the_referer_then_the_profile() {
        let none = HeaderMap::new();
        assert_eq!(CameFrom::read("", &none), CameFrom::Profile);
        assert_eq!(CameFrom::read("calendario", &none), CameFrom::Calendar { view: None });
        let calendar = with_referer("http://x:1/calendario?fecha=2026-03-16&vista=semana");
        assert_eq!(CameFrom::read("perfil", &calendar), CameFrom::Profile);
        let view = Some("/calendario?fecha=2026-03-16&vista=semana".to_owned());
        assert_eq!(CameFrom::read("", &calendar), CameFrom::Calendar { view });
        let itself = with_referer("http://x:1/reservas/abc?desde=calendario");
        assert_eq!(CameFrom::read("", &itself), CameFrom::Calendar { view: None });
        assert_eq!(CameFrom::read("", &with_referer("http://x:1/clientes/abc")), CameFrom::Profile);
        assert_eq!(CameFrom::read("", &with_referer("http://x:1/calendariox")), CameFrom::Profile);
    }

    #[test]
    fn the_calendar_crumb_names_the_bookings_day() {
        let crumbs =
            CameFrom::Calendar { view: None }.crumbs("Ana", "/clientes/1", Some(jiff::civil::date(2026, 3, 16)));
        assert_eq!(crumbs[1], ("/calendario?fecha=2026-03-16".to_owned(), "Lunes 16-03-2026".to_owned()));
    }
}
