//! The calendar's columns as the template shows them: for each (professional,
//! day) its quarter-hour cells (free ones are buttons that open Agendar,
//! out-of-hours ones shaded) and its bookings placed by `grid`, in display
//! strings only.

use ficha_domain::{Agenda, BookingState, StaffId};
use ficha_store::CalendarEntry;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::grid::{self, Hours, QUARTER, Span};
use crate::panel::booking_words::state_label;
use crate::panel::format::time;

/// One column asked for: whose, which day, and the heading it gets.
pub struct Wanted<'a> {
    pub professional: StaffId,
    pub day: Date,
    pub agenda: &'a Agenda,
    /// Short, on one line: the professional's name, or `Lun 30-11`.
    pub heading: String,
    /// In full, for screen readers and the tooltip.
    pub label: String,
}

/// One free or taken quarter-hour.
pub struct Cell {
    /// `09:15`: what the button sends as `hora`.
    pub hora: String,
    /// Outside working hours (out of hours, a break, a day off): shaded.
    pub off: bool,
    /// Starts an hour: drawn with a stronger line.
    pub hour: bool,
    /// A booking (not cancelled) covers it: no button.
    pub busy: bool,
}

pub struct Block {
    /// Grid row inside its cluster (1-based) and rows spanned.
    pub row: usize,
    pub span: usize,
    /// 1-based lane.
    pub lane: usize,
    pub href: String,
    /// `10:00` and `–11:00` apart: a narrow block shows only the start.
    pub starts: String,
    pub ends: String,
    pub client: String,
    pub service: String,
    pub state: &'static str,
    pub state_class: &'static str,
}

/// Overlapping bookings sharing the column's width.
pub struct ClusterView {
    pub row: usize,
    pub span: usize,
    pub blocks: Vec<Block>,
}

/// The "now" line: its row and the minutes into it.
pub struct Now {
    pub row: usize,
    pub minute: i32,
}

pub struct Column {
    pub heading: String,
    pub label: String,
    pub professional: String,
    /// `YYYY-MM-DD`, what the buttons send as `fecha`.
    pub fecha: String,
    pub is_today: bool,
    /// No working hours that day.
    pub day_off: bool,
    pub cells: Vec<Cell>,
    pub clusters: Vec<ClusterView>,
    pub now: Option<Now>,
}

/// A booking's local day and minutes, `[start, end)`; one that runs past
/// midnight ends at 24:00 on the grid.
pub fn local_span(entry: &CalendarEntry, zone: &TimeZone) -> Option<(Date, Span)> {
    let when = entry.booking.when?;
    let start = when.start().to_zoned(zone.clone());
    let end = when.end().to_zoned(zone.clone());
    let minutes = |t: jiff::civil::Time| i32::from(t.hour()) * 60 + i32::from(t.minute());
    let end_minute = if end.date() > start.date() { 24 * 60 } else { minutes(end.time()) };
    Some((start.date(), Span::new(minutes(start.time()), end_minute)))
}

/// The working ranges of a professional on `day`.
pub fn working(agenda: &Agenda, day: Date) -> Vec<Span> {
    let minutes = |t: jiff::civil::Time| i32::from(t.hour()) * 60 + i32::from(t.minute());
    agenda.ranges_on(day).iter().map(|r| Span::new(minutes(r.start()), minutes(r.end()))).collect()
}

/// What decides the grid's hours: every column's working ranges and every
/// booking shown.
pub fn shown_hours(wanted: &[Wanted], entries: &[(&CalendarEntry, Date, Span)]) -> Hours {
    let working: Vec<Span> = wanted.iter().flat_map(|w| working(w.agenda, w.day)).collect();
    let bookings: Vec<Span> = entries.iter().map(|(_, _, span)| *span).collect();
    grid::hours(&working, &bookings)
}

/// Where now is, if on the grid: (today, minute of the day).
pub struct Clock {
    pub today: Date,
    pub minute: i32,
}

pub fn build(
    wanted: Wanted,
    hours: &Hours,
    entries: &[(&CalendarEntry, Date, Span)],
    clock: &Clock,
    zone: &TimeZone,
) -> Column {
    let working = working(wanted.agenda, wanted.day);
    let mine: Vec<&(&CalendarEntry, Date, Span)> = entries
        .iter()
        .filter(|(entry, day, _)| *day == wanted.day && entry.booking.professional == Some(wanted.professional))
        .collect();
    let spans: Vec<Span> = mine.iter().map(|(_, _, span)| *span).collect();
    let placed = grid::clusters(&spans);
    let live_rows: Vec<Span> = placed
        .iter()
        .flat_map(|c| &c.members)
        .filter(|p| mine[p.index].0.booking.state != BookingState::Cancelled)
        .map(|p| p.span)
        .collect();
    let cells = hours
        .row_minutes()
        .map(|minute| Cell {
            hora: format!("{:02}:{:02}", minute / 60, minute % 60),
            off: !grid::is_working(&working, minute),
            hour: minute % 60 == 0,
            busy: live_rows.iter().any(|s| (s.start..s.end).contains(&minute)),
        })
        .collect();
    let clusters = placed
        .iter()
        .map(|cluster| ClusterView {
            row: hours.row_of(cluster.span.start),
            span: rows(cluster.span),
            blocks: cluster
                .members
                .iter()
                .map(|p| {
                    let entry = mine[p.index].0;
                    let booking = &entry.booking;
                    let (starts, ends) = booking
                        .when
                        .map(|w| (time(w.start(), zone), format!("–{}", time(w.end(), zone))))
                        .unwrap_or_default();
                    Block {
                        row: usize::try_from((p.span.start - cluster.span.start) / QUARTER + 1).unwrap_or(1),
                        span: rows(p.span),
                        lane: p.lane + 1,
                        href: format!("/reservas/{}", booking.id),
                        starts,
                        ends,
                        client: entry.client_name.clone(),
                        service: entry.service_name.clone(),
                        state: state_label(booking.state),
                        state_class: booking.state.as_str(),
                    }
                })
                .collect(),
        })
        .collect();
    let is_today = wanted.day == clock.today;
    let now = (is_today && hours.holds(clock.minute))
        .then(|| Now { row: hours.row_of(clock.minute), minute: (clock.minute - hours.start) % QUARTER });
    Column {
        heading: wanted.heading,
        label: wanted.label,
        professional: wanted.professional.to_string(),
        fecha: wanted.day.to_string(),
        is_today,
        day_off: working.is_empty(),
        cells,
        clusters,
        now,
    }
}

fn rows(span: Span) -> usize {
    usize::try_from((span.end - span.start) / QUARTER).unwrap_or(1).max(1)
}
