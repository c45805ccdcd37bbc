//! `stats`

use std::io::{IsTerminal, Write};
use std::path::Path;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use plupper_archive::{GroupBy, StatsRow};
use plupper_audit::summary::human_duration;
use plupper_model::printable::printable;

use crate::Failure;
use crate::cli::{ListFormat, StatsArgs, StatsBy};
use crate::commands::filter::filter;
use crate::layout::{Align, Column, Layout};
use crate::output::{default_list_format, table_width};

fn group_by(by: StatsBy) -> GroupBy {
    match by {
        StatsBy::Operator => GroupBy::Operator,
        StatsBy::Day => GroupBy::Day,
        StatsBy::Month => GroupBy::Month,
        StatsBy::Customer => GroupBy::Customer,
    }
}

/// A row as an NDJSON line.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatsRecord<'a> {
    by: &'a str,
    group: Option<&'a str>,
    total: bool,
    messages: u64,
    conversations: u64,
    visitors: u64,
    answered: u64,
    median_first_response_seconds: Option<i64>,
    p90_first_response_seconds: Option<i64>,
    unanswered: u64,
}

impl<'a> StatsRecord<'a> {
    fn new(by: &'a str, row: &'a StatsRow) -> Self {
        StatsRecord {
            by,
            group: row.group.as_deref(),
            total: row.total,
            messages: row.messages,
            conversations: row.conversations,
            visitors: row.visitors,
            answered: row.answered,
            median_first_response_seconds: row.median_first_response,
            p90_first_response_seconds: row.p90_first_response,
            unanswered: row.unanswered,
        }
    }
}

/// The group for people: `(all)` for the total, `-` for a null operator or customer (as
/// every table shows a missing value), else the group (printable).
fn group_text(row: &StatsRow) -> String {
    match (&row.group, row.total) {
        (_, true) => "(all)".into(),
        (Some(group), false) => printable(group).into_owned(),
        (None, false) => "-".into(),
    }
}

/// The table's columns, their widths those of `rows`. On a narrow terminal the headers
/// shorten, then the visitors go first, then the unanswered, the conversations and the
/// p90; the group, the messages and the median stay.
fn columns(by: Option<GroupBy>, rows: &[StatsRow]) -> [Column; 7] {
    let widest = |cell: &dyn Fn(&StatsRow) -> String| {
        rows.iter()
            .map(|row| UnicodeWidthStr::width(cell(row).as_str()))
            .max()
            .unwrap_or(0)
    };
    let group = widest(&group_text);
    let number = |n: fn(&StatsRow) -> u64| widest(&|row| n(row).to_string());
    let seconds = |n: fn(&StatsRow) -> Option<i64>| widest(&|row| duration(n(row)));
    let header = match by {
        Some(GroupBy::Operator) => "OPERATOR",
        Some(GroupBy::Day) => "DAY",
        Some(GroupBy::Month) => "MONTH",
        Some(GroupBy::Customer) => "CUSTOMERID",
        _ => "GROUP",
    };
    [
        Column::new(header, Align::Left, group, 0).narrowed_to(group.min(8)),
        Column::new("MESSAGES", Align::Right, number(|r| r.messages), 2).short("MSGS"),
        Column::new(
            "CONVERSATIONS",
            Align::Right,
            number(|r| r.conversations),
            2,
        )
        .short("CONVS")
        .dropped(3),
        Column::new("VISITORS", Align::Right, number(|r| r.visitors), 2).dropped(1),
        Column::new("UNANSWERED", Align::Right, number(|r| r.unanswered), 2).dropped(2),
        Column::new(
            "MEDIAN FIRST RESPONSE",
            Align::Right,
            seconds(|r| r.median_first_response),
            2,
        )
        .short("MEDIAN REPLY"),
        Column::new(
            "P90 FIRST RESPONSE",
            Align::Right,
            seconds(|r| r.p90_first_response),
            2,
        )
        .short("P90 REPLY")
        .dropped(4),
    ]
}

/// A first-response time for people, `-` when there is none.
fn duration(seconds: Option<i64>) -> String {
    seconds.map_or("-".into(), human_duration)
}

fn write_table(
    by: Option<GroupBy>,
    rows: &[StatsRow],
    width: Option<usize>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let layout = Layout::fit(&columns(by, rows), width);
    writeln!(out, "{}", layout.header())?;
    if rows.iter().all(|row| row.messages == 0) {
        return writeln!(out, "no messages match");
    }
    for row in rows {
        writeln!(
            out,
            "{}",
            layout.line(&[
                group_text(row),
                row.messages.to_string(),
                row.conversations.to_string(),
                row.visitors.to_string(),
                row.unanswered.to_string(),
                duration(row.median_first_response),
                duration(row.p90_first_response),
            ])
        )?;
    }
    Ok(())
}

fn write_csv(by: &str, rows: &[StatsRow], out: &mut impl Write) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record([
        "by",
        "group",
        "total",
        "messages",
        "conversations",
        "visitors",
        "answered",
        "medianFirstResponseSeconds",
        "p90FirstResponseSeconds",
        "unanswered",
    ])?;
    let number = |value: Option<i64>| value.map(|n| n.to_string()).unwrap_or_default();
    for row in rows {
        csv.write_record([
            by.to_owned(),
            row.group.clone().unwrap_or_default(),
            row.total.to_string(),
            row.messages.to_string(),
            row.conversations.to_string(),
            row.visitors.to_string(),
            row.answered.to_string(),
            number(row.median_first_response),
            number(row.p90_first_response),
            row.unanswered.to_string(),
        ])?;
    }
    csv.flush()
}

pub fn run(archive: &Path, args: StatsArgs) -> Result<(), Failure> {
    let filter = filter(&args.filter)?;
    let by = args.by.map(group_by);
    let archive = crate::commands::open(archive)?;
    // As `query --limit 0`: nothing at all (`--count` ignores it).
    if args.limit == Some(0) && !args.count {
        return Ok(());
    }
    let mut rows = archive.stats(&filter, by)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.count {
        let groups = rows.iter().filter(|row| !row.total).count();
        writeln!(out, "{groups}")?;
        out.flush()?;
        return Ok(());
    }
    if let Some(limit) = args.limit {
        // The first groups; the total row (of every group) stays last.
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut shown = 0;
        rows.retain(|row| {
            shown += usize::from(!row.total);
            row.total || shown <= limit
        });
    }
    let by_name = by.map_or("all", GroupBy::name);
    match default_list_format(args.format) {
        ListFormat::Table => {
            write_table(
                by,
                &rows,
                table_width(std::io::stdout().is_terminal()),
                &mut out,
            )?;
            let exports = archive.exports()?;
            if !exports.is_empty() {
                writeln!(out)?;
                crate::commands::export::write_exports(&exports, &mut out)?;
            }
        }
        ListFormat::Csv => write_csv(by_name, &rows, &mut out)?,
        ListFormat::Ndjson => {
            for row in &rows {
                serde_json::to_writer(&mut out, &StatsRecord::new(by_name, row))
                    .map_err(std::io::Error::from)?;
                out.write_all(b"\n")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
