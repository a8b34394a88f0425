//! Times as the client reads them: `dd-mm-aaaa HH:MM` (24 h) on the wall
//! clock of the business's zone, like the panel shows them.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The business's zone; UTC should a stored name ever stop resolving (the
/// same fallback as the store's booking rules), so a message still goes.
pub fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// `10-12-2026 10:00` for `at` in `zone`.
pub fn local(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone()).strftime("%d-%m-%Y %H:%M").to_string()
}

/// What a booking without a time (a pack session still to schedule) shows.
pub const UNSCHEDULED: &str = "por agendar";

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("valid timestamp")
    }

    #[test]
    fn santiago_in_summer_and_winter() {
        let santiago = zone("America/Santiago");
        // December: summer time, UTC−3.
        assert_eq!(local(at("2026-12-10T13:00:00Z"), &santiago), "10-12-2026 10:00");
        // July: standard time, UTC−4.
        assert_eq!(local(at("2026-07-10T13:00:00Z"), &santiago), "10-07-2026 09:00");
    }

    #[test]
    fn across_santiagos_spring_forward() {
        // Clocks went from 24:00 on Saturday 05-09-2026 to 01:00 on Sunday:
        // one UTC hour apart, the wall clock jumps two.
        let santiago = zone("America/Santiago");
        assert_eq!(local(at("2026-09-06T03:30:00Z"), &santiago), "05-09-2026 23:30");
        assert_eq!(local(at("2026-09-06T04:30:00Z"), &santiago), "06-09-2026 01:30");
    }

    #[test]
    fn across_santiagos_fall_back() {
        // 05-04-2026 00:00 went back to 04-04-2026 23:00: 23:30 happens twice.
        let santiago = zone("America/Santiago");
        assert_eq!(local(at("2026-04-05T02:30:00Z"), &santiago), "04-04-2026 23:30");
        assert_eq!(local(at("2026-04-05T03:30:00Z"), &santiago), "04-04-2026 23:30");
        assert_eq!(local(at("2026-04-05T04:30:00Z"), &santiago), "05-04-2026 00:30");
    }

    #[test]
    fn an_unknown_zone_reads_as_utc() {
        assert_eq!(local(at("2026-12-10T13:00:00Z"), &zone("Mars/Olympus")), "10-12-2026 13:00");
    }
}
