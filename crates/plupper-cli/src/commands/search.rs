//! `search QUERY`

use std::io::{IsTerminal, Write};
use std::path::Path;

use plupper_archive::Freshness;
use plupper_index::RankedQuery;
use plupper_model::printable::printable;
use plupper_search::ranked::{Ranked, parse};

use crate::Failure;
use crate::cli::{MessageFormat, SearchArgs};
use crate::commands::filter::filter;
use crate::commands::index::bring_archive_up_to_date;
use crate::output::{MessageWriter, default_message_format, write_hit, write_hit_table};

/// Results in a table when no `--limit` is given: a screenful.
const TABLE_LIMIT: u64 = 20;

pub fn run(archive: &Path, args: SearchArgs) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let result = answer(archive, args);
    tracing::info!("search done in {:.1?}", started.elapsed());
    result
}

fn answer(archive: &Path, args: SearchArgs) -> Result<(), Failure> {
    let filter = filter(&args.filter)?;
    let query = parse(&args.query);
    let archive = crate::commands::open(archive)?;
    // As `query --limit 0`: nothing at all (`--count` ignores `--limit`).
    if args.limit == Some(0) && !args.count {
        return Ok(());
    }
    // `-C` is for people, as in `query`: the table, also into a pipe.
    let format = match (args.context, args.format) {
        (Some(_), Some(format)) if format != MessageFormat::Table => {
            return Err(Failure::Invalid(
                "--context shows messages for people: it takes no --format other than table".into(),
            ));
        }
        (Some(_), _) => MessageFormat::Table,
        (None, format) => default_message_format(format),
    };
    let limit = args
        .limit
        .or((format == MessageFormat::Table).then_some(TABLE_LIMIT));
    let limit = match limit {
        _ if args.count => Some(0),
        limit => limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
    };
    // The library brings the index up to date itself; here the user hears of it first
    // and sees a progress bar.
    match archive.index_freshness()? {
        Freshness::Current => {}
        why if archive.is_read_only() => {
            return Err(Failure::Failed(format!(
                "{why}, and archive {} is read-only for this user, so `search` cannot bring it up to date; `query --contains` answers from the archive alone",
                archive.dir().display()
            )));
        }
        why => {
            say!("note: {why}; bringing it up to date first");
            bring_archive_up_to_date(&archive, false)?;
        }
    }
    let Ranked { hits, total } = archive.search_counted(&args.query, &filter, limit)?;
    let stdout = std::io::stdout();
    if args.count {
        let mut out = stdout.lock();
        writeln!(out, "{total}")?;
        out.flush()?;
        return Ok(());
    }
    if hits.is_empty() {
        let filtered = filter != plupper_search::Filter::default();
        say!("note: {}", why_no_hits(&args.query, &query, filtered));
    }
    let terminal = stdout.is_terminal();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        MessageFormat::Ndjson => {
            for hit in &hits {
                write_hit(hit, &mut out)?;
            }
        }
        MessageFormat::Table => {
            let bold = crate::color::styled(terminal);
            if hits.is_empty() {
                writeln!(out, "no messages match")?;
            }
            for (i, hit) in hits.iter().enumerate() {
                if args.context.is_some() && i > 0 {
                    writeln!(out, "--")?;
                }
                write_hit_table(hit, bold, args.context, &archive, &mut out)?;
            }
            if hits.len() < total {
                writeln!(out, "{} of {total} shown, --limit for more", hits.len())?;
            }
        }
        MessageFormat::Api | MessageFormat::Csv => {
            let mut writer = MessageWriter::begin(format, out, terminal)?;
            for hit in &hits {
                writer.write(&hit.message)?;
            }
            writer.finish()?;
            return Ok(());
        }
    }
    out.flush()?;
    Ok(())
}

/// Why a search found nothing, and what else may find it (issue 17: a search that matches
/// nothing must not look like a search that ran fine over an archive without the text).
fn why_no_hits(text: &str, query: &RankedQuery, filtered: bool) -> String {
    let contains = format!(
        "`query --contains {}` finds any text as written",
        shell_quoted(text.trim())
    );
    if query.required.is_empty() && query.excluded.is_empty() {
        return format!(
            "`{}` holds no word to search for (search matches words of letters and digits); {contains}",
            printable(text)
        );
    }
    let among = if filtered {
        " among those the filters select"
    } else {
        ""
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.contains(&"AND") {
        let without: Vec<&str> = words.into_iter().filter(|w| *w != "AND").collect();
        return format!(
            "no message{among} matches every word of `{}`; `AND` is searched as a word, and every word must match anyway: try `search {}`",
            printable(text),
            shell_quoted(&without.join(" "))
        );
    }
    format!(
        "no message{among} matches every word of `{}`; {contains}",
        printable(text)
    )
}

/// `text` quoted for a POSIX shell, for a command to copy.
fn shell_quoted(text: &str) -> String {
    format!("'{}'", printable(text).replace('\'', r"'\''"))
}
