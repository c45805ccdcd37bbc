//! `conversations`, and the conversation records that `export` writes too.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use plupper_audit::conversations::{Selected, in_order, select};
use plupper_audit::summary::{ConversationSummary, human_duration};
use plupper_model::printable::printable;
use plupper_store::Store;

use crate::Failure;
use crate::cli::{ConversationsArgs, ListFormat};
use crate::commands::filter::filter;
use crate::output::{default_list_format, fit};

/// A conversation as an NDJSON line.
#[derive(Serialize)]
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

/// Writes one conversation as an NDJSON line.
pub fn write_ndjson(summary: &ConversationSummary, out: &mut impl Write) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &ConversationRecord::from(summary))?;
    out.write_all(b"\n")
}

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

fn table_line(s: &ConversationSummary) -> String {
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
    format!(
        "{:>7}  {start:<24} {end:<11} {:>10}  {} {} {:>5}  {}",
        s.id,
        s.visitor_id.map_or("-".into(), |v| v.to_string()),
        fit(&printable(s.customer_id.as_deref().unwrap_or("-")), 18),
        fit(
            &if s.operators.is_empty() {
                "-".into()
            } else {
                printable(&s.operators.join(",")).into_owned()
            },
            16
        ),
        s.messages,
        first_response_text(s),
    )
}

fn zone(created: &str) -> &str {
    created.split(' ').nth(4).unwrap_or("")
}

pub fn run(archive: &Path, args: ConversationsArgs) -> Result<(), Failure> {
    let filter = filter(&args.filter)?;
    let store = Store::open(archive)?;
    let snapshot = store.snapshot()?;
    let store = snapshot.store();
    // As `query --limit 0`: nothing at all, not even a header (`--count` ignores it).
    if args.limit == Some(0) && !args.count {
        return Ok(());
    }
    let selected = select(store, &filter)?;
    if args.count {
        let count = match &selected {
            Selected::All => store.conversation_count()?,
            Selected::Only(ids) => ids.len() as u64,
        };
        let mut out = std::io::stdout().lock();
        writeln!(out, "{count}")?;
        out.flush()?;
        return Ok(());
    }
    let limit = args
        .limit
        .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let each = |write: &mut dyn FnMut(&ConversationSummary) -> std::io::Result<()>| {
        let mut listed = 0u64;
        for conversation in in_order(store, &selected).take(limit) {
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
            writeln!(
                out,
                "{:>7}  {:<24} {:<11} {:>10}  {:<18} {:<16} {:>5}  FIRST RESPONSE",
                "ID", "START", "END", "VISITOR", "CUSTOMER", "OPERATORS", "MSGS"
            )?;
            if each(&mut |summary| writeln!(out, "{}", table_line(summary)))? == 0 {
                writeln!(out, "no conversations match")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
