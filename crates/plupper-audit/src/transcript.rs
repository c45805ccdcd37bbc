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
//! reading; the messages themselves, byte for byte, are in `--format api`.

use std::io::{self, Write};

use plupper_store::StoredMessage;
use plupper_store::conversation::ENTRY_LINE;

use crate::conversations::Conversation;
use crate::summary::human_duration;

/// The time of a message as written: wall clock and zone.
pub fn written_time(stored: &StoredMessage) -> String {
    let zone = stored.message.created.split(' ').nth(4).unwrap_or("");
    format!("{} {zone}", stored.wall_clock.format("%Y-%m-%d %H:%M:%S"))
}

/// Who said it: `visitor`, the operator's name, or the type for other types.
fn speaker(stored: &StoredMessage) -> String {
    let message = &stored.message;
    match message.message_type.as_str() {
        "VO" => "visitor".into(),
        "VT" => message
            .operator
            .clone()
            .unwrap_or_else(|| "operator".into()),
        other => format!("[{other}]"),
    }
}

/// Writes the transcript of `conversation`.
pub fn write_transcript(conversation: &Conversation, out: &mut impl Write) -> io::Result<()> {
    let summary = &conversation.summary;
    let or_dash = |text: Option<String>| text.unwrap_or_else(|| "-".into());
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
        ("customer", or_dash(summary.customer_id.clone())),
        (
            "operators",
            or_dash((!summary.operators.is_empty()).then(|| summary.operators.join(", "))),
        ),
        ("from", summary.start.created.clone()),
        ("to", summary.end.created.clone()),
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

fn write_line(stored: &StoredMessage, out: &mut impl Write) -> io::Result<()> {
    let head = format!("{:<24}  #{:<6} ", written_time(stored), stored.id);
    let message = &stored.message;
    if message.message_type == "VO" && message.content == ENTRY_LINE {
        return writeln!(out, "{head}(visitor has entered communication)");
    }
    let speaker = speaker(stored);
    let indent = " ".repeat(head.chars().count() + speaker.chars().count() + 2);
    let mut lines = message.content.split('\n');
    let first = lines.next().unwrap_or("");
    writeln!(out, "{head}{speaker}: {}", printable(first))?;
    for line in lines {
        writeln!(out, "{indent}{}", printable(line))?;
    }
    Ok(())
}

/// A line without control characters (a carriage return or a tab would garble the
/// layout; the original keeps them).
fn printable(line: &str) -> String {
    line.trim_end_matches('\r')
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
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

    #[test]
    fn a_transcript_reads_as_a_chat() {
        let messages = vec![
            message(1, 3, "VO", ENTRY_LINE),
            message(2, 13, "VO", "Hi"),
            message(3, 44, "VT", "Hi, how can i help you ?\r\nAsk away."),
        ];
        let summary = ConversationSummary::of(ConversationId(1), &messages).unwrap();
        let conversation = Conversation {
            row: ConversationRow {
                id: ConversationId(1),
                key: ConversationKey::Visitor(32751),
                first_message: ArchiveId(1),
                first_key: 0,
                last_key: 0,
                messages: 3,
            },
            messages,
            summary,
        };
        let mut out = Vec::new();
        write_transcript(&conversation, &mut out).unwrap();
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
