//! The one error type of this crate.

use std::path::PathBuf;

/// What can go wrong writing an engine export.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The output directory cannot take an export (invalid input).
    #[error("{}: {why}", path.display())]
    OutDir {
        /// The directory.
        path: PathBuf,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A file of the export could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A name that is no engine (invalid input).
    #[error("unknown engine `{0}`: expected quickwit or opensearch")]
    UnknownEngine(String),
    /// A shard limit that cannot hold a document (zero).
    #[error("invalid shard limit: {0} must be at least 1")]
    Limit(&'static str),
}

impl EngineError {
    /// Whether the error is the caller's input (the output directory, a limit) rather
    /// than a failure of the system.
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            EngineError::OutDir { .. } | EngineError::Limit(_) | EngineError::UnknownEngine(_)
        )
    }
}

/// Maps an I/O error on `path` to [`EngineError::Write`].
pub(crate) fn write_error(
    path: &std::path::Path,
) -> impl FnOnce(std::io::Error) -> EngineError + '_ {
    move |source| EngineError::Write {
        path: path.to_owned(),
        source,
    }
}
