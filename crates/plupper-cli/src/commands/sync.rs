//! `sync`: pull the history from the API, incremental and resumable; `sync --dry-run`:
//! compare the archive with the API, writing nothing.
//!
//! The flags become a [`PullOptions`] and an [`HttpConfig`] here, once; the library
//! plans and pulls. This is the only place that reads the clock (today's local date) and
//! the password (from `PLUPPER_PASSWORD`, `--password-stdin` or a no-echo prompt; never
//! from argv).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use plupper_model::param::parse_cli_date;
use plupper_store::{DATABASE_FILE, Store};
use plupper_sync::SyncError;
use plupper_sync::compare::{Comparison, WindowDifference, compare};
use plupper_sync::http::{HttpConfig, HttpSource};
use plupper_sync::load::{Progress, UnitReport};
use plupper_sync::pull::{PullOptions, PullProgress, PullReport, Retry, pull};
use plupper_sync::window::{Range, Window};

use crate::Failure;
use crate::cli::{DryRunFormat, SyncArgs};
use crate::commands::password::Sources;
use plupper_model::plural::counted;

/// The environment variable that may hold the password.
const PASSWORD_VAR: &str = "PLUPPER_PASSWORD";

pub fn run(archive: &Path, args: SyncArgs) -> Result<(), Failure> {
    if args.password.is_some() {
        return Err(password_sources(&args, "").refuse_argv());
    }
    let today = chrono::Local::now().date_naive();
    let range = range(&args, today)?;
    let user =
        args.user.clone().filter(|u| !u.is_empty()).ok_or_else(|| {
            Failure::Invalid("no user: give --user NAME or set PLUPPER_USER".into())
        })?;
    // The URL is checked before a password is asked for.
    plupper_sync::http::normalize_url(&args.url).map_err(sync_failure)?;
    let password = password_sources(&args, &user).read()?;
    let timeout = Duration::from_secs(args.timeout.max(1));
    let mut config = HttpConfig::new(&args.url, &user, password);
    config.connect_timeout = timeout.min(Duration::from_secs(30));
    config.read_timeout = timeout;
    let source = HttpSource::new(config).map_err(sync_failure)?;

    let mut options = PullOptions::new(today);
    options.plan.range = range;
    options.retry.retries = args.retries;
    if args.dry_run {
        return dry_run(
            archive,
            &source,
            &options,
            args.format.unwrap_or(DryRunFormat::Text),
        );
    }
    let mut store = Store::open(archive)?;
    let bar = SyncBar::new("added");
    let report = pull(&mut store, &source, &source.scope(), &options, &bar);
    bar.finish();
    if report.windows_done == 0
        && let Some(error) = report.error
    {
        // Stopped before the first window was applied (authentication, an unreachable
        // host): nothing changed, so there is nothing to sum up, only the error to say.
        return Err(sync_failure(error));
    }
    // The windows are committed: a reader that went away or a full disk on stdout changes
    // nothing of what was archived, and the index is still brought up to date.
    let mut out = std::io::stdout().lock();
    let mut written = print_summary(&report, &mut out);
    let mut indexed = Ok(());
    if !args.no_index {
        // What was added is searchable at once, also when the sync stopped early.
        match crate::commands::index::bring_up_to_date(&store, false) {
            Ok(update) => {
                written =
                    written.and_then(|()| crate::commands::index::print_indexed(&update, &mut out));
            }
            Err(failure) => indexed = Err(failure),
        }
    }
    let pulled = report
        .error
        .map_or(Ok(()), |error| Err(sync_failure(error)));
    crate::both(crate::both(pulled, indexed), crate::report_written(written))
}

/// `--full`, `--from`/`--to`, or the incremental default.
fn range(args: &SyncArgs, today: NaiveDate) -> Result<Range, Failure> {
    if args.full {
        return Ok(Range::Full);
    }
    // Named as `query` names them (its errors come from the filter's parameters).
    let date = |name: &str, value: &Option<String>| -> Result<Option<NaiveDate>, Failure> {
        value
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| parse_cli_date(v, today))
            .transpose()
            .map_err(|error| Failure::Invalid(format!("invalid `{name}`: {error}")))
    };
    let from = date("from", &args.from)?;
    let to = date("to", &args.to)?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(Failure::Invalid(format!(
            "--from {from} is after --to {to}: nothing to pull"
        )));
    }
    Ok(match (from, to) {
        (None, None) => Range::Incremental,
        (from, to) => Range::Between { from, to },
    })
}

/// Where `sync` takes the password from: `--password-stdin`, `PLUPPER_PASSWORD`, or a
/// prompt on a terminal.
fn password_sources<'a>(args: &SyncArgs, user: &str) -> Sources<'a> {
    Sources {
        stdin: args.password_stdin,
        env: Some(PASSWORD_VAR),
        prompt: format!("Password for {user} at {}: ", args.url.trim()),
    }
}

/// `sync --dry-run`: compares the archive with the upstream; writes nothing, not even a
/// missing archive.
fn dry_run(
    archive: &Path,
    source: &HttpSource,
    options: &PullOptions,
    format: DryRunFormat,
) -> Result<(), Failure> {
    if !archive.join(DATABASE_FILE).is_file() {
        return Err(Failure::Failed(format!(
            "no archive in {}: a dry run compares an archive with the API and creates none; run `sync` without --dry-run first",
            archive.display()
        )));
    }
    // Read-only: a dry run writes nothing, not even the journal mode (see `Store`'s `Drop`).
    let store = Store::open_to_read(archive)?;
    let bar = SyncBar::new("to add");
    let comparison = compare(&store, source, options, &bar);
    bar.finish();
    if let Some(error) = comparison.error {
        // An incomplete comparison proves nothing: no total that could be read as one.
        return Err(sync_failure(error));
    }
    let mut out = std::io::stdout().lock();
    let written = match format {
        DryRunFormat::Text => print_comparison(&comparison, &source.scope().url, &mut out),
        DryRunFormat::Ndjson => print_comparison_ndjson(&comparison, &mut out),
    };
    crate::report_written(written)
}

/// The windows that differ and a total line, or the one line of an archive in step.
fn print_comparison(
    comparison: &Comparison,
    url: &str,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let total = comparison.total();
    let windows = counted(comparison.windows.len() as u64, "window");
    if comparison.in_step() {
        writeln!(
            out,
            "in step with {url}: {windows}, {}",
            counted(total.upstream, "message")
        )?;
    } else {
        for difference in comparison.windows.iter().filter(|d| d.differs()) {
            writeln!(
                out,
                "{}: {} to add, {} deleted upstream (upstream {}, archive {})",
                difference.window,
                difference.to_add,
                difference.deleted_upstream,
                difference.upstream,
                difference.archived
            )?;
        }
        writeln!(
            out,
            "total: {windows}, {} upstream, {} archived: {} to add, {} deleted upstream (kept in the archive)",
            counted(total.upstream, "message"),
            total.archived,
            total.to_add,
            total.deleted_upstream
        )?;
    }
    if total.unreadable > 0 {
        writeln!(
            out,
            "not messages: {} upstream (a sync keeps them in quarantine)",
            counted(total.unreadable, "element")
        )?;
    }
    out.flush()
}

/// One JSON object per window that differs.
fn print_comparison_ndjson(comparison: &Comparison, out: &mut impl Write) -> std::io::Result<()> {
    for difference in comparison.windows.iter().filter(|d| d.differs()) {
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
        let record = serde_json::json!({
            "from": date(difference.window.from),
            "to": date(difference.window.to),
            "upstream": difference.upstream,
            "archived": difference.archived,
            "to_add": difference.to_add,
            "deleted_upstream": difference.deleted_upstream,
        });
        writeln!(out, "{record}")?;
    }
    out.flush()
}

fn sync_failure(error: SyncError) -> Failure {
    if error.is_invalid_input() {
        Failure::Invalid(error.to_string())
    } else if error.is_unreachable() {
        Failure::Failed(format!(
            "{error}; check the API's URL, which --url or PLUPPER_URL sets"
        ))
    } else {
        Failure::Failed(error.to_string())
    }
}

fn print_summary(report: &PullReport, out: &mut impl Write) -> std::io::Result<()> {
    let applied = &report.applied;
    let splits = if report.splits > 0 {
        format!(" ({} split for size)", report.splits)
    } else {
        String::new()
    };
    writeln!(
        out,
        "windows:           {} of {}{splits}",
        report.windows_done, report.windows_planned
    )?;
    writeln!(out, "requests:          {}", report.requests)?;
    writeln!(out, "elements read:     {}", report.elements)?;
    writeln!(out, "added:             {}", applied.added)?;
    writeln!(out, "already archived:  {}", applied.already_archived)?;
    writeln!(
        out,
        "quarantined:       {}{}",
        applied.quarantined,
        crate::commands::import::already_in_quarantine(applied.already_quarantined)
    )?;
    writeln!(out, "warnings:          {}", report.warnings)?;
    writeln!(out, "retries:           {}", report.retries)?;
    out.flush()
}

/// Windows done / planned and messages added (or to add, in a dry run), on stderr when
/// it is a terminal (and `NO_COLOR` is not set). Retries are said on stderr in every
/// mode, above the bar when there is one.
struct SyncBar {
    bar: Option<ProgressBar>,
    count: AtomicU64,
    what: &'static str,
}

impl SyncBar {
    fn new(what: &'static str) -> SyncBar {
        let wanted = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let bar = wanted.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("sync [{bar:30}] {pos}/{len} windows, {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(format!("0 messages {what}"));
            bar
        });
        SyncBar {
            bar,
            count: AtomicU64::new(0),
            what,
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    /// A window is done, with `count` messages added (or to add).
    fn window_done(&self, count: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            let total = self.count.fetch_add(count, Ordering::Relaxed) + count;
            bar.set_message(format!("{} {}", counted(total, "message"), self.what));
        }
    }
}

impl Progress for SyncBar {}

impl PullProgress for SyncBar {
    fn planned(&self, windows: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(windows);
        }
    }

    fn window_finished(&self, _window: &Window, report: &UnitReport) {
        self.window_done(report.applied.added);
    }

    fn window_compared(&self, difference: &WindowDifference) {
        self.window_done(difference.to_add);
    }

    fn window_split(&self, _window: &Window, parts: &[Window]) {
        if let Some(bar) = &self.bar {
            // The window is replaced by its parts.
            bar.inc_length(parts.len().saturating_sub(1) as u64);
        }
    }

    fn retrying(&self, retry: &Retry<'_>) {
        let line = || {
            say!(
                "warning: window {}: {}; trying again in {:.1} s (retry {} of {})",
                retry.window,
                retry.error,
                retry.delay.as_secs_f64(),
                retry.number,
                retry.of
            )
        };
        match &self.bar {
            Some(bar) => bar.suspend(line),
            None => line(),
        }
    }
}
