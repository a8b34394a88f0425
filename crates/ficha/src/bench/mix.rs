//! The benchmark's query mix, drawn (seeded) from the loaded clients
//! themselves, so every kind of query has real answers: name prefixes of 1 to
//! 8 letters, full names, phone tails, RUT prefixes, custom values, typos.

use ficha_domain::fold::fold;
use ficha_domain::{Actor, Client};
use ficha_store::{ClientSort, ListQuery, Store};

use super::custom::{COMUNAS, PETS};
use crate::demo::random::Random;

pub struct Query {
    pub kind: &'static str,
    pub text: String,
}

/// `count` queries, the same for the same seed and data.
pub async fn queries(store: &dyn Store, actor: &Actor, seed: u64, count: usize) -> anyhow::Result<Vec<Query>> {
    let sample = sample_clients(store, actor).await?;
    anyhow::ensure!(!sample.is_empty(), "the benchmark business has no clients");
    let mut random = Random::seeded(seed ^ 0x5EED);
    let mut queries = Vec::with_capacity(count);
    while queries.len() < count {
        let client = random.pick(&sample);
        let name = fold(client.name.as_str());
        let words: Vec<&str> = name.split(' ').collect();
        let query = match random.between(0, 7) {
            6 => {
                let values: &[&str] = if random.chance(50) { PETS } else { COMUNAS };
                let value: &str = random.pick::<&str>(values);
                Some(Query { kind: "custom value", text: fold(value) })
            }
            0 => {
                let word = random.pick(&words);
                let letters = random.between(1, 9) as usize;
                Some(Query { kind: "name prefix", text: word.chars().take(letters).collect() })
            }
            1 => Some(Query { kind: "full name", text: client.name.as_str().to_owned() }),
            2 => client.phone.as_ref().map(|phone| {
                let digits = random.between(4, 9) as usize;
                let e164 = phone.e164();
                Query { kind: "phone tail", text: e164[e164.len() - digits..].to_owned() }
            }),
            3 => client.rut.map(|rut| {
                let digits = random.between(4, 9) as usize;
                Query { kind: "rut prefix", text: rut.body().to_string().chars().take(digits).collect() }
            }),
            4 => words.iter().find(|w| w.len() >= 6).map(|word| Query { kind: "typo", text: typo(word, &mut random) }),
            _ => {
                let first = words.first().copied().unwrap_or("");
                let surname = words.get(words.len().saturating_sub(2)).copied().unwrap_or("");
                let partial: String = surname.chars().take(3).collect();
                Some(Query { kind: "first + surname", text: format!("{first} {partial}") })
            }
        };
        queries.extend(query);
    }
    Ok(queries)
}

/// Replaces one inner letter: "gonzalez" → "gonzalex".
fn typo(word: &str, random: &mut Random) -> String {
    let mut letters: Vec<char> = word.chars().collect();
    let at = random.between(1, letters.len() as u64 - 1) as usize;
    letters[at] = if letters[at] == 'x' { 'y' } else { 'x' };
    letters.into_iter().collect()
}

/// A few thousand clients spread over the name order.
async fn sample_clients(store: &dyn Store, actor: &Actor) -> anyhow::Result<Vec<Client>> {
    let mut sample = Vec::new();
    for sort in [ClientSort::NameAsc, ClientSort::NameDesc, ClientSort::RegisteredDesc, ClientSort::RegisteredAsc] {
        let page = store.list_clients(actor, &ListQuery { sort, after: None, limit: 200 }).await?;
        sample.extend(page.clients);
    }
    Ok(sample)
}
