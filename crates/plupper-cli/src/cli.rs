//! The command line, as clap structs. Parsing only: each command converts its flags into
//! library calls in `commands/`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::color::ColorChoice;

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
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// The options every command takes, before or after its name.
#[derive(Debug, Args)]
#[group(skip)]
pub struct Global {
    /// The archive directory (import and sync create it when missing). Default: the
    /// platform data directory, $XDG_DATA_HOME/plupper-archive on Linux.
    #[arg(long, global = true, env = "PLUPPER_ARCHIVE", value_name = "DIR")]
    pub archive: Option<PathBuf>,

    /// Say more on stderr (-v: what is done, -vv: details). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// When to style the output (bold matches, log levels): auto (on a terminal, unless
    /// NO_COLOR is set), always or never (both win over NO_COLOR).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t,
        value_name = "WHEN",
        hide_possible_values = true
    )]
    pub color: ColorChoice,
}

impl Cli {
    /// This process's command line, parsed; on a mistake, `--help` or `--version`, clap
    /// prints what it prints and the process exits.
    ///
    /// The arguments are first parsed against a tree of commands that holds only the
    /// subcommand they name ([`Command::alone`]), or none when they name none: clap's
    /// derive builds every subcommand's arguments before it parses, and for a one-query
    /// process that was about a sixth of its time (issue 14). Whatever that parse does not
    /// accept but a version (help, a mistake, a missing subcommand) is parsed again
    /// against the whole tree, so every such message and exit status is the whole tree's.
    /// What it accepts, the whole tree parses the same way, and a version it prints the
    /// same way (the tests below compare both on many command lines).
    pub fn from_env() -> Cli {
        let args: Vec<OsString> = std::env::args_os().collect();
        match Cli::parse_narrow(&args) {
            Ok(cli) => cli,
            Err(Some(version)) => version.exit(),
            Err(None) => Cli::parse_from(args),
        }
    }

    /// `args` parsed against the tree of the one subcommand they name: the `Cli`, or the
    /// version to print, or `None` for what only the whole tree can answer.
    fn parse_narrow(args: &[OsString]) -> Result<Cli, Option<clap::Error>> {
        let root = Global::augment_args(clap::Command::new("plupper-archive"))
            .version(env!("CARGO_PKG_VERSION"))
            .propagate_version(true);
        let root = match subcommand_name(&root, args) {
            Some(name) => root
                .subcommand(Command::alone(name).ok_or(None)?)
                .subcommand_required(true)
                .arg_required_else_help(true),
            None => root,
        };
        match root.try_get_matches_from(args) {
            Ok(matches) => Cli::from_arg_matches(&matches).map_err(|_| None),
            Err(error) if error.kind() == clap::error::ErrorKind::DisplayVersion => {
                Err(Some(error))
            }
            Err(_) => Err(None),
        }
    }
}

/// The first argument after the program that is neither one of `root`'s options nor the
/// value of one: the subcommand's name. `None` when there is none, or when anything before
/// it is not a plain option of `root` (`--`, a value that is not UTF-8, an unknown flag).
fn subcommand_name<'a>(root: &clap::Command, args: &'a [OsString]) -> Option<&'a str> {
    let mut rest = args.iter().skip(1);
    while let Some(arg) = rest.next() {
        let arg = arg.to_str()?;
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline_value) = match long.split_once('=') {
                Some((name, _)) => (name, true),
                None => (long, false),
            };
            let option = root.get_arguments().find(|a| a.get_long() == Some(name))?;
            if option.get_action().takes_values() && !inline_value {
                rest.next()?;
            }
        } else if let Some(shorts) = arg.strip_prefix('-') {
            // Only clusters of flags (`-vv`); a short option with a value goes the long way.
            let flag = |c: char| {
                root.get_arguments()
                    .any(|a| a.get_short() == Some(c) && !a.get_action().takes_values())
            };
            if shorts.is_empty() || !shorts.chars().all(flag) {
                return None;
            }
        } else {
            return Some(arg);
        }
    }
    None
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
    /// imported (exit 2). `-` reads standard input. When no PATH could be read at all,
    /// only the errors are printed, no summary.
    #[command(after_help = "\
Examples:
  plupper-archive import data
  plupper-archive import responses/2009-04.json export.ndjson --no-index
  curl -su john 'https://api.plupper.com/resources/message?from=04/29/09' | plupper-archive import -")]
    Import(ImportArgs),
    /// Answer the API's query from the archive, exactly as the API would.
    ///
    /// All given filters must hold. Dates are compared with the calendar date written in
    /// each message's `created`; `--operator` and `--customer-id` are case-sensitive;
    /// `--contains` is a case-insensitive substring (Unicode simple case folding: `MONEY`
    /// finds `money`, `Σ` finds `ς`, but `ss` does not find `ß`), every character literal.
    /// Results come in time order (ties in archive order).
    #[command(after_help = "\
Examples:
  plupper-archive query --operator peter --contains money
  plupper-archive query --params 'operator=peter&contains=money' --format api
  plupper-archive query --from 04/29/09 --to 04/30/09 --count")]
    Query(QueryArgs),
    /// Ranked full-text search over the messages' content, with snippets.
    ///
    /// QUERY: words (all must match, best matches first by BM25), "quoted phrases"
    /// (words in this order), word* for every word starting so, -word or -"phrase" to
    /// exclude, and OR between two items for either. Matching is by words,
    /// case-insensitive and accent-insensitive (dakujem finds Ďakujem; the form as written,
    /// accents included, ranks first). No query is a syntax error: an unbalanced quote
    /// closes at the end, a stray OR or - is a word.
    /// Combines with every filter of `query`. Brings the search index up to date first
    /// when it is behind the archive.
    #[command(after_help = "\
Examples:
  plupper-archive search 'refund OR money -spam'
  plupper-archive search 'pass*' --operator peter
  plupper-archive search '\"account settings\"' --operator peter --format ndjson")]
    Search(SearchArgs),
    /// Show one message by its archive id.
    #[command(after_help = "\
Examples:
  plupper-archive show 3202
  plupper-archive show 3202 --format api
  plupper-archive show --conversation 3201")]
    Show(ShowArgs),
    /// Bring the search index up to date with the archive (or rebuild it).
    ///
    /// The index makes `query --contains` and `search` fast; it is derived from the
    /// archive and never changes an answer. `import` updates it at its end. When it is
    /// missing, behind, from another archive or damaged, queries answer from the archive
    /// alone and say so on stderr, and this command repairs it.
    #[command(after_help = "\
Examples:
  plupper-archive index
  plupper-archive index --rebuild")]
    Index(IndexArgs),
    /// List the elements that could not be archived, with the reason and where they came from.
    #[command(after_help = "\
Examples:
  plupper-archive quarantine --limit 5
  plupper-archive quarantine --count
  plupper-archive quarantine --format csv > quarantine.csv")]
    Quarantine(QuarantineArgs),
    /// Pull the history from the Plupper API into the archive: incremental, resumable.
    ///
    /// The API is asked for one date window at a time (calendar years; the first window
    /// has no start, the last no end, so every date is covered; a year whose answer is
    /// over 32 MiB is asked for again by months, then halves), and each window is applied
    /// whole or not at all, with the sync state. An interrupted sync (error, Ctrl-C, kill)
    /// resumes at the first unfinished window; a later sync pulls again from the day before
    /// the last one ran, up to today. `--full` pulls everything again; `--from`/`--to` a
    /// range. A message listed N times that the archive holds M times is added N−M times;
    /// messages that vanish upstream stay in the archive. `--dry-run` compares instead.
    ///
    /// The password comes from PLUPPER_PASSWORD, from --password-stdin, or from a prompt
    /// on a terminal; never from the command line. Connection errors, time-outs, HTTP 5xx
    /// and 429 are retried with backoff (honouring Retry-After), each retry said on
    /// stderr; a server that cannot be reached at all gets one retry; 401/403 stop at once.
    #[command(after_help = "\
Examples:
  PLUPPER_PASSWORD=... plupper-archive sync --user john.lennon@example.com
  pass plupper | plupper-archive sync --user john --password-stdin
  plupper-archive sync --user john --from 01/01/2009 --to 12/31/2009
  plupper-archive sync --user john --dry-run --format ndjson")]
    Sync(SyncArgs),
    /// List conversations: each visitor's sessions with operators, with their figures.
    ///
    /// A conversation is a visitor's messages from the entry line ("Plupper: visitor has
    /// entered communication") or from more than 30 minutes of silence up to the next
    /// such point. Messages without a visitor id are grouped by customer id instead. A
    /// conversation's id is the smallest archive id among its messages. The filters of
    /// `query` select the conversations with at least one matching message; each is listed
    /// whole. First response: from the visitor's first line to the first operator reply
    /// after it.
    #[command(after_help = "\
Examples:
  plupper-archive conversations --operator peter --from 01/01/2012
  plupper-archive conversations --customer-id IBM --format csv
  plupper-archive show --conversation 1")]
    Conversations(ConversationsArgs),
    /// Statistics over the messages and conversations the filters select.
    ///
    /// Messages, conversations, visitors, median and 90th-percentile first-response time
    /// (from the visitor's first line to the first operator reply; nearest-rank
    /// percentiles) and unanswered conversations, overall or `--by` operator, day, month
    /// or customer. By operator, a conversation counts for every operator named in it and
    /// its first-response time for the operator who replied first.
    #[command(after_help = "\
Examples:
  plupper-archive stats --by operator
  plupper-archive stats --by month --from 01/01/2012 --format csv
  plupper-archive stats --by customer --count")]
    Stats(StatsArgs),
    /// Export the selected messages: an evidence bundle (the default), or shards for
    /// Quickwit or OpenSearch.
    ///
    /// --format bundle: DIR receives originals.ndjson (every message shown, selected or
    /// context, with its original element), messages.json (the API's response, each
    /// original element byte for byte), messages.ndjson, messages.csv,
    /// conversations.ndjson, one transcript per conversation under transcripts/,
    /// index.html (one page with a search box, for any browser, offline), manifest.json
    /// (the filter as given and applied, counts, the archive's uuid and chain head, the
    /// SHA-256 of every file, the tool version and the time of export), manifest.sha256
    /// and, with --sign, manifest.sig. The export is recorded in the archive's integrity
    /// chain (time, filter, counts, manifest SHA-256), so the archive must be writable.
    /// Keep the manifest's SHA-256 that is printed apart from the bundle: it proves the
    /// bundle later (`verify-bundle --expect`).
    ///
    /// --format quickwit or opensearch: DIR receives messages-00001.ndjson.gz, ... (gzip
    /// NDJSON, at most 1,000,000 documents each; for OpenSearch `_bulk` bodies, an
    /// `index` action with `_id` = archive id before each document, and at most 64 MiB
    /// each before compression), the index definition (index-config.yaml for Quickwit,
    /// mapping.json for OpenSearch) and manifest.json (counts, the SHA-256 of every file,
    /// the filter, and lastId: give it as --since-id to the next export, which then holds
    /// only the messages archived since). The archive is only read. docs/scale-out.md
    /// says how to load each engine.
    ///
    /// DIR is created; one that exists must be empty. A failed export leaves nothing
    /// behind.
    #[command(after_help = "\
Examples:
  plupper-archive export --operator peter --customer-id IBM --out evidence-2012-peter-ibm
  plupper-archive keygen ~/.config/plupper/evidence-key
  plupper-archive export --contains refund --sign ~/.config/plupper/evidence-key --out refunds
  plupper-archive verify-bundle refunds --expect SHA256 --key ~/.config/plupper/evidence-key.pub
  plupper-archive export --format quickwit --out quickwit-2026-12
  plupper-archive export --format opensearch --since-id 5000000 --out opensearch-delta")]
    Export(ExportArgs),
    /// Check an evidence bundle: its files against the manifest, every file made from
    /// the messages against the same file made again, and the manifest against what you
    /// kept apart from the bundle.
    ///
    /// Checksums inside a bundle prove nothing against someone who rewrites it, so give
    /// what was kept apart: --expect with the manifest SHA-256 the export printed, --key
    /// with the public key of a signed bundle, --archive with the archive it came from
    /// (which says which recorded export the bundle is, or that it never exported it).
    /// Without them it checks that the files agree with each other and with their
    /// messages: a changed line is named with its file and line. Exits 1 when anything
    /// differs.
    #[command(after_help = "\
Examples:
  plupper-archive verify-bundle evidence-2012-peter-ibm --expect SHA256
  plupper-archive --archive ./archive verify-bundle evidence-2012-peter-ibm
  plupper-archive verify-bundle refunds --key evidence-key.pub")]
    VerifyBundle(VerifyBundleArgs),
    /// Print a distributed engine's query for an API query string, and where the
    /// engine's answer is only a superset of the API's.
    ///
    /// QUERY is the API's URL query string (as `query --params` takes it). For Quickwit:
    /// a query in its query language over the fields of `export --format quickwit`; for
    /// OpenSearch: the JSON body of `_search` over those of `export --format opensearch`;
    /// both sorted as the API sorts. Then `exact: yes`, or `exact: no` and, per
    /// parameter, what the engine returns instead and what to check: Quickwit's trigram
    /// terms carry no positions, so a `contains` of more than three characters returns
    /// messages holding its trigrams anywhere, to be re-checked, and one of fewer than
    /// three cannot use the trigrams at all. Reads no archive.
    #[command(after_help = "\
Examples:
  plupper-archive translate --target quickwit 'operator=peter&contains=money'
  plupper-archive translate --target opensearch 'from=04/29/09&to=04/30/09&visitorId=32751'")]
    Translate(TranslateArgs),
    /// Write a key pair for signing evidence bundles (`export --sign`).
    ///
    /// The secret key goes to PATH, readable by its owner only; the public key to
    /// PATH.pub, to hand to whoever checks bundles (`verify-bundle --key`). Neither file
    /// is ever overwritten.
    #[command(after_help = "\
Examples:
  plupper-archive keygen ~/.config/plupper/evidence-key")]
    Keygen(KeygenArgs),
    /// Check the whole archive: the database file, every message against its original
    /// text, the integrity chain, the conversations and the search index.
    ///
    /// Every batch of added messages records a SHA-256 over their original texts, chained
    /// to the batch before. This command recomputes it all and names each problem
    /// (message, chain link, conversation); it exits 1 when there is any, 0 with a
    /// one-line summary (ending with the chain head's hash, worth keeping) when not.
    #[command(after_help = "\
Examples:
  plupper-archive verify
  plupper-archive --archive /backup/plupper verify")]
    Verify(VerifyArgs),
    /// Answer the Plupper API's own URLs over HTTP from the archive, with Basic auth.
    ///
    /// A client written for the API keeps working offline: point its base URL here.
    /// `GET /resources/message?QUERY` answers byte for byte what `query --params 'QUERY'
    /// --format api` prints, `GET /resources/message/ID` what `show ID --format api`
    /// prints; errors are JSON (`{"error": "..."}`) with the command line's message: 400
    /// for invalid input, 401 without valid credentials, 404 for an unknown path or id,
    /// 429 after ten wrong credentials from one address within a minute. The archive is
    /// opened read-only and never written; an import or sync while the server runs is
    /// seen by the next request. Prints `listening on http://HOST:PORT` on stderr when it
    /// answers; SIGINT or SIGTERM stop it (exit 0).
    ///
    /// Every request needs a user of `user add`; with none, serve refuses to start unless
    /// --no-auth, which only a loopback address allows.
    #[command(after_help = "\
Examples:
  plupper-archive user add john
  plupper-archive serve --listen 127.0.0.1:8080
  curl -u john 'http://127.0.0.1:8080/resources/message?operator=john&from=04/29/09'
  plupper-archive serve --cors-origin https://intranet.example.com")]
    Serve(ServeArgs),
    /// Manage the users who may sign in to `serve`.
    ///
    /// Users are kept in the file `users` in the archive directory, readable by its owner
    /// only, each password as an Argon2id hash. The password of `user add` comes from
    /// --password-stdin or a prompt on a terminal; never from the command line. Changes
    /// count for a running server from its next request.
    #[command(after_help = "\
Examples:
  plupper-archive user add john
  pass plupper-archive/john | plupper-archive user add john --password-stdin
  plupper-archive user list
  plupper-archive user remove john")]
    User(UserArgs),
    /// Print the completion script of a shell.
    ///
    /// Load it in the shell's start-up file, or save it where the shell looks for
    /// completions.
    #[command(after_help = "\
Examples:
  plupper-archive completions bash > ~/.local/share/bash-completion/completions/plupper-archive
  plupper-archive completions zsh > ~/.zfunc/_plupper-archive
  plupper-archive completions fish > ~/.config/fish/completions/plupper-archive.fish")]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one page per command into a directory.
    #[command(after_help = "\
Examples:
  plupper-archive man | man -l -
  plupper-archive man --out ~/.local/share/man/man1")]
    Man(ManArgs),
}

impl Command {
    /// The subcommand `name` with its arguments, built alone (without its help texts,
    /// which only the whole tree prints); `None` for a name that is not a subcommand.
    fn alone(name: &str) -> Option<clap::Command> {
        fn with<A: Args>(name: &'static str) -> clap::Command {
            A::augment_args(clap::Command::new(name))
        }
        Some(match name {
            "import" => with::<ImportArgs>("import"),
            "query" => with::<QueryArgs>("query"),
            "search" => with::<SearchArgs>("search"),
            "show" => with::<ShowArgs>("show"),
            "index" => with::<IndexArgs>("index"),
            "quarantine" => with::<QuarantineArgs>("quarantine"),
            "sync" => with::<SyncArgs>("sync"),
            "conversations" => with::<ConversationsArgs>("conversations"),
            "stats" => with::<StatsArgs>("stats"),
            "export" => with::<ExportArgs>("export"),
            "verify-bundle" => with::<VerifyBundleArgs>("verify-bundle"),
            "translate" => with::<TranslateArgs>("translate"),
            "keygen" => with::<KeygenArgs>("keygen"),
            "verify" => with::<VerifyArgs>("verify"),
            "serve" => with::<ServeArgs>("serve"),
            "user" => with::<UserArgs>("user"),
            "completions" => with::<CompletionsArgs>("completions"),
            "man" => with::<ManArgs>("man"),
            _ => return None,
        })
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on, HOST:PORT; port 0 takes a free port.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: String,

    /// Answer without authentication (refused on an address that is not loopback).
    #[arg(long)]
    pub no_auth: bool,

    /// Allow web pages of this origin (scheme://host[:port]) to call, with credentials;
    /// repeatable. No other origin is allowed.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origins: Vec<String>,
}

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user, or give an existing one a new password.
    Add(UserAddArgs),
    /// Remove a user.
    Remove(UserNameArgs),
    /// List the users' names.
    List,
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The user name (no `:`, spaces or control characters).
    #[arg(value_name = "NAME")]
    pub name: String,

    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,

    /// Refused: use --password-stdin or the prompt.
    #[arg(long, hide = true, num_args = 0..=1, value_name = "PASSWORD", allow_hyphen_values = true)]
    pub password: Option<Option<String>>,
}

#[derive(Debug, Args)]
pub struct UserNameArgs {
    /// The user name.
    #[arg(value_name = "NAME")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `plupper-archive.1` and one `plupper-archive-COMMAND.1` per command into DIR
    /// (created when missing) and print their paths, instead of the main page on stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The API's base URL (http or https, without credentials).
    #[arg(
        long,
        env = "PLUPPER_URL",
        default_value = plupper_sync::http::DEFAULT_URL,
        value_name = "URL"
    )]
    pub url: String,

    /// The user name for the API.
    #[arg(long, env = "PLUPPER_USER", value_name = "NAME")]
    pub user: Option<String>,

    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,

    /// Refused: use PLUPPER_PASSWORD, --password-stdin or the prompt.
    #[arg(long, hide = true, num_args = 0..=1, value_name = "PASSWORD", allow_hyphen_values = true)]
    pub password: Option<Option<String>>,

    /// Pull the whole history again.
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub full: bool,

    /// Pull from this day (YYYY-MM-DD, MM/DD/YY, M/D/YY or MM/DD/YYYY); with --to, only
    /// that range.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Pull up to this day (the whole day).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// How many times to try a window again after a failure that may pass.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub retries: u32,

    /// Seconds to wait for the server to answer or send more (connecting: at most 30).
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub timeout: u64,

    /// Do not bring the search index up to date at the end (run `index` later).
    #[arg(long)]
    pub no_index: bool,

    /// Pull the whole history (or the --from/--to range) as a sync would, but write
    /// nothing: say per window how many messages a sync would add and how many archived
    /// ones the API no longer returns.
    #[arg(long)]
    pub dry_run: bool,

    /// Output of --dry-run: `text` for people, `ndjson` one record per window that
    /// differs.
    #[arg(long, value_enum, requires = "dry_run", value_name = "FORMAT")]
    pub format: Option<DryRunFormat>,
}

/// How `sync --dry-run` prints its comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DryRunFormat {
    /// The windows that differ, a total line; or one line when the archive is in step.
    Text,
    /// One JSON object per window that differs.
    Ndjson,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files or directories to import; `-` is standard input (a file named `-` is `./-`).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Do not index the messages as they are imported (run `index` later).
    #[arg(long)]
    pub no_index: bool,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Throw the index away and build it again from the archive.
    #[arg(long)]
    pub rebuild: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The search: words, "phrases", prefix*, -excluded, a OR b.
    #[arg(value_name = "QUERY", allow_hyphen_values = true)]
    pub query: String,

    #[command(flatten)]
    pub filter: FilterArgs,

    /// Print at most N results. Default: 20 in the table format (which then says how many
    /// there are in all), all otherwise. `--limit 0` prints nothing.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,

    /// Print only the number of hits (ignores --limit).
    #[arg(long)]
    pub count: bool,

    /// Show the N messages before and after each hit in its conversation (as `rg -C`
    /// shows lines), in the table format (also into a pipe).
    #[arg(short = 'C', long, value_name = "N")]
    pub context: Option<usize>,

    /// Output format. `ndjson` adds `conversation` (its id), `score`, `snippet` and
    /// `highlights` (character ranges [start, end) of the matched words in the snippet);
    /// `table` shows who wrote to whom, the customer and the conversation, and the snippet
    /// with the matches in bold. Default: table on a terminal, ndjson otherwise.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<MessageFormat>,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// Print at most N messages (the first N in time order). `--limit 0` prints nothing.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,

    /// Print only the number of matching messages (ignores --limit).
    #[arg(long)]
    pub count: bool,

    /// Show each matching message (marked `>`) between the N messages before and after it
    /// in its conversation, as transcript lines (as `rg -C` shows lines).
    #[arg(short = 'C', long, value_name = "N", conflicts_with = "count")]
    pub context: Option<usize>,

    #[command(flatten)]
    pub output: MessageOutput,
}

/// The API's filters, as flags or as a query string. An empty value means "not given".
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Messages written on or after this day: YYYY-MM-DD, MM/DD/YY, M/D/YY or MM/DD/YYYY.
    /// A two-digit year is within 80 years before and 20 years after today.
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub from: Option<String>,

    /// Messages written on or before this day (the whole day); same forms as --from.
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub to: Option<String>,

    /// Messages of this operator (case-sensitive: `peter` is not `Peter`).
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub operator: Option<String>,

    /// Messages of this visitor (an integer).
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    pub visitor_id: Option<String>,

    /// Messages of this customer (case-sensitive; shared by many visitors).
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    pub customer_id: Option<String>,

    /// Messages whose content contains this text, ignoring case; no wildcards.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub contains: Option<String>,

    /// The filters as the API's URL query string, e.g. 'operator=peter&contains=money'
    /// (decoded as a browser encodes it: `+` is a space, `%XX` escapes); dates as the API
    /// takes them (MM/DD/YY, M/D/YY, MM/DD/YYYY). Unknown parameters are ignored, each
    /// named on stderr. A parameter may not be given both here and as a flag.
    #[arg(long, value_name = "QUERY", allow_hyphen_values = true)]
    pub params: Option<String>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The message's archive id (a positive integer, as printed by the other commands).
    #[arg(value_name = "ID", required_unless_present = "conversation")]
    pub id: Option<String>,

    /// Show a whole conversation instead (its id as `conversations` prints it): a
    /// readable transcript as a table, its messages in the other formats.
    #[arg(long, value_name = "ID", conflicts_with = "id")]
    pub conversation: Option<String>,

    #[command(flatten)]
    pub output: MessageOutput,
}

#[derive(Debug, Args)]
pub struct QuarantineArgs {
    /// List at most N entries (the oldest). `--limit 0` prints nothing.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,

    /// Print only the number of entries (ignores --limit).
    #[arg(long)]
    pub count: bool,

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
    /// Aligned columns for a terminal; control characters shown as `\u{1b}`.
    Table,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header (RFC 4180).
    Csv,
    /// Aligned columns for a terminal; control characters shown as `\u{1b}`.
    Table,
}

#[derive(Debug, Args)]
pub struct ConversationsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// List at most N conversations (the first N to start). `--limit 0` prints nothing.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,

    /// Print only the number of conversations selected (ignores --limit).
    #[arg(long)]
    pub count: bool,

    /// Output format. Default: table on a terminal, ndjson otherwise.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ListFormat>,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// One row per operator, written day, written month or customer id (and a total).
    #[arg(long, value_enum, value_name = "GROUP")]
    pub by: Option<StatsBy>,

    /// Show the first N groups of --by (in its order), then the total of them all.
    /// `--limit 0` prints nothing.
    #[arg(long, value_name = "N", requires = "by")]
    pub limit: Option<u64>,

    /// Print only the number of groups of --by (ignores --limit).
    #[arg(long, requires = "by")]
    pub count: bool,

    /// Output format. Default: table on a terminal, ndjson otherwise.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ListFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsBy {
    /// The message's operator.
    Operator,
    /// The written day.
    Day,
    /// The written month.
    Month,
    /// The customer id.
    Customer,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// The export's directory: created; it must not exist or be empty.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// What to write: `bundle`, an evidence bundle; `quickwit` or `opensearch`, shards
    /// and an index definition for that engine.
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    pub format: ExportFormat,

    /// Sign the manifest with this secret key file (as `keygen` writes it; readable by
    /// its owner only). Bundles only.
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,

    /// Only messages with an archive id above N: the `lastId` of the previous export's
    /// manifest.json. Engine formats only.
    #[arg(long, value_name = "N")]
    pub since_id: Option<String>,
}

/// What `export` writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// An evidence bundle, recorded in the archive.
    #[default]
    Bundle,
    /// Gzip NDJSON shards and an index config for Quickwit.
    Quickwit,
    /// Gzip `_bulk` shards and a mapping for OpenSearch.
    Opensearch,
}

#[derive(Debug, Args)]
pub struct TranslateArgs {
    /// The engine whose query to print.
    #[arg(long, value_enum, value_name = "ENGINE")]
    pub target: EngineTarget,

    /// The API's query string, e.g. 'operator=peter&contains=money'.
    #[arg(value_name = "QUERY", allow_hyphen_values = true)]
    pub query: String,
}

/// An engine of `translate --target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineTarget {
    /// Quickwit's query language.
    Quickwit,
    /// OpenSearch's query DSL.
    Opensearch,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The secret key file to write (the public key goes to PATH.pub).
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub struct VerifyBundleArgs {
    /// The bundle's directory, as `export --out` made it.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// The SHA-256 of manifest.json that the export printed, kept apart from the bundle.
    #[arg(long, value_name = "SHA256")]
    pub expect: Option<String>,

    /// The public key file (`keygen`'s PATH.pub) the manifest must be signed with.
    #[arg(long, value_name = "PUBLIC")]
    pub key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use proptest::prelude::*;

    fn line(args: &[&str]) -> Vec<OsString> {
        std::iter::once("plupper-archive")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect()
    }

    /// The narrow parse of `args`, checked against the whole tree's: when it accepts a
    /// command line, the whole tree parses it to the same `Cli`.
    fn narrow_agrees(args: &[OsString]) -> Option<String> {
        let whole = Cli::try_parse_from(args);
        let narrow = match Cli::parse_narrow(args) {
            Ok(narrow) => format!("{narrow:?}"),
            Err(Some(version)) => {
                let whole = whole.expect_err("the whole tree prints a version too");
                assert_eq!(
                    whole.kind(),
                    clap::error::ErrorKind::DisplayVersion,
                    "{args:?}"
                );
                let (narrow, whole) = (version.render().to_string(), whole.render().to_string());
                assert_eq!(narrow, whole, "{args:?}");
                return Some(narrow);
            }
            Err(None) => return None,
        };
        let whole = whole.unwrap_or_else(|error| {
            panic!("the narrow tree accepted {args:?}, the whole tree said: {error}")
        });
        assert_eq!(narrow, format!("{whole:?}"), "{args:?}");
        Some(narrow)
    }

    fn args_of(command: &clap::Command) -> Vec<String> {
        command
            .get_arguments()
            .map(|arg| format!("{arg:?}"))
            .collect()
    }

    #[test]
    fn each_subcommand_alone_has_the_arguments_of_the_whole_tree() {
        let whole = Cli::command();
        let mut names = Vec::new();
        for sub in whole.get_subcommands() {
            let name = sub.get_name();
            names.push(name.to_owned());
            let alone = Command::alone(name).unwrap_or_else(|| panic!("no `{name}` alone"));
            assert_eq!(alone.get_name(), name);
            assert_eq!(args_of(&alone), args_of(sub), "{name}");
            let groups = |c: &clap::Command| format!("{:?}", c.get_groups().collect::<Vec<_>>());
            assert_eq!(groups(&alone), groups(sub), "{name}");
            assert_eq!(
                alone.is_subcommand_required_set(),
                sub.is_subcommand_required_set(),
                "{name}"
            );
            assert_eq!(
                alone.is_arg_required_else_help_set(),
                sub.is_arg_required_else_help_set(),
                "{name}"
            );
            let nested = |c: &clap::Command| {
                c.get_subcommands()
                    .map(|s| (s.get_name().to_owned(), args_of(s)))
                    .collect::<Vec<_>>()
            };
            assert_eq!(nested(&alone), nested(sub), "{name}");
        }
        assert_eq!(names.len(), 18, "{names:?}");
        assert!(Command::alone("help").is_none());
        assert!(Command::alone("quer").is_none());
    }

    #[test]
    fn everyday_command_lines_take_the_narrow_way_and_parse_as_the_whole_tree_does() {
        for args in [
            &["query", "--params", "visitorId=7", "--count"][..],
            &[
                "--archive",
                "demo",
                "query",
                "--contains",
                "money",
                "--format",
                "ndjson",
            ],
            &[
                "--archive=demo",
                "-vv",
                "query",
                "--operator",
                "peter",
                "--limit",
                "3",
            ],
            &[
                "query",
                "--from",
                "-1",
                "--archive",
                "demo",
                "--color",
                "never",
            ],
            &["--color", "always", "search", "money", "-C", "2"],
            &["-v", "import", "data", "more.json", "--no-index"],
            &["show", "1", "--format", "api"],
            &["user", "add", "bob", "--password-stdin"],
            &["stats", "--by", "operator"],
            &["export", "--out", "bundle", "--operator", "peter"],
            &["completions", "bash"],
            &["--version"],
            &["-V"],
            &["query", "--version"],
            &["-v", "user", "add", "-V"],
        ] {
            let args = line(args);
            assert!(narrow_agrees(&args).is_some(), "{args:?} went the long way");
        }
    }

    #[test]
    fn help_versions_mistakes_and_no_subcommand_go_to_the_whole_tree() {
        for args in [
            &[][..],
            &["--help"],
            &["-h"],
            &["help"],
            &["help", "query"],
            &["query", "--help"],
            &["query", "-h"],
            &["query", "--count", "--limit"],
            &["query", "--no-such-flag"],
            &["quer", "--count"],
            &["--archive"],
            &["-x", "query"],
            &["--", "query"],
            &["-v"],
            &["user"],
            &["user", "help"],
            &["show"],
            &["--color", "sometimes", "query"],
        ] {
            let args = line(args);
            assert!(
                narrow_agrees(&args).is_none(),
                "{args:?} took the narrow way"
            );
        }
    }

    /// Tokens that command lines are made of: every subcommand, the global options and
    /// values, a few options of the commonest subcommands, help and version flags, and
    /// things that are none of these.
    const TOKENS: &[&str] = &[
        "query",
        "search",
        "import",
        "show",
        "user",
        "add",
        "list",
        "remove",
        "stats",
        "export",
        "verify",
        "index",
        "completions",
        "bash",
        "help",
        "--archive",
        "--archive=a",
        "a",
        "-v",
        "-vv",
        "--verbose",
        "--color",
        "never",
        "--color=always",
        "--count",
        "--params",
        "contains=x",
        "--contains",
        "--operator",
        "peter",
        "--from",
        "-1",
        "04/29/09",
        "--limit",
        "3",
        "-C",
        "--format",
        "ndjson",
        "api",
        "--help",
        "-h",
        "--version",
        "-V",
        "--",
        "-",
        "--no-index",
        "1",
        "--conversation",
        "--by",
        "operator",
        "--password-stdin",
        "--rebuild",
        "--out",
        "",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn the_narrow_tree_never_parses_a_line_differently(
            picks in proptest::collection::vec(0..TOKENS.len(), 0..8)
        ) {
            let tokens: Vec<&str> = picks.iter().map(|&i| TOKENS[i]).collect();
            narrow_agrees(&line(&tokens));
        }
    }
}
