//! `completions SHELL`: the shell's completion script, from the clap definition.

use std::io::Write;

use clap::CommandFactory;

use crate::Failure;
use crate::cli::{Cli, CompletionsArgs};

pub fn run(args: CompletionsArgs) -> Result<(), Failure> {
    // Written to a buffer first: `generate` panics when its writer fails (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "plupper-archive",
        &mut script,
    );
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(())
}
