//! `sync --dry-run`: pull windows as a sync would and compare each with what the archive
//! holds of its days, writing nothing.
//!
//! For each window the upstream's answer is counted by message (the §1b identity, the
//! [`Fingerprint`]) and set against the archive's copies of the messages written on the
//! window's days ([`Store::fingerprint_counts`]). A message the upstream lists N times and
//! the archive holds M times is N − M messages *to add* when N > M (what a sync would add),
//! and M − N messages *deleted upstream* when M > N (the upstream no longer returns them;
//! they stay in the archive). The plan, the parts of a window too large, the retries and
//! the request count are the sync's ([`pull`](crate::pull)); the sync state is neither read
//! nor written: a comparison covers the whole history, or the range asked for.

use std::collections::HashMap;

use plupper_model::Fingerprint;
use plupper_model::element::parse_element;
use plupper_store::Store;

use crate::SyncError;
use crate::pull::{Driver, Outcome, PullOptions, PullProgress, label_url, open_within_budget};
use crate::scan::{ListScanner, ScanItem};
use crate::source::Source;
use crate::window::{PlanOptions, Range, Window, plan};

/// One window compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowDifference {
    /// The window.
    pub window: Window,
    /// Messages the upstream lists for it (elements that cannot be read not counted).
    pub upstream: u64,
    /// Messages the archive holds written on its days.
    pub archived: u64,
    /// Copies a sync would add: over every message, what the upstream lists beyond what
    /// the archive holds.
    pub to_add: u64,
    /// Archived copies the upstream no longer lists.
    pub deleted_upstream: u64,
    /// Elements of the answer that are not messages (a sync puts them in quarantine).
    pub unreadable: u64,
}

impl WindowDifference {
    /// Whether the archive and the upstream differ on this window.
    pub fn differs(&self) -> bool {
        self.to_add > 0 || self.deleted_upstream > 0
    }
}

/// What a comparison found, also when it stopped early.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Every window compared, in order (the parts of a window too large in its place).
    pub windows: Vec<WindowDifference>,
    /// Requests made (every attempt).
    pub requests: u64,
    /// Attempts that failed and were made again.
    pub retries: u64,
    /// Windows pulled in parts for their size.
    pub splits: u64,
    /// Why the comparison stopped before the end, if it did: then it is incomplete.
    pub error: Option<SyncError>,
}

impl Comparison {
    /// The sum over the windows (its `window` is the first window's start to the last
    /// window's end).
    pub fn total(&self) -> WindowDifference {
        let mut total = WindowDifference {
            window: Window {
                from: self.windows.first().and_then(|w| w.window.from),
                to: self.windows.last().and_then(|w| w.window.to),
            },
            upstream: 0,
            archived: 0,
            to_add: 0,
            deleted_upstream: 0,
            unreadable: 0,
        };
        for w in &self.windows {
            total.upstream += w.upstream;
            total.archived += w.archived;
            total.to_add += w.to_add;
            total.deleted_upstream += w.deleted_upstream;
            total.unreadable += w.unreadable;
        }
        total
    }

    /// Whether the comparison is complete and found no difference.
    pub fn in_step(&self) -> bool {
        self.error.is_none() && !self.windows.iter().any(WindowDifference::differs)
    }
}

/// Compares `store` with `source` over the days of `options.plan.range` (an
/// incremental range means the whole history: a comparison has no sync state to start
/// from), writing nothing.
///
/// ```no_run
/// use chrono::NaiveDate;
/// use plupper_store::Store;
/// use plupper_sync::compare::compare;
/// use plupper_sync::http::{HttpConfig, HttpSource, Password};
/// use plupper_sync::load::NoProgress;
/// use plupper_sync::pull::PullOptions;
///
/// let store = Store::open("archive".as_ref())?;
/// let source = HttpSource::new(HttpConfig::new("https://api.plupper.com", "john", Password::new("secret".into())))?;
/// let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
/// let comparison = compare(&store, &source, &PullOptions::new(today), &NoProgress);
/// let total = comparison.total();
/// println!("{} to add, {} deleted upstream", total.to_add, total.deleted_upstream);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare<S>(
    store: &Store,
    source: &S,
    options: &PullOptions,
    progress: &dyn PullProgress,
) -> Comparison
where
    S: Source<Unit = Window, Error = SyncError>,
{
    let range = match options.plan.range {
        Range::Incremental => Range::Full,
        range => range,
    };
    let windows = plan(
        &[],
        options.today,
        &PlanOptions {
            range,
            ..options.plan
        },
    );
    let mut comparison = Comparison::default();
    let mut driver = Driver::new(options, progress);
    let error = driver.run(
        windows,
        |window| count_window(source, window, options),
        |window, upstream: Counted| {
            let archived = store.fingerprint_counts(window.from, window.to)?;
            let difference = difference(*window, &upstream, &archived);
            tracing::info!(%window, to_add = difference.to_add, deleted_upstream = difference.deleted_upstream, "window compared");
            progress.window_compared(&difference);
            comparison.windows.push(difference);
            Ok(())
        },
    );
    comparison.error = error;
    comparison.requests = driver.requests;
    comparison.retries = driver.retries;
    comparison.splits = driver.splits;
    comparison
}

/// The upstream's answer for a window, counted.
#[derive(Debug, Default)]
struct Counted {
    copies: HashMap<Fingerprint, u64>,
    unreadable: u64,
}

/// One request for one window, its elements counted by fingerprint.
fn count_window<S>(
    source: &S,
    window: &Window,
    options: &PullOptions,
) -> Result<Outcome<Counted>, SyncError>
where
    S: Source<Unit = Window, Error = SyncError>,
{
    let (opened, over_budget) = match open_within_budget(source, window, options)? {
        Outcome::Done(opened) => opened,
        Outcome::TooLarge(parts) => return Ok(Outcome::TooLarge(parts)),
    };
    let url = || label_url(&source.describe(window));
    let mut counted = Counted::default();
    let mut scanner = ListScanner::new(opened.reader);
    while let Some(item) = scanner.next() {
        match item {
            Ok(ScanItem::Element(raw)) => match parse_element(&raw.bytes) {
                Ok(element) => {
                    *counted
                        .copies
                        .entry(element.message.fingerprint())
                        .or_default() += 1
                }
                Err(_) => counted.unreadable += 1,
            },
            Ok(ScanItem::Damage(damage)) => {
                return Err(SyncError::Damaged {
                    url: url(),
                    offset: damage.offset,
                    reason: damage.reason,
                });
            }
            Err(source) => {
                if over_budget.load(std::sync::atomic::Ordering::Relaxed)
                    && let Some(parts) = window.parts(options.today)
                {
                    return Ok(Outcome::TooLarge(parts));
                }
                return Err(SyncError::Transfer {
                    url: url(),
                    offset: scanner.offset(),
                    source,
                });
            }
        }
    }
    Ok(Outcome::Done(counted))
}

/// Sets a window's upstream counts against the archive's.
fn difference(
    window: Window,
    upstream: &Counted,
    archived: &HashMap<Fingerprint, u64>,
) -> WindowDifference {
    let mut result = WindowDifference {
        window,
        upstream: upstream.copies.values().sum(),
        archived: archived.values().sum(),
        to_add: 0,
        deleted_upstream: 0,
        unreadable: upstream.unreadable,
    };
    for (fingerprint, &listed) in &upstream.copies {
        let held = archived.get(fingerprint).copied().unwrap_or(0);
        result.to_add += listed.saturating_sub(held);
    }
    for (fingerprint, &held) in archived {
        let listed = upstream.copies.get(fingerprint).copied().unwrap_or(0);
        result.deleted_upstream += held.saturating_sub(listed);
    }
    result
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fingerprint(n: u8) -> Fingerprint {
        Fingerprint([n; 16])
    }

    #[test]
    fn differences_follow_the_same_message_rule() {
        // Listed: a ×3, b ×1, c ×1. Archived: a ×1, b ×2, d ×1.
        let upstream = Counted {
            copies: HashMap::from([
                (fingerprint(1), 3),
                (fingerprint(2), 1),
                (fingerprint(3), 1),
            ]),
            unreadable: 1,
        };
        let archived = HashMap::from([
            (fingerprint(1), 1),
            (fingerprint(2), 2),
            (fingerprint(4), 1),
        ]);
        let window = Window {
            from: None,
            to: None,
        };
        let d = difference(window, &upstream, &archived);
        assert_eq!((d.upstream, d.archived), (5, 4));
        assert_eq!(d.to_add, 2 + 1, "two more copies of a, and c");
        assert_eq!(d.deleted_upstream, 1 + 1, "one copy of b, and d");
        assert_eq!(d.unreadable, 1);
        assert!(d.differs());
        let same = difference(window, &upstream, &upstream.copies);
        assert_eq!((same.to_add, same.deleted_upstream), (0, 0));
        assert!(!same.differs());
    }
}
