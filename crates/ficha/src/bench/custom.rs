//! Custom values for the benchmark business: a pet's name and a comuna for
//! some clients, so the query mix can look clients up by them.

use anyhow::{Context, anyhow};
use ficha_domain::{
    Actor, ChoiceOptions, CustomField, CustomValue, FieldKey, FieldKind, FieldLabel, NewCustomField, RawValue,
};
use ficha_store::{ClientSort, ListQuery, Store};

use crate::demo::random::Random;

pub const PETS: &[&str] = &["Firulais", "Cachupín", "Pelusa", "Canela", "Rocky", "Manchas", "Tobías", "Chispita"];
pub const COMUNAS: &[&str] = &["Ñuñoa", "Providencia", "Las Condes", "Maipú", "La Florida", "Puente Alto", "Vitacura"];

/// Gives `count` clients (the most recently registered) a pet and a comuna.
pub async fn seed(store: &dyn Store, actor: &Actor, count: usize, seed: u64) -> anyhow::Result<()> {
    let pet = define(store, actor, "mascota", "Nombre de la mascota", FieldKind::Text, &[]).await?;
    let comuna = define(store, actor, "comuna", "Comuna", FieldKind::SingleChoice, COMUNAS).await?;
    let mut random = Random::seeded(seed ^ 0xC0FFEE);
    let mut query = ListQuery { sort: ClientSort::RegisteredDesc, after: None, limit: 200 };
    let mut done = 0;
    while done < count {
        let page = store.list_clients(actor, &query).await?;
        for client in &page.clients {
            let values = vec![
                (pet.key.clone(), CustomValue::parse(&pet, RawValue::Text(random.pick::<&str>(PETS)))?),
                (comuna.key.clone(), CustomValue::parse(&comuna, RawValue::Text(random.pick::<&str>(COMUNAS)))?),
            ];
            store.set_custom_values(actor, client.id, client.version, values).await?;
            done += 1;
        }
        match page.next {
            Some(next) if done < count => query.after = Some(next),
            _ => break,
        }
    }
    Ok(())
}

pub(super) async fn define(
    store: &dyn Store,
    actor: &Actor,
    key: &str,
    label: &str,
    kind: FieldKind,
    options: &[&str],
) -> anyhow::Result<CustomField> {
    let new = NewCustomField {
        key: FieldKey::parse(key)?,
        label: FieldLabel::parse(label)?,
        kind,
        options: ChoiceOptions::parse(kind, options).map_err(|e| anyhow!("{e:?}"))?,
        required: false,
        in_booking_form: false,
        visible_to_client: false,
        sensitive: false,
        identifying: false,
        position: None,
    };
    store.create_field(actor, new).await.context("defining a benchmark field")
}
