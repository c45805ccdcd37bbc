//! Test support for plupper-archive: realistic chat histories ([`mod@corpus`], the
//! generator the benchmarks and the CLI tests use too) and an upstream Plupper API to
//! sync from.
//!
//! [`Upstream::start`] serves `GET /resources/message` on `127.0.0.1` at a random port,
//! with HTTP Basic auth and the API's filters (parsed by `plupper_search::Filter`, so the
//! semantics are the contract's §2: `from`/`to` by the calendar date written in
//! `created`, `operator`, `visitorId`, `customerId`, `contains`), answering in `created`
//! order as the API does. Its data can change while it runs ([`Upstream::add`],
//! [`Upstream::remove`]), and [`Faults`] make chosen requests fail the ways a real
//! network and server do: error statuses, 429 with `Retry-After`, connections dropped in
//! the middle of the body, slow chunked bodies, stalls, bodies that are not JSON or are
//! cut off inside the list; [`Faults::flaky_link`] fails two requests in three.
//!
//! [`browser::Browser`] drives a headless Chromium over WebDriver, for the web pages'
//! tests in a real browser.
//!
//! The server is plain `std::net` (one thread per connection, one request per
//! connection) rather than an HTTP server crate, so that a fault can close the socket at
//! any byte. It is for tests and demos only: it holds its data in memory.
//!
//! # Example
//!
//! ```
//! use plupper_testkit::{Faults, Upstream, corpus};
//!
//! let upstream = Upstream::start(corpus(50, 1), "demo", "secret", Faults::none());
//! let url = format!("{}/resources/message?from=01/01/2000", upstream.url());
//! assert!(url.starts_with("http://127.0.0.1:"));
//! assert_eq!(upstream.len(), 50);
//! ```

#![warn(unreachable_pub)]

pub mod browser;
pub mod corpus;

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine;
use chrono::NaiveDate;

use crate::corpus::{CorpusConfig, Generator};
use plupper_model::element::{Element, parse_element};
use plupper_search::{Filter, Matcher};

/// One way a request can go wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// An error status with a short text body (500, 502, 503, …).
    Status(u16),
    /// 429 Too Many Requests with `Retry-After: seconds`.
    TooManyRequests {
        /// The `Retry-After` value, in seconds.
        retry_after: u64,
    },
    /// A body with `Content-Length`, of which only the first half is sent before the
    /// connection is closed.
    DropWithLength,
    /// A chunked body, closed half-way (no last chunk).
    DropChunked,
    /// A body delimited by closing the connection (no length, not chunked), closed
    /// half-way: only the JSON shows that it is cut off.
    DropUndelimited,
    /// A complete HTTP response whose JSON list is cut off half-way.
    CutList,
    /// 200 with an HTML page instead of JSON.
    NotJson,
    /// The right answer, chunked, `chunk` bytes at a time with a pause before each.
    Slow {
        /// Bytes per chunk.
        chunk: usize,
        /// The pause before each chunk.
        pause: Duration,
    },
    /// The headers and a first part of the body, then silence for this long, then the
    /// connection is closed.
    Stall(Duration),
    /// No fault: the right answer. In a schedule, it lets a pattern of faults hold passes
    /// (see [`Faults::flaky_link`]).
    Pass,
}

/// Which requests fail, and how.
///
/// The `/resources/message` requests that pass authentication are counted from 0; when
/// `every` is not 0, request *n* with `n % every == offset` gets the next fault of
/// `schedule` (cycling). `every: 2` means that a retry of a failed request succeeds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// The faults, used in turn.
    pub schedule: Vec<Fault>,
    /// Every how many requests one fails (0: none).
    pub every: u64,
    /// Which request of each `every` fails.
    pub offset: u64,
}

impl Faults {
    /// No faults.
    pub fn none() -> Faults {
        Faults::default()
    }

    /// `fault` on every `every`-th request, starting with the first.
    pub fn every(every: u64, schedule: Vec<Fault>) -> Faults {
        Faults {
            schedule,
            every,
            offset: 0,
        }
    }

    /// Every request fails with `fault`.
    pub fn always(fault: Fault) -> Faults {
        Faults::every(1, vec![fault])
    }

    /// A flaky link: two requests in three fail, by turns with HTTP 500 or 503 and with a
    /// connection dropped in the middle of the body (with a length, chunked, or
    /// delimited by closing); every third request is answered. A client that retries
    /// each request twice gets every answer.
    ///
    /// ```
    /// use plupper_testkit::{Fault, Faults};
    ///
    /// let faults = Faults::flaky_link();
    /// let passes = faults.schedule.iter().filter(|f| **f == Fault::Pass).count();
    /// assert_eq!(passes * 3, faults.schedule.len());
    /// ```
    pub fn flaky_link() -> Faults {
        Faults::every(
            1,
            vec![
                Fault::Status(500),
                Fault::DropWithLength,
                Fault::Pass,
                Fault::DropChunked,
                Fault::Status(503),
                Fault::Pass,
                Fault::Status(500),
                Fault::DropUndelimited,
                Fault::Pass,
            ],
        )
    }

    fn pick(&self, request: u64) -> Option<Fault> {
        if self.every == 0 || self.schedule.is_empty() || request % self.every != self.offset {
            return None;
        }
        let turn = (request / self.every) as usize % self.schedule.len();
        Some(self.schedule[turn].clone())
    }
}

/// One request the upstream answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// The request target (path and query).
    pub target: String,
    /// The status sent.
    pub status: u16,
    /// The fault injected, if any.
    pub fault: Option<Fault>,
}

/// An element of the upstream's data.
#[derive(Debug, Clone)]
struct Entry {
    /// The element as it stands in a list response (a JSON string literal).
    text: String,
    /// Parsed, when it can be.
    element: Option<Element>,
    /// The order key: the instant, unknown zones at their wall clock read as UTC.
    sort_key: i64,
}

impl Entry {
    fn new(text: String) -> Entry {
        let element = parse_element(text.as_bytes()).ok();
        let sort_key = element.as_ref().map_or(i64::MIN, |e| {
            e.date.wall_clock().and_utc().timestamp()
                - i64::from(e.date.zone().offset().map_or(0, |o| o.local_minus_utc()))
        });
        Entry {
            text,
            element,
            sort_key,
        }
    }

    /// The contract's §2 filter. An element the server cannot read has no date: only a
    /// request without `from` lists it.
    fn matches(&self, matcher: &mut Matcher<'_>, filter: &Filter) -> bool {
        match &self.element {
            Some(element) => matcher.matches(element),
            None => {
                filter.from.is_none()
                    && filter.operator.is_none()
                    && filter.visitor_id.is_none()
                    && filter.customer_id.is_none()
                    && filter.contains.is_none()
            }
        }
    }
}

struct Data {
    entries: Vec<Entry>,
    faults: Faults,
    requests: u64,
    log: Vec<Logged>,
}

struct Shared {
    data: Mutex<Data>,
    authorization: String,
    today: NaiveDate,
    stop: AtomicBool,
}

impl Shared {
    fn data(&self) -> MutexGuard<'_, Data> {
        self.data
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A running upstream API. Stops when dropped.
pub struct Upstream {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Upstream {
    /// Serves `elements` (list-response elements: JSON string literals or objects, as
    /// text) to `user` with `password`, failing requests as `faults` says.
    pub fn start(elements: Vec<String>, user: &str, password: &str, faults: Faults) -> Upstream {
        Upstream::start_at("127.0.0.1:0", elements, user, password, faults)
            .expect("the test upstream can listen on 127.0.0.1")
    }

    /// Like [`start`](Upstream::start), on a given address (`127.0.0.1:8080`).
    pub fn start_at(
        addr: &str,
        elements: Vec<String>,
        user: &str,
        password: &str,
        faults: Faults,
    ) -> io::Result<Upstream> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let authorization = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        );
        let mut entries: Vec<Entry> = elements.into_iter().map(Entry::new).collect();
        entries.sort_by_key(|e| e.sort_key);
        let shared = Arc::new(Shared {
            data: Mutex::new(Data {
                entries,
                faults,
                requests: 0,
                log: Vec::new(),
            }),
            authorization,
            today: chrono::Local::now().date_naive(),
            stop: AtomicBool::new(false),
        });
        let accept = {
            let shared = shared.clone();
            std::thread::spawn(move || accept_loop(listener, shared))
        };
        Ok(Upstream {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The number of elements served.
    pub fn len(&self) -> usize {
        self.shared.data().entries.len()
    }

    /// Whether nothing is served.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The elements served, in answer order.
    pub fn elements(&self) -> Vec<String> {
        self.shared
            .data()
            .entries
            .iter()
            .map(|e| e.text.clone())
            .collect()
    }

    /// Adds an element (kept in `created` order, after equal ones).
    pub fn add(&self, element: String) {
        let entry = Entry::new(element);
        let mut data = self.shared.data();
        let at = data
            .entries
            .partition_point(|e| e.sort_key <= entry.sort_key);
        data.entries.insert(at, entry);
    }

    /// Removes the first element with this text; returns whether there was one.
    pub fn remove(&self, element: &str) -> bool {
        let mut data = self.shared.data();
        match data.entries.iter().position(|e| e.text == element) {
            Some(at) => {
                data.entries.remove(at);
                true
            }
            None => false,
        }
    }

    /// Replaces the faults (the request count goes on).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.data().faults = faults;
    }

    /// The requests answered so far.
    pub fn log(&self) -> Vec<Logged> {
        self.shared.data().log.clone()
    }

    /// Blocks until the server is stopped from another thread (for the binary).
    pub fn wait(mut self) {
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// The elements of `messages` generated messages (the benches' corpus generator: real
/// looking sessions, 2008 to 2012, with exact repeats), as the API lists them.
pub fn corpus(messages: u64, seed: u64) -> Vec<String> {
    corpus_years(messages, seed, 2008, 2012)
}

/// Like [`corpus()`], between two years.
pub fn corpus_years(messages: u64, seed: u64, start_year: i32, end_year: i32) -> Vec<String> {
    let config = CorpusConfig {
        messages,
        seed,
        start_year,
        end_year,
    };
    Generator::new(config)
        .expect("a valid corpus configuration")
        .map(|message| serde_json::to_string(&message.object_text()).expect("a string serialises"))
        .collect()
}

/// An element (as the API lists it) written on `date` at `time` (`HH:MM:SS`, zone CET),
/// from a visitor of operator `john`.
pub fn message_on(date: NaiveDate, time: &str, content: &str) -> String {
    let created = format!(
        "{} {time} CET {}",
        date.format("%a %b %d"),
        date.format("%Y")
    );
    let object = serde_json::json!({
        "content": content,
        "customerId": null,
        "created": created,
        "visitorId": 7,
        "type": "VO",
        "operator": "john",
    });
    serde_json::to_string(&object.to_string()).expect("a string serialises")
}

/// How many times each element text occurs: what an archive synced from these elements
/// must hold (compare with the archive's originals).
pub fn multiset<I, S>(elements: I) -> HashMap<String, usize>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut counts = HashMap::new();
    for element in elements {
        *counts.entry(element.into()).or_insert(0) += 1;
    }
    counts
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut workers: Vec<JoinHandle<()>> = Vec::new();
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let shared = shared.clone();
        workers.retain(|w| !w.is_finished());
        workers.push(std::thread::spawn(move || {
            let _ = handle(stream, &shared);
        }));
    }
    for worker in workers {
        let _ = worker.join();
    }
}

struct Request {
    target: String,
    authorization: Option<String>,
}

fn read_request(stream: &TcpStream) -> io::Result<Option<Request>> {
    let mut reader = BufReader::new(stream.take(64 << 10));
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Ok(None);
    };
    if method != "GET" {
        return Ok(None);
    }
    let target = target.to_owned();
    let mut authorization = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("authorization")
        {
            authorization = Some(value.trim().to_owned());
        }
    }
    Ok(Some(Request {
        target,
        authorization,
    }))
}

fn handle(mut stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_nodelay(true)?;
    let Some(request) = read_request(&stream)? else {
        return simple(&mut stream, 400, "text/plain", b"bad request");
    };
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((request.target.as_str(), ""));
    let log = |status: u16, fault: Option<Fault>| {
        shared.data().log.push(Logged {
            target: request.target.clone(),
            status,
            fault,
        })
    };
    if path != "/resources/message" {
        log(404, None);
        return simple(&mut stream, 404, "text/plain", b"not found");
    }
    if request.authorization.as_deref() != Some(shared.authorization.as_str()) {
        log(401, None);
        let head = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"plupper\"\r\nContent-Length: 12\r\nConnection: close\r\n\r\nunauthorized";
        stream.write_all(head.as_bytes())?;
        return close(stream);
    }
    let filter = match Filter::from_query_string(query, shared.today) {
        Ok(filter) => filter,
        Err(error) => {
            log(400, None);
            return simple(&mut stream, 400, "text/plain", error.to_string().as_bytes());
        }
    };
    let (body, fault) = {
        let mut data = shared.data();
        let number = data.requests;
        data.requests += 1;
        let fault = data.faults.pick(number).filter(|f| *f != Fault::Pass);
        let mut matcher = filter.matcher();
        let mut body = Vec::new();
        body.push(b'[');
        for entry in data
            .entries
            .iter()
            .filter(|e| e.matches(&mut matcher, &filter))
        {
            if body.len() > 1 {
                body.push(b',');
            }
            body.extend_from_slice(entry.text.as_bytes());
        }
        body.push(b']');
        (body, fault)
    };
    let status = match &fault {
        Some(Fault::Status(code)) => *code,
        Some(Fault::TooManyRequests { .. }) => 429,
        _ => 200,
    };
    log(status, fault.clone());
    respond(stream, body, fault, &shared.stop)
}

fn respond(
    mut stream: TcpStream,
    body: Vec<u8>,
    fault: Option<Fault>,
    stop: &AtomicBool,
) -> io::Result<()> {
    const JSON: &str = "application/json;charset=UTF-8";
    let half = body.len() / 2;
    match fault {
        None | Some(Fault::Pass) => {
            head(&mut stream, 200, JSON, Some(body.len()), false, "")?;
            stream.write_all(&body)?;
        }
        Some(Fault::Status(code)) => {
            return simple(&mut stream, code, "text/plain", b"internal server error");
        }
        Some(Fault::TooManyRequests { retry_after }) => {
            let extra = format!("Retry-After: {retry_after}\r\n");
            head(&mut stream, 429, "text/plain", Some(4), false, &extra)?;
            stream.write_all(b"slow")?;
        }
        Some(Fault::DropWithLength) => {
            head(&mut stream, 200, JSON, Some(body.len()), false, "")?;
            stream.write_all(&body[..half])?;
        }
        Some(Fault::DropChunked) => {
            head(&mut stream, 200, JSON, None, true, "")?;
            write_chunk(&mut stream, &body[..half])?;
        }
        Some(Fault::DropUndelimited) => {
            head(&mut stream, 200, JSON, None, false, "")?;
            stream.write_all(&body[..half])?;
        }
        Some(Fault::CutList) => {
            head(&mut stream, 200, JSON, Some(half), false, "")?;
            stream.write_all(&body[..half])?;
        }
        Some(Fault::NotJson) => {
            let page = b"<html><body><h1>Service temporarily unavailable</h1></body></html>";
            head(&mut stream, 200, "text/html", Some(page.len()), false, "")?;
            stream.write_all(page)?;
        }
        Some(Fault::Slow { chunk, pause }) => {
            head(&mut stream, 200, JSON, None, true, "")?;
            for part in body.chunks(chunk.max(1)) {
                std::thread::sleep(pause);
                write_chunk(&mut stream, part)?;
            }
            stream.write_all(b"0\r\n\r\n")?;
        }
        Some(Fault::Stall(time)) => {
            head(&mut stream, 200, JSON, Some(body.len()), false, "")?;
            stream.write_all(&body[..half.min(100)])?;
            stream.flush()?;
            // Stalls until `time` has passed or the server stops (which waits for it).
            let until = std::time::Instant::now() + time;
            while std::time::Instant::now() < until && !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    close(stream)
}

fn head(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    len: Option<usize>,
    chunked: bool,
    extra: &str,
) -> io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut text = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nConnection: close\r\n{extra}"
    );
    if let Some(len) = len {
        text.push_str(&format!("Content-Length: {len}\r\n"));
    }
    if chunked {
        text.push_str("Transfer-Encoding: chunked\r\n");
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes())
}

fn write_chunk(stream: &mut TcpStream, bytes: &[u8]) -> io::Result<()> {
    write!(stream, "{:x}\r\n", bytes.len())?;
    stream.write_all(bytes)?;
    stream.write_all(b"\r\n")?;
    stream.flush()
}

fn simple(stream: &mut TcpStream, status: u16, content_type: &str, body: &[u8]) -> io::Result<()> {
    head(stream, status, content_type, Some(body.len()), false, "")?;
    stream.write_all(body)?;
    stream.flush()?;
    let _ = stream.shutdown(Shutdown::Both);
    Ok(())
}

fn close(mut stream: TcpStream) -> io::Result<()> {
    stream.flush()?;
    let _ = stream.shutdown(Shutdown::Both);
    Ok(())
}
