//! Businesses (the tenants) and their staff accounts.

use jiff::Timestamp;

use crate::field_error::FieldError;
use crate::{BusinessId, ClientName, Email, Role, StaffId};

/// A business's short name in URLs and at login: `clinica-sur`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let slug = text.trim();
        if slug.is_empty() {
            return Err(FieldError::Required);
        }
        if slug.len() > 40 {
            return Err(FieldError::TooLong { max: 40 });
        }
        let well_formed = slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !slug.starts_with('-')
            && !slug.ends_with('-');
        if well_formed { Ok(Self(slug.to_owned())) } else { Err(FieldError::SlugInvalid) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Business {
    pub id: BusinessId,
    pub slug: Slug,
    pub name: String,
    /// IANA zone in which the business shows its times.
    pub time_zone: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBusiness {
    pub slug: Slug,
    pub name: String,
    pub time_zone: String,
}

/// A staff account. Staff names follow the same rules as client names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: StaffId,
    pub business: BusinessId,
    pub name: ClientName,
    pub email: Email,
    pub role: Role,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaff {
    pub name: ClientName,
    pub email: Email,
    pub role: Role,
    /// An argon2 PHC string; hashing happens above the store.
    pub password_hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_with_dashes() {
        assert!(Slug::parse("clinica-sur-2").is_ok());
        for bad in ["Clinica", "clínica", "-sur", "sur-", "a b", "a_b"] {
            assert_eq!(Slug::parse(bad), Err(FieldError::SlugInvalid), "{bad}");
        }
        assert_eq!(Slug::parse(""), Err(FieldError::Required));
    }
}
