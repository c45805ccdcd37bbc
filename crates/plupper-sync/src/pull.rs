//! A sync: plan the date windows, then pull each from a [`Source`] and apply it all or
//! nothing, together with its sync-state row.
//!
//! Each window is one atomic unit ([`Store::begin_atomic`]): its response streams through
//! the scanner and the parallel parser into one transaction, which commits with the
//! window's row in the sync state ([`Reconciler::finish_window`]). A response that breaks
//! off, is not a JSON list, or is cut off inside the list leaves nothing behind, and the
//! window is asked for again. Whatever stops a sync (an error, Ctrl-C, kill -9, a power
//! loss), the archive holds exactly the windows whose rows it holds, and the next sync's
//! [`plan`] starts at the first window that is not there.
//!
//! A window whose response grows past the window budget is abandoned and split in two
//! ([`Window::split`]); one day, or a window with an open start, is pulled whatever its
//! size.
//!
//! [`Reconciler::finish_window`]: plupper_store::Reconciler::finish_window

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::NaiveDate;

use plupper_store::{Applied, Store, StoreError, SyncScope, WindowRecord};

use crate::load::{LoadError, OnDamage, Progress, UnitReport};
use crate::retry::{RetryPolicy, jitter_unit};
use crate::source::{Opened, Source, load_opened};
use crate::window::{PlanOptions, Pulled, Window, plan};

/// What can go wrong in a sync.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The base URL is not usable (it is shown without any credentials it held).
    #[error("invalid URL {url}: {reason}")]
    InvalidUrl {
        /// The URL, credentials removed.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The server refused the user name and password (HTTP 401 or 403).
    #[error("authentication failed for user {user} at {url}")]
    Auth {
        /// The user name.
        user: String,
        /// The base URL.
        url: String,
    },
    /// No response: the host is unknown or unreachable, the connection failed or timed
    /// out before the response headers.
    #[error("cannot reach {url}: {source}")]
    Connect {
        /// The request URL.
        url: String,
        /// Why.
        source: ureq::Error,
    },
    /// The server answered with an error status.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The request URL.
        url: String,
        /// The status code.
        status: u16,
        /// How long the server asked to wait (`Retry-After`, in seconds).
        retry_after: Option<Duration>,
    },
    /// The response broke off or timed out while its body was read; nothing of the
    /// window was applied.
    #[error(
        "the response from {url} broke off {}: {source}; nothing of the window was applied",
        if *.offset == 0 { "before its first element was read whole".to_owned() } else { format!("after the elements up to byte {offset} were read") }
    )]
    Transfer {
        /// The request URL.
        url: String,
        /// The end of the last element read whole before it broke off.
        offset: u64,
        /// Why.
        source: io::Error,
    },
    /// The response is not an API list response, or is cut off inside the list; nothing
    /// of the window was applied.
    #[error(
        "the response from {url} is damaged at byte {offset}: {reason}; nothing of the window was applied"
    )]
    Damaged {
        /// The request URL.
        url: String,
        /// Where.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// The archive failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A failure that may pass did not, after every retry.
    #[error("{last} (gave up after {})", plupper_model::plural::counted(*.attempts, "attempt"))]
    GaveUp {
        /// How many attempts were made.
        attempts: u32,
        /// The last attempt's failure.
        last: Box<SyncError>,
    },
}

impl SyncError {
    /// Whether trying again may help: connection failures and time-outs, a body cut off
    /// or damaged, HTTP 429 and 5xx. Never other 4xx (401 and 403 included).
    pub fn is_retryable(&self) -> bool {
        match self {
            SyncError::Connect { .. } | SyncError::Transfer { .. } | SyncError::Damaged { .. } => {
                true
            }
            SyncError::Status { status, .. } => *status == 429 || (500..=599).contains(status),
            _ => false,
        }
    }

    /// Whether this is the user's input being wrong (the CLI's exit status 2) rather than
    /// a failure (1).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, SyncError::InvalidUrl { .. })
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            SyncError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// How a sync runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullOptions {
    /// The local date (the last window reaches it, and beyond).
    pub today: NaiveDate,
    /// Which windows ([`plan`]).
    pub plan: PlanOptions,
    /// When to try again.
    pub retry: RetryPolicy,
    /// A window whose response is larger than this many bytes is split (unless it is one
    /// day or has an open start).
    pub window_budget: u64,
}

impl PullOptions {
    /// The defaults for `today`: an incremental plan, 5 retries, a 128 MiB window budget.
    pub fn new(today: NaiveDate) -> PullOptions {
        PullOptions {
            today,
            plan: PlanOptions::default(),
            retry: RetryPolicy::default(),
            window_budget: 128 << 20,
        }
    }
}

/// Hears how a sync is going. The CLI draws its progress from this; every method does
/// nothing by default.
pub trait PullProgress: Progress {
    /// `windows` are planned.
    fn planned(&self, windows: u64) {
        let _ = windows;
    }
    /// A window is requested.
    fn window_started(&self, window: &Window) {
        let _ = window;
    }
    /// A window is applied.
    fn window_finished(&self, window: &Window, report: &UnitReport) {
        let _ = (window, report);
    }
    /// A window was too large and is pulled as two halves instead.
    fn window_split(&self, window: &Window, halves: (Window, Window)) {
        let _ = (window, halves);
    }
    /// An attempt failed; the next one follows after `delay`.
    fn retrying(&self, window: &Window, error: &SyncError, delay: Duration) {
        let _ = (window, error, delay);
    }
}

impl PullProgress for crate::load::NoProgress {}

/// What a sync did, also when it stopped early.
#[derive(Debug, Default)]
pub struct PullReport {
    /// Windows planned (splits add one each).
    pub windows_planned: u64,
    /// Windows applied.
    pub windows_done: u64,
    /// Elements read in the applied windows.
    pub elements: u64,
    /// What the store did with them.
    pub applied: Applied,
    /// Elements archived with a warning.
    pub warnings: u64,
    /// Attempts that failed and were made again.
    pub retries: u64,
    /// Windows split for their size.
    pub splits: u64,
    /// Why the sync stopped before the end, if it did; the windows after it are pulled by
    /// the next sync.
    pub error: Option<SyncError>,
}

/// Syncs `store` from `source`: plans the windows from the sync state of `scope` and pulls
/// them in order; stops at the first window that fails for good.
///
/// ```no_run
/// use chrono::NaiveDate;
/// use plupper_store::Store;
/// use plupper_sync::http::{HttpConfig, HttpSource, Password};
/// use plupper_sync::load::NoProgress;
/// use plupper_sync::pull::{PullOptions, pull};
///
/// let mut store = Store::open("archive".as_ref())?;
/// let source = HttpSource::new(HttpConfig::new("https://api.plupper.com", "john", Password::new("secret".into())))?;
/// let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
/// let report = pull(&mut store, &source, &source.scope(), &PullOptions::new(today), &NoProgress);
/// println!("{} added", report.applied.added);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn pull<S>(
    store: &mut Store,
    source: &S,
    scope: &SyncScope,
    options: &PullOptions,
    progress: &dyn PullProgress,
) -> PullReport
where
    S: Source<Unit = Window, Error = SyncError>,
{
    let mut report = PullReport::default();
    let pulled: Vec<Pulled> = match store.synced_windows(scope) {
        Ok(rows) => rows
            .into_iter()
            .map(|row| Pulled {
                window: Window {
                    from: row.record.from,
                    to: row.record.to,
                },
                pulled_on: row.record.pulled_on,
            })
            .collect(),
        Err(error) => {
            report.error = Some(error.into());
            return report;
        }
    };
    let mut queue: VecDeque<Window> = plan(&pulled, options.today, &options.plan).into();
    report.windows_planned = queue.len() as u64;
    progress.planned(report.windows_planned);
    while let Some(window) = queue.pop_front() {
        progress.window_started(&window);
        match pull_window(
            store,
            source,
            scope,
            &window,
            options,
            progress,
            &mut report,
        ) {
            Ok(Outcome::Applied(unit)) => {
                report.windows_done += 1;
                report.elements += unit.elements;
                report.applied += unit.applied;
                report.warnings += unit.warnings;
                progress.window_finished(&window, &unit);
            }
            Ok(Outcome::TooLarge(halves)) => {
                report.splits += 1;
                report.windows_planned += 1;
                progress.window_split(&window, halves);
                queue.push_front(halves.1);
                queue.push_front(halves.0);
            }
            Err(error) => {
                report.error = Some(error);
                break;
            }
        }
    }
    report
}

enum Outcome {
    Applied(UnitReport),
    TooLarge((Window, Window)),
}

/// One window, retried as the policy says.
fn pull_window<S>(
    store: &mut Store,
    source: &S,
    scope: &SyncScope,
    window: &Window,
    options: &PullOptions,
    progress: &dyn PullProgress,
    report: &mut PullReport,
) -> Result<Outcome, SyncError>
where
    S: Source<Unit = Window, Error = SyncError>,
{
    let mut retry = 0;
    loop {
        match attempt(store, source, scope, window, options, progress) {
            Ok(outcome) => return Ok(outcome),
            Err(error) if error.is_retryable() && retry < options.retry.retries => {
                let delay = options
                    .retry
                    .delay(retry, error.retry_after(), jitter_unit());
                tracing::info!(%window, %error, ?delay, "retrying");
                progress.retrying(window, &error, delay);
                std::thread::sleep(delay);
                retry += 1;
                report.retries += 1;
            }
            Err(error) if error.is_retryable() => {
                return Err(SyncError::GaveUp {
                    attempts: retry + 1,
                    last: Box::new(error),
                });
            }
            Err(error) => return Err(error),
        }
    }
}

/// One request for one window, applied all or nothing.
fn attempt<S>(
    store: &mut Store,
    source: &S,
    scope: &SyncScope,
    window: &Window,
    options: &PullOptions,
    progress: &dyn PullProgress,
) -> Result<Outcome, SyncError>
where
    S: Source<Unit = Window, Error = SyncError>,
{
    let halves = window.split(options.today);
    let opened = source.open(window)?;
    if let (Some(halves), Some(len)) = (halves, opened.len)
        && len > options.window_budget
    {
        return Ok(Outcome::TooLarge(halves));
    }
    let over_budget = Arc::new(AtomicBool::new(false));
    let budget = if halves.is_some() {
        options.window_budget
    } else {
        u64::MAX
    };
    let opened = Opened {
        reader: Box::new(Budgeted {
            inner: opened.reader,
            left: budget,
            over: over_budget.clone(),
        }),
        ..opened
    };
    let label = source.describe(window);
    let mut unit = store.begin_atomic(&label)?;
    let loaded = load_opened(&mut unit, opened, OnDamage::Fail, progress);
    if let (Err(_), Some(halves)) = (&loaded, halves)
        && over_budget.load(Ordering::Relaxed)
    {
        // Dropping `unit` rolls the window back.
        return Ok(Outcome::TooLarge(halves));
    }
    // On an error, dropping `unit` rolls the window back.
    match loaded {
        Ok(loaded) => {
            let record = WindowRecord {
                from: window.from,
                to: window.to,
                pulled_on: options.today,
                elements: loaded.elements,
                applied: loaded.applied,
            };
            unit.finish_window(scope, &record)?;
            Ok(Outcome::Applied(loaded))
        }
        Err(LoadError::Read { offset, source }) => Err(SyncError::Transfer {
            url: label_url(&label),
            offset,
            source,
        }),
        Err(LoadError::Damaged { offset, reason }) => Err(SyncError::Damaged {
            url: label_url(&label),
            offset,
            reason,
        }),
        Err(LoadError::Store(error)) => Err(SyncError::Store(error)),
    }
}

/// The URL part of a source label (`GET URL`).
fn label_url(label: &str) -> String {
    label.strip_prefix("GET ").unwrap_or(label).to_owned()
}

/// A reader that fails once more than `left` bytes have come through, and says so.
struct Budgeted {
    inner: Box<dyn Read + Send>,
    left: u64,
    over: Arc<AtomicBool>,
}

impl Read for Budgeted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        match self.left.checked_sub(n as u64) {
            Some(left) => {
                self.left = left;
                Ok(n)
            }
            None => {
                self.over.store(true, Ordering::Relaxed);
                Err(io::Error::other(
                    "the response is larger than the window budget",
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: a body that broke off inside its first element said "after byte 0",
    /// though bytes had arrived.
    #[test]
    fn a_transfer_error_says_how_far_whole_elements_were_read() {
        let error = |offset| {
            SyncError::Transfer {
                url: "http://h/resources/message".into(),
                offset,
                source: io::Error::new(io::ErrorKind::UnexpectedEof, "cut"),
            }
            .to_string()
        };
        assert_eq!(
            error(0),
            "the response from http://h/resources/message broke off before its first element was read whole: cut; nothing of the window was applied"
        );
        assert_eq!(
            error(120),
            "the response from http://h/resources/message broke off after the elements up to byte 120 were read: cut; nothing of the window was applied"
        );
    }
}
