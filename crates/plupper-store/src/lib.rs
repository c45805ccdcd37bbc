//! The plupper-archive SQLite archive: the single source of truth.
//!
//! This crate owns every byte of SQL in the project: the schema and its numbered
//! [migrations](schema), the same-message rule of the contract's §1b applied in
//! write transactions ([`Reconciler`]), the verbatim originals, the quarantine, and
//! reading messages back. An archive is a directory holding `archive.sqlite3` (and,
//! later, the search index that is derived from it).
//!
//! In the same transactions as the messages it adds, the store keeps three records derived
//! from them: the integrity [chain] (a SHA-256 link over each applied chunk's original
//! texts, each link hashing the one before), the [conversations](conversation) (a
//! visitor's messages, split at the entry line and at more than 30 minutes of silence)
//! and the [content blocks](content_block) (every 4,096 messages' contents in one row,
//! for scans of every content). [`Store::verify`] checks the database file, every
//! message against its original text, the chain, the conversations and the content
//! blocks ([verify]).
//!
//! A long listing and a scan of every content run on two threads, each with its own
//! connection; [`cores::spawn_beside`] starts the helper thread on the other core at
//! once.
//!
//! The database runs in WAL mode with `synchronous=FULL` (a reported success survives a
//! power loss), a busy timeout (a second writer waits rather than fails), and `IMMEDIATE`
//! write transactions (a writer takes the write lock before it reads what it will
//! decide on, so two writers can never both add the same copy). A writer that closes
//! the archive while no other connection has it open switches it back to a rollback
//! journal (`DELETE`), so that a process that only reads an idle archive makes no WAL
//! files (see [`Store`]'s `Drop`); the next writer switches to WAL again.
//!
//! Bookkeeping timestamps (when the archive was made, when a batch ran) come from
//! SQLite's clock; nothing that decides an answer reads a clock.
//!
//! # Example
//!
//! ```
//! use plupper_model::element::parse_element;
//! use plupper_store::{Arrival, Store};
//!
//! let dir = tempfile::tempdir()?;
//! let mut store = Store::open(dir.path())?;
//! let element = parse_element(br#"{"content":"Hi","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}"#)?;
//!
//! let arrivals = vec![Arrival::new(element.clone(), 0), Arrival::new(element, 1)];
//! let mut unit = store.begin("example")?;
//! let applied = unit.apply(&arrivals, &[])?;
//! unit.finish()?;
//! assert_eq!(applied.added, 2); // the same message twice in one source: two copies
//!
//! // Seen again: N = 2 copies, M = 2 archived, nothing added (§1b).
//! let mut unit = store.begin("example again")?;
//! assert_eq!(unit.apply(&arrivals, &[])?.added, 0);
//! unit.finish()?;
//!
//! let first = store.message(plupper_store::ArchiveId(1))?.expect("archived");
//! assert_eq!(first.message.content, "Hi");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(unreachable_pub)]

mod added;
pub mod chain;
pub mod content_block;
pub mod content_count;
pub mod conversation;
pub mod cores;
mod error;
pub mod exports;
mod known;
pub mod mark;
mod quarantine;
pub mod query;
mod read;
mod reconcile;
pub mod schema;
mod sync_state;
pub mod verify;
mod window_count;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use chain::ChainLink;
pub use conversation::{ConversationId, ConversationKey, ConversationRow};
pub use error::StoreError;
pub use quarantine::{QuarantineEntry, Quarantined};
pub use read::{IndexRow, NDJSON_PART, NDJSON_TWO_THREADS_FROM, StoredMessage};
pub use reconcile::{Applied, Arrival, GROUP_ELEMENTS, Reconciler};
pub use sync_state::{SyncScope, SyncedWindow, WindowRecord};
pub use verify::{Problem, Verification};

/// The file name of the database inside an archive directory.
pub const DATABASE_FILE: &str = "archive.sqlite3";

/// How long a writer waits for another one before "archive is busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// The page cache of a connection that serves one process's reads
/// ([`Store::open_to_read`]) or one listing ([`Store::second_reader`]): such a reader
/// visits most pages once, and a cache larger than the B-tree's interior pages only makes
/// fresh memory to fault in (SQLite's default of 2 MiB: about 500 page faults a listing
/// of a few thousand rows, one 16 KiB page each). Measured with 12–30 interleaved
/// processes against the default, NDJSON: 1M messages, `100%`'s 3,044 rows 10.43 → 9.71
/// ms (page faults 740 → 365; 256 KiB gave 9.69), the ~1% word's 7,469 rows 15.8 → 14.8,
/// `customerId`'s 52,668 29.6 → 27.5, the non-ASCII word's 20,459 22.8 → 22.2; 5M
/// messages, `100%` 32.5 → 29.9, the ~1% word 49.0 → 47.3, `customerId` 138 → 132
/// (1 MiB: 133), the non-ASCII word 87.1 → 86.7. A server's pooled connections, which
/// answer many queries, keep the default. It is also the in-memory limit of SQLite's
/// sorter, above the 512 rows a page of the reference executor sorts.
const READ_CACHE: &str = "PRAGMA cache_size = -512";

/// A message's archive id: positive, never changed, never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ArchiveId(pub i64);

impl std::fmt::Display for ArchiveId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One run of one source into the archive (an imported file, a sync window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BatchId(pub i64);

/// Which archive this is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveInfo {
    /// Made when the archive was created; never changes.
    pub uuid: String,
    /// The number of migrations applied.
    pub schema_version: u32,
}

/// An open archive.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    dir: PathBuf,
    /// The sort keys the archive may hold, once this connection has written enough
    /// to make reading them in worth it (see the `reconcile` module).
    known: Option<known::KnownKeys>,
    /// Elements this connection has applied, over all its units.
    applied_elements: u64,
    /// Opened as it is, without write access (see [`Store::open`]).
    read_only: bool,
    /// Opened as a file nothing changes (see [`Store::open_read_only`]).
    immutable: bool,
}

impl Store {
    /// Opens the archive in `dir`, creating the directory (with its parents, readable by
    /// its owner only) and the database when missing, and bringing the schema up to date.
    /// An existing archive this process cannot write is opened read-only, as it is
    /// ([`Store::is_read_only`]): it answers, and whatever would write fails with
    /// [`StoreError::ReadOnly`].
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        match Store::open_writable(dir) {
            Err(error) if error.is_read_only() && dir.join(DATABASE_FILE).is_file() => {
                Store::open_read_only(dir)
            }
            opened => opened,
        }
    }

    fn open_writable(dir: &Path) -> Result<Store, StoreError> {
        create_private_dir(dir)?;
        let path = dir.join(DATABASE_FILE);
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        let mut store = Store {
            conn,
            dir: dir.to_owned(),
            known: None,
            applied_elements: 0,
            read_only: false,
            immutable: false,
        };
        store.configure().map_err(|e| e.in_archive(&path))?;
        schema::migrate(&mut store.conn).map_err(|e| e.in_archive(&path))?;
        // SQLite opens a file it may not write read-only without a word; while another
        // process has it open (its WAL files exist) every read then works.
        store.read_only = store.conn.is_readonly(rusqlite::MAIN_DB)?;
        Ok(store)
    }

    /// An archive this process cannot write (read-only media, another user's files).
    /// While another process has it open, its WAL files exist and SQLite reads through
    /// them as usual. Otherwise SQLite cannot read a WAL database whose directory it
    /// cannot write unless told that nothing changes it (`immutable`); then a change
    /// another process makes while this one reads is not seen. Either way the schema must
    /// be current already.
    pub fn open_read_only(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join(DATABASE_FILE);
        let (conn, version, immutable) = match shared_read_only(&path) {
            Ok((conn, version)) => (conn, version, false),
            Err(_) => {
                let conn = open_immutable(&path)?;
                let version = schema::version(&conn).map_err(|e| e.in_archive(&path))?;
                (conn, version, true)
            }
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        if version > schema::CURRENT_VERSION {
            return Err(StoreError::TooNew {
                path,
                found: version,
                known: schema::CURRENT_VERSION,
            });
        }
        if version < schema::CURRENT_VERSION {
            return Err(StoreError::ReadOnly {
                dir: dir.to_owned(),
                why: format!(
                    "its schema (version {version}) must first be brought up to version {}, which needs write access",
                    schema::CURRENT_VERSION
                ),
            });
        }
        tracing::debug!(dir = %dir.display(), immutable, "no write access: the archive is read as it is");
        Store::read_only(conn, dir, immutable)
    }

    fn read_only(conn: Connection, dir: &Path, immutable: bool) -> Result<Store, StoreError> {
        read::add_functions(&conn)?;
        Ok(Store {
            conn,
            dir: dir.to_owned(),
            known: None,
            applied_elements: 0,
            read_only: true,
            immutable,
        })
    }

    /// Opens the archive in `dir` to answer queries: without write access when its schema
    /// is current and SQLite can read it so, otherwise as [`Store::open`] does (which
    /// brings an older schema up to date and opens an archive this user cannot write as
    /// it is). A process that only reads then neither checkpoints nor removes the
    /// database's WAL files when it ends, as the last read-write connection does (a
    /// count by visitor at 1M: 2.34 ms of CPU instead of 2.48). The files a read-only
    /// connection makes stay for the next process.
    /// [`Store::is_read_only`] says how it was opened; a missing archive is created, as
    /// by [`Store::open`], so look first.
    pub fn open_to_read(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join(DATABASE_FILE);
        match shared_read_only(&path) {
            Ok((conn, version)) if version == schema::CURRENT_VERSION => {
                conn.busy_timeout(BUSY_TIMEOUT)?;
                conn.set_prepared_statement_cache_capacity(64);
                conn.execute_batch(READ_CACHE)?;
                Store::read_only(conn, dir, false)
            }
            _ => Store::open(dir),
        }
    }

    /// A second, read-only connection to this archive, for another thread's reads; `None`
    /// inside a write transaction, whose rows another connection would not see. It sees
    /// at least what this connection sees (archived messages never change, so a row read
    /// through either is the same).
    pub(crate) fn second_reader(&self) -> Result<Option<Store>, StoreError> {
        if self.conn.transaction_state(None::<&str>)? == rusqlite::TransactionState::Write {
            return Ok(None);
        }
        let conn = open_second_connection(&self.dir.join(DATABASE_FILE), self.immutable)?;
        conn.set_prepared_statement_cache_capacity(64);
        conn.execute_batch(READ_CACHE)?;
        Store::read_only(conn, &self.dir, self.immutable).map(Some)
    }

    /// Whether the archive was opened without write access: it answers queries, and
    /// everything that would write to it fails with [`StoreError::ReadOnly`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Ends this handle in a process that is about to exit. A store opened without write
    /// access leaves its connection open for the exit to free with the rest of the
    /// process, which costs less than closing it: SQLite frees every table and index of
    /// the schema it parsed and every cached statement (a rare word's count at 1M:
    /// 84,000 instructions of 1.9M). A writer is closed as when dropped, since it has
    /// its WAL to end. Not for a process that goes on: the connection stays open.
    pub fn close_at_exit(self) {
        if self.read_only || self.immutable {
            std::mem::forget(self);
        }
    }

    /// Fails with [`StoreError::ReadOnly`] when the archive cannot be written.
    pub fn check_writable(&self, what: &str) -> Result<(), StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly {
                dir: self.dir.clone(),
                why: format!("{what} needs write access"),
            });
        }
        Ok(())
    }

    fn configure(&self) -> Result<(), StoreError> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // 16 KiB pages for a new archive; an existing one keeps the page size it was made
        // with (SQLite fixes it once the file holds a table). Measured at 1M messages
        // against 4 KiB: import + index 12 % faster, a scan of every content 20 % faster,
        // NDJSON answers 2–30 % faster (fewer, larger reads), the same size on disk.
        self.conn.execute_batch("PRAGMA page_size = 16384")?;
        // `journal_mode` answers with the mode in force; a file that is not a database
        // fails here, before anything is written to it.
        let mode = switch_to_wal(&self.conn)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "the archive could not switch to WAL mode");
        }
        self.conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = FILE;",
        )?;
        self.conn.set_prepared_statement_cache_capacity(64);
        read::add_functions(&self.conn)?;
        Ok(())
    }

    /// The archive directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Which archive this is.
    pub fn info(&self) -> Result<ArchiveInfo, StoreError> {
        let uuid = self
            .conn
            .query_row("SELECT uuid FROM archive_info", [], |row| row.get(0))?;
        Ok(ArchiveInfo {
            uuid,
            schema_version: schema::version(&self.conn)?,
        })
    }

    /// The highest archive id assigned so far (0 for an empty archive).
    pub fn max_id(&self) -> Result<ArchiveId, StoreError> {
        assigned_ids(&self.conn).map(ArchiveId)
    }

    /// The number of archived messages.
    pub fn message_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM message", [], |row| row.get(0))?)
    }
}

impl Drop for Store {
    /// A writer that is the archive's last connection checkpoints the WAL into the
    /// database and leaves it in `DELETE` journal mode: a process that then only reads
    /// (a `query`) opens one file instead of three, and neither creates nor initializes
    /// the WAL index (a count by visitor or by a rare word at 1M: 0.08–0.09 ms less per
    /// process, of 2.1–3.2 ms). While another connection has the archive open (a server, another
    /// writer), SQLite refuses the switch at once and the archive stays in WAL mode; a
    /// writer switches any archive to WAL when it opens it ([`Store::open`]).
    fn drop(&mut self) {
        if self.read_only || self.immutable {
            return;
        }
        let switched = self.conn.busy_timeout(Duration::ZERO).and_then(|()| {
            self.conn
                .query_row("PRAGMA journal_mode = DELETE", [], |row| {
                    row.get::<_, String>(0)
                })
        });
        if let Err(error) = switched {
            tracing::debug!(%error, "the archive stays in WAL mode");
        }
    }
}

/// Switches the database of `conn` to WAL mode; the journal mode in force after. Two
/// writers that open an archive left in `DELETE` mode ([`Store`]'s `Drop`) switch it
/// together, and the one that loses the race gets `SQLITE_BUSY` at once, without its busy
/// handler being asked (in 20 of 200 runs of a test that opens two writers at once): it
/// tries again, as the busy handler would have waited, for up to [`BUSY_TIMEOUT`].
fn switch_to_wal(conn: &Connection) -> rusqlite::Result<String> {
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)) {
            Err(rusqlite::Error::SqliteFailure(error, _))
                if error.code == rusqlite::ErrorCode::DatabaseBusy
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            switched => return switched,
        }
    }
}

/// The highest archive id assigned so far on `conn` (0 for an empty archive): ids are
/// never reused, so this is also the highest id a message may have.
pub(crate) fn assigned_ids(conn: &Connection) -> Result<i64, StoreError> {
    let max: Option<i64> = conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'message'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    Ok(max.unwrap_or(0))
}

/// Opens the database read-only as a file nothing changes (see `Store::open_read_only`).
/// A read-only connection that reads through the WAL files as usual (creating them when
/// the directory allows), and the schema version it reads.
fn shared_read_only(path: &Path) -> Result<(Connection, u32), StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // A read of the schema, not just the header, goes through the WAL files; the version
    // is read in the same statement, so in the same read transaction.
    let version = conn.query_row(
        "SELECT user_version, (SELECT count(*) FROM sqlite_schema) FROM pragma_user_version",
        [],
        |row| row.get(0),
    )?;
    Ok((conn, version))
}

/// Another read-only connection to the database at `path`, for another thread, opened as
/// the first one was (`immutable`: see `Store::open_read_only`).
pub(crate) fn open_second_connection(
    path: &Path,
    immutable: bool,
) -> Result<Connection, StoreError> {
    let conn = if immutable {
        open_immutable(path)?
    } else {
        Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?
    };
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

pub(crate) fn open_immutable(path: &Path) -> Result<Connection, StoreError> {
    // A URI names the file; `%`, `?` and `#` in the path are escaped.
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| create_dir_error(dir, source))
}

/// Says "not a directory" for a path that is a file ("File exists" says too little).
fn create_dir_error(dir: &Path, source: std::io::Error) -> StoreError {
    let source = if source.kind() == std::io::ErrorKind::AlreadyExists && !dir.is_dir() {
        std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            "it exists and is not a directory",
        )
    } else {
        source
    };
    StoreError::CreateDir {
        path: dir.to_owned(),
        source,
    }
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::create_dir_all(dir).map_err(|source| create_dir_error(dir, source))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests: a failure is a panic

    use super::*;

    fn cache_size(store: &Store) -> i64 {
        store
            .conn
            .query_row("PRAGMA cache_size", [], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn a_one_process_reader_and_a_listing_helper_keep_a_small_page_cache_a_pooled_reader_the_default()
     {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let reader = Store::open_to_read(dir.path()).unwrap();
        assert!(reader.is_read_only());
        assert_eq!(cache_size(&reader), -512);
        let helper = reader.second_reader().unwrap().unwrap();
        assert_eq!(cache_size(&helper), -512);
        let pooled = Store::open_read_only(dir.path()).unwrap();
        assert_eq!(cache_size(&pooled), -2000);
    }
}
