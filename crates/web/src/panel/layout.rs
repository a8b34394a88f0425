//! What every signed-in page shows around its content: the business's name,
//! the navigation (Configuración only for owners), the search box, and who
//! is signed in (with the logout form and its token).

use super::assets::Links;
use super::session::Staffer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Clients,
    Calendar,
    Notifications,
    Settings,
    /// A page of no section (an error page): nothing highlighted.
    Elsewhere,
}

#[derive(Debug, Clone)]
pub struct Chrome {
    pub assets: Links,
    pub business_name: String,
    /// The business's booking site (a 404 while online booking is off).
    pub site_href: String,
    pub staff_name: String,
    pub is_owner: bool,
    pub csrf: String,
    /// What the search box holds.
    pub q: String,
    pub section: Section,
    /// Configuración seen by a professional: every control is shown
    /// disabled and the changes stay the owners' (SPEC, Users).
    pub read_only: bool,
    /// Owners: data requests overdue, and due within a few days.
    pub requests_overdue: u32,
    pub requests_due_soon: u32,
}

impl Chrome {
    pub fn new(staffer: &Staffer, section: Section) -> Self {
        Self {
            assets: Links::default(),
            business_name: staffer.business.name.clone(),
            site_href: format!("/reservar/{}", staffer.business.slug.as_str()),
            staff_name: staffer.staff.name.as_str().to_owned(),
            is_owner: staffer.is_owner(),
            csrf: staffer.csrf.clone(),
            q: String::new(),
            section,
            read_only: section == Section::Settings && !staffer.is_owner(),
            requests_overdue: staffer.requests_due.overdue,
            requests_due_soon: staffer.requests_due.due_soon,
        }
    }

    pub fn with_query(mut self, q: &str) -> Self {
        q.clone_into(&mut self.q);
        self
    }

    pub fn in_clients(&self) -> bool {
        self.section == Section::Clients
    }

    pub fn in_calendar(&self) -> bool {
        self.section == Section::Calendar
    }

    pub fn in_notifications(&self) -> bool {
        self.section == Section::Notifications
    }

    /// The header's flag: "2 solicitudes de datos vencidas · 1 vence pronto".
    pub fn requests_flag(&self) -> Option<String> {
        let count = |n: u32, one: &str, many: &str| match n {
            0 => None,
            1 => Some(format!("1 {one}")),
            n => Some(format!("{n} {many}")),
        };
        let parts: Vec<String> = [
            count(self.requests_overdue, "solicitud de datos vencida", "solicitudes de datos vencidas"),
            count(self.requests_due_soon, "solicitud de datos vence pronto", "solicitudes de datos vencen pronto"),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    pub fn in_settings(&self) -> bool {
        self.section == Section::Settings
    }
}
