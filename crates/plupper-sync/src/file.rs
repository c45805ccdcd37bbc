//! The file source: saved API responses and NDJSON files on disk.

use std::io;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use plupper_store::{Store, StoreError};

use crate::load::{LoadError, OnDamage, Progress, UnitReport};
use crate::scan::Format;
use crate::source::{FileSource, Source, is_standard_input, load_opened};

/// Why one file (or path) could not be imported, or not completely.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The path does not exist (invalid input).
    #[error("{}: no such file or directory", path.display())]
    NotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// The file or directory cannot be read (a failure).
    #[error("{}: cannot read: {source}", path.display())]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file is not an API list response or NDJSON; nothing of it was stored.
    #[error("{}: not an API list response or NDJSON file: {reason}; nothing of it was imported", path.display())]
    Foreign {
        /// The path.
        path: PathBuf,
        /// What it looks like instead.
        reason: String,
    },
    /// The list breaks its syntax at `offset`: the elements before are archived, the rest
    /// (if the file goes on) is in quarantine.
    #[error(
        "{}: damaged at byte {offset}: {reason}; the {elements} element{} before it {} read, {}",
        path.display(),
        if *.elements == 1 { "" } else { "s" },
        if *.elements == 1 { "was" } else { "were" },
        if *.rest_kept { "the rest of the file is in quarantine" } else { "and nothing follows it" }
    )]
    Damaged {
        /// The path.
        path: PathBuf,
        /// Where.
        offset: u64,
        /// What is wrong.
        reason: String,
        /// Elements read before the damage.
        elements: u64,
        /// Whether bytes followed the damage (they are in quarantine).
        rest_kept: bool,
    },
    /// Reading failed part-way: what was read before is archived.
    #[error("{}: {source}", path.display())]
    ReadFailed {
        /// The path.
        path: PathBuf,
        /// Why.
        source: LoadError,
    },
    /// The archive failed: the import stops.
    #[error("{}: {source}", path.display())]
    Store {
        /// The file being imported.
        path: PathBuf,
        /// Why.
        source: StoreError,
    },
}

impl FileError {
    /// Whether this is the user's input being wrong (the CLI's exit status 2) rather than a
    /// failure (1).
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            FileError::NotFound { .. } | FileError::Foreign { .. } | FileError::Damaged { .. }
        )
    }
}

/// What importing one file did.
#[derive(Debug)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// Its detected format, when it was recognised.
    pub format: Option<Format>,
    /// What was archived (also when the file was damaged part-way).
    pub unit: UnitReport,
    /// What went wrong, if anything.
    pub error: Option<FileError>,
}

/// Hears which file an import is at. The CLI draws its progress bar from this.
pub trait ImportProgress: Progress {
    /// A file of `len` bytes starts.
    fn start_file(&self, path: &Path, len: u64) {
        let _ = (path, len);
    }
}

impl ImportProgress for crate::load::NoProgress {}

/// The files to import for the paths given: files as they are; directories walked
/// recursively in file-name order, following links, skipping hidden entries (names starting with `.`)
/// below them; `-` is standard input ([`STANDARD_INPUT`](crate::source::STANDARD_INPUT)). A path that cannot be listed
/// gives an error in its place.
pub fn expand_paths(paths: &[PathBuf]) -> Vec<Result<PathBuf, FileError>> {
    let mut files = Vec::new();
    for path in paths {
        if is_standard_input(path) {
            files.push(Ok(path.clone()));
            continue;
        }
        match std::fs::metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                files.push(Err(FileError::NotFound { path: path.clone() }))
            }
            Err(source) => files.push(Err(FileError::Unreadable {
                path: path.clone(),
                source,
            })),
            Ok(meta) if meta.is_dir() => {
                // Links are followed: a link to a file is a file to the user. A dangling
                // link or a loop is reported as unreadable, never skipped silently.
                let walk = WalkDir::new(path)
                    .follow_links(true)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(|entry| {
                        entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
                    });
                for entry in walk {
                    match entry {
                        Ok(entry) if entry.file_type().is_file() => {
                            files.push(Ok(entry.into_path()))
                        }
                        Ok(_) => {}
                        Err(e) => {
                            let path = e.path().unwrap_or(path).to_owned();
                            let source = e
                                .into_io_error()
                                .unwrap_or_else(|| io::Error::other("a file system loop"));
                            files.push(Err(FileError::Unreadable { path, source }));
                        }
                    }
                }
            }
            Ok(_) => files.push(Ok(path.clone())),
        }
    }
    files
}

/// Imports one file: detects its format, then loads it as one source (through
/// [`FileSource`] and the one loader, [`load_opened`]).
pub fn import_file(store: &mut Store, path: &Path, progress: &dyn ImportProgress) -> FileReport {
    let mut report = FileReport {
        path: path.to_owned(),
        format: None,
        unit: UnitReport::default(),
        error: None,
    };
    let opened = match FileSource.open(path) {
        Ok(opened) => opened,
        Err(error) => {
            report.error = Some(error);
            return report;
        }
    };
    report.format = Some(opened.format);
    progress.start_file(path, opened.len.unwrap_or(0));
    let source = FileSource.describe(path);
    let loaded = store
        .begin(&source)
        .map_err(LoadError::from)
        .and_then(|mut unit| {
            let loaded = load_opened(&mut unit, opened, OnDamage::Quarantine, progress)?;
            unit.finish()?;
            Ok(loaded)
        });
    match loaded {
        Ok(unit) => {
            if let Some(damage) = &unit.damage {
                report.error = Some(FileError::Damaged {
                    path: path.to_owned(),
                    offset: damage.offset,
                    reason: damage.reason.clone(),
                    elements: unit.elements,
                    rest_kept: damage.rest_kept,
                });
            }
            report.unit = unit;
        }
        Err(LoadError::Store(source)) => {
            report.error = Some(FileError::Store {
                path: path.to_owned(),
                source,
            })
        }
        Err(source) => {
            report.error = Some(FileError::ReadFailed {
                path: path.to_owned(),
                source,
            })
        }
    }
    report
}
