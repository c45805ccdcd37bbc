//! `plupper-compare`: plupper-archive against SQLite FTS5 and a plain scan, in one run,
//! on the same generated data, with the same answers. See [`plupper_bench::compare`]
//! and `benches/README.md`.
//!
//! Run through cargo (`cargo run --release -p plupper-bench --bin plupper-compare --
//! --messages 1000000`), it first builds the programs it runs (`plupper-archive`,
//! `plupper-peer`, `plupper-scan`) in the same profile, so that it never times a stale
//! binary. Exit status: 0 when every engine agreed, 1 when any disagreed or a step
//! failed, 2 for invalid options.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use clap::Parser;
use plupper_bench::compare::{Config, Programs, compare, render, standing};

/// Compare plupper-archive with SQLite FTS5 and a plain scan on a generated corpus.
#[derive(Debug, Parser)]
#[command(name = "plupper-compare", version)]
struct Args {
    /// Messages in the generated corpus.
    #[arg(long, default_value_t = 1_000_000)]
    messages: u64,
    /// The corpus seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Timed runs per engine, query class and mode (after one run that checks answers).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Timed loads of each engine, each from nothing, interleaved; the median is
    /// compared.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
    load_runs: u16,
    /// Working directory: corpus, archive, peer database and answers (replaced).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Check answers only: skip the timing-only engines (rg, plupper-archive without
    /// its index). Disagreeing answers fail the run with or without this flag.
    #[arg(long)]
    check: bool,
    /// The plupper-archive binary (default: built by cargo beside this program).
    #[arg(long, value_name = "PATH")]
    ours: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the programs this one runs, when started by cargo (`CARGO` is set).
fn build_programs(with_ours: bool) -> Result<(), String> {
    let Some(cargo) = std::env::var_os("CARGO") else {
        return Ok(());
    };
    let mut args: Vec<OsString> = vec!["build".into(), "--quiet".into()];
    if !cfg!(debug_assertions) {
        args.push("--release".into());
    }
    args.extend(
        [
            "-p",
            "plupper-bench",
            "--bin",
            "plupper-peer",
            "--bin",
            "plupper-scan",
        ]
        .map(OsString::from),
    );
    if with_ours {
        args.extend(["-p", "plupper-cli", "--bin", "plupper-archive"].map(OsString::from));
    }
    let status = Command::new(cargo)
        .args(&args)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building plupper-archive, plupper-peer and plupper-scan failed".into());
    }
    Ok(())
}

/// The first of `names` found on PATH or at an absolute path.
fn find_program(names: &[&str]) -> Option<PathBuf> {
    names.iter().find_map(|name| {
        let path = Path::new(name);
        if path.is_absolute() {
            return path.is_file().then(|| path.to_owned());
        }
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

fn run(args: Args) -> Result<bool, String> {
    build_programs(args.ours.is_none())?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let beside = |name: &str| exe.with_file_name(name);
    let programs = Programs {
        ours: args
            .ours
            .clone()
            .unwrap_or_else(|| beside("plupper-archive")),
        peer: beside("plupper-peer"),
        scan: beside("plupper-scan"),
        rg: find_program(&["rg"]),
        sqlite3: find_program(&["sqlite3"]),
        time: find_program(&["/usr/bin/time"]),
        perf: find_program(&["perf"]).filter(|perf| {
            // perf may be installed but not allowed to count (perf_event_paranoid).
            Command::new(perf)
                .args(["stat", "-x,", "-e", "task-clock", "--", "true"])
                .stderr(std::process::Stdio::piped())
                .output()
                .is_ok_and(|out| {
                    out.status.success()
                        && String::from_utf8_lossy(&out.stderr).contains("task-clock")
                })
        }),
    };
    for program in [&programs.ours, &programs.peer, &programs.scan] {
        if !program.is_file() {
            return Err(format!(
                "{} is missing: build it (cargo build --release -p plupper-cli -p plupper-bench)",
                program.display()
            ));
        }
    }
    if programs.time.is_none() {
        eprintln!("note: /usr/bin/time (GNU time) is not installed: peak RSS is not measured");
    }
    if programs.rg.is_none() && !args.check {
        eprintln!("note: rg is not installed: the rg column stays empty");
    }
    let dir = args.dir.clone().unwrap_or_else(|| {
        PathBuf::from("target")
            .join("plupper-compare")
            .join(args.messages.to_string())
    });
    let config = Config {
        messages: args.messages,
        seed: args.seed,
        runs: args.runs,
        load_runs: usize::from(args.load_runs),
        dir,
        timing_only_engines: !args.check,
        programs,
    };
    let report = compare(&config, &mut |step| eprintln!("== {step}")).map_err(|e| e.to_string())?;
    println!("{}", render(&report));
    if let Some(path) = &args.json {
        let json = serde_json::json!({ "report": report, "standing": standing(&report) });
        let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if !report.agree {
        eprintln!(
            "error: the engines disagree: {}",
            report.disagreements.join("; ")
        );
    }
    Ok(report.agree)
}
