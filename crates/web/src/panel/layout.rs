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

    pub fn in_settings(&self) -> bool {
        self.section == Section::Settings
    }
}
