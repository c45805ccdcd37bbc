//! Java `Date.toString()` timestamps, as the API writes them in `created`.
//!
//! The format is `EEE MMM dd HH:mm:ss zzz yyyy` with English names, e.g.
//! `Wed Apr 29 17:16:13 CEST 2009`. The calendar date and the wall clock are read from
//! the text itself; the zone abbreviation is mapped to a UTC offset by [`ZONE_TABLE`]
//! to find the instant used for ordering.
//!
//! # The zone table
//!
//! | abbreviation | offset | | abbreviation | offset |
//! |---|---|---|---|---|
//! | `GMT`, `UTC`, `UT`, `WET`, `Z` | +00:00 | | `EST` | −05:00 |
//! | `CET`, `MET`, `WAT` | +01:00 | | `EDT` | −04:00 |
//! | `CEST`, `MEST`, `EET`, `CAT`, `SAST` | +02:00 | | `CDT` is ambiguous (US −05:00, Cuba −04:00) | unknown |
//! | `WEST`, `BST` | +01:00 | | `MST` | −07:00 |
//! | `EEST`, `EAT` | +03:00 | | `MDT` | −06:00 |
//! | `AWST`, `HKT`, `SGT` | +08:00 | | `PST` | −08:00 |
//! | `JST`, `KST` | +09:00 | | `PDT` | −07:00 |
//! | `ACST` | +09:30 | | `AKST` | −09:00 |
//! | `AEST` | +10:00 | | `AKDT` | −08:00 |
//! | `ACDT` | +10:30 | | `HST` | −10:00 |
//! | `AEDT` | +11:00 | | `NZST` | +12:00 |
//! | | | | `NZDT` | +13:00 |
//!
//! `GMT+hh:mm` / `GMT-hh:mm` (Java's form for a zone without an abbreviation; also accepted
//! as `GMT+h`, `GMT+hh`, `GMT+hhmm`, and with `UTC` in place of `GMT`) give their own offset.
//!
//! `CST` and `IST` (each used by Java for several offsets: US Central, China, Cuba; India,
//! Ireland, Israel), `AST` (Atlantic or Arabia), `MSK` (+03:00 or +04:00 depending on the
//! year), `CDT`, and every abbreviation not in the table leave the instant **unknown**: the
//! message is archived, its wall clock kept, and it sorts by its wall clock read as UTC.
//!
//! The weekday is not checked against the date: a mismatch is reported by
//! [`JavaDate::weekday_matches`] (a warning), and the written date stands. An impossible
//! date or time (`Apr 31`, `25:00:00`) is an error.

use std::borrow::Cow;
use std::cell::RefCell;

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday,
};

/// Zone abbreviations with one well-defined UTC offset, in seconds east of UTC.
///
/// See the module documentation for the abbreviations deliberately left out.
pub const ZONE_TABLE: &[(&str, i32)] = &[
    ("GMT", 0),
    ("UTC", 0),
    ("UT", 0),
    ("Z", 0),
    ("WET", 0),
    ("CET", 3600),
    ("MET", 3600),
    ("WAT", 3600),
    ("WEST", 3600),
    ("BST", 3600),
    ("CEST", 7200),
    ("MEST", 7200),
    ("EET", 7200),
    ("CAT", 7200),
    ("SAST", 7200),
    ("EEST", 10800),
    ("EAT", 10800),
    ("AWST", 8 * 3600),
    ("HKT", 8 * 3600),
    ("SGT", 8 * 3600),
    ("JST", 9 * 3600),
    ("KST", 9 * 3600),
    ("ACST", 9 * 3600 + 1800),
    ("AEST", 10 * 3600),
    ("ACDT", 10 * 3600 + 1800),
    ("AEDT", 11 * 3600),
    ("NZST", 12 * 3600),
    ("NZDT", 13 * 3600),
    ("EST", -5 * 3600),
    ("EDT", -4 * 3600),
    ("MST", -7 * 3600),
    ("MDT", -6 * 3600),
    ("PST", -8 * 3600),
    ("PDT", -7 * 3600),
    ("AKST", -9 * 3600),
    ("AKDT", -8 * 3600),
    ("HST", -10 * 3600),
];

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("Mon", Weekday::Mon),
    ("Tue", Weekday::Tue),
    ("Wed", Weekday::Wed),
    ("Thu", Weekday::Thu),
    ("Fri", Weekday::Fri),
    ("Sat", Weekday::Sat),
    ("Sun", Weekday::Sun),
];

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The time zone written in a Java date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Zone {
    /// A zone with one known offset (from the table, or written as `GMT+hh:mm`).
    Known {
        /// The zone as written (the table's own name when it is there: no allocation
        /// per message read).
        written: Cow<'static, str>,
        /// Its offset from UTC.
        offset: FixedOffset,
    },
    /// An ambiguous or unknown abbreviation: the instant is unknown.
    Unknown {
        /// The zone as written.
        written: Cow<'static, str>,
    },
}

impl Zone {
    /// Reads a zone as Java writes it.
    pub fn parse(written: &str) -> Zone {
        let listed = ZONE_TABLE.iter().find(|(name, _)| *name == written);
        let offset = listed
            .map(|&(_, seconds)| seconds)
            .or_else(|| parse_gmt_offset(written))
            .and_then(FixedOffset::east_opt);
        let written = match listed {
            Some(&(name, _)) => Cow::Borrowed(name),
            None => Cow::Owned(written.to_owned()),
        };
        match offset {
            Some(offset) => Zone::Known { written, offset },
            None => Zone::Unknown { written },
        }
    }

    /// The zone as written.
    pub fn written(&self) -> &str {
        match self {
            Zone::Known { written, .. } | Zone::Unknown { written } => written,
        }
    }

    /// The offset, when the zone is known.
    pub fn offset(&self) -> Option<FixedOffset> {
        match self {
            Zone::Known { offset, .. } => Some(*offset),
            Zone::Unknown { .. } => None,
        }
    }
}

/// `GMT+02:00`, `GMT-5`, `UTC+0530` and the like, in seconds east of UTC.
fn parse_gmt_offset(written: &str) -> Option<i32> {
    let rest = written
        .strip_prefix("GMT")
        .or_else(|| written.strip_prefix("UTC"))?;
    let (sign, rest) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let (hours, minutes) = match rest.split_once(':') {
        Some((h, m)) if m.len() == 2 => (h, m),
        Some(_) => return None,
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "0"),
    };
    if hours.is_empty() || hours.len() > 2 {
        return None;
    }
    let hours: i32 = parse_digits(hours)?;
    let minutes: i32 = parse_digits(minutes)?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60))
}

fn parse_digits<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Why a `created` text is not a Java date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The text does not have the shape `EEE MMM dd HH:mm:ss zzz yyyy`.
    #[error("`{0}` is not a Java date (expected `EEE MMM dd HH:mm:ss zzz yyyy`)")]
    Malformed(String),
    /// The shape is right but the date does not exist (`Apr 31`).
    #[error("`{0}` names a day that does not exist")]
    NoSuchDay(String),
    /// The shape is right but the time does not exist (`25:00:00`).
    #[error("`{0}` names a time that does not exist")]
    NoSuchTime(String),
}

/// A parsed Java `Date.toString()` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaDate {
    weekday: Weekday,
    wall_clock: NaiveDateTime,
    zone: Zone,
}

impl JavaDate {
    /// Parses `EEE MMM dd HH:mm:ss zzz yyyy`.
    pub fn parse(text: &str) -> Result<JavaDate, DateError> {
        let malformed = || DateError::Malformed(text.to_owned());
        let mut parts = text.split(' ');
        let mut next = || parts.next().ok_or_else(malformed);
        let (weekday, month, day, time, zone, year) =
            (next()?, next()?, next()?, next()?, next()?, next()?);
        if parts.next().is_some() {
            return Err(malformed());
        }
        let weekday = WEEKDAYS
            .iter()
            .find(|(name, _)| *name == weekday)
            .ok_or_else(malformed)?
            .1;
        let month = MONTHS
            .iter()
            .position(|name| *name == month)
            .ok_or_else(malformed)? as u32
            + 1;
        let day: u32 = (day.len() <= 2)
            .then(|| parse_digits(day))
            .flatten()
            .ok_or_else(malformed)?;
        let year: i32 = (year.len() <= 6)
            .then(|| parse_digits(year))
            .flatten()
            .ok_or_else(malformed)?;
        let (hour, minute, second) = parse_clock(time).ok_or_else(malformed)?;
        if zone.is_empty() {
            return Err(malformed());
        }
        let date = NaiveDate::from_ymd_opt(year, month, day)
            .ok_or_else(|| DateError::NoSuchDay(text.to_owned()))?;
        let time = NaiveTime::from_hms_opt(hour, minute, second)
            .ok_or_else(|| DateError::NoSuchTime(text.to_owned()))?;
        Ok(JavaDate {
            weekday,
            wall_clock: date.and_time(time),
            zone: Zone::parse(zone),
        })
    }

    /// The calendar date as written (what the `from`/`to` filters compare).
    pub fn written_date(&self) -> NaiveDate {
        self.wall_clock.date()
    }

    /// The wall-clock date and time as written.
    pub fn wall_clock(&self) -> NaiveDateTime {
        self.wall_clock
    }

    /// The zone as written and, when known, its offset.
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// The instant, when the zone is known.
    pub fn instant(&self) -> Option<DateTime<FixedOffset>> {
        let offset = self.zone.offset()?;
        self.wall_clock.and_local_timezone(offset).single()
    }

    /// Seconds since the Unix epoch used to order messages: the instant when it is known,
    /// otherwise the wall clock read as UTC (contract §5).
    pub fn sort_key(&self) -> i64 {
        match self.instant() {
            Some(instant) => instant.timestamp(),
            None => self.wall_clock.and_utc().timestamp(),
        }
    }

    /// Whether the written weekday is the date's real weekday.
    pub fn weekday_matches(&self) -> bool {
        self.weekday == self.wall_clock.weekday()
    }
}

fn parse_clock(time: &str) -> Option<(u32, u32, u32)> {
    let bytes = time.as_bytes();
    if bytes.len() != 8 || bytes[2] != b':' || bytes[5] != b':' {
        return None;
    }
    Some((
        parse_digits(&time[0..2])?,
        parse_digits(&time[3..5])?,
        parse_digits(&time[6..8])?,
    ))
}

/// Writes a date as Java's `Date.toString()` would for the given zone text.
///
/// The inverse of [`JavaDate::parse`] for a date Java itself wrote (the weekday the
/// date's own): the store keeps only the zone of a `created` this gives back byte for
/// byte, and writes the rest again when it reads the message.
///
/// ```
/// use chrono::NaiveDate;
/// use plupper_model::date::format_java_date;
///
/// let clock = NaiveDate::from_ymd_opt(2009, 4, 29).unwrap().and_hms_opt(17, 16, 13).unwrap();
/// assert_eq!(format_java_date(clock, "CEST"), "Wed Apr 29 17:16:13 CEST 2009");
/// ```
pub fn format_java_date(wall_clock: NaiveDateTime, zone: &str) -> String {
    let mut out = String::with_capacity(JAVA_DATE_LEN_WITHOUT_ZONE + zone.len());
    write_java_date(&mut out, wall_clock, zone);
    out
}

/// Whether `text` is [`format_java_date`]'s text for this wall clock and zone, decided
/// without an allocation per call (an import asks once per element).
pub fn is_java_date(wall_clock: NaiveDateTime, zone: &str, text: &str) -> bool {
    thread_local! {
        static BUFFER: RefCell<String> = const { RefCell::new(String::new()) };
    }
    BUFFER.with_borrow_mut(|out| {
        out.clear();
        write_java_date(out, wall_clock, zone);
        let same = out == text;
        // A zone as long as a message's `created` may be is not kept for the thread's life.
        if out.capacity() > 256 {
            *out = String::new();
        }
        same
    })
}

/// `Www Mmm dd hh:mm:ss ` and ` yyyy`: the length of a Java date of a four-digit year
/// but for its zone.
const JAVA_DATE_LEN_WITHOUT_ZONE: usize = 25;

/// [`format_java_date`], appended to `out` (a listing writes a date per message, so this
/// avoids the formatting machinery and an allocation).
pub fn write_java_date(out: &mut String, wall_clock: NaiveDateTime, zone: &str) {
    // `Www Mmm dd hh:mm:ss `, then the zone, then the year: ASCII built in place (a
    // listing writes one per message; pushing char by char cost five times as much).
    let mut head = *b"Www Mmm dd hh:mm:ss ";
    head[0..3].copy_from_slice(
        WEEKDAYS[wall_clock.weekday().num_days_from_monday() as usize]
            .0
            .as_bytes(),
    );
    head[4..7].copy_from_slice(MONTHS[wall_clock.month0() as usize].as_bytes());
    for (at, n) in [
        (8, wall_clock.day()),
        (11, wall_clock.hour()),
        (14, wall_clock.minute()),
        (17, wall_clock.second()),
    ] {
        head[at] = b'0' + (n / 10 % 10) as u8;
        head[at + 1] = b'0' + (n % 10) as u8;
    }
    out.reserve(JAVA_DATE_LEN_WITHOUT_ZONE + zone.len());
    out.push_str(std::str::from_utf8(&head).unwrap_or_default());
    out.push_str(zone);
    out.push(' ');
    let year = wall_clock.year();
    if (1000..10_000).contains(&year) {
        let digits = [
            b'0' + (year / 1000) as u8,
            b'0' + (year / 100 % 10) as u8,
            b'0' + (year / 10 % 10) as u8,
            b'0' + (year % 10) as u8,
        ];
        out.push_str(std::str::from_utf8(&digits).unwrap_or_default());
    } else {
        out.push_str(&year.to_string());
    }
}

/// An instant as RFC 3339 with its written offset (`2009-04-29T17:16:13+02:00`): what
/// chrono's `to_rfc3339` gives for the wall clock at that offset, built in place (a
/// listing writes one per message).
///
/// ```
/// use chrono::{FixedOffset, NaiveDate};
/// use plupper_model::date::format_rfc3339;
///
/// let clock = NaiveDate::from_ymd_opt(2009, 4, 29).unwrap().and_hms_opt(17, 16, 13).unwrap();
/// let cest = FixedOffset::east_opt(7200).unwrap();
/// assert_eq!(format_rfc3339(clock, cest), "2009-04-29T17:16:13+02:00");
/// ```
pub fn format_rfc3339(wall_clock: NaiveDateTime, offset: FixedOffset) -> String {
    let mut out = Vec::with_capacity(RFC3339_LEN);
    write_rfc3339(&mut out, wall_clock, offset);
    String::from_utf8(out).unwrap_or_default()
}

/// `yyyy-mm-ddThh:mm:ss+hh:mm`: the length of an RFC 3339 instant of a four-digit year
/// at a whole-minute offset.
const RFC3339_LEN: usize = 25;

/// [`format_rfc3339`], appended to `out` (a listing writes one per message straight into
/// its line).
pub fn write_rfc3339(out: &mut Vec<u8>, wall_clock: NaiveDateTime, offset: FixedOffset) {
    let seconds = offset.local_minus_utc();
    if !(0..10_000).contains(&wall_clock.year()) || seconds % 60 != 0 {
        if let Some(instant) = wall_clock.and_local_timezone(offset).single() {
            out.extend_from_slice(instant.to_rfc3339().as_bytes());
        }
        return;
    }
    let mut text = *b"0000-00-00T00:00:00+00:00";
    let minutes = seconds.unsigned_abs() / 60;
    if seconds < 0 {
        text[19] = b'-';
    }
    let year = wall_clock.year() as u32;
    for (at, n) in [
        (0, year / 100),
        (2, year % 100),
        (5, wall_clock.month()),
        (8, wall_clock.day()),
        (11, wall_clock.hour()),
        (14, wall_clock.minute()),
        (17, wall_clock.second()),
        (20, minutes / 60),
        (23, minutes % 60),
    ] {
        text[at] = b'0' + (n / 10 % 10) as u8;
        text[at + 1] = b'0' + (n % 10) as u8;
    }
    out.extend_from_slice(&text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(text: &str) -> JavaDate {
        JavaDate::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn formats_as_java_does() {
        let clock = |y, mo, d, h, mi, s| {
            NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_opt(h, mi, s)
                .unwrap()
        };
        assert_eq!(
            format_java_date(clock(2010, 3, 1, 8, 5, 9), "CET"),
            "Mon Mar 01 08:05:09 CET 2010"
        );
        // Java writes the year without padding: chrono's `%Y` pads to four digits.
        let by_chrono = |c: NaiveDateTime, zone: &str| {
            format!("{} {zone} {}", c.format("%a %b %d %H:%M:%S"), c.year())
        };
        for c in [clock(999, 12, 31, 23, 59, 59), clock(12345, 1, 1, 0, 0, 0)] {
            assert_eq!(format_java_date(c, "GMT+01:00"), by_chrono(c, "GMT+01:00"));
        }
    }

    proptest! {
        #[test]
        fn rfc3339_is_chronos(
            seconds in -62_000_000_000i64..250_000_000_000,
            // Whole minutes (every zone the table knows), and any second (chrono's path).
            offset in prop_oneof![(-840i32..=840).prop_map(|m| m * 60), -50_400i32..=50_400],
        ) {
            let clock = DateTime::from_timestamp(seconds, 0).unwrap().naive_utc();
            let offset = FixedOffset::east_opt(offset).unwrap();
            let by_chrono = clock
                .and_local_timezone(offset)
                .single()
                .map(|instant| instant.to_rfc3339())
                .unwrap_or_default();
            prop_assert_eq!(format_rfc3339(clock, offset), by_chrono);
        }

        #[test]
        fn formatting_is_chronos_and_parses_back(seconds in -62_000_000_000i64..250_000_000_000) {
            let clock = DateTime::from_timestamp(seconds, 0).unwrap().naive_utc();
            let text = format_java_date(clock, "CEST");
            let expected = format!("{} CEST {}", clock.format("%a %b %d %H:%M:%S"), clock.year());
            prop_assert_eq!(&text, &expected);
            if clock.year() >= 0 {
                let parsed = JavaDate::parse(&text).unwrap();
                prop_assert_eq!(parsed.wall_clock(), clock);
                prop_assert!(parsed.weekday_matches());
            }
        }
    }

    #[test]
    fn reads_the_api_example() {
        let date = parse("Wed Apr 29 17:16:13 CEST 2009");
        assert_eq!(
            date.written_date(),
            NaiveDate::from_ymd_opt(2009, 4, 29).unwrap()
        );
        assert_eq!(
            date.instant().unwrap().to_rfc3339(),
            "2009-04-29T17:16:13+02:00"
        );
        assert!(date.weekday_matches());
        assert_eq!(date.zone().written(), "CEST");
    }

    #[test]
    fn contract_zone_table() {
        let cases = [
            ("CET", "+01:00"),
            ("CEST", "+02:00"),
            ("GMT", "+00:00"),
            ("UTC", "+00:00"),
            ("WET", "+00:00"),
            ("WEST", "+01:00"),
            ("BST", "+01:00"),
            ("EET", "+02:00"),
            ("EEST", "+03:00"),
            ("EST", "-05:00"),
            ("EDT", "-04:00"),
            ("PST", "-08:00"),
            ("PDT", "-07:00"),
            ("AEST", "+10:00"),
            ("AEDT", "+11:00"),
            ("GMT+02:00", "+02:00"),
            ("GMT-05:30", "-05:30"),
            ("GMT+0530", "+05:30"),
            ("GMT+5", "+05:00"),
        ];
        for (zone, offset) in cases {
            let date = parse(&format!("Mon Jan 05 10:00:00 {zone} 2009"));
            let instant = date
                .instant()
                .unwrap_or_else(|| panic!("{zone} should be known"));
            assert_eq!(instant.offset().to_string(), offset, "{zone}");
        }
    }

    #[test]
    fn ambiguous_and_unknown_zones_leave_the_instant_unknown() {
        for zone in [
            "CST",
            "IST",
            "MSK",
            "AST",
            "CDT",
            "XYZ",
            "GMT+25:00",
            "GMT+",
            "cet",
        ] {
            let date = parse(&format!("Mon Jan 05 10:00:00 {zone} 2009"));
            assert_eq!(date.instant(), None, "{zone}");
            assert_eq!(date.zone().written(), zone);
            // Sorted by the wall clock read as UTC.
            assert_eq!(date.sort_key(), 1_231_149_600, "{zone}");
        }
    }

    #[test]
    fn a_wrong_weekday_is_kept_and_reported() {
        let date = parse("Mon Apr 29 17:16:13 CEST 2009");
        assert!(!date.weekday_matches());
        assert_eq!(
            date.written_date(),
            NaiveDate::from_ymd_opt(2009, 4, 29).unwrap()
        );
    }

    #[test]
    fn impossible_dates_and_times_are_errors() {
        for text in [
            "Thu Apr 31 10:00:00 CEST 2009",
            "Sun Feb 29 10:00:00 CET 2009",
        ] {
            assert!(
                matches!(JavaDate::parse(text), Err(DateError::NoSuchDay(_))),
                "{text}"
            );
        }
        for text in [
            "Wed Apr 29 25:00:00 CEST 2009",
            "Wed Apr 29 23:60:00 CEST 2009",
            "Wed Apr 29 23:59:60 CEST 2009",
        ] {
            assert!(
                matches!(JavaDate::parse(text), Err(DateError::NoSuchTime(_))),
                "{text}"
            );
        }
    }

    #[test]
    fn malformed_texts_are_errors() {
        for text in [
            "",
            "Wed Apr 29 17:16:13 CEST",
            "Wed Apr 29 17:16:13 CEST 2009 extra",
            "Wed  Apr 29 17:16:13 CEST 2009",
            "wed Apr 29 17:16:13 CEST 2009",
            "Wed April 29 17:16:13 CEST 2009",
            "Wed Apr 029 17:16:13 CEST 2009",
            "Wed Apr 29 17:16 CEST 2009",
            "Wed Apr 29 17:16:1x CEST 2009",
            "Wed Apr 29 17:16:13 CEST 20x9",
            "Wed Apr +9 17:16:13 CEST 2009",
            "2009-04-29T17:16:13+02:00",
        ] {
            assert!(
                matches!(JavaDate::parse(text), Err(DateError::Malformed(_))),
                "{text:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn java_dates_round_trip(
            seconds in -2_000_000_000i64..6_000_000_000,
            zone in prop::sample::select(vec!["CET", "CEST", "GMT", "EST", "PDT", "AEDT", "GMT+05:30", "GMT-03:00", "CST", "MSK"]),
        ) {
            let wall_clock = DateTime::from_timestamp(seconds, 0).unwrap().naive_utc();
            let text = format_java_date(wall_clock, zone);
            prop_assert!(is_java_date(wall_clock, zone, &text));
            prop_assert!(!is_java_date(wall_clock, zone, &text[1..]));
            prop_assert!(!is_java_date(wall_clock + chrono::TimeDelta::seconds(1), zone, &text));
            let date = JavaDate::parse(&text).unwrap();
            prop_assert_eq!(date.wall_clock(), wall_clock);
            prop_assert!(date.weekday_matches());
            prop_assert_eq!(date.zone().written(), zone);
            if let Some(instant) = date.instant() {
                prop_assert_eq!(instant.naive_local(), wall_clock);
                prop_assert_eq!(date.sort_key(), instant.timestamp());
            } else {
                prop_assert_eq!(date.sort_key(), wall_clock.and_utc().timestamp());
            }
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,40}") {
            let _ = JavaDate::parse(&text);
        }
    }
}
