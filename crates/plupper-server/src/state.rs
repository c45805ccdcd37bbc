//! What every request shares: read-only connections to the archive, handed out to the
//! blocking work of one request at a time, and `today`.
//!
//! A connection (an [`Archive`]) is not `Sync`, so requests do not share one: the pool
//! keeps the idle ones and opens another when all are busy (a client reading a long
//! answer slowly keeps its own). Each answer is read in one read transaction of its own,
//! so an import or a sync that committed while the server runs is seen by the next
//! request; the index is checked against the store inside that transaction, and a behind
//! index is never rebuilt here (the archive is opened read-only): the store answers.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use chrono::NaiveDate;
use plupper_archive::Archive;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};

use crate::ApiError;

/// Blocking requests that run at once; the others wait for a turn.
const MAX_BLOCKING: usize = 64;

/// Idle connections kept for the next requests.
const MAX_IDLE: usize = 16;

/// How long a chunk of an answer waits for a client that does not read before the
/// answer is given up.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);

/// Chunks waiting to be sent, per answer: the memory an answer takes is bounded by this
/// many chunks of about [`CHUNK`] bytes.
const QUEUED_CHUNKS: usize = 4;

/// The size at which a streamed answer sends what it holds.
pub(crate) const CHUNK: usize = 64 * 1024;

/// Where `today` comes from (the command line passes the local calendar's; a test, a
/// fixed day). It decides the century of a two-digit year.
pub type Today = Arc<dyn Fn() -> NaiveDate + Send + Sync>;

/// The state every handler gets: the archive's connections and `today`. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

struct Shared {
    dir: PathBuf,
    idle: Mutex<Vec<Archive>>,
    turns: Arc<Semaphore>,
    today: Today,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("archive", &self.shared.dir)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The state of a server on the archive in `dir`, opened read-only (once here, so
    /// that a missing archive stops the start).
    pub fn open(dir: &Path, today: Today) -> Result<AppState, plupper_archive::Error> {
        let first = Archive::open_read_only(dir)?;
        Ok(AppState {
            shared: Arc::new(Shared {
                dir: dir.to_owned(),
                idle: Mutex::new(vec![first]),
                turns: Arc::new(Semaphore::new(MAX_BLOCKING)),
                today,
            }),
        })
    }

    /// Today's date, for the filters' two-digit years.
    pub fn today(&self) -> NaiveDate {
        (self.shared.today)()
    }

    /// The archive directory.
    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    fn checkout(&self) -> Result<Archive, plupper_archive::Error> {
        let idle = self
            .shared
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        match idle {
            Some(archive) => Ok(archive),
            None => Archive::open_read_only(&self.shared.dir),
        }
    }

    fn checkin(&self, archive: Archive) {
        let mut idle = self
            .shared
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(archive);
        }
    }

    async fn turn(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        Arc::clone(&self.shared.turns)
            .acquire_owned()
            .await
            .map_err(|_| ApiError::unavailable())
    }

    /// Runs `work` on a connection to the archive, on a blocking thread (never on the
    /// async executor's), and gives its result.
    ///
    /// ```
    /// # async fn example(state: plupper_server::AppState) -> Result<(), plupper_server::ApiError> {
    /// let count = state.blocking(|archive| archive.message_count()).await??;
    /// # Ok(()) }
    /// ```
    pub async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Archive) -> T + Send + 'static,
    {
        let turn = self.turn().await?;
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let archive = state.checkout()?;
            let result = work(&archive);
            state.checkin(archive);
            drop(turn);
            Ok(result)
        })
        .await
        .map_err(|error| ApiError::internal(format!("the request's work stopped: {error}")))?
    }

    /// Runs `work` on a connection to the archive, on a blocking thread, giving it a
    /// [`Sink`] for the answer's bytes. An answer that `work` ends in one piece comes back
    /// whole ([`Answer::Whole`]); a longer one as a stream of chunks that `work` goes on
    /// writing while the client reads ([`Answer::Streamed`]), at most a few chunks ahead
    /// of it. An error before the first chunk is the request's error; after it, the
    /// stream breaks off (the client sees a cut answer, never a well-formed short one).
    /// When the client goes away, [`Sink::send`] fails and `work` stops.
    pub async fn stream<F>(&self, work: F) -> Result<Answer, ApiError>
    where
        F: FnOnce(&Archive, &mut Sink) -> Result<(), ApiError> + Send + 'static,
    {
        let turn = self.turn().await?;
        let state = self.clone();
        let (chunks, receiver) = mpsc::channel(QUEUED_CHUNKS);
        let (start, started) = oneshot::channel();
        let runtime = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let mut sink = Sink {
                runtime,
                chunks,
                start: Some(start),
                held: None,
            };
            let outcome = state
                .checkout()
                .map_err(ApiError::from)
                .and_then(|archive| {
                    let outcome = work(&archive, &mut sink);
                    state.checkin(archive);
                    outcome
                });
            drop(turn);
            sink.end(outcome);
        });
        match started.await {
            Ok(Ok(Start::Whole(bytes))) => Ok(Answer::Whole(bytes)),
            Ok(Ok(Start::Streaming(first))) => Ok(Answer::Streamed { first, receiver }),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(ApiError::internal("the request's work stopped".into())),
        }
    }
}

/// An answer from [`AppState::stream`].
#[derive(Debug)]
pub enum Answer {
    /// The whole answer.
    Whole(Bytes),
    /// The first chunk, and the rest as it comes; an `Err` item breaks the answer off.
    Streamed {
        /// The first chunk.
        first: Bytes,
        /// The following chunks.
        receiver: mpsc::Receiver<Result<Bytes, std::io::Error>>,
    },
}

enum Start {
    Whole(Bytes),
    Streaming(Bytes),
}

/// Where [`AppState::stream`]'s work writes its answer.
#[derive(Debug)]
pub struct Sink {
    runtime: tokio::runtime::Handle,
    chunks: mpsc::Sender<Result<Bytes, std::io::Error>>,
    start: Option<oneshot::Sender<Result<Start, ApiError>>>,
    /// The first chunk, held until the work ends or a second one comes: an answer in one
    /// chunk goes out whole.
    held: Option<Bytes>,
}

impl std::fmt::Debug for Start {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Start")
    }
}

impl Sink {
    /// Sends a chunk of the answer; fails when the client went away (or stopped reading
    /// for a minute), and the work should then stop.
    pub fn send(&mut self, chunk: Vec<u8>) -> Result<(), ApiError> {
        let chunk = Bytes::from(chunk);
        let Some(start) = self.start.take() else {
            return self.push(Ok(chunk));
        };
        let Some(first) = self.held.take() else {
            self.held = Some(chunk);
            self.start = Some(start);
            return Ok(());
        };
        start
            .send(Ok(Start::Streaming(first)))
            .map_err(|_| ApiError::gone())?;
        self.push(Ok(chunk))
    }

    fn push(&mut self, item: Result<Bytes, std::io::Error>) -> Result<(), ApiError> {
        let sent = self
            .runtime
            .block_on(self.chunks.send_timeout(item, SEND_TIMEOUT));
        sent.map_err(|_| ApiError::gone())
    }

    /// Ends the answer with the work's outcome.
    fn end(mut self, outcome: Result<(), ApiError>) {
        match (self.start.take(), outcome) {
            (Some(start), Ok(())) => {
                let _ = start.send(Ok(Start::Whole(self.held.take().unwrap_or_default())));
            }
            (Some(start), Err(error)) => {
                let _ = start.send(Err(error));
            }
            (None, Ok(())) => {}
            (None, Err(error)) => {
                if !error.is_gone() {
                    tracing::error!("an answer broke off: {}", error.message());
                    let _ = self.push(Err(std::io::Error::other(error.message().to_owned())));
                }
            }
        }
    }
}
