//! `conversations`

use std::io::{IsTerminal, Write};
use std::path::Path;

use plupper_audit::summary::{ConversationSummary, human_duration, write_ndjson};
use plupper_model::printable::printable;

use crate::Failure;
use crate::cli::{ConversationsArgs, ListFormat};
use crate::commands::filter::filter;
use crate::layout::{Align, Column, Layout};
use crate::output::{default_list_format, table_width};

const CSV_HEADER: [&str; 14] = [
    "id",
    "visitorId",
    "customerId",
    "operators",
    "messages",
    "start",
    "end",
    "startTimestamp",
    "endTimestamp",
    "firstLineId",
    "firstReplyId",
    "firstResponseSeconds",
    "responder",
    "unanswered",
];

fn csv_record(s: &ConversationSummary) -> [String; 14] {
    let text = |v: Option<String>| v.unwrap_or_default();
    [
        s.id.to_string(),
        text(s.visitor_id.map(|v| v.to_string())),
        text(s.customer_id.clone()),
        s.operators.join(";"),
        s.messages.to_string(),
        s.start.created.clone(),
        s.end.created.clone(),
        text(s.start.timestamp.map(|t| t.to_rfc3339())),
        text(s.end.timestamp.map(|t| t.to_rfc3339())),
        text(s.first_line.map(|id| id.to_string())),
        text(s.first_reply.map(|id| id.to_string())),
        text(s.first_response.map(|n| n.to_string())),
        text(s.responder.clone()),
        s.unanswered().to_string(),
    ]
}

/// The first response for people: a duration, `unanswered`, or `-` (the visitor wrote
/// nothing).
pub fn first_response_text(s: &ConversationSummary) -> String {
    match s.first_response {
        Some(seconds) => human_duration(seconds),
        None if s.unanswered() => "unanswered".into(),
        None => "-".into(),
    }
}

/// The table's columns. On a narrow terminal the end goes first, then the message count,
/// the visitor, the customer and the operators; the id, the start and the first response
/// stay.
const COLUMNS: [Column; 8] = [
    Column::new("ID", Align::Right, 7, 0),
    Column::new("START", Align::Left, 24, 2),
    Column::new("END", Align::Left, 11, 1).dropped(1),
    Column::new("VISITOR", Align::Right, 10, 1).dropped(3),
    Column::new("CUSTOMER", Align::Left, 18, 2)
        .narrowed_to(8)
        .widened_to(32)
        .dropped(4),
    Column::new("OPERATORS", Align::Left, 16, 1)
        .narrowed_to(9)
        .widened_to(32)
        .dropped(5),
    Column::new("MSGS", Align::Right, 5, 1).dropped(2),
    // `unanswered`, or a duration up to `999h 59m 59s`.
    Column::new("FIRST RESPONSE", Align::Left, 12, 2).short("FIRST REPLY"),
];

/// A conversation's cells, in the order of [`COLUMNS`], printable.
fn table_cells(s: &ConversationSummary) -> [String; 8] {
    let start = format!(
        "{} {}",
        s.start.wall_clock.format("%Y-%m-%d %H:%M:%S"),
        printable(zone(&s.start.created))
    );
    // The end's time of day, and how many days after the start it is when not the same.
    let days = (s.end.wall_clock.date() - s.start.wall_clock.date()).num_days();
    let end = match days {
        0 => s.end.wall_clock.format("%H:%M:%S").to_string(),
        days => format!("{}+{days}d", s.end.wall_clock.format("%H:%M:%S")),
    };
    let operators = if s.operators.is_empty() {
        "-".into()
    } else {
        printable(&s.operators.join(",")).into_owned()
    };
    [
        s.id.to_string(),
        start,
        end,
        s.visitor_id.map_or("-".into(), |v| v.to_string()),
        printable(s.customer_id.as_deref().unwrap_or("-")).into_owned(),
        operators,
        s.messages.to_string(),
        first_response_text(s),
    ]
}

fn zone(created: &str) -> &str {
    created.split(' ').nth(4).unwrap_or("")
}

pub fn run(archive: &Path, args: ConversationsArgs) -> Result<(), Failure> {
    let filter = filter(&args.filter)?;
    let archive = crate::commands::open(archive)?;
    // As `query --limit 0`: nothing at all, not even a header (`--count` ignores it).
    if args.limit == Some(0) && !args.count {
        return Ok(());
    }
    if args.count {
        let count = archive.conversation_count(&filter)?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{count}")?;
        out.flush()?;
        return Ok(());
    }
    let conversations = archive.conversations(&filter)?;
    let limit = args
        .limit
        .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let each = |write: &mut dyn FnMut(&ConversationSummary) -> std::io::Result<()>| {
        let mut listed = 0u64;
        for conversation in conversations.take(limit) {
            write(&conversation?.summary)?;
            listed += 1;
        }
        Ok::<u64, Failure>(listed)
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match default_list_format(args.format) {
        ListFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut out);
            csv.write_record(CSV_HEADER).map_err(std::io::Error::from)?;
            each(&mut |summary| Ok(csv.write_record(csv_record(summary))?))?;
            csv.flush()?;
        }
        ListFormat::Ndjson => {
            each(&mut |summary| write_ndjson(summary, &mut out))?;
        }
        ListFormat::Table => {
            let layout = Layout::fit(&COLUMNS, table_width(std::io::stdout().is_terminal()));
            writeln!(out, "{}", layout.header())?;
            if each(&mut |summary| writeln!(out, "{}", layout.line(&table_cells(summary))))? == 0 {
                // The filters select messages (a conversation is listed when one of its
                // messages matches): the words of every table for people.
                writeln!(out, "no messages match")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
