//! Verifying a whole archive: the store's own checks ([`Store::verify`]: the database
//! file, every message against its original text, the chain, the conversations) and the
//! search index against the store.
//!
//! The index is derived and disposable, and it never answers when it is not current, so
//! an index that is missing, behind the store or of another archive or version is no
//! problem: it is said, and `index` brings it up to date. It is a problem when it holds
//! what the store does not: a current index whose number of messages differs from the
//! store's, an index ahead of the store (messages were removed), or one that cannot be
//! read.

use plupper_index::{Freshness, IndexSearcher, freshness};
use plupper_model::printable::printable;
use plupper_store::{Store, Verification};

use crate::AuditError;
use plupper_model::plural::counted;

/// How the index stands against the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexState {
    /// Current, holding exactly as many messages as the store.
    Consistent {
        /// Its number of messages.
        documents: u64,
    },
    /// Not current, which is no problem (why).
    NotCurrent(Freshness),
    /// Inconsistent with the store (what differs).
    Inconsistent(String),
}

/// What [`verify_archive`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveCheck {
    /// The archive's uuid.
    pub uuid: String,
    /// The store's checks.
    pub store: Verification,
    /// The index's state.
    pub index: IndexState,
}

impl ArchiveCheck {
    /// Every problem, as lines for people ([`printable`]: a problem may quote an archived
    /// text).
    pub fn problems(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .store
            .problems
            .iter()
            .map(|problem| printable(&problem.to_string()).into_owned())
            .collect();
        if let IndexState::Inconsistent(why) = &self.index {
            lines.push(format!("search index: {why}"));
        }
        lines
    }
}

/// Checks the archive and its index.
pub fn verify_archive(store: &Store) -> Result<ArchiveCheck, AuditError> {
    let snapshot = store.snapshot()?;
    let store = snapshot.store();
    let verification = store.verify()?;
    let index = index_state(store)?;
    Ok(ArchiveCheck {
        uuid: store.info()?.uuid,
        store: verification,
        index,
    })
}

fn index_state(store: &Store) -> Result<IndexState, AuditError> {
    let archived = store.message_count()?;
    Ok(match freshness(store)? {
        Freshness::Current => match IndexSearcher::open_current(store)? {
            Ok(searcher) if searcher.document_count() == archived => IndexState::Consistent {
                documents: archived,
            },
            Ok(searcher) => IndexState::Inconsistent(format!(
                "it holds {}, the archive {archived} (messages were removed from or added to the archive behind its back)",
                counted(searcher.document_count(), "message")
            )),
            Err(why) => IndexState::NotCurrent(why),
        },
        Freshness::Ahead {
            indexed,
            archived: last,
        } => IndexState::Inconsistent(format!(
            "it holds messages up to id {indexed}, but the archive's ids end at {last} (messages were removed from the archive, or its database was put back from an older copy; `plupper-archive index` rebuilds it)"
        )),
        Freshness::Unreadable(why) => IndexState::Inconsistent(format!(
            "it cannot be read ({why}); `plupper-archive index --rebuild` rebuilds it"
        )),
        other => IndexState::NotCurrent(other),
    })
}
