//! Choosing how to answer a filter: from the index when it can answer, from the store
//! otherwise. Both give the same messages in the same order; the differential tests
//! hold them to it.
//!
//! The index answers a filter with `contains` when it is *current* (it holds exactly
//! the store's messages, checked inside the store snapshot the answer is read from).
//! Listings without `contains` go to the store's B-tree indexes, which give them in
//! answer order as fast, so the tantivy index has nothing to add there; a *count*
//! without `contains` of more than [`STORE_COUNT_CAP`] messages is the index's (see
//! [`count`]). Needles of one or two characters go to the store too: the index does
//! not hold them ([`plupper_index::answers_contains`]), and the store finds them by
//! scanning its content blocks (a count of every content) or its rows.

use std::collections::VecDeque;

use plupper_index::{Freshness, IndexSearcher};
use plupper_store::query::Snapshot;
use plupper_store::{ArchiveId, Store, StoreError, StoredMessage};

use crate::{Filter, reference};

/// Which path answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The tantivy index (then the store for the messages printed).
    Index,
    /// The store alone, because the filter has no `contains` the index answers (none,
    /// or a needle of fewer than three characters).
    Store,
    /// The store alone, because the index could not answer (why).
    Fallback(Freshness),
}

/// What can go wrong answering a filter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    /// The archive failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The index failed in a way that the fallback could not cover.
    #[error(transparent)]
    Index(#[from] plupper_index::IndexError),
}

/// Messages read by archive id, a batch at a time, in the order the index gave.
struct ById<'s> {
    store: &'s Store,
    _snapshot: Snapshot<'s>,
    ids: std::vec::IntoIter<ArchiveId>,
    buffer: VecDeque<StoredMessage>,
}

impl Iterator for ById<'_> {
    type Item = Result<StoredMessage, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buffer.is_empty() {
            let batch: Vec<ArchiveId> = self.ids.by_ref().take(256).collect();
            if batch.is_empty() {
                return None;
            }
            match self.store.messages_by_ids(&batch) {
                Ok(messages) => self.buffer.extend(messages),
                Err(error) => return Some(Err(error)),
            }
        }
        self.buffer.pop_front().map(Ok)
    }
}

/// The filter's `contains`, when the index answers it.
fn indexed_contains(filter: &Filter) -> Option<&str> {
    filter
        .contains
        .as_deref()
        .filter(|needle| plupper_index::answers_contains(needle))
}

/// Matching messages, streamed in answer order.
pub type Answer<'s> = Box<dyn Iterator<Item = Result<StoredMessage, StoreError>> + 's>;

/// The messages matching `filter` in answer order (at most `limit`), and the route taken.
pub fn messages<'s>(
    store: &'s Store,
    filter: &Filter,
    limit: Option<u64>,
) -> Result<(Route, Answer<'s>), SearchError> {
    let Some(contains) = indexed_contains(filter) else {
        return Ok((
            Route::Store,
            limited(reference::messages(store, filter)?, limit),
        ));
    };
    let snapshot = store.snapshot()?;
    match IndexSearcher::open_current(store)? {
        Ok(searcher) => {
            let limit = limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
            match searcher.keys(&filter.selection(), contains, limit) {
                Ok(keys) => {
                    let ids: Vec<ArchiveId> =
                        keys.into_iter().map(|key| ArchiveId(key.id)).collect();
                    let answer = ById {
                        store,
                        _snapshot: snapshot,
                        ids: ids.into_iter(),
                        buffer: VecDeque::new(),
                    };
                    Ok((Route::Index, Box::new(answer)))
                }
                Err(error) => {
                    drop(snapshot);
                    let why = Freshness::Unreadable(error.to_string());
                    Ok((
                        Route::Fallback(why),
                        limited(reference::messages(store, filter)?, limit.map(|n| n as u64)),
                    ))
                }
            }
        }
        Err(why) => {
            drop(snapshot);
            Ok((
                Route::Fallback(why),
                limited(reference::messages(store, filter)?, limit),
            ))
        }
    }
}

fn limited<'s>(messages: reference::Messages<'s>, limit: Option<u64>) -> Answer<'s> {
    match limit {
        Some(limit) => Box::new(messages.take(usize::try_from(limit).unwrap_or(usize::MAX))),
        None => Box::new(messages),
    }
}

/// Matches a count without `contains` reads from the store before it asks the index:
/// below this the store's B-tree answers faster than opening the index would, above it
/// the index's postings count faster than the B-tree's entries can be stepped through.
pub const STORE_COUNT_CAP: u64 = 1024;

/// How many messages match `filter`, and the route taken. On the index path the count
/// comes from the index alone.
///
/// A filter without `contains` (exact fields and dates only) is counted by the store up
/// to [`STORE_COUNT_CAP`] matches; a larger one by the index when it is current (a
/// customer id of 5 % of a million messages: one term's postings instead of 52,000 index
/// entries), by the store otherwise.
pub fn count(store: &Store, filter: &Filter) -> Result<(Route, u64), SearchError> {
    count_with_store_cap(store, filter, STORE_COUNT_CAP)
}

/// [`count`] with another cap than [`STORE_COUNT_CAP`] for a filter without `contains`
/// (0: the index counts whenever it is current), for tests and tuning; the answer is the
/// same whatever the cap.
pub fn count_with_store_cap(
    store: &Store,
    filter: &Filter,
    cap: u64,
) -> Result<(Route, u64), SearchError> {
    if filter.contains.is_none() {
        return count_exact(store, filter, cap);
    }
    let Some(contains) = indexed_contains(filter) else {
        return Ok((Route::Store, reference::count(store, filter)?));
    };
    let snapshot = store.snapshot()?;
    let why = match IndexSearcher::open_current(store)? {
        Ok(searcher) => match searcher.count(&filter.selection(), contains) {
            Ok(count) => return Ok((Route::Index, count)),
            Err(error) => Freshness::Unreadable(error.to_string()),
        },
        Err(why) => why,
    };
    let count = reference::count(snapshot.store(), filter)?;
    Ok((Route::Fallback(why), count))
}

fn count_exact(store: &Store, filter: &Filter, cap: u64) -> Result<(Route, u64), SearchError> {
    let selection = filter.selection();
    let snapshot = store.snapshot()?;
    if cap > 0 {
        let few = snapshot.store().count_selection_up_to(&selection, cap)?;
        if few < cap {
            return Ok((Route::Store, few));
        }
    }
    if let Ok(searcher) = IndexSearcher::open_current(store)?
        && let Ok(count) = searcher.count(&selection, "")
    {
        return Ok((Route::Index, count));
    }
    // The store answers alone whenever the index cannot, whatever the reason: no need to
    // say why, the answer is the same and so is its cost without an index.
    Ok((Route::Store, snapshot.store().count_selection(&selection)?))
}
