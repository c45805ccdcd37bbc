//! `stats`

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use plupper_archive::{GroupBy, StatsRow};
use plupper_audit::summary::human_duration;
use plupper_model::printable::printable;

use crate::Failure;
use crate::cli::{ListFormat, StatsArgs, StatsBy};
use crate::commands::filter::filter;
use crate::output::{default_list_format, fit};

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

fn write_table(by: &str, rows: &[StatsRow], out: &mut impl Write) -> std::io::Result<()> {
    let width = rows
        .iter()
        .map(|row| UnicodeWidthStr::width(group_text(row).as_str()))
        .chain([by.len()])
        .max()
        .unwrap_or(0);
    let seconds = |value: Option<i64>| value.map_or("-".into(), human_duration);
    writeln!(
        out,
        "{}  {:>8}  {:>13}  {:>8}  {:>10}  {:>21}  {:>18}",
        fit(&by.to_uppercase(), width),
        "MESSAGES",
        "CONVERSATIONS",
        "VISITORS",
        "UNANSWERED",
        "MEDIAN FIRST RESPONSE",
        "P90 FIRST RESPONSE"
    )?;
    for row in rows {
        writeln!(
            out,
            "{}  {:>8}  {:>13}  {:>8}  {:>10}  {:>21}  {:>18}",
            fit(&group_text(row), width),
            row.messages,
            row.conversations,
            row.visitors,
            row.unanswered,
            seconds(row.median_first_response),
            seconds(row.p90_first_response),
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
    let rows = archive.stats(&filter, by)?;
    let by_name = by.map_or("all", GroupBy::name);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match default_list_format(args.format) {
        ListFormat::Table => {
            write_table(by.map_or("group", GroupBy::name), &rows, &mut out)?;
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
