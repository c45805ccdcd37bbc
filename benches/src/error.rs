//! The benchmark crate's errors.

use std::path::PathBuf;

/// What can go wrong generating, loading, scanning or comparing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BenchError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Writing the output failed.
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
    /// The SQLite peer failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The SQLite peer's database holds a value of another type than expected.
    #[error("sqlite: {0}")]
    SqliteValue(#[from] rusqlite::types::FromSqlError),
    /// A file is not a well-formed API list response or NDJSON.
    #[error("not a well-formed list at byte {offset}: {reason}")]
    Syntax {
        /// Where.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// An element of a file could not be parsed.
    #[error("element {position}: {reason}")]
    Element {
        /// The element number (0-based).
        position: usize,
        /// Why.
        reason: String,
    },
    /// A query string is not a valid filter.
    #[error("invalid filter: {0}")]
    Filter(#[from] plupper_search::FilterError),
    /// A program the comparison runs failed or could not be started.
    #[error("`{command}` failed: {reason}")]
    Command {
        /// The command line.
        command: String,
        /// Why.
        reason: String,
    },
}

impl BenchError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> BenchError {
        let path = path.into();
        move |source| BenchError::Io { path, source }
    }
}
