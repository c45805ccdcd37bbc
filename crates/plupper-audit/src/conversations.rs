//! The conversations that match a filter: those with at least one matching message,
//! taken whole, in the order they started.

use std::collections::HashSet;

use plupper_search::{Filter, executor};
use plupper_store::{ArchiveId, ConversationId, ConversationRow, Store, StoredMessage};

use crate::AuditError;
use crate::summary::ConversationSummary;

/// A conversation with its messages and figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// As stored.
    pub row: ConversationRow,
    /// Its messages, in answer order.
    pub messages: Vec<StoredMessage>,
    /// Its figures.
    pub summary: ConversationSummary,
}

/// Which conversations a filter selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selected {
    /// All of them (the filter is empty).
    All,
    /// These.
    Only(HashSet<ConversationId>),
}

impl Selected {
    /// Whether the conversation is selected.
    pub fn contains(&self, id: ConversationId) -> bool {
        match self {
            Selected::All => true,
            Selected::Only(ids) => ids.contains(&id),
        }
    }
}

/// Ids read from the store per look-up of their conversations.
const BATCH: usize = 4096;

/// The conversations of these messages.
pub fn conversations_of_messages(
    store: &Store,
    ids: &[ArchiveId],
) -> Result<HashSet<ConversationId>, AuditError> {
    let mut out = HashSet::new();
    for batch in ids.chunks(BATCH) {
        out.extend(store.conversations_of(batch)?);
    }
    Ok(out)
}

/// The conversations in which at least one message matches `filter`.
pub fn select(store: &Store, filter: &Filter) -> Result<Selected, AuditError> {
    if *filter == Filter::default() {
        return Ok(Selected::All);
    }
    let (_, messages) = executor::messages(store, filter, None)?;
    let mut selected = HashSet::new();
    let mut batch = Vec::with_capacity(BATCH);
    for stored in messages {
        batch.push(stored?.id);
        if batch.len() == BATCH {
            selected.extend(store.conversations_of(&batch)?);
            batch.clear();
        }
    }
    selected.extend(store.conversations_of(&batch)?);
    Ok(Selected::Only(selected))
}

/// Loads one conversation with its messages and figures; `None` when there is no
/// conversation with this id.
pub fn load(store: &Store, id: ConversationId) -> Result<Option<Conversation>, AuditError> {
    let Some(row) = store.conversation(id)? else {
        return Ok(None);
    };
    Ok(Some(with_messages(store, row)?))
}

fn with_messages(store: &Store, row: ConversationRow) -> Result<Conversation, AuditError> {
    let messages = store.conversation_messages(row.id)?;
    let summary = ConversationSummary::of(row.id, &messages).ok_or_else(|| {
        AuditError::Inconsistent(format!("conversation {} has no messages", row.id))
    })?;
    Ok(Conversation {
        row,
        messages,
        summary,
    })
}

/// The selected conversations in the order they started (their first messages' answer
/// order), read a page at a time; the caller should hold a store snapshot.
pub fn in_order(
    store: &Store,
    selected: Selected,
) -> impl Iterator<Item = Result<Conversation, AuditError>> + '_ {
    const PAGE: usize = 512;
    let mut after = None;
    let mut page = Vec::new().into_iter();
    let mut done = false;
    std::iter::from_fn(move || {
        loop {
            if let Some(row) = page
                .by_ref()
                .find(|row: &ConversationRow| selected.contains(row.id))
            {
                return Some(with_messages(store, row));
            }
            if done {
                return None;
            }
            match store.conversations_page(after, PAGE) {
                Ok(rows) => {
                    done = rows.len() < PAGE;
                    after = rows.last().map(|row| (row.first_key, row.first_message));
                    page = rows.into_iter();
                }
                Err(error) => {
                    done = true;
                    return Some(Err(error.into()));
                }
            }
        }
    })
}
