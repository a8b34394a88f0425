//! `ficha bench --edits N`: everyday edits after the load, so the search can
//! be measured again on an index that took them as a running server would
//! (no rebuild, no vacuum beyond what the database does by itself).

use std::time::{Duration, Instant};

use anyhow::Context;
use ficha_domain::{Actor, ClientChanges, ClientName};
use ficha_store::Store;

use super::writes::{clients, mobile};
use crate::demo::names::SURNAMES;
use crate::demo::random::Random;

/// Edits `count` clients spread over the business, one write each: every
/// client a new phone, every other one also a new second surname (a name
/// change rewrites more of the entry's words). Returns the time taken.
pub async fn edit(store: &dyn Store, actor: &Actor, count: usize, seed: u64) -> anyhow::Result<Duration> {
    let targets = clients(store, actor, count).await?;
    let mut random = Random::seeded(seed ^ 0xed17);
    let started = Instant::now();
    for (n, client) in targets.iter().enumerate() {
        let name = (n % 2 == 1).then(|| renamed(client.name.as_str(), random.pick::<&str>(SURNAMES))).flatten();
        let changes = ClientChanges { name, phone: Some(Some(mobile(&mut random))), ..Default::default() };
        store.update_client(actor, client.id, client.version, changes).await.context("edit")?;
    }
    Ok(started.elapsed())
}

/// The name with its last word replaced by `surname`.
fn renamed(name: &str, surname: &str) -> Option<ClientName> {
    let kept = name.rsplit_once(' ').map_or(name, |(kept, _)| kept);
    ClientName::parse(&format!("{kept} {surname}")).ok()
}
