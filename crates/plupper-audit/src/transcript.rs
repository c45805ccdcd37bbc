//! A conversation as a readable chat transcript: a header with its figures, then one
//! line per message with its time as written, its archive id and who said it.
//!
//! ```text
//! conversation 1
//!   visitor         32751
//!   customer        -
//!   operators       john
//!   from            Wed Apr 29 17:16:03 CEST 2009
//!   to              Wed Apr 29 17:17:44 CEST 2009
//!   messages        3
//!   first response  1m 31s (message 2 to message 3)
//!
//! 2009-04-29 17:16:03 CEST  #1      (visitor has entered communication)
//! 2009-04-29 17:16:13 CEST  #2      visitor: Hi
//! 2009-04-29 17:17:44 CEST  #3      john: Hi, how can i help you ?
//! ```
//!
//! Lines of a multi-line message continue under its first line. The transcript is for
//! reading, on a terminal too: every archived text in it is
//! [`printable`](plupper_model::printable), so a control character or bidi override
//! shows as `\u{1b}` instead of acting on the terminal. The messages themselves, byte
//! for byte, are in `--format api`.

use std::io::{self, Write};

use plupper_model::printable::{printable, printable_lines};
use plupper_store::StoredMessage;
use plupper_store::conversation::ENTRY_LINE;

use crate::conversations::Conversation;
use crate::summary::human_duration;

/// The time of a message as written: wall clock and zone (printable).
pub fn written_time(stored: &StoredMessage) -> String {
    let zone = stored.message.created.split(' ').nth(4).unwrap_or("");
    format!(
        "{} {}",
        stored.wall_clock.format("%Y-%m-%d %H:%M:%S"),
        printable(zone)
    )
}

/// Who said it: `visitor`, the operator's name, or the type for other types (printable).
pub fn speaker(stored: &StoredMessage) -> String {
    let message = &stored.message;
    match message.message_type.as_str() {
        "VO" => "visitor".into(),
        "VT" => printable(message.operator.as_deref().unwrap_or("operator")).into_owned(),
        other => format!("[{}]", printable(other)),
    }
}

/// Writes the transcript of `conversation`.
pub fn write_transcript(conversation: &Conversation, out: &mut impl Write) -> io::Result<()> {
    let summary = &conversation.summary;
    let or_dash = |text: Option<String>| text.unwrap_or_else(|| "-".into());
    let text = |value: &str| printable(value).into_owned();
    let first_response = match (
        summary.first_response,
        summary.first_line,
        summary.first_reply,
    ) {
        (Some(seconds), Some(line), Some(reply)) => {
            format!(
                "{} (message {line} to message {reply})",
                human_duration(seconds)
            )
        }
        _ if summary.unanswered() => "none: unanswered".into(),
        _ => "-".into(),
    };
    writeln!(out, "conversation {}", summary.id)?;
    let rows = [
        (
            "visitor",
            or_dash(summary.visitor_id.map(|v| v.to_string())),
        ),
        (
            "customer",
            or_dash(summary.customer_id.as_deref().map(text)),
        ),
        (
            "operators",
            or_dash((!summary.operators.is_empty()).then(|| text(&summary.operators.join(", ")))),
        ),
        ("from", text(&summary.start.created)),
        ("to", text(&summary.end.created)),
        ("messages", summary.messages.to_string()),
        ("first response", first_response),
    ];
    for (name, value) in rows {
        writeln!(out, "  {name:<15} {value}")?;
    }
    writeln!(out)?;
    for stored in &conversation.messages {
        write_line(stored, out)?;
    }
    Ok(())
}

/// One message as a transcript line: written time, archive id, who said it, the text
/// (its further lines indented under the first).
pub fn write_line(stored: &StoredMessage, out: &mut impl Write) -> io::Result<()> {
    let head = format!("{:<24}  #{:<6} ", written_time(stored), stored.id);
    let message = &stored.message;
    if message.message_type == "VO" && message.content == ENTRY_LINE {
        return writeln!(out, "{head}(visitor has entered communication)");
    }
    let speaker = speaker(stored);
    let indent = " ".repeat(head.chars().count() + speaker.chars().count() + 2);
    let mut lines = printable_lines(&message.content);
    let first = lines.next().unwrap_or_default();
    writeln!(out, "{head}{speaker}: {first}")?;
    for line in lines {
        writeln!(out, "{indent}{line}")?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::summary::ConversationSummary;
    use chrono::{FixedOffset, NaiveDate};
    use plupper_model::Message;
    use plupper_store::{ArchiveId, ConversationId, ConversationKey, ConversationRow};

    fn message(id: i64, second: u32, kind: &str, content: &str) -> StoredMessage {
        let wall_clock = NaiveDate::from_ymd_opt(2009, 4, 29)
            .unwrap()
            .and_hms_opt(17, 16, second)
            .unwrap();
        StoredMessage {
            id: ArchiveId(id),
            message: Message {
                content: content.into(),
                customer_id: None,
                created: format!("Wed Apr 29 17:16:{second:02} CEST 2009"),
                visitor_id: Some(32751),
                message_type: kind.into(),
                operator: Some("john".into()),
            },
            written_date: wall_clock.date(),
            wall_clock,
            utc_offset: FixedOffset::east_opt(7200),
            kept_original: None,
        }
    }

    fn conversation_of(messages: Vec<StoredMessage>) -> Conversation {
        let summary = ConversationSummary::of(ConversationId(1), &messages).unwrap();
        Conversation {
            row: ConversationRow {
                id: ConversationId(1),
                key: ConversationKey::Visitor(32751),
                first_message: ArchiveId(1),
                first_key: 0,
                last_key: 0,
                messages: messages.len() as u64,
            },
            messages,
            summary,
        }
    }

    /// Regression (QA §4): the transcript replaced control characters with spaces in the
    /// content but printed the operator's name and the customer id raw.
    #[test]
    fn a_transcript_printed_terminal_control_characters_raw() {
        let mut question = message(1, 13, "VO", "a\u{7}\r\nb\rc \u{202e}d");
        question.message.customer_id = Some("c\u{1b}]0;t\u{7}".into());
        let mut reply = message(2, 44, "VT", "ok\u{9b}");
        reply.message.operator = Some("o\u{1b}[2Jx".into());
        let mut out = Vec::new();
        write_transcript(&conversation_of(vec![question, reply]), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            r"conversation 1
  visitor         32751
  customer        c\u{1b}]0;t\u{7}
  operators       john, o\u{1b}[2Jx
  from            Wed Apr 29 17:16:13 CEST 2009
  to              Wed Apr 29 17:16:44 CEST 2009
  messages        2
  first response  31s (message 1 to message 2)

2009-04-29 17:16:13 CEST  #1      visitor: a\u{7}
                                           b\u{d}c \u{202e}d
2009-04-29 17:16:44 CEST  #2      o\u{1b}[2Jx: ok\u{9b}
"
        );
    }

    #[test]
    fn a_transcript_reads_as_a_chat() {
        let messages = vec![
            message(1, 3, "VO", ENTRY_LINE),
            message(2, 13, "VO", "Hi"),
            message(3, 44, "VT", "Hi, how can i help you ?\r\nAsk away."),
        ];
        let mut out = Vec::new();
        write_transcript(&conversation_of(messages), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "conversation 1
  visitor         32751
  customer        -
  operators       john
  from            Wed Apr 29 17:16:03 CEST 2009
  to              Wed Apr 29 17:16:44 CEST 2009
  messages        3
  first response  31s (message 2 to message 3)

2009-04-29 17:16:03 CEST  #1      (visitor has entered communication)
2009-04-29 17:16:13 CEST  #2      visitor: Hi
2009-04-29 17:16:44 CEST  #3      john: Hi, how can i help you ?
                                        Ask away.
"
        );
    }
}
