//! `plupper-archive`: the command line. Thin: it parses flags, calls the library crates,
//! prints, and maps errors to exit statuses in one place ([`Failure`]).

// On Linux with glibc, `start` is the entry point (it says why).
#![cfg_attr(all(target_os = "linux", target_env = "gnu", not(test)), no_main)]

/// `eprintln!` that cannot panic: a line for stderr that cannot be written (a closed
/// pipe, a full disk) is dropped, since there is nowhere else to say it.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod allocator;
mod cli;
mod color;
mod commands;
mod layout;
mod output;
mod priority;
mod progress;
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
mod start;

use std::io::IsTerminal;
use std::path::PathBuf;

use cli::{Cli, Command};

/// Why a command did not succeed, with the exit status it means (contract §3).
#[derive(Debug)]
pub enum Failure {
    /// Invalid usage or input: exit 2.
    Invalid(String),
    /// Any other failure: exit 1.
    Failed(String),
    /// The errors were printed already; exit with this status.
    Reported(u8),
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Failure::Invalid(_) => 2,
            Failure::Failed(_) => 1,
            Failure::Reported(code) => *code,
        }
    }

    /// Prints the message now (unless it was printed already); the exit status.
    fn report(self) -> u8 {
        if let Failure::Invalid(message) | Failure::Failed(message) = &self {
            // Errors quote inputs (file names, parameter values) that may hold control
            // characters; they reach the terminal escaped, as in `table` output.
            say!("error: {}", plupper_model::printable::printable(message));
        }
        self.exit_code()
    }
}

/// The exit status of two outcomes together (0 is success). A failure (1) outweighs
/// invalid input (2), because a script retries a failure and not bad input: an import
/// that met a damaged file (2) and an unreadable one (1) exits 1, and so does one that
/// met a damaged file and then could not write its summary (the data is archived, but the
/// run did not end as it should; running it again prints the summary).
pub fn worse(a: u8, b: u8) -> u8 {
    if a == 1 || b == 1 { 1 } else { a.max(b) }
}

/// Both outcomes of a command that did two things (its work, then its report or the
/// index update): success when both succeeded, else every error is printed (the work's
/// first) and the status is the [`worse`] of the two.
pub fn both(first: Result<(), Failure>, second: Result<(), Failure>) -> Result<(), Failure> {
    match (first, second) {
        (Ok(()), outcome) | (outcome, Ok(())) => outcome,
        (Err(first), Err(second)) => Err(Failure::Reported(worse(first.report(), second.report()))),
    }
}

/// What writing a command's report to stdout means for the command, once its work is done
/// (committed): the reader going away (`| head`, `| true`) is no failure, as the work was
/// done and its status stands; any other error (a full disk) is a failure to say so.
pub fn report_written(written: std::io::Result<()>) -> Result<(), Failure> {
    match written {
        Err(error) if !is_broken_pipe(&error) => Err(Failure::from(error)),
        _ => Ok(()),
    }
}

impl From<plupper_archive::Error> for Failure {
    fn from(error: plupper_archive::Error) -> Self {
        match error {
            // Contract §5: a mistyped path must never look like an empty archive.
            plupper_archive::Error::NoArchive { .. } => Failure::Failed(format!(
                "{error}: run `plupper-archive import PATH...` or `plupper-archive sync` first to make one, or check --archive and PLUPPER_ARCHIVE"
            )),
            error if error.is_invalid_input() => Failure::Invalid(error.to_string()),
            error => Failure::Failed(error.to_string()),
        }
    }
}

impl From<plupper_store::StoreError> for Failure {
    fn from(error: plupper_store::StoreError) -> Self {
        Failure::Failed(error.to_string())
    }
}

impl From<plupper_search::executor::SearchError> for Failure {
    fn from(error: plupper_search::executor::SearchError) -> Self {
        Failure::Failed(error.to_string())
    }
}

impl From<plupper_audit::AuditError> for Failure {
    fn from(error: plupper_audit::AuditError) -> Self {
        Failure::Failed(error.to_string())
    }
}

impl From<plupper_index::IndexError> for Failure {
    fn from(error: plupper_index::IndexError) -> Self {
        Failure::Failed(error.to_string())
    }
}

impl From<plupper_server::ServerError> for Failure {
    fn from(error: plupper_server::ServerError) -> Self {
        match error {
            plupper_server::ServerError::Archive(error) => Failure::from(*error),
            error if error.is_invalid_input() => Failure::Invalid(error.to_string()),
            error => Failure::Failed(error.to_string()),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        if is_broken_pipe(&error) {
            // `| head` closed the pipe: the reader has what it wanted.
            Failure::Reported(0)
        } else {
            Failure::Failed(format!("cannot write the output: {error}"))
        }
    }
}

/// Whether writing failed because the reader went away (`| head`). The csv crate wraps
/// the I/O error in one of its own, of kind `Other`.
fn is_broken_pipe(error: &std::io::Error) -> bool {
    let csv_io = || match error.get_ref()?.downcast_ref::<csv::Error>()?.kind() {
        csv::ErrorKind::Io(inner) => Some(inner.kind()),
        _ => None,
    };
    error.kind() == std::io::ErrorKind::BrokenPipe
        || csv_io() == Some(std::io::ErrorKind::BrokenPipe)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu", not(test))))]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(program())
}

/// The program, from the command line to its exit status.
fn program() -> u8 {
    // First, before any thread: the setting is the allocator's, for the whole process.
    let thresholds_fixed = allocator::fix_thresholds();
    let cli = Cli::from_env();
    color::set(cli.global.color);
    init_tracing(cli.global.verbose);
    if !thresholds_fixed {
        tracing::debug!("the allocator's thresholds are left as they are");
    }
    // A bug must still end as an `error:` line and exit status 1, not a backtrace; every
    // write is a transaction, so nothing archived is lost.
    std::panic::set_hook(Box::new(|info| {
        say!("error: internal error ({info}); nothing archived was lost; please report this");
    }));
    match std::panic::catch_unwind(|| run(cli)).unwrap_or(Err(Failure::Reported(1))) {
        Ok(()) => 0,
        Err(failure) => failure.report(),
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    // The commands about the program itself need no archive.
    let command = match cli.command {
        Command::Completions(args) => return commands::completions::run(args),
        Command::Man(args) => return commands::man::run(args),
        Command::Keygen(args) => return commands::keygen::run(args),
        Command::Translate(args) => return commands::translate::run(args),
        // A bundle is checked against an archive only when one is named.
        Command::VerifyBundle(args) => {
            return commands::verify_bundle::run(cli.global.archive.as_deref(), args);
        }
        command => command,
    };
    let archive = archive_dir(cli.global.archive)?;
    match command {
        Command::Import(args) => commands::import::run(&archive, args),
        Command::Query(args) => {
            // One query per process: nothing to keep the index reader open for.
            plupper_archive::keep_index_readers(false);
            commands::query::run(&archive, args)
        }
        Command::Search(args) => commands::search::run(&archive, args),
        Command::Show(args) => commands::show::run(&archive, args),
        Command::Index(args) => commands::index::run(&archive, args),
        Command::Quarantine(args) => commands::quarantine::run(&archive, args),
        Command::Sync(args) => commands::sync::run(&archive, args),
        Command::Conversations(args) => commands::conversations::run(&archive, args),
        Command::Stats(args) => commands::stats::run(&archive, args),
        Command::Export(args) => commands::export::run(&archive, args),
        Command::Verify(args) => commands::verify::run(&archive, args),
        Command::Serve(args) => commands::serve::run(&archive, args),
        Command::User(args) => commands::user::run(&archive, args),
        Command::Completions(_)
        | Command::Man(_)
        | Command::Keygen(_)
        | Command::Translate(_)
        | Command::VerifyBundle(_) => Ok(()),
    }
}

/// `--archive`, `PLUPPER_ARCHIVE` (both handled by clap), or the platform data directory.
fn archive_dir(given: Option<PathBuf>) -> Result<PathBuf, Failure> {
    given.or_else(|| dirs::data_dir().map(|dir| dir.join("plupper-archive"))).ok_or_else(|| {
        Failure::Invalid(
            "no archive directory: give --archive DIR or set PLUPPER_ARCHIVE (no home directory to put a default in)"
                .into(),
        )
    })
}

/// The crates whose `info` lines `-v` shows: what each step did and how long it took.
/// Other libraries (tantivy's segment and mmap lines) speak only from `-vv` on.
const OUR_CRATES: [&str; 8] = [
    "plupper_archive",
    "plupper_model",
    "plupper_store",
    "plupper_sync",
    "plupper_index",
    "plupper_search",
    "plupper_audit",
    "plupper_server",
];

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn".to_owned(),
        1 => std::iter::once("warn".to_owned())
            .chain(OUR_CRATES.iter().map(|name| format!("{name}=info")))
            .collect::<Vec<_>>()
            .join(","),
        _ => "debug".to_owned(),
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default))
        // ureq's trace level logs the wire, Authorization header included: never that.
        .add_directive("ureq=info".parse().expect("a valid directive"))
        .add_directive("ureq_proto=info".parse().expect("a valid directive"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color::styled(std::io::stderr().is_terminal()))
        .without_time()
        .init();
}

#[cfg(test)]
mod tests {
    /// The unwinder is linked into this program (build.rs): a panic must still unwind to
    /// `catch_unwind`, which `main` relies on to end a bug as an `error:` line.
    #[test]
    fn a_panic_unwinds_to_catch_unwind() {
        let caught = std::panic::catch_unwind(|| -> u8 { panic!("on purpose") });
        assert!(caught.is_err());
        let kept = std::panic::catch_unwind(|| 7u8);
        assert_eq!(kept.ok(), Some(7));
    }
}
