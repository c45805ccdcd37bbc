//! `import PATH...`

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use plupper_index::UpdateReport;
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
        self.quarantined += unit.applied.quarantined + unit.applied.already_quarantined;
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
        writeln!(out, "quarantined:       {}", self.quarantined)?;
        writeln!(out, "warnings:          {}", self.warnings)?;
        out.flush()
    }
}

/// Exit status of a file's error: 2 for bad input, 1 for a failure.
fn status(error: &FileError) -> u8 {
    if error.is_invalid_input() { 2 } else { 1 }
}

/// A failure (1) outweighs bad input (2): a script retries a failure, not bad input.
fn worse(a: u8, b: u8) -> u8 {
    if a == 1 || b == 1 { 1 } else { a.max(b) }
}

pub fn run(archive: &Path, args: ImportArgs) -> Result<(), Failure> {
    let mut store = Store::open(archive)?;
    if args.no_index {
        return import(&mut store, &args.paths);
    }
    // The index follows the import on a second thread and connection: it indexes each
    // group of messages once committed, on the core the single writer leaves idle.
    let writing = AtomicBool::new(true);
    let (imported, indexed) = std::thread::scope(|scope| {
        let follower = scope.spawn(|| follow(archive, &writing));
        let imported = import(&mut store, &args.paths);
        writing.store(false, Ordering::Release);
        let indexed = follower
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (imported, indexed)
    });
    let report = indexed?;
    println!(
        "indexed:           {}{}",
        report.indexed,
        if report.rebuilt {
            " (index rebuilt)"
        } else {
            ""
        }
    );
    imported
}

/// Indexes what the import commits, until it is done.
fn follow(archive: &Path, writing: &AtomicBool) -> Result<UpdateReport, Failure> {
    let reader = Store::open(archive)?;
    crate::commands::index::follow_writer(&reader, writing)
}

/// Imports the files under `paths`, printing the summary.
fn import(store: &mut Store, paths: &[PathBuf]) -> Result<(), Failure> {
    let files = expand_paths(paths);
    let bar = Bar::bytes();
    let mut summary = Summary::default();
    let mut exit = 0;
    for file in files {
        let path = match file {
            Ok(path) => path,
            Err(error) => {
                bar.println(&format!("error: {error}"));
                exit = worse(exit, status(&error));
                continue;
            }
        };
        let report = import_file(store, &path, &bar);
        summary.add(&report);
        if let Some(error) = &report.error {
            bar.println(&format!("error: {error}"));
            exit = worse(exit, status(error));
            if matches!(error, FileError::Store { .. }) {
                break; // the archive itself failed: the other files would fail too
            }
        }
    }
    bar.finish();
    summary.print(&mut std::io::stdout().lock())?;
    if exit == 0 {
        Ok(())
    } else {
        Err(Failure::Reported(exit))
    }
}
