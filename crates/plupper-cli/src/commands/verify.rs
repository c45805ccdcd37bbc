//! `verify`

use std::io::Write;
use std::path::Path;

use plupper_archive::IndexState;
use plupper_store::chain::hex;

use crate::Failure;
use crate::cli::VerifyArgs;
use plupper_model::plural::counted;

pub fn run(archive: &Path, _args: VerifyArgs) -> Result<(), Failure> {
    let check = crate::commands::open(archive)?.verify()?;
    let problems = check.problems();
    let mut out = std::io::stdout().lock();
    if !problems.is_empty() {
        // The verdict (exit 1) stands also when the list cannot be written.
        let written = problems
            .iter()
            .try_for_each(|problem| writeln!(out, "{problem}"))
            .and_then(|()| out.flush());
        say!(
            "error: archive {} is not as plupper-archive wrote it: {}",
            archive.display(),
            counted(problems.len() as u64, "problem")
        );
        return crate::both(Err(Failure::Reported(1)), crate::report_written(written));
    }
    let verification = &check.store;
    let index = match &check.index {
        IndexState::Consistent { documents } => {
            format!("search index current ({})", counted(*documents, "message"))
        }
        IndexState::NotCurrent(why) => {
            format!("{why} (not a problem: `plupper-archive index` brings it up to date)")
        }
        IndexState::Inconsistent(why) => why.clone(),
    };
    let head = verification
        .head
        .as_ref()
        .map_or("no chain yet".into(), |link| {
            format!("chain head: link {} {}", link.id, hex(&link.hash))
        });
    let messages = match verification.messages {
        1 => "1 message matches its original".to_owned(),
        n => format!("{n} messages match their originals"),
    };
    writeln!(
        out,
        "ok: archive {} is intact: {messages}, {}, {}, {index}; {head}",
        check.uuid,
        counted(verification.links, "chain link"),
        counted(verification.conversations, "conversation"),
    )?;
    crate::commands::export::write_exports(&verification.exports, &mut out)?;
    out.flush()?;
    Ok(())
}
