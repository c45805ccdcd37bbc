//! The reference executor: the filter answered from the store alone.
//!
//! It is the oracle every faster path must agree with, so it stays plain: SQLite selects
//! the rows the exact parts allow, in answer order, page by page inside one snapshot;
//! `contains` is tested on each row's content in Rust.

use std::collections::VecDeque;

use plupper_model::Contains;
use plupper_store::query::{OrderKey, Selection, Snapshot};
use plupper_store::{Store, StoreError, StoredMessage};

use crate::Filter;

/// Rows read from SQLite per page.
const PAGE_ROWS: usize = 512;

/// The answer to a filter, streamed in the API's order.
pub struct Messages<'s> {
    snapshot: Snapshot<'s>,
    selection: Selection,
    contains: Option<Contains>,
    scratch: String,
    page: VecDeque<StoredMessage>,
    next: Option<OrderKey>,
    started: bool,
}

/// The messages matching `filter`, in order: instant ascending, unknown instants by their
/// wall clock read as UTC, ties in archive order. Memory does not grow with the answer.
pub fn messages<'s>(store: &'s Store, filter: &Filter) -> Result<Messages<'s>, StoreError> {
    Ok(Messages {
        snapshot: store.snapshot()?,
        selection: filter.selection(),
        contains: filter.contains.as_deref().map(Contains::new),
        scratch: String::new(),
        page: VecDeque::new(),
        next: None,
        started: false,
    })
}

/// How many messages match `filter`.
pub fn count(store: &Store, filter: &Filter) -> Result<u64, StoreError> {
    let selection = filter.selection();
    match filter.contains.as_deref().map(Contains::new) {
        None => store.count_selection(&selection),
        Some(contains) => store.count_contents(&selection, &|| contains.counter()),
    }
}

impl Messages<'_> {
    fn fill(&mut self) -> Result<(), StoreError> {
        while self.page.is_empty() && (!self.started || self.next.is_some()) {
            self.started = true;
            let contains = &self.contains;
            let scratch = &mut self.scratch;
            let mut keep = |content: &str| {
                contains
                    .as_ref()
                    .is_none_or(|c| c.matches_with(content, scratch))
            };
            let page = self.snapshot.store().scan_page(
                &self.selection,
                self.next,
                PAGE_ROWS,
                &mut keep,
            )?;
            self.next = page.next;
            self.page.extend(page.messages);
        }
        Ok(())
    }
}

impl Iterator for Messages<'_> {
    type Item = Result<StoredMessage, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Err(error) = self.fill() {
            self.next = None;
            self.started = true;
            return Some(Err(error));
        }
        self.page.pop_front().map(Ok)
    }
}
