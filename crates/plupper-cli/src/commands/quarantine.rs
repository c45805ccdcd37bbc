//! `quarantine`

use std::path::Path;

use crate::Failure;
use crate::cli::QuarantineArgs;
use crate::output::{default_list_format, write_quarantine};

pub fn run(archive: &Path, args: QuarantineArgs) -> Result<(), Failure> {
    let entries = crate::commands::open(archive)?.quarantine()?;
    write_quarantine(
        default_list_format(args.format),
        &entries,
        &mut std::io::stdout().lock(),
    )?;
    Ok(())
}
