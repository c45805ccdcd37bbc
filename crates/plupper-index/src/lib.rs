//! The search index of a plupper-archive: derived from the store, never a source of truth.
//!
//! A tantivy index in the archive directory (`index/`) over each message's content,
//! operator, ids, written date and answer-order key ([`schema`]), built incrementally
//! from the store ([`update`]) and read by the search crate ([`IndexSearcher`]):
//!
//! - **exact `contains`**: content folded by Unicode simple case folding and indexed as
//!   trigrams at character positions ([`tokens`]). Folding maps one character to one
//!   character, so a needle of three or more characters is found exactly by the phrase of
//!   its covering trigrams, and counting needs the index alone. A needle of one or two
//!   characters is not the index's ([`answers_contains`]): the store's content blocks
//!   scan every content at memory speed, and unigrams and bigrams of every content cost
//!   a third of the index's size and of its build time.
//! - **ranked search**: folded words with positions, scored by BM25; a word with accents
//!   is also held without them at its position, marked (accent-insensitive matching and
//!   `word*` prefixes; a match of the written form too ranks first).
//! - **exact filters**: operator and customer id as raw, case-sensitive terms; visitor id
//!   and written date as numbers.
//!
//! The index belongs to one archive: each commit records the archive's uuid, the
//! [schema version](schema::SCHEMA_VERSION) and the last archive id it holds. It is
//! *current* when that id is the store's last; otherwise ([`Freshness`]) it must not
//! answer, and the search crate answers from the store instead. [`update`] adds what the
//! store has beyond the last indexed id, committing as it goes (an interrupted update
//! resumes); an index of another archive or schema, or one that cannot be read, is
//! rebuilt from scratch. [`update_following`] does the same while another connection
//! writes, until that writer is done: an import indexes as it goes. One process updates
//! at a time (a lock file beside the index).
//!
//! # Example
//!
//! ```
//! use plupper_index::{update, IndexSearcher, NoProgress};
//! use plupper_store::{query::Selection, Store};
//! use plupper_sync::{file::import_file, load::NoProgress as NoLoadProgress};
//!
//! let dir = tempfile::tempdir()?;
//! let mut store = Store::open(dir.path())?;
//! import_file(&mut store, "../../data/seed.json".as_ref(), &NoLoadProgress);
//! update(&store, false, &NoProgress)?;
//!
//! let searcher = IndexSearcher::open_current(&store)?.expect("the index is current");
//! assert_eq!(searcher.count(&Selection::default(), "HELP")?, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(unreachable_pub)]

mod build;
mod error;
mod ids;
mod kept;
mod readers;
pub mod schema;
mod search;
mod snapshot;
pub mod tokens;

pub use build::{
    Freshness, NoProgress, UpdateProgress, UpdateReport, freshness, update, update_following,
};
pub use error::IndexError;
pub use kept::keep_readers;
pub use search::{Clause, FEW, IndexSearcher, MIN_CONTAINS_CHARS, RankedQuery, answers_contains};

/// The index directory's name inside an archive directory.
pub const INDEX_DIR: &str = "index";
/// The lock file that keeps two updates apart, beside the index directory.
pub const LOCK_FILE: &str = "index.lock";
