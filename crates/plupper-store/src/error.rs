use std::path::{Path, PathBuf};

/// What can go wrong with an archive.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The archive directory cannot be created.
    #[error("cannot create archive directory {}: {source}", path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database cannot be opened.
    #[error("cannot open archive {}: {source}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// The file exists but is not an SQLite database (or is damaged).
    #[error("{} is not a plupper-archive database (or it is damaged): {source}", path.display())]
    NotAnArchive {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The archive was written by a newer version of the program.
    #[error("archive {} has schema version {found}; this program knows up to {known}: use a newer plupper-archive", path.display())]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The archive's schema version.
        found: u32,
        /// The newest version this program knows.
        known: u32,
    },
    /// Another process holds the archive's write lock for longer than the busy timeout.
    #[error("archive is busy: another process is writing to it; try again when it has finished")]
    Busy,
    /// The archive cannot be written by this process, and the command must write.
    #[error("archive {} is read-only for this user: {why}", dir.display())]
    ReadOnly {
        /// The archive directory.
        dir: PathBuf,
        /// What needed write access.
        why: String,
    },
    /// A content block cannot be read as plupper-archive writes them.
    #[error(
        "archive database error: the content block of messages {first} to {last} is damaged ({why}); `plupper-archive verify` checks the whole archive"
    )]
    ContentBlock {
        /// The first message id it covers.
        first: i64,
        /// The last message id it covers.
        last: i64,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A unit was used again after one of its calls failed (and rolled it back).
    #[error(
        "reading {source_name} into the archive already failed and was rolled back; start it again"
    )]
    UnitFailed {
        /// The unit's source (a file, a sync window).
        source_name: String,
    },
    /// Any other database failure.
    #[error("archive database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Busy
            }
            _ => StoreError::Sqlite(error),
        }
    }
}

impl StoreError {
    /// Whether SQLite failed because it cannot write the database or its directory.
    pub(crate) fn is_read_only(&self) -> bool {
        let (StoreError::Sqlite(source) | StoreError::Open { source, .. }) = self else {
            return false;
        };
        matches!(
            source.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
        )
    }

    /// Names the database file in errors that say the file is not a database.
    pub(crate) fn in_archive(self, path: &Path) -> StoreError {
        match self {
            StoreError::Sqlite(source)
                if matches!(
                    source.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
                ) =>
            {
                StoreError::NotAnArchive {
                    path: path.to_owned(),
                    source,
                }
            }
            StoreError::TooNew { found, known, .. } => StoreError::TooNew {
                path: path.to_owned(),
                found,
                known,
            },
            other => other,
        }
    }
}
