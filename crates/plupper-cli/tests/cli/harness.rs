//! The harness every CLI test goes through: a [`Sandbox`] is a temporary directory
//! holding an empty `$HOME`, the test's input files and the archive, and it runs the real
//! `plupper-archive` binary there with an environment holding only `PATH` and `HOME`
//! (no `PLUPPER_*`, no `XDG_*`, no `RUST_LOG`, no terminal).

#![allow(dead_code)] // not every test module uses every helper

use std::ffi::OsStr;
use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use plupper_testkit::corpus::{CorpusConfig, Generator, write_api, write_ndjson};
use serde_json::Value;
use tempfile::TempDir;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_plupper-archive");

/// The binary with an environment holding only `PATH` (no `PLUPPER_*`, no `XDG_*`, no
/// `RUST_LOG`, no `HOME`), for tests that bring their own directories.
pub fn clean_std_command() -> std::process::Command {
    let mut command = std::process::Command::new(BIN);
    command.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command
}

/// The workspace root (the repository), where `data/` lives.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A checked-in fixture under `crates/plupper-cli/tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A temporary directory to run the binary in: `home/` (an empty `$HOME`), `files/` for
/// inputs, and `archive/` (not created: the binary creates it).
pub struct Sandbox {
    root: TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let root = tempfile::Builder::new()
            .prefix("plupper-cli-test.")
            .tempdir()
            .expect("a temporary directory");
        fs::create_dir(root.path().join("home")).expect("create home");
        fs::create_dir(root.path().join("files")).expect("create files");
        Sandbox { root }
    }

    /// The sandbox itself; commands run with it as their working directory.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The empty `$HOME`.
    pub fn home(&self) -> PathBuf {
        self.root().join("home")
    }

    /// The archive directory every [`Sandbox::run`] passes as `--archive`.
    pub fn archive(&self) -> PathBuf {
        self.root().join("archive")
    }

    /// A path under `files/` (not created).
    pub fn file(&self, name: &str) -> PathBuf {
        self.root().join("files").join(name)
    }

    /// Writes `contents` to `files/<name>` (making its directories) and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.file(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create the file's directory");
        }
        fs::write(&path, contents).expect("write a test file");
        path
    }

    /// The binary with the sandbox's environment (only `PATH` and `HOME`) and working
    /// directory, without any argument.
    pub fn bare_command(&self) -> assert_cmd::Command {
        let mut command = assert_cmd::Command::cargo_bin("plupper-archive").expect("the binary");
        command.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        command.env("HOME", self.home()).current_dir(self.root());
        command
    }

    /// Same as [`Sandbox::bare_command`], as a `std` command (for tests that spawn,
    /// pipe and kill the process themselves).
    pub fn std_command(&self) -> std::process::Command {
        let mut command = clean_std_command();
        command.env("HOME", self.home()).current_dir(self.root());
        command
    }

    /// The binary on the sandbox's archive.
    pub fn command(&self) -> assert_cmd::Command {
        self.command_on(&self.archive())
    }

    /// The binary on another archive.
    pub fn command_on(&self, archive: &Path) -> assert_cmd::Command {
        let mut command = self.bare_command();
        command.arg("--archive").arg(archive);
        command
    }

    /// Runs `plupper-archive --archive <archive> ARGS...`.
    pub fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Run {
        Run::from(self.command().args(args).output().expect("run the binary"))
    }

    /// Runs the binary on another archive.
    pub fn run_on<S: AsRef<OsStr>>(&self, archive: &Path, args: &[S]) -> Run {
        Run::from(
            self.command_on(archive)
                .args(args)
                .output()
                .expect("run the binary"),
        )
    }

    /// Runs `plupper-archive --archive <archive> ARGS...` with its stdout gone (see
    /// [`Gone`]); stderr is captured, stdout is empty.
    pub fn run_without_stdout<S: AsRef<OsStr>>(&self, gone: Gone, args: &[S]) -> Run {
        let stdout = match gone {
            Gone::ClosedPipe => {
                let (reader, writer) = std::io::pipe().expect("a pipe");
                drop(reader);
                Stdio::from(writer)
            }
            Gone::Full => Stdio::from(
                fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .expect("/dev/full (Linux)"),
            ),
        };
        let output = self
            .std_command()
            .arg("--archive")
            .arg(self.archive())
            .args(args)
            .stdout(stdout)
            .stderr(Stdio::piped())
            .output()
            .expect("run the binary");
        Run::from(output)
    }

    /// Runs `plupper-archive --archive <archive> ARGS...` on a terminal of `columns`
    /// columns: a pseudo-terminal made by `script` (util-linux), its size set with
    /// `stty`, `TERM=xterm`, plus the environment variables `env` (`COLUMNS`,
    /// `NO_COLOR`). Stdout and stderr both go to the terminal: [`Terminal::text`] is what
    /// it received, every byte (escape sequences and `\r` included).
    pub fn run_on_terminal(&self, columns: u16, env: &[(&str, &str)], args: &[&str]) -> Terminal {
        let archive = self.archive();
        let mut words = vec![BIN, "--archive", archive.to_str().expect("a UTF-8 path")];
        words.extend_from_slice(args);
        let line: Vec<String> = words.iter().map(|word| shell_quoted(word)).collect();
        let mut command = std::process::Command::new("script");
        command.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        command
            .env("HOME", self.home())
            .env("TERM", "xterm")
            .envs(env.iter().copied())
            .current_dir(self.root())
            .args(["--quiet", "--return", "--command"])
            .arg(format!(
                "stty cols {columns} rows 24 && exec {}",
                line.join(" ")
            ))
            .arg("/dev/null")
            .stdin(Stdio::null());
        let output = command
            .output()
            .expect("run `script` (util-linux) for a pseudo-terminal");
        Terminal {
            code: output.status.code().unwrap_or(-1),
            text: String::from_utf8_lossy(&output.stdout).into_owned(),
        }
    }

    /// `import PATHS...`, whatever its outcome.
    pub fn import<P: AsRef<Path>>(&self, paths: &[P]) -> Run {
        self.import_on(&self.archive(), paths)
    }

    /// `import PATHS...` into another archive, whatever its outcome.
    pub fn import_on<P: AsRef<Path>>(&self, archive: &Path, paths: &[P]) -> Run {
        let mut command = self.command_on(archive);
        command.arg("import");
        for path in paths {
            command.arg(path.as_ref());
        }
        Run::from(command.output().expect("run the binary"))
    }

    /// `import PATHS...`, which must succeed silently; its summary.
    pub fn import_ok<P: AsRef<Path>>(&self, paths: &[P]) -> ImportSummary {
        self.import(paths).success().summary()
    }

    /// `query ARGS... --format ndjson`, which must succeed silently; the parsed lines.
    pub fn query<S: AsRef<OsStr>>(&self, args: &[S]) -> Vec<Value> {
        self.query_on(&self.archive(), args)
    }

    /// Same, on another archive.
    pub fn query_on<S: AsRef<OsStr>>(&self, archive: &Path, args: &[S]) -> Vec<Value> {
        let mut all: Vec<&OsStr> = vec![OsStr::new("query")];
        all.extend(args.iter().map(AsRef::as_ref));
        all.extend([OsStr::new("--format"), OsStr::new("ndjson")]);
        parse_ndjson(&self.run_on(archive, &all).success().stdout)
    }

    /// The archive ids `query ARGS...` answers, in its order.
    pub fn ids<S: AsRef<OsStr>>(&self, args: &[S]) -> Vec<i64> {
        self.query(args).iter().map(id_of).collect()
    }

    /// The content of every archived message, in archive order (by id).
    pub fn contents_by_id(&self) -> Vec<String> {
        let mut messages = self.query::<&str>(&[]);
        messages.sort_by_key(id_of);
        messages.iter().map(|m| content_of(m).to_owned()).collect()
    }

    /// `query ARGS... --count`.
    pub fn count<S: AsRef<OsStr>>(&self, args: &[S]) -> u64 {
        self.count_on(&self.archive(), args)
    }

    /// `query --count` on another archive.
    pub fn count_on<S: AsRef<OsStr>>(&self, archive: &Path, args: &[S]) -> u64 {
        let mut all: Vec<&OsStr> = vec![OsStr::new("query"), OsStr::new("--count")];
        all.extend(args.iter().map(AsRef::as_ref));
        let run = self.run_on(archive, &all).success();
        let text = run.stdout_text();
        text.trim_end()
            .parse()
            .unwrap_or_else(|_| panic!("`query --count` printed {text:?}"))
    }

    /// `quarantine --format ndjson`: the parsed entries.
    pub fn quarantine(&self) -> Vec<Value> {
        parse_ndjson(
            &self
                .run(&["quarantine", "--format", "ndjson"])
                .success()
                .stdout,
        )
    }

    /// Replaces the sandbox's path in `text` with `[SANDBOX]`, for snapshots.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        if let Ok(canonical) = self.root().canonicalize() {
            text = text.replace(&*canonical.to_string_lossy(), "[SANDBOX]");
        }
        text.replace(&*self.root().to_string_lossy(), "[SANDBOX]")
    }
}

/// `word` quoted for a POSIX shell.
fn shell_quoted(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// What a run on a terminal ([`Sandbox::run_on_terminal`]) showed.
#[derive(Debug, Clone)]
pub struct Terminal {
    /// The exit status (-1 when killed by a signal).
    pub code: i32,
    /// Every byte the terminal received, stdout and stderr together.
    pub text: String,
}

impl Terminal {
    /// The lines a person reads once the program is done: of each line the terminal
    /// received (ended by `\r\n`), what follows its last `\r` (what was drawn over, such
    /// as a progress bar, is gone), without escape sequences; empty lines left out.
    pub fn lines(&self) -> Vec<String> {
        self.text
            .split("\r\n")
            .map(|line| without_escapes(line.rsplit('\r').next().unwrap_or_default()))
            .filter(|line| !line.is_empty())
            .collect()
    }
}

/// `text` without its terminal escape sequences (CSI: `ESC [`, parameters, a final byte
/// from `@` to `~`), each replaced by `replacement`.
pub fn without_escapes_as(text: &str, replacement: &str) -> String {
    let mut plain = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            plain.push(c);
            continue;
        }
        if chars.next() == Some('[') {
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
        plain.push_str(replacement);
    }
    plain
}

/// `text` without its terminal escape sequences.
pub fn without_escapes(text: &str) -> String {
    without_escapes_as(text, "")
}

/// Where stdout goes in [`Sandbox::run_without_stdout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gone {
    /// A pipe whose reader has gone away before anything was written (`| true`).
    ClosedPipe,
    /// A full disk (`> /dev/full`, Linux).
    Full,
}

/// What one run of the binary did.
#[derive(Debug, Clone)]
pub struct Run {
    /// The exit status (-1 when killed by a signal).
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: output.stdout,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts the exit status, showing both streams when it differs.
    #[track_caller]
    pub fn code(self, expected: i32) -> Run {
        assert_eq!(
            self.code,
            expected,
            "exit status\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout_text(),
            self.stderr
        );
        self
    }

    /// Asserts exit status 0 and nothing on stderr.
    #[track_caller]
    pub fn success(self) -> Run {
        let run = self.code(0);
        assert_eq!(run.stderr, "", "a successful run printed on stderr");
        run
    }

    /// Asserts exit status 0 and no `error:` line on stderr; other lines (a warning
    /// that a run recovers from something) are shown in the test's log.
    #[track_caller]
    pub fn ok(self) -> Run {
        let run = self.code(0);
        assert!(
            !run.stderr.lines().any(|l| l.starts_with("error")),
            "a successful run printed an error:\n{}",
            run.stderr
        );
        if !run.stderr.is_empty() {
            eprintln!("stderr of a successful run:\n{}", run.stderr);
        }
        run
    }

    /// Asserts that stderr holds this line (the whole line).
    #[track_caller]
    pub fn stderr_line(self, line: &str) -> Run {
        assert!(
            self.stderr.lines().any(|l| l == line),
            "stderr lacks the line {line:?}:\n{}",
            self.stderr
        );
        self
    }

    /// Asserts that every line on stderr starts with `error: ` and that there are `n`.
    #[track_caller]
    pub fn errors(self, n: usize) -> Run {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), n, "stderr:\n{}", self.stderr);
        for line in lines {
            assert!(line.starts_with("error: "), "not an error line: {line:?}");
        }
        self
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// The import summary printed on stdout.
    #[track_caller]
    pub fn summary(&self) -> ImportSummary {
        ImportSummary::parse(&self.stdout_text())
    }
}

/// The summary `import` prints on stdout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub files: u64,
    pub not_imported: u64,
    pub elements: u64,
    pub added: u64,
    pub already_archived: u64,
    /// Elements newly put into quarantine.
    pub quarantined: u64,
    /// Elements whose exact text the quarantine held already (`(N already in quarantine)`).
    pub already_quarantined: u64,
    pub warnings: u64,
}

impl ImportSummary {
    #[track_caller]
    pub fn parse(text: &str) -> ImportSummary {
        let mut summary = ImportSummary::default();
        let number = |value: &str| -> u64 {
            value
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("not a number in the summary: {value:?}\n{text}"))
        };
        let mut seen = 0;
        for line in text.lines() {
            let Some((key, value)) = line.split_once(':') else {
                panic!("not a summary line: {line:?}\n{text}");
            };
            match key {
                "files" => {
                    let value = value.trim();
                    match value.split_once(" (") {
                        Some((files, rest)) => {
                            summary.files = number(files);
                            summary.not_imported = number(
                                rest.strip_suffix(" not imported)")
                                    .unwrap_or_else(|| panic!("files line: {line:?}")),
                            );
                        }
                        None => summary.files = number(value),
                    }
                }
                "elements read" => summary.elements = number(value),
                "added" => summary.added = number(value),
                "already archived" => summary.already_archived = number(value),
                "quarantined" => {
                    let value = value.trim();
                    match value.split_once(" (") {
                        Some((quarantined, rest)) => {
                            summary.quarantined = number(quarantined);
                            summary.already_quarantined = number(
                                rest.strip_suffix(" already in quarantine)")
                                    .unwrap_or_else(|| panic!("quarantined line: {line:?}")),
                            );
                        }
                        None => summary.quarantined = number(value),
                    }
                }
                "warnings" => summary.warnings = number(value),
                _ => continue, // a line this harness does not check
            }
            seen += 1;
        }
        assert_eq!(seen, 6, "the summary lacks one of its six counts:\n{text}");
        summary
    }
}

/// Parses NDJSON output: one JSON object per line, each line ending in `\n`.
#[track_caller]
pub fn parse_ndjson(bytes: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(bytes).expect("ndjson output is UTF-8");
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "ndjson output must end each line with a newline: {text:?}"
    );
    text.lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}"));
            assert!(value.is_object(), "not an object: {line}");
            value
        })
        .collect()
}

/// The `id` of an ndjson message.
#[track_caller]
pub fn id_of(message: &Value) -> i64 {
    message["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id: {message}"))
}

/// The `content` of an ndjson message.
#[track_caller]
pub fn content_of(message: &Value) -> &str {
    message["content"]
        .as_str()
        .unwrap_or_else(|| panic!("no content: {message}"))
}

/// A message object's text with these fields (visitor 1, operator `john`, type `VO`).
pub fn message_object(content: &str, created: &str) -> String {
    format!(
        r#"{{"content":{},"customerId":null,"created":"{created}","visitorId":1,"type":"VO","operator":"john"}}"#,
        serde_json::to_string(content).expect("a JSON string")
    )
}

/// The element the API sends for an object text: a JSON string holding it.
pub fn string_element(object_text: &str) -> String {
    serde_json::to_string(object_text).expect("a JSON string")
}

/// An API list response of these element texts, as the API writes it.
pub fn list(elements: &[String]) -> String {
    format!("[{}]", elements.join(", "))
}

/// `Wed Apr 29 17:16:MM CEST 2009`, a different second for each `n` below 60.
pub fn created(n: u32) -> String {
    format!("Wed Apr 29 17:{:02}:{:02} CEST 2009", 16 + n / 60, n % 60)
}

/// Which file format the corpus is written in.
#[derive(Debug, Clone, Copy)]
pub enum CorpusFormat {
    Api,
    Ndjson,
}

/// Writes `messages` generated messages (the project's corpus generator, `seed`) to
/// `path`.
pub fn write_corpus(path: &Path, messages: u64, seed: u64, format: CorpusFormat) {
    let config = CorpusConfig {
        messages,
        seed,
        ..CorpusConfig::default()
    };
    let generator = Generator::new(config).expect("a valid corpus configuration");
    let out = BufWriter::new(fs::File::create(path).expect("create the corpus file"));
    let written = match format {
        CorpusFormat::Api => write_api(out, generator),
        CorpusFormat::Ndjson => write_ndjson(out, generator),
    }
    .expect("write the corpus");
    assert_eq!(written, messages);
}

/// The messages of the corpus as object texts, in order.
pub fn corpus_objects(messages: u64, seed: u64) -> Vec<String> {
    let config = CorpusConfig {
        messages,
        seed,
        ..CorpusConfig::default()
    };
    Generator::new(config)
        .expect("a valid corpus configuration")
        .map(|message| message.object_text())
        .collect()
}

/// Writes lines to a file, each ending in `\n`.
pub fn ndjson_lines(lines: &[String]) -> String {
    let mut text = String::new();
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}
