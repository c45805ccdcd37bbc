//! `plupper-upstream`: serves saved API responses and NDJSON files as a Plupper API on
//! 127.0.0.1, for demos and manual tests of `plupper-archive sync`.
//!
//! ```sh
//! PLUPPER_UPSTREAM_PASSWORD=secret cargo run -p plupper-testkit --bin plupper-upstream -- --user demo data/sample
//! ```
//!
//! `--flaky` fails two requests in three ([`Faults::flaky_link`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use serde_json::value::RawValue;

use plupper_testkit::{Faults, Upstream};

/// Serve API list responses and NDJSON files as the Plupper API (GET /resources/message,
/// HTTP Basic auth, the API's filters) on 127.0.0.1, until stopped.
#[derive(Debug, Parser)]
#[command(name = "plupper-upstream")]
struct Args {
    /// The user name the server accepts.
    #[arg(long, default_value = "demo")]
    user: String,

    /// The environment variable holding the password the server accepts.
    #[arg(long, value_name = "VAR", default_value = "PLUPPER_UPSTREAM_PASSWORD")]
    password_env: String,

    /// The port (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,

    /// Fail two requests in three, as a flaky link does: HTTP 500/503 and connections
    /// dropped in the middle of the body, by turns.
    #[arg(long)]
    flaky: bool,

    /// Files or directories (read recursively): API list responses or NDJSON.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let Ok(password) = std::env::var(&args.password_env) else {
        eprintln!(
            "error: set the password in the environment variable {}",
            args.password_env
        );
        return ExitCode::from(2);
    };
    let mut elements = Vec::new();
    for path in &args.paths {
        if let Err(error) = read_path(path, &mut elements) {
            eprintln!("error: {}: {error}", path.display());
            return ExitCode::from(2);
        }
    }
    let count = elements.len();
    let addr = format!("127.0.0.1:{}", args.port);
    let faults = if args.flaky {
        Faults::flaky_link()
    } else {
        Faults::none()
    };
    let upstream = match Upstream::start_at(&addr, elements, &args.user, &password, faults) {
        Ok(upstream) => upstream,
        Err(error) => {
            eprintln!("error: cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "plupper-upstream: serving {count} messages to user {} at {}{}",
        args.user,
        upstream.url(),
        if args.flaky {
            " (failing two requests in three)"
        } else {
            ""
        }
    );
    let _ = std::io::stdout().flush();
    upstream.wait();
    ExitCode::SUCCESS
}

fn read_path(path: &Path, out: &mut Vec<String>) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| e.to_string())?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        entries.sort();
        for entry in entries {
            read_path(&entry, out)?;
        }
        return Ok(());
    }
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    if text.trim_start().starts_with('[') {
        let list: Vec<Box<RawValue>> = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        for element in list {
            let raw = element.get();
            if raw.starts_with('"') {
                out.push(raw.to_owned());
            } else {
                out.push(serde_json::to_string(raw).map_err(|e| e.to_string())?);
            }
        }
    } else {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            out.push(serde_json::to_string(line.trim()).map_err(|e| e.to_string())?);
        }
    }
    Ok(())
}
