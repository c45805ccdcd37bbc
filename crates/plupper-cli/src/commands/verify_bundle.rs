//! `verify-bundle DIR`

use std::io::Write;

use plupper_audit::bundle::verify_bundle;

use crate::Failure;
use crate::cli::VerifyBundleArgs;
use plupper_model::plural::counted;
use plupper_model::printable::printable;

pub fn run(args: VerifyBundleArgs) -> Result<(), Failure> {
    let dir = &args.dir;
    if !dir.is_dir() {
        return Err(Failure::Invalid(format!(
            "no bundle at {}: not a directory",
            dir.display()
        )));
    }
    let check = verify_bundle(dir)?;
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
            "bundle {} is intact: {}, {}, {}, exported {} from archive {}; manifest.json SHA-256 {sha256}",
            dir.display(),
            counted(manifest.counts.files + 2, "file"),
            counted(manifest.counts.messages, "message"),
            counted(manifest.counts.conversations, "conversation"),
            printable(&manifest.exported_at),
            printable(&manifest.archive.uuid),
        )?;
    }
    out.flush()?;
    Ok(())
}
