//! `query`

use std::io::{IsTerminal, Write};
use std::path::Path;

use plupper_search::reference;
use plupper_store::Store;

use crate::Failure;
use crate::cli::QueryArgs;
use crate::commands::filter::filter;
use crate::output::{MessageWriter, default_message_format};

pub fn run(archive: &Path, args: QueryArgs) -> Result<(), Failure> {
    let filter = filter(&args.filter)?;
    let store = Store::open(archive)?;
    let stdout = std::io::stdout();
    if args.count {
        let count = reference::count(&store, &filter)?;
        let mut out = stdout.lock();
        writeln!(out, "{count}")?;
        out.flush()?;
        return Ok(());
    }
    let format = default_message_format(args.output.format);
    let terminal = stdout.is_terminal();
    let mut writer =
        MessageWriter::begin(format, std::io::BufWriter::new(stdout.lock()), terminal)?;
    let limit = args.limit.unwrap_or(u64::MAX);
    if limit > 0 {
        for (n, stored) in reference::messages(&store, &filter)?.enumerate() {
            writer.write(&stored?)?;
            if n as u64 + 1 >= limit {
                break;
            }
        }
    }
    writer.finish()?;
    Ok(())
}
