//! General notes on some demo clients, by the demo staff, so profiles look
//! lived-in.

use anyhow::Context;
use ficha_domain::{Actor, Client, FixedClock, NoteText};
use ficha_store::Store;
use jiff::{SignedDuration, Timestamp};

use super::random::Random;

/// What staff of a clinic write about clients.
const TEXTS: &[&str] = &[
    "Cliente puntual.",
    "Alérgica al látex: usar guantes de nitrilo.",
    "Prefiere horas en la mañana, antes de las 11.",
    "Llega siempre 10 minutos antes; le gusta que la atiendan a la hora.",
    "Paga con transferencia; pide boleta a nombre de la empresa.",
    "Hipertenso, controlado. Tomar presión antes de cada sesión.",
    "No le gusta que la llamen; prefiere WhatsApp.",
    "Viene con su hija menor; necesita espacio para el coche.",
    "Le cuesta estacionar: recordarle el estacionamiento de Alameda 1520.",
    "Tiene miedo a las agujas. Explicarle cada paso con calma.",
    "Derivado por el Dr. Ibáñez.\nSeguimiento cada tres meses.",
    "Cambió de número en marzo; confirmar el teléfono en la próxima visita.",
];

/// One note in every `EVERY` clients; a few of them get a second one.
const EVERY: usize = 6;

/// A note to add.
struct Planned {
    /// The client's place in registration order.
    client: usize,
    /// Which of the authors writes it.
    author: usize,
    text: &'static str,
    /// How long after the client registered.
    after: SignedDuration,
}

fn plan(random: &mut Random, clients: usize, authors: usize) -> Vec<Planned> {
    let mut notes = Vec::new();
    for client in (0..clients).filter(|i| i % EVERY == 1) {
        let count = if random.chance(25) { 2 } else { 1 };
        for _ in 0..count {
            let days = random.between(0, 60) as i64;
            let after = SignedDuration::from_hours(24 * days + random.between(9, 19) as i64);
            let author = random.between(0, authors as u64) as usize;
            let text = *random.pick::<&str>(TEXTS);
            notes.push(Planned { client, author, text, after });
        }
    }
    notes
}

/// Adds the demo notes to `clients` (in registration order), written by
/// `authors`, each at a time after its client registered and never after
/// `now`; `clock` is the demo store's clock.
pub async fn add(
    store: &dyn Store,
    clock: &FixedClock,
    random: &mut Random,
    authors: &[Actor],
    clients: &[Client],
    now: Timestamp,
) -> anyhow::Result<()> {
    let mut planned = plan(random, clients.len(), authors.len());
    let written_at = |note: &Planned| {
        let registered = clients[note.client].registered_at;
        registered.checked_add(note.after).ok().filter(|t| *t <= now).unwrap_or(now)
    };
    // In time order, as staff would have written them.
    planned.sort_by_key(written_at);
    for note in &planned {
        clock.set(written_at(note));
        let text = NoteText::parse(note.text).map_err(|e| anyhow::anyhow!("demo note {:?}: {e}", note.text))?;
        store.add_note(&authors[note.author], clients[note.client].id, text).await.context("adding a demo note")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_a_valid_note_and_the_plan_spreads_over_clients_and_staff() {
        assert!(TEXTS.iter().all(|t| NoteText::parse(t).is_ok()));
        let plan = plan(&mut Random::seeded(7), 240, 2);
        assert!(plan.len() >= 40 && plan.len() <= 80, "{}", plan.len());
        assert!(plan.iter().any(|n| n.author == 0) && plan.iter().any(|n| n.author == 1));
        assert!(plan.iter().all(|n| n.client < 240));
    }
}
