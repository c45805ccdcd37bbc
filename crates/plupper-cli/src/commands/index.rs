//! `index [--rebuild]`, and the index update that other commands run at their end.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use plupper_archive::Archive;
use plupper_index::{UpdateProgress, UpdateReport, update, update_following};
use plupper_store::Store;

use crate::Failure;
use crate::cli::IndexArgs;
use crate::progress::Bar;
use plupper_model::plural::counted;

/// Tells the user about waiting, and draws a bar on a terminal.
struct IndexProgress {
    bar: Bar,
    /// The bar's label: a following update shows only what is left when the writer ends
    /// (what it indexed along the way is not on the bar).
    label: &'static str,
}

impl UpdateProgress for IndexProgress {
    fn waiting(&self) {
        self.bar
            .println("waiting for another process to finish updating the search index…");
    }

    fn start(&self, total: u64) {
        self.bar.start(self.label.into(), total);
    }

    fn advance(&self, n: u64) {
        self.bar.advance(n);
    }
}

/// Brings the index of `store` up to date, with a progress bar on a terminal.
pub fn bring_up_to_date(store: &Store, rebuild: bool) -> Result<UpdateReport, Failure> {
    with_bar("indexing", |progress| Ok(update(store, rebuild, progress)?))
}

/// [`bring_up_to_date`], through the library's door.
pub fn bring_archive_up_to_date(archive: &Archive, rebuild: bool) -> Result<UpdateReport, Failure> {
    with_bar("indexing", |progress| {
        Ok(archive.update_index(rebuild, progress)?)
    })
}

/// Runs an index update with a progress bar labelled `label`, and says at `-v` what it
/// did and how long it took.
fn with_bar(
    label: &'static str,
    work: impl FnOnce(&IndexProgress) -> Result<UpdateReport, Failure>,
) -> Result<UpdateReport, Failure> {
    let progress = IndexProgress {
        bar: Bar::count(),
        label,
    };
    let started = std::time::Instant::now();
    let report = work(&progress);
    progress.bar.finish();
    let report = report?;
    say_indexed(&report, started);
    Ok(report)
}

/// `-v`: what an index update did and how long it took.
fn say_indexed(report: &UpdateReport, started: std::time::Instant) {
    tracing::info!(
        "search index: {} indexed{}, now up to message {} in {}, in {:.1?}",
        counted(report.indexed, "message"),
        if report.rebuilt { " (rebuilt)" } else { "" },
        report.last_id,
        counted(report.segments as u64, "segment"),
        started.elapsed()
    );
}

/// Indexes what another connection commits until `writing` is false, with a progress
/// bar (on a terminal) for what is left then.
pub fn follow_writer(store: &Store, writing: &AtomicBool) -> Result<UpdateReport, Failure> {
    with_bar("indexing the rest", |progress| {
        Ok(update_following(store, false, writing, progress)?)
    })
}

/// The last line of the summary of `import` and `sync`, after their index update.
pub fn print_indexed(report: &UpdateReport, out: &mut impl Write) -> std::io::Result<()> {
    let rebuilt = if report.rebuilt {
        " (index rebuilt)"
    } else {
        ""
    };
    writeln!(out, "indexed:           {}{rebuilt}", report.indexed)?;
    out.flush()
}

pub fn run(archive: &Path, args: IndexArgs) -> Result<(), Failure> {
    let archive = crate::commands::open(archive)?;
    let report = bring_archive_up_to_date(&archive, args.rebuild)?;
    let how = if report.rebuilt {
        "rebuilt the search index"
    } else {
        "updated the search index"
    };
    let holds = match report.last_id {
        ..=0 => "it holds no messages".to_owned(),
        1 => "it now holds message 1".to_owned(),
        last => format!("it now holds messages 1 to {last}"),
    };
    let mut out = std::io::stdout().lock();
    let written = writeln!(
        out,
        "{how}: {} indexed; {holds}",
        counted(report.indexed, "message")
    )
    .and_then(|()| out.flush());
    crate::report_written(written)
}
