//! What both backends share of the reads for several professionals at once
//! (`agendas_of`, `busy_of`): the list asked, each once, and the rows turned
//! back into domain values in the order asked.

use std::collections::HashMap;

use ficha_domain::{Agenda, Interval, StaffId};
use uuid::Uuid;

use super::record::agenda_from_text;
use crate::error::{StoreError, StoreResult};
use crate::record::timestamp;

/// The professionals asked, each once, in the order first asked.
pub fn distinct(staff: &[StaffId]) -> Vec<StaffId> {
    let mut seen = Vec::with_capacity(staff.len());
    for id in staff {
        if !seen.contains(id) {
            seen.push(*id);
        }
    }
    seen
}

/// Rows of (staff id, agenda text if one is set) for the staff found in the
/// business, back in the order of `asked` (from `distinct`). One asked and
/// not found is not staff of the business: `NotFound`.
pub fn agendas(asked: &[StaffId], rows: Vec<(Uuid, Option<String>)>) -> StoreResult<Vec<(StaffId, Agenda)>> {
    let mut found: HashMap<Uuid, Option<String>> = rows.into_iter().collect();
    asked
        .iter()
        .map(|id| {
            let hours = found.remove(&id.as_uuid()).ok_or(StoreError::NotFound)?;
            let agenda = hours.map_or_else(|| Ok(Agenda::closed()), |text| agenda_from_text(&text))?;
            Ok((*id, agenda))
        })
        .collect()
}

/// Rows of (staff id, start, end in microseconds), sorted by professional in
/// the order of `asked`, then by start.
pub fn busy(asked: &[StaffId], rows: Vec<(Uuid, i64, i64)>) -> StoreResult<Vec<(StaffId, Interval)>> {
    let rank: HashMap<Uuid, usize> = asked.iter().enumerate().map(|(n, id)| (id.as_uuid(), n)).collect();
    let mut busy = rows
        .into_iter()
        .map(|(staff, start, end)| {
            let when = Interval::new(timestamp(start)?, timestamp(end)?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok((rank.get(&staff).copied().unwrap_or(usize::MAX), StaffId::from_uuid(staff), when))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    busy.sort_by_key(|(rank, _, when)| (*rank, when.start()));
    Ok(busy.into_iter().map(|(_, staff, when)| (staff, when)).collect())
}
