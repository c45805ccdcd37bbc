//! What the server's tests share: an archive of the API reference's example and a
//! generated corpus, the application over it, and requests sent in-process or through
//! a socket.

#![allow(dead_code, clippy::unwrap_used)] // not every test binary uses every helper

use std::io::{BufWriter, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use base64::Engine;
use chrono::NaiveDate;
use plupper_archive::api::ApiList;
use plupper_archive::{Archive, Filter, NoProgress, Password};
use plupper_server::auth::Authenticator;
use plupper_server::users::UsersFile;
use plupper_server::{AppOptions, AppState, Server, ServerConfig, app};
use plupper_testkit::corpus::{CorpusConfig, Generator, write_ndjson};
use tempfile::TempDir;
use tower::ServiceExt;

pub const USER: &str = "john";
pub const PASSWORD: &str = "correct horse battery staple";

/// The day the tests take as today (two-digit years).
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An archive holding the API reference's five messages and `generated` messages of the
/// corpus generator, with one user, [`USER`] with [`PASSWORD`].
pub fn archive(generated: u64) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = Archive::create(dir.path()).unwrap();
    let mut files = vec![repo_root().join("data/seed.json")];
    if generated > 0 {
        let corpus = dir.path().join("corpus.ndjson");
        let config = CorpusConfig {
            messages: generated,
            seed: 7,
            ..CorpusConfig::default()
        };
        let out = BufWriter::new(std::fs::File::create(&corpus).unwrap());
        write_ndjson(out, Generator::new(config).unwrap()).unwrap();
        files.push(corpus);
    }
    archive.import(&files, &NoProgress).unwrap();
    UsersFile::in_archive(dir.path())
        .add(USER, &Password::new(PASSWORD.into()))
        .unwrap();
    dir
}

pub fn state(dir: &Path) -> AppState {
    AppState::open(dir, Arc::new(today)).unwrap()
}

/// The application over the archive in `dir`, with authentication and `cors` origins.
pub fn authenticated_app(dir: &Path, cors: &[&str]) -> Router {
    authenticated_app_with(dir, cors, Router::new())
}

/// [`authenticated_app`] with `extra` routes (the web pages).
pub fn authenticated_app_with(dir: &Path, cors: &[&str], extra: Router<AppState>) -> Router {
    let options = AppOptions {
        auth: Some(Arc::new(
            Authenticator::new(UsersFile::in_archive(dir)).unwrap(),
        )),
        cors_origins: cors
            .iter()
            .map(|origin| plupper_server::layers::cors_origin(origin).unwrap())
            .collect(),
    };
    app(state(dir), extra, &options)
}

/// `Authorization: Basic ...` of `user:password`.
pub fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// A GET of `uri` with the test user's credentials.
pub fn get(uri: &str) -> axum::http::request::Builder {
    Request::get(uri).header("authorization", basic(USER, PASSWORD))
}

/// An answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `error` of a JSON error body.
    #[track_caller]
    pub fn error(&self) -> String {
        assert_eq!(
            self.headers["content-type"], "application/json;charset=UTF-8",
            "{self:?}"
        );
        let value: serde_json::Value = serde_json::from_slice(&self.body).unwrap();
        value["error"].as_str().unwrap().to_owned()
    }
}

/// Sends `request` in-process, from client address `from`.
pub async fn send_from(app: &Router, request: Request<Body>, from: [u8; 4]) -> Answer {
    let mut request = request;
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((from, 40000))));
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// Sends `request` in-process from 127.0.0.1.
pub async fn send(app: &Router, request: Request<Body>) -> Answer {
    send_from(app, request, [127, 0, 0, 1]).await
}

/// What the library writes for `query` (the command line's `--format api` goes through
/// the same writer; the CLI tests hold the two to each other).
pub fn expected_list(dir: &Path, query: &str) -> Result<Vec<u8>, String> {
    let archive = Archive::open_read_only(dir).unwrap();
    let filter = Filter::from_query_string(query, today()).map_err(|e| e.to_string())?;
    let mut list = ApiList::begin(Vec::new()).unwrap();
    for stored in archive.query(&filter).unwrap() {
        list.push(&stored.unwrap()).unwrap();
    }
    Ok(list.finish().unwrap())
}

/// A server on 127.0.0.1:0 over `dir` in a thread of its own; stops when dropped.
pub struct Running {
    pub address: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    pub fn start(dir: &Path) -> Running {
        let config = ServerConfig {
            archive: dir.to_owned(),
            listen: "127.0.0.1:0".into(),
            no_auth: false,
            cors_origins: Vec::new(),
            today: Arc::new(today),
        };
        let server = Server::bind(config).unwrap();
        let address = server.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            server
                .run_until(async move {
                    let _ = stopped.await;
                })
                .unwrap();
        });
        Running {
            address,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream
    }

    /// Sends raw bytes on a new connection and reads until the server closes it (or 30 s).
    pub fn raw(&self, request: &[u8]) -> Vec<u8> {
        let mut stream = self.connect();
        stream.write_all(request).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        answer
    }

    /// A GET of `target` with the test user's credentials on a new connection; the
    /// status line, the headers (lower-case names) and the body (chunks joined).
    pub fn get(&self, target: &str) -> HttpAnswer {
        let request = format!(
            "GET {target} HTTP/1.1\r\nhost: test\r\nauthorization: {}\r\nconnection: close\r\n\r\n",
            basic(USER, PASSWORD)
        );
        HttpAnswer::parse(&self.raw(request.as_bytes()))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An HTTP/1.1 answer read from a socket.
#[derive(Debug)]
pub struct HttpAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpAnswer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    #[track_caller]
    pub fn parse(raw: &[u8]) -> HttpAnswer {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no answer head in {:?}", String::from_utf8_lossy(raw)));
        let head = String::from_utf8_lossy(&raw[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap()[9..12].parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .map(|line| {
                let (name, value) = line.split_once(':').unwrap();
                (name.to_ascii_lowercase(), value.trim().to_owned())
            })
            .collect();
        let rest = &raw[end + 4..];
        let chunked = headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v == "chunked");
        let body = if chunked {
            dechunk(rest)
        } else {
            rest.to_vec()
        };
        HttpAnswer {
            status,
            headers,
            body,
        }
    }
}

/// The body of a chunked transfer; panics on a cut one.
#[track_caller]
fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size line");
        let size =
            usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap(), 16).unwrap();
        rest = &rest[line_end + 2..];
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}
