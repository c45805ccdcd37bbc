//! `man`: the manual page (roff), from the clap definition: the main page on stdout, or
//! with `--out DIR` one page per command (`plupper-archive.1`,
//! `plupper-archive-query.1`, ...).

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use crate::Failure;
use crate::cli::{Cli, ManArgs};

pub fn run(args: ManArgs) -> Result<(), Failure> {
    let mut command = Cli::command();
    // Gives each command the global flags (`--archive`, `-v`, `--color`) and its full
    // name.
    command.build();
    let Some(dir) = &args.out else {
        let mut out = std::io::stdout().lock();
        out.write_all(&page(&command)?)?;
        out.flush()?;
        return Ok(());
    };
    std::fs::create_dir_all(dir).map_err(|e| cannot_write(dir, &e))?;
    let mut pages = vec![("plupper-archive".to_owned(), page(&command)?)];
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        // `build` named it `plupper-archive-COMMAND`, the page's title.
        let name = sub.get_display_name().map_or_else(
            || format!("plupper-archive-{}", sub.get_name()),
            str::to_owned,
        );
        pages.push((name, page(sub)?));
    }
    let mut out = std::io::stdout().lock();
    for (name, text) in pages {
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, text).map_err(|e| cannot_write(&path, &e))?;
        writeln!(out, "{}", path.display())?;
    }
    out.flush()?;
    Ok(())
}

/// One command's page.
fn page(command: &clap::Command) -> Result<Vec<u8>, Failure> {
    let mut text = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut text)
        .map_err(|e| Failure::Failed(format!("cannot render the manual page: {e}")))?;
    Ok(text)
}

fn cannot_write(path: &Path, error: &std::io::Error) -> Failure {
    Failure::Failed(format!("cannot write {}: {error}", path.display()))
}
