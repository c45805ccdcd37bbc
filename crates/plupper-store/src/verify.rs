//! Checking a whole archive: is it as plupper-archive wrote it?
//!
//! [`Store::verify`] reads one snapshot of the archive and checks, in order:
//!
//! 1. SQLite's `PRAGMA integrity_check` (the file's own structure);
//! 2. every message: each column holds a value of the type plupper-archive writes, its
//!    original text still parses, and the parsed fields, date columns and fingerprint
//!    are what that text gives ([`rederive`]);
//! 3. the [chain](crate::chain): each link's hash over its messages' original texts,
//!    each link pointing at the one before, every message covered by a link, no ids
//!    missing inside a link, and no ids assigned after the last link ([`ChainCheck`]);
//! 4. the [conversations](crate::conversation): stored as the rule derives them from the
//!    messages now;
//! 5. the [content blocks](crate::content_block): one for each 4,096 assigned ids, each
//!    holding the contents of its messages as they are archived.
//!
//! It finds problems rather than failing on them: each is a [`Problem`] that names the
//! message, link, conversation or content block and says what differs. The index is not
//! the store's to check (plupper-audit does that).

use std::collections::HashSet;

use rusqlite::types::{Value, ValueRef};

use plupper_model::Message;
use plupper_model::element::{OriginalKind, parse_element};
use plupper_model::wire::canonical_element;

use crate::chain::{ChainLink, GENESIS, LinkHasher};
use crate::content_block::BLOCK_MESSAGES;
use crate::conversation::{
    ConversationId, ConversationKey, ConversationRow, GAP_SECONDS, group, key_points, keys,
};
use crate::{Store, StoreError};

/// Something in the archive that is not as plupper-archive wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// SQLite's `integrity_check` reports damage to the file.
    Database(String),
    /// A column of a message holds a value plupper-archive never writes.
    Column {
        /// The message.
        id: i64,
        /// The column.
        column: &'static str,
        /// What it holds.
        found: String,
    },
    /// A message's original text does not parse any more.
    Unparsable {
        /// The message.
        id: i64,
        /// Why.
        reason: String,
    },
    /// A message's stored field differs from the value its original text gives.
    Field {
        /// The message.
        id: i64,
        /// The field (its API name, or the column for the date columns).
        field: &'static str,
        /// The value in the table.
        stored: String,
        /// The value read from the original text.
        derived: String,
    },
    /// A message's fingerprint is not the fingerprint of its fields.
    Fingerprint {
        /// The message.
        id: i64,
    },
    /// A link's `previous_hash` is not the hash of the link before it.
    LinkBroken {
        /// The link.
        link: i64,
        /// The link before it (`None`: it is the first, which must follow the genesis hash).
        previous: Option<i64>,
    },
    /// A link's range cannot have been written: empty, overlapping the link before, or
    /// not as long as its count.
    LinkRange {
        /// The link.
        link: i64,
        /// Its first id.
        first: i64,
        /// Its last id.
        last: i64,
        /// Its count.
        added: u64,
    },
    /// The hash over a link's messages is not the hash it recorded.
    LinkHash {
        /// The link.
        link: i64,
        /// Its first id.
        first: i64,
        /// Its last id.
        last: i64,
    },
    /// Messages a link covers are not in the archive.
    Missing {
        /// The link that covers them.
        link: i64,
        /// The first missing id.
        first: i64,
        /// The last missing id of this run.
        last: i64,
    },
    /// A message no link covers.
    Unchained {
        /// The message.
        id: i64,
    },
    /// Archive ids were assigned after the last message and the last link.
    ChainCut {
        /// The last id the chain covers or the archive holds (0: none).
        chained: i64,
        /// The last id assigned.
        assigned: i64,
    },
    /// A message is not stored in the conversation the rule puts it in.
    Conversation {
        /// The message.
        message: i64,
        /// Where it is stored (`None`: in none).
        stored: Option<i64>,
        /// Where it belongs.
        derived: i64,
    },
    /// A conversation's row is not what its messages make.
    ConversationRow {
        /// The conversation.
        conversation: i64,
        /// What differs.
        reason: String,
    },
    /// A content block is not what the messages of its ids make, or is missing.
    ContentBlock {
        /// The first message id it covers (of a run of missing blocks, the first's).
        first: i64,
        /// The last message id it covers.
        last: i64,
        /// What differs.
        reason: &'static str,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Database(line) => {
                write!(f, "database file: SQLite integrity_check says: {line}")
            }
            Problem::Column { id, column, found } => write!(
                f,
                "message {id}: column `{column}` holds {found}, which plupper-archive never writes"
            ),
            Problem::Unparsable { id, reason } => {
                write!(
                    f,
                    "message {id}: its original text no longer parses ({reason})"
                )
            }
            Problem::Field {
                id,
                field,
                stored,
                derived,
            } => write!(
                f,
                "message {id}: `{field}` is {stored} in the table but {derived} in its original text"
            ),
            Problem::Fingerprint { id } => write!(
                f,
                "message {id}: its fingerprint is not that of its fields (a field was changed after it was archived)"
            ),
            Problem::LinkBroken {
                link,
                previous: Some(previous),
            } => write!(
                f,
                "chain link {link}: its previous hash is not the hash of link {previous} (a link was changed, removed or inserted)"
            ),
            Problem::LinkBroken {
                link,
                previous: None,
            } => write!(
                f,
                "chain link {link}: it is the first link but does not follow the genesis hash (links before it were removed)"
            ),
            Problem::LinkRange {
                link,
                first,
                last,
                added,
            } => {
                let s = if *added == 1 { "" } else { "s" };
                write!(
                    f,
                    "chain link {link}: records {added} message{s} with ids {first} to {last}, which no writer records"
                )
            }
            Problem::LinkHash { link, first, last } => write!(
                f,
                "chain link {link} (messages {first} to {last}): the hash of the messages is not the recorded hash (a message or the link was changed)"
            ),
            Problem::Missing { link, first, last } if first == last => write!(
                f,
                "message {first} is missing (chain link {link} records it)"
            ),
            Problem::Missing { link, first, last } => write!(
                f,
                "messages {first} to {last} are missing (chain link {link} records them)"
            ),
            Problem::Unchained { id } => write!(
                f,
                "message {id}: no chain link records it (it was added outside plupper-archive)"
            ),
            Problem::ChainCut { chained, assigned } => write!(
                f,
                "archive ids up to {assigned} were assigned, but the archive and its chain end at {chained} (the newest messages were removed with their links)"
            ),
            Problem::Conversation {
                message,
                stored: Some(stored),
                derived,
            } => write!(
                f,
                "message {message}: stored in conversation {stored}, but its messages put it in conversation {derived}"
            ),
            Problem::Conversation {
                message,
                stored: None,
                derived,
            } => write!(
                f,
                "message {message}: in no conversation, but its messages put it in conversation {derived}"
            ),
            Problem::ConversationRow {
                conversation,
                reason,
            } => {
                write!(f, "conversation {conversation}: {reason}")
            }
            Problem::ContentBlock {
                first,
                last,
                reason,
            } => write!(f, "content block of messages {first} to {last}: {reason}"),
        }
    }
}

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
    /// Everything that is not as it was written; empty for an intact archive.
    pub problems: Vec<Problem>,
}

/// Checks the chain against the messages, fed in archive id order. Pure: the store
/// streams the messages in; see the [module docs](self).
#[derive(Debug)]
pub struct ChainCheck<'l> {
    links: &'l [ChainLink],
    /// The next link that no message has reached yet.
    next: usize,
    /// The link the last message fell in, its hasher and the next id it expects.
    open: Option<(usize, LinkHasher, i64)>,
    /// The last message id seen.
    last_seen: i64,
    problems: Vec<Problem>,
}

impl<'l> ChainCheck<'l> {
    /// Starts with the links in the order written; checks how they follow each other.
    pub fn new(links: &'l [ChainLink]) -> ChainCheck<'l> {
        let mut problems = Vec::new();
        let mut previous: Option<&ChainLink> = None;
        for link in links {
            let expected = previous.map_or(GENESIS, |p| p.hash);
            if link.previous_hash != expected {
                problems.push(Problem::LinkBroken {
                    link: link.id,
                    previous: previous.map(|p| p.id),
                });
            }
            let (first, last) = (link.first_id.0, link.last_id.0);
            let after = previous.map_or(0, |p| p.last_id.0);
            let span = u64::try_from(last - first + 1).unwrap_or(0);
            if first <= after || last < first || span != link.added {
                problems.push(Problem::LinkRange {
                    link: link.id,
                    first,
                    last,
                    added: link.added,
                });
            }
            previous = Some(link);
        }
        ChainCheck {
            links,
            next: 0,
            open: None,
            last_seen: 0,
            problems,
        }
    }

    /// The next message, in id order, with its original text (`None`: it cannot be read,
    /// which makes its link's hash fail).
    pub fn message(&mut self, id: i64, text: Option<&[u8]>) {
        self.last_seen = self.last_seen.max(id);
        if self
            .open
            .as_ref()
            .is_some_and(|(i, _, _)| self.links[*i].last_id.0 < id)
        {
            self.close();
        }
        if self.open.is_none() {
            // Links the messages skipped entirely are missing all their messages.
            while let Some(link) = self.links.get(self.next) {
                if link.last_id.0 >= id {
                    break;
                }
                self.problems.push(Problem::Missing {
                    link: link.id,
                    first: link.first_id.0,
                    last: link.last_id.0,
                });
                self.next += 1;
            }
            match self.links.get(self.next) {
                Some(link) if link.first_id.0 <= id => {
                    self.open = Some((
                        self.next,
                        LinkHasher::new(&link.previous_hash),
                        link.first_id.0,
                    ));
                    self.next += 1;
                }
                _ => {
                    self.problems.push(Problem::Unchained { id });
                    return;
                }
            }
        }
        if let Some((index, hasher, expected)) = &mut self.open {
            let link = &self.links[*index];
            if id > *expected {
                self.problems.push(Problem::Missing {
                    link: link.id,
                    first: *expected,
                    last: id - 1,
                });
            }
            hasher.add(id, text.unwrap_or(b"\xff(unreadable)"));
            *expected = id + 1;
        }
    }

    fn close(&mut self) {
        let Some((index, hasher, expected)) = self.open.take() else {
            return;
        };
        let link = &self.links[index];
        if expected <= link.last_id.0 {
            self.problems.push(Problem::Missing {
                link: link.id,
                first: expected,
                last: link.last_id.0,
            });
        }
        if hasher.finish() != link.hash {
            self.problems.push(Problem::LinkHash {
                link: link.id,
                first: link.first_id.0,
                last: link.last_id.0,
            });
        }
    }

    /// Ends the check; `assigned` is the last archive id ever assigned.
    pub fn finish(mut self, assigned: i64) -> Vec<Problem> {
        self.close();
        for link in &self.links[self.next..] {
            self.problems.push(Problem::Missing {
                link: link.id,
                first: link.first_id.0,
                last: link.last_id.0,
            });
        }
        let chained = self.links.last().map_or(0, |link| link.last_id.0);
        let chained = chained.max(self.last_seen);
        if assigned > chained {
            self.problems.push(Problem::ChainCut { chained, assigned });
        }
        self.problems
    }
}

/// A message row as stored, every column as SQLite holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawMessage {
    /// The archive id.
    pub id: i64,
    /// The other columns, in the order of [`RAW_COLUMNS`].
    pub values: Vec<Value>,
}

/// The columns of [`RawMessage::values`].
pub const RAW_COLUMNS: [&str; 12] = [
    "fingerprint",
    "content",
    "customer_id",
    "created",
    "visitor_id",
    "type",
    "operator",
    "written_date",
    "wall_clock",
    "utc_offset",
    "original_kind",
    "original",
];

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Integer(n) => format!("the integer {n}"),
        Value::Real(x) => format!("the real number {x}"),
        Value::Text(t) => format!("the text {}", quoted(t)),
        Value::Blob(b) => format!("a blob of {} bytes", b.len()),
    }
}

fn quoted(text: &str) -> String {
    const SHOWN: usize = 60;
    let mut shown: String = text.chars().take(SHOWN).collect();
    if text.chars().nth(SHOWN).is_some() {
        shown.push('…');
    }
    serde_json_string(&shown)
}

fn serde_json_string(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn optional_text(text: Option<&str>) -> String {
    text.map_or("null".into(), quoted)
}

/// Reads the typed columns of a raw row; a column of the wrong type is a problem.
struct Typed<'r> {
    row: &'r RawMessage,
    problems: Vec<Problem>,
}

impl<'r> Typed<'r> {
    fn value(&self, column: &str) -> &'r Value {
        let index = RAW_COLUMNS.iter().position(|c| *c == column).unwrap_or(0);
        &self.row.values[index]
    }

    fn wrong(&mut self, column: &'static str) {
        let found = describe(self.value(column));
        self.problems.push(Problem::Column {
            id: self.row.id,
            column,
            found,
        });
    }

    fn text(&mut self, column: &'static str) -> Option<&'r str> {
        match self.value(column) {
            Value::Text(text) => Some(text),
            _ => {
                self.wrong(column);
                None
            }
        }
    }

    fn optional_text(&mut self, column: &'static str) -> Option<Option<&'r str>> {
        match self.value(column) {
            Value::Null => Some(None),
            Value::Text(text) => Some(Some(text)),
            _ => {
                self.wrong(column);
                None
            }
        }
    }

    fn integer(&mut self, column: &'static str) -> Option<i64> {
        match self.value(column) {
            Value::Integer(n) => Some(*n),
            _ => {
                self.wrong(column);
                None
            }
        }
    }

    fn optional_integer(&mut self, column: &'static str) -> Option<Option<i64>> {
        match self.value(column) {
            Value::Null => Some(None),
            Value::Integer(n) => Some(Some(*n)),
            _ => {
                self.wrong(column);
                None
            }
        }
    }
}

/// The row's fields read back, or `None` when a column holds a value of the wrong type.
struct Fields<'r> {
    message: Message,
    fingerprint: &'r [u8],
    written_date: i64,
    wall_clock: i64,
    utc_offset: Option<i64>,
    kind: i64,
    original: Option<&'r str>,
}

fn fields<'r>(typed: &mut Typed<'r>) -> Option<Fields<'r>> {
    let fingerprint = match typed.value("fingerprint") {
        Value::Blob(bytes) if bytes.len() == 16 => Some(bytes.as_slice()),
        _ => {
            typed.wrong("fingerprint");
            None
        }
    };
    let content = typed.text("content");
    let customer_id = typed.optional_text("customer_id");
    let created = typed.text("created");
    let visitor_id = typed.optional_integer("visitor_id");
    let message_type = typed.text("type");
    let operator = typed.optional_text("operator");
    let written_date = typed.integer("written_date");
    let wall_clock = typed.integer("wall_clock");
    let utc_offset = typed.optional_integer("utc_offset");
    let kind = typed.integer("original_kind");
    let original = typed.optional_text("original");
    let consistent = match (kind, original) {
        (Some(0), Some(None)) | (Some(1 | 2), Some(Some(_))) => true,
        (Some(_), Some(_)) => {
            typed.wrong("original_kind");
            false
        }
        _ => false,
    };
    if !consistent {
        return None;
    }
    Some(Fields {
        message: Message {
            content: content?.to_owned(),
            customer_id: customer_id?.map(str::to_owned),
            created: created?.to_owned(),
            visitor_id: visitor_id?,
            message_type: message_type?.to_owned(),
            operator: operator?.map(str::to_owned),
        },
        fingerprint: fingerprint?,
        written_date: written_date?,
        wall_clock: wall_clock?,
        utc_offset: utc_offset?,
        kind: kind?,
        original: original?,
    })
}

/// Re-derives a message's fields from its original text and compares them with the
/// stored ones. Returns the original text (what the chain hashes), when the row can be
/// read, and the problems found. Pure.
pub fn rederive(row: &RawMessage) -> (Option<String>, Vec<Problem>) {
    let mut typed = Typed {
        row,
        problems: Vec::new(),
    };
    let Some(stored) = fields(&mut typed) else {
        return (None, typed.problems);
    };
    let id = row.id;
    let mut problems = typed.problems;
    let text = match stored.original {
        None => canonical_element(&stored.message),
        Some(text) => text.to_owned(),
    };
    let element = match parse_element(text.as_bytes()) {
        Ok(element) => element,
        Err(error) => {
            problems.push(Problem::Unparsable {
                id,
                reason: error.to_string(),
            });
            return (Some(text), problems);
        }
    };
    let mut differs = |field: &'static str, stored: String, derived: String| {
        if stored != derived {
            problems.push(Problem::Field {
                id,
                field,
                stored,
                derived,
            });
        }
    };
    let (mine, theirs) = (&stored.message, &element.message);
    differs("content", quoted(&mine.content), quoted(&theirs.content));
    differs(
        "customerId",
        optional_text(mine.customer_id.as_deref()),
        optional_text(theirs.customer_id.as_deref()),
    );
    differs("created", quoted(&mine.created), quoted(&theirs.created));
    let visitor = |v: Option<i64>| v.map_or("null".into(), |v| v.to_string());
    differs(
        "visitorId",
        visitor(mine.visitor_id),
        visitor(theirs.visitor_id),
    );
    differs(
        "type",
        quoted(&mine.message_type),
        quoted(&theirs.message_type),
    );
    differs(
        "operator",
        optional_text(mine.operator.as_deref()),
        optional_text(theirs.operator.as_deref()),
    );
    let date = element.date.written_date();
    let written = {
        use chrono::Datelike;
        i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day())
    };
    differs(
        "written_date",
        stored.written_date.to_string(),
        written.to_string(),
    );
    differs(
        "wall_clock",
        stored.wall_clock.to_string(),
        element.date.wall_clock().and_utc().timestamp().to_string(),
    );
    let offset = element
        .date
        .zone()
        .offset()
        .map(|o| i64::from(o.local_minus_utc()));
    differs("utc_offset", visitor(stored.utc_offset), visitor(offset));
    let kind = match element.original.kind {
        OriginalKind::String if stored.kind == 0 => 0,
        OriginalKind::String => 1,
        OriginalKind::Object => 2,
    };
    differs("original_kind", stored.kind.to_string(), kind.to_string());
    if stored.fingerprint != element.message.fingerprint().0 {
        problems.push(Problem::Fingerprint { id });
    }
    (Some(text), problems)
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
        let conversations = store.conversation_problems(&mut problems)?;
        store.content_block_problems(&mut problems)?;
        Ok(Verification {
            messages,
            links: links.len() as u64,
            conversations,
            head: links.last().cloned(),
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
            "SELECT id, {} FROM message WHERE id > ?1 ORDER BY id LIMIT ?2",
            RAW_COLUMNS.join(", ")
        ))?;
        let mut after = i64::MIN;
        loop {
            let page = statement
                .query_map([after, PAGE], |row| {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ArchiveId;

    fn link(
        id: i64,
        first: i64,
        last: i64,
        previous: [u8; 32],
        texts: &[(i64, &[u8])],
    ) -> ChainLink {
        let mut hasher = LinkHasher::new(&previous);
        for (message, text) in texts {
            hasher.add(*message, text);
        }
        ChainLink {
            id,
            batch: None,
            first_id: ArchiveId(first),
            last_id: ArchiveId(last),
            added: (last - first + 1) as u64,
            hash: hasher.finish(),
            previous_hash: previous,
        }
    }

    #[test]
    fn a_link_range_names_its_count_in_the_right_number() {
        let range = |added| Problem::LinkRange {
            link: 3,
            first: 5,
            last: 4,
            added,
        };
        assert_eq!(
            range(1).to_string(),
            "chain link 3: records 1 message with ids 5 to 4, which no writer records"
        );
        assert!(range(2).to_string().contains("records 2 messages with ids"));
    }

    fn two_links() -> Vec<ChainLink> {
        let one = link(1, 1, 2, GENESIS, &[(1, b"a"), (2, b"b")]);
        let two = link(2, 3, 4, one.hash, &[(3, b"c"), (4, b"d")]);
        vec![one, two]
    }

    fn run(links: &[ChainLink], messages: &[(i64, &[u8])], assigned: i64) -> Vec<Problem> {
        let mut check = ChainCheck::new(links);
        for (id, text) in messages {
            check.message(*id, Some(text));
        }
        check.finish(assigned)
    }

    const ALL: [(i64, &[u8]); 4] = [(1, b"a"), (2, b"b"), (3, b"c"), (4, b"d")];

    #[test]
    fn an_intact_chain_has_no_problems() {
        assert_eq!(run(&two_links(), &ALL, 4), []);
        assert_eq!(run(&[], &[], 0), []);
    }

    #[test]
    fn a_changed_text_breaks_its_links_hash() {
        let messages = [(1, b"a" as &[u8]), (2, b"X"), (3, b"c"), (4, b"d")];
        assert_eq!(
            run(&two_links(), &messages, 4),
            [Problem::LinkHash {
                link: 1,
                first: 1,
                last: 2
            }]
        );
    }

    #[test]
    fn a_removed_message_is_named() {
        let messages = [(1, b"a" as &[u8]), (2, b"b"), (4, b"d")];
        assert_eq!(
            run(&two_links(), &messages, 4),
            [
                Problem::Missing {
                    link: 2,
                    first: 3,
                    last: 3
                },
                Problem::LinkHash {
                    link: 2,
                    first: 3,
                    last: 4
                }
            ]
        );
        let last_gone = [(1, b"a" as &[u8]), (2, b"b"), (3, b"c")];
        assert_eq!(
            run(&two_links(), &last_gone, 4),
            [
                Problem::Missing {
                    link: 2,
                    first: 4,
                    last: 4
                },
                Problem::LinkHash {
                    link: 2,
                    first: 3,
                    last: 4
                }
            ]
        );
    }

    #[test]
    fn a_whole_link_of_messages_removed_is_named() {
        let messages = [(3, b"c" as &[u8]), (4, b"d")];
        assert_eq!(
            run(&two_links(), &messages, 4),
            [Problem::Missing {
                link: 1,
                first: 1,
                last: 2
            },]
        );
    }

    #[test]
    fn a_changed_link_hash_is_named_with_the_link_after_it() {
        let mut links = two_links();
        links[0].hash[0] ^= 1;
        assert_eq!(
            run(&links, &ALL, 4),
            [
                Problem::LinkBroken {
                    link: 2,
                    previous: Some(1)
                },
                Problem::LinkHash {
                    link: 1,
                    first: 1,
                    last: 2
                }
            ]
        );
    }

    #[test]
    fn a_removed_first_link_is_named() {
        let links = two_links();
        assert_eq!(
            run(&links[1..], &ALL[2..], 4),
            [Problem::LinkBroken {
                link: 2,
                previous: None
            }]
        );
        // Its messages left behind are named too.
        assert_eq!(
            run(&links[1..], &ALL, 4),
            [
                Problem::LinkBroken {
                    link: 2,
                    previous: None
                },
                Problem::Unchained { id: 1 },
                Problem::Unchained { id: 2 }
            ]
        );
    }

    #[test]
    fn a_message_added_behind_the_chain_is_named() {
        let mut messages = ALL.to_vec();
        messages.push((5, b"e"));
        assert_eq!(
            run(&two_links(), &messages, 5),
            [Problem::Unchained { id: 5 }]
        );
    }

    #[test]
    fn a_cut_off_end_is_named() {
        let links = two_links();
        assert_eq!(
            run(&links[..1], &ALL[..2], 4),
            [Problem::ChainCut {
                chained: 2,
                assigned: 4
            }]
        );
    }

    fn raw(text: &str) -> RawMessage {
        let element = parse_element(text.as_bytes()).unwrap();
        let message = &element.message;
        let date = &element.date;
        let canonical = canonical_element(message) == text;
        let kind = match element.original.kind {
            OriginalKind::String if canonical => 0,
            OriginalKind::String => 1,
            OriginalKind::Object => 2,
        };
        let opt = |t: &Option<String>| t.clone().map_or(Value::Null, Value::Text);
        let written = date.written_date();
        use chrono::Datelike;
        RawMessage {
            id: 7,
            values: vec![
                Value::Blob(message.fingerprint().0.to_vec()),
                Value::Text(message.content.clone()),
                opt(&message.customer_id),
                Value::Text(message.created.clone()),
                message.visitor_id.map_or(Value::Null, Value::Integer),
                Value::Text(message.message_type.clone()),
                opt(&message.operator),
                Value::Integer(
                    i64::from(written.year()) * 10_000
                        + i64::from(written.month()) * 100
                        + i64::from(written.day()),
                ),
                Value::Integer(date.wall_clock().and_utc().timestamp()),
                date.zone().offset().map_or(Value::Null, |o| {
                    Value::Integer(i64::from(o.local_minus_utc()))
                }),
                Value::Integer(kind),
                if kind == 0 {
                    Value::Null
                } else {
                    Value::Text(text.to_owned())
                },
            ],
        }
    }

    const CANONICAL: &str = r#""{\"content\":\"Hi\",\"customerId\":null,\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"visitorId\":32751,\"type\":\"VO\",\"operator\":\"john\"}""#;
    const OBJECT: &str = r#"{"type":"VT","content":"Hello","created":"Wed Apr 29 17:16:13 XYZ 2009","operator":"peter","extra":1}"#;

    #[test]
    fn intact_rows_rederive_without_problems() {
        for text in [CANONICAL, OBJECT] {
            let (derived, problems) = rederive(&raw(text));
            assert_eq!(problems, []);
            assert_eq!(derived.as_deref(), Some(text));
        }
    }

    #[test]
    fn a_changed_field_of_a_kept_original_is_named() {
        let mut row = raw(OBJECT);
        row.values[1] = Value::Text("Goodbye".into());
        let (_, problems) = rederive(&row);
        assert_eq!(
            problems,
            [Problem::Field {
                id: 7,
                field: "content",
                stored: "\"Goodbye\"".into(),
                derived: "\"Hello\"".into()
            }]
        );
    }

    #[test]
    fn a_changed_field_of_a_canonical_original_breaks_the_fingerprint() {
        let mut row = raw(CANONICAL);
        row.values[1] = Value::Text("Goodbye".into());
        let (text, problems) = rederive(&row);
        assert_eq!(problems, [Problem::Fingerprint { id: 7 }]);
        // and the text the chain hashes changes with it
        assert_ne!(text.as_deref(), Some(CANONICAL));
    }

    #[test]
    fn a_changed_date_column_is_named() {
        let mut row = raw(CANONICAL);
        row.values[8] = Value::Integer(0);
        let (_, problems) = rederive(&row);
        assert!(
            matches!(
                problems.as_slice(),
                [Problem::Field {
                    field: "wall_clock",
                    ..
                }]
            ),
            "{problems:?}"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named() {
        let mut row = raw(CANONICAL);
        row.values[1] = Value::Blob(vec![1, 2]);
        let (text, problems) = rederive(&row);
        assert_eq!(text, None);
        assert_eq!(
            problems,
            [Problem::Column {
                id: 7,
                column: "content",
                found: "a blob of 2 bytes".into()
            }]
        );
    }

    #[test]
    fn a_garbled_original_is_named() {
        let mut row = raw(OBJECT);
        row.values[11] = Value::Text("{\"type\":".into());
        let (_, problems) = rederive(&row);
        assert!(
            matches!(problems.as_slice(), [Problem::Unparsable { id: 7, .. }]),
            "{problems:?}"
        );
    }
}
