//! `query`

use std::io::{IsTerminal, Write};
use std::path::Path;

use plupper_archive::{Archive, Freshness, Route};

use crate::Failure;
use crate::cli::{MessageFormat, QueryArgs};
use crate::commands::context::write_with_context;
use crate::commands::filter::filter;
use crate::output::{MessageWriter, default_message_format};

/// Says once on stderr when the index could not answer.
/// (No repair is suggested while another process updates the index, or to a user who
/// cannot write the archive: the query opened it without write access in any case, so
/// only then is it opened to find out.)
fn note(route: &Route, dir: &Path) {
    let answered_by = match route {
        Route::Index => "the search index",
        Route::ContentBlocks => {
            "the archive's content blocks for the --contains under 3 characters, the search index for the rest of the filter"
        }
        Route::Store => {
            "the archive's B-tree indexes and content blocks (a --contains under 3 characters counted alone or with a visitor or dates, or listed with a visitor or found in more than a quarter of the messages; or a visitor or dates without --contains)"
        }
        _ => "the archive alone (the search index could not answer)",
    };
    tracing::info!("route: {answered_by}");
    let writable = || Archive::open(dir).is_ok_and(|archive| !archive.is_read_only());
    match route {
        Route::Fallback(why) if *why == Freshness::Updating || !writable() => {
            say!("note: {why}; answering from the archive alone");
        }
        Route::Fallback(why) => say!(
            "note: {why}; answering from the archive alone (run `plupper-archive index` to repair it)"
        ),
        _ => {}
    }
}

/// The output's buffer: a large answer goes out in few writes.
const OUTPUT_BUFFER: usize = 64 * 1024;

pub fn run(dir: &Path, args: QueryArgs) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let result = answer(dir, args);
    tracing::info!("query done in {:.1?}", started.elapsed());
    result
}

fn answer(dir: &Path, args: QueryArgs) -> Result<(), Failure> {
    let filter = filter(&args.filter)?;
    if args.count
        && let Some(count) = Archive::count_from_index(dir, &filter)
    {
        tracing::info!("route: the search index (the archive's database was not opened)");
        let mut out = std::io::stdout().lock();
        writeln!(out, "{count}")?;
        out.flush()?;
        return Ok(());
    }
    let archive = crate::commands::open_to_read(dir)?;
    let stdout = std::io::stdout();
    if args.count {
        let (count, route) = archive.count_routed(&filter)?;
        note(&route, dir);
        let mut out = stdout.lock();
        writeln!(out, "{count}")?;
        out.flush()?;
        archive.close_at_exit();
        return Ok(());
    }
    // Contract §5: nothing at all, not even a header or an empty API list.
    if args.limit == Some(0) {
        return Ok(());
    }
    if let Some(n) = args.context {
        if args
            .output
            .format
            .is_some_and(|f| f != MessageFormat::Table)
        {
            return Err(Failure::Invalid(
                "--context shows messages for people: it takes no --format other than table".into(),
            ));
        }
        let messages = archive.query_first(&filter, args.limit)?;
        note(messages.route(), dir);
        let mut out = std::io::BufWriter::new(stdout.lock());
        write_with_context(&archive, messages, n, &mut out)?;
        archive.close_at_exit();
        return Ok(());
    }
    let format = default_message_format(args.output.format);
    let terminal = stdout.is_terminal();
    let out = std::io::BufWriter::with_capacity(OUTPUT_BUFFER, stdout.lock());
    let mut writer =
        MessageWriter::begin(format, out, terminal)?.keeping_in_sight(filter.contains.as_deref());
    let messages = archive.query_first(&filter, args.limit)?;
    note(messages.route(), dir);
    if format == MessageFormat::Ndjson {
        // Each line written from the store's row, with no message built for it; a long
        // answer on two threads.
        messages.write_ndjson(|lines, count| {
            writer
                .write_ndjson_lines(lines, count)
                .map_err(Failure::from)
        })?;
    } else {
        for stored in messages {
            writer.write(&stored?)?;
        }
    }
    writer.finish()?;
    archive.close_at_exit();
    Ok(())
}
