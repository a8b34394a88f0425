//! Who is looking. Staff act (an `Actor`) and see what their business keeps;
//! a client, signed in to Mi cuenta, only ever sees part of their own
//! profile. Read calls that could show staff-only things take a `Viewer`, so
//! the storage layer, not the web pages, decides what each one gets.

use crate::{Actor, BusinessId, ClientId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Staff (owner or professional), an integration or the system.
    Staff(Actor),
    /// A client looking at their own profile.
    Client { business: BusinessId, client: ClientId },
}

impl Viewer {
    pub fn business(&self) -> BusinessId {
        match self {
            Self::Staff(actor) => actor.business(),
            Self::Client { business, .. } => *business,
        }
    }
}

impl From<Actor> for Viewer {
    fn from(actor: Actor) -> Self {
        Self::Staff(actor)
    }
}
