use ficha_domain::{BookingRule, Client, ClientId, SiteRule, StepRefused};
use thiserror::Error;

use crate::custom_fields::RefusedValue;
use crate::imports::ImportRefused;
use crate::merges::MergeRefusal;

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
    /// Another custom field of the business (maybe archived) has this key.
    #[error("custom field key already used")]
    FieldKeyTaken,
    /// An edit of a choice field would take away options that clients'
    /// values hold.
    #[error("options in use by clients' values: {options:?}")]
    OptionsInUse { options: Vec<String> },
    /// Custom values that do not fit their fields as stored; nothing was saved.
    #[error("custom values refused: {0:?}")]
    ValuesRefused(Vec<RefusedValue>),
    /// Only a note's author or an owner may change it; nothing changed.
    #[error("only the note's author or an owner may change it")]
    NotNoteAuthor,
    /// Only owners may do this.
    #[error("owners only")]
    OwnerOnly,
    /// The caller's version is not the stored one; `current` is what is stored.
    #[error("stale version: the client was changed meanwhile")]
    Stale { current: Box<Client> },
    /// The service has bookings, which keep pointing at it.
    #[error("the service has bookings")]
    ServiceInUse,
    /// A booking (or a change of one, or a service) broke a booking rule;
    /// nothing was written.
    #[error("refused: {0}")]
    Refused(BookingRule),
    /// The booking site's rules refused a client's booking or change;
    /// nothing was written.
    #[error("refused by the booking site: {0}")]
    SiteRefused(SiteRule),
    /// The client's profile is blocked (bloqueo): nothing about it may be
    /// changed, told or booked until an owner unblocks it; nothing changed.
    #[error("the client's profile is blocked")]
    ClientBlocked,
    /// A data-subject request cannot take this step (not a legal
    /// transition, already extended, closed); nothing changed.
    #[error("data request step refused: {0:?}")]
    RequestStep(StepRefused),
    /// Only a failed message can be sent again.
    #[error("only a failed message can be sent again")]
    NotResendable,
    /// The profile was merged into another (issue 13): `into` is the
    /// profile it lives on now, so its address can lead there.
    #[error("merged into client {into}")]
    Merged { into: ClientId },
    /// A merge of two profiles, or its undo, was refused; nothing changed.
    #[error("merge refused: {0:?}")]
    MergeRefused(MergeRefusal),
    /// An import batch cannot take this step (more lines, undo); nothing
    /// changed.
    #[error("import step refused: {0:?}")]
    ImportRefused(ImportRefused),
    /// A stored value no longer parses: data written around the application.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<BookingRule> for StoreError {
    fn from(rule: BookingRule) -> Self {
        Self::Refused(rule)
    }
}

impl From<SiteRule> for StoreError {
    fn from(rule: SiteRule) -> Self {
        Self::SiteRefused(rule)
    }
}

impl StoreError {
    pub fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(error))
    }
}
