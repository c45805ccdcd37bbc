//! What a conversation amounts to: who, when, how many messages, and how fast the first
//! answer came.
//!
//! - **visitor's first line**: the conversation's first `VO` message that is not the
//!   entry line (the entry line is the system's, not the visitor's);
//! - **first reply**: the first `VT` message after the visitor's first line (in answer
//!   order; an operator's greeting before the visitor wrote is not a reply);
//! - **first-response time**: from the first line to the first reply, in seconds, on the
//!   answer-order clock (instants; wall clocks read as UTC when a zone is unknown);
//! - **unanswered**: the visitor wrote a line and no reply followed. A conversation in
//!   which the visitor wrote nothing (only the entry line, or only operators) is neither
//!   answered nor unanswered, and has no first-response time;
//! - **customer**: the first `customerId` among its messages that is not null;
//! - **operators**: the `operator` values of its messages (visitor lines name the operator
//!   they were routed to), each once, in order of first appearance.

use std::io::Write;

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use serde::Serialize;

use plupper_store::conversation::ENTRY_LINE;
use plupper_store::{ArchiveId, ConversationId, StoredMessage};

/// When a message was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageTime {
    /// `created`, as the API wrote it.
    pub created: String,
    /// The wall clock written in `created`.
    pub wall_clock: NaiveDateTime,
    /// The instant, when the zone is known.
    pub timestamp: Option<DateTime<FixedOffset>>,
}

impl MessageTime {
    /// The time of a message.
    pub fn of(stored: &StoredMessage) -> MessageTime {
        MessageTime {
            created: stored.message.created.clone(),
            wall_clock: stored.wall_clock,
            timestamp: stored.timestamp(),
        }
    }

    /// Seconds on the answer-order clock: the instant, or the wall clock read as UTC.
    pub fn sort_key(&self) -> i64 {
        self.timestamp
            .map_or_else(|| self.wall_clock.and_utc().timestamp(), |t| t.timestamp())
    }
}

/// A conversation's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationSummary {
    /// Its id.
    pub id: ConversationId,
    /// The visitor (`None`: messages without a visitor id).
    pub visitor_id: Option<i64>,
    /// The first customer id among its messages.
    pub customer_id: Option<String>,
    /// The operators named in it, in order of first appearance.
    pub operators: Vec<String>,
    /// How many messages it holds.
    pub messages: u64,
    /// Its first message's time.
    pub start: MessageTime,
    /// Its last message's time.
    pub end: MessageTime,
    /// The visitor's first line.
    pub first_line: Option<ArchiveId>,
    /// The first operator reply after it.
    pub first_reply: Option<ArchiveId>,
    /// Seconds from the first line to the first reply.
    pub first_response: Option<i64>,
    /// Who sent the first reply.
    pub responder: Option<String>,
}

impl ConversationSummary {
    /// Sums up a conversation from its messages in answer order; `None` for no messages.
    ///
    /// ```
    /// use plupper_audit::summary::ConversationSummary;
    /// # use plupper_store::{Store, ConversationId};
    /// # use plupper_sync::{file::import_file, load::NoProgress};
    /// # let dir = tempfile::tempdir()?;
    /// # let mut store = Store::open(dir.path())?;
    /// // The API reference's example: the visitor says "Hi" at 17:16:13, john answers at 17:17:44.
    /// import_file(&mut store, "../../data/seed.json".as_ref(), &NoProgress);
    /// let messages = store.conversation_messages(ConversationId(1))?;
    /// let summary = ConversationSummary::of(ConversationId(1), &messages).expect("messages");
    /// assert_eq!(summary.first_response, Some(91));
    /// assert_eq!(summary.operators, ["john"]);
    /// assert!(!summary.unanswered());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn of(id: ConversationId, messages: &[StoredMessage]) -> Option<ConversationSummary> {
        let (first, last) = (messages.first()?, messages.last()?);
        let mut operators: Vec<String> = Vec::new();
        for operator in messages.iter().filter_map(|m| m.message.operator.as_ref()) {
            if !operators.contains(operator) {
                operators.push(operator.clone());
            }
        }
        let line = messages
            .iter()
            .position(|m| m.message.message_type == "VO" && m.message.content != ENTRY_LINE);
        let reply = line.and_then(|line| {
            messages[line + 1..]
                .iter()
                .find(|m| m.message.message_type == "VT")
        });
        let line = line.map(|i| &messages[i]);
        let first_response = match (line, reply) {
            (Some(line), Some(reply)) => {
                Some(MessageTime::of(reply).sort_key() - MessageTime::of(line).sort_key())
            }
            _ => None,
        };
        Some(ConversationSummary {
            id,
            visitor_id: first.message.visitor_id,
            customer_id: messages.iter().find_map(|m| m.message.customer_id.clone()),
            operators,
            messages: messages.len() as u64,
            start: MessageTime::of(first),
            end: MessageTime::of(last),
            first_line: line.map(|m| m.id),
            first_reply: reply.map(|m| m.id),
            first_response,
            responder: reply.and_then(|m| m.message.operator.clone()),
        })
    }

    /// The visitor wrote a line and no operator replied after it.
    pub fn unanswered(&self) -> bool {
        self.first_line.is_some() && self.first_reply.is_none()
    }
}

/// A duration in seconds for people: `45s`, `1m 31s`, `2h 3m 10s`.
///
/// ```
/// assert_eq!(plupper_audit::summary::human_duration(91), "1m 31s");
/// ```
pub fn human_duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    match s {
        0..60 => format!("{sign}{s}s"),
        60..3600 => format!("{sign}{}m {}s", s / 60, s % 60),
        _ => format!("{sign}{}h {}m {}s", s / 3600, s / 60 % 60, s % 60),
    }
}

/// A conversation's figures as an NDJSON line (`conversations --format ndjson` and an
/// evidence bundle's `conversations.ndjson`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationRecord<'a> {
    id: i64,
    visitor_id: Option<i64>,
    customer_id: Option<&'a str>,
    operators: &'a [String],
    messages: u64,
    start: &'a str,
    end: &'a str,
    start_timestamp: Option<String>,
    end_timestamp: Option<String>,
    first_line_id: Option<i64>,
    first_reply_id: Option<i64>,
    first_response_seconds: Option<i64>,
    responder: Option<&'a str>,
    unanswered: bool,
}

impl<'a> From<&'a ConversationSummary> for ConversationRecord<'a> {
    fn from(s: &'a ConversationSummary) -> Self {
        ConversationRecord {
            id: s.id.0,
            visitor_id: s.visitor_id,
            customer_id: s.customer_id.as_deref(),
            operators: &s.operators,
            messages: s.messages,
            start: &s.start.created,
            end: &s.end.created,
            start_timestamp: s.start.timestamp.map(|t| t.to_rfc3339()),
            end_timestamp: s.end.timestamp.map(|t| t.to_rfc3339()),
            first_line_id: s.first_line.map(|id| id.0),
            first_reply_id: s.first_reply.map(|id| id.0),
            first_response_seconds: s.first_response,
            responder: s.responder.as_deref(),
            unanswered: s.unanswered(),
        }
    }
}

/// Writes one conversation's figures as an NDJSON line ([`ConversationRecord`]).
pub fn write_ndjson(summary: &ConversationSummary, out: &mut impl Write) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &ConversationRecord::from(summary))?;
    out.write_all(b"\n")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use plupper_model::Message;

    fn message(
        id: i64,
        minute: u32,
        kind: &str,
        operator: Option<&str>,
        content: &str,
    ) -> StoredMessage {
        let wall_clock = NaiveDate::from_ymd_opt(2009, 4, 29)
            .unwrap()
            .and_hms_opt(17, minute, 0)
            .unwrap();
        StoredMessage {
            id: ArchiveId(id),
            message: Message {
                content: content.into(),
                customer_id: (id > 1).then(|| "IBM".into()),
                created: format!("Wed Apr 29 17:{minute:02}:00 CEST 2009"),
                visitor_id: Some(7),
                message_type: kind.into(),
                operator: operator.map(Into::into),
            },
            written_date: wall_clock.date(),
            wall_clock,
            utc_offset: FixedOffset::east_opt(7200),
            kept_original: None,
        }
    }

    #[test]
    fn a_greeting_before_the_visitor_writes_is_not_the_reply() {
        let messages = [
            message(1, 0, "VO", None, ENTRY_LINE),
            message(2, 1, "VT", Some("john"), "Hello! Can I help?"),
            message(3, 4, "VO", Some("john"), "yes, my invoice"),
            message(4, 6, "VT", Some("anna"), "anna here, let me look"),
            message(5, 7, "VT", Some("john"), "thanks anna"),
        ];
        let summary = ConversationSummary::of(ConversationId(1), &messages).unwrap();
        assert_eq!(summary.first_line, Some(ArchiveId(3)));
        assert_eq!(summary.first_reply, Some(ArchiveId(4)));
        assert_eq!(summary.first_response, Some(120));
        assert_eq!(summary.responder.as_deref(), Some("anna"));
        assert_eq!(summary.operators, ["john", "anna"]);
        assert_eq!(summary.customer_id.as_deref(), Some("IBM"));
        assert_eq!(summary.messages, 5);
        assert!(!summary.unanswered());
    }

    #[test]
    fn a_visitor_line_without_reply_is_unanswered() {
        let messages = [
            message(1, 0, "VO", None, ENTRY_LINE),
            message(2, 1, "VO", None, "hello?"),
        ];
        let summary = ConversationSummary::of(ConversationId(1), &messages).unwrap();
        assert!(summary.unanswered());
        assert_eq!(summary.first_response, None);
        assert!(summary.operators.is_empty());
    }

    #[test]
    fn only_the_entry_line_is_neither_answered_nor_unanswered() {
        let messages = [message(1, 0, "VO", Some("john"), ENTRY_LINE)];
        let summary = ConversationSummary::of(ConversationId(1), &messages).unwrap();
        assert!(!summary.unanswered());
        assert_eq!(summary.first_line, None);
        assert_eq!(summary.first_response, None);
        assert_eq!(summary.customer_id, None);
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(human_duration(0), "0s");
        assert_eq!(human_duration(59), "59s");
        assert_eq!(human_duration(60), "1m 0s");
        assert_eq!(human_duration(3600 + 180 + 10), "1h 3m 10s");
        assert_eq!(human_duration(-5), "-5s");
    }
}
