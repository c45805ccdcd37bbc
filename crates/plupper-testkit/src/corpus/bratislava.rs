//! Wall-clock time in Europe/Bratislava and Java's `Date.toString()` text for it.
//!
//! The zone is CET (+01:00) in winter and CEST (+02:00) in summer by the EU rule: summer
//! time runs from the last Sunday of March 01:00 UTC to the last Sunday of October
//! 01:00 UTC. The rule is applied to every year; it is Slovakia's actual rule from 1996 on,
//! which covers the years the corpus is meant for. Written by hand so the generator needs
//! no time-zone database, and so it stays an independent check of the archive's own
//! date code.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, Timelike, Utc, Weekday};

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The zone in force in Bratislava at an instant: its abbreviation and UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BratislavaZone {
    /// `CET` or `CEST`, as Java prints it.
    pub abbreviation: &'static str,
    /// Seconds east of UTC: 3600 or 7200.
    pub offset_seconds: i32,
}

/// The zone in force in Bratislava at `at`.
pub fn zone_at(at: DateTime<Utc>) -> BratislavaZone {
    if is_summer_time(at.naive_utc()) {
        BratislavaZone {
            abbreviation: "CEST",
            offset_seconds: 7200,
        }
    } else {
        BratislavaZone {
            abbreviation: "CET",
            offset_seconds: 3600,
        }
    }
}

/// The wall-clock date and time in Bratislava at `at`.
pub fn local_time(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc() + TimeDelta::seconds(i64::from(zone_at(at).offset_seconds))
}

/// `at` as Java's `Date.toString()` prints it in Europe/Bratislava:
/// `EEE MMM dd HH:mm:ss zzz yyyy`, e.g. `Wed Apr 29 17:16:13 CEST 2009`.
pub fn java_date(at: DateTime<Utc>) -> String {
    let zone = zone_at(at);
    let local = at.naive_utc() + TimeDelta::seconds(i64::from(zone.offset_seconds));
    format!(
        "{} {} {:02} {:02}:{:02}:{:02} {} {:04}",
        WEEKDAYS[local.weekday().num_days_from_monday() as usize],
        MONTHS[local.month0() as usize],
        local.day(),
        local.hour(),
        local.minute(),
        local.second(),
        zone.abbreviation,
        local.year(),
    )
}

/// Whether EU summer time is in force at the UTC wall clock `utc`.
fn is_summer_time(utc: NaiveDateTime) -> bool {
    let year = utc.year();
    let starts = last_sunday(year, 3).and_hms_opt(1, 0, 0);
    let ends = last_sunday(year, 10).and_hms_opt(1, 0, 0);
    match (starts, ends) {
        (Some(starts), Some(ends)) => starts <= utc && utc < ends,
        _ => false,
    }
}

/// The last Sunday of `month` (March or October here) in `year`.
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    // Both months have 31 days, and chrono's supported years always have them.
    let last_day = NaiveDate::from_ymd_opt(year, month, 31).unwrap_or(NaiveDate::MIN);
    let back = last_day.weekday().num_days_from_sunday();
    last_day - TimeDelta::days(i64::from(back))
}

/// Whether `date` is a Saturday or a Sunday.
pub(super) fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").expect("test date");
        naive.and_utc()
    }

    #[test]
    fn formats_the_contract_example() {
        assert_eq!(
            java_date(utc("2009-04-29 15:16:13")),
            "Wed Apr 29 17:16:13 CEST 2009"
        );
    }

    #[test]
    fn winter_is_cet_with_zero_padded_day() {
        assert_eq!(
            java_date(utc("2010-01-05 08:03:09")),
            "Tue Jan 05 09:03:09 CET 2010"
        );
    }

    #[test]
    fn summer_time_starts_on_last_sunday_of_march_at_one_utc() {
        assert_eq!(
            last_sunday(2009, 3),
            NaiveDate::from_ymd_opt(2009, 3, 29).expect("date")
        );
        assert_eq!(
            java_date(utc("2009-03-29 00:59:59")),
            "Sun Mar 29 01:59:59 CET 2009"
        );
        assert_eq!(
            java_date(utc("2009-03-29 01:00:00")),
            "Sun Mar 29 03:00:00 CEST 2009"
        );
    }

    #[test]
    fn summer_time_ends_on_last_sunday_of_october_at_one_utc() {
        assert_eq!(
            last_sunday(2009, 10),
            NaiveDate::from_ymd_opt(2009, 10, 25).expect("date")
        );
        assert_eq!(
            java_date(utc("2009-10-25 00:59:59")),
            "Sun Oct 25 02:59:59 CEST 2009"
        );
        // The wall clock goes back: 02:00 to 03:00 happens twice.
        assert_eq!(
            java_date(utc("2009-10-25 01:00:00")),
            "Sun Oct 25 02:00:00 CET 2009"
        );
    }

    #[test]
    fn transitions_in_other_years() {
        // 2008: Mar 30 and Oct 26; 2012: Mar 25 and Oct 28 (a month whose 31st is a Sunday
        // in 2013 is checked too).
        assert_eq!(zone_at(utc("2008-03-30 00:59:59")).abbreviation, "CET");
        assert_eq!(zone_at(utc("2008-03-30 01:00:00")).abbreviation, "CEST");
        assert_eq!(zone_at(utc("2012-10-28 00:59:59")).abbreviation, "CEST");
        assert_eq!(zone_at(utc("2012-10-28 01:00:00")).abbreviation, "CET");
        assert_eq!(
            last_sunday(2013, 3),
            NaiveDate::from_ymd_opt(2013, 3, 31).expect("date")
        );
    }

    #[test]
    fn local_year_follows_the_wall_clock() {
        let new_year = local_time(utc("2009-12-31 23:30:00"));
        assert_eq!(new_year.year(), 2010);
        assert_eq!(
            java_date(utc("2009-12-31 23:30:00")),
            "Fri Jan 01 00:30:00 CET 2010"
        );
    }
}
