//! Syncing from a real HTTP upstream (plupper-testkit) on 127.0.0.1: the archive ends up
//! holding exactly what the upstream lists, whatever fails on the way.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use plupper_store::{ArchiveId, Store};
use plupper_sync::SyncError;
use plupper_sync::http::{HttpConfig, HttpSource, Password};
use plupper_sync::load::NoProgress;
use plupper_sync::pull::{PullOptions, PullReport, pull};
use plupper_sync::retry::RetryPolicy;
use plupper_sync::window::{PlanOptions, Range};
use plupper_testkit::{Fault, Faults, Upstream, corpus, message_on, multiset};

const USER: &str = "demo";
const PASSWORD: &str = "s3ntinel-pw";

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// A corpus (2008 to 2012, with exact repeats) and a few messages of the last days.
fn dataset(messages: u64) -> Vec<String> {
    let mut elements = corpus(messages, 11);
    for back in 0..4 {
        let day = today() - Days::new(back);
        elements.push(message_on(day, "09:00:00", &format!("recent {back}")));
        elements.push(message_on(day, "09:00:01", "ok"));
        elements.push(message_on(day, "09:00:01", "ok"));
    }
    elements
}

fn source(upstream: &Upstream, password: &str) -> HttpSource {
    let mut config = HttpConfig::new(&upstream.url(), USER, Password::new(password.to_owned()));
    config.read_timeout = Duration::from_secs(5);
    config.connect_timeout = Duration::from_secs(5);
    HttpSource::new(config).unwrap()
}

fn options(range: Range) -> PullOptions {
    PullOptions {
        plan: PlanOptions {
            range,
            ..PlanOptions::default()
        },
        retry: RetryPolicy {
            retries: 4,
            base: Duration::from_millis(1),
            max: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(5),
        },
        ..PullOptions::new(today())
    }
}

fn sync(store: &mut Store, upstream: &Upstream, range: Range) -> PullReport {
    let source = source(upstream, PASSWORD);
    pull(
        store,
        &source,
        &source.scope(),
        &options(range),
        &NoProgress,
    )
}

/// The archive's messages by original text.
fn archived(store: &Store) -> HashMap<String, usize> {
    let max = store.max_id().unwrap().0;
    multiset((1..=max).filter_map(|id| {
        store
            .message(ArchiveId(id))
            .unwrap()
            .map(|stored| stored.original().into_owned().text)
    }))
}

fn ok(report: &PullReport) {
    assert!(report.error.is_none(), "{:?}", report.error);
}

#[test]
fn initial_sync_equals_the_upstream_and_a_second_adds_nothing() {
    let upstream = Upstream::start(dataset(3000), USER, PASSWORD, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();

    let first = sync(&mut store, &upstream, Range::Incremental);
    ok(&first);
    assert_eq!(archived(&store), multiset(upstream.elements()));
    assert_eq!(first.applied.added, upstream.len() as u64);
    assert_eq!(first.windows_done, first.windows_planned);
    assert_eq!(first.retries, 0);
    // The open start, every month since 2000, the open end.
    assert!(first.windows_planned > 300, "{}", first.windows_planned);

    let second = sync(&mut store, &upstream, Range::Incremental);
    ok(&second);
    assert_eq!(second.applied.added, 0);
    assert!(
        second.windows_planned <= 2,
        "only the overlap: {}",
        second.windows_planned
    );
    assert!(
        second.applied.already_archived > 0,
        "the overlap is re-read"
    );
    assert_eq!(archived(&store), multiset(upstream.elements()));
}

#[test]
fn a_repull_reports_its_quarantined_elements_as_already_quarantined() {
    // QA §8: the report tells new quarantine entries from texts the quarantine held.
    let mut elements = dataset(50);
    elements.extend(["42".to_owned(), r#""{}""#.to_owned()]);
    let upstream = Upstream::start(elements, USER, PASSWORD, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let quarantine = |report: &PullReport| {
        (
            report.applied.quarantined,
            report.applied.already_quarantined,
        )
    };
    let first = sync(&mut store, &upstream, Range::Incremental);
    ok(&first);
    assert_eq!(quarantine(&first), (2, 0));
    let again = sync(&mut store, &upstream, Range::Full);
    ok(&again);
    assert_eq!(quarantine(&again), (0, 2));
    assert_eq!(store.quarantine_count().unwrap(), 2);
}

#[test]
fn additions_are_added_exactly_and_deletions_stay() {
    let upstream = Upstream::start(dataset(1000), USER, PASSWORD, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    ok(&sync(&mut store, &upstream, Range::Incremental));
    let before = upstream.elements();

    // Today: a new message, and one more copy of one already archived twice.
    let new = message_on(today(), "10:00:00", "a new one");
    let again = message_on(today(), "09:00:01", "ok");
    upstream.add(new.clone());
    upstream.add(again.clone());
    // And one message disappears upstream.
    assert!(upstream.remove(&message_on(today(), "09:00:00", "recent 0")));

    let report = sync(&mut store, &upstream, Range::Incremental);
    ok(&report);
    assert_eq!(report.applied.added, 2);
    let mut expected = multiset(before);
    *expected.entry(new).or_default() += 1;
    *expected.entry(again.clone()).or_default() += 1;
    assert_eq!(expected[&again], 3);
    assert_eq!(archived(&store), expected, "the deleted message stays");

    // Old days are settled: a copy added upstream in 2009 is found by --full or a range.
    let old = upstream.elements()[10].clone();
    upstream.add(old.clone());
    let incremental = sync(&mut store, &upstream, Range::Incremental);
    ok(&incremental);
    assert_eq!(incremental.applied.added, 0);
    let full = sync(&mut store, &upstream, Range::Full);
    ok(&full);
    assert_eq!(full.applied.added, 1);
    *expected.entry(old).or_default() += 1;
    assert_eq!(archived(&store), expected);
}

#[test]
fn a_range_is_pulled_whole() {
    let upstream = Upstream::start(dataset(1000), USER, PASSWORD, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    let report = sync(
        &mut store,
        &upstream,
        Range::Between {
            from: day(2009, 1, 1),
            to: day(2009, 12, 31),
        },
    );
    ok(&report);
    assert_eq!(report.windows_planned, 12);
    let in_2009: Vec<String> = upstream
        .elements()
        .into_iter()
        .filter(|e| e.contains(" 2009\\\""))
        .collect();
    assert!(!in_2009.is_empty());
    assert_eq!(archived(&store), multiset(in_2009));
}

/// Each kind of fault on every other request: retries bring the archive to exactly the
/// upstream.
#[test]
fn every_kind_of_fault_is_retried_until_the_archive_equals_the_upstream() {
    let faults = [
        Fault::Status(500),
        Fault::Status(503),
        Fault::DropWithLength,
        Fault::DropChunked,
        Fault::DropUndelimited,
        Fault::CutList,
        Fault::NotJson,
        Fault::Slow {
            chunk: 4096,
            pause: Duration::from_millis(1),
        },
    ];
    let elements = dataset(1500);
    for fault in faults {
        let upstream = Upstream::start(
            elements.clone(),
            USER,
            PASSWORD,
            Faults::every(2, vec![fault.clone()]),
        );
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let report = sync(&mut store, &upstream, Range::Incremental);
        ok(&report);
        assert_eq!(
            archived(&store),
            multiset(upstream.elements()),
            "under {fault:?}"
        );
        assert!(store.quarantine_count().unwrap() == 0, "under {fault:?}");
        let slow = matches!(fault, Fault::Slow { .. });
        assert_eq!(report.retries > 0, !slow, "under {fault:?}");
    }
}

#[test]
fn a_fresh_archive_under_mixed_faults_equals_the_upstream() {
    let schedule = vec![
        Fault::DropUndelimited,
        Fault::Status(502),
        Fault::Slow {
            chunk: 1000,
            pause: Duration::from_millis(1),
        },
        Fault::CutList,
        Fault::DropChunked,
        Fault::Stall(Duration::from_millis(1500)),
        Fault::NotJson,
        Fault::DropWithLength,
    ];
    let upstream = Upstream::start(dataset(4000), USER, PASSWORD, Faults::every(3, schedule));
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let source = {
        let mut config = HttpConfig::new(&upstream.url(), USER, Password::new(PASSWORD.into()));
        config.read_timeout = Duration::from_millis(500);
        HttpSource::new(config).unwrap()
    };
    let report = pull(
        &mut store,
        &source,
        &source.scope(),
        &options(Range::Incremental),
        &NoProgress,
    );
    ok(&report);
    assert!(report.retries > 50, "{}", report.retries);
    assert_eq!(archived(&store), multiset(upstream.elements()));
    // And again: nothing more.
    let again = pull(
        &mut store,
        &source,
        &source.scope(),
        &options(Range::Incremental),
        &NoProgress,
    );
    ok(&again);
    assert_eq!(again.applied.added, 0);
    assert_eq!(archived(&store), multiset(upstream.elements()));
}

#[test]
fn retry_after_is_honoured() {
    let upstream = Upstream::start(
        dataset(200),
        USER,
        PASSWORD,
        Faults {
            schedule: vec![Fault::TooManyRequests { retry_after: 1 }],
            every: 1000,
            offset: 5,
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let started = Instant::now();
    let report = sync(&mut store, &upstream, Range::Incremental);
    ok(&report);
    assert_eq!(report.retries, 1);
    assert!(started.elapsed() >= Duration::from_secs(1));
    let log = upstream.log();
    assert_eq!(log[5].status, 429);
    assert_eq!(log[6].target, log[5].target, "the same window again");
    assert_eq!(archived(&store), multiset(upstream.elements()));
}

#[test]
fn a_failure_that_does_not_pass_stops_the_sync_and_the_next_resumes_there() {
    let upstream = Upstream::start(
        dataset(1000),
        USER,
        PASSWORD,
        Faults::always(Fault::Status(500)),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let report = sync(&mut store, &upstream, Range::Incremental);
    match &report.error {
        Some(SyncError::GaveUp { attempts: 5, last }) => {
            assert!(matches!(**last, SyncError::Status { status: 500, .. }))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(upstream.log().len(), 5, "1 + 4 retries, then stop");
    assert_eq!(report.windows_done, 0);

    // The 100th window fails for good: the 99 before it are kept.
    upstream.set_faults(Faults {
        schedule: vec![Fault::CutList],
        every: 1000,
        offset: 104, // the log already holds 5 requests
    });
    let mut options = options(Range::Incremental);
    options.retry.retries = 0;
    let source = source(&upstream, PASSWORD);
    let report = pull(&mut store, &source, &source.scope(), &options, &NoProgress);
    assert!(
        matches!(&report.error, Some(SyncError::GaveUp { last, .. }) if matches!(**last, SyncError::Damaged { .. })),
        "{:?}",
        report.error
    );
    assert_eq!(report.windows_done, 99);
    let failed = upstream.log().last().unwrap().target.clone();
    let windows = store.synced_windows(&source.scope()).unwrap();
    assert_eq!(windows.len(), 99);

    // The next sync starts at the window that failed.
    upstream.set_faults(Faults::none());
    let before = upstream.log().len();
    let report = sync(&mut store, &upstream, Range::Incremental);
    ok(&report);
    assert_eq!(upstream.log()[before].target, failed);
    assert_eq!(archived(&store), multiset(upstream.elements()));
}

#[test]
fn a_wrong_password_fails_at_once_and_never_shows_the_password() {
    let upstream = Upstream::start(dataset(100), USER, PASSWORD, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let source = source(&upstream, "wrong-s3ntinel");
    let report = pull(
        &mut store,
        &source,
        &source.scope(),
        &options(Range::Incremental),
        &NoProgress,
    );
    let error = report.error.expect("a failure");
    assert_eq!(
        error.to_string(),
        format!(
            "authentication failed for user {USER} at {}",
            upstream.url()
        )
    );
    assert!(!format!("{error:?} {source:?}").contains("s3ntinel"));
    assert_eq!(upstream.log().len(), 1, "never retried");
    assert_eq!(store.message_count().unwrap(), 0);
}

#[test]
fn other_client_errors_are_not_retried() {
    let upstream = Upstream::start(dataset(100), USER, PASSWORD, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let config = HttpConfig::new(
        &format!("{}/wrong/path", upstream.url()),
        USER,
        Password::new(PASSWORD.into()),
    );
    let source = HttpSource::new(config).unwrap();
    let report = pull(
        &mut store,
        &source,
        &source.scope(),
        &options(Range::Incremental),
        &NoProgress,
    );
    assert!(
        matches!(report.error, Some(SyncError::Status { status: 404, .. })),
        "{:?}",
        report.error
    );
    assert_eq!(upstream.log().len(), 1);
}

/// Pulls from a port that was free a moment ago, with `retries`; the error and the port.
fn pull_from_nowhere(retries: u32) -> (String, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let config = HttpConfig::new(
        &format!("http://127.0.0.1:{port}"),
        USER,
        Password::new(PASSWORD.into()),
    );
    let source = HttpSource::new(config).unwrap();
    let mut options = options(Range::Incremental);
    options.retry.retries = retries;
    let report = pull(&mut store, &source, &source.scope(), &options, &NoProgress);
    (report.error.expect("a failure").to_string(), port)
}

#[test]
fn a_single_attempt_is_counted_as_1_attempt_not_1_attempts() {
    // QA §10.
    let (error, _) = pull_from_nowhere(0);
    assert!(error.ends_with("(gave up after 1 attempt)"), "{error}");
}

#[test]
fn an_unreachable_host_is_a_clear_error() {
    let (error, port) = pull_from_nowhere(1);
    assert!(
        error.starts_with(&format!(
            "cannot reach http://127.0.0.1:{port}/resources/message"
        )),
        "{error}"
    );
    assert!(error.contains("gave up after 2 attempts"), "{error}");
}

#[test]
fn a_stalled_response_times_out_and_is_retried() {
    let upstream = Upstream::start(
        dataset(300),
        USER,
        PASSWORD,
        Faults {
            // Long enough that no loaded machine could take it for the timeout's work.
            schedule: vec![Fault::Stall(Duration::from_secs(60))],
            every: 1000,
            offset: 3,
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut config = HttpConfig::new(&upstream.url(), USER, Password::new(PASSWORD.into()));
    config.read_timeout = Duration::from_millis(300);
    let source = HttpSource::new(config).unwrap();
    let started = Instant::now();
    let report = pull(
        &mut store,
        &source,
        &source.scope(),
        &options(Range::Incremental),
        &NoProgress,
    );
    ok(&report);
    assert_eq!(report.retries, 1);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the stall was cut short"
    );
    assert_eq!(archived(&store), multiset(upstream.elements()));
}

#[test]
fn a_window_over_budget_is_split() {
    let upstream = Upstream::start(dataset(3000), USER, PASSWORD, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let source = source(&upstream, PASSWORD);
    let mut options = options(Range::Incremental);
    options.window_budget = 8 << 10;
    let report = pull(&mut store, &source, &source.scope(), &options, &NoProgress);
    ok(&report);
    assert!(report.splits > 10, "{}", report.splits);
    assert_eq!(report.windows_done, report.windows_planned);
    assert_eq!(archived(&store), multiset(upstream.elements()));
}
