/// What can go wrong with the index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// tantivy failed.
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The archive failed.
    #[error(transparent)]
    Store(#[from] plupper_store::StoreError),
    /// A `contains` needle the index does not answer ([`crate::answers_contains`]).
    #[error(
        "the search index does not answer `contains` of fewer than {} characters (`{needle}`)",
        crate::MIN_CONTAINS_CHARS
    )]
    ShortNeedle {
        /// The needle.
        needle: String,
    },
    /// The index directory or its lock file cannot be used.
    #[error("search index {path}: {source}")]
    Io {
        /// The file or directory.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}
