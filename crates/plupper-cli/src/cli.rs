//! The command line, as clap structs. Parsing only: each command converts its flags into
//! library calls in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Keep a Plupper live-chat history offline, searchable and auditable.
///
/// plupper-archive keeps every message of the Plupper chat API in a local SQLite archive,
/// each with its original text byte for byte, and answers the API's own queries from it.
#[derive(Debug, Parser)]
#[command(
    name = "plupper-archive",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(after_help = "\
Exit status: 0 success (also when nothing matched), 2 invalid usage or input, 1 any other failure.

Examples:
  plupper-archive --archive ./demo import data
  plupper-archive --archive ./demo show 1 --format api
  plupper-archive --archive ./demo quarantine")]
pub struct Cli {
    /// The archive directory (created when missing). Default: the platform data
    /// directory, $XDG_DATA_HOME/plupper-archive on Linux.
    #[arg(long, global = true, env = "PLUPPER_ARCHIVE", value_name = "DIR")]
    pub archive: Option<PathBuf>,

    /// Say more on stderr (-v: what is done, -vv: details). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import saved API responses and NDJSON files into the archive.
    ///
    /// Each PATH is a file or a directory (read recursively in file-name order, hidden
    /// entries skipped). A file is recognised by its content: an API list response (a
    /// JSON array of strings or of objects) or NDJSON (one object per line). Importing the
    /// same data again adds nothing: a message listed N times in a file that the archive
    /// already holds M times is added N−M times.
    ///
    /// Elements that cannot be archived are kept verbatim in quarantine (see the
    /// `quarantine` command); the import still succeeds. A file cut off or broken in the
    /// middle keeps what comes before the damage and puts the rest in quarantine, and the
    /// command exits 2 after the other files. A file that is not recognised at all is not
    /// imported (exit 2).
    Import(ImportArgs),
    /// Show one message by its archive id.
    Show(ShowArgs),
    /// List the elements that could not be archived, with the reason and where they came from.
    Quarantine(QuarantineArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files or directories to import.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The message's archive id (a positive integer, as printed by the other commands).
    #[arg(value_name = "ID")]
    pub id: String,

    #[command(flatten)]
    pub output: MessageOutput,
}

#[derive(Debug, Args)]
pub struct QuarantineArgs {
    /// Output format. Default: table on a terminal, ndjson otherwise.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ListFormat>,
}

#[derive(Debug, Args)]
pub struct MessageOutput {
    /// Output format. `api`: exactly what the API returns (the original text, byte for
    /// byte); `ndjson`: one JSON object per line with `id`, the six fields and `timestamp`;
    /// `csv`: RFC 4180 with a header; `table`: for people. Default: table on a terminal,
    /// ndjson otherwise.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<MessageFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    /// The API's response body, byte for byte.
    Api,
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header (RFC 4180).
    Csv,
    /// Aligned columns for a terminal.
    Table,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header (RFC 4180).
    Csv,
    /// Aligned columns for a terminal.
    Table,
}
