//! Who is asking. Every storage call takes an `Actor`, and the actor carries the
//! business it belongs to: a query can only ever see that business's rows.

use serde::{Deserialize, Serialize};

use crate::ids::{BusinessId, ClientId, StaffId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including settings and staff accounts.
    Owner,
    /// Works the calendar and the clients; settings are read-only.
    Professional,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Professional => "professional",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "owner" => Some(Self::Owner),
            "professional" => Some(Self::Professional),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in staff member, or an API token acting for its business.
    Staff { business: BusinessId, staff: Option<StaffId>, role: Role },
    /// The installation itself: command-line tools and demo data.
    System { business: BusinessId },
    /// A client signed in to Mi cuenta, acting on their own profile and
    /// bookings. The web layer hands it only to the calls Mi cuenta makes
    /// about this client; the store records it as the client in history.
    Client { business: BusinessId, client: ClientId },
}

impl Actor {
    pub fn business(&self) -> BusinessId {
        match self {
            Self::Staff { business, .. } | Self::System { business } | Self::Client { business, .. } => *business,
        }
    }

    pub fn is_owner(&self) -> bool {
        matches!(self, Self::Staff { role: Role::Owner, .. } | Self::System { .. })
    }

    /// Whether the actor may read or change the profile `client`: staff and
    /// the system any of the business's, a client only their own.
    pub fn may_reach(&self, client: ClientId) -> bool {
        match self {
            Self::Client { client: own, .. } => *own == client,
            Self::Staff { .. } | Self::System { .. } => true,
        }
    }

    pub fn is_client(&self) -> bool {
        matches!(self, Self::Client { .. })
    }
}
