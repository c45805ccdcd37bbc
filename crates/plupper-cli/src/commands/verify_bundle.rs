//! `verify-bundle DIR [--expect SHA256] [--key PUBLIC]`, against `--archive DIR` when one
//! is named.

use std::io::Write;
use std::path::Path;

use plupper_archive::{BundleCheck, BundleProof, read_public_key};

use crate::Failure;
use crate::cli::VerifyBundleArgs;
use plupper_model::plural::counted;
use plupper_model::printable::printable;

pub fn run(archive: Option<&Path>, args: VerifyBundleArgs) -> Result<(), Failure> {
    let dir = &args.dir;
    if !dir.is_dir() {
        return Err(Failure::Invalid(format!(
            "no bundle at {}: not a directory",
            dir.display()
        )));
    }
    if let Some(hash) = &args.expect
        && !(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(Failure::Invalid(format!(
            "--expect `{}`: not a SHA-256 (64 hexadecimal digits)",
            printable(hash)
        )));
    }
    let key = match args.key.as_deref().map(read_public_key) {
        Some(Err(error)) if error.is_invalid_input() => {
            return Err(Failure::Invalid(format!("--key {error}")));
        }
        key => key.transpose()?,
    };
    let proof = BundleProof {
        manifest_sha256: args.expect.clone(),
        key,
    };
    let check = match archive {
        Some(archive) => crate::commands::open(archive)?.verify_bundle(dir, &proof)?,
        None => plupper_archive::verify_bundle(dir, &proof)?,
    };
    let mut out = std::io::stdout().lock();
    if !check.differences.is_empty() {
        // The verdict (exit 1) stands also when the list cannot be written.
        let written = check
            .differences
            .iter()
            .try_for_each(|difference| writeln!(out, "{difference}"))
            .and_then(|()| out.flush());
        say!(
            "error: the bundle in {} is not as exported: {}",
            dir.display(),
            counted(check.differences.len() as u64, "difference")
        );
        return crate::both(Err(Failure::Reported(1)), crate::report_written(written));
    }
    if let (Some(manifest), Some(sha256)) = (&check.manifest, &check.manifest_sha256) {
        writeln!(
            out,
            "bundle {} is intact: {}, {} ({} more as context), {}, exported {} from archive {}; manifest.json SHA-256 {sha256}",
            dir.display(),
            counted(
                manifest.counts.files
                    + manifest.counts.conversations
                    + 2
                    + u64::from(check.signer.is_some()),
                "file"
            ),
            counted(manifest.counts.messages, "message"),
            manifest.counts.context,
            counted(manifest.counts.conversations, "conversation"),
            printable(&manifest.exported_at),
            printable(&manifest.archive.uuid),
        )?;
        for line in proofs(&check, &args, archive) {
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    Ok(())
}

/// What the bundle was checked against beyond itself, one line each; and a warning when
/// it was checked against nothing.
fn proofs(check: &BundleCheck, args: &VerifyBundleArgs, archive: Option<&Path>) -> Vec<String> {
    let mut lines = Vec::new();
    if args.expect.is_some() {
        lines.push("  matches the SHA-256 given (--expect)".to_owned());
    }
    match (&check.signer, args.key.is_some()) {
        (Some(signer), true) => {
            lines.push(format!("  signed by the key given (--key): {signer}"));
        }
        (Some(signer), false) => lines.push(format!(
            "  signed by key {signer}, not checked against a key you hold (give --key)"
        )),
        _ => {}
    }
    if let (Some(record), Some(archive)) = (&check.export, archive) {
        let entry = &record.entry;
        let filter = if entry.filter.is_empty() {
            "none"
        } else {
            &entry.filter
        };
        lines.push(format!(
            "  is export {} of archive {}, recorded at {} (filter `{}`)",
            record.link,
            archive.display(),
            printable(&entry.exported_at),
            printable(filter)
        ));
    }
    if lines.is_empty() || (args.expect.is_none() && args.key.is_none() && archive.is_none()) {
        lines.push(
            "  checked against nothing kept apart from the bundle: someone who rewrote it whole would pass; give --expect, --key or --archive"
                .to_owned(),
        );
    }
    lines
}
