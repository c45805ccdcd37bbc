//! Syncing from a real HTTP upstream (plupper-testkit) on 127.0.0.1: the archive ends up
//! holding exactly what the upstream lists, whatever fails on the way.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{Datelike, Days, NaiveDate};
use plupper_store::{ArchiveId, Store};
use plupper_sync::SyncError;
use plupper_sync::compare::{Comparison, compare};
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

/// The years from 2000 to this one: the windows after the open start of a first pull.
fn years_since_2000() -> u64 {
    (today().year() - 1999) as u64
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
            ..RetryPolicy::default()
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
    // The open start, then a window per year from 2000 (the last one open-ended); none
    // holds more than the window budget.
    assert_eq!(first.windows_planned, years_since_2000() + 1);
    assert_eq!(first.requests, first.windows_planned);
    assert_eq!(upstream.log().len() as u64, first.requests);

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
    assert_eq!(report.windows_planned, 1, "one year, one window");
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
    assert!(report.retries > 10, "{}", report.retries);
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

    // The 11th window fails for good: the 10 before it are kept.
    upstream.set_faults(Faults {
        schedule: vec![Fault::CutList],
        every: 1000,
        offset: 15, // the log already holds 5 requests
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
    assert_eq!(report.windows_done, 10);
    let failed = upstream.log().last().unwrap().target.clone();
    let windows = store.synced_windows(&source.scope()).unwrap();
    assert_eq!(windows.len(), 10);

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

/// A source at a port of 127.0.0.1 that was free a moment ago (nothing listens), and the
/// port.
fn nowhere() -> (HttpSource, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = HttpConfig::new(
        &format!("http://127.0.0.1:{port}"),
        USER,
        Password::new(PASSWORD.into()),
    );
    (HttpSource::new(config).unwrap(), port)
}

/// Pulls from a port that was free a moment ago, with `retries`; the error and the port.
fn pull_from_nowhere(retries: u32) -> (String, u16) {
    let (source, port) = nowhere();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
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

/// Issue 19: a first pull of a history written 2008 to 2012 asks a request per year,
/// once, not one per month; empty years are settled windows like any other.
#[test]
fn a_first_pull_of_a_sparse_history_asks_once_per_year() {
    let upstream = Upstream::start(corpus(500, 3), USER, PASSWORD, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let report = sync(&mut store, &upstream, Range::Incremental);
    ok(&report);
    assert_eq!(report.requests, years_since_2000() + 1);
    assert!(report.requests < 40, "{}", report.requests);
    assert_eq!(report.splits, 0);
    assert_eq!(upstream.log().len() as u64, report.requests);
    let targets: Vec<String> = upstream.log().into_iter().map(|l| l.target).collect();
    assert!(
        targets.contains(&"/resources/message?from=01%2F01%2F2005&to=12%2F31%2F2005".to_owned()),
        "an empty year is one window: {targets:?}"
    );
    assert_eq!(archived(&store), multiset(upstream.elements()));
    // The empty years are settled: the next sync asks only for the overlap.
    let again = sync(&mut store, &upstream, Range::Incremental);
    ok(&again);
    assert!(again.requests <= 2, "{}", again.requests);
}

/// Issue 19: where the history is dense, a year over the window budget is asked for again
/// by months (the server sends its length, so nothing of the year is read); the empty
/// years still cost one request each.
#[test]
fn a_first_pull_of_a_dense_history_is_cut_where_it_is_dense() {
    let upstream = Upstream::start(corpus(20_000, 4), USER, PASSWORD, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let source = source(&upstream, PASSWORD);
    let mut options = options(Range::Incremental);
    options.window_budget = 512 << 10;
    let report = pull(&mut store, &source, &source.scope(), &options, &NoProgress);
    ok(&report);
    // The years of 2008 to 2012 whose answer passes the budget are each cut into months.
    let dense = dense_years(&upstream, options.window_budget);
    assert!(dense >= 3, "{dense}");
    assert_eq!(report.splits, dense, "{report:?}");
    assert_eq!(
        report.windows_done,
        years_since_2000() + 1 - dense + 12 * dense
    );
    assert_eq!(report.windows_done, report.windows_planned);
    assert_eq!(report.requests, report.windows_done + report.splits);
    assert!(report.requests < 100, "{}", report.requests);
    assert_eq!(upstream.log().len() as u64, report.requests);
    assert_eq!(archived(&store), multiset(upstream.elements()));
}

/// How many years' answers are larger than `budget` bytes.
fn dense_years(upstream: &Upstream, budget: u64) -> u64 {
    (2008..=2012)
        .filter(|year| {
            let needle = format!(" {year}\\\"");
            let elements: Vec<String> = upstream
                .elements()
                .into_iter()
                .filter(|e| e.contains(&needle))
                .collect();
            // `[`, the elements with a comma between each two, `]`.
            let size: usize = elements.iter().map(|e| e.len() + 1).sum::<usize>() + 1;
            size as u64 > budget
        })
        .count() as u64
}

/// Issue 19: two requests in three fail (HTTP 500/503, connections dropped in the middle
/// of the body); a first pull still finishes in one run, each window asked three times.
#[test]
fn a_first_pull_over_a_flaky_link_finishes_in_one_run() {
    let upstream = Upstream::start(dataset(3000), USER, PASSWORD, Faults::flaky_link());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let report = sync(&mut store, &upstream, Range::Incremental);
    ok(&report);
    assert_eq!(report.retries, 2 * report.windows_done);
    assert_eq!(report.requests, 3 * report.windows_done);
    let failed = upstream.log().iter().filter(|l| l.fault.is_some()).count() as u64;
    assert_eq!(failed, report.retries);
    assert_eq!(archived(&store), multiset(upstream.elements()));
}

/// Issue 19: nothing listens at the URL: the sync gives up after one quick retry, not
/// after the backoff meant for a server that answers with errors.
#[test]
fn a_refused_connection_fails_within_seconds() {
    let (source, _) = nowhere();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    // The default policy: 5 retries, from 0.5 s doubling, for a server that answers.
    let options = PullOptions::new(today());
    let started = Instant::now();
    let report = pull(&mut store, &source, &source.scope(), &options, &NoProgress);
    let elapsed = started.elapsed();
    let error = report.error.expect("a failure");
    assert!(error.is_unreachable(), "{error}");
    assert!(
        error.to_string().ends_with("(gave up after 2 attempts)"),
        "{error}"
    );
    assert_eq!((report.requests, report.retries), (2, 1));
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

/// Issue 19: once the upstream has answered, a connection that fails later (a server
/// restarting) gets every retry of the policy.
#[test]
fn a_connection_lost_after_the_first_answer_gets_every_retry() {
    use plupper_sync::source::{Opened, Source};
    use plupper_sync::window::Window;

    let upstream = Upstream::start(dataset(100), USER, PASSWORD, Faults::none());
    let url = upstream.url();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let source = source(&upstream, PASSWORD);
    // A source that answers its first window, then the server is gone.
    struct GoneAfterFirst<'a> {
        inner: &'a HttpSource,
        upstream: std::cell::RefCell<Option<Upstream>>,
    }
    impl Source for GoneAfterFirst<'_> {
        type Unit = Window;
        type Error = SyncError;
        fn describe(&self, window: &Window) -> String {
            self.inner.describe(window)
        }
        fn open(&self, window: &Window) -> Result<Opened, SyncError> {
            let opened = self.inner.open(window);
            // Stops the server once it has answered.
            drop(self.upstream.borrow_mut().take());
            opened
        }
    }
    let gone = GoneAfterFirst {
        inner: &source,
        upstream: std::cell::RefCell::new(Some(upstream)),
    };
    let report = pull(
        &mut store,
        &gone,
        &source.scope(),
        &options(Range::Incremental),
        &NoProgress,
    );
    let error = report.error.expect("a failure");
    assert!(error.is_unreachable(), "{error}");
    assert!(
        error.to_string().ends_with("(gave up after 5 attempts)"),
        "{error}"
    );
    assert!(error.to_string().contains(&url), "{error}");
    assert_eq!(report.windows_done, 1);
}

// `sync --dry-run` (plupper_sync::compare): the same windows, nothing written.

fn compare_with(store: &Store, upstream: &Upstream, range: Range) -> Comparison {
    let source = source(upstream, PASSWORD);
    compare(store, &source, &options(range), &NoProgress)
}

/// What a dry run must leave as it is: the messages and the sync state.
fn state(store: &Store, upstream: &Upstream) -> (HashMap<String, usize>, usize) {
    let scope = source(upstream, PASSWORD).scope();
    (archived(store), store.synced_windows(&scope).unwrap().len())
}

#[test]
fn a_dry_run_on_an_archive_in_step_finds_no_difference() {
    let upstream = Upstream::start(dataset(2000), USER, PASSWORD, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    ok(&sync(&mut store, &upstream, Range::Incremental));
    let before = state(&store, &upstream);
    let requests = upstream.log().len();

    let comparison = compare_with(&store, &upstream, Range::Incremental);
    assert!(comparison.error.is_none(), "{:?}", comparison.error);
    assert!(comparison.in_step());
    let total = comparison.total();
    assert_eq!(total.upstream, upstream.len() as u64);
    assert_eq!(total.archived, upstream.len() as u64);
    assert_eq!((total.to_add, total.deleted_upstream), (0, 0));
    // The whole history, whatever the sync state says is settled.
    assert_eq!(comparison.windows.len() as u64, years_since_2000() + 1);
    assert_eq!(
        comparison.requests,
        (upstream.log().len() - requests) as u64
    );
    assert_eq!(state(&store, &upstream), before);
}

#[test]
fn a_dry_run_counts_additions_and_deletions_upstream_per_window() {
    let upstream = Upstream::start(dataset(1000), USER, PASSWORD, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    ok(&sync(&mut store, &upstream, Range::Incremental));
    // In 2009: one more copy of an archived message, and a new one; in 2011 one message
    // is deleted upstream; today a new one.
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let in_2009 = upstream
        .elements()
        .into_iter()
        .find(|e| e.contains(" 2009\\\""))
        .unwrap();
    upstream.add(in_2009.clone());
    upstream.add(message_on(day(2009, 6, 1), "10:00:00", "new in 2009"));
    let in_2011 = upstream
        .elements()
        .into_iter()
        .find(|e| e.contains(" 2011\\\""))
        .unwrap();
    assert!(upstream.remove(&in_2011));
    upstream.add(message_on(today(), "23:00:00", "new today"));
    let before = state(&store, &upstream);

    let comparison = compare_with(&store, &upstream, Range::Full);
    assert!(comparison.error.is_none(), "{:?}", comparison.error);
    assert!(!comparison.in_step());
    let differing: Vec<(String, u64, u64)> = comparison
        .windows
        .iter()
        .filter(|d| d.differs())
        .map(|d| (d.window.to_string(), d.to_add, d.deleted_upstream))
        .collect();
    assert_eq!(
        differing,
        [
            ("2009-01-01..2009-12-31".to_owned(), 2, 0),
            ("2011-01-01..2011-12-31".to_owned(), 0, 1),
            (format!("{}-01-01..", today().year()), 1, 0),
        ]
    );
    let total = comparison.total();
    assert_eq!((total.to_add, total.deleted_upstream), (3, 1));
    assert_eq!(total.upstream, upstream.len() as u64);
    assert_eq!(state(&store, &upstream), before, "nothing written");

    // A range compares only its days.
    let range = compare_with(
        &store,
        &upstream,
        Range::Between {
            from: Some(day(2011, 1, 1)),
            to: Some(day(2011, 12, 31)),
        },
    );
    assert_eq!(range.windows.len(), 1);
    assert_eq!(
        (range.total().to_add, range.total().deleted_upstream),
        (0, 1)
    );

    // What the dry run said is what a sync adds.
    let synced = sync(&mut store, &upstream, Range::Full);
    ok(&synced);
    assert_eq!(synced.applied.added, 3);
    let after = compare_with(&store, &upstream, Range::Full);
    assert_eq!(
        (after.total().to_add, after.total().deleted_upstream),
        (0, 1),
        "the deleted message stays in the archive"
    );
}

#[test]
fn a_dry_run_over_a_flaky_link_finds_the_same() {
    // The faults from the first request on: each run asks every window three times, so
    // the next run starts again with two failures.
    let upstream = Upstream::start(dataset(1500), USER, PASSWORD, Faults::flaky_link());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    ok(&sync(&mut store, &upstream, Range::Incremental));
    upstream.add(message_on(today(), "23:00:00", "new today"));
    let flaky = compare_with(&store, &upstream, Range::Full);
    assert!(flaky.error.is_none(), "{:?}", flaky.error);
    assert_eq!(flaky.retries, 2 * flaky.windows.len() as u64);
    assert_eq!(flaky.total().to_add, 1);
    upstream.set_faults(Faults::none());
    let quiet = compare_with(&store, &upstream, Range::Full);
    assert_eq!(quiet.retries, 0);
    assert_eq!(flaky.windows, quiet.windows);
}

#[test]
fn a_dry_run_cuts_dense_windows_as_a_sync_does() {
    let upstream = Upstream::start(corpus(20_000, 4), USER, PASSWORD, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    ok(&sync(&mut store, &upstream, Range::Incremental));
    let source = source(&upstream, PASSWORD);
    let mut options = options(Range::Full);
    options.window_budget = 512 << 10;
    let comparison = compare(&store, &source, &options, &NoProgress);
    assert!(comparison.in_step(), "{:?}", comparison.error);
    assert_eq!(
        comparison.splits,
        dense_years(&upstream, options.window_budget)
    );
    assert_eq!(comparison.total().upstream, 20_000);
}

/// An upstream in memory: every element written on `day`, listed for the windows that
/// hold it.
struct ListedOn {
    day: NaiveDate,
    elements: Vec<String>,
}

impl plupper_sync::source::Source for ListedOn {
    type Unit = plupper_sync::window::Window;
    type Error = SyncError;

    fn describe(&self, window: &Self::Unit) -> String {
        format!("memory {window}")
    }

    fn open(&self, window: &Self::Unit) -> Result<plupper_sync::source::Opened, SyncError> {
        let listed: &[String] = if window.contains(self.day) {
            &self.elements
        } else {
            &[]
        };
        let body = format!("[{}]", listed.join(","));
        Ok(plupper_sync::source::Opened {
            len: Some(body.len() as u64),
            reader: Box::new(std::io::Cursor::new(body.into_bytes())),
            format: plupper_sync::scan::Format::List,
        })
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// What a dry run says a sync would add is what the sync adds (the store's §1b rule
    /// as the oracle), and what it says the upstream no longer lists stays so after it.
    #[test]
    fn a_dry_run_predicts_what_a_sync_adds(
        archived in proptest::collection::vec(0u8..5, 0..12),
        listed in proptest::collection::vec(0u8..5, 0..12),
    ) {
        let day = NaiveDate::from_ymd_opt(2009, 4, 29).unwrap();
        let element = |n: &u8| message_on(day, "10:00:00", &format!("message {n}"));
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let before = ListedOn { day, elements: archived.iter().map(element).collect() };
        let scope = plupper_store::SyncScope { url: "memory".into(), user: USER.into() };
        let seeded = pull(&mut store, &before, &scope, &options(Range::Full), &NoProgress);
        proptest::prop_assert!(seeded.error.is_none());

        let upstream = ListedOn { day, elements: listed.iter().map(element).collect() };
        let dry = compare(&store, &upstream, &options(Range::Full), &NoProgress);
        proptest::prop_assert!(dry.error.is_none());
        let synced = pull(&mut store, &upstream, &scope, &options(Range::Full), &NoProgress);
        proptest::prop_assert!(synced.error.is_none());
        proptest::prop_assert_eq!(dry.total().to_add, synced.applied.added);
        let after = compare(&store, &upstream, &options(Range::Full), &NoProgress);
        proptest::prop_assert_eq!(after.total().to_add, 0);
        proptest::prop_assert_eq!(after.total().deleted_upstream, dry.total().deleted_upstream);
        proptest::prop_assert_eq!(dry.total().upstream, listed.len() as u64);
    }
}
