//! Reading an agenda from a request body: `{"monday": [["09:00", "13:00"],
//! ["14:00", "18:00"]], …, "days_off": ["2026-09-18"]}`. Absent weekdays
//! have no hours.

use std::collections::BTreeSet;

use ficha_domain::agenda::{WEEK, weekday_name};
use ficha_domain::{Agenda, DayHours, FieldError, TimeRange};
use jiff::civil::Date;
use serde_json::Value;

use crate::input::{JsonObject, Problems};
use crate::problem::{ApiError, FieldProblemKind};

pub const WRITABLE: &[&str] =
    &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "days_off"];
pub const READ_ONLY: &[&str] = &["professional_id", "time_zone"];

fn day(problems: &mut Problems, field: &str, value: Option<&Value>) -> Option<DayHours> {
    let items = match value {
        None => return Some(DayHours::default()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.push(field, FieldProblemKind::NotAList);
            return None;
        }
    };
    let mut ranges = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let name = format!("{field}[{i}]");
        let pair = item.as_array().filter(|pair| pair.len() == 2);
        let range = match pair.map(|pair| (pair[0].as_str(), pair[1].as_str())) {
            Some((Some(start), Some(end))) => TimeRange::parse(start, end),
            _ => Err(FieldError::TimeFormat),
        };
        ranges.push(problems.take(&name, range)?);
    }
    problems.take(field, DayHours::new(ranges))
}

/// Days off: a list of ISO dates between 1900 and 2100, or absent (none).
/// `null` is refused, as the schema says: a list.
fn days_off(problems: &mut Problems, value: Option<&Value>) -> Option<BTreeSet<Date>> {
    let items = match value {
        None => return Some(BTreeSet::new()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.push("days_off", FieldProblemKind::NotAList);
            return None;
        }
    };
    let mut dates = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let date = item.as_str().ok_or(FieldError::DateFormat).and_then(ficha_domain::dates::parse_iso_in_range);
        dates.insert(problems.take(&format!("days_off[{i}]"), date)?);
    }
    Some(dates)
}

pub fn agenda(body: &JsonObject) -> Result<Agenda, ApiError> {
    let mut problems = Problems(body.check_fields(WRITABLE, READ_ONLY));
    let mut weekly: [DayHours; 7] = Default::default();
    let mut complete = true;
    for (slot, weekday) in weekly.iter_mut().zip(WEEK) {
        let field = weekday_name(weekday);
        match day(&mut problems, field, body.get(field)) {
            Some(hours) => *slot = hours,
            None => complete = false,
        }
    }
    let days_off = days_off(&mut problems, body.get("days_off"));
    let agenda = match days_off {
        Some(days_off) if complete => problems.take("days_off", Agenda::new(weekly, days_off)),
        _ => None,
    };
    problems.finish(agenda)
}
