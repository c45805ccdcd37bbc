//! Date windows: how a sync cuts the history into requests, and which to pull next.
//!
//! The API has no paging and no message ids, only the `from`/`to` filters on the calendar
//! date written in each message's `created`. A sync therefore asks for one *window* of
//! days at a time and applies each response as one unit (the §1b rule counts the copies
//! of a message within it; all copies of a message share its date, so any window holding
//! a day sees all of that day's copies).
//!
//! # Which windows
//!
//! [`plan`] is a pure function of what was pulled before, today's date and the options.
//! It plans *coarse* windows; the sync makes them finer only where the history is dense
//! ([`Window::parts`]), so an empty stretch of years costs one request per year, once:
//!
//! - **Years.** Windows are calendar years (`from` January 1st, `to` December 31st), cut
//!   further where a range starts or ends inside a year. A first full pull of a history
//!   written 2008 to 2012 asks 28 windows in 2026 (the open start and 27 years), not the
//!   325 months it took when windows were months.
//! - **The history's start is not guessed.** The first window has no `from`: it asks for
//!   everything written before [`EARLIEST`] (01/01/2000; normally an empty answer), and
//!   year windows follow from 2000.
//! - **The last window has no `to`**, so that a message dated after the local today (an
//!   upstream whose clock or time zone is ahead) is not left out. Together the windows of
//!   a full pull cover every possible date.
//! - **Settled days.** A day is *settled* when a window holding it was pulled completely
//!   on a date more than `overlap_days` (default 1) days later: nothing new can be written
//!   on it any more. An empty year is settled like any other window: it is one row of the
//!   sync state and is not asked for again. A plain `sync` pulls exactly the days that are
//!   not settled: on the first run everything; after an interrupted run, from the first
//!   unfinished window on (its earlier windows are settled); after a completed run, from
//!   the day before that run's date (the overlap that catches messages written late that
//!   day, and an upstream whose date is behind ours) up to today and beyond.
//! - `--full` ([`Range::Full`]) pulls everything again; `--from`/`--to`
//!   ([`Range::Between`]) pulls exactly that range, settled or not.
//!
//! # Finer where the history is dense
//!
//! A window whose response turns out larger than the sync's window budget is abandoned
//! (before its body is read, when the server sends its length) and its [`parts`] are
//! pulled instead: a window that spans more than one calendar month is cut into months
//! (an open end: the months up to today's, the last one open), a month or less is cut in
//! two halves ([`Window::split`]). A single day, or a window with an open start, is never
//! cut. Windows that hold little are applied whole, however many days they span: the
//! budget, not the calendar, decides how much one request and one transaction carry.
//!
//! [`parts`]: Window::parts
use chrono::{Datelike, Days, NaiveDate};

/// Before this day, the first window of a full pull has no `from`.
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(date) => date,
    None => panic!("a valid date"),
};

/// A range of days asked for in one request: `from` and `to` inclusive, `None` meaning
/// the parameter is left out (no bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// The first day; `None`: everything before `to`.
    pub from: Option<NaiveDate>,
    /// The last day; `None`: everything from `from` on.
    pub to: Option<NaiveDate>,
}

impl Window {
    /// The window of the days `from` to `to`, both included.
    pub fn days(from: NaiveDate, to: NaiveDate) -> Window {
        Window {
            from: Some(from),
            to: Some(to),
        }
    }

    /// The first day, `NaiveDate::MIN` for an open start.
    pub(crate) fn first_day(&self) -> NaiveDate {
        self.from.unwrap_or(NaiveDate::MIN)
    }

    /// The last day, `NaiveDate::MAX` for an open end.
    pub fn last_day(&self) -> NaiveDate {
        self.to.unwrap_or(NaiveDate::MAX)
    }

    /// Whether `day` is in the window.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.first_day() <= day && day <= self.last_day()
    }

    /// Two halves that together are this window, or `None` when it cannot be split (one
    /// day, an open start, or an open end starting after `today`). An open end is split
    /// at `today`: the days up to today, and the open rest.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use plupper_sync::window::Window;
    ///
    /// let day = |d| NaiveDate::from_ymd_opt(2009, 4, d).unwrap();
    /// let (a, b) = Window::days(day(1), day(30)).split(day(30)).unwrap();
    /// assert_eq!((a, b), (Window::days(day(1), day(15)), Window::days(day(16), day(30))));
    /// assert_eq!(Window::days(day(7), day(7)).split(day(30)), None);
    /// ```
    pub fn split(&self, today: NaiveDate) -> Option<(Window, Window)> {
        let from = self.from?;
        let to = match self.to {
            Some(to) => to,
            None if from <= today => {
                let rest = today.checked_add_days(Days::new(1))?;
                return Some((
                    Window::days(from, today),
                    Window {
                        from: Some(rest),
                        to: None,
                    },
                ));
            }
            None => return None,
        };
        if from >= to {
            return None;
        }
        let half = (to - from).num_days() as u64 / 2;
        let mid = from.checked_add_days(Days::new(half))?;
        let next = mid.checked_add_days(Days::new(1))?;
        Some((Window::days(from, mid), Window::days(next, to)))
    }
}

impl Window {
    /// The windows to pull instead of this one when its response is too large, in
    /// order, together exactly this window; `None` when it cannot be cut (one day, an
    /// open start, or an open end starting after `today`). A window spanning more than
    /// one calendar month is cut into its months (an open end: the months up to
    /// `today`'s, that last one open); a month or less in two halves ([`Window::split`]).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use plupper_sync::window::Window;
    ///
    /// let day = |m, d| NaiveDate::from_ymd_opt(2009, m, d).unwrap();
    /// let year = Window::days(day(1, 1), day(12, 31));
    /// let months = year.parts(day(12, 31)).unwrap();
    /// assert_eq!(months.len(), 12);
    /// assert_eq!(months[1], Window::days(day(2, 1), day(2, 28)));
    /// let april = Window::days(day(4, 1), day(4, 30)).parts(day(12, 31)).unwrap();
    /// assert_eq!(april, [Window::days(day(4, 1), day(4, 15)), Window::days(day(4, 16), day(4, 30))]);
    /// ```
    pub fn parts(&self, today: NaiveDate) -> Option<Vec<Window>> {
        let from = self.from?;
        let last = match self.to {
            Some(to) => to,
            None if from <= today => NaiveDate::MAX,
            None => return None,
        };
        // How far the window reaches: its last day, or today for an open end.
        let reach = if self.to.is_some() {
            last
        } else {
            today.max(from)
        };
        if last_of_month(from) >= reach {
            // Within one month: halves.
            let (a, b) = self.split(today)?;
            return Some(vec![a, b]);
        }
        let mut months = Vec::new();
        cut_months(from, last, today, &mut months);
        Some(months)
    }
}

impl std::fmt::Display for Window {
    /// `2009-04-01..2009-04-30`, `..1999-12-31`, `2026-11-01..`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(from) = self.from {
            write!(f, "{from}")?;
        }
        f.write_str("..")?;
        if let Some(to) = self.to {
            write!(f, "{to}")?;
        }
        Ok(())
    }
}

/// A window that was pulled completely, and the local date it was pulled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pulled {
    /// The window.
    pub window: Window,
    /// The local date of the sync that pulled it.
    pub pulled_on: NaiveDate,
}

/// Which days a sync pulls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Range {
    /// The days not settled yet (a plain `sync`).
    #[default]
    Incremental,
    /// Everything, settled or not (`sync --full`).
    Full,
    /// Exactly these days (`sync --from DATE --to DATE`); a bound left out is open.
    Between {
        /// The first day.
        from: Option<NaiveDate>,
        /// The last day.
        to: Option<NaiveDate>,
    },
}

/// How [`plan`] cuts the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanOptions {
    /// Which days.
    pub range: Range,
    /// Before this day, one window with no `from` asks for everything ([`EARLIEST`]).
    pub earliest: NaiveDate,
    /// A day is settled only when it was pulled more than this many days after it.
    pub overlap_days: u32,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            range: Range::Incremental,
            earliest: EARLIEST,
            overlap_days: 1,
        }
    }
}

/// The windows to pull, in order, given the windows pulled before (in any order) and the
/// local date `today`. See the [module documentation](self) for the rules.
///
/// ```
/// use chrono::NaiveDate;
/// use plupper_sync::window::{plan, PlanOptions, Pulled, Window};
///
/// let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// let today = day(2026, 11, 25);
/// let first = plan(&[], today, &PlanOptions::default());
/// assert_eq!(first[0], Window { from: None, to: Some(day(1999, 12, 31)) });
/// assert_eq!(first[1], Window::days(day(2000, 1, 1), day(2000, 12, 31)));
/// assert_eq!(*first.last().unwrap(), Window { from: Some(day(2026, 1, 1)), to: None });
/// assert_eq!(first.len(), 28);
///
/// // All pulled today; the next sync, a week later, starts the day before today.
/// let pulled: Vec<_> = first.iter().map(|&window| Pulled { window, pulled_on: today }).collect();
/// let next = plan(&pulled, day(2026, 12, 2), &PlanOptions::default());
/// assert_eq!(next, [Window { from: Some(day(2026, 11, 24)), to: None }]);
/// ```
pub fn plan(pulled: &[Pulled], today: NaiveDate, options: &PlanOptions) -> Vec<Window> {
    let mut windows = Vec::new();
    match options.range {
        Range::Full => cut(
            NaiveDate::MIN,
            NaiveDate::MAX,
            today,
            options.earliest,
            &mut windows,
        ),
        Range::Between { from, to } => cut(
            from.unwrap_or(NaiveDate::MIN),
            to.unwrap_or(NaiveDate::MAX),
            today,
            options.earliest,
            &mut windows,
        ),
        Range::Incremental => {
            for (first, last) in unsettled(pulled, options.overlap_days) {
                cut(first, last, today, options.earliest, &mut windows);
            }
        }
    }
    windows
}

/// The settled days, as sorted, disjoint, non-adjacent (first, last) ranges.
pub fn settled(pulled: &[Pulled], overlap_days: u32) -> Vec<(NaiveDate, NaiveDate)> {
    let mut ranges: Vec<(NaiveDate, NaiveDate)> = pulled
        .iter()
        .filter_map(|p| {
            let limit = p
                .pulled_on
                .checked_sub_days(Days::new(u64::from(overlap_days) + 1))?;
            let last = p.window.last_day().min(limit);
            (p.window.first_day() <= last).then_some((p.window.first_day(), last))
        })
        .collect();
    ranges.sort();
    let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(ranges.len());
    for (first, last) in ranges {
        match merged.last_mut() {
            Some(previous) if previous.1 >= first || previous.1.succ_opt() == Some(first) => {
                previous.1 = previous.1.max(last);
            }
            _ => merged.push((first, last)),
        }
    }
    merged
}

/// The days that are not settled, as sorted (first, last) ranges; `NaiveDate::MIN` and
/// `NaiveDate::MAX` stand for open ends.
fn unsettled(pulled: &[Pulled], overlap_days: u32) -> Vec<(NaiveDate, NaiveDate)> {
    let mut gaps = Vec::new();
    let mut next = Some(NaiveDate::MIN);
    for (first, last) in settled(pulled, overlap_days) {
        if let (Some(start), Some(end)) = (next, first.pred_opt())
            && start <= end
        {
            gaps.push((start, end));
        }
        next = last.succ_opt();
    }
    if let Some(start) = next {
        gaps.push((start, NaiveDate::MAX));
    }
    gaps
}

/// Cuts the days `first..=last` into windows: an open start before `earliest`, calendar
/// years, and an open end from the year of `today` on when `last` is open.
fn cut(
    mut first: NaiveDate,
    last: NaiveDate,
    today: NaiveDate,
    earliest: NaiveDate,
    out: &mut Vec<Window>,
) {
    if first == NaiveDate::MIN {
        let head_end = earliest.pred_opt().unwrap_or(NaiveDate::MIN).min(last);
        out.push(Window {
            from: None,
            to: (head_end != NaiveDate::MAX).then_some(head_end),
        });
        match head_end.succ_opt() {
            Some(next) if head_end < last => first = next,
            _ => return,
        }
    }
    cut_by(first, last, today, last_of_year, out);
}

/// Cuts the days `first..=last` into calendar months, the last one open when `last` is
/// open and the month reaches `today`.
fn cut_months(first: NaiveDate, last: NaiveDate, today: NaiveDate, out: &mut Vec<Window>) {
    cut_by(first, last, today, last_of_month, out);
}

/// Cuts the days `first..=last` at the days `period_end` gives (the last day of the
/// period a day is in); when `last` is open, the period that reaches `today` is open.
fn cut_by(
    mut first: NaiveDate,
    last: NaiveDate,
    today: NaiveDate,
    period_end: fn(NaiveDate) -> NaiveDate,
    out: &mut Vec<Window>,
) {
    loop {
        let end_of_period = period_end(first);
        if last == NaiveDate::MAX && end_of_period >= today {
            out.push(Window {
                from: Some(first),
                to: None,
            });
            return;
        }
        let end = end_of_period.min(last);
        out.push(Window::days(first, end));
        match end.succ_opt() {
            Some(next) if end < last => first = next,
            _ => return,
        }
    }
}

/// The last day of `day`'s year.
fn last_of_year(day: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(day.year(), 12, 31).unwrap_or(NaiveDate::MAX)
}

/// The last day of `day`'s month.
fn last_of_month(day: NaiveDate) -> NaiveDate {
    let first = day.with_day(1).unwrap_or(day);
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn options(range: Range) -> PlanOptions {
        PlanOptions {
            range,
            ..PlanOptions::default()
        }
    }

    fn all_pulled(windows: &[Window], on: NaiveDate) -> Vec<Pulled> {
        windows
            .iter()
            .map(|&window| Pulled {
                window,
                pulled_on: on,
            })
            .collect()
    }

    #[test]
    fn a_first_sync_covers_every_date_in_years() {
        let today = day(2026, 11, 25);
        let windows = plan(&[], today, &PlanOptions::default());
        // The open start, 2000 to 2025, then 2026 open-ended.
        assert_eq!(windows.len(), 1 + 26 + 1);
        assert_eq!(
            windows[0],
            Window {
                from: None,
                to: Some(day(1999, 12, 31))
            }
        );
        assert_eq!(windows[2], Window::days(day(2001, 1, 1), day(2001, 12, 31)));
        assert_eq!(
            windows.last(),
            Some(&Window {
                from: Some(day(2026, 1, 1)),
                to: None
            })
        );
        assert_eq!(plan(&[], today, &options(Range::Full)), windows);
    }

    #[test]
    fn a_second_sync_the_same_day_re_pulls_from_the_day_before() {
        let today = day(2026, 11, 25);
        let first = plan(&[], today, &PlanOptions::default());
        let again = plan(&all_pulled(&first, today), today, &PlanOptions::default());
        assert_eq!(
            again,
            [Window {
                from: Some(day(2026, 11, 24)),
                to: None
            }]
        );
    }

    #[test]
    fn the_overlap_crosses_a_year_boundary() {
        let first = plan(&[], day(2027, 1, 1), &PlanOptions::default());
        let again = plan(
            &all_pulled(&first, day(2027, 1, 1)),
            day(2027, 1, 1),
            &PlanOptions::default(),
        );
        assert_eq!(
            again,
            [
                Window::days(day(2026, 12, 31), day(2026, 12, 31)),
                Window {
                    from: Some(day(2027, 1, 1)),
                    to: None
                }
            ]
        );
    }

    #[test]
    fn an_interrupted_sync_resumes_at_the_first_unfinished_window() {
        let today = day(2026, 11, 25);
        let first = plan(&[], today, &PlanOptions::default());
        let done = all_pulled(&first[..10], today);
        assert_eq!(
            plan(&done, today, &PlanOptions::default()),
            first[10..].to_vec()
        );
        // Resumed next year, the last window reaches the new today.
        let resumed = plan(&done, day(2027, 1, 3), &PlanOptions::default());
        assert_eq!(resumed[0], first[10]);
        assert_eq!(
            resumed[resumed.len() - 2..],
            [
                Window::days(day(2026, 1, 1), day(2026, 12, 31)),
                Window {
                    from: Some(day(2027, 1, 1)),
                    to: None
                }
            ]
        );
    }

    #[test]
    fn a_range_is_pulled_whole_in_years() {
        let today = day(2026, 11, 25);
        let windows = plan(
            &all_pulled(&plan(&[], today, &PlanOptions::default()), today),
            today,
            &options(Range::Between {
                from: Some(day(2009, 4, 15)),
                to: Some(day(2011, 6, 2)),
            }),
        );
        assert_eq!(
            windows,
            [
                Window::days(day(2009, 4, 15), day(2009, 12, 31)),
                Window::days(day(2010, 1, 1), day(2010, 12, 31)),
                Window::days(day(2011, 1, 1), day(2011, 6, 2)),
            ]
        );
        let open = plan(
            &[],
            today,
            &options(Range::Between {
                from: None,
                to: Some(day(1998, 3, 3)),
            }),
        );
        assert_eq!(
            open,
            [Window {
                from: None,
                to: Some(day(1998, 3, 3))
            }]
        );
    }

    #[test]
    fn splitting() {
        let today = day(2026, 11, 25);
        assert_eq!(
            Window {
                from: Some(day(2026, 11, 1)),
                to: None
            }
            .split(today),
            Some((
                Window::days(day(2026, 11, 1), today),
                Window {
                    from: Some(day(2026, 11, 26)),
                    to: None
                }
            ))
        );
        assert_eq!(
            Window {
                from: Some(day(2026, 11, 26)),
                to: None
            }
            .split(today),
            None
        );
        assert_eq!(
            Window {
                from: None,
                to: Some(today)
            }
            .split(today),
            None
        );
        assert_eq!(
            Window::days(day(2009, 4, 1), day(2009, 4, 2)).split(today),
            Some((
                Window::days(day(2009, 4, 1), day(2009, 4, 1)),
                Window::days(day(2009, 4, 2), day(2009, 4, 2))
            ))
        );
    }

    #[test]
    fn dense_windows_are_cut_into_months_then_halves() {
        let today = day(2026, 11, 25);
        let year = Window::days(day(2009, 1, 1), day(2009, 12, 31));
        let months = year.parts(today).unwrap();
        assert_eq!(months.len(), 12);
        assert_eq!(months[1], Window::days(day(2009, 2, 1), day(2009, 2, 28)));
        assert_eq!(
            months[11],
            Window::days(day(2009, 12, 1), day(2009, 12, 31))
        );
        // A range cut inside months keeps its ends.
        let range = Window::days(day(2009, 4, 15), day(2009, 6, 2));
        assert_eq!(
            range.parts(today).unwrap(),
            [
                Window::days(day(2009, 4, 15), day(2009, 4, 30)),
                Window::days(day(2009, 5, 1), day(2009, 5, 31)),
                Window::days(day(2009, 6, 1), day(2009, 6, 2)),
            ]
        );
        // The current year, open-ended: months up to today's, the last one open.
        let this_year = Window {
            from: Some(day(2026, 1, 1)),
            to: None,
        };
        let parts = this_year.parts(today).unwrap();
        assert_eq!(parts.len(), 11);
        assert_eq!(
            parts[10],
            Window {
                from: Some(day(2026, 11, 1)),
                to: None
            }
        );
        // Within a month: halves; the open month at today.
        assert_eq!(
            parts[10].parts(today).unwrap(),
            [
                Window::days(day(2026, 11, 1), today),
                Window {
                    from: Some(day(2026, 11, 26)),
                    to: None
                }
            ]
        );
        assert_eq!(
            months[3].parts(today).unwrap(),
            [
                Window::days(day(2009, 4, 1), day(2009, 4, 15)),
                Window::days(day(2009, 4, 16), day(2009, 4, 30)),
            ]
        );
        // What cannot be cut.
        assert_eq!(Window::days(today, today).parts(today), None);
        assert_eq!(
            Window {
                from: None,
                to: Some(day(1999, 12, 31))
            }
            .parts(today),
            None
        );
        assert_eq!(
            Window {
                from: Some(day(2026, 11, 26)),
                to: None
            }
            .parts(today),
            None
        );
    }

    #[test]
    fn labels() {
        assert_eq!(
            Window::days(day(2009, 4, 1), day(2009, 4, 30)).to_string(),
            "2009-04-01..2009-04-30"
        );
        assert_eq!(
            Window {
                from: None,
                to: Some(day(1999, 12, 31))
            }
            .to_string(),
            "..1999-12-31"
        );
    }

    fn any_day() -> impl Strategy<Value = NaiveDate> {
        (1995i32..2030, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| day(y, m, d))
    }

    fn any_window() -> impl Strategy<Value = Window> {
        (
            proptest::option::weighted(0.9, any_day()),
            proptest::option::weighted(0.9, 0u64..400),
        )
            .prop_map(|(from, len)| match (from, len) {
                (Some(from), Some(len)) => Window::days(from, from + Days::new(len)),
                (Some(from), None) => Window {
                    from: Some(from),
                    to: None,
                },
                (None, Some(len)) => Window {
                    from: None,
                    to: Some(day(1999, 1, 1) + Days::new(len * 20)),
                },
                (None, None) => Window {
                    from: None,
                    to: None,
                },
            })
    }

    fn any_pulled() -> impl Strategy<Value = Vec<Pulled>> {
        proptest::collection::vec(
            (any_window(), any_day()).prop_map(|(window, pulled_on)| Pulled { window, pulled_on }),
            0..12,
        )
    }

    fn is_settled(pulled: &[Pulled], d: NaiveDate) -> bool {
        pulled.iter().any(|p| {
            p.window.contains(d)
                && d.checked_add_days(Days::new(1))
                    .is_some_and(|next| next < p.pulled_on)
        })
    }

    /// Windows are in order, do not overlap, and none but an open start or end spans a
    /// year boundary.
    fn well_formed(windows: &[Window]) -> Result<(), TestCaseError> {
        for pair in windows.windows(2) {
            prop_assert!(pair[0].last_day() < pair[1].first_day(), "{pair:?}");
        }
        for w in windows {
            prop_assert!(w.first_day() <= w.last_day(), "{w}");
            if let (Some(from), Some(to)) = (w.from, w.to) {
                prop_assert_eq!(from.year(), to.year());
            }
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn incremental_pulls_exactly_the_unsettled_days(pulled in any_pulled(), today in any_day(), probes in proptest::collection::vec(any_day(), 40)) {
            let windows = plan(&pulled, today, &PlanOptions::default());
            well_formed(&windows)?;
            prop_assert!(windows.last().is_some_and(|w| w.to.is_none()), "the end is open");
            for d in probes.into_iter().chain([NaiveDate::MIN, NaiveDate::MAX, today]) {
                let covered = windows.iter().any(|w| w.contains(d));
                prop_assert_eq!(covered, !is_settled(&pulled, d), "{}", d);
            }
        }

        #[test]
        fn full_covers_everything(pulled in any_pulled(), today in any_day()) {
            let windows = plan(&pulled, today, &options(Range::Full));
            well_formed(&windows)?;
            prop_assert_eq!(windows.first().map(|w| w.from), Some(None));
            prop_assert_eq!(windows.last().map(|w| w.to), Some(None));
            for pair in windows.windows(2) {
                prop_assert_eq!(pair[0].last_day().succ_opt(), Some(pair[1].first_day()));
            }
        }

        #[test]
        fn a_range_is_covered_exactly(from in any_day(), len in 0u64..2000, today in any_day(), pulled in any_pulled()) {
            let to = from + Days::new(len);
            let windows = plan(&pulled, today, &options(Range::Between { from: Some(from), to: Some(to) }));
            well_formed(&windows)?;
            prop_assert_eq!(windows.first().and_then(|w| w.from), Some(from));
            prop_assert_eq!(windows.last().and_then(|w| w.to), Some(to));
            for pair in windows.windows(2) {
                prop_assert_eq!(pair[0].last_day().succ_opt(), Some(pair[1].first_day()));
            }
        }

        #[test]
        fn a_completed_sync_overlaps_the_next_by_a_day(pulled in any_pulled(), on in any_day(), later in 0u64..90) {
            // Earlier syncs ran before this one.
            let pulled: Vec<Pulled> = pulled.into_iter().filter(|p| p.pulled_on <= on).collect();
            let first = plan(&pulled, on, &PlanOptions::default());
            let mut after = pulled.clone();
            after.extend(all_pulled(&first, on));
            let next = plan(&after, on + Days::new(later), &PlanOptions::default());
            prop_assert!(next.iter().any(|w| w.contains(on)));
            prop_assert!(next.iter().any(|w| w.contains(on.pred_opt().unwrap())));
            prop_assert!(next.iter().all(|w| w.last_day() >= on.pred_opt().unwrap()));
        }

        #[test]
        fn an_interrupted_sync_resumes_where_it_stopped(pulled in any_pulled(), on in any_day(), stop in 0usize..400) {
            let first = plan(&pulled, on, &PlanOptions::default());
            let stop = stop.min(first.len());
            let mut after = pulled.clone();
            after.extend(all_pulled(&first[..stop], on));
            let next = plan(&after, on, &PlanOptions::default());
            // Nothing before the first unfinished window is pulled again, except the days
            // that the overlap keeps open.
            let resume = first.get(stop).map_or(NaiveDate::MAX, |w| w.first_day());
            let open_from = on.pred_opt().unwrap();
            for w in &next {
                prop_assert!(w.first_day() >= resume.min(open_from), "{w} before {resume}");
            }
            // And everything from there on is.
            for w in &first[stop..] {
                for d in [w.first_day(), w.last_day()] {
                    prop_assert!(next.iter().any(|n| n.contains(d)), "{d} of {w}");
                }
            }
        }

        /// However a sync cuts a window, again and again (any part, until parts cannot be
        /// cut), the windows it ends with cover every day of the window exactly once, in
        /// order, and each cut makes smaller windows.
        #[test]
        fn any_cutting_covers_every_day_once(w in any_window(), today in any_day(), picks in proptest::collection::vec(0usize..64, 0..40)) {
            let mut windows = vec![w];
            for pick in picks {
                let at = pick % windows.len();
                let Some(parts) = windows[at].parts(today) else { continue };
                prop_assert!(parts.len() >= 2, "{parts:?}");
                prop_assert_eq!(parts[0].from, windows[at].from);
                prop_assert_eq!(parts[parts.len() - 1].to, windows[at].to);
                for part in &parts {
                    prop_assert!(part.first_day() >= windows[at].first_day());
                    prop_assert!(part.last_day() <= windows[at].last_day());
                    prop_assert!(part != &windows[at], "{part} is not smaller");
                }
                windows.splice(at..=at, parts);
            }
            for pair in windows.windows(2) {
                prop_assert_eq!(pair[0].last_day().succ_opt(), Some(pair[1].first_day()), "{:?}", pair);
            }
            for part in &windows {
                prop_assert!(part.first_day() <= part.last_day(), "{part}");
            }
            prop_assert_eq!(windows[0].from, w.from);
            prop_assert_eq!(windows[windows.len() - 1].to, w.to);
        }

        #[test]
        fn halves_make_the_whole(w in any_window(), today in any_day()) {
            if let Some((a, b)) = w.split(today) {
                prop_assert_eq!(a.from, w.from);
                prop_assert_eq!(b.to, w.to);
                prop_assert_eq!(a.last_day().succ_opt(), Some(b.first_day()));
                prop_assert!(a.first_day() <= a.last_day() && b.first_day() <= b.last_day());
            }
        }
    }
}
