//! A daily report: the conversations of one day in which the visitor wrote and no
//! operator replied, with who was on duty.
//!
//! ```text
//! cargo run -p plupper-archive --example unanswered_report -- ARCHIVE_DIR YYYY-MM-DD
//! ```
//!
//! Exits 1 when the archive does not exist (a mistyped path is not an empty report) and 2
//! when the arguments are wrong.

use std::process::ExitCode;

use chrono::NaiveDate;
use plupper_archive::{Archive, Error, Filter};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, day] = args.as_slice() else {
        eprintln!("usage: unanswered_report ARCHIVE_DIR YYYY-MM-DD");
        return ExitCode::from(2);
    };
    let Ok(day) = NaiveDate::parse_from_str(day, "%Y-%m-%d") else {
        eprintln!("error: `{day}` is not a date of the form YYYY-MM-DD");
        return ExitCode::from(2);
    };
    match report(dir, day) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn report(dir: &str, day: NaiveDate) -> Result<(), Error> {
    let archive = Archive::open(dir)?;
    // Every conversation with a message written that day, whole.
    let filter = Filter::default().from_date(day).to_date(day);
    let mut conversations = 0;
    let mut unanswered = Vec::new();
    for conversation in archive.conversations(&filter)? {
        let conversation = conversation?;
        conversations += 1;
        if conversation.summary.unanswered() {
            unanswered.push(conversation);
        }
    }
    println!(
        "{day}: {conversations} conversations, {} unanswered",
        unanswered.len()
    );
    for conversation in &unanswered {
        let summary = &conversation.summary;
        let first_line = summary
            .first_line
            .and_then(|id| conversation.messages.iter().find(|m| m.id == id))
            .map_or("", |m| m.message.content.as_str());
        println!(
            "  #{} {} visitor {} customer {} operators {}: {:?}",
            summary.id.0,
            summary.start.created,
            summary.visitor_id.map_or("-".into(), |v| v.to_string()),
            summary.customer_id.as_deref().unwrap_or("-"),
            summary.operators.join(","),
            first_line,
        );
    }
    Ok(())
}
