//! `sync`: pull the history from the API, incremental and resumable.
//!
//! The flags become a [`PullOptions`] and an [`HttpConfig`] here, once; the library
//! plans and pulls. This is the only place that reads the clock (today's local date) and
//! the password (from `PLUPPER_PASSWORD`, `--password-stdin` or a no-echo prompt; never
//! from argv).

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use plupper_model::param::parse_api_date;
use plupper_store::Store;
use plupper_sync::SyncError;
use plupper_sync::http::{HttpConfig, HttpSource, Password};
use plupper_sync::load::{Progress, UnitReport};
use plupper_sync::pull::{PullOptions, PullProgress, PullReport, pull};
use plupper_sync::window::{Range, Window};

use crate::Failure;
use crate::cli::SyncArgs;
use plupper_model::plural::counted;

/// The environment variable that may hold the password.
const PASSWORD_VAR: &str = "PLUPPER_PASSWORD";

pub fn run(archive: &Path, args: SyncArgs) -> Result<(), Failure> {
    if args.password.is_some() {
        return Err(Failure::Invalid(
            "--password is not accepted: a password in the command line can be read by other users and stays in the shell's history; set PLUPPER_PASSWORD, pipe it with --password-stdin, or type it when asked on a terminal"
                .into(),
        ));
    }
    let today = chrono::Local::now().date_naive();
    let range = range(&args, today)?;
    let user =
        args.user.clone().filter(|u| !u.is_empty()).ok_or_else(|| {
            Failure::Invalid("no user: give --user NAME or set PLUPPER_USER".into())
        })?;
    // The URL is checked before a password is asked for.
    plupper_sync::http::normalize_url(&args.url).map_err(sync_failure)?;
    let password = password(&args, &user)?;
    let timeout = Duration::from_secs(args.timeout.max(1));
    let mut config = HttpConfig::new(&args.url, &user, password);
    config.connect_timeout = timeout.min(Duration::from_secs(30));
    config.read_timeout = timeout;
    let source = HttpSource::new(config).map_err(sync_failure)?;

    let mut options = PullOptions::new(today);
    options.plan.range = range;
    options.retry.retries = args.retries;
    let mut store = Store::open(archive)?;
    let bar = SyncBar::new();
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
    let date = |flag: &str, value: &Option<String>| -> Result<Option<NaiveDate>, Failure> {
        value
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| parse_api_date(v, today))
            .transpose()
            .map_err(|error| Failure::Invalid(format!("invalid {flag}: {error}")))
    };
    let from = date("--from", &args.from)?;
    let to = date("--to", &args.to)?;
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

/// The password from `--password-stdin`, `PLUPPER_PASSWORD`, or a prompt on a terminal.
fn password(args: &SyncArgs, user: &str) -> Result<Password, Failure> {
    if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::Failed(format!("cannot read the password from stdin: {e}")))?;
        let text = line.trim_end_matches(['\n', '\r']);
        if text.is_empty() {
            return Err(Failure::Invalid(
                "--password-stdin: standard input holds no password".into(),
            ));
        }
        return Ok(Password::new(text.to_owned()));
    }
    if let Some(value) = std::env::var_os(PASSWORD_VAR) {
        return value
            .into_string()
            .map(Password::new)
            .map_err(|_| Failure::Invalid(format!("{PASSWORD_VAR} is not valid UTF-8")));
    }
    if std::io::stdin().is_terminal() {
        let prompt = format!("Password for {user} at {}: ", args.url.trim());
        return rpassword::prompt_password(prompt)
            .map(Password::new)
            .map_err(|e| Failure::Failed(format!("cannot read the password: {e}")));
    }
    Err(Failure::Invalid(format!(
        "no password: set {PASSWORD_VAR}, pipe it with --password-stdin, or run on a terminal to be asked"
    )))
}

fn sync_failure(error: SyncError) -> Failure {
    if error.is_invalid_input() {
        Failure::Invalid(error.to_string())
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

/// Windows done / planned and messages added, on stderr when it is a terminal (and
/// `NO_COLOR` is not set); retries are noted above the bar.
struct SyncBar {
    bar: Option<ProgressBar>,
    added: AtomicU64,
}

impl SyncBar {
    fn new() -> SyncBar {
        let wanted = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let bar = wanted.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("sync [{bar:30}] {pos}/{len} windows, {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message("0 messages added");
            bar
        });
        SyncBar {
            bar,
            added: AtomicU64::new(0),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
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
        if let Some(bar) = &self.bar {
            bar.inc(1);
            let added = self
                .added
                .fetch_add(report.applied.added, Ordering::Relaxed)
                + report.applied.added;
            bar.set_message(format!("{} added", counted(added, "message")));
        }
    }

    fn window_split(&self, _window: &Window, _halves: (Window, Window)) {
        if let Some(bar) = &self.bar {
            bar.inc_length(1);
        }
    }

    fn retrying(&self, window: &Window, error: &SyncError, delay: Duration) {
        if let Some(bar) = &self.bar {
            bar.suspend(|| {
                say!(
                    "warning: window {window}: {error}; trying again in {:.1} s",
                    delay.as_secs_f64()
                )
            });
        }
    }
}
