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

/// One row per professional with busy times: (staff id, starts, ends in
/// microseconds, paired by position), back as (professional, interval)
/// sorted by professional in the order of `asked`, then by start. The
/// backends aggregate in SQL because a few rows carrying arrays cost a
/// fraction of thousands of rows to fetch (the booking site's week of
/// "Cualquiera" reads about 4 000 busy times in the benchmark).
pub fn busy(asked: &[StaffId], rows: Vec<(Uuid, Vec<i64>, Vec<i64>)>) -> StoreResult<Vec<(StaffId, Interval)>> {
    let rank: HashMap<Uuid, usize> = asked.iter().enumerate().map(|(n, id)| (id.as_uuid(), n)).collect();
    let mut rows: Vec<_> = rows.into_iter().map(|row| (rank.get(&row.0).copied().unwrap_or(usize::MAX), row)).collect();
    rows.sort_by_key(|(rank, _)| *rank);
    let mut busy = Vec::with_capacity(rows.iter().map(|(_, (_, starts, _))| starts.len()).sum());
    for (_, (staff, starts, ends)) in rows {
        if starts.len() != ends.len() {
            return Err(StoreError::Corrupt("busy times with unpaired starts and ends".into()));
        }
        let first = busy.len();
        for (start, end) in starts.into_iter().zip(ends) {
            let when =
                Interval::new(timestamp(start)?, timestamp(end)?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            busy.push((StaffId::from_uuid(staff), when));
        }
        busy[first..].sort_by_key(|(_, when)| when.start());
    }
    Ok(busy)
}
