//! When chats happen: the relative traffic of every hour of the corpus's time range.
//!
//! An hour's weight is the product of an hour-of-day curve (a working-day curve peaking
//! 9–16, a flatter and lower one for weekends and public holidays), a day factor for
//! holidays, and a slow growth of the business over the range. Session start times are
//! placed by walking this piecewise-constant density forward with [`TrafficCursor`],
//! which keeps the walk in constant memory however long the range is.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

use super::bratislava::{is_weekend, local_time};

/// Relative traffic per local hour on a working day.
const WORKDAY: [f64; 24] = [
    0.40, 0.25, 0.15, 0.12, 0.12, 0.20, 0.60, 2.00, 6.00, 9.00, 10.0, 9.50, //
    7.00, 8.50, 9.50, 9.00, 8.00, 6.00, 3.50, 2.60, 2.20, 1.80, 1.20, 0.70,
];

/// Relative traffic per local hour on a weekend day or a public holiday.
const RESTDAY: [f64; 24] = [
    0.50, 0.35, 0.20, 0.15, 0.12, 0.15, 0.25, 0.50, 1.00, 1.60, 2.00, 2.20, //
    2.00, 2.00, 2.10, 2.00, 1.90, 1.80, 1.70, 1.60, 1.50, 1.30, 1.00, 0.70,
];

/// Slovak public holidays (month, day) and how much of a normal day's traffic they get.
const HOLIDAYS: [(u32, u32, f64); 14] = [
    (1, 1, 0.3),
    (1, 6, 0.6),
    (5, 1, 0.6),
    (5, 8, 0.6),
    (7, 5, 0.6),
    (8, 29, 0.6),
    (9, 1, 0.6),
    (9, 15, 0.6),
    (11, 1, 0.6),
    (11, 17, 0.6),
    (12, 24, 0.4),
    (12, 25, 0.3),
    (12, 26, 0.4),
    (12, 31, 0.5),
];

/// Traffic grows by this fraction of the first year's level per year of the range.
const GROWTH_PER_YEAR: f64 = 0.3;

const HOURS_PER_YEAR: f64 = 24.0 * 365.2425;

/// The hours of a time range (whole UTC hours, which are whole local hours too) with
/// their traffic weights.
#[derive(Debug, Clone)]
pub(super) struct Traffic {
    /// The first hour, in hours since the Unix epoch.
    first_hour: i64,
    /// How many hours the range has.
    hours: i64,
    /// The sum of all hours' weights, summed in order (the cursor relies on the order).
    total: f64,
}

impl Traffic {
    /// The hours from `start` (inclusive) to `end` (exclusive), both on whole hours.
    pub(super) fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        let first_hour = start.timestamp().div_euclid(3600);
        let hours = (end.timestamp().div_euclid(3600) - first_hour).max(1);
        let mut traffic = Self {
            first_hour,
            hours,
            total: 0.0,
        };
        let mut total = 0.0;
        for hour in 0..hours {
            total += traffic.weight(hour);
        }
        traffic.total = total;
        traffic
    }

    /// The sum of all weights: positions handed to the cursor lie in `[0, total)`.
    pub(super) fn total(&self) -> f64 {
        self.total
    }

    /// A cursor at the start of the range.
    pub(super) fn cursor(&self) -> TrafficCursor {
        TrafficCursor {
            hour: 0,
            before: 0.0,
            weight: self.weight(0),
        }
    }

    /// The weight of the range's `hour`-th hour.
    fn weight(&self, hour: i64) -> f64 {
        let at = DateTime::from_timestamp((self.first_hour + hour) * 3600, 0).unwrap_or_default();
        let local = local_time(at);
        let date = local.date();
        let holiday = holiday_factor(date);
        let curve = if holiday < 1.0 || is_weekend(date) {
            &RESTDAY
        } else {
            &WORKDAY
        };
        let growth = 1.0 + GROWTH_PER_YEAR * hour as f64 / HOURS_PER_YEAR;
        curve[local.hour() as usize] * holiday * growth
    }
}

/// How much of a normal day's traffic `date` gets.
fn holiday_factor(date: NaiveDate) -> f64 {
    HOLIDAYS
        .iter()
        .find(|(month, day, _)| *month == date.month() && *day == date.day())
        .map_or(1.0, |(_, _, factor)| *factor)
}

/// A forward-only position in a [`Traffic`] range: maps increasing positions in weight
/// space to increasing instants.
#[derive(Debug, Clone)]
pub(super) struct TrafficCursor {
    hour: i64,
    /// Sum of the weights of the hours before `hour`.
    before: f64,
    /// Weight of `hour`.
    weight: f64,
}

impl TrafficCursor {
    /// The instant (Unix seconds) at weight position `position`. Positions must not
    /// decrease from one call to the next.
    pub(super) fn locate(&mut self, traffic: &Traffic, position: f64) -> i64 {
        while self.before + self.weight <= position && self.hour + 1 < traffic.hours {
            self.before += self.weight;
            self.hour += 1;
            self.weight = traffic.weight(self.hour);
        }
        let fraction = ((position - self.before) / self.weight).clamp(0.0, 1.0);
        let second = ((fraction * 3600.0) as i64).min(3599);
        (traffic.first_hour + self.hour) * 3600 + second
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    fn utc(text: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
            .expect("test date")
            .and_utc()
    }

    #[test]
    fn working_hours_outweigh_nights_and_weekends() {
        // 2009-04-27 is a Monday (CEST, so local = UTC + 2).
        let traffic = Traffic::new(utc("2009-04-26 22:00:00"), utc("2009-05-04 22:00:00"));
        let monday_10 = traffic.weight(10);
        let monday_03 = traffic.weight(3);
        let saturday_10 = traffic.weight(5 * 24 + 10);
        assert!(monday_10 > 10.0 * monday_03);
        assert!(monday_10 > 3.0 * saturday_10);
    }

    #[test]
    fn cursor_is_monotone_and_stays_in_range() {
        let start = utc("2008-12-31 23:00:00");
        let end = utc("2009-12-31 15:00:00");
        let traffic = Traffic::new(start, end);
        let mut cursor = traffic.cursor();
        let mut last = start.timestamp();
        for step in 0..1000 {
            let position = traffic.total() * f64::from(step) / 1000.0;
            let at = cursor.locate(&traffic, position);
            assert!(at >= last);
            assert!(at < end.timestamp());
            last = at;
        }
    }
}
