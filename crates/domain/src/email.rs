//! A client's email: THE identity of a client inside a business. Stored as typed
//! (trimmed), compared through its lower-cased key.

use std::fmt;

use serde::Serialize;

use crate::field_error::FieldError;

pub const MAX_EMAIL_CHARS: usize = 254;
const MAX_LOCAL_CHARS: usize = 64;
const MAX_LABEL_CHARS: usize = 63;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Accepts the addresses people actually use: `local@domain.tld`, where the
    /// local part is the RFC 5322 "dot-atom" and the domain has at least two
    /// labels and an alphabetic top-level label. Quoted local parts and IP
    /// literals are refused on purpose: no booking site sends them.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let email = text.trim();
        if email.is_empty() {
            return Err(FieldError::Required);
        }
        if email.chars().count() > MAX_EMAIL_CHARS {
            return Err(FieldError::TooLong { max: MAX_EMAIL_CHARS });
        }
        let (local, domain) = email.split_once('@').ok_or(FieldError::EmailInvalid)?;
        if is_valid_local(local) && is_valid_domain(domain) {
            Ok(Self(email.to_owned()))
        } else {
            Err(FieldError::EmailInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two emails are compared in: `Ana@Mail.CL` and `ana@mail.cl`
    /// are one client.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

fn is_valid_local(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";
    !local.is_empty()
        && local.len() <= MAX_LOCAL_CHARS
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c)))
}

fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(top) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && top.len() >= 2
        && top.chars().all(|c| c.is_ascii_alphabetic())
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= MAX_LABEL_CHARS
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_everyday_addresses() {
        for ok in ["ana@mail.cl", "j.perez+citas@empresa.co.uk", "X_Y@sub-dominio.example.com"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn keeps_what_was_typed_but_compares_lower_cased() {
        let email = Email::parse("  Ana.Perez@Mail.CL ").expect("valid");
        assert_eq!(email.as_str(), "Ana.Perez@Mail.CL");
        assert_eq!(email.key(), "ana.perez@mail.cl");
    }

    #[test]
    fn refuses_broken_addresses() {
        for bad in [
            "ana",
            "ana@",
            "@mail.cl",
            "ana@mail",
            "ana@@mail.cl",
            "ana pérez@mail.cl",
            "ana..b@mail.cl",
            ".ana@mail.cl",
            "ana@-mail.cl",
            "ana@mail.c1",
            "ana@mail..cl",
        ] {
            assert_eq!(Email::parse(bad), Err(FieldError::EmailInvalid), "{bad}");
        }
    }

    #[test]
    fn refuses_empty_and_over_long() {
        assert_eq!(Email::parse("  "), Err(FieldError::Required));
        let long = format!("{}@{}.cl", "a".repeat(60), "b".repeat(200));
        assert_eq!(Email::parse(&long), Err(FieldError::TooLong { max: 254 }));
    }

    proptest! {
        #[test]
        fn generated_addresses_are_accepted(local in "[a-z0-9]{1,20}(\\.[a-z0-9]{1,10})?", host in "[a-z0-9]{1,20}", tld in "[a-z]{2,6}") {
            let text = format!("{local}@{host}.{tld}");
            prop_assert_eq!(Email::parse(&text).map(|e| e.key()), Ok(text));
        }

        #[test]
        fn key_is_case_insensitive(text in "[A-Za-z]{1,10}@[A-Za-z]{1,10}\\.[A-Za-z]{2,4}") {
            let upper = Email::parse(&text.to_uppercase()).expect("valid");
            let lower = Email::parse(&text.to_lowercase()).expect("valid");
            prop_assert_eq!(upper.key(), lower.key());
        }

        #[test]
        fn never_panics(text in "\\PC{0,300}") {
            let _ = Email::parse(&text);
        }
    }
}
