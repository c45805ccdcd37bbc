//! `user add|remove|list`: the users who may sign in to `serve`, kept by the server
//! crate in the archive directory.

use std::io::Write;
use std::path::Path;

use plupper_server::users::UsersFile;

use crate::Failure;
use crate::cli::{UserAddArgs, UserArgs, UserCommand};
use crate::commands::password::Sources;

pub fn run(archive: &Path, args: UserArgs) -> Result<(), Failure> {
    // A mistyped directory must not get a users file of its own.
    crate::commands::open_to_read(archive)?;
    let file = UsersFile::in_archive(archive);
    match args.command {
        UserCommand::Add(args) => add(&file, args),
        UserCommand::Remove(args) => {
            file.remove(&args.name)?;
            report(&format!("removed user `{}`", args.name))
        }
        UserCommand::List => {
            let mut out = std::io::stdout().lock();
            for name in file.names()? {
                writeln!(out, "{name}")?;
            }
            out.flush()?;
            Ok(())
        }
    }
}

fn add(file: &UsersFile, args: UserAddArgs) -> Result<(), Failure> {
    let sources = Sources {
        stdin: args.password_stdin,
        env: None,
        prompt: format!("Password for {}: ", args.name),
    };
    if args.password.is_some() {
        return Err(sources.refuse_argv());
    }
    plupper_server::users::check_name(&args.name)?;
    let password = sources.read()?;
    let existed = file.add(&args.name, &password)?;
    report(&if existed {
        format!("changed the password of user `{}`", args.name)
    } else {
        format!("added user `{}`", args.name)
    })
}

/// What was done, on stdout.
fn report(line: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    crate::report_written(writeln!(out, "{line}").and_then(|()| out.flush()))
}
