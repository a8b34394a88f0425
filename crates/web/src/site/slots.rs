//! The free slots a client may book: the professionals' agendas, breaks,
//! days off and bookings (the same `free_slots` the panel and the API use),
//! cut by the business's minimum notice and horizon. For "Cualquiera" a
//! start is free when any professional who performs the service is.
//!
//! Busy times are read only for the days asked, a week at a time and for
//! all professionals in one query (`busy_of`): a page reads the week it
//! shows, and looking for the first day with a free slot reads on, week by
//! week, only while it finds none. Reading the whole horizon up front cost
//! 10–25 times more (docs/performance.md, "booking site").

use std::collections::BTreeSet;
use std::sync::Arc;

use ficha_domain::availability::{day_span, free_slots};
use ficha_domain::{Actor, Agenda, BookingRules, Interval, Service, StaffId};
use ficha_store::{Store, StoreError};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::AppState;

/// Days of busy times read at once: the week a page shows.
const READ_DAYS: i64 = 7;

/// What the slots are computed from: the agendas, read once, and the busy
/// times, read as days are asked for.
pub struct Calendars {
    store: Arc<dyn Store>,
    actor: Actor,
    zone: TimeZone,
    professionals: Vec<StaffId>,
    agendas: Vec<(StaffId, Agenda)>,
    read: Vec<Read>,
    /// Busy times taken off (`free`), also from what is read later.
    freed: Vec<(StaffId, Interval)>,
    length: SignedDuration,
    not_before: Timestamp,
    pub last_date: Date,
    pub today: Date,
}

/// Every professional's busy times overlapping the days `first..=last`,
/// from one query: each of these days is computed from this read alone.
struct Read {
    first: Date,
    last: Date,
    /// One list per professional, in the order of `agendas`, by start.
    busy: Vec<Vec<Interval>>,
}

impl Calendars {
    /// Reads the agendas of `professionals`; their bookings are read as
    /// days are asked for.
    pub async fn read(
        state: &AppState,
        actor: &Actor,
        service: &Service,
        professionals: &[StaffId],
        rules: &BookingRules,
        zone: &TimeZone,
    ) -> Result<Self, StoreError> {
        let now = state.clock.now();
        let agendas = state.store.agendas_of(actor, professionals).await?;
        Ok(Self {
            store: state.store.clone(),
            actor: *actor,
            zone: zone.clone(),
            professionals: agendas.iter().map(|(pro, _)| *pro).collect(),
            agendas,
            read: Vec::new(),
            freed: Vec::new(),
            length: service.duration.duration(),
            not_before: rules.not_before(now),
            last_date: rules.last_date(now, zone),
            today: now.to_zoned(zone.clone()).date(),
        })
    }

    /// Takes one busy time of `professional` off (the booking being moved).
    pub fn free(&mut self, professional: StaffId, when: Interval) {
        if let Some(n) = self.professionals.iter().position(|p| *p == professional) {
            for read in &mut self.read {
                take_off(&mut read.busy[n], when);
            }
        }
        self.freed.push((professional, when));
    }

    /// The free starts on `date`, earliest first, each once.
    pub async fn day(&mut self, date: Date) -> Result<Vec<Timestamp>, StoreError> {
        if date < self.today || date > self.last_date {
            return Ok(Vec::new());
        }
        let Some((start, end)) = day_span(date, &self.zone) else { return Ok(Vec::new()) };
        let at = match self.read.iter().position(|r| r.first <= date && date <= r.last) {
            Some(at) => at,
            None => self.read_from(date).await?,
        };
        let read = &self.read[at];
        let mut starts = BTreeSet::new();
        for ((_, agenda), busy) in self.agendas.iter().zip(&read.busy) {
            // Only what overlaps the day: free_slots checks each slot
            // against every busy time it is given.
            let busy: Vec<Interval> =
                busy.iter().filter(|when| when.start() < end && when.end() > start).copied().collect();
            for slot in free_slots(agenda, date, &self.zone, self.length, &busy, self.not_before) {
                starts.insert(slot.start());
            }
        }
        Ok(starts.into_iter().collect())
    }

    /// The first date from `from` on with a free start, within the horizon;
    /// reads further weeks only while none is found.
    pub async fn first_free_day(&mut self, from: Date) -> Result<Option<Date>, StoreError> {
        let mut date = from.max(self.today);
        while date <= self.last_date {
            if !self.day(date).await?.is_empty() {
                return Ok(Some(date));
            }
            let Ok(next) = date.tomorrow() else { break };
            date = next;
        }
        Ok(None)
    }

    /// Reads the busy times of the week from `first` (cut at the horizon and
    /// at the next read already made); gives its place in `read`.
    async fn read_from(&mut self, first: Date) -> Result<usize, StoreError> {
        let mut last = first.checked_add(jiff::Span::new().days(READ_DAYS - 1)).unwrap_or(first).min(self.last_date);
        if let Some(next) = self.read.iter().map(|r| r.first).filter(|f| *f > first).min() {
            last = last.min(next.yesterday().unwrap_or(first));
        }
        let start = day_span(first, &self.zone).map(|(s, _)| s);
        let end = day_span(last, &self.zone).map(|(_, e)| e);
        let read = match (start, end) {
            (Some(start), Some(end)) => self.store.busy_of(&self.actor, &self.professionals, start, end).await?,
            _ => Vec::new(),
        };
        let mut busy = vec![Vec::new(); self.professionals.len()];
        for (pro, when) in read {
            if let Some(n) = self.professionals.iter().position(|p| *p == pro) {
                busy[n].push(when);
            }
        }
        for (pro, when) in &self.freed {
            if let Some(n) = self.professionals.iter().position(|p| p == pro) {
                take_off(&mut busy[n], *when);
            }
        }
        self.read.push(Read { first, last, busy });
        Ok(self.read.len() - 1)
    }
}

/// Removes one busy time equal to `when`: another booking at the very same
/// time stays.
fn take_off(busy: &mut Vec<Interval>, when: Interval) {
    if let Some(at) = busy.iter().position(|b| *b == when) {
        busy.remove(at);
    }
}
