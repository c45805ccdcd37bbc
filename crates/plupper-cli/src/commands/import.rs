//! `import PATH...`

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use plupper_index::UpdateReport;
use plupper_model::printable::printable;
use plupper_store::Store;
use plupper_sync::file::{FileError, FileReport, expand_paths, import_file};

use crate::Failure;
use crate::cli::ImportArgs;
use crate::progress::Bar;

#[derive(Default)]
struct Summary {
    files: u64,
    rejected: u64,
    elements: u64,
    added: u64,
    already_archived: u64,
    quarantined: u64,
    already_quarantined: u64,
    warnings: u64,
}

impl Summary {
    fn add(&mut self, report: &FileReport) {
        self.files += 1;
        if report.format.is_none() {
            self.rejected += 1;
        }
        let unit = &report.unit;
        self.elements += unit.elements;
        self.added += unit.applied.added;
        self.already_archived += unit.applied.already_archived;
        self.quarantined += unit.applied.quarantined;
        self.already_quarantined += unit.applied.already_quarantined;
        self.warnings += unit.warnings;
    }

    fn print(&self, out: &mut impl Write) -> std::io::Result<()> {
        let not_imported = if self.rejected > 0 {
            format!(" ({} not imported)", self.rejected)
        } else {
            String::new()
        };
        writeln!(out, "files:             {}{not_imported}", self.files)?;
        writeln!(out, "elements read:     {}", self.elements)?;
        writeln!(out, "added:             {}", self.added)?;
        writeln!(out, "already archived:  {}", self.already_archived)?;
        writeln!(
            out,
            "quarantined:       {}{}",
            self.quarantined,
            already_in_quarantine(self.already_quarantined)
        )?;
        writeln!(out, "warnings:          {}", self.warnings)?;
        out.flush()
    }
}

/// What the `quarantined` line adds for elements whose exact text the quarantine held
/// already (kept once, so not counted as quarantined again): ` (N already in quarantine)`,
/// or nothing when there were none.
pub fn already_in_quarantine(count: u64) -> String {
    if count > 0 {
        format!(" ({count} already in quarantine)")
    } else {
        String::new()
    }
}

/// Exit status of a file's error: 2 for bad input, 1 for a failure.
fn status(error: &FileError) -> u8 {
    if error.is_invalid_input() { 2 } else { 1 }
}

/// What the import did: its counts, and the exit status its files decided (their errors
/// are printed already).
struct Imported {
    summary: Summary,
    status: u8,
}

impl Imported {
    /// Whether no file was read and a path was wrong (`import typo.json`): a summary of
    /// zeros would only hide the error above it.
    fn nothing_read(&self) -> bool {
        self.summary.files == 0 && self.status != 0
    }

    /// The summary on stdout, unless [`Imported::nothing_read`].
    fn print(&self, out: &mut impl Write) -> std::io::Result<()> {
        if self.nothing_read() {
            return Ok(());
        }
        self.summary.print(out)
    }

    fn outcome(&self) -> Result<(), Failure> {
        match self.status {
            0 => Ok(()),
            status => Err(Failure::Reported(status)),
        }
    }
}

pub fn run(archive: &Path, args: ImportArgs) -> Result<(), Failure> {
    let mut store = Store::open(archive)?;
    // The summary is printed once the files are committed; a reader that went away or a
    // full disk on stdout changes nothing of what was archived (see `report_written`).
    let mut out = std::io::stdout().lock();
    if args.no_index {
        let imported = import(&mut store, &args.paths);
        let written = imported.print(&mut out);
        return crate::both(imported.outcome(), crate::report_written(written));
    }
    // The index follows the import on a second thread and connection: it indexes each
    // group of messages once committed, on the core the single writer leaves idle.
    let writing = AtomicBool::new(true);
    let (imported, written, indexed) = std::thread::scope(|scope| {
        let follower = scope.spawn(|| follow(archive, &writing));
        // After the follower started, which keeps its priority (see `crate::priority`).
        if !crate::priority::lower_writer_side() {
            tracing::debug!("the import's threads keep their priority");
        }
        let done = WriterDone(&writing);
        let imported = import(&mut store, &args.paths);
        drop(done);
        // Printed while the index catches up.
        let written = imported.print(&mut out);
        let indexed = follower
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (imported, written, indexed)
    });
    let (written, indexed) = match indexed {
        Ok(_) if imported.nothing_read() => (written, Ok(())),
        Ok(report) => (
            written.and_then(|()| crate::commands::index::print_indexed(&report, &mut out)),
            Ok(()),
        ),
        Err(failure) => (written, Err(failure)),
    };
    crate::both(
        crate::both(imported.outcome(), indexed),
        crate::report_written(written),
    )
}

/// Tells the follower that the writer is done when dropped: after the import, and also
/// when the import panics, so that the scope's join of the follower ends (the panic then
/// reaches `main` as an internal error) instead of waiting for ever.
struct WriterDone<'a>(&'a AtomicBool);

impl Drop for WriterDone<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Indexes what the import commits, until it is done.
fn follow(archive: &Path, writing: &AtomicBool) -> Result<UpdateReport, Failure> {
    let reader = Store::open(archive)?;
    crate::commands::index::follow_writer(&reader, writing)
}

/// Imports the files under `paths`, printing each file's error on stderr.
fn import(store: &mut Store, paths: &[PathBuf]) -> Imported {
    let files = expand_paths(paths);
    let bar = Bar::bytes();
    let mut summary = Summary::default();
    let mut exit = 0;
    for file in files {
        let path = match file {
            Ok(path) => path,
            Err(error) => {
                bar.println(&format!("error: {}", printable(&error.to_string())));
                exit = crate::worse(exit, status(&error));
                continue;
            }
        };
        let started = std::time::Instant::now();
        let report = import_file(store, &path, &bar);
        tracing::info!(
            "{}: {} elements read, {} added, {} already archived, {} quarantined in {:.1?}",
            path.display(),
            report.unit.elements,
            report.unit.applied.added,
            report.unit.applied.already_archived,
            report.unit.applied.quarantined,
            started.elapsed()
        );
        summary.add(&report);
        if let Some(error) = &report.error {
            bar.println(&format!("error: {}", printable(&error.to_string())));
            exit = crate::worse(exit, status(error));
            if matches!(error, FileError::Store { .. }) {
                break; // the archive itself failed: the other files would fail too
            }
        }
    }
    bar.finish();
    Imported {
        summary,
        status: exit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that panics still tells the follower it is done: the follower's loop
    /// ends and the scope's join returns, where it waited for ever before.
    #[test]
    fn a_writer_that_panics_still_lets_the_follower_end() {
        let writing = AtomicBool::new(true);
        let joined = std::panic::catch_unwind(|| {
            std::thread::scope(|scope| {
                let follower = scope.spawn(|| {
                    while writing.load(Ordering::Acquire) {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                });
                let _done = WriterDone(&writing);
                assert!(!follower.is_finished(), "the follower waits for the writer");
                panic!("the writer fails");
            })
        });
        assert!(joined.is_err(), "the writer's panic reaches the caller");
        assert!(!writing.load(Ordering::Acquire));
    }
}
