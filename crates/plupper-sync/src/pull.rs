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
//! A window whose response grows past the window budget is abandoned and its parts are
//! pulled instead ([`Window::parts`]: months, then halves); one day, or a window with an
//! open start, is pulled whatever its size. Empty and small windows are applied whole, so
//! a sparse history costs a request per year, a dense one more requests where it is dense.
//!
//! Every attempt counts as a request ([`PullReport::requests`]). Failures that may pass
//! are retried ([`RetryPolicy`]); a connection that fails before the upstream has answered
//! anything gets only [`RetryPolicy::unreachable_retries`].
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

    /// Whether no response came at all (the host is unknown or unreachable, nothing
    /// listens, or the connection timed out before the headers), also after retries.
    pub fn is_unreachable(&self) -> bool {
        match self {
            SyncError::Connect { .. } => true,
            SyncError::GaveUp { last, .. } => last.is_unreachable(),
            _ => false,
        }
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
    /// A window whose response is larger than this many bytes is pulled in parts instead
    /// ([`Window::parts`]), unless it is one day or has an open start. It also bounds
    /// what one transaction carries, and so what an interrupted sync pulls again.
    pub window_budget: u64,
}

/// The default [`PullOptions::window_budget`]: 32 MiB, some 100,000 messages.
pub const WINDOW_BUDGET: u64 = 32 << 20;

impl PullOptions {
    /// The defaults for `today`: an incremental plan, the default retries, a 32 MiB
    /// window budget ([`WINDOW_BUDGET`]).
    pub fn new(today: NaiveDate) -> PullOptions {
        PullOptions {
            today,
            plan: PlanOptions::default(),
            retry: RetryPolicy::default(),
            window_budget: WINDOW_BUDGET,
        }
    }
}

/// One failed attempt, as [`PullProgress::retrying`] hears of it.
#[derive(Debug)]
pub struct Retry<'a> {
    /// The window asked for.
    pub window: &'a Window,
    /// Why the attempt failed.
    pub error: &'a SyncError,
    /// The wait before the next attempt.
    pub delay: Duration,
    /// Which retry comes next (1 for the first).
    pub number: u32,
    /// How many retries this failure is given in all.
    pub of: u32,
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
    /// A window was too large and is pulled as these parts instead.
    fn window_split(&self, window: &Window, parts: &[Window]) {
        let _ = (window, parts);
    }
    /// An attempt failed; the next one follows after the retry's delay.
    fn retrying(&self, retry: &Retry<'_>) {
        let _ = retry;
    }
    /// A window is compared ([`compare`](crate::compare::compare)).
    fn window_compared(&self, difference: &crate::compare::WindowDifference) {
        let _ = difference;
    }
}

impl PullProgress for crate::load::NoProgress {}

/// What a sync did, also when it stopped early.
#[derive(Debug, Default)]
pub struct PullReport {
    /// Windows planned (a window pulled in parts counts as its parts).
    pub windows_planned: u64,
    /// Windows applied.
    pub windows_done: u64,
    /// Requests made (every attempt, the failed and the abandoned ones included).
    pub requests: u64,
    /// Elements read in the applied windows.
    pub elements: u64,
    /// What the store did with them.
    pub applied: Applied,
    /// Elements archived with a warning.
    pub warnings: u64,
    /// Attempts that failed and were made again.
    pub retries: u64,
    /// Windows pulled in parts for their size.
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
/// println!("{} added in {} requests", report.applied.added, report.requests);
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
    let windows = plan(&pulled, options.today, &options.plan);
    let mut driver = Driver::new(options, progress);
    let error = driver.run(
        windows,
        |window| attempt(store, source, scope, window, options, progress),
        |window, unit: UnitReport| {
            report.windows_done += 1;
            report.elements += unit.elements;
            report.applied += unit.applied;
            report.warnings += unit.warnings;
            progress.window_finished(window, &unit);
            tracing::info!(%window, added = unit.applied.added, elements = unit.elements, "window applied");
            Ok(())
        },
    );
    report.error = error;
    report.windows_planned = driver.planned;
    report.requests = driver.requests;
    report.retries = driver.retries;
    report.splits = driver.splits;
    tracing::info!(
        requests = report.requests,
        windows = report.windows_done,
        retries = report.retries,
        "sync finished"
    );
    report
}

/// What one attempt at a window came to.
pub(crate) enum Outcome<T> {
    /// The window is done.
    Done(T),
    /// The window is too large: these parts are pulled instead.
    TooLarge(Vec<Window>),
}

/// Works through a queue of windows for a sync or a comparison: each attempt retried as
/// the policy says, a window too large replaced by its parts; counts what it does.
pub(crate) struct Driver<'a> {
    options: &'a PullOptions,
    progress: &'a dyn PullProgress,
    /// Windows planned (a window pulled in parts counts as its parts).
    pub planned: u64,
    /// Requests made.
    pub requests: u64,
    /// Attempts made again.
    pub retries: u64,
    /// Windows replaced by their parts.
    pub splits: u64,
    /// Whether the upstream has answered at all (any status, any body).
    answered: bool,
}

impl<'a> Driver<'a> {
    pub(crate) fn new(options: &'a PullOptions, progress: &'a dyn PullProgress) -> Driver<'a> {
        Driver {
            options,
            progress,
            planned: 0,
            requests: 0,
            retries: 0,
            splits: 0,
            answered: false,
        }
    }

    /// Runs `attempt` on each window in order until all are done (`done` takes each
    /// result) or one fails for good (or `done` fails), which is returned.
    pub(crate) fn run<T>(
        &mut self,
        windows: Vec<Window>,
        mut attempt: impl FnMut(&Window) -> Result<Outcome<T>, SyncError>,
        mut done: impl FnMut(&Window, T) -> Result<(), SyncError>,
    ) -> Option<SyncError> {
        let mut queue: VecDeque<Window> = windows.into();
        self.planned = queue.len() as u64;
        self.progress.planned(self.planned);
        while let Some(window) = queue.pop_front() {
            self.progress.window_started(&window);
            match self.retried(&window, &mut attempt) {
                Ok(Outcome::Done(value)) => {
                    if let Err(error) = done(&window, value) {
                        return Some(error);
                    }
                }
                Ok(Outcome::TooLarge(parts)) => {
                    self.splits += 1;
                    // The window's place goes to its parts.
                    self.planned += parts.len().saturating_sub(1) as u64;
                    self.progress.window_split(&window, &parts);
                    tracing::info!(%window, parts = parts.len(), "too large: pulled in parts");
                    for part in parts.into_iter().rev() {
                        queue.push_front(part);
                    }
                }
                Err(error) => return Some(error),
            }
        }
        None
    }

    /// One window, retried as the policy says. A connection that fails before the
    /// upstream has ever answered is given only the policy's `unreachable_retries`: a
    /// wrong URL or a server that is down fails in a second, not after the whole backoff
    /// meant for a server that answered with an error.
    fn retried<T>(
        &mut self,
        window: &Window,
        attempt: &mut impl FnMut(&Window) -> Result<Outcome<T>, SyncError>,
    ) -> Result<Outcome<T>, SyncError> {
        let policy = &self.options.retry;
        let mut retry = 0;
        loop {
            self.requests += 1;
            let result = attempt(window);
            let unreachable = matches!(result, Err(SyncError::Connect { .. }));
            self.answered |= !unreachable;
            let error = match result {
                Ok(outcome) => return Ok(outcome),
                Err(error) => error,
            };
            let allowed = if unreachable && !self.answered {
                policy.retries.min(policy.unreachable_retries)
            } else {
                policy.retries
            };
            if !error.is_retryable() {
                return Err(error);
            }
            if retry >= allowed {
                return Err(SyncError::GaveUp {
                    attempts: retry + 1,
                    last: Box::new(error),
                });
            }
            let delay = policy.delay(retry, error.retry_after(), jitter_unit());
            tracing::debug!(%window, %error, ?delay, "retrying");
            self.progress.retrying(&Retry {
                window,
                error: &error,
                delay,
                number: retry + 1,
                of: allowed,
            });
            std::thread::sleep(delay);
            retry += 1;
            self.retries += 1;
        }
    }
}

/// Opens `window` at `source`, or says that it is too large: its declared length, or
/// what it sends, goes past the window budget (one day, or an open start, is read
/// whatever its size). The reader fails once past the budget and sets the flag returned.
pub(crate) fn open_within_budget<S>(
    source: &S,
    window: &Window,
    options: &PullOptions,
) -> Result<Outcome<(Opened, Arc<AtomicBool>)>, SyncError>
where
    S: Source<Unit = Window, Error = SyncError>,
{
    let parts = window.parts(options.today);
    let opened = source.open(window)?;
    if let (Some(parts), Some(len)) = (&parts, opened.len)
        && len > options.window_budget
    {
        return Ok(Outcome::TooLarge(parts.clone()));
    }
    let over_budget = Arc::new(AtomicBool::new(false));
    let budget = if parts.is_some() {
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
    Ok(Outcome::Done((opened, over_budget)))
}

/// One request for one window, applied all or nothing.
fn attempt<S>(
    store: &mut Store,
    source: &S,
    scope: &SyncScope,
    window: &Window,
    options: &PullOptions,
    progress: &dyn PullProgress,
) -> Result<Outcome<UnitReport>, SyncError>
where
    S: Source<Unit = Window, Error = SyncError>,
{
    let (opened, over_budget) = match open_within_budget(source, window, options)? {
        Outcome::Done(opened) => opened,
        Outcome::TooLarge(parts) => return Ok(Outcome::TooLarge(parts)),
    };
    let label = source.describe(window);
    let mut unit = store.begin_atomic(&label)?;
    let loaded = load_opened(&mut unit, opened, OnDamage::Fail, progress);
    if loaded.is_err()
        && over_budget.load(Ordering::Relaxed)
        && let Some(parts) = window.parts(options.today)
    {
        // Dropping `unit` rolls the window back.
        return Ok(Outcome::TooLarge(parts));
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
            Ok(Outcome::Done(loaded))
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
pub(crate) fn label_url(label: &str) -> String {
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
