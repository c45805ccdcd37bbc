//! `plupper-peer`: the SQLite FTS5 peer of the comparison, as a process of its own so
//! that it pays process start-up like `plupper-archive` does.
//!
//! `plupper-peer load --db DB FILE` builds the database; `plupper-peer query --db DB
//! --params QUERY [--count]` answers an API query string, as a count or as NDJSON.
//! See [`plupper_bench::peer`] for the schema and the semantics.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use plupper_bench::{BenchError, peer};
use plupper_search::Filter;

/// The SQLite FTS5 peer of the plupper-archive comparison.
#[derive(Debug, Parser)]
#[command(name = "plupper-peer", version)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Builds the database from an API list response or NDJSON file (replacing it).
    Load {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The file to load.
        file: PathBuf,
    },
    /// Answers an API query string.
    Query {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The filter as a URL query string (`contains=money&operator=peter`).
        #[arg(long, default_value = "")]
        params: String,
        /// Print only the number of matching messages (otherwise NDJSON).
        #[arg(long)]
        count: bool,
    },
}

fn main() -> ExitCode {
    match run(Args::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), BenchError> {
    match command {
        Command::Load { db, file } => {
            let report = peer::load(&db, &file)?;
            eprintln!(
                "loaded {} rows: rows {:.2} s, b-tree indexes {:.2} s, fts5 trigram {:.2} s",
                report.rows, report.rows_seconds, report.btree_seconds, report.fts_seconds
            );
        }
        Command::Query { db, params, count } => {
            let filter = Filter::from_query_string(&params, chrono::Local::now().date_naive())?;
            let conn = peer::open(&db)?;
            let mut out = BufWriter::new(std::io::stdout().lock());
            if count {
                writeln!(out, "{}", peer::count(&conn, &filter)?)?;
            } else {
                peer::write_ndjson(&conn, &filter, &mut out)?;
            }
            out.flush()?;
        }
    }
    Ok(())
}
