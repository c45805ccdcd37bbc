//! What one applied chunk added, for the records derived from it that are written in
//! the same transaction: its [chain link](crate::chain) and the
//! [conversations](crate::conversation) of its visitors.

use rusqlite::Connection;

use plupper_model::Element;

use crate::conversation::{AddedPoint, ConversationKey, ENTRY_LINE, regroup_added};
use crate::{BatchId, StoreError};

/// The messages a chunk added, in the order added (archive id order).
#[derive(Debug, Default)]
pub(crate) struct AddedMessages<'a> {
    texts: Vec<(i64, &'a str)>,
    points: Vec<AddedPoint>,
}

impl<'a> AddedMessages<'a> {
    /// Notes the message just inserted with archive id `id`.
    pub(crate) fn push(&mut self, id: i64, element: &'a Element) {
        let message = &element.message;
        self.texts.push((id, element.original.text.as_str()));
        self.points.push(AddedPoint {
            key: ConversationKey::of(message.visitor_id, message.customer_id.as_deref()),
            sort_key: element.date.sort_key(),
            id,
            entry: message.message_type == "VO" && message.content == ENTRY_LINE,
        });
    }

    /// Records the chain link and regroups the touched conversations, in the caller's
    /// transaction (the one that added the messages).
    pub(crate) fn record(self, conn: &Connection, batch: BatchId) -> Result<(), StoreError> {
        if self.texts.is_empty() {
            return Ok(());
        }
        crate::chain::record(conn, Some(batch), &self.texts)?;
        regroup_added(conn, &self.points)
    }
}
