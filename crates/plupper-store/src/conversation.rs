//! Conversations: a visitor's session with operators, derived from the messages.
//!
//! # The rule
//!
//! The messages of one *key* are taken in answer order (instant, or wall clock read as
//! UTC when the zone is unknown; ties by archive id). A message starts a new
//! conversation when it is the key's first, when it is the entry line
//! ([`ENTRY_LINE`], type `VO`), or when more than [`GAP_SECONDS`] (30 minutes) of silence
//! lie between it and the key's message before it. A gap of exactly 30 minutes does not
//! split. Every other message continues the conversation of the message before it.
//!
//! The key is the `visitorId`. A message without a `visitorId` cannot be tied to a
//! visitor; such messages are grouped by their `customerId` instead (all those with
//! neither form one stream), by the same rule, so that an anonymous chat still reads as
//! a conversation. Two anonymous chats of one customer at overlapping times would be
//! merged: nothing in the data tells them apart.
//!
//! # The id
//!
//! A conversation's id ([`ConversationId`]) is the smallest archive id among its
//! messages: the first of them to be archived. Archive ids are never reused, so no two
//! conversations have the same id, and the same messages always give the same id, however
//! and in whatever order they arrived. A message that arrives late and joins a
//! conversation (inside it, or even before its first message) has a larger archive id
//! than the messages already there, so the conversation keeps its id. When a late message
//! fills a gap and so merges two conversations, the merged one keeps the smaller of the
//! two ids and the other id is gone. When a late entry line splits a conversation, the
//! part holding the smallest archive id keeps the id and the other part is named by its
//! own smallest archive id.
//!
//! # Kept up to date
//!
//! Conversations are stored (`conversation`: one row each) and updated in the same
//! transaction as the messages that change them. A conversation's messages are not
//! listed: they are the messages of its key from its first message (`first_key`,
//! `first_message`) on, in answer order, `messages` of them, since the conversations of
//! a key cut its messages into runs that follow one another. So a message is in the
//! conversation of its key that starts last at or before it
//! ([`Store::conversation_of`]). Updating them: after each applied chunk, only the
//! keys of the added messages are regrouped, and within a key only from the start of the
//! conversation that holds the message just before the earliest added one (the grouping
//! before it cannot change: the rule looks only at a message and the one before it).
//! When all of a key's added messages come after its archived ones (a history read in
//! time order), they are appended to its last conversation or start new ones, without
//! reading that conversation back.
//! [`group`] is the pure rule; the store runs it.

use std::collections::HashMap;
use std::ops::Range;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};

use crate::read::{COLUMNS, from_row};
use crate::{ArchiveId, Store, StoreError, StoredMessage};

/// The system line that starts a conversation (with type `VO`).
pub const ENTRY_LINE: &str = "Plupper: visitor has entered communication";

/// More than this many seconds of silence between two messages of a key start a new
/// conversation.
pub const GAP_SECONDS: i64 = 30 * 60;

/// A conversation's id: the smallest archive id among its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConversationId(pub i64);

impl std::fmt::Display for ConversationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Whose messages are grouped together.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConversationKey {
    /// The messages of one visitor.
    Visitor(i64),
    /// The messages without a visitor id, of one customer id (or of none).
    Anonymous(Option<String>),
}

impl ConversationKey {
    /// The key of a message with these fields.
    pub fn of(visitor_id: Option<i64>, customer_id: Option<&str>) -> ConversationKey {
        match visitor_id {
            Some(visitor) => ConversationKey::Visitor(visitor),
            None => ConversationKey::Anonymous(customer_id.map(str::to_owned)),
        }
    }

    /// The WHERE term selecting the key's rows of `table` (`message`, or `conversation`,
    /// whose `customer_id` is the anonymous key's customer), and its one parameter.
    fn clause(&self, table: &str) -> (String, Value) {
        match self {
            // A visitor's conversations are stored without a customer id; saying so lets
            // `conversation_by_key` answer in order.
            ConversationKey::Visitor(visitor) if table == "conversation" => (
                format!("{table}.visitor_id = ?1 AND {table}.customer_id IS NULL"),
                Value::Integer(*visitor),
            ),
            ConversationKey::Visitor(visitor) => {
                (format!("{table}.visitor_id = ?1"), Value::Integer(*visitor))
            }
            ConversationKey::Anonymous(customer) => (
                format!("{table}.visitor_id IS NULL AND {table}.customer_id IS ?1"),
                customer.clone().map_or(Value::Null, Value::Text),
            ),
        }
    }
}

/// What the grouping rule needs of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    /// The archive id.
    pub id: i64,
    /// The answer-order key: the instant, or the wall clock read as UTC (seconds).
    pub sort_key: i64,
    /// Whether it is the entry line.
    pub entry: bool,
}

/// One conversation found by [`group`]: its id and its points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The smallest archive id among its points.
    pub id: ConversationId,
    /// Its points, as a range of the slice given to [`group`].
    pub range: Range<usize>,
}

/// Whether `point` starts a new conversation after `previous` (the key's message before).
pub(crate) fn starts_conversation(previous: Option<&Point>, point: &Point, gap: i64) -> bool {
    match previous {
        None => true,
        Some(previous) => point.entry || point.sort_key - previous.sort_key > gap,
    }
}

/// Groups one key's messages, given in answer order (`sort_key`, then `id`), into
/// conversations. Pure; see the [module docs](self) for the rule.
///
/// ```
/// use plupper_store::conversation::{group, Point, GAP_SECONDS};
///
/// let at = |id, minute: i64, entry| Point { id, sort_key: minute * 60, entry };
/// let points = [at(1, 0, true), at(2, 1, false), at(5, 31, false), at(3, 62, false), at(4, 63, true)];
/// let ids: Vec<i64> = group(&points, GAP_SECONDS).iter().map(|g| g.id.0).collect();
/// // 30 minutes of silence do not split; 31 do; the entry line always does.
/// assert_eq!(ids, [1, 3, 4]);
/// ```
pub fn group(points: &[Point], gap: i64) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for (i, point) in points.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| &points[p]);
        match groups.last_mut() {
            Some(current) if !starts_conversation(previous, point, gap) => {
                current.range.end = i + 1;
                current.id = current.id.min(ConversationId(point.id));
            }
            _ => groups.push(Group {
                id: ConversationId(point.id),
                range: i..i + 1,
            }),
        }
    }
    groups
}

/// A stored conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRow {
    /// Its id.
    pub id: ConversationId,
    /// Whose messages it groups.
    pub key: ConversationKey,
    /// Its first message in answer order.
    pub first_message: ArchiveId,
    /// The answer-order key of its first message.
    pub first_key: i64,
    /// The answer-order key of its last message.
    pub last_key: i64,
    /// How many messages it holds.
    pub messages: u64,
}

/// A message just added, as the regrouping needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AddedPoint {
    pub key: ConversationKey,
    pub sort_key: i64,
    pub id: i64,
    /// Whether it is the entry line.
    pub entry: bool,
}

const CONVERSATION_COLUMNS: &str =
    "id, visitor_id, customer_id, first_message, first_key, last_key, messages";

fn conversation_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ConversationRow> {
    let visitor: Option<i64> = row.get(1)?;
    let customer: Option<String> = row.get(2)?;
    Ok(ConversationRow {
        id: ConversationId(row.get(0)?),
        key: ConversationKey::of(visitor, customer.as_deref()),
        first_message: ArchiveId(row.get(3)?),
        first_key: row.get(4)?,
        last_key: row.get(5)?,
        messages: row.get::<_, i64>(6)?.max(0) as u64,
    })
}

/// Regroups the keys of messages just added, in the caller's transaction.
///
/// Most chunks add a key's messages after all of its archived ones (a history read in
/// time order): those are appended ([`append`]) to the key's last conversation or
/// start new ones, which is what regrouping would do, without reading the last
/// conversation back. Otherwise the key is regrouped from the conversation before the
/// earliest added message ([`regroup_key`]).
///
/// Every message archived before this chunk is grouped, and has a smaller archive id
/// than every message the chunk added. So an added message at the sort key where the
/// key's last conversation ends comes after that conversation's last message, and the
/// grouped messages before an added one are those at its sort key or earlier.
pub(crate) fn regroup_added(conn: &Connection, added: &[AddedPoint]) -> Result<(), StoreError> {
    let mut by_key: HashMap<&ConversationKey, Vec<Point>> = HashMap::new();
    for point in added {
        by_key.entry(&point.key).or_default().push(Point {
            id: point.id,
            sort_key: point.sort_key,
            entry: point.entry,
        });
    }
    let mut keys: Vec<_> = by_key.into_iter().collect();
    keys.sort_by(|a, b| a.0.cmp(b.0)); // a deterministic order of writes
    for (key, mut points) in keys {
        points.sort_by_key(|point| (point.sort_key, point.id));
        let earliest = points[0].sort_key;
        match last_conversation(conn, key)? {
            Some(last) if last.last_key > earliest => {
                let from = anchor(conn, key, earliest)?;
                regroup_key(conn, key, from)?;
            }
            last => append(conn, key, last, &points)?,
        }
    }
    Ok(())
}

/// The key's last conversation in answer order: its id and where it ends.
#[derive(Debug, Clone, Copy)]
struct LastConversation {
    id: i64,
    last_key: i64,
}

fn last_conversation(
    conn: &Connection,
    key: &ConversationKey,
) -> Result<Option<LastConversation>, StoreError> {
    let (clause, value) = key.clause("conversation");
    let mut statement = conn.prepare_cached(&format!(
        "SELECT id, last_key FROM conversation WHERE {clause}
         ORDER BY first_key DESC, first_message DESC LIMIT 1"
    ))?;
    Ok(statement
        .query_row(params![value], |row| {
            Ok(LastConversation {
                id: row.get(0)?,
                last_key: row.get(1)?,
            })
        })
        .optional()?)
}

/// Groups `points` (in answer order, all after the key's grouped messages) by the rule,
/// continuing the key's `last` conversation. Its id stays: every message added now has
/// a larger archive id than the ones archived before.
fn append(
    conn: &Connection,
    key: &ConversationKey,
    last: Option<LastConversation>,
    points: &[Point],
) -> Result<(), StoreError> {
    let mut extend = conn.prepare_cached(
        "UPDATE conversation SET last_key = ?2, messages = messages + ?3 WHERE id = ?1",
    )?;
    // The points that continue `last`: those before the first that starts a new
    // conversation. Only the sort key of the message before a point matters to the
    // rule, and `last` ends at its last message's.
    let continuing = match &last {
        None => 0,
        Some(last) => {
            let mut previous = Point {
                id: 0,
                sort_key: last.last_key,
                entry: false,
            };
            let mut n = 0;
            while n < points.len() && !starts_conversation(Some(&previous), &points[n], GAP_SECONDS)
            {
                previous = points[n];
                n += 1;
            }
            n
        }
    };
    if let (Some(last), Some(end)) = (&last, continuing.checked_sub(1)) {
        extend.execute(params![last.id, points[end].sort_key, continuing as i64])?;
    }
    insert_groups(conn, key, &points[continuing..])
}

/// Where regrouping a key must start so that messages added at sort key `earliest` (and
/// later) are placed right: the first message (sort key, id) of the conversation that
/// holds the key's grouped message just before them, which is the conversation that
/// starts last at `earliest` or before; `None` (the key's start) when there is none.
fn anchor(
    conn: &Connection,
    key: &ConversationKey,
    earliest: i64,
) -> Result<Option<(i64, i64)>, StoreError> {
    let (clause, value) = key.clause("conversation");
    let mut statement = conn.prepare_cached(&format!(
        "SELECT first_key, first_message FROM conversation
         WHERE {clause} AND first_key <= ?2
         ORDER BY first_key DESC, first_message DESC LIMIT 1"
    ))?;
    Ok(statement
        .query_row(params![value, earliest], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?)
}

/// Regroups a key's messages from `from` (a conversation start, as (sort key, id)) on,
/// or all of them.
fn regroup_key(
    conn: &Connection,
    key: &ConversationKey,
    from: Option<(i64, i64)>,
) -> Result<(), StoreError> {
    let (clause, value) = key.clause("message");
    let (conversation_clause, _) = key.clause("conversation");
    let (from_key, from_id) = from.unwrap_or((i64::MIN, i64::MIN));
    let range = format!("{clause} AND sort_key >= ?2 AND (sort_key, id) >= (?2, ?3)");
    let points = {
        let mut select = conn.prepare_cached(&format!(
            "SELECT id, sort_key, type = 'VO' AND content = ?4 FROM message
             WHERE {range} ORDER BY sort_key, id"
        ))?;
        select
            .query_map(params![value, from_key, from_id, ENTRY_LINE], |row| {
                Ok(Point {
                    id: row.get(0)?,
                    sort_key: row.get(1)?,
                    entry: row.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?
    };
    conn.prepare_cached(&format!(
        "DELETE FROM conversation WHERE {conversation_clause} AND first_key >= ?2 AND (first_key, first_message) >= (?2, ?3)"
    ))?
    .execute(params![value, from_key, from_id])?;

    insert_groups(conn, key, &points)
}

/// Stores `points` (a key's messages in answer order, none of them grouped) as the
/// conversations [`group`] makes of them.
fn insert_groups(
    conn: &Connection,
    key: &ConversationKey,
    points: &[Point],
) -> Result<(), StoreError> {
    let (visitor, customer) = match key {
        ConversationKey::Visitor(visitor) => (Some(*visitor), None),
        ConversationKey::Anonymous(customer) => (None, customer.as_deref()),
    };
    let mut insert_conversation = conn.prepare_cached(
        "INSERT INTO conversation (id, visitor_id, customer_id, first_message, first_key, last_key, messages)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for group in group(points, GAP_SECONDS) {
        let members = &points[group.range.clone()];
        let (first, last) = (&members[0], &members[members.len() - 1]);
        insert_conversation.execute(params![
            group.id.0,
            visitor,
            customer,
            first.id,
            first.sort_key,
            last.sort_key,
            members.len() as i64,
        ])?;
    }
    Ok(())
}

/// Every key that has messages, visitors first (by id), then the anonymous ones.
pub(crate) fn keys(conn: &Connection) -> Result<Vec<ConversationKey>, StoreError> {
    let mut keys = Vec::new();
    let mut visitors = conn.prepare_cached(
        "SELECT DISTINCT visitor_id FROM message WHERE visitor_id IS NOT NULL ORDER BY visitor_id",
    )?;
    for visitor in visitors.query_map([], |row| row.get::<_, i64>(0))? {
        keys.push(ConversationKey::Visitor(visitor?));
    }
    let mut customers = conn.prepare_cached(
        "SELECT DISTINCT customer_id FROM message WHERE visitor_id IS NULL ORDER BY customer_id",
    )?;
    for customer in customers.query_map([], |row| row.get::<_, Option<String>>(0))? {
        keys.push(ConversationKey::Anonymous(customer?));
    }
    Ok(keys)
}

/// Derives every conversation from scratch (the migration's step for an archive that
/// holds messages already).
pub(crate) fn regroup_all(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch("DELETE FROM conversation")?;
    for key in keys(conn)? {
        regroup_key(conn, &key, None)?;
    }
    Ok(())
}

/// A key's messages in answer order as the rule sees them, each with the conversation
/// it is stored under: the key's conversation that starts last at or before it (for
/// `verify`).
pub(crate) fn key_points(
    conn: &Connection,
    key: &ConversationKey,
) -> Result<Vec<(Point, Option<i64>)>, StoreError> {
    let (clause, value) = key.clause("message");
    let mut select = conn.prepare_cached(&format!(
        "SELECT id, sort_key, type = 'VO' AND content = ?2 FROM message
         WHERE {clause} ORDER BY sort_key, id"
    ))?;
    let points = select
        .query_map(params![value, ENTRY_LINE], |row| {
            Ok(Point {
                id: row.get(0)?,
                sort_key: row.get(1)?,
                entry: row.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let (clause, value) = key.clause("conversation");
    let mut starts = conn.prepare_cached(&format!(
        "SELECT first_key, first_message, id FROM conversation WHERE {clause}
         ORDER BY first_key, first_message"
    ))?;
    let starts = starts
        .query_map(params![value], |row| {
            Ok((
                (row.get::<_, i64>(0)?, row.get::<_, i64>(1)?),
                row.get::<_, i64>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut next = starts.iter().peekable();
    let mut current = None;
    Ok(points
        .into_iter()
        .map(|point| {
            while let Some(&&(start, id)) = next.peek() {
                if start > (point.sort_key, point.id) {
                    break;
                }
                current = Some(id);
                next.next();
            }
            (point, current)
        })
        .collect())
}

impl Store {
    /// The conversation with this id, if there is one.
    pub fn conversation(&self, id: ConversationId) -> Result<Option<ConversationRow>, StoreError> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversation WHERE id = ?1"
        ))?;
        Ok(statement
            .query_row([id.0], conversation_from_row)
            .optional()?)
    }

    /// The conversation a message belongs to: the conversation of its key that starts
    /// last at or before it in answer order.
    pub fn conversation_of(
        &self,
        message: ArchiveId,
    ) -> Result<Option<ConversationId>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT c.id FROM message m JOIN conversation c
                 ON c.visitor_id IS m.visitor_id
                 AND c.customer_id IS (CASE WHEN m.visitor_id IS NULL THEN m.customer_id END)
                 AND c.first_key <= m.sort_key
                 AND (c.first_key, c.first_message) <= (m.sort_key, m.id)
             WHERE m.id = ?1
             ORDER BY c.first_key DESC, c.first_message DESC LIMIT 1",
        )?;
        Ok(statement
            .query_row([message.0], |row| row.get(0).map(ConversationId))
            .optional()?)
    }

    /// The conversations of these messages, each once, in no particular order.
    pub fn conversations_of(
        &self,
        messages: &[ArchiveId],
    ) -> Result<Vec<ConversationId>, StoreError> {
        let mut out = Vec::new();
        for &message in messages {
            out.extend(self.conversation_of(message)?);
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// The messages of a conversation, in answer order: its key's messages from its
    /// first one on, as many as it holds.
    pub fn conversation_messages(
        &self,
        id: ConversationId,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let Some(conversation) = self.conversation(id)? else {
            return Ok(Vec::new());
        };
        let (clause, value) = conversation.key.clause("message");
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM message
             WHERE {clause} AND sort_key >= ?2 AND (sort_key, id) >= (?2, ?3)
             ORDER BY sort_key, id LIMIT {}",
            conversation.messages
        ))?;
        let rows = statement.query_map(
            params![value, conversation.first_key, conversation.first_message.0],
            from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Up to `limit` conversations in the order they started (the answer order of their
    /// first messages), after the one whose first message is at `after` (sort key, id).
    pub fn conversations_page(
        &self,
        after: Option<(i64, ArchiveId)>,
        limit: usize,
    ) -> Result<Vec<ConversationRow>, StoreError> {
        let (key, id) = after.map_or((i64::MIN, i64::MIN), |(key, id)| (key, id.0));
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversation
             WHERE first_key >= ?1 AND (first_key, first_message) > (?1, ?2)
             ORDER BY first_key, first_message LIMIT {limit}"
        ))?;
        let rows = statement.query_map(params![key, id], conversation_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The conversations of the same key (the same visitor; without one, the same
    /// customer) that start just before and just after `row`, in the order they started.
    pub fn conversations_beside(
        &self,
        row: &ConversationRow,
    ) -> Result<(Option<ConversationId>, Option<ConversationId>), StoreError> {
        let (clause, value) = row.key.clause("conversation");
        let mut before = self.conn.prepare_cached(&format!(
            "SELECT id FROM conversation
             WHERE {clause} AND first_key <= ?2 AND (first_key, first_message) < (?2, ?3)
             ORDER BY first_key DESC, first_message DESC LIMIT 1"
        ))?;
        let at = params![value, row.first_key, row.first_message.0];
        let previous = before
            .query_row(at, |r| r.get(0).map(ConversationId))
            .optional()?;
        let mut after = self.conn.prepare_cached(&format!(
            "SELECT id FROM conversation
             WHERE {clause} AND first_key >= ?2 AND (first_key, first_message) > (?2, ?3)
             ORDER BY first_key, first_message LIMIT 1"
        ))?;
        let next = after
            .query_row(at, |r| r.get(0).map(ConversationId))
            .optional()?;
        Ok((previous, next))
    }

    /// The number of conversations.
    pub fn conversation_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM conversation", [], |row| row.get(0))?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(id: i64, seconds: i64) -> Point {
        Point {
            id,
            sort_key: seconds,
            entry: false,
        }
    }

    fn entry(id: i64, seconds: i64) -> Point {
        Point {
            entry: true,
            ..at(id, seconds)
        }
    }

    fn ids(groups: &[Group]) -> Vec<i64> {
        groups.iter().map(|g| g.id.0).collect()
    }

    #[test]
    fn nothing_makes_no_conversation() {
        assert!(group(&[], GAP_SECONDS).is_empty());
    }

    #[test]
    fn a_gap_of_exactly_the_limit_continues_one_second_more_splits() {
        let just_under = [at(1, 0), at(2, GAP_SECONDS - 1)];
        let exactly = [at(1, 0), at(2, GAP_SECONDS)];
        let just_over = [at(1, 0), at(2, GAP_SECONDS + 1)];
        assert_eq!(ids(&group(&just_under, GAP_SECONDS)), [1]);
        assert_eq!(ids(&group(&exactly, GAP_SECONDS)), [1]);
        assert_eq!(ids(&group(&just_over, GAP_SECONDS)), [1, 2]);
    }

    #[test]
    fn the_gap_is_measured_from_the_message_before_not_the_first() {
        // A long conversation with no silence over 30 minutes stays one.
        let points: Vec<Point> = (0..10).map(|i| at(i + 1, i * 20 * 60)).collect();
        assert_eq!(group(&points, GAP_SECONDS).len(), 1);
    }

    #[test]
    fn the_entry_line_starts_a_conversation_even_without_silence() {
        let points = [entry(1, 0), at(2, 10), entry(3, 20), at(4, 30)];
        let groups = group(&points, GAP_SECONDS);
        assert_eq!(ids(&groups), [1, 3]);
        assert_eq!(groups[1].range, 2..4);
    }

    #[test]
    fn the_id_is_the_smallest_archive_id_not_the_first_in_time() {
        // Message 9 arrived late but is the earliest in time: the id stays 4.
        let points = [at(9, 0), at(4, 10), at(5, 20)];
        assert_eq!(ids(&group(&points, GAP_SECONDS)), [4]);
    }

    /// The plain model: a conversation boundary before every point that is first, an
    /// entry line, or more than `gap` after its predecessor; ids as minima.
    fn model(points: &[Point], gap: i64) -> Vec<(i64, Vec<i64>)> {
        let mut out: Vec<(i64, Vec<i64>)> = Vec::new();
        let mut previous: Option<i64> = None;
        for p in points {
            let boundary = match previous {
                None => true,
                Some(t) => p.entry || p.sort_key - t > gap,
            };
            if boundary {
                out.push((p.id, vec![p.id]));
            } else if let Some(last) = out.last_mut() {
                last.1.push(p.id);
                last.0 = *last.1.iter().min().unwrap();
            }
            previous = Some(p.sort_key);
        }
        out
    }

    proptest! {
        #[test]
        fn grouping_matches_the_model(steps in prop::collection::vec((0i64..4000, any::<bool>()), 0..60)) {
            let mut t = 0;
            // Distinct ids in no particular relation to time (late arrivals), steps
            // around the gap, entry lines now and then.
            let points: Vec<Point> = steps
                .iter()
                .enumerate()
                .map(|(i, &(step, is_entry))| {
                    t += step;
                    let i = i as i64;
                    Point { id: (i * 37) % 61 * 100 + i, sort_key: t, entry: is_entry && step % 5 == 0 }
                })
                .collect();
            let groups = group(&points, GAP_SECONDS);
            let got: Vec<(i64, Vec<i64>)> = groups
                .iter()
                .map(|g| (g.id.0, points[g.range.clone()].iter().map(|p| p.id).collect()))
                .collect();
            prop_assert_eq!(got, model(&points, GAP_SECONDS));
            // The groups cover the points in order, without holes.
            let mut next = 0;
            for g in &groups {
                prop_assert_eq!(g.range.start, next);
                next = g.range.end;
            }
            prop_assert_eq!(next, points.len());
        }
    }
}
