//! The free slots a client may book: the professionals' agendas, breaks,
//! days off and bookings (the same `free_slots` the panel and the API use),
//! cut by the business's minimum notice and horizon. For "Cualquiera" a
//! start is free when any professional who performs the service is.

use std::collections::BTreeSet;

use ficha_domain::availability::{day_span, free_slots};
use ficha_domain::{Actor, Agenda, BookingRules, Interval, Service, StaffId};
use ficha_store::StoreError;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::AppState;

/// What the slots are computed from, read once per page.
pub struct Calendars {
    /// Each professional's agenda and busy times over the span asked.
    each: Vec<(StaffId, Agenda, Vec<Interval>)>,
    length: jiff::SignedDuration,
    not_before: Timestamp,
    pub last_date: Date,
    pub today: Date,
}

impl Calendars {
    /// Reads the agendas and bookings of `professionals` from `from` to the
    /// horizon.
    pub async fn read(
        state: &AppState,
        actor: &Actor,
        service: &Service,
        professionals: &[StaffId],
        rules: &BookingRules,
        zone: &TimeZone,
        from: Date,
    ) -> Result<Self, StoreError> {
        let now = state.clock.now();
        let today = now.to_zoned(zone.clone()).date();
        let last_date = rules.last_date(now, zone);
        let start = day_span(from.max(today), zone).map_or(now, |(s, _)| s);
        let end = last_date.tomorrow().ok().and_then(|d| day_span(d, zone)).map_or(now, |(s, _)| s);
        let mut each = Vec::new();
        for &pro in professionals {
            let agenda = state.store.agenda(actor, pro).await?;
            let busy = if start < end { state.store.busy(actor, pro, start, end).await? } else { Vec::new() };
            each.push((pro, agenda, busy));
        }
        Ok(Self { each, length: service.duration.duration(), not_before: rules.not_before(now), last_date, today })
    }

    /// Takes one busy time of `professional` off (the booking being moved).
    pub fn free(&mut self, professional: StaffId, when: Interval) {
        for (pro, _, busy) in &mut self.each {
            if *pro == professional
                && let Some(at) = busy.iter().position(|b| *b == when)
            {
                busy.remove(at);
            }
        }
    }

    /// The free starts on `date`, earliest first, each once.
    pub fn day(&self, date: Date, zone: &TimeZone) -> Vec<Timestamp> {
        if date < self.today || date > self.last_date {
            return Vec::new();
        }
        let mut starts = BTreeSet::new();
        for (_, agenda, busy) in &self.each {
            for slot in free_slots(agenda, date, zone, self.length, busy, self.not_before) {
                starts.insert(slot.start());
            }
        }
        starts.into_iter().collect()
    }

    /// The first date from `from` on with a free start, within the horizon.
    pub fn first_free_day(&self, from: Date, zone: &TimeZone) -> Option<Date> {
        let mut date = from.max(self.today);
        while date <= self.last_date {
            if !self.day(date, zone).is_empty() {
                return Some(date);
            }
            date = date.tomorrow().ok()?;
        }
        None
    }
}
