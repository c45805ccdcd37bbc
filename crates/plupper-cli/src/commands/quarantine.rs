//! `quarantine`

use std::io::Write;
use std::path::Path;

use crate::Failure;
use crate::cli::QuarantineArgs;
use crate::output::{default_list_format, write_quarantine};

pub fn run(archive: &Path, args: QuarantineArgs) -> Result<(), Failure> {
    let archive = crate::commands::open(archive)?;
    if args.count {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", archive.quarantine_count()?)?;
        out.flush()?;
        return Ok(());
    }
    // As `query --limit 0`: nothing at all, not even "the quarantine is empty".
    if args.limit == Some(0) {
        return Ok(());
    }
    let mut entries = archive.quarantine()?;
    if let Some(limit) = args.limit {
        entries.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    write_quarantine(
        default_list_format(args.format),
        &entries,
        &mut std::io::stdout().lock(),
    )?;
    Ok(())
}
