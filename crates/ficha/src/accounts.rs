//! Creating businesses and staff accounts from the command line (and on first
//! start).

use anyhow::{Context, anyhow, bail};
use ficha_domain::{Actor, Business, ClientName, Email, NewBusiness, NewStaff, Role, Slug, Staff};
use ficha_store::Store;
use ficha_web::auth::{password, secret};

/// Someone who can sign in, with the password to show once.
pub struct Login {
    pub business: String,
    pub email: String,
    pub password: String,
    pub role: Role,
}

/// A random password that is still easy to copy: 16 URL-safe characters
/// (96 bits).
pub fn random_password() -> anyhow::Result<String> {
    let secret = secret::generate().map_err(|e| anyhow!("no randomness available: {e}"))?;
    Ok(secret.chars().take(16).collect())
}

pub async fn create_business(store: &dyn Store, slug: &str, name: &str, time_zone: &str) -> anyhow::Result<Business> {
    let slug = Slug::parse(slug).map_err(|e| anyhow!("invalid slug {slug:?}: {e}"))?;
    if jiff::tz::TimeZone::get(time_zone).is_err() {
        bail!("unknown time zone {time_zone:?}: use an IANA name such as America/Santiago");
    }
    store
        .create_business(NewBusiness { slug, name: name.trim().to_owned(), time_zone: time_zone.to_owned() })
        .await
        .with_context(|| format!("creating business {name:?}"))
}

pub async fn business_actor(store: &dyn Store, slug: &str) -> anyhow::Result<Actor> {
    let business = store.business_by_slug(slug).await?.ok_or_else(|| anyhow!("no business with slug {slug:?}"))?;
    Ok(Actor::System { business: business.id })
}

/// Adds a staff account; generates the password when none is given.
pub async fn add_staff(
    store: &dyn Store,
    actor: &Actor,
    name: &str,
    email: &str,
    role: Role,
    password: Option<String>,
) -> anyhow::Result<(Staff, String)> {
    let name = ClientName::parse(name).map_err(|e| anyhow!("invalid name {name:?}: {e}"))?;
    let email = Email::parse(email).map_err(|e| anyhow!("invalid email {email:?}: {e}"))?;
    let password = checked_password(password)?;
    let password_hash = password::hash_off_thread(password.clone()).await.context("hashing the password")?;
    let staff = store.create_staff(actor, NewStaff { name, email, role, password_hash }).await?;
    Ok((staff, password))
}

pub async fn set_password(
    store: &dyn Store,
    actor: &Actor,
    email: &str,
    password: Option<String>,
) -> anyhow::Result<String> {
    let email_key = email.trim().to_lowercase();
    let staff = store.list_staff(actor).await?;
    let staff =
        staff.iter().find(|s| s.email.key() == email_key).ok_or_else(|| anyhow!("no staff with email {email:?}"))?;
    let password = checked_password(password)?;
    let hash = password::hash_off_thread(password.clone()).await.context("hashing the password")?;
    store.set_staff_password(actor, staff.id, hash).await?;
    Ok(password)
}

fn checked_password(password: Option<String>) -> anyhow::Result<String> {
    let password = match password {
        Some(password) => password,
        None => random_password()?,
    };
    if password.chars().count() < password::MIN_PASSWORD_CHARS {
        bail!("the password needs at least {} characters", password::MIN_PASSWORD_CHARS);
    }
    Ok(password)
}
