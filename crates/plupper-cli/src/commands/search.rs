//! `search QUERY`

use std::io::{IsTerminal, Write};
use std::path::Path;

use plupper_archive::Freshness;

use crate::Failure;
use crate::cli::{MessageFormat, SearchArgs};
use crate::commands::filter::filter;
use crate::commands::index::bring_archive_up_to_date;
use crate::output::{MessageWriter, default_message_format, write_hit, write_hit_table};

/// Results in a table when no `--limit` is given: a screenful.
const TABLE_LIMIT: u64 = 20;

pub fn run(archive: &Path, args: SearchArgs) -> Result<(), Failure> {
    let filter = filter(&args.filter)?;
    let archive = crate::commands::open(archive)?;
    // As `query --limit 0`: nothing at all.
    if args.limit == Some(0) {
        return Ok(());
    }
    let format = default_message_format(args.format);
    let limit = args
        .limit
        .or((format == MessageFormat::Table).then_some(TABLE_LIMIT));
    let limit = limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
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
    let hits = archive.search(&args.query, &filter, limit)?;
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        MessageFormat::Ndjson => {
            for hit in &hits {
                write_hit(hit, &mut out)?;
            }
        }
        MessageFormat::Table => {
            let bold = terminal && std::env::var_os("NO_COLOR").is_none();
            if hits.is_empty() {
                writeln!(out, "no messages match")?;
            }
            for hit in &hits {
                write_hit_table(hit, bold, &mut out)?;
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
