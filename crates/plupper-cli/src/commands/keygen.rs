//! `keygen PATH`: a key pair for signing evidence bundles.

use std::io::Write;

use crate::Failure;
use crate::cli::KeygenArgs;

pub fn run(args: KeygenArgs) -> Result<(), Failure> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| Failure::Failed(format!("no randomness for a key from the system: {e}")))?;
    let public = match plupper_archive::keygen(&args.path, seed) {
        Err(error) if error.is_invalid_input() => return Err(Failure::Invalid(error.to_string())),
        public => public?,
    };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "secret key written to {} (readable by you only: keep it so)",
        args.path.display()
    )?;
    writeln!(
        out,
        "public key written to {}: {} (give it to whoever checks your bundles)",
        plupper_audit::bundle::sign::public_path(&args.path).display(),
        public.to_base64()
    )?;
    out.flush()?;
    Ok(())
}
