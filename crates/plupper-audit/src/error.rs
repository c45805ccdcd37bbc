use std::path::PathBuf;

/// What can go wrong while auditing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The archive failed.
    #[error(transparent)]
    Store(#[from] plupper_store::StoreError),
    /// Answering the filter failed.
    #[error(transparent)]
    Search(#[from] plupper_search::executor::SearchError),
    /// The search index failed.
    #[error(transparent)]
    Index(#[from] plupper_index::IndexError),
    /// A file of a bundle cannot be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The directory given for a new bundle cannot hold one.
    #[error("{}: {why}", path.display())]
    BundleDir {
        /// The directory.
        path: PathBuf,
        /// Why not: it is not empty, or not a directory.
        why: &'static str,
    },
    /// A key file cannot be used.
    #[error("{}: {why}", path.display())]
    Key {
        /// The key file.
        path: PathBuf,
        /// Why not.
        why: String,
    },
    /// The archive holds something no version of plupper-archive writes (`verify` says
    /// what).
    #[error("the archive is inconsistent: {0}; run `plupper-archive verify`")]
    Inconsistent(String),
}
