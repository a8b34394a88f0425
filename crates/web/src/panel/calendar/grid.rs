//! The calendar's time grid, worked out before anything is rendered: which
//! hours the grid shows, which quarter-hours are working time (the rest is
//! shaded), and where each booking sits — its rows, and its lane when it
//! overlaps others, so that no booking is ever drawn on top of another.
//!
//! Times here are minutes since the local midnight (0..=1440); a grid row
//! is one quarter-hour. Bookings are placed on whole quarters (start rounded
//! down, end up), and overlaps are judged on those rounded rows, so two
//! bookings that would share a row also share no lane.

/// Minutes in one row of the grid.
pub const QUARTER: i32 = 15;
const HOUR: i32 = 60;
const DAY: i32 = 24 * HOUR;
/// What a day nobody works shows: 08:00–20:00.
pub const NOBODY_WORKS: Span = Span { start: 8 * HOUR, end: 20 * HOUR };

/// `[start, end)` in minutes since midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: i32,
    pub end: i32,
}

impl Span {
    pub fn new(start: i32, end: i32) -> Self {
        Self { start, end }
    }

    /// On whole quarters, at least one, inside the day.
    fn on_quarters(self) -> Self {
        let start = (self.start.clamp(0, DAY - QUARTER) / QUARTER) * QUARTER;
        let end = ceil_to(self.end.clamp(0, DAY), QUARTER).max(start + QUARTER);
        Self { start, end }
    }
}

fn ceil_to(minutes: i32, step: i32) -> i32 {
    (minutes + step - 1) / step * step
}

/// The hours the grid shows: whole hours from the earliest working start to
/// the latest working end, grown to hold every booking. When nobody works,
/// `NOBODY_WORKS` (grown the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub start: i32,
    pub end: i32,
    pub anyone_works: bool,
}

pub fn hours(working: &[Span], bookings: &[Span]) -> Hours {
    let anyone_works = !working.is_empty();
    let base = if anyone_works { working } else { std::slice::from_ref(&NOBODY_WORKS) };
    let all = base.iter().chain(bookings).map(|span| span.on_quarters());
    let start = all.clone().map(|s| s.start).min().unwrap_or(NOBODY_WORKS.start);
    let end = all.map(|s| s.end).max().unwrap_or(NOBODY_WORKS.end);
    Hours { start: start / HOUR * HOUR, end: ceil_to(end, HOUR), anyone_works }
}

impl Hours {
    /// The minute each row starts at.
    pub fn row_minutes(&self) -> impl Iterator<Item = i32> {
        (self.start..self.end).step_by(QUARTER.unsigned_abs() as usize)
    }

    /// The grid row (1-based, as CSS counts) of the quarter holding `minute`.
    pub fn row_of(&self, minute: i32) -> usize {
        usize::try_from((minute - self.start).max(0) / QUARTER + 1).unwrap_or(1)
    }

    /// Whether `minute` is on the grid.
    pub fn holds(&self, minute: i32) -> bool {
        (self.start..self.end).contains(&minute)
    }
}

/// Whether the quarter starting at `minute` is working time: it begins
/// inside one of the day's working ranges.
pub fn is_working(working: &[Span], minute: i32) -> bool {
    working.iter().any(|span| (span.start..span.end).contains(&minute))
}

/// A booking's place inside its cluster: its lane (0 is the leftmost).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// Which of the given spans.
    pub index: usize,
    pub lane: usize,
    /// On whole quarters.
    pub span: Span,
}

/// Bookings that overlap one another, directly or through others: they
/// share the column's width in `lanes` equal lanes over `span`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub span: Span,
    pub lanes: usize,
    pub members: Vec<Placed>,
}

/// Groups the bookings of one column into clusters and gives each booking
/// the first lane free at its start (earlier starts first; of two starting
/// together, the longer first).
pub fn clusters(spans: &[Span]) -> Vec<Cluster> {
    let mut order: Vec<(usize, Span)> = spans.iter().map(|s| s.on_quarters()).enumerate().collect();
    order.sort_by_key(|(index, s)| (s.start, -s.end, *index));
    let mut clusters: Vec<Cluster> = Vec::new();
    // The end of the last booking in each lane of the open cluster.
    let mut lane_ends: Vec<i32> = Vec::new();
    for (index, span) in order {
        let joins = clusters.last().is_some_and(|open| span.start < open.span.end);
        if !joins {
            lane_ends.clear();
            clusters.push(Cluster { span, lanes: 0, members: Vec::new() });
        }
        let lane = match lane_ends.iter().position(|end| *end <= span.start) {
            Some(free) => free,
            None => {
                lane_ends.push(span.end);
                lane_ends.len() - 1
            }
        };
        lane_ends[lane] = span.end;
        if let Some(open) = clusters.last_mut() {
            open.span.end = open.span.end.max(span.end);
            open.lanes = lane_ends.len();
            open.members.push(Placed { index, lane, span });
        }
    }
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hh: i32, mm: i32) -> i32 {
        hh * HOUR + mm
    }

    fn span(from: (i32, i32), to: (i32, i32)) -> Span {
        Span::new(at(from.0, from.1), at(to.0, to.1))
    }

    #[test]
    fn the_grid_runs_from_the_earliest_start_to_the_latest_end() {
        let working = [span((9, 0), (13, 0)), span((14, 0), (18, 0)), span((10, 0), (19, 30))];
        let shown = hours(&working, &[]);
        assert_eq!((shown.start, shown.end, shown.anyone_works), (at(9, 0), at(20, 0), true), "whole hours");
        assert_eq!(shown.row_minutes().count(), 44, "quarter-hour rows");
        assert_eq!(shown.row_of(at(9, 0)), 1);
        assert_eq!(shown.row_of(at(10, 20)), 6);
        assert_eq!(shown.row_minutes().next(), Some(at(9, 0)));
        assert_eq!(shown.row_minutes().last(), Some(at(19, 45)));
    }

    #[test]
    fn a_booking_outside_the_hours_grows_them() {
        let working = [span((9, 0), (18, 0))];
        let shown = hours(&working, &[span((7, 40), (8, 10)), span((18, 30), (19, 5))]);
        assert_eq!((shown.start, shown.end), (at(7, 0), at(20, 0)));
        let late = hours(&working, &[span((23, 30), (24, 0))]);
        assert_eq!(late.end, DAY, "up to midnight, never past it");
    }

    #[test]
    fn a_day_nobody_works_shows_the_default_hours() {
        let shown = hours(&[], &[]);
        assert_eq!((shown.start, shown.end, shown.anyone_works), (at(8, 0), at(20, 0), false));
        let grown = hours(&[], &[span((20, 0), (21, 0))]);
        assert_eq!((grown.start, grown.end), (at(8, 0), at(21, 0)));
    }

    #[test]
    fn breaks_and_out_of_hours_are_not_working_time() {
        let working = [span((9, 0), (13, 0)), span((14, 0), (18, 0))];
        assert!(is_working(&working, at(9, 0)));
        assert!(is_working(&working, at(12, 45)));
        assert!(!is_working(&working, at(13, 0)), "the break");
        assert!(!is_working(&working, at(13, 45)));
        assert!(is_working(&working, at(14, 0)));
        assert!(!is_working(&working, at(8, 45)) && !is_working(&working, at(18, 0)));
    }

    #[test]
    fn bookings_that_do_not_overlap_each_take_the_whole_width() {
        let placed = clusters(&[span((10, 0), (11, 0)), span((9, 0), (10, 0))]);
        assert_eq!(placed.len(), 2, "touching is not overlapping");
        assert_eq!(placed[0].span, span((9, 0), (10, 0)), "by start");
        assert!(placed.iter().all(|c| c.lanes == 1 && c.members.len() == 1 && c.members[0].lane == 0));
        assert_eq!(placed[0].members[0].index, 1);
    }

    #[test]
    fn overlapping_bookings_sit_side_by_side() {
        // 09:00–10:00 and 09:30–10:30 overlap; 10:00–10:30 fits under the
        // first; 10:30–11:00 touches the end of the cluster; 12:00 alone.
        let spans = [
            span((9, 0), (10, 0)),
            span((9, 30), (10, 30)),
            span((10, 0), (10, 30)),
            span((10, 30), (11, 0)),
            span((12, 0), (12, 30)),
        ];
        let placed = clusters(&spans);
        assert_eq!(placed.len(), 3);
        let first = &placed[0];
        assert_eq!((first.span, first.lanes), (span((9, 0), (10, 30)), 2));
        let lanes: Vec<(usize, usize)> = first.members.iter().map(|p| (p.index, p.lane)).collect();
        assert_eq!(lanes, [(0, 0), (1, 1), (2, 0)], "the third reuses the first lane");
        assert_eq!((placed[1].lanes, placed[2].lanes), (1, 1));
        // Never two in one lane at the same time.
        for cluster in &placed {
            for a in &cluster.members {
                for b in &cluster.members {
                    let overlap = a.span.start < b.span.end && b.span.start < a.span.end;
                    assert!(a.index == b.index || a.lane != b.lane || !overlap, "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn three_at_once_make_three_lanes_and_odd_minutes_round_to_quarters() {
        let spans = [span((9, 0), (9, 30)), span((9, 0), (10, 0)), span((9, 10), (9, 20))];
        let placed = clusters(&spans);
        assert_eq!(placed.len(), 1);
        assert_eq!(placed[0].lanes, 3);
        let by_index = |i: usize| placed[0].members.iter().find(|p| p.index == i).copied().expect("placed");
        assert_eq!(by_index(1).lane, 0, "the longer of two starting together goes first");
        assert_eq!(by_index(2).span, span((9, 0), (9, 30)), "09:10–09:20 fills its quarters");
        // 10:05–10:05 (nothing) still takes one row.
        let empty = clusters(&[Span::new(at(10, 5), at(10, 5))]);
        assert_eq!(empty[0].span, span((10, 0), (10, 15)));
    }
}
