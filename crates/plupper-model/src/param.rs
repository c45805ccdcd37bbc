//! Values of the API's query parameters: dates and integers, read as the original Java
//! service read them.

use chrono::{Datelike, Months, NaiveDate};

/// Why a `from`/`to` value is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiDateError {
    /// Not of the form `MM/DD/YY`, `M/D/YY` or `MM/DD/YYYY`.
    #[error("`{0}` is not a date of the form MM/DD/YY or MM/DD/YYYY")]
    Malformed(String),
    /// The form is right, but no such day exists (`13/01/09`, `02/30/09`).
    #[error("`{0}` is not a day of the calendar")]
    NoSuchDay(String),
    /// A command-line date of none of the forms `YYYY-MM-DD`, `MM/DD/YY`, `M/D/YY` or
    /// `MM/DD/YYYY`.
    #[error("`{0}` is not a date of the form YYYY-MM-DD, MM/DD/YY or MM/DD/YYYY")]
    NotAnyForm(String),
}

/// Reads an API date parameter: `MM/DD/YY`, `M/D/YY`, or a four-digit year `MM/DD/YYYY`
/// (read literally). Month and day take one or two digits.
///
/// A two-digit year takes the century Java's `SimpleDateFormat` gives it: the date falls
/// after the day 80 years before `today` and on or before the day 20 years after `today`.
/// Nothing is rolled over: `13/01/09` and `02/30/09` are errors.
///
/// ```
/// use chrono::NaiveDate;
/// use plupper_model::param::parse_api_date;
///
/// let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
/// assert_eq!(parse_api_date("11/25/46", today), Ok(NaiveDate::from_ymd_opt(2046, 11, 25).unwrap()));
/// assert_eq!(parse_api_date("11/26/46", today), Ok(NaiveDate::from_ymd_opt(1946, 11, 26).unwrap()));
/// assert!(parse_api_date("02/30/09", today).is_err());
/// ```
pub fn parse_api_date(text: &str, today: NaiveDate) -> Result<NaiveDate, ApiDateError> {
    let malformed = || ApiDateError::Malformed(text.to_owned());
    let no_such_day = || ApiDateError::NoSuchDay(text.to_owned());
    let mut parts = text.split('/');
    let (Some(month), Some(day), Some(year), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let month = small_number(month, 1..=2).ok_or_else(malformed)?;
    let day = small_number(day, 1..=2).ok_or_else(malformed)?;
    match year.len() {
        4 => {
            let year = small_number(year, 4..=4).ok_or_else(malformed)? as i32;
            NaiveDate::from_ymd_opt(year, month, day).ok_or_else(no_such_day)
        }
        2 => {
            let year = small_number(year, 2..=2).ok_or_else(malformed)? as i32;
            if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
                return Err(no_such_day());
            }
            two_digit_year(year, month, day, today).ok_or_else(no_such_day)
        }
        _ => Err(malformed()),
    }
}

/// Reads a date given on the command line or in a web page's form: ISO `YYYY-MM-DD`
/// (what every table prints and a browser's date input sends), or any form
/// [`parse_api_date`] reads. The two cannot be confused: ISO uses `-`, the API's forms `/`.
///
/// ```
/// use chrono::NaiveDate;
/// use plupper_model::param::parse_cli_date;
///
/// let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
/// let day = NaiveDate::from_ymd_opt(2009, 4, 29).unwrap();
/// assert_eq!(parse_cli_date("2009-04-29", today), Ok(day));
/// assert_eq!(parse_cli_date("04/29/09", today), Ok(day));
/// assert!(parse_cli_date("2009-02-30", today).is_err());
/// ```
pub fn parse_cli_date(text: &str, today: NaiveDate) -> Result<NaiveDate, ApiDateError> {
    if !text.contains('-') {
        return parse_api_date(text, today).map_err(|error| match error {
            ApiDateError::Malformed(text) => ApiDateError::NotAnyForm(text),
            other => other,
        });
    }
    let not_any_form = || ApiDateError::NotAnyForm(text.to_owned());
    let mut parts = text.split('-');
    let (Some(year), Some(month), Some(day), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(not_any_form());
    };
    let year = small_number(year, 4..=4).ok_or_else(not_any_form)?;
    let month = small_number(month, 2..=2).ok_or_else(not_any_form)?;
    let day = small_number(day, 2..=2).ok_or_else(not_any_form)?;
    // Four ASCII digits always fit an `i32`.
    NaiveDate::from_ymd_opt(year as i32, month, day)
        .ok_or_else(|| ApiDateError::NoSuchDay(text.to_owned()))
}

/// The date with a two-digit year inside Java's window around `today`.
fn two_digit_year(year: i32, month: u32, day: u32, today: NaiveDate) -> Option<NaiveDate> {
    let window_start = today.checked_sub_months(Months::new(80 * 12))?;
    let window_end = today.checked_add_months(Months::new(20 * 12))?;
    let first_century = window_start.year().div_euclid(100) * 100;
    (0..=1)
        .map(|i| first_century + i * 100 + year)
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .find(|date| *date > window_start && *date <= window_end)
}

fn small_number(text: &str, digits: std::ops::RangeInclusive<usize>) -> Option<u32> {
    if !digits.contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Reads an integer as Java's `Long.parseLong` does: an optional `+` or `-`, then ASCII
/// decimal digits, within the 64-bit range. `+5`, `05` and `-1` are integers; `5.0`,
/// `0x5`, ` 5` and `` are not.
///
/// ```
/// use plupper_model::param::parse_java_long;
///
/// assert_eq!(parse_java_long("3000000000"), Some(3_000_000_000));
/// assert_eq!(parse_java_long("+05"), Some(5));
/// assert_eq!(parse_java_long("5.0"), None);
/// ```
pub fn parse_java_long(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // `i64::from_str` takes the same sign-then-digits form, and checks the range.
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const TODAY: fn() -> NaiveDate = || day(2026, 11, 25);

    #[test]
    fn the_documented_forms() {
        for text in ["04/29/09", "4/29/09", "04/29/2009", "4/29/2009"] {
            assert_eq!(
                parse_api_date(text, TODAY()),
                Ok(day(2009, 4, 29)),
                "{text}"
            );
        }
    }

    #[test]
    fn two_digit_years_at_both_ends_of_the_window() {
        assert_eq!(parse_api_date("11/25/46", TODAY()), Ok(day(2046, 11, 25)));
        assert_eq!(parse_api_date("11/26/46", TODAY()), Ok(day(1946, 11, 26)));
        assert_eq!(parse_api_date("11/24/46", TODAY()), Ok(day(2046, 11, 24)));
        assert_eq!(parse_api_date("01/01/00", TODAY()), Ok(day(2000, 1, 1)));
        assert_eq!(parse_api_date("12/31/99", TODAY()), Ok(day(1999, 12, 31)));
        // The window moves with `today`.
        assert_eq!(
            parse_api_date("11/25/46", day(2026, 11, 26)),
            Ok(day(2046, 11, 25))
        );
        assert_eq!(
            parse_api_date("11/26/46", day(2026, 11, 26)),
            Ok(day(2046, 11, 26))
        );
    }

    #[test]
    fn nothing_rolls_over() {
        for text in [
            "13/01/09",
            "02/30/09",
            "00/10/09",
            "10/00/09",
            "02/29/09",
            "02/29/2009",
            "04/31/2009",
        ] {
            assert!(
                matches!(
                    parse_api_date(text, TODAY()),
                    Err(ApiDateError::NoSuchDay(_))
                ),
                "{text}"
            );
        }
        assert_eq!(parse_api_date("02/29/08", TODAY()), Ok(day(2008, 2, 29)));
    }

    #[test]
    fn malformed_values() {
        for text in [
            "abc",
            "",
            "04/29",
            "04/29/09/1",
            "04-29-09",
            "004/29/09",
            "04/29/9",
            "04/29/009",
            "04/29/20090",
            " 4/29/09",
            "4/29/09 ",
            "+4/29/09",
            "04/2x/09",
            "４/29/09",
        ] {
            assert!(
                matches!(
                    parse_api_date(text, TODAY()),
                    Err(ApiDateError::Malformed(_))
                ),
                "{text:?}"
            );
        }
    }

    #[test]
    fn cli_dates_take_iso_and_the_api_forms() {
        for text in ["2009-04-29", "04/29/09", "4/29/09", "04/29/2009"] {
            assert_eq!(
                parse_cli_date(text, TODAY()),
                Ok(day(2009, 4, 29)),
                "{text}"
            );
        }
        assert_eq!(parse_cli_date("2046-11-26", TODAY()), Ok(day(2046, 11, 26)));
        assert_eq!(parse_cli_date("0001-01-01", TODAY()), Ok(day(1, 1, 1)));
        for text in [
            "2009-02-29",
            "2009-13-01",
            "2009-04-31",
            "2009-00-10",
            "02/30/09",
        ] {
            assert_eq!(
                parse_cli_date(text, TODAY()),
                Err(ApiDateError::NoSuchDay(text.to_owned())),
                "{text}"
            );
        }
        for text in [
            "abc",
            "",
            "2009-4-29",
            "09-04-29",
            "2009-04-29-01",
            "2009/04/29",
            "-2009-04-29",
            "+2009-04-29",
            " 2009-04-29",
            "2009-04-29T00:00",
            "04-29-2009",
            "04/29",
        ] {
            assert_eq!(
                parse_cli_date(text, TODAY()),
                Err(ApiDateError::NotAnyForm(text.to_owned())),
                "{text:?}"
            );
        }
    }

    #[test]
    fn java_long() {
        for (text, value) in [
            ("0", 0),
            ("+5", 5),
            ("05", 5),
            ("-1", -1),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
            ("3000000000", 3_000_000_000),
        ] {
            assert_eq!(parse_java_long(text), Some(value), "{text}");
        }
        for text in [
            "",
            "+",
            "-",
            "5.0",
            "0x5",
            " 5",
            "5 ",
            "9223372036854775808",
            "1e3",
            "--1",
            "+-1",
            "٣",
        ] {
            assert_eq!(parse_java_long(text), None, "{text:?}");
        }
    }
}
