//! Checking a whole archive: is it as plupper-archive wrote it?
//!
//! [`Store::verify`] reads one snapshot of the archive and checks, in order:
//!
//! 1. SQLite's `PRAGMA integrity_check` (the file's own structure);
//! 2. every message: each column holds a value of the type plupper-archive writes, its
//!    original text still parses, and the parsed fields and date columns are what that
//!    text gives ([`rederive`]; a changed field of a message whose original is written
//!    from its fields changes that text, which the chain then tells);
//! 3. the [chain](crate::chain): each link's hash over its messages' original texts,
//!    each link pointing at the one before, every message covered by a link, no ids
//!    missing inside a link, and no ids assigned after the last link ([`ChainCheck`]);
//! 4. the [conversations](crate::conversation): stored as the rule derives them from the
//!    messages now;
//! 5. the [exports](crate::exports): each export's record against the hash of its chain
//!    link, and every link that records no message being an export's;
//! 6. the [content blocks](crate::content_block): one for each 4,096 assigned ids, each
//!    holding the contents of its messages as they are archived.
//!
//! It finds problems rather than failing on them: each is a [`Problem`] that names the
//! message, link, conversation or content block and says what differs. The index is not
//! the store's to check (plupper-audit does that).

mod chain_check;
mod problem;
mod rederive;

use std::collections::{HashMap, HashSet};

use rusqlite::types::{Value, ValueRef};

use crate::chain::ChainLink;
use crate::content_block::BLOCK_MESSAGES;
use crate::conversation::{
    ConversationId, ConversationKey, ConversationRow, GAP_SECONDS, group, key_points, keys,
};
use crate::exports::{ExportRecord, export_hash};
use crate::{Store, StoreError};

pub use chain_check::ChainCheck;
pub use problem::Problem;
use rederive::optional_text;
pub use rederive::{RAW_COLUMNS, RawMessage, rederive};

/// What [`Store::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Messages checked.
    pub messages: u64,
    /// Chain links checked.
    pub links: u64,
    /// Conversations the messages make.
    pub conversations: u64,
    /// The last link (its hash stands for the whole archive).
    pub head: Option<ChainLink>,
    /// The evidence bundles exported, as recorded.
    pub exports: Vec<ExportRecord>,
    /// Everything that is not as it was written; empty for an intact archive.
    pub problems: Vec<Problem>,
}

/// Each export's record against its chain link's hash, and each link that records no
/// message against the exports: pure.
fn export_problems(links: &[ChainLink], exports: &[ExportRecord]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let by_link: HashMap<i64, &ExportRecord> = exports.iter().map(|e| (e.link, e)).collect();
    for link in links {
        match (link.added, by_link.get(&link.id)) {
            (0, None) => problems.push(Problem::Export {
                link: link.id,
                reason: "its chain link records no message, but the export's record is missing",
            }),
            (0, Some(export)) if export_hash(&link.previous_hash, &export.entry) != link.hash => {
                problems.push(Problem::Export {
                    link: link.id,
                    reason: "its record is not what its chain link's hash covers (the record or the link was changed)",
                });
            }
            (1.., Some(_)) => problems.push(Problem::Export {
                link: link.id,
                reason: "recorded on a chain link of messages",
            }),
            _ => {}
        }
    }
    let linked: HashSet<i64> = links.iter().map(|l| l.id).collect();
    for export in exports.iter().filter(|e| !linked.contains(&e.link)) {
        problems.push(Problem::Export {
            link: export.link,
            reason: "recorded, but its chain link is missing",
        });
    }
    problems
}

impl Store {
    /// Checks the whole archive, in one snapshot; see the [module docs](self).
    pub fn verify(&self) -> Result<Verification, StoreError> {
        let snapshot = self.snapshot()?;
        let store = snapshot.store();
        let mut problems = store.integrity_problems()?;
        let links = store.chain_links()?;
        let mut chain = ChainCheck::new(&links);
        let mut messages = 0;
        store.each_raw_message(&mut |row| {
            messages += 1;
            let (text, found) = rederive(row);
            problems.extend(found);
            chain.message(row.id, text.as_deref().map(str::as_bytes));
        })?;
        problems.extend(chain.finish(store.max_id()?.0));
        let exports = store.exports()?;
        problems.extend(export_problems(&links, &exports));
        let conversations = store.conversation_problems(&mut problems)?;
        store.content_block_problems(&mut problems)?;
        Ok(Verification {
            messages,
            links: links.len() as u64,
            conversations,
            head: links.last().cloned(),
            exports,
            problems,
        })
    }

    fn integrity_problems(&self) -> Result<Vec<Problem>, StoreError> {
        let mut statement = self.conn.prepare("PRAGMA integrity_check")?;
        let lines = statement.query_map([], |row| row.get::<_, String>(0))?;
        let mut problems = Vec::new();
        for line in lines {
            let line = line?;
            if line != "ok" {
                problems.push(Problem::Database(line));
            }
        }
        Ok(problems)
    }

    /// Every message row, in id order, a page at a time.
    fn each_raw_message(&self, each: &mut dyn FnMut(&RawMessage)) -> Result<(), StoreError> {
        const PAGE: i64 = 4096;
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT id, {} FROM message WHERE id > ?1 ORDER BY id LIMIT {PAGE}",
            RAW_COLUMNS.join(", ")
        ))?;
        let mut after = i64::MIN;
        loop {
            let page = statement
                .query_map([after], |row| {
                    let values = (1..=RAW_COLUMNS.len())
                        .map(|i| row.get::<_, Value>(i))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(RawMessage {
                        id: row.get(0)?,
                        values,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = last.id;
            for row in &page {
                each(row);
            }
        }
    }

    /// Derives every content block again from the messages and compares it with the
    /// stored one; reports blocks that should not exist and runs of missing ones.
    fn content_block_problems(&self, problems: &mut Vec<Problem>) -> Result<(), StoreError> {
        const B: i64 = BLOCK_MESSAGES;
        let assigned = self.max_id()?.0;
        // The end of the last block whose ids are all assigned.
        let complete = assigned - assigned.rem_euclid(B);
        let mut expected = 1; // the first id of the next block expected
        let missing = |problems: &mut Vec<Problem>, from: i64, to: i64| {
            let to = to.min(complete);
            if from <= to {
                problems.push(Problem::ContentBlock {
                    first: from,
                    last: to,
                    reason: "no content block holds them, though all their ids are assigned",
                });
            }
        };
        let mut statement = self
            .conn
            .prepare("SELECT first_id, lengths, contents FROM content_block ORDER BY first_id")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let first: i64 = row.get(0)?;
            let last = first.saturating_add(B - 1);
            let mut found = |reason| {
                problems.push(Problem::ContentBlock {
                    first,
                    last,
                    reason,
                })
            };
            if first < 1 || (first - 1).rem_euclid(B) != 0 {
                found("it does not start where a block starts (1, 4097, …)");
                continue;
            }
            if last > assigned {
                found("it covers ids that are not assigned yet");
                continue;
            }
            missing(problems, expected, first - 1);
            expected = last + 1;
            let block = crate::content_block::derive(&self.conn, first)?;
            match (row.get_ref(1)?, row.get_ref(2)?) {
                (ValueRef::Blob(lengths), ValueRef::Blob(contents))
                    if lengths == block.lengths && contents == block.contents => {}
                (ValueRef::Blob(_), ValueRef::Blob(_)) => problems.push(Problem::ContentBlock {
                    first,
                    last,
                    reason: "it does not hold the contents of these messages as archived",
                }),
                _ => problems.push(Problem::ContentBlock {
                    first,
                    last,
                    reason: "it holds values that are not blobs",
                }),
            }
        }
        missing(problems, expected, i64::MAX);
        Ok(())
    }

    /// Derives every conversation again and compares it with the stored ones; returns
    /// how many the messages make.
    fn conversation_problems(&self, problems: &mut Vec<Problem>) -> Result<u64, StoreError> {
        let mut derived_ids = HashSet::new();
        for key in keys(&self.conn)? {
            let rows = key_points(&self.conn, &key)?;
            let points: Vec<_> = rows.iter().map(|(point, _)| *point).collect();
            for group in group(&points, GAP_SECONDS) {
                for (point, stored) in &rows[group.range.clone()] {
                    if *stored != Some(group.id.0) {
                        problems.push(Problem::Conversation {
                            message: point.id,
                            stored: *stored,
                            derived: group.id.0,
                        });
                    }
                }
                let members = &points[group.range.clone()];
                let expected = ConversationRow {
                    id: group.id,
                    key: key.clone(),
                    first_message: crate::ArchiveId(members[0].id),
                    first_key: members[0].sort_key,
                    last_key: members[members.len() - 1].sort_key,
                    messages: members.len() as u64,
                };
                match self.conversation(group.id)? {
                    Some(row) if row == expected => {}
                    Some(row) => problems.push(Problem::ConversationRow {
                        conversation: group.id.0,
                        reason: row_difference(&row, &expected),
                    }),
                    None => problems.push(Problem::ConversationRow {
                        conversation: group.id.0,
                        reason: "is not stored, but its messages make it".into(),
                    }),
                }
                derived_ids.insert(group.id);
            }
        }
        let mut extra = self
            .conn
            .prepare("SELECT id FROM conversation ORDER BY id")?;
        for id in extra.query_map([], |row| row.get(0).map(ConversationId))? {
            let id = id?;
            if !derived_ids.contains(&id) {
                problems.push(Problem::ConversationRow {
                    conversation: id.0,
                    reason: "is stored, but no messages make it".into(),
                });
            }
        }
        Ok(derived_ids.len() as u64)
    }
}

fn row_difference(stored: &ConversationRow, derived: &ConversationRow) -> String {
    let key = |key: &ConversationKey| match key {
        ConversationKey::Visitor(v) => format!("visitor {v}"),
        ConversationKey::Anonymous(c) => {
            format!("no visitor, customer {}", optional_text(c.as_deref()))
        }
    };
    let mut parts = Vec::new();
    if stored.key != derived.key {
        parts.push(format!(
            "recorded for {}, its messages are of {}",
            key(&stored.key),
            key(&derived.key)
        ));
    }
    if stored.messages != derived.messages {
        parts.push(format!(
            "records {} messages, its messages are {}",
            stored.messages, derived.messages
        ));
    }
    if stored.first_message != derived.first_message || stored.first_key != derived.first_key {
        parts.push(format!(
            "records message {} as its first, it is message {}",
            stored.first_message, derived.first_message
        ));
    }
    if stored.last_key != derived.last_key {
        parts.push("records another end time than its last message's".into());
    }
    parts.join("; ")
}
