//! The busy business the booking-site and calendar benchmarks share: a fresh
//! business in Santiago and its professionals (the first is the owner, who
//! also attends), each working Monday to Saturday 08:00–13:00 and
//! 14:00–20:00.

use std::collections::BTreeSet;

use ficha_domain::{Actor, Agenda, Business, DayHours, Role, StaffId, TimeRange};
use ficha_store::Store;
use jiff::Timestamp;

use crate::accounts;

pub const ZONE: &str = "America/Santiago";
/// Working ranges, Monday to Saturday.
pub const HOURS: [(&str, &str); 2] = [("08:00", "13:00"), ("14:00", "20:00")];

/// Everyone's agenda: `HOURS` Monday to Saturday, Sundays off.
pub fn agenda() -> anyhow::Result<Agenda> {
    let ranges = HOURS.iter().map(|(from, to)| TimeRange::parse(from, to)).collect::<Result<Vec<_>, _>>()?;
    let mut weekly: [DayHours; 7] = Default::default();
    for day in weekly.iter_mut().take(6) {
        *day = DayHours::new(ranges.clone())?;
    }
    Ok(Agenda::new(weekly, BTreeSet::new())?)
}

/// A business `<slug_prefix>-<unix time>` named `name`, with `professionals`
/// staff (at least one) on the agenda above.
pub async fn staffed_business(
    store: &dyn Store,
    slug_prefix: &str,
    name: &str,
    professionals: u64,
) -> anyhow::Result<(Business, Actor, Vec<StaffId>)> {
    let slug = format!("{slug_prefix}-{}", Timestamp::now().as_second());
    let business = accounts::create_business(store, &slug, name, ZONE).await?;
    let actor = Actor::System { business: business.id };
    let agenda = agenda()?;
    let mut staff_ids = Vec::new();
    for n in 0..professionals.max(1) {
        let role = if n == 0 { Role::Owner } else { Role::Professional };
        let email = format!("pro{n}@bench.ficha.cl");
        let (staff, _) = accounts::add_staff(store, &actor, &format!("Profesional {n}"), &email, role, None).await?;
        store.set_agenda(&actor, staff.id, agenda.clone()).await?;
        staff_ids.push(staff.id);
    }
    Ok((business, actor, staff_ids))
}
