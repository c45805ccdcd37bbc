//! Choosing how to answer a filter: from the index when it can answer, from the store
//! otherwise. Both give the same messages in the same order; the differential tests
//! hold them to it.
//!
//! The index answers when it is *current* (it holds exactly the store's messages,
//! checked inside the store snapshot the answer is read from) and the filter has a
//! `contains` it holds, or an operator or customer id without a visitor id: the store
//! keeps no B-tree index on those two fields (each would cost every import one more
//! B-tree insert and the archive 19 MiB per million messages), the index has their terms
//! and the answer order in its fast fields. The store's B-tree indexes answer the rest in
//! answer order as fast: a visitor id, dates alone, or nothing; a *count* of such a
//! filter above [`STORE_COUNT_CAP`] messages is still the index's (see [`count`]).
//! The index does not hold needles of one or two characters
//! ([`plupper_index::answers_contains`]): the store finds them by scanning its content
//! blocks, and the index, when current, selects and orders the ids found by the rest of
//! the filter ([`Route::ContentBlocks`]); a count of such a needle alone is the blocks'
//! alone, and with a visitor id (or, counted, dates) the store reads the rows its B-tree
//! indexes select. When the index cannot answer, the store answers alone, the same
//! messages, walking its time index where it has no better one.

use std::collections::VecDeque;

use plupper_index::{Freshness, IndexSearcher};
use plupper_model::wire::MessageView;
use plupper_store::query::Snapshot;
use plupper_store::{ArchiveId, Store, StoreError, StoredMessage};

use crate::{Filter, reference};

/// Which path answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The tantivy index (then the store for the messages printed).
    Index,
    /// A needle of fewer than three characters, which the index does not hold, listed,
    /// or counted with an operator or a customer id: the store's content blocks find the
    /// messages that contain it, the index selects those that match the rest of the
    /// filter, and gives their order or counts them (then the store for the messages
    /// printed).
    ContentBlocks,
    /// The store alone, because its own indexes answer the filter as fast: a needle of
    /// fewer than three characters counted alone (its content blocks) or with a visitor
    /// id or dates (the rows its B-tree indexes select), or listed with a visitor id or
    /// found in more messages than [`CONTENT_BLOCKS_SHARE`] allows (its rows in answer
    /// order); or no `contains` and a visitor id, dates or nothing (its B-tree indexes).
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
    ids: Vec<ArchiveId>,
    /// How many of `ids` were read into `buffer` so far.
    read: usize,
    buffer: VecDeque<StoredMessage>,
}

/// Ids read per batch when the messages are taken one by one.
const BATCH: usize = 256;

impl Iterator for ById<'_> {
    type Item = Result<StoredMessage, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buffer.is_empty() {
            let batch = &self.ids[self.read..self.ids.len().min(self.read + BATCH)];
            if batch.is_empty() {
                return None;
            }
            self.read += batch.len();
            match self.store.messages_by_ids(batch) {
                Ok(messages) => self.buffer.extend(messages),
                Err(error) => return Some(Err(error)),
            }
        }
        self.buffer.pop_front().map(Ok)
    }
}

/// Matching messages, streamed in answer order: taken one by one as an iterator, or all
/// borrowed in turn by [`Answer::visit`].
pub struct Answer<'s> {
    source: Source<'s>,
}

enum Source<'s> {
    ById(ById<'s>),
    Stream(Box<dyn Iterator<Item = Result<StoredMessage, StoreError>> + 's>),
}

impl Iterator for Answer<'_> {
    type Item = Result<StoredMessage, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.source {
            Source::ById(by_id) => by_id.next(),
            Source::Stream(stream) => stream.next(),
        }
    }
}

impl Answer<'_> {
    /// Calls `visit` with each message of the rest of the answer, in answer order,
    /// borrowed: where the index answered, straight from the store's rows (no message is
    /// built). Stops at the first error.
    pub fn visit<E: From<StoreError>>(
        self,
        mut visit: impl FnMut(&MessageView<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        match self.source {
            Source::ById(by_id) => {
                for stored in &by_id.buffer {
                    visit(&stored.view())?;
                }
                by_id.store.visit_by_ids(&by_id.ids[by_id.read..], visit)
            }
            Source::Stream(stream) => {
                for stored in stream {
                    visit(&stored?.view())?;
                }
                Ok(())
            }
        }
    }
}

impl Answer<'_> {
    /// Writes the `ndjson` line of each message of the rest of the answer, in answer
    /// order, and hands the lines to `emit` some at a time, with how many each piece
    /// holds: [`Answer::visit`] writing [`MessageView::write_ndjson`], except that where
    /// the index answered, a long answer is read and written on two threads
    /// ([`Store::ndjson_by_ids`]). Stops at the first error.
    pub fn write_ndjson<E: From<StoreError>>(
        self,
        mut emit: impl FnMut(&[u8], u64) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut lines = Vec::new();
        let mut scratch = String::new();
        let mut line = |stored: &StoredMessage| -> Result<(), E> {
            lines.clear();
            stored.view().write_ndjson(&mut lines, &mut scratch);
            emit(&lines, 1)
        };
        match self.source {
            Source::ById(by_id) => {
                for stored in &by_id.buffer {
                    line(stored)?;
                }
                by_id.store.ndjson_by_ids(&by_id.ids[by_id.read..], emit)
            }
            Source::Stream(stream) => {
                for stored in stream {
                    line(&stored?)?;
                }
                Ok(())
            }
        }
    }
}

/// What the index is asked for `filter`, when the index answers it: the needle of its
/// `contains` (empty: none). `None` when the store answers alone: a needle of one or two
/// characters, or no `contains` and a selection the store's B-tree indexes give in answer
/// order ([`store_orders`]).
fn indexed_contains(filter: &Filter) -> Option<&str> {
    match filter.contains.as_deref() {
        Some(needle) => Some(needle).filter(|needle| plupper_index::answers_contains(needle)),
        None if store_orders(filter) => None,
        None => Some(""),
    }
}

/// Whether the store's own B-tree indexes give the exact selection in answer order: a
/// visitor id (`message_by_visitor`), or no operator and no customer id (dates alone or
/// nothing: `message_by_time`). An operator or a customer id alone has no index of its
/// own in the store.
fn store_orders(filter: &Filter) -> bool {
    filter.visitor_id.is_some() || (filter.operator.is_none() && filter.customer_id.is_none())
}

/// The needle of a filter that the content blocks and the index answer together
/// ([`Route::ContentBlocks`]): one the index does not hold (one or two characters),
/// without a visitor id, whose few messages the store's B-tree index gives at once.
fn short_needle(filter: &Filter) -> Option<&str> {
    filter
        .contains
        .as_deref()
        .filter(|needle| !plupper_index::answers_contains(needle) && filter.visitor_id.is_none())
}

/// A listing of a short needle ([`Route::ContentBlocks`]) finds its messages this way
/// while they are at most one in this many of the archive's messages; above, the store
/// reads its rows in answer order, as a listing of a visitor or dates does. The ids and
/// keys found cost 32 bytes a match until the listing ends, and where most messages
/// match, reading every row in order costs about as much as finding them first.
pub const CONTENT_BLOCKS_SHARE: u64 = 4;

/// The messages matching `filter` in answer order (at most `limit`), and the route taken.
pub fn messages<'s>(
    store: &'s Store,
    filter: &Filter,
    limit: Option<u64>,
) -> Result<(Route, Answer<'s>), SearchError> {
    if let Some(needle) = short_needle(filter) {
        return short_needle_messages(store, filter, needle, limit);
    }
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
            match searcher.keys(store, &filter.selection(), contains, limit) {
                Ok(keys) => {
                    let ids: Vec<ArchiveId> =
                        keys.into_iter().map(|key| ArchiveId(key.id)).collect();
                    let by_id = ById {
                        store,
                        _snapshot: snapshot,
                        ids,
                        read: 0,
                        buffer: VecDeque::new(),
                    };
                    let answer = Answer {
                        source: Source::ById(by_id),
                    };
                    Ok((Route::Index, answer))
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

/// [`messages`] for a needle the index does not hold ([`short_needle`]): the content
/// blocks find the ids of the messages that contain it ([`Store::content_matches`]), the
/// index keeps those that match the rest of the filter, in answer order
/// ([`IndexSearcher::keys_among`]), and the store reads them by id. The store walks its
/// rows instead when the index is not current, or when the matches are too many
/// ([`CONTENT_BLOCKS_SHARE`]).
fn short_needle_messages<'s>(
    store: &'s Store,
    filter: &Filter,
    needle: &str,
    limit: Option<u64>,
) -> Result<(Route, Answer<'s>), SearchError> {
    let snapshot = store.snapshot()?;
    let searcher = match IndexSearcher::open_current(store)? {
        Ok(searcher) => searcher,
        Err(why) => {
            drop(snapshot);
            let answer = limited(reference::messages(store, filter)?, limit);
            return Ok((Route::Fallback(why), answer));
        }
    };
    let contains = plupper_model::Contains::new(needle);
    let cap = searcher.document_count() / CONTENT_BLOCKS_SHARE;
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
    let ids = store.content_matches(&|| contains.matcher(), cap)?;
    let limit_keys = limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let keys = match ids {
        Some(ids) => searcher.keys_among(store, &filter.selection(), &ids, limit_keys),
        None => Ok(None),
    };
    let keys = match keys {
        Ok(Some(keys)) => keys,
        Ok(None) => {
            drop(snapshot);
            let answer = limited(reference::messages(store, filter)?, limit);
            return Ok((Route::Store, answer));
        }
        Err(error) => {
            drop(snapshot);
            let why = Freshness::Unreadable(error.to_string());
            let answer = limited(reference::messages(store, filter)?, limit);
            return Ok((Route::Fallback(why), answer));
        }
    };
    let by_id = ById {
        store,
        _snapshot: snapshot,
        ids: keys.into_iter().map(|key| ArchiveId(key.id)).collect(),
        read: 0,
        buffer: VecDeque::new(),
    };
    let answer = Answer {
        source: Source::ById(by_id),
    };
    Ok((Route::ContentBlocks, answer))
}

fn limited<'s>(messages: reference::Messages<'s>, limit: Option<u64>) -> Answer<'s> {
    let stream: Box<dyn Iterator<Item = _>> = match limit {
        Some(limit) => Box::new(messages.take(usize::try_from(limit).unwrap_or(usize::MAX))),
        None => Box::new(messages),
    };
    Answer {
        source: Source::Stream(stream),
    }
}

/// Matches a count that the store orders (`store_orders`, no `contains`) reads from the
/// store before it asks the index: below this the store's B-tree answers faster than
/// opening the index would, above it the index's postings count faster than the B-tree's
/// entries can be stepped through.
pub const STORE_COUNT_CAP: u64 = 1024;

/// How many messages match `filter`, and the route taken. On the index path the count
/// comes from the index alone.
///
/// A filter without `contains` that the store's B-tree indexes select (a visitor id,
/// dates) is counted by the store up to [`STORE_COUNT_CAP`] matches; a larger one by the
/// index when it is current (a visitor's few messages: a few index entries; a month of a
/// million messages: one range of the index's dates instead of 20,000 entries), by the
/// store otherwise.
pub fn count(store: &Store, filter: &Filter) -> Result<(Route, u64), SearchError> {
    count_with_store_cap(store, filter, STORE_COUNT_CAP)
}

/// The count of `filter` from the search index alone, without opening the store of the
/// archive in `dir`: when [`count`] would ask the index, and the database file's mark
/// says that the index holds exactly the archived messages ([`plupper_store::mark`]).
/// The answer is [`count`]'s. `None`: open the store and ask [`count`], which also says
/// why the index could not answer, if it could not.
pub fn count_from_index(dir: &std::path::Path, filter: &Filter) -> Option<u64> {
    if filter.contains.is_none() && store_orders(filter) {
        return None;
    }
    let contains = indexed_contains(filter)?;
    let mark = plupper_store::mark::read_mark(dir)?;
    let searcher = IndexSearcher::open_marked(dir, mark)?;
    searcher.count(&filter.selection(), contains).ok()
}

/// [`count`] with another cap than [`STORE_COUNT_CAP`] for a filter the store orders
/// (0: the index counts whenever it is current), for tests and tuning; the answer is the
/// same whatever the cap.
pub fn count_with_store_cap(
    store: &Store,
    filter: &Filter,
    cap: u64,
) -> Result<(Route, u64), SearchError> {
    if filter.contains.is_none() && store_orders(filter) {
        return count_exact(store, filter, cap);
    }
    if let Some(needle) = short_needle(filter)
        && (filter.operator.is_some() || filter.customer_id.is_some())
    {
        return short_needle_count(store, filter, needle);
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

/// [`count`] of a needle the index does not hold ([`short_needle`]) with an operator or
/// a customer id, which the store has no B-tree index for (it would read every row): the
/// content blocks find the ids of the messages that contain it, and the index counts
/// those the rest of the filter selects ([`IndexSearcher::count_among`]). The ids found
/// hold 8 bytes a match, at most as much as a listing's keys under its cap
/// ([`CONTENT_BLOCKS_SHARE`]), so a count takes them all: a needle in most messages
/// is still counted faster this way than by reading every row. The store counts alone
/// when the index is not current.
fn short_needle_count(
    store: &Store,
    filter: &Filter,
    needle: &str,
) -> Result<(Route, u64), SearchError> {
    let snapshot = store.snapshot()?;
    let why = match IndexSearcher::open_current(store)? {
        Ok(searcher) => {
            let contains = plupper_model::Contains::new(needle);
            let counted = match store.content_matches(&|| contains.matcher(), usize::MAX)? {
                Some(ids) => searcher.count_among(&filter.selection(), &ids),
                None => Ok(None),
            };
            match counted {
                Ok(Some(count)) => return Ok((Route::ContentBlocks, count)),
                Ok(None) => return Ok((Route::Store, reference::count(store, filter)?)),
                Err(error) => Freshness::Unreadable(error.to_string()),
            }
        }
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
