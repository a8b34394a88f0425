//! Attention notes on some past demo bookings, private and shared, each by
//! the booking's professional shortly after the appointment.

use anyhow::Context;
use ficha_domain::{Actor, Booking, BookingState, FixedClock, NoteText, Visibility};
use ficha_store::Store;
use jiff::{SignedDuration, Timestamp};

use super::random::Random;

/// What a professional writes for the team only.
const PRIVATE: &[&str] = &[
    "Contractura en trapecio derecho; responde bien a la terapia manual.",
    "Dolor 6/10 al inicio, 3/10 al terminar.",
    "Evaluar derivación a traumatología si no mejora en dos sesiones.",
    "Se queja de dolor lumbar al estar sentada mucho rato.",
    "Rango de movimiento del hombro mejoró unos 15°.",
];

/// What a professional leaves for the client to read (Mi cuenta).
const SHARED: &[&str] = &[
    "Aplicar calor local 20 minutos, dos veces al día.",
    "Ejercicios de elongación cada mañana: 3 series de 10 repeticiones.",
    "Evitar cargar peso con el brazo izquierdo durante una semana.",
    "Tomar abundante agua después de la sesión.",
    "Próximo control en dos semanas.",
];

/// One past booking in every `EVERY` gets notes; at most `MOST` of them,
/// so the demo starts fast.
const EVERY: usize = 7;
const MOST: usize = 60;

/// Adds attention notes to past bookings of `bookings` that were not
/// cancelled, each by its professional among `authors`, written at the
/// end of the appointment plus a few minutes (never after `now`).
pub async fn add(
    store: &dyn Store,
    clock: &FixedClock,
    random: &mut Random,
    authors: &[Actor],
    bookings: &[Booking],
    now: Timestamp,
) -> anyhow::Result<usize> {
    let mut past: Vec<&Booking> = bookings
        .iter()
        .filter(|b| b.state != BookingState::Cancelled && b.when.is_some_and(|w| w.end() < now))
        .collect();
    past.sort_by_key(|b| b.when.map(|w| w.end()));
    let mut added = 0;
    for booking in past.into_iter().step_by(EVERY).take(MOST) {
        let Some(author) =
            authors.iter().find(|a| matches!(a, Actor::Staff { staff, .. } if *staff == booking.professional))
        else {
            continue;
        };
        let ends = booking.when.map_or(now, |w| w.end());
        clock.set(ends.checked_add(SignedDuration::from_mins(random.between(2, 30) as i64)).unwrap_or(now).min(now));
        let mut notes = vec![(Visibility::Private, *random.pick(PRIVATE))];
        if random.chance(60) {
            notes.push((Visibility::Shared, *random.pick(SHARED)));
        }
        for (kind, text) in notes {
            let text = NoteText::parse(text).map_err(|e| anyhow::anyhow!("demo attention note {text:?}: {e}"))?;
            store.add_attention_note(author, booking.id, kind, text).await.context("adding a demo attention note")?;
            added += 1;
        }
    }
    clock.set(now);
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_a_valid_note() {
        assert!(PRIVATE.iter().chain(SHARED).all(|t| NoteText::parse(t).is_ok()));
    }
}
