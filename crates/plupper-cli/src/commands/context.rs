//! `query -C N`: each matching message between the N messages before and after it in its
//! conversation, as `rg -C` shows lines: transcript lines, a matching one marked `>`,
//! groups apart by `--`, a message shown once even when two groups meet.

use std::collections::HashSet;
use std::io::Write;

use plupper_archive::{Archive, ArchiveId, StoredMessage};
use plupper_audit::transcript::write_line;

use crate::output::around;

/// Prints `matches` (in answer order) with their context.
pub fn write_with_context(
    archive: &Archive,
    matches: impl IntoIterator<Item = Result<StoredMessage, plupper_archive::Error>>,
    n: usize,
    out: &mut impl Write,
) -> Result<(), crate::Failure> {
    let matches: Vec<StoredMessage> = matches.into_iter().collect::<Result<_, _>>()?;
    let matched: HashSet<ArchiveId> = matches.iter().map(|m| m.id).collect();
    let mut shown: HashSet<ArchiveId> = HashSet::new();
    for hit in &matches {
        let (before, after) = around(archive, hit.id, n)?;
        // Groups that share a message are one; others stand apart.
        let overlaps = before.iter().chain([hit]).any(|m| shown.contains(&m.id));
        if !shown.is_empty() && !overlaps {
            writeln!(out, "--")?;
        }
        let group = before.iter().chain([hit]).chain(after.iter());
        for stored in group.filter(|m| shown.insert(m.id)) {
            let mark = if matched.contains(&stored.id) {
                '>'
            } else {
                ' '
            };
            let mut line = Vec::new();
            write_line(stored, &mut line)?;
            for text in String::from_utf8_lossy(&line).lines() {
                writeln!(out, "{mark} {text}")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
