//! The comparison: plupper-archive against the SQLite FTS5 peer ([`crate::peer`]), the
//! `sqlite3` shell's own pipeline when installed ([`crate::shell`]: import time, and
//! counts where it can express the class) and a plain scan ([`crate::scan`], and `rg`
//! when installed), on the same generated corpus, every engine run as a whole process.
//! The whole-process floor (`--version` of plupper-archive and of the peer) is timed
//! the same way, so that a small query's cost above starting a process shows.
//!
//! One run: generate the corpus (an API list response); import and index it with the
//! `plupper-archive` binary and load the peer (and the shell), each under
//! `/usr/bin/time` for its wall time and peak RSS, `load_runs` times in turn (the
//! median is compared: one import is one sample of a machine whose speed drifts); then,
//! for each [query class](classes), in two modes (count only, and every matching
//! message written as NDJSON), run each engine once to check that
//! all answers agree (counts equal, NDJSON outputs equal line for line: same ids, same
//! fields, same order), then `runs` more times for the timing (median, min, max; ours
//! and the peer after one untimed run each, in turns whose order alternates). The
//! timing-only engines (`rg -c -i -F` over the API file, and plupper-archive with its
//! index hidden, which answers from the store alone) run for the `contains`-only classes
//! in count mode; the count of the latter is checked against the others' in every run
//! (`--check` too), since it takes another path through the store (the content blocks).
//! Any disagreement makes the run fail.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::BenchError;
use crate::corpus::{CorpusConfig, Format, Generator, MessageWriter};

/// The programs the comparison runs.
#[derive(Debug, Clone)]
pub struct Programs {
    /// `plupper-archive`.
    pub ours: PathBuf,
    /// `plupper-peer`.
    pub peer: PathBuf,
    /// `plupper-scan`.
    pub scan: PathBuf,
    /// `rg`, when installed.
    pub rg: Option<PathBuf>,
    /// GNU `time`, for peak RSS, when installed.
    pub time: Option<PathBuf>,
    /// `perf`, for CPU times with sub-millisecond resolution, when installed.
    pub perf: Option<PathBuf>,
    /// The `sqlite3` shell, for the second peer ([`crate::shell`]), when installed.
    pub sqlite3: Option<PathBuf>,
}

/// What to compare.
#[derive(Debug, Clone)]
pub struct Config {
    /// Messages in the corpus.
    pub messages: u64,
    /// The corpus seed.
    pub seed: u64,
    /// Timed runs per engine, query class and mode (after the checking run).
    pub runs: usize,
    /// Timed loads of each engine (each from nothing; interleaved: ours, the peer, the
    /// shell, then again), of which the median is compared.
    pub load_runs: usize,
    /// Working directory (corpus, archive, peer database, answers).
    pub dir: PathBuf,
    /// Also time the timing-only engines (`rg`, plupper-archive without its index).
    pub timing_only_engines: bool,
    /// The programs.
    pub programs: Programs,
}

/// A query class: a name and the API query it runs.
#[derive(Debug, Clone, Serialize)]
pub struct QueryClass {
    /// What the class stands for.
    pub name: String,
    /// The API parameters.
    pub params: Vec<(String, String)>,
}

impl QueryClass {
    pub(crate) fn new(name: &str, params: &[(&str, &str)]) -> QueryClass {
        QueryClass {
            name: name.to_owned(),
            params: params
                .iter()
                .map(|&(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    /// The URL query string.
    pub fn query_string(&self) -> String {
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.params {
            serializer.append_pair(name, value);
        }
        serializer.finish()
    }

    /// The needle, when `contains` is the only parameter.
    fn contains_only(&self) -> Option<&str> {
        match self.params.as_slice() {
            [(name, value)] if name == "contains" => Some(value),
            _ => None,
        }
    }
}

/// The query classes of the comparison. The needles are picked from the generator's
/// vocabulary for their frequency (the report gives the real share of each).
pub fn classes(visitor_id: i64) -> Vec<QueryClass> {
    let visitor = visitor_id.to_string();
    vec![
        QueryClass::new("rare word", &[("contains", "quokka")]),
        QueryClass::new("~1% word", &[("contains", "danke")]),
        QueryClass::new("~20% word", &[("contains", "ent")]),
        QueryClass::new("2 characters", &[("contains", "ok")]),
        QueryClass::new("non-ASCII, other case", &[("contains", "Ďakujem")]),
        QueryClass::new("100%", &[("contains", "100%")]),
        QueryClass::new(
            "operator + contains",
            &[("operator", "peter"), ("contains", "thanks")],
        ),
        QueryClass::new(
            "month + contains",
            &[
                ("from", "03/01/10"),
                ("to", "03/31/10"),
                ("contains", "order"),
            ],
        ),
        QueryClass::new("customerId exact", &[("customerId", "Tatra banka")]),
        QueryClass::new("visitorId exact", &[("visitorId", &visitor)]),
    ]
}

/// The engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    /// `plupper-archive query` (the index when it can answer).
    Ours,
    /// The SQLite FTS5 peer.
    Peer,
    /// The plain scan in Rust.
    Scan,
    /// `rg -c -i -F NEEDLE` over the API file (timing only: it matches raw JSON lines).
    Rg,
    /// `plupper-archive query` with the index hidden: the store alone (timing only).
    OursNoIndex,
    /// The `sqlite3` shell on the database its own pipeline built ([`crate::shell`]):
    /// counts only, for the classes it can express.
    Shell,
}

/// Count only, or every message as NDJSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// `--count`.
    Count,
    /// NDJSON on stdout (to `/dev/null` when timed).
    Ndjson,
}

/// Wall times of the timed runs, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    /// The engine.
    pub engine: Engine,
    /// Median.
    pub median_ms: f64,
    /// Fastest run.
    pub min_ms: f64,
    /// Slowest run.
    pub max_ms: f64,
    /// Every run.
    pub runs_ms: Vec<f64>,
    /// CPU time (user + system) of the run that checked the answer, when GNU time is
    /// installed: less disturbed than wall time on a busy machine.
    pub cpu_ms: Option<f64>,
}

/// One class in one mode.
#[derive(Debug, Clone, Serialize)]
pub struct ModeResult {
    /// The mode.
    pub mode: Mode,
    /// One timing per engine.
    pub timings: Vec<Timing>,
    /// Peer median / ours median.
    pub peer_over_ours: f64,
    /// Scan median / ours median.
    pub scan_over_ours: f64,
    /// Peer CPU time / ours (of the checking runs), when measured.
    pub peer_over_ours_cpu: Option<f64>,
}

/// One query class.
#[derive(Debug, Clone, Serialize)]
pub struct ClassResult {
    /// The class.
    pub class: QueryClass,
    /// Matching messages (the same for every engine, or the run fails).
    pub matches: u64,
    /// Share of the corpus.
    pub share: f64,
    /// Count and NDJSON.
    pub modes: Vec<ModeResult>,
    /// The `sqlite3` shell's count, when it ran and can express the class.
    pub shell_count: Option<u64>,
}

/// A process's wall time and peak memory: of one run, or over several (the median wall
/// time, the highest peak).
#[derive(Debug, Clone, Serialize)]
pub struct ProcessCost {
    /// Seconds (the median, over several runs).
    pub wall_seconds: f64,
    /// Peak resident set size (GNU time's `%M`), when measured (the highest, over
    /// several runs).
    pub peak_rss_mib: Option<f64>,
    /// Each run's seconds, in the order run.
    pub runs_seconds: Vec<f64>,
}

impl ProcessCost {
    /// The cost over `runs` (not empty): the median wall time (of an even number, the
    /// mean of the middle two) and the highest peak.
    fn over(runs: &[ProcessCost]) -> ProcessCost {
        let runs_seconds: Vec<f64> = runs.iter().map(|run| run.wall_seconds).collect();
        let mut sorted = runs_seconds.clone();
        sorted.sort_by(f64::total_cmp);
        let middle = sorted.len() / 2;
        let wall_seconds = match sorted.len() {
            0 => 0.0,
            n if n % 2 == 1 => sorted[middle],
            _ => (sorted[middle - 1] + sorted[middle]) / 2.0,
        };
        let peak_rss_mib = runs
            .iter()
            .filter_map(|run| run.peak_rss_mib)
            .reduce(f64::max);
        ProcessCost {
            wall_seconds,
            peak_rss_mib,
            runs_seconds,
        }
    }
}

/// Bytes on disk.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DiskUse {
    /// The raw API file.
    pub raw_json: u64,
    /// The archive's SQLite database (with its WAL, if any).
    pub ours_store: u64,
    /// The archive's tantivy index.
    pub ours_index: u64,
    /// The peer's database.
    pub peer: u64,
    /// The `sqlite3` shell pipeline's database, when it ran.
    pub shell: Option<u64>,
}

/// The whole result, as written by `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Messages in the corpus.
    pub messages: u64,
    /// The corpus seed.
    pub seed: u64,
    /// Timed runs per measurement.
    pub runs: usize,
    /// Timed loads per engine.
    pub load_runs: usize,
    /// `/proc/loadavg` before the run.
    pub load_before: String,
    /// `/proc/loadavg` after the run.
    pub load_after: String,
    /// plupper-archive `import` (which indexes as it imports).
    pub ours_import: ProcessCost,
    /// The peer's load, B-tree indexes and FTS5 build.
    pub peer_load: ProcessCost,
    /// The `sqlite3` shell pipeline (`.import` of the NDJSON, an FTS5 trigram table,
    /// `rebuild`), when `sqlite3` is installed.
    pub shell_load: Option<ProcessCost>,
    /// The whole-process floor: `--version` of plupper-archive and of the peer, timed as
    /// the queries are.
    pub floor: Vec<Timing>,
    /// Sizes.
    pub disk: DiskUse,
    /// Per class.
    pub classes: Vec<ClassResult>,
    /// Whether every engine gave the same answers.
    pub agree: bool,
    /// What disagreed.
    pub disagreements: Vec<String>,
    /// Where the `sqlite3` shell counted otherwise (not a failure: its FTS5 trigram
    /// folding and `LIKE` are not the contract's `contains`).
    pub shell_differences: Vec<String>,
}

fn command_line(args: &[OsString]) -> String {
    args.iter()
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `args` to completion; stdout to `stdout` (or captured when `None`). Returns the
/// wall time and the captured stdout.
fn run(
    args: &[OsString],
    stdout: Option<&Path>,
    ok_codes: &[i32],
) -> Result<(Duration, Vec<u8>), BenchError> {
    let failed = |reason: String| BenchError::Command {
        command: command_line(args),
        reason,
    };
    let mut command = Command::new(&args[0]);
    command
        .args(&args[1..])
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    match stdout {
        Some(path) => command.stdout(std::fs::File::create(path).map_err(BenchError::io(path))?),
        None => command.stdout(Stdio::piped()),
    };
    let started = Instant::now();
    let output = command.output().map_err(|e| failed(e.to_string()))?;
    let elapsed = started.elapsed();
    let code = output.status.code().unwrap_or(-1);
    if !ok_codes.contains(&code) {
        return Err(failed(format!(
            "exit status {code}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok((elapsed, output.stdout))
}

/// Runs `args` like [`run`], under `perf stat` (task-clock) or else GNU time (10 ms
/// resolution) when there is one, for its CPU time (ms).
fn run_cpu(
    args: &[OsString],
    stdout: Option<&Path>,
    programs: &Programs,
    scratch: &Path,
) -> Result<(Vec<u8>, Option<f64>), BenchError> {
    if let Some(perf) = &programs.perf {
        let report = scratch.join("perf-stat.txt");
        let mut counted: Vec<OsString> = os(&[
            &perf,
            &"stat",
            &"-x,",
            &"-e",
            &"task-clock",
            &"-o",
            &report,
            &"--",
        ]);
        counted.extend(args.iter().cloned());
        let (_, out) = run(&counted, stdout, &[0])?;
        let text = std::fs::read_to_string(&report).map_err(BenchError::io(&report))?;
        let cpu = text
            .lines()
            .find(|line| line.contains("task-clock"))
            .and_then(|line| line.split(',').next()?.trim().parse::<f64>().ok());
        return Ok((out, cpu));
    }
    let Some(time) = programs.time.as_deref() else {
        return Ok((run(args, stdout, &[0])?.1, None));
    };
    let report = scratch.join("cpu.txt");
    let (_, out) = run(&under_time(time, "%U %S", &report, args), stdout, &[0])?;
    let text = std::fs::read_to_string(&report).map_err(BenchError::io(&report))?;
    let cpu = text.lines().last().and_then(|line| {
        let mut parts = line.split_whitespace().map(|p| p.parse::<f64>().ok());
        Some((parts.next()?? + parts.next()??) * 1000.0)
    });
    Ok((out, cpu))
}

/// The command line that runs `args` under GNU `time`, writing `format` to `report`.
fn under_time(time: &Path, format: &str, report: &Path, args: &[OsString]) -> Vec<OsString> {
    let mut timed: Vec<OsString> = vec![
        time.into(),
        "-f".into(),
        format.into(),
        "-o".into(),
        report.into(),
    ];
    timed.extend(args.iter().cloned());
    timed
}

/// Runs `args` under GNU time for its peak RSS.
fn measure(
    args: &[OsString],
    time: Option<&Path>,
    scratch: &Path,
) -> Result<ProcessCost, BenchError> {
    let Some(time) = time else {
        let (elapsed, _) = run(args, None, &[0])?;
        return Ok(ProcessCost {
            wall_seconds: elapsed.as_secs_f64(),
            peak_rss_mib: None,
            runs_seconds: vec![elapsed.as_secs_f64()],
        });
    };
    let report = scratch.join("time.txt");
    let (elapsed, _) = run(&under_time(time, "%M", &report, args), None, &[0])?;
    let text = std::fs::read_to_string(&report).map_err(BenchError::io(&report))?;
    let kib: Option<f64> = text
        .lines()
        .last()
        .and_then(|line| line.trim().parse().ok());
    Ok(ProcessCost {
        wall_seconds: elapsed.as_secs_f64(),
        peak_rss_mib: kib.map(|k| k / 1024.0),
        runs_seconds: vec![elapsed.as_secs_f64()],
    })
}

fn os(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    args.iter().map(|a| a.as_ref().to_owned()).collect()
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return file_size(path);
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => dir_size(&entry.path()),
            _ => file_size(&entry.path()),
        })
        .sum()
}

/// The load average (`/proc/loadavg`), to print beside timings.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// Writes the corpus of `messages` messages (generator seed `seed`) as an API list
/// response, and the same messages as NDJSON to `ndjson` when given; returns the visitor
/// id of the message in the middle (the visitorId class's value).
pub fn write_corpus(
    messages: u64,
    seed: u64,
    path: &Path,
    ndjson: Option<&Path>,
) -> Result<i64, BenchError> {
    let corpus = CorpusConfig {
        messages,
        seed,
        ..CorpusConfig::default()
    };
    let generator = Generator::new(corpus).map_err(|e| BenchError::Command {
        command: "corpus".into(),
        reason: e.to_string(),
    })?;
    let open = |path: &Path, format| {
        let file = std::fs::File::create(path).map_err(BenchError::io(path))?;
        MessageWriter::new(file, format).map_err(BenchError::io(path))
    };
    let mut writer = open(path, Format::Api)?;
    let mut second = ndjson
        .map(|second| Ok::<_, BenchError>((second, open(second, Format::Ndjson)?)))
        .transpose()?;
    let middle = messages / 2;
    let mut visitor = None;
    for (index, message) in generator.enumerate() {
        if index as u64 >= middle && visitor.is_none() {
            visitor = message.visitor_id;
        }
        writer.write(&message).map_err(BenchError::io(path))?;
        if let Some((second, writer)) = &mut second {
            writer.write(&message).map_err(BenchError::io(*second))?;
        }
    }
    writer.finish().map_err(BenchError::io(path))?;
    if let Some((second, writer)) = second {
        writer.finish().map_err(BenchError::io(second))?;
    }
    Ok(visitor.unwrap_or(0))
}

/// The paths of one run.
struct Paths {
    corpus: PathBuf,
    /// The same messages as NDJSON, for the `sqlite3` shell's `.import`.
    corpus_ndjson: PathBuf,
    archive: PathBuf,
    peer: PathBuf,
    shell: PathBuf,
    answers: PathBuf,
}

impl Paths {
    fn new(dir: &Path) -> Paths {
        Paths {
            corpus: dir.join("corpus.json"),
            corpus_ndjson: dir.join("corpus.ndjson"),
            archive: dir.join("archive"),
            peer: dir.join("peer.sqlite3"),
            shell: dir.join("shell.sqlite3"),
            answers: dir.join("answers"),
        }
    }
}

/// The command of `engine` for `class` in `mode`.
fn engine_command(
    engine: Engine,
    class: &QueryClass,
    mode: Mode,
    config: &Config,
    paths: &Paths,
) -> Vec<OsString> {
    let programs = &config.programs;
    let query = class.query_string();
    let mut args = match engine {
        Engine::Ours | Engine::OursNoIndex => {
            let mut args = os(&[
                &programs.ours,
                &"--archive",
                &paths.archive,
                &"query",
                &"--params",
                &query,
            ]);
            if mode == Mode::Ndjson {
                args.extend(os(&[&"--format", &"ndjson"]));
            }
            args
        }
        Engine::Peer => os(&[
            &programs.peer,
            &"query",
            &"--db",
            &paths.peer,
            &"--params",
            &query,
        ]),
        Engine::Scan => os(&[
            &programs.scan,
            &"--file",
            &paths.corpus,
            &"--params",
            &query,
        ]),
        Engine::Shell => {
            let sqlite3 = programs.sqlite3.clone().unwrap_or_else(|| "sqlite3".into());
            let sql = crate::shell::count_sql(class).unwrap_or_default();
            return os(&[&sqlite3, &"-readonly", &paths.shell, &sql]);
        }
        Engine::Rg => {
            let rg = programs.rg.clone().unwrap_or_else(|| "rg".into());
            return os(&[
                &rg,
                &"-c",
                &"-i",
                &"-F",
                &class.contains_only().unwrap_or_default(),
                &paths.corpus,
            ]);
        }
    };
    if mode == Mode::Count {
        args.push("--count".into());
    }
    args
}

/// Has the kernel write back every file written so far (`sync`), and waits for it; a
/// machine without the command goes on as it is.
fn flush_writes() {
    let _ = Command::new("sync").status();
}

/// Runs the timed runs of one command.
fn time_runs(
    engine: Engine,
    args: &[OsString],
    mode: Mode,
    runs: usize,
) -> Result<Timing, BenchError> {
    let mut timings = time_in_turn(&[(engine, args.to_vec())], mode, runs)?;
    Ok(timings.remove(0))
}

/// Runs the timed runs of several commands in turn, one run of each a round, so that
/// whatever else the machine does meanwhile (writing back what a load wrote, another
/// job) weighs on each of them alike; one [`Timing`] each, in the order given.
///
/// Commands compared with each other (more than one) first run once each, untimed and
/// in reverse order, and the rounds alternate their order. Otherwise the first command
/// is always timed first: its first run right after whatever ran before (the check
/// runs, which end with the plain scan of the whole API file) and each later run right
/// after the other command's. (Measured at 1M: a rare word's count, timed first after
/// the scan, took 2.93, 2.56, 2.41, 2.32 and 2.27 ms; the peer's, timed second, 2.52,
/// 2.22, 2.15, 2.23 and 2.11.)
fn time_in_turn(
    commands: &[(Engine, Vec<OsString>)],
    mode: Mode,
    runs: usize,
) -> Result<Vec<Timing>, BenchError> {
    let sink = Path::new("/dev/null");
    let once = |(engine, args): &(Engine, Vec<OsString>)| -> Result<f64, BenchError> {
        let ok: &[i32] = if *engine == Engine::Rg { &[0, 1] } else { &[0] };
        let (elapsed, _) = run(args, (mode == Mode::Ndjson).then_some(sink), ok)?;
        Ok(elapsed.as_secs_f64() * 1000.0)
    };
    let compared = commands.len() > 1;
    if compared {
        for command in commands.iter().rev() {
            once(command)?;
        }
    }
    let mut times = vec![Vec::with_capacity(runs); commands.len()];
    for round in 0..runs.max(1) {
        let mut order: Vec<usize> = (0..commands.len()).collect();
        if compared && round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            times[i].push(once(&commands[i])?);
        }
    }
    Ok(commands
        .iter()
        .zip(times)
        .map(|((engine, _), times)| timing_of(*engine, times))
        .collect())
}

fn timing_of(engine: Engine, times: Vec<f64>) -> Timing {
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    Timing {
        engine,
        median_ms: median(&sorted),
        min_ms: sorted[0],
        max_ms: sorted[sorted.len() - 1],
        runs_ms: times,
        cpu_ms: None,
    }
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Compares two NDJSON answers; `None` when they agree.
fn ndjson_difference(ours: &[u8], other: &[u8]) -> Option<String> {
    if ours == other {
        return None;
    }
    let ours: Vec<&[u8]> = ours
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let other: Vec<&[u8]> = other
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let parse = |line: &[u8]| serde_json::from_slice::<serde_json::Value>(line).ok();
    for (index, (a, b)) in ours.iter().zip(&other).enumerate() {
        if parse(a) != parse(b) {
            let show =
                |line: &[u8]| String::from_utf8_lossy(&line[..line.len().min(300)]).into_owned();
            return Some(format!(
                "line {}: ours {} / theirs {}",
                index + 1,
                show(a),
                show(b)
            ));
        }
    }
    (ours.len() != other.len()).then(|| format!("{} lines / {} lines", ours.len(), other.len()))
}

/// Checks that plupper-archive without its index, which counts from the store's content
/// blocks, gives the count the others agreed on.
fn check_without_index(
    class: &QueryClass,
    config: &Config,
    paths: &Paths,
    count: u64,
    problems: &mut Vec<String>,
) -> Result<(), BenchError> {
    let _hidden = HiddenIndex::new(&paths.archive)?;
    let args = engine_command(Engine::OursNoIndex, class, Mode::Count, config, paths);
    let (_, out) = run(&args, None, &[0])?;
    let text = String::from_utf8_lossy(&out).trim().to_owned();
    if text.parse::<u64>().ok() != Some(count) {
        problems.push(format!(
            "{} (count): ours without the index {text:?}, the others {count}",
            class.name
        ));
    }
    Ok(())
}

/// Checks every answer-giving engine on one class and mode; returns the count.
fn check(
    class: &QueryClass,
    mode: Mode,
    config: &Config,
    paths: &Paths,
    slug: &str,
    problems: &mut Vec<String>,
) -> Result<(u64, Vec<Option<f64>>), BenchError> {
    let engines = [Engine::Ours, Engine::Peer, Engine::Scan];
    let mut cpu = Vec::new();
    let count = match mode {
        Mode::Count => {
            let mut counts = Vec::new();
            for engine in engines {
                let args = engine_command(engine, class, mode, config, paths);
                let (out, used) = run_cpu(&args, None, &config.programs, &config.dir)?;
                cpu.push(used);
                let text = String::from_utf8_lossy(&out).trim().to_owned();
                counts.push((engine, text.parse::<u64>().unwrap_or(u64::MAX)));
            }
            if counts.iter().any(|&(_, c)| c != counts[0].1) {
                problems.push(format!("{} (count): {counts:?}", class.name));
            }
            counts[0].1
        }
        Mode::Ndjson => {
            let mut outputs = Vec::new();
            for engine in engines {
                let path = paths
                    .answers
                    .join(format!("{slug}-{engine:?}.ndjson").to_lowercase());
                let args = engine_command(engine, class, mode, config, paths);
                let (_, used) = run_cpu(&args, Some(&path), &config.programs, &config.dir)?;
                cpu.push(used);
                outputs.push((engine, std::fs::read(&path).map_err(BenchError::io(&path))?));
            }
            for (engine, output) in &outputs[1..] {
                if let Some(difference) = ndjson_difference(&outputs[0].1, output) {
                    problems.push(format!(
                        "{} (ndjson), ours vs {engine:?}: {difference}",
                        class.name
                    ));
                }
            }
            outputs[0].1.iter().filter(|&&b| b == b'\n').count() as u64
        }
    };
    Ok((count, cpu))
}

fn ratio(timings: &[Timing], over: Engine) -> f64 {
    let get = |engine| {
        timings
            .iter()
            .find(|t| t.engine == engine)
            .map_or(f64::NAN, |t| t.median_ms)
    };
    get(over) / get(Engine::Ours)
}

fn cpu_ratio(timings: &[Timing]) -> Option<f64> {
    let get = |engine| timings.iter().find(|t| t.engine == engine)?.cpu_ms;
    Some(get(Engine::Peer)? / get(Engine::Ours)?)
}

/// Hides the archive's index while it lives: plupper-archive then answers from the store.
struct HiddenIndex {
    index: PathBuf,
    hidden: PathBuf,
}

impl HiddenIndex {
    fn new(archive: &Path) -> Result<HiddenIndex, BenchError> {
        let index = archive.join("index");
        let hidden = archive.join("index.hidden-by-plupper-compare");
        std::fs::rename(&index, &hidden).map_err(BenchError::io(&index))?;
        Ok(HiddenIndex { index, hidden })
    }
}

impl Drop for HiddenIndex {
    fn drop(&mut self) {
        if let Err(error) = std::fs::rename(&self.hidden, &self.index) {
            eprintln!(
                "warning: cannot put the index back at {}: {error}",
                self.index.display()
            );
        }
    }
}

/// Runs the comparison. `progress` hears what is going on.
pub fn compare(config: &Config, progress: &mut dyn FnMut(&str)) -> Result<Report, BenchError> {
    let paths = Paths::new(&config.dir);
    for dir in [&config.dir, &paths.answers] {
        std::fs::create_dir_all(dir).map_err(BenchError::io(dir))?;
    }
    let load_before = load_average();
    progress(&format!(
        "generating {} messages into {}",
        config.messages,
        paths.corpus.display()
    ));
    let programs = &config.programs;
    let ndjson = programs
        .sqlite3
        .is_some()
        .then_some(paths.corpus_ndjson.as_path());
    let visitor = write_corpus(config.messages, config.seed, &paths.corpus, ndjson)?;

    let time = programs.time.as_deref();
    let import = os(&[
        &programs.ours,
        &"--archive",
        &paths.archive,
        &"import",
        &paths.corpus,
    ]);
    let load = os(&[&programs.peer, &"load", &"--db", &paths.peer, &paths.corpus]);
    let shell = match &programs.sqlite3 {
        Some(sqlite3) => {
            let script = config.dir.join("shell-load.sql");
            let text = crate::shell::load_script(&paths.corpus_ndjson);
            std::fs::write(&script, text).map_err(BenchError::io(&script))?;
            let read = format!(".read {}", script.display());
            Some(os(&[sqlite3, &paths.shell, &read]))
        }
        None => None,
    };
    // Interleaved, so that a machine that speeds up or slows down for a while moves
    // every engine's median alike. Each load starts from nothing; the queries then ask
    // the last ones.
    let load_runs = config.load_runs.max(1);
    let (mut ours_runs, mut peer_runs, mut shell_runs) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=load_runs {
        let of = |what: &str| format!("{what} (load {round} of {load_runs})");
        progress(&of("importing and indexing with plupper-archive"));
        if paths.archive.exists() {
            std::fs::remove_dir_all(&paths.archive).map_err(BenchError::io(&paths.archive))?;
        }
        ours_runs.push(measure(&import, time, &config.dir)?);
        progress(&of("loading the SQLite FTS5 peer"));
        peer_runs.push(measure(&load, time, &config.dir)?);
        if let Some(shell) = &shell {
            progress(&of("loading the sqlite3 shell pipeline"));
            for stale in [&paths.shell, &paths.shell.with_extension("sqlite3-journal")] {
                if stale.exists() {
                    std::fs::remove_file(stale).map_err(BenchError::io(stale))?;
                }
            }
            shell_runs.push(measure(shell, time, &config.dir)?);
        }
    }
    // What the loads wrote (some 700 MB at 1M) is written back now, not while the
    // queries are timed.
    flush_writes();
    let ours_import = ProcessCost::over(&ours_runs);
    let peer_load = ProcessCost::over(&peer_runs);
    let shell_load = shell.is_some().then(|| ProcessCost::over(&shell_runs));
    let floor = if config.timing_only_engines {
        progress("timing the whole-process floor (--version)");
        time_in_turn(
            &[
                (Engine::Ours, os(&[&programs.ours, &"--version"])),
                (Engine::Peer, os(&[&programs.peer, &"--version"])),
            ],
            Mode::Count,
            config.runs,
        )?
    } else {
        Vec::new()
    };
    let mut shell_differences = Vec::new();

    let mut problems = Vec::new();
    let mut results = Vec::new();
    for (number, class) in classes(visitor).into_iter().enumerate() {
        progress(&format!(
            "query class {}: {} ({})",
            number + 1,
            class.name,
            class.query_string()
        ));
        let slug = format!("class{:02}", number + 1);
        let mut modes = Vec::new();
        let mut matches = 0;
        let mut shell_count = None;
        for mode in [Mode::Count, Mode::Ndjson] {
            let (count, cpu) = check(&class, mode, config, &paths, &slug, &mut problems)?;
            matches = count;
            if mode == Mode::Count && class.contains_only().is_some() {
                check_without_index(&class, config, &paths, count, &mut problems)?;
            }
            // Ours and the peer in turn; the scan, which takes far longer, after them.
            let command = |engine| (engine, engine_command(engine, &class, mode, config, &paths));
            let mut timings = time_in_turn(
                &[command(Engine::Ours), command(Engine::Peer)],
                mode,
                config.runs,
            )?;
            let (engine, args) = command(Engine::Scan);
            timings.push(time_runs(engine, &args, mode, config.runs)?);
            for (timing, cpu_ms) in timings.iter_mut().zip(cpu) {
                timing.cpu_ms = cpu_ms;
            }
            if config.timing_only_engines && mode == Mode::Count && class.contains_only().is_some()
            {
                if programs.rg.is_some() {
                    timings.push(time_runs(
                        Engine::Rg,
                        &engine_command(Engine::Rg, &class, mode, config, &paths),
                        mode,
                        config.runs,
                    )?);
                }
                let _hidden = HiddenIndex::new(&paths.archive)?;
                let args = engine_command(Engine::OursNoIndex, &class, mode, config, &paths);
                timings.push(time_runs(Engine::OursNoIndex, &args, mode, config.runs)?);
            }
            if mode == Mode::Count
                && programs.sqlite3.is_some()
                && crate::shell::count_sql(&class).is_some()
            {
                let args = engine_command(Engine::Shell, &class, mode, config, &paths);
                let (_, out) = run(&args, None, &[0])?;
                let text = String::from_utf8_lossy(&out).trim().to_owned();
                let counted = text.parse::<u64>().ok();
                if counted != Some(count) {
                    shell_differences.push(format!(
                        "{}: the sqlite3 shell counts {text:?}, the others {count}",
                        class.name
                    ));
                }
                shell_count = counted;
                if config.timing_only_engines {
                    timings.push(time_runs(Engine::Shell, &args, mode, config.runs)?);
                }
            }
            modes.push(ModeResult {
                mode,
                peer_over_ours: ratio(&timings, Engine::Peer),
                peer_over_ours_cpu: cpu_ratio(&timings),
                scan_over_ours: ratio(&timings, Engine::Scan),
                timings,
            });
        }
        results.push(ClassResult {
            share: matches as f64 / config.messages.max(1) as f64,
            matches,
            class,
            modes,
            shell_count,
        });
    }
    let store = paths.archive.join(plupper_store_file());
    let disk = DiskUse {
        raw_json: file_size(&paths.corpus),
        ours_store: file_size(&store) + file_size(&store.with_extension("sqlite3-wal")),
        ours_index: dir_size(&paths.archive.join("index")),
        peer: file_size(&paths.peer),
        shell: shell_load.as_ref().map(|_| file_size(&paths.shell)),
    };
    Ok(Report {
        messages: config.messages,
        seed: config.seed,
        runs: config.runs,
        load_runs,
        load_before,
        load_after: load_average(),
        ours_import,
        peer_load,
        shell_load,
        floor,
        disk,
        classes: results,
        agree: problems.is_empty(),
        disagreements: problems,
        shell_differences,
    })
}

/// The archive's database file name (plupper_store::DATABASE_FILE; not a dependency of
/// this library, which talks to plupper-archive only through its binary).
fn plupper_store_file() -> &'static str {
    "archive.sqlite3"
}

/// The most matches a query may have to count as one that "returns a few rows".
const FEW_ROWS: u64 = 100;

/// The targets of issues 7 and 14, as measured by one report.
#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    /// Our import + index wall time over the peer's load + index (target ≤ 0.5).
    pub import_over_peer_load: f64,
    /// Our import + index wall time over the `sqlite3` shell pipeline's (target ≤ 1).
    pub import_over_shell_load: Option<f64>,
    /// Per class and mode, ours over our `--version` floor, ms (a query returning a few
    /// rows: target ≤ 0.5 ms).
    pub above_floor_ms: Vec<(String, f64)>,
    /// Median over the classes of peer / ours, count mode (target ≥ 3).
    pub median_peer_over_ours_count: f64,
    /// Median over the classes of peer / ours, NDJSON mode (target ≥ 3).
    pub median_peer_over_ours_ndjson: f64,
    /// The same two medians of the CPU-time ratios (count, NDJSON).
    pub median_peer_over_ours_cpu: (f64, f64),
    /// Class and mode where the peer was faster than us (target: none).
    pub slower_than_peer: Vec<String>,
    /// Class and mode where the plain scan was faster than us (target: none).
    pub slower_than_scan: Vec<String>,
    /// Archive (store + index) over the raw API JSON (target ≤ 1.5).
    pub archive_over_raw: f64,
    /// Peer database over the raw API JSON.
    pub peer_over_raw: f64,
    /// Per `contains`-only class: plupper-archive without index over `rg -c -i -F`
    /// (target ≤ 2).
    pub no_index_over_rg: Vec<(String, f64)>,
}

/// Where the run stands against the targets.
pub fn standing(report: &Report) -> Standing {
    let by_mode = |mode: Mode| {
        let mut ratios: Vec<f64> = report
            .classes
            .iter()
            .flat_map(|c| {
                c.modes
                    .iter()
                    .filter(|m| m.mode == mode)
                    .map(|m| m.peer_over_ours)
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        if ratios.is_empty() {
            f64::NAN
        } else {
            median(&ratios)
        }
    };
    let (count, ndjson) = (by_mode(Mode::Count), by_mode(Mode::Ndjson));
    let by_mode_cpu = |mode: Mode| {
        let mut ratios: Vec<f64> = report
            .classes
            .iter()
            .flat_map(|c| c.modes.iter().filter(|m| m.mode == mode))
            .filter_map(|m| m.peer_over_ours_cpu)
            .collect();
        ratios.sort_by(f64::total_cmp);
        if ratios.is_empty() {
            f64::NAN
        } else {
            median(&ratios)
        }
    };
    let slower = |pick: fn(&ModeResult) -> f64| -> Vec<String> {
        report
            .classes
            .iter()
            .flat_map(|c| {
                c.modes
                    .iter()
                    .filter(move |m| pick(m) < 1.0)
                    .map(move |m| format!("{} ({:?}): {:.2}", c.class.name, m.mode, pick(m)))
            })
            .collect()
    };
    let median_of = |timings: &[Timing], engine: Engine| {
        timings
            .iter()
            .find(|t| t.engine == engine)
            .map(|t| t.median_ms)
    };
    let no_index_over_rg = report
        .classes
        .iter()
        .filter_map(|c| {
            let timings = &c.modes.iter().find(|m| m.mode == Mode::Count)?.timings;
            Some((
                c.class.name.clone(),
                median_of(timings, Engine::OursNoIndex)? / median_of(timings, Engine::Rg)?,
            ))
        })
        .collect();
    let disk = &report.disk;
    let floor = median_of(&report.floor, Engine::Ours);
    let above_floor_ms = report
        .classes
        .iter()
        .filter(|c| c.matches <= FEW_ROWS)
        .flat_map(|c| {
            c.modes.iter().filter_map(move |m| {
                let ours = median_of(&m.timings, Engine::Ours)?;
                Some((format!("{} ({:?})", c.class.name, m.mode), ours - floor?))
            })
        })
        .collect();
    Standing {
        import_over_peer_load: report.ours_import.wall_seconds / report.peer_load.wall_seconds,
        import_over_shell_load: report
            .shell_load
            .as_ref()
            .map(|shell| report.ours_import.wall_seconds / shell.wall_seconds),
        above_floor_ms,
        median_peer_over_ours_count: count,
        median_peer_over_ours_ndjson: ndjson,
        median_peer_over_ours_cpu: (by_mode_cpu(Mode::Count), by_mode_cpu(Mode::Ndjson)),
        slower_than_peer: slower(|m| m.peer_over_ours),
        slower_than_scan: slower(|m| m.scan_over_ours),
        archive_over_raw: (disk.ours_store + disk.ours_index) as f64 / disk.raw_json as f64,
        peer_over_raw: disk.peer as f64 / disk.raw_json as f64,
        no_index_over_rg,
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn cell(timings: &[Timing], engine: Engine) -> String {
    timings
        .iter()
        .find(|t| t.engine == engine)
        .map_or("-".into(), |t| {
            format!("{:.1} ({:.0}–{:.0})", t.median_ms, t.min_ms, t.max_ms)
        })
}

fn cpu_cells(timings: &[Timing]) -> String {
    [Engine::Ours, Engine::Peer, Engine::Scan]
        .map(|engine| {
            timings
                .iter()
                .find(|t| t.engine == engine)
                .and_then(|t| t.cpu_ms)
                .map_or("-".into(), |ms| format!("{ms:.0}"))
        })
        .join(" / ")
}

/// The report as a table for people (Markdown).
pub fn render(report: &Report) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let standing = standing(report);
    let _ = writeln!(
        out,
        "plupper-compare: {} messages (seed {}), {} timed runs each, {} timed loads each; load average before: {}, after: {}\n",
        report.messages,
        report.seed,
        report.runs,
        report.load_runs,
        report.load_before,
        report.load_after
    );
    let _ = writeln!(
        out,
        "Wall time per query as a whole process, ms: median (min–max); ratio = peer / ours. CPU: user + system time of the run that checked the answer.\n"
    );
    let _ = writeln!(
        out,
        "| class | matches | mode | plupper-archive | SQLite FTS5 peer | ratio | sqlite3 shell | plain scan | rg -c -i -F | ours, no index | CPU ms: ours / peer / scan | CPU ratio |"
    );
    let _ = writeln!(
        out,
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for class in &report.classes {
        for mode in &class.modes {
            let _ = writeln!(
                out,
                "| {} | {} ({:.3}%) | {:?} | {} | {} | {:.1}× | {} | {} | {} | {} | {} | {} |",
                class.class.name,
                class.matches,
                class.share * 100.0,
                mode.mode,
                cell(&mode.timings, Engine::Ours),
                cell(&mode.timings, Engine::Peer),
                mode.peer_over_ours,
                cell(&mode.timings, Engine::Shell),
                cell(&mode.timings, Engine::Scan),
                cell(&mode.timings, Engine::Rg),
                cell(&mode.timings, Engine::OursNoIndex),
                cpu_cells(&mode.timings),
                mode.peer_over_ours_cpu
                    .map_or("-".into(), |r| format!("{r:.1}×")),
            );
        }
    }
    let rss = |cost: &ProcessCost| {
        cost.peak_rss_mib
            .map_or("-".into(), |m| format!("{m:.0} MiB"))
    };
    // The median, and each run when there were several.
    let wall = |cost: &ProcessCost| match cost.runs_seconds.as_slice() {
        [_, _, ..] => format!(
            "{:.1} s ({})",
            cost.wall_seconds,
            cost.runs_seconds
                .iter()
                .map(|s| format!("{s:.1}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => format!("{:.1} s", cost.wall_seconds),
    };
    let disk = &report.disk;
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_owned()
        } else {
            items.join("; ")
        }
    };
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| | wall (median; each run) | peak RSS (highest) | on disk | × raw JSON ({:.0} MiB) |",
        mib(disk.raw_json)
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|");
    let _ = writeln!(
        out,
        "| plupper-archive import + index | {} | {} | {:.0} MiB (store {:.0} + index {:.0}) | {:.2} |",
        wall(&report.ours_import),
        rss(&report.ours_import),
        mib(disk.ours_store + disk.ours_index),
        mib(disk.ours_store),
        mib(disk.ours_index),
        standing.archive_over_raw
    );
    let _ = writeln!(
        out,
        "| SQLite load + B-tree + FTS5 trigram | {} | {} | {:.0} MiB | {:.2} |",
        wall(&report.peer_load),
        rss(&report.peer_load),
        mib(disk.peer),
        standing.peer_over_raw
    );
    if let (Some(shell), Some(bytes)) = (&report.shell_load, disk.shell) {
        let _ = writeln!(
            out,
            "| sqlite3 shell: .import NDJSON + FTS5 trigram | {} | {} | {:.0} MiB | {:.2} |",
            wall(shell),
            rss(shell),
            mib(bytes),
            bytes as f64 / disk.raw_json as f64
        );
    }
    let _ = writeln!(out);
    if !report.floor.is_empty() {
        let _ = writeln!(
            out,
            "whole-process floor (--version): plupper-archive {}, plupper-peer {} ms",
            cell(&report.floor, Engine::Ours),
            cell(&report.floor, Engine::Peer)
        );
        let items: Vec<String> = standing
            .above_floor_ms
            .iter()
            .map(|(name, ms)| format!("{name} {ms:.1}"))
            .collect();
        let _ = writeln!(
            out,
            "queries of at most {FEW_ROWS} rows, ms above that floor (target ≤ 0.5): {}",
            list(&items)
        );
    }
    let _ = writeln!(
        out,
        "import + index / peer load: {:.2} (target ≤ 0.5)",
        standing.import_over_peer_load
    );
    if let Some(ratio) = standing.import_over_shell_load {
        let _ = writeln!(
            out,
            "import + index / sqlite3 shell pipeline: {ratio:.2} (target ≤ 1.0)"
        );
    }
    let _ = writeln!(
        out,
        "median over classes of peer / ours: count {:.1}×, ndjson {:.1}× (target ≥ 3)",
        standing.median_peer_over_ours_count, standing.median_peer_over_ours_ndjson
    );
    let _ = writeln!(
        out,
        "the same by CPU time: count {:.1}×, ndjson {:.1}×",
        standing.median_peer_over_ours_cpu.0, standing.median_peer_over_ours_cpu.1
    );
    let _ = writeln!(
        out,
        "slower than the peer (target: none): {}",
        list(&standing.slower_than_peer)
    );
    let _ = writeln!(
        out,
        "slower than the plain scan (target: none): {}",
        list(&standing.slower_than_scan)
    );
    if !standing.no_index_over_rg.is_empty() {
        let items: Vec<String> = standing
            .no_index_over_rg
            .iter()
            .map(|(name, r)| format!("{name} {r:.2}"))
            .collect();
        let _ = writeln!(
            out,
            "without the index, ours / rg (target ≤ 2): {}",
            items.join("; ")
        );
    }
    if !report.shell_differences.is_empty() {
        let _ = writeln!(
            out,
            "the sqlite3 shell counted otherwise (its folding is not the contract's): {}",
            report.shell_differences.join("; ")
        );
    }
    let _ = writeln!(
        out,
        "answers: {}",
        if report.agree {
            "every engine agrees".to_owned()
        } else {
            format!("DISAGREE: {}", report.disagreements.join("; "))
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seconds: f64, rss: Option<f64>) -> ProcessCost {
        ProcessCost {
            wall_seconds: seconds,
            peak_rss_mib: rss,
            runs_seconds: vec![seconds],
        }
    }

    #[test]
    fn loads_compare_by_their_median_and_highest_peak() {
        let odd =
            ProcessCost::over(&[run(9.0, Some(100.0)), run(7.0, None), run(8.0, Some(120.0))]);
        assert_eq!(odd.wall_seconds, 8.0);
        assert_eq!(odd.peak_rss_mib, Some(120.0));
        assert_eq!(odd.runs_seconds, [9.0, 7.0, 8.0]);
        let even = ProcessCost::over(&[run(6.0, None), run(9.0, None)]);
        assert_eq!(even.wall_seconds, 7.5);
        assert_eq!(even.peak_rss_mib, None);
        assert_eq!(ProcessCost::over(&[run(3.0, None)]).wall_seconds, 3.0);
    }
}
