//! `from` and `to` (contract §2 "Dates"): the calendar date written in `created`, the
//! whole `to` day included; `MM/DD/YY`, `M/D/YY`, `MM/DD/YYYY`; a two-digit year in the
//! window of Java's `SimpleDateFormat` (after the day 80 years before today, on or
//! before the day 20 years after today); impossible dates are invalid input.

use chrono::{Datelike, Months, NaiveDate, Utc};

use crate::filters::{expect, fixture_archive};
use crate::harness::{Sandbox, content_of, ndjson_lines};

#[test]
fn the_date_forms_read_the_same_day() {
    let sandbox = fixture_archive();
    for day in ["04/29/09", "4/29/09", "04/29/2009", "4/29/2009"] {
        expect(&sandbox, &["--from", day, "--to", day], &[38, 39, 42]);
        let params = format!("from={day}&to={day}");
        expect(&sandbox, &["--params", &params], &[38, 39, 42]);
        let encoded = params.replace('/', "%2F");
        expect(&sandbox, &["--params", &encoded], &[38, 39, 42]);
    }
}

#[test]
fn dates_are_the_written_calendar_dates_and_to_includes_the_whole_day() {
    let sandbox = fixture_archive();
    // 41 is written on the 30th (00:30 CEST, the 29th in UTC); 42 on the 29th (23:30
    // EST, the 30th in UTC).
    expect(
        &sandbox,
        &["--to", "04/29/09", "--from", "04/28/09"],
        &[37, 38, 39, 42],
    );
    expect(
        &sandbox,
        &["--from", "04/30/09", "--to", "04/30/09"],
        &[41, 40],
    );
    expect(&sandbox, &["--from", "04/28/09", "--to", "04/28/09"], &[37]);
    expect(
        &sandbox,
        &["--from", "04/21/09", "--to", "05/04/09"],
        &[37, 38, 41, 39, 40, 42],
    );
    // Open ends.
    expect(&sandbox, &["--from", "05/06/09"], &[53]);
    let mut to_28: Vec<i64> = (1..=36).chain([54, 37]).collect();
    expect(&sandbox, &["--to", "04/28/09"], &to_28);
    to_28.truncate(37);
    expect(&sandbox, &["--to", "04/20/09"], &to_28);
    expect(&sandbox, &["--to", "04/19/09"], &[]);
    // A wrong weekday: archived under the written date.
    expect(&sandbox, &["--from", "05/06/09", "--to", "05/06/09"], &[53]);
}

/// Issue 17: a `from` later than `to` is valid and matches nothing (contract §2), and
/// the command says so, since it is most likely a slip.
#[test]
fn from_later_than_to_matches_nothing_and_says_so() {
    let sandbox = fixture_archive();
    for args in [
        &["query", "--from", "04/30/09", "--to", "04/29/09"][..],
        &["query", "--params", "from=04/30/09&to=04/29/09"],
        &[
            "query",
            "--count",
            "--from",
            "2009-04-30",
            "--to",
            "2009-04-29",
        ],
    ] {
        let run = sandbox.run(args).code(0);
        assert_eq!(
            run.stderr,
            "warning: `from` 2009-04-30 is after `to` 2009-04-29: no message can match\n",
            "{args:?}"
        );
        let expected: &[u8] = if args.contains(&"--count") {
            b"0\n"
        } else {
            b""
        };
        assert_eq!(run.stdout, expected, "{args:?}");
    }
    // The same day on both ends is no slip.
    expect(
        &sandbox,
        &["--from", "2009-04-28", "--to", "2009-04-28"],
        &[37],
    );
}

/// Issue 17: `--from`/`--to` take ISO `YYYY-MM-DD`, as every table prints dates; the
/// API's own forms stay; `--params` takes exactly what the API takes (contract §5).
#[test]
fn iso_dates_on_the_flags() {
    let sandbox = fixture_archive();
    expect(
        &sandbox,
        &["--from", "2009-04-29", "--to", "2009-04-29"],
        &[38, 39, 42],
    );
    expect(
        &sandbox,
        &["--from", "2009-04-29", "--to", "4/29/09"],
        &[38, 39, 42],
    );
    expect(&sandbox, &["--from", "2009-05-06"], &[53]);
    let run = sandbox
        .run(&["query", "--params", "from=2009-04-29"])
        .code(2);
    assert_eq!(
        run.stderr,
        "error: invalid `from`: `2009-04-29` is not a date of the form MM/DD/YY or MM/DD/YYYY\n"
    );
    // Every command with the filter flags reads them alike.
    for command in ["conversations", "stats"] {
        sandbox
            .run(&[command, "--from", "2009-04-29", "--format", "ndjson"])
            .success();
    }
}

#[test]
fn impossible_or_malformed_dates_are_invalid_input_naming_the_parameter() {
    let sandbox = fixture_archive();
    for (param, value) in [
        ("from", "13/01/09"),
        ("to", "02/30/09"),
        ("from", "abc"),
        ("to", "00/10/09"),
        ("from", "04/00/09"),
        ("from", "02/29/2009"),
        ("to", "04/29/9"),
        ("to", "04/29/009"),
        ("from", "2009-4-29"),
        ("to", "2009-02-30"),
        ("from", "04-29-09"),
        ("to", "4/29"),
        ("to", "04/29/09/"),
        ("from", " 04/29/09"),
        ("from", "+4/29/09"),
    ] {
        for args in [
            vec!["query".to_owned(), format!("--{param}"), value.to_owned()],
            vec![
                "query".to_owned(),
                "--params".to_owned(),
                format!("{param}={}", value.replace('+', "%2B").replace(' ', "%20")),
            ],
        ] {
            let run = sandbox.run(&args).code(2).errors(1);
            assert!(run.stdout.is_empty(), "{args:?}");
            assert!(
                run.stderr.contains(&format!("`{param}`")) && run.stderr.contains(value),
                "{args:?}: {}",
                run.stderr
            );
        }
    }
    // A leap day that exists.
    expect(&sandbox, &["--from", "02/29/08", "--to", "02/29/2008"], &[]);
}

/// The day `years` years from `today`, as Java's window computes it (month arithmetic:
/// Feb 29 becomes Feb 28 in a year without it).
fn years_from(today: NaiveDate, years: i32) -> NaiveDate {
    if years >= 0 {
        today.checked_add_months(Months::new(12 * years as u32))
    } else {
        today.checked_sub_months(Months::new(12 * (-years) as u32))
    }
    .expect("a representable date")
}

fn two_digit(day: NaiveDate) -> String {
    format!(
        "{:02}/{:02}/{:02}",
        day.month(),
        day.day(),
        day.year().rem_euclid(100)
    )
}

fn java_created(day: NaiveDate) -> String {
    format!("{} 12:00:00 UTC {}", day.format("%a %b %d"), day.year())
}

/// Two-digit years at both ends of the window. The binary reads today's date from the
/// local clock: it runs with `TZ=UTC` here, and the test reads the UTC date, before and
/// after (a run across midnight is retried).
#[test]
fn two_digit_years_take_the_century_of_java_s_window() {
    for _attempt in 0..2 {
        let today = Utc::now().date_naive();
        let last = years_from(today, 20); // the window's last day: in it
        let first = years_from(today, -80); // the day before the window's first day
        let days = [
            ("last day", last),
            ("80 years ago", first),
            ("first day", first.succ_opt().unwrap()),
            ("after the last day", last.succ_opt().unwrap()),
        ];
        let sandbox = Sandbox::new();
        let lines: Vec<String> = days
            .iter()
            .map(|(name, day)| {
                format!(
                    r#"{{"content":"{name}","created":"{}","type":"VO"}}"#,
                    java_created(*day)
                )
            })
            .collect();
        sandbox.write("window.ndjson", ndjson_lines(&lines));
        assert_eq!(sandbox.import_ok(&["files/window.ndjson"]).added, 4);

        let found = |day: NaiveDate, form: &str| -> Vec<String> {
            let date = match form {
                "yy" => two_digit(day),
                _ => day.format("%m/%d/%Y").to_string(),
            };
            let out = sandbox
                .command()
                .env("TZ", "UTC")
                .args([
                    "query", "--format", "ndjson", "--from", &date, "--to", &date,
                ])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0), "{date}");
            crate::harness::parse_ndjson(&out.stdout)
                .iter()
                .map(|m| content_of(m).to_owned())
                .collect()
        };
        // `last` and `80 years ago` share their two-digit form, which means `last`; the
        // day after both ends shares one too, which means the first day of the window.
        let results = [
            (found(last, "yy"), vec!["last day"]),
            (found(first, "yy"), vec!["last day"]),
            (found(first.succ_opt().unwrap(), "yy"), vec!["first day"]),
            (found(last.succ_opt().unwrap(), "yy"), vec!["first day"]),
            (found(first, "yyyy"), vec!["80 years ago"]),
            (
                found(last.succ_opt().unwrap(), "yyyy"),
                vec!["after the last day"],
            ),
        ];
        if Utc::now().date_naive() != today {
            continue; // midnight passed: the binary may have seen another day
        }
        for (got, expected) in results {
            assert_eq!(got, expected, "today is {today}");
        }
        return;
    }
    panic!("the date changed twice during the test");
}
