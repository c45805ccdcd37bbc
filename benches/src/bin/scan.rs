//! `plupper-scan`: the plain scan of the comparison, as a process: reads the API file
//! whole and answers an API query string exactly, without any index. See
//! [`plupper_bench::scan`].

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use plupper_bench::ndjson::Line;
use plupper_bench::{BenchError, scan};
use plupper_search::Filter;

/// A plain scan over an API list response or NDJSON file.
#[derive(Debug, Parser)]
#[command(name = "plupper-scan", version)]
struct Args {
    /// The file to scan.
    #[arg(long)]
    file: PathBuf,
    /// The filter as a URL query string (`contains=money&operator=peter`).
    #[arg(long, default_value = "")]
    params: String,
    /// Print only the number of matching messages (otherwise NDJSON).
    #[arg(long)]
    count: bool,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), BenchError> {
    let filter = Filter::from_query_string(&args.params, chrono::Local::now().date_naive())?;
    let bytes = std::fs::read(&args.file).map_err(BenchError::io(&args.file))?;
    let hits = scan::scan(&bytes, &filter)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.count {
        writeln!(out, "{}", hits.len())?;
    } else {
        for hit in &hits {
            let timestamp = hit.element.date.instant().map(|t| t.to_rfc3339());
            Line::new(hit.position as i64 + 1, &hit.element.message, timestamp).write(&mut out)?;
        }
    }
    out.flush()?;
    Ok(())
}
