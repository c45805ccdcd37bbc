//! `plupper-corpus`: writes a deterministic, realistic Plupper chat history as an API
//! list response or NDJSON, to stdout, a file, or one file per year.
//!
//! A thin shell over [`plupper_bench::corpus`](mod@plupper_bench::corpus): flags become
//! a [`CorpusConfig`] and an [`Output`] once, errors become exit statuses in [`main`].

use std::fs::File;
use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use plupper_bench::corpus::{
    CorpusConfig, Format, Generator, WriteError, write_by_year, write_messages,
};

/// Generate a deterministic, realistic Plupper chat history.
///
/// Sessions of visitor (VO) and operator (VT) lines, each opened by the entry line
/// "Plupper: visitor has entered communication", interleaved in time, mostly on working
/// days 8-18 (Europe/Bratislava), in English, Slovak, German and Greek, with shared
/// customer ids, rare nulls and rare exact repeats. `created` is Java's Date.toString()
/// (`Wed Apr 29 17:16:13 CEST 2009`). The same options always give byte-identical output,
/// in constant memory whatever --messages is.
#[derive(Debug, Parser)]
#[command(name = "plupper-corpus", version)]
struct Args {
    /// How many messages to write, exactly.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    messages: u64,

    /// The seed; the same seed and options give byte-identical output.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,

    /// Output format: `api` is the API's list response (a JSON array of strings, each
    /// holding one message object); `ndjson` is one message object per line.
    #[arg(long, value_enum, default_value_t = FormatArg::Api)]
    format: FormatArg,

    /// First year of the time range (local time in Bratislava).
    #[arg(long, value_name = "YYYY", default_value_t = 2008)]
    from_year: i32,

    /// Last year of the time range, inclusive.
    #[arg(long, value_name = "YYYY", default_value_t = 2012)]
    to_year: i32,

    /// Write to this file instead of stdout (replaced if it exists).
    #[arg(long, value_name = "PATH", conflicts_with = "split_by_year")]
    out: Option<PathBuf>,

    /// Write one file per year into DIR (created if missing): `messages-YYYY.json`, or
    /// `messages-YYYY.ndjson` with --format ndjson. Only years that have messages get a
    /// file; existing files of those years are replaced.
    #[arg(long, value_name = "DIR")]
    split_by_year: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// A JSON array of strings, as the API's list endpoint returns it.
    Api,
    /// One JSON object per line.
    Ndjson,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Api => Format::Api,
            FormatArg::Ndjson => Format::Ndjson,
        }
    }
}

/// Where the messages go.
#[derive(Debug)]
enum Output {
    Stdout,
    File(PathBuf),
    SplitByYear(PathBuf),
}

impl Args {
    fn into_parts(self) -> (CorpusConfig, Format, Output) {
        let config = CorpusConfig {
            messages: self.messages,
            seed: self.seed,
            start_year: self.from_year,
            end_year: self.to_year,
        };
        let output = match (self.out, self.split_by_year) {
            (_, Some(dir)) => Output::SplitByYear(dir),
            (Some(path), None) => Output::File(path),
            (None, None) => Output::Stdout,
        };
        (config, self.format.into(), output)
    }
}

/// A failure, with the exit status it maps to.
#[derive(Debug)]
enum Failure {
    /// Invalid options (exit 2).
    Usage(String),
    /// Writing failed (exit 1).
    Write(WriteError),
}

fn main() -> ExitCode {
    let (config, format, output) = Args::parse().into_parts();
    match run(config, format, output) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): not an error of ours.
        Err(Failure::Write(error)) if error.source.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Write(error)) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(config: CorpusConfig, format: Format, output: Output) -> Result<(), Failure> {
    let generator = Generator::new(config).map_err(|error| Failure::Usage(error.to_string()))?;
    match output {
        Output::Stdout => {
            let stdout = io::stdout().lock();
            write_messages(stdout, format, generator).map_err(|source| {
                Failure::Write(WriteError {
                    path: PathBuf::from("stdout"),
                    source,
                })
            })?;
        }
        Output::File(path) => {
            let written = File::create(&path)
                .and_then(|file| write_messages(file, format, generator))
                .map_err(|source| {
                    Failure::Write(WriteError {
                        path: path.clone(),
                        source,
                    })
                })?;
            eprintln!("wrote {written} messages to {}", path.display());
        }
        Output::SplitByYear(dir) => {
            let files = write_by_year(&dir, format, generator).map_err(Failure::Write)?;
            for file in files {
                eprintln!(
                    "wrote {} messages to {}",
                    file.messages,
                    file.path.display()
                );
            }
        }
    }
    Ok(())
}
