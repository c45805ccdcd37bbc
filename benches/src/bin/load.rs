//! `plupper-load`: the load benchmark of `plupper-archive serve` (see
//! [`plupper_bench::load`]). Prints a Markdown table on stdout and writes the report as
//! JSON to `--out` when given.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use plupper_bench::load::{LoadConfig, markdown, run};

/// Load benchmark of `plupper-archive serve` on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "plupper-load", version)]
struct Args {
    /// The `plupper-archive` binary.
    #[arg(long, default_value = "target/release/plupper-archive")]
    ours: PathBuf,
    /// The `plupper-peer` binary.
    #[arg(long, default_value = "target/release/plupper-peer")]
    peer: PathBuf,
    /// Working directory (corpus, archive and peer database are made there when missing).
    #[arg(long)]
    dir: PathBuf,
    /// Messages in the corpus.
    #[arg(long, default_value_t = 1_000_000)]
    messages: u64,
    /// The corpus generator's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Client connections at once.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Seconds per class, at most.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Requests per class, at most.
    #[arg(long, default_value_t = 20_000)]
    max_requests: u64,
    /// Whole-process runs per class and engine.
    #[arg(long, default_value_t = 5)]
    process_runs: usize,
    /// Requests per second, all connections together, at which the selective classes
    /// (rare word, visitorId, the rare word's page) are asked last, each latency counted
    /// from when its request was due; 0: not asked.
    #[arg(long, default_value_t = 2000.0)]
    rate: f64,
    /// Write the report as JSON here.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = LoadConfig {
        ours: args.ours,
        peer: args.peer,
        dir: args.dir,
        messages: args.messages,
        seed: args.seed,
        connections: args.connections.max(1),
        seconds: args.seconds,
        max_requests: args.max_requests,
        process_runs: args.process_runs,
        rate: args.rate,
    };
    let report = match run(&config) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    print!("{}", markdown(&report));
    if let Some(out) = args.out {
        let written = serde_json::to_vec_pretty(&report)
            .map_err(std::io::Error::other)
            .and_then(|json| std::fs::write(&out, json));
        if let Err(error) = written {
            eprintln!("error: cannot write {}: {error}", out.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
