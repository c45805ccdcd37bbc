//! `sync` against the test upstream (plupper-testkit) on 127.0.0.1, issue 19: the request
//! count in the summary, retries said on a stderr that is not a terminal, a refused
//! connection failing fast, and `sync --dry-run` comparing without writing.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{Datelike, Days, NaiveDate};
use plupper_testkit::{Faults, Upstream, corpus, message_on};

use crate::harness::{Run, Sandbox, parse_ndjson};

const USER: &str = "demo";
const PASSWORD: &str = "s3cret-for-tests";

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The windows of a first pull: the open start, then one per year from 2000.
fn first_pull_windows() -> u64 {
    (today().year() - 1999) as u64 + 1
}

/// `sync --url UPSTREAM --user demo --no-index ARGS...` with the password in the
/// environment.
fn sync(sandbox: &Sandbox, url: &str, args: &[&str]) -> Run {
    Run::from(
        sandbox
            .command()
            .args(["sync", "--no-index", "--url", url, "--user", USER])
            .args(args)
            .env("PLUPPER_PASSWORD", PASSWORD)
            .output()
            .expect("run the binary"),
    )
}

/// A value of the sync summary (`requests:          28`).
fn summary(run: &Run, name: &str) -> String {
    let stdout = run.stdout_text();
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(name))
        .map(|value| value.trim().to_owned())
        .unwrap_or_else(|| panic!("no {name} in the summary:\n{stdout}"))
}

/// Every file under `dir` and its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(
                    path.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    out
}

/// A history of 2008 to 2012 and two messages of today.
fn history(messages: u64) -> Vec<String> {
    let mut elements = corpus(messages, 9);
    elements.push(message_on(today(), "08:00:00", "today"));
    elements.push(message_on(today() - Days::new(1), "08:00:00", "yesterday"));
    elements
}

#[test]
fn the_summary_counts_the_requests_of_a_first_pull() {
    let upstream = Upstream::start(history(1000), USER, PASSWORD, Faults::none());
    let sandbox = Sandbox::new();
    let run = sync(&sandbox, &upstream.url(), &[]).success();
    let windows = first_pull_windows();
    assert_eq!(summary(&run, "requests:"), windows.to_string());
    assert_eq!(summary(&run, "windows:"), format!("{windows} of {windows}"));
    assert_eq!(upstream.log().len() as u64, windows);
    assert_eq!(sandbox.count::<&str>(&[]), upstream.len() as u64);

    // `-v` says each window and the count too.
    let verbose = Run::from(
        sandbox
            .command()
            .args([
                "-v",
                "sync",
                "--no-index",
                "--url",
                &upstream.url(),
                "--user",
                USER,
            ])
            .env("PLUPPER_PASSWORD", PASSWORD)
            .output()
            .expect("run the binary"),
    )
    .ok();
    assert_eq!(summary(&verbose, "requests:"), "1");
    assert!(
        verbose
            .stderr
            .lines()
            .any(|l| l.ends_with("sync finished requests=1 windows=1 retries=0")),
        "{}",
        verbose.stderr
    );
    assert!(
        verbose.stderr.lines().any(|l| l.contains("window applied")),
        "{}",
        verbose.stderr
    );
}

#[test]
fn format_is_for_a_dry_run_only() {
    let sandbox = Sandbox::new();
    let run = sync(&sandbox, "http://127.0.0.1:1", &["--format", "ndjson"]).code(2);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run.stderr.contains("--dry-run"), "{}", run.stderr);
    assert!(!sandbox.archive().exists());
}

#[test]
fn every_retry_is_a_line_on_stderr_that_is_not_a_terminal() {
    let upstream = Upstream::start(history(200), USER, PASSWORD, Faults::flaky_link());
    let sandbox = Sandbox::new();
    let run = sync(
        &sandbox,
        &upstream.url(),
        &["--from", "01/01/2009", "--to", "12/31/2009"],
    )
    .ok();
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    let url = format!(
        "{}/resources/message?from=01%2F01%2F2009&to=12%2F31%2F2009",
        upstream.url()
    );
    assert!(
        lines[0].starts_with(&format!(
            "warning: window 2009-01-01..2009-12-31: {url} answered HTTP 500; trying again in "
        )),
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with(" s (retry 1 of 5)"), "{}", lines[0]);
    assert!(
        lines[1].starts_with(&format!(
            "warning: window 2009-01-01..2009-12-31: the response from {url} broke off"
        )),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with(" s (retry 2 of 5)"), "{}", lines[1]);
    assert_eq!(summary(&run, "requests:"), "3");
    assert_eq!(summary(&run, "retries:"), "2");
}

#[test]
fn a_refused_connection_fails_within_seconds_and_says_how_to_change_the_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sandbox = Sandbox::new();
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let run = sync(&sandbox, &url, &[]).code(1);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(run.stdout_text(), "");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(
        lines[0].starts_with(&format!(
            "warning: window ..1999-12-31: cannot reach {url}/resources/message"
        )),
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with("(retry 1 of 1)"), "{}", lines[0]);
    assert!(
        lines[1].starts_with(&format!("error: cannot reach {url}/resources/message")),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].ends_with(
            "(gave up after 2 attempts); check the API's URL, which --url or PLUPPER_URL sets"
        ),
        "{}",
        lines[1]
    );
}

#[test]
fn a_dry_run_on_an_archive_in_step_says_so_in_one_line_and_changes_nothing() {
    let upstream = Upstream::start(history(1500), USER, PASSWORD, Faults::none());
    let sandbox = Sandbox::new();
    sync(&sandbox, &upstream.url(), &[]).success();
    let before = files(&sandbox.archive());
    let run = sync(&sandbox, &upstream.url(), &["--dry-run"]).success();
    assert_eq!(
        run.stdout_text(),
        format!(
            "in step with {}: {} windows, {} messages\n",
            upstream.url(),
            first_pull_windows(),
            upstream.len()
        )
    );
    let ndjson = sync(
        &sandbox,
        &upstream.url(),
        &["--dry-run", "--format", "ndjson"],
    )
    .success();
    assert_eq!(ndjson.stdout_text(), "", "no window differs");
    assert!(
        files(&sandbox.archive()) == before,
        "the archive's files changed"
    );
}

#[test]
fn a_dry_run_after_changes_upstream_lists_the_windows_that_differ() {
    let upstream = Upstream::start(history(1500), USER, PASSWORD, Faults::none());
    let sandbox = Sandbox::new();
    sync(&sandbox, &upstream.url(), &[]).success();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    upstream.add(message_on(day(2010, 3, 4), "10:00:00", "added in 2010"));
    upstream.add(message_on(day(2010, 3, 4), "10:00:00", "added in 2010"));
    let deleted = upstream
        .elements()
        .into_iter()
        .find(|e| e.contains(" 2012\\\""))
        .unwrap();
    assert!(upstream.remove(&deleted));
    let before = files(&sandbox.archive());

    let run = sync(&sandbox, &upstream.url(), &["--dry-run"]).success();
    let archived = upstream.len() - 2 + 1;
    assert_eq!(
        run.stdout_text(),
        format!(
            "2010-01-01..2010-12-31: 2 to add, 0 deleted upstream (upstream {u2010}, archive {a2010})\n\
             2012-01-01..2012-12-31: 0 to add, 1 deleted upstream (upstream {u2012}, archive {a2012})\n\
             total: {windows} windows, {upstream} messages upstream, {archived} archived: 2 to add, 1 deleted upstream (kept in the archive)\n",
            u2010 = in_year(&upstream, 2010),
            a2010 = in_year(&upstream, 2010) - 2,
            u2012 = in_year(&upstream, 2012),
            a2012 = in_year(&upstream, 2012) + 1,
            windows = first_pull_windows(),
            upstream = upstream.len(),
        )
    );
    let records = parse_ndjson(
        &sync(
            &sandbox,
            &upstream.url(),
            &["--dry-run", "--format", "ndjson"],
        )
        .success()
        .stdout,
    );
    assert_eq!(records.len(), 2);
    assert_eq!(
        records[0],
        serde_json::json!({
            "from": "2010-01-01", "to": "2010-12-31",
            "upstream": in_year(&upstream, 2010), "archived": in_year(&upstream, 2010) - 2,
            "to_add": 2, "deleted_upstream": 0,
        })
    );
    assert_eq!(records[1]["deleted_upstream"], 1);
    // A range compares its days only.
    let range = sync(
        &sandbox,
        &upstream.url(),
        &["--dry-run", "--from", "01/01/2012", "--to", "12/31/2012"],
    )
    .success();
    assert!(
        range
            .stdout_text()
            .starts_with("2012-01-01..2012-12-31: 0 to add, 1 deleted upstream"),
        "{}",
        range.stdout_text()
    );
    assert!(
        files(&sandbox.archive()) == before,
        "the archive's files changed"
    );
}

/// The elements the upstream lists written in `year`.
fn in_year(upstream: &Upstream, year: i32) -> usize {
    let needle = format!(" {year}\\\"");
    upstream
        .elements()
        .iter()
        .filter(|e| e.contains(&needle))
        .count()
}

#[test]
fn a_dry_run_over_a_flaky_link_says_each_retry_and_finds_the_same() {
    // The faults from the first request on: every window is asked three times, so each
    // run starts again with two failures.
    let upstream = Upstream::start(history(500), USER, PASSWORD, Faults::flaky_link());
    let sandbox = Sandbox::new();
    sync(
        &sandbox,
        &upstream.url(),
        &["--from", "01/01/2011", "--to", "12/31/2011"],
    )
    .ok();
    let run = sync(
        &sandbox,
        &upstream.url(),
        &["--dry-run", "--from", "01/01/2011", "--to", "12/31/2012"],
    )
    .ok();
    assert_eq!(
        run.stderr.lines().count(),
        4,
        "two retries per window:\n{}",
        run.stderr
    );
    assert!(
        run.stderr
            .lines()
            .all(|l| l.starts_with("warning: window 201"))
    );
    let stdout = run.stdout_text();
    assert!(
        stdout.starts_with(&format!(
            "2012-01-01..2012-12-31: {} to add, 0 deleted upstream",
            in_year(&upstream, 2012)
        )),
        "{stdout}"
    );
}

/// Issue 17: `sync` takes the ISO dates it prints back (`2011-01-01..2011-12-31`).
#[test]
fn iso_dates_pull_the_same_range_as_the_api_s_form() {
    let upstream = Upstream::start(history(300), USER, PASSWORD, Faults::none());
    let sandbox = Sandbox::new();
    sync(
        &sandbox,
        &upstream.url(),
        &["--from", "2011-01-01", "--to", "2011-12-31"],
    )
    .success();
    let in_2011 = in_year(&upstream, 2011);
    assert!(in_2011 > 0, "the history has messages of 2011");
    assert_eq!(sandbox.count::<&str>(&[]), in_2011 as u64);
    let run = sync(
        &sandbox,
        &upstream.url(),
        &["--dry-run", "--from", "01/01/2011", "--to", "2011-12-31"],
    )
    .success();
    assert_eq!(
        run.stdout_text(),
        format!(
            "in step with {}: 1 window, {in_2011} messages\n",
            upstream.url()
        )
    );
    let bad = sync(&sandbox, &upstream.url(), &["--to", "2011-02-30"]).code(2);
    assert_eq!(
        bad.stderr,
        "error: invalid `to`: `2011-02-30` is not a day of the calendar\n"
    );
}

#[test]
fn a_dry_run_without_an_archive_creates_none() {
    let upstream = Upstream::start(history(10), USER, PASSWORD, Faults::none());
    let sandbox = Sandbox::new();
    let run = sync(&sandbox, &upstream.url(), &["--dry-run"]).code(1);
    assert_eq!(
        run.stderr,
        format!(
            "error: no archive in {}: a dry run compares an archive with the API and creates none; run `sync` without --dry-run first\n",
            sandbox.archive().display()
        )
    );
    assert!(!sandbox.archive().exists());
    assert!(upstream.log().is_empty(), "nothing asked");
}

/// Issue 19: a first full pull of a 2008–2012 history while two requests in three fail
/// finishes in one run in about a minute (the real backoff: each window waits 0.25–0.5 s
/// and 0.5–1 s). About 30 s here, longer on a loaded machine: run it with
/// `cargo test -p plupper-cli --test cli -- --ignored flaky`.
#[test]
#[ignore = "about 30 s of real backoff: cargo test -p plupper-cli --test cli -- --ignored flaky"]
fn a_first_pull_over_a_flaky_link_finishes_in_one_run_within_a_minute_and_a_half() {
    let upstream = Upstream::start(history(5000), USER, PASSWORD, Faults::flaky_link());
    let sandbox = Sandbox::new();
    let started = Instant::now();
    let run = sync(&sandbox, &upstream.url(), &[]).ok();
    let elapsed = started.elapsed();
    eprintln!("a first pull over the flaky link took {elapsed:?}");
    assert!(elapsed < Duration::from_secs(90), "{elapsed:?}");
    let windows = first_pull_windows();
    assert_eq!(summary(&run, "requests:"), (3 * windows).to_string());
    assert_eq!(run.stderr.lines().count() as u64, 2 * windows);
    assert_eq!(sandbox.count::<&str>(&[]), upstream.len() as u64);
}

#[test]
fn a_dry_run_counts_the_elements_that_are_not_messages_apart() {
    let mut elements = history(100);
    elements.push("42".to_owned());
    let upstream = Upstream::start(elements, USER, PASSWORD, Faults::none());
    let sandbox = Sandbox::new();
    let synced = sync(&sandbox, &upstream.url(), &[]).success();
    assert_eq!(summary(&synced, "quarantined:"), "1");
    let run = sync(&sandbox, &upstream.url(), &["--dry-run"]).success();
    assert_eq!(
        run.stdout_text(),
        format!(
            "in step with {}: {} windows, {} messages\n\
             not messages: 1 element upstream (a sync keeps them in quarantine)\n",
            upstream.url(),
            first_pull_windows(),
            upstream.len() - 1
        )
    );
}
