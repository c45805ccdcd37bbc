use std::path::PathBuf;

/// What can go wrong with an archive. Each variant keeps the error it comes from as its
/// [`source`](std::error::Error::source) (boxed: a `Result` stays small).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// [`Archive::open`](crate::Archive::open) or
    /// [`Archive::open_read_only`](crate::Archive::open_read_only) on a directory that
    /// holds no archive (a mistyped path must never look like an empty archive).
    #[error("no archive in {}", dir.display())]
    NoArchive {
        /// The directory.
        dir: PathBuf,
    },
    /// A message id that is not a positive integer (invalid input), as
    /// [`api::parse_message_id`](crate::api::parse_message_id) reads it.
    #[error("invalid message id `{written}`: expected a positive integer")]
    InvalidId {
        /// The id as it was written.
        written: String,
    },
    /// No archived message has this id.
    #[error("no message with id {id}")]
    NoMessage {
        /// The id, as written (it may be beyond any id an archive assigns).
        id: String,
    },
    /// A filter's parameter is invalid input (a bad date, a visitor id that is not an
    /// integer, a parameter given twice).
    #[error(transparent)]
    Filter(#[from] plupper_search::FilterError),
    /// The archive's database failed, or cannot be written (opened read-only).
    #[error(transparent)]
    Store(Box<plupper_store::StoreError>),
    /// The search index failed.
    #[error(transparent)]
    Index(Box<plupper_index::IndexError>),
    /// The search index cannot answer a ranked search: the archive is opened read-only,
    /// so it cannot be brought up to date, or it was changed again while it was.
    #[error("{}", not_current(dir, why, *read_only))]
    IndexNotCurrent {
        /// The archive directory.
        dir: PathBuf,
        /// Why the index cannot answer.
        why: plupper_index::Freshness,
        /// Whether the archive is opened read-only.
        read_only: bool,
    },
    /// Answering a filter failed.
    #[error(transparent)]
    Search(Box<plupper_search::executor::SearchError>),
    /// Conversations, statistics, verification or an evidence bundle failed.
    #[error(transparent)]
    Audit(Box<plupper_audit::AuditError>),
    /// An export for a distributed engine failed.
    #[error(transparent)]
    Engine(Box<plupper_engines::EngineError>),
    /// A file or directory given to `import` could not be imported.
    #[error(transparent)]
    File(Box<plupper_sync::file::FileError>),
    /// A sync could not start or stopped.
    #[error(transparent)]
    Sync(Box<plupper_sync::pull::SyncError>),
}

/// `From` for the errors kept boxed.
macro_rules! boxed_from {
    ($($variant:ident: $error:ty),* $(,)?) => {$(
        impl From<$error> for Error {
            fn from(error: $error) -> Self {
                Error::$variant(Box::new(error))
            }
        }
    )*};
}

boxed_from!(
    Store: plupper_store::StoreError,
    Index: plupper_index::IndexError,
    Search: plupper_search::executor::SearchError,
    Audit: plupper_audit::AuditError,
    Engine: plupper_engines::EngineError,
    File: plupper_sync::file::FileError,
    Sync: plupper_sync::pull::SyncError,
);

fn not_current(dir: &std::path::Path, why: &plupper_index::Freshness, read_only: bool) -> String {
    if read_only {
        format!(
            "{why}, and archive {} is read-only here, so the search index cannot be brought up to date",
            dir.display()
        )
    } else {
        format!(
            "{why}: the search index of archive {} cannot answer",
            dir.display()
        )
    }
}

impl Error {
    /// Whether the error is the caller's input (a filter parameter, a path that does not
    /// exist, a file that is not an API response or NDJSON, a bundle directory that is
    /// not empty, a key file that is not a usable key) rather than a failure of the archive or the system: the command line
    /// exits 2 for these, 1 for the others.
    pub fn is_invalid_input(&self) -> bool {
        match self {
            Error::Filter(_) | Error::InvalidId { .. } => true,
            Error::File(error) => error.is_invalid_input(),
            Error::Engine(error) => error.is_invalid_input(),
            Error::Sync(error) => error.is_invalid_input(),
            Error::Audit(error) => matches!(
                **error,
                plupper_audit::AuditError::BundleDir { .. } | plupper_audit::AuditError::Key { .. }
            ),
            _ => false,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_input() {
        let error = Error::NoArchive {
            dir: PathBuf::from("/tmp/nowhere"),
        };
        assert_eq!(error.to_string(), "no archive in /tmp/nowhere");
        assert!(!error.is_invalid_input());

        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let error = Error::from(
            plupper_search::Filter::from_query_string("from=13/01/09", today).unwrap_err(),
        );
        assert_eq!(
            error.to_string(),
            "invalid `from`: `13/01/09` is not a day of the calendar"
        );
        assert!(error.is_invalid_input());
    }
}
