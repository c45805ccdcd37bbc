//! The load benchmark of `serve` (binary `plupper-load`): the comparison's query classes
//! ([`crate::compare::classes`]) asked of a running `plupper-archive serve` over
//! keep-alive connections on 127.0.0.1, with HTTP Basic auth, by a number of client
//! threads, each class for a bounded time and number of requests, then the auditors'
//! pages ([`page_classes`]) the same way. Reports per class the throughput and the p50/p99
//! latency of whole answers (read to their end), the server's peak RSS, and, for the API's
//! classes, the same queries as whole processes: `plupper-archive query --format api` and
//! the SQLite FTS5 peer (`plupper-peer query`, NDJSON); a page has no process to compare
//! with. One more run asks the selective class while one client reads the largest answer
//! slowly. Last, the selective classes ([`SELECTIVE`]) are asked at a fixed rate
//! ([`LoadConfig::rate`], spread evenly over the connections), each latency counted from
//! the moment its request was due, so that a late answer also delays the requests queued
//! behind it in the figures (no coordinated omission): the latency a client sees when
//! the server is asked that many answers a second, rather than as many as it can give.
//!
//! The clients speak HTTP/1.1 by hand (a request line, `Content-Length` or chunked
//! answers), so that the client's own cost stays small and visible.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::BenchError;
use crate::compare::{QueryClass, classes, load_average, write_corpus};

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// `plupper-archive`.
    pub ours: PathBuf,
    /// `plupper-peer`.
    pub peer: PathBuf,
    /// Working directory: the corpus, the archive and the peer's database are made there
    /// when missing, and kept.
    pub dir: PathBuf,
    /// Messages in the corpus.
    pub messages: u64,
    /// The corpus generator's seed.
    pub seed: u64,
    /// Client connections at once.
    pub connections: usize,
    /// How long each class is asked, at most.
    pub seconds: f64,
    /// How many requests each class gets, at most.
    pub max_requests: u64,
    /// Whole-process runs per class and engine.
    pub process_runs: usize,
    /// Requests per second, all connections together, at which the selective classes are
    /// asked last; 0: not asked.
    pub rate: f64,
}

/// The classes asked at [`LoadConfig::rate`]: those that return a few messages.
pub const SELECTIVE: [&str; 3] = ["rare word", "visitorId exact", "page: rare word"];

/// The API's path; its classes are also run as whole processes.
const API_PATH: &str = "/resources/message";

/// A class as the benchmark asks it: the path it is requested at and its parameters.
#[derive(Debug, Clone)]
pub struct LoadClass {
    /// The request's path: the API's (`/resources/message`) or a page's.
    pub path: &'static str,
    /// The name and the parameters (the query string).
    pub class: QueryClass,
}

impl LoadClass {
    /// The request target: the path, and `?` and the query string when there is one.
    pub fn target(&self) -> String {
        request_target(self.path, &self.class.query_string())
    }

    /// Whether `plupper-archive query` and the peer answer it too (the API's classes).
    fn has_processes(&self) -> bool {
        self.path == API_PATH
    }
}

/// `path`, and `?` and `query` when it is not empty.
fn request_target(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// The auditors' pages asked under load (issue #16): a ranked first page for a rare word,
/// a frequent word (`you`, about 13 % of messages) and `you OR i` (about 24 %, standing
/// in for a 20 % word, which the corpus's vocabulary lacks), and the statistics page of
/// one month (the whole archive's reads every message and conversation: about 5 s at
/// 1M, a figure for one request rather than for a load).
pub fn page_classes() -> Vec<LoadClass> {
    let page = |path, name, params: &[(&str, &str)]| LoadClass {
        path,
        class: QueryClass::new(name, params),
    };
    vec![
        page("/search", "page: rare word", &[("q", "quokka")]),
        page("/search", "page: ~13% word", &[("q", "you")]),
        page("/search", "page: ~24% (you OR i)", &[("q", "you OR i")]),
        page(
            "/stats",
            "page: stats of a month",
            &[("from", "2010-03-01"), ("to", "2010-03-31")],
        ),
    ]
}

/// One class under load.
#[derive(Debug, Clone, Serialize)]
pub struct ClassLoad {
    /// The class's name.
    pub class: String,
    /// The request's path.
    pub path: String,
    /// Its query string.
    pub query: String,
    /// Bytes of its answer.
    pub bytes: u64,
    /// Requests answered.
    pub requests: u64,
    /// Requests answered per second, all connections together.
    pub per_second: f64,
    /// Median latency of a whole answer, ms.
    pub p50_ms: f64,
    /// 99th-percentile latency, ms.
    pub p99_ms: f64,
    /// Median wall time of `plupper-archive query --format api` as a process, ms; none
    /// for a page.
    pub cli_ms: Option<f64>,
    /// Median wall time of `plupper-peer query` as a process, ms; none for a page.
    pub peer_ms: Option<f64>,
}

/// The report.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// Messages in the archive.
    pub messages: u64,
    /// Client connections.
    pub connections: usize,
    /// `/proc/loadavg` before and after.
    pub load_before: String,
    /// `/proc/loadavg` after.
    pub load_after: String,
    /// Per class.
    pub classes: Vec<ClassLoad>,
    /// The selective class again, while one client reads the largest answer slowly.
    pub beside_slow_reader: Option<ClassLoad>,
    /// The selective classes at a fixed rate.
    pub paced: Vec<PacedLoad>,
    /// The server's peak resident set, KiB (`VmHWM`).
    pub server_peak_rss_kib: u64,
}

/// One class asked at a fixed rate.
#[derive(Debug, Clone, Serialize)]
pub struct PacedLoad {
    /// The class's name.
    pub class: String,
    /// The request target.
    pub target: String,
    /// Requests per second asked, all connections together.
    pub rate: f64,
    /// Requests answered.
    pub requests: u64,
    /// Requests answered per second.
    pub per_second: f64,
    /// Median latency from the moment a request was due to the end of its answer, ms.
    pub p50_ms: f64,
    /// 99th percentile of the same, ms.
    pub p99_ms: f64,
    /// The largest, ms.
    pub max_ms: f64,
}

const USER: &str = "bench";
const PASSWORD: &str = "bench-password";

fn failed(command: &str, reason: impl std::fmt::Display) -> BenchError {
    BenchError::Command {
        command: command.to_owned(),
        reason: reason.to_string(),
    }
}

fn run_quiet(mut command: Command, what: &str) -> Result<(), BenchError> {
    let output = command.output().map_err(|e| failed(what, e))?;
    if !output.status.success() {
        return Err(failed(what, String::from_utf8_lossy(&output.stderr)));
    }
    Ok(())
}

/// The archive and the peer's database in `dir`, made when missing; the visitorId
/// class's value.
fn prepare(config: &LoadConfig) -> Result<i64, BenchError> {
    std::fs::create_dir_all(&config.dir).map_err(BenchError::io(&config.dir))?;
    let corpus = config.dir.join("corpus.json");
    let archive = config.dir.join("archive");
    let peer = config.dir.join("peer.sqlite3");
    eprintln!("generating {} messages", config.messages);
    let visitor = write_corpus(config.messages, config.seed, &corpus, None)?;
    if !archive.join("archive.sqlite3").is_file() {
        eprintln!("importing into {}", archive.display());
        let mut import = Command::new(&config.ours);
        import
            .arg("--archive")
            .arg(&archive)
            .arg("import")
            .arg(&corpus);
        run_quiet(import, "plupper-archive import")?;
    }
    if !peer.is_file() {
        eprintln!("loading the peer");
        let mut load = Command::new(&config.peer);
        load.arg("load").arg("--db").arg(&peer).arg(&corpus);
        run_quiet(load, "plupper-peer load")?;
    }
    let mut add = Command::new(&config.ours);
    add.arg("--archive")
        .arg(&archive)
        .args(["user", "add", USER, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = add.spawn().map_err(|e| failed("user add", e))?;
    if let Some(mut stdin) = child.stdin.take() {
        writeln!(stdin, "{PASSWORD}").map_err(|e| failed("user add", e))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| failed("user add", e))?;
    if !output.status.success() {
        return Err(failed("user add", String::from_utf8_lossy(&output.stderr)));
    }
    Ok(visitor)
}

/// A running server; killed when dropped.
struct Served {
    child: Child,
    address: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(config: &LoadConfig) -> Result<Served, BenchError> {
    let mut child = Command::new(&config.ours)
        .arg("--archive")
        .arg(config.dir.join("archive"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed("serve", e))?;
    let stderr = child
        .stderr
        .take()
        .ok_or_else(|| failed("serve", "no stderr"))?;
    let mut lines = BufReader::new(stderr).lines();
    let address = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(address) = line.strip_prefix("listening on http://") {
                    break address.to_owned();
                }
            }
            _ => return Err(failed("serve", "ended before its `listening on` line")),
        }
    };
    // Keep draining stderr so that the server never blocks on it.
    std::thread::spawn(move || for _ in lines {});
    Ok(Served { child, address })
}

fn authorization() -> String {
    use base64::Engine;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    format!("Basic {token}")
}

/// One keep-alive connection.
struct Client {
    reader: BufReader<TcpStream>,
    request_head: String,
}

impl Client {
    /// A connection asking `target` (a path and query string).
    fn connect(address: &str, target: &str) -> std::io::Result<Client> {
        let stream = TcpStream::connect(address)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(120)))?;
        let request_head = format!(
            "GET {target} HTTP/1.1\r\nhost: {address}\r\nauthorization: {}\r\n\r\n",
            authorization()
        );
        Ok(Client {
            reader: BufReader::with_capacity(256 * 1024, stream),
            request_head,
        })
    }

    /// Sends the request and reads the whole answer; its status and body length. With
    /// `pace`, reads at most 64 KiB per `pace`.
    fn ask(&mut self, pace: Option<Duration>) -> std::io::Result<(u16, u64)> {
        self.reader
            .get_mut()
            .write_all(self.request_head.as_bytes())?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut length = None;
        let mut chunked = false;
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let lower = header.to_ascii_lowercase();
            if let Some(value) = lower.strip_prefix("content-length:") {
                length = value.trim().parse::<u64>().ok();
            }
            if lower == "transfer-encoding: chunked" {
                chunked = true;
            }
        }
        let mut body = 0;
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line)?;
                let size =
                    u64::from_str_radix(line.trim_end(), 16).map_err(std::io::Error::other)?;
                if size == 0 {
                    line.clear();
                    self.reader.read_line(&mut line)?;
                    break;
                }
                body += self.skip(size + 2, pace)? - 2;
            }
        } else if let Some(length) = length {
            body = self.skip(length, pace)?;
        }
        Ok((status, body))
    }

    fn skip(&mut self, mut n: u64, pace: Option<Duration>) -> std::io::Result<u64> {
        let total = n;
        let mut buffer = vec![0; 64 * 1024];
        while n > 0 {
            let want = buffer.len().min(usize::try_from(n).unwrap_or(usize::MAX));
            let got = self.reader.read(&mut buffer[..want])?;
            if got == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            n -= got as u64;
            if let Some(pace) = pace {
                std::thread::sleep(pace);
            }
        }
        Ok(total)
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Asks `target` on `connections` connections until `seconds` or `max_requests`; the
/// latencies (ms, sorted), the requests per second, the answer's size.
fn hammer(
    address: &str,
    target: &str,
    connections: usize,
    seconds: f64,
    max_requests: u64,
) -> Result<(Vec<f64>, f64, u64), BenchError> {
    let issued = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let address = address.to_owned();
            let target = target.to_owned();
            let issued = Arc::clone(&issued);
            let bytes = Arc::clone(&bytes);
            std::thread::spawn(move || -> std::io::Result<Vec<f64>> {
                let mut client = Client::connect(&address, &target)?;
                let mut latencies = Vec::new();
                while Instant::now() < deadline
                    && issued.fetch_add(1, Ordering::Relaxed) < max_requests
                {
                    let asked = Instant::now();
                    let (status, length) = client.ask(None)?;
                    if status != 200 {
                        return Err(std::io::Error::other(format!("status {status}")));
                    }
                    latencies.push(asked.elapsed().as_secs_f64() * 1000.0);
                    bytes.store(length, Ordering::Relaxed);
                }
                Ok(latencies)
            })
        })
        .collect();
    let (latencies, per_second) = gather(workers, started)?;
    Ok((latencies, per_second, bytes.load(Ordering::Relaxed)))
}

/// The client threads' latencies (ms, sorted) and the requests answered per second since
/// `started`.
fn gather(
    workers: Vec<std::thread::JoinHandle<std::io::Result<Vec<f64>>>>,
    started: Instant,
) -> Result<(Vec<f64>, f64), BenchError> {
    let mut latencies = Vec::new();
    for worker in workers {
        let done = worker
            .join()
            .map_err(|_| failed("load client", "a client thread panicked"))?
            .map_err(|e| failed("load client", e))?;
        latencies.extend(done);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let per_second = latencies.len() as f64 / elapsed;
    Ok((latencies, per_second))
}

/// When the `k`-th request of connection `connection` (of `connections`) is due, from the
/// start, at `rate` requests per second in all: each connection every `connections / rate`
/// seconds, the connections' turns spread evenly between.
fn due(connection: usize, connections: usize, k: u64, rate: f64) -> Duration {
    let interval = connections as f64 / rate;
    Duration::from_secs_f64((k as f64 + connection as f64 / connections as f64) * interval)
}

/// Asks `target` at `rate` requests per second on `connections` connections, for
/// `seconds` or `max_requests`; the latencies (ms, sorted) counted from when each request
/// was due, and the requests answered per second.
fn paced(
    address: &str,
    target: &str,
    connections: usize,
    rate: f64,
    seconds: f64,
    max_requests: u64,
) -> Result<(Vec<f64>, f64), BenchError> {
    let issued = Arc::new(AtomicU64::new(0));
    let span = Duration::from_secs_f64(seconds);
    let clients = (0..connections)
        .map(|_| Client::connect(address, target))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| failed("load client", e))?;
    let started = Instant::now();
    let workers: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(connection, mut client)| {
            let issued = Arc::clone(&issued);
            std::thread::spawn(move || -> std::io::Result<Vec<f64>> {
                let mut latencies = Vec::new();
                for k in 0.. {
                    let at = due(connection, connections, k, rate);
                    if at >= span || issued.fetch_add(1, Ordering::Relaxed) >= max_requests {
                        break;
                    }
                    let at = started + at;
                    if let Some(wait) = at.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let (status, _) = client.ask(None)?;
                    if status != 200 {
                        return Err(std::io::Error::other(format!("status {status}")));
                    }
                    latencies.push(at.elapsed().as_secs_f64() * 1000.0);
                }
                Ok(latencies)
            })
        })
        .collect();
    gather(workers, started)
}

/// The median wall time (ms) of `runs` runs of a process, its output thrown away.
fn process_ms(program: &Path, args: &[&std::ffi::OsStr], runs: usize) -> Result<f64, BenchError> {
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let status = Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| failed(&program.display().to_string(), e))?;
        if !status.success() {
            return Err(failed(&program.display().to_string(), status));
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(percentile(&times, 0.5))
}

fn class_load(
    config: &LoadConfig,
    address: &str,
    asked: &LoadClass,
) -> Result<ClassLoad, BenchError> {
    let target = asked.target();
    // One request first: its answer's size, and the check that it is answered.
    let (status, _) = Client::connect(address, &target)
        .and_then(|mut client| client.ask(None))
        .map_err(|e| failed("load client", e))?;
    if status != 200 {
        return Err(failed("load client", format!("{target}: status {status}")));
    }
    let (latencies, per_second, bytes) = hammer(
        address,
        &target,
        config.connections,
        config.seconds,
        config.max_requests,
    )?;
    let query = asked.class.query_string();
    let (cli_ms, peer_ms) = if asked.has_processes() {
        let (cli, peer) = processes_ms(config, &query)?;
        (Some(cli), Some(peer))
    } else {
        (None, None)
    };
    Ok(ClassLoad {
        class: asked.class.name.clone(),
        path: asked.path.to_owned(),
        query,
        bytes,
        requests: latencies.len() as u64,
        per_second,
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
        cli_ms,
        peer_ms,
    })
}

/// The median wall times (ms) of `plupper-archive query --format api` and of
/// `plupper-peer query` for the API query string `query`.
fn processes_ms(config: &LoadConfig, query: &str) -> Result<(f64, f64), BenchError> {
    let archive = config.dir.join("archive");
    let cli_ms = process_ms(
        &config.ours,
        &[
            "--archive".as_ref(),
            archive.as_os_str(),
            "query".as_ref(),
            "--params".as_ref(),
            query.as_ref(),
            "--format".as_ref(),
            "api".as_ref(),
        ],
        config.process_runs,
    )?;
    let peer_db = config.dir.join("peer.sqlite3");
    let peer_ms = process_ms(
        &config.peer,
        &[
            "query".as_ref(),
            "--db".as_ref(),
            peer_db.as_os_str(),
            "--params".as_ref(),
            query.as_ref(),
        ],
        config.process_runs,
    )?;
    Ok((cli_ms, peer_ms))
}

fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("VmHWM:")
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

/// Runs the benchmark.
pub fn run(config: &LoadConfig) -> Result<LoadReport, BenchError> {
    let visitor = prepare(config)?;
    let load_before = load_average();
    let served = serve(config)?;
    let mut results = Vec::new();
    let all = classes(visitor);
    let api = all.iter().map(|class| LoadClass {
        path: API_PATH,
        class: class.clone(),
    });
    for asked in api.chain(page_classes()) {
        eprintln!("class {}", asked.class.name);
        results.push(class_load(config, &served.address, &asked)?);
    }
    // The selective class beside a client reading the largest answer at 64 KiB per 10 ms.
    let largest = results
        .iter()
        .max_by_key(|r| r.bytes)
        .map(|r| request_target(&r.path, &r.query))
        .unwrap_or_default();
    let stop = Arc::new(AtomicBool::new(false));
    let slow = {
        let address = served.address.clone();
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            if let Ok(mut client) = Client::connect(&address, &largest) {
                while !stop.load(Ordering::Relaxed) {
                    if client.ask(Some(Duration::from_millis(10))).is_err() {
                        break;
                    }
                }
            }
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    let beside = all
        .iter()
        .find(|c| c.name == "visitorId exact")
        .map(|class| {
            let asked = LoadClass {
                path: API_PATH,
                class: class.clone(),
            };
            let (latencies, per_second, bytes) = hammer(
                &served.address,
                &asked.target(),
                config.connections,
                config.seconds,
                config.max_requests,
            )?;
            Ok::<_, BenchError>(ClassLoad {
                class: format!("{} (beside a slow reader)", class.name),
                path: API_PATH.to_owned(),
                query: class.query_string(),
                bytes,
                requests: latencies.len() as u64,
                per_second,
                p50_ms: percentile(&latencies, 0.5),
                p99_ms: percentile(&latencies, 0.99),
                cli_ms: None,
                peer_ms: None,
            })
        })
        .transpose()?;
    stop.store(true, Ordering::Relaxed);
    let _ = slow.join();
    let mut paced_loads = Vec::new();
    if config.rate > 0.0 {
        let selective = all
            .iter()
            .map(|class| LoadClass {
                path: API_PATH,
                class: class.clone(),
            })
            .chain(page_classes())
            .filter(|asked| SELECTIVE.contains(&asked.class.name.as_str()));
        for asked in selective {
            eprintln!("class {} at {} requests/s", asked.class.name, config.rate);
            let target = asked.target();
            let (latencies, per_second) = paced(
                &served.address,
                &target,
                config.connections,
                config.rate,
                config.seconds,
                config.max_requests,
            )?;
            paced_loads.push(PacedLoad {
                class: asked.class.name.clone(),
                target,
                rate: config.rate,
                requests: latencies.len() as u64,
                per_second,
                p50_ms: percentile(&latencies, 0.5),
                p99_ms: percentile(&latencies, 0.99),
                max_ms: latencies.last().copied().unwrap_or(0.0),
            });
        }
    }
    let server_peak_rss_kib = peak_rss_kib(served.child.id());
    drop(served);
    Ok(LoadReport {
        messages: config.messages,
        connections: config.connections,
        load_before,
        load_after: load_average(),
        classes: results,
        beside_slow_reader: beside,
        paced: paced_loads,
        server_peak_rss_kib,
    })
}

/// The report as a Markdown table. "ms / request" is the wall time per answer with all
/// connections at work (1000 / req/s); the ratios say how many answers the server gives
/// in the time one process takes for one.
pub fn markdown(report: &LoadReport) -> String {
    let mut text = format!(
        "{} messages, {} connections, load average before `{}`, after `{}`; server peak RSS {:.0} MiB\n\n\
         | class | answer | requests | req/s | p50 ms | p99 ms | ms / request | CLI process ms | peer process ms | CLI ÷ server | peer ÷ server |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        report.messages,
        report.connections,
        report.load_before,
        report.load_after,
        report.server_peak_rss_kib as f64 / 1024.0
    );
    let rows = report
        .classes
        .iter()
        .chain(report.beside_slow_reader.as_ref());
    for row in rows {
        let per_request = if row.per_second > 0.0 {
            1000.0 / row.per_second
        } else {
            0.0
        };
        let process = |ms: Option<f64>| ms.map_or_else(|| "-".into(), |ms| format!("{ms:.1}"));
        let ratio = |ms: Option<f64>| match ms {
            Some(ms) if ms > 0.0 && per_request > 0.0 => format!("{:.1}x", ms / per_request),
            _ => "-".into(),
        };
        text.push_str(&format!(
            "| {} | {:.1} KiB | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {} |\n",
            row.class,
            row.bytes as f64 / 1024.0,
            row.requests,
            row.per_second,
            row.p50_ms,
            row.p99_ms,
            per_request,
            process(row.cli_ms),
            process(row.peer_ms),
            ratio(row.cli_ms),
            ratio(row.peer_ms),
        ));
    }
    if !report.paced.is_empty() {
        text.push_str(
            "\nAt a fixed rate, latency from when each request was due:\n\n\
             | class | asked req/s | requests | answered req/s | p50 ms | p99 ms | max ms |\n\
             |---|---:|---:|---:|---:|---:|---:|\n",
        );
        for row in &report.paced {
            text.push_str(&format!(
                "| {} | {:.0} | {} | {:.0} | {:.2} | {:.2} | {:.2} |\n",
                row.class,
                row.rate,
                row.requests,
                row.per_second,
                row.p50_ms,
                row.p99_ms,
                row.max_ms
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{
        API_PATH, ClassLoad, LoadClass, LoadReport, PacedLoad, due, markdown, page_classes,
        percentile,
    };
    use crate::compare::QueryClass;

    fn row(class: &str, path: &str, processes: Option<f64>) -> ClassLoad {
        ClassLoad {
            class: class.to_owned(),
            path: path.to_owned(),
            query: String::new(),
            bytes: 2048,
            requests: 10,
            per_second: 100.0,
            p50_ms: 1.5,
            p99_ms: 3.25,
            cli_ms: processes,
            peer_ms: processes,
        }
    }

    fn paced(class: &str) -> PacedLoad {
        PacedLoad {
            class: class.to_owned(),
            target: "/resources/message?visitorId=7".into(),
            rate: 2000.0,
            requests: 10_000,
            per_second: 1999.5,
            p50_ms: 0.4,
            p99_ms: 1.25,
            max_ms: 7.0,
        }
    }

    #[test]
    fn pages_are_requested_at_their_paths() {
        let targets: Vec<String> = page_classes().iter().map(LoadClass::target).collect();
        assert_eq!(
            targets,
            [
                "/search?q=quokka",
                "/search?q=you",
                "/search?q=you+OR+i",
                "/stats?from=2010-03-01&to=2010-03-31"
            ]
        );
        assert!(page_classes().iter().all(|page| !page.has_processes()));
    }

    #[test]
    fn api_classes_are_requested_at_the_api_with_processes() {
        let api = LoadClass {
            path: API_PATH,
            class: QueryClass::new("rare word", &[("contains", "quokka")]),
        };
        assert_eq!(api.target(), "/resources/message?contains=quokka");
        assert!(api.has_processes());
    }

    #[test]
    fn a_page_row_leaves_the_process_columns_empty() {
        let report = LoadReport {
            messages: 20_000,
            connections: 2,
            load_before: "0.5".into(),
            load_after: "0.6".into(),
            classes: vec![
                row("rare word", API_PATH, Some(20.0)),
                row("page: stats", "/stats", None),
            ],
            beside_slow_reader: None,
            paced: vec![paced("visitorId exact")],
            server_peak_rss_kib: 2048,
        };
        let table = markdown(&report);
        assert!(
            table.contains(
                "| rare word | 2.0 KiB | 10 | 100 | 1.50 | 3.25 | 10.00 | 20.0 | 20.0 | 2.0x | 2.0x |"
            ),
            "{table}"
        );
        assert!(
            table.contains(
                "| page: stats | 2.0 KiB | 10 | 100 | 1.50 | 3.25 | 10.00 | - | - | - | - |"
            ),
            "{table}"
        );
    }

    #[test]
    fn paced_rows_follow_the_table() {
        let report = LoadReport {
            messages: 1,
            connections: 16,
            load_before: String::new(),
            load_after: String::new(),
            classes: Vec::new(),
            beside_slow_reader: None,
            paced: vec![paced("rare word")],
            server_peak_rss_kib: 0,
        };
        assert!(
            markdown(&report).contains("| rare word | 2000 | 10000 | 2000 | 0.40 | 1.25 | 7.00 |"),
            "{}",
            markdown(&report)
        );
    }

    #[test]
    fn requests_are_due_evenly_spread_over_the_connections() {
        // 4 connections at 1,000 requests/s: one request due every millisecond, each
        // connection taking every fourth turn.
        let mut times: Vec<f64> = (0..4)
            .flat_map(|connection| (0..25).map(move |k| due(connection, 4, k, 1000.0)))
            .map(|at| at.as_secs_f64() * 1000.0)
            .collect();
        times.sort_by(f64::total_cmp);
        for (turn, at) in times.iter().enumerate() {
            assert!(
                (at - turn as f64).abs() < 1e-9,
                "turn {turn} due at {at} ms"
            );
        }
        assert!((due(1, 4, 2, 1000.0).as_secs_f64() - 0.009).abs() < 1e-12);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let sorted: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&sorted, 0.5), 50.0);
        assert_eq!(percentile(&sorted, 0.99), 99.0);
        assert_eq!(percentile(&[3.0], 0.99), 3.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
