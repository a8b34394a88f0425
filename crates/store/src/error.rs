use ficha_domain::{Client, ClientId};
use thiserror::Error;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Error)]
pub enum StoreError {
    /// No such row in the actor's business (whether or not it exists elsewhere).
    #[error("not found")]
    NotFound,
    /// Another client of the business already has this email.
    #[error("email already used by client {existing}")]
    EmailTaken { existing: ClientId },
    /// Another staff account of the business already has this email.
    #[error("email already used by another staff account")]
    StaffEmailTaken,
    /// A business with this slug exists.
    #[error("slug already taken")]
    SlugTaken,
    /// The caller's version is not the stored one; `current` is what is stored.
    #[error("stale version: the client was changed meanwhile")]
    Stale { current: Box<Client> },
    /// A stored value no longer parses: data written around the application.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(error))
    }
}
