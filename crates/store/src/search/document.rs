//! What a client is found by: the tokens of its index entry.

use ficha_domain::fold::fold;
use ficha_domain::{BusinessId, Client};

use super::{PHONE_TAIL_PREFIX, RUT_PREFIX, TENANT_PREFIX, TYPO_MIN_LETTERS};

/// What a client is found by, in three columns of one index entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDocument {
    /// One token naming the business: every query requires it.
    pub tenant: String,
    /// The folded name.
    pub name: String,
    /// Email, phone tail token, RUT token, custom values: folded text.
    pub other: String,
}

impl SearchDocument {
    pub fn new(business: BusinessId, client: &Client, custom_texts: &[String]) -> Self {
        let mut other = fold(client.email.as_str());
        if let Some(phone) = &client.phone {
            other.push(' ');
            other.push_str(&phone_tail_token(phone.e164()));
        }
        if let Some(rut) = &client.rut {
            other.push(' ');
            other.push_str(&rut_token(&rut.canonical()));
        }
        for text in custom_texts {
            other.push(' ');
            other.push_str(&fold(text));
        }
        Self { tenant: tenant_token(business), name: fold(client.name.as_str()), other }
    }
}

impl SearchDocument {
    /// Every distinct token of the entry, for indexes that take lexemes.
    pub fn tokens(&self) -> Vec<String> {
        let mut tokens: Vec<String> = [&self.tenant, &self.name, &self.other]
            .into_iter()
            .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        tokens.sort();
        tokens.dedup();
        tokens
    }

    /// The name's words that a typo could be aimed at.
    pub fn typo_targets(&self) -> Vec<String> {
        self.name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= TYPO_MIN_LETTERS - 1 && w.chars().all(|c| c.is_ascii_lowercase()))
            .map(str::to_owned)
            .collect()
    }
}

pub fn tenant_token(business: BusinessId) -> String {
    format!("{TENANT_PREFIX}{}", business.as_uuid().simple())
}

/// The phone's digits reversed, so "ends with 5678" becomes the prefix
/// search "starts with 8765".
pub fn phone_tail_token(digits_or_e164: &str) -> String {
    let reversed: String = digits_or_e164.chars().filter(char::is_ascii_digit).rev().collect();
    format!("{PHONE_TAIL_PREFIX}{reversed}")
}

/// `12345678-5` → `rut123456785`: body and check digit together, so any
/// prefix of the digits, with or without the check digit, is a prefix of it.
pub fn rut_token(canonical_or_digits: &str) -> String {
    let compact: String =
        canonical_or_digits.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    format!("{RUT_PREFIX}{compact}")
}
