//! The same-message rule (contract §1b), applied in write transactions.
//!
//! A source (a file, a sync window) lists a message N times; the archive held it M times
//! before the source was read; N − M copies are added when N > M. Applied element by
//! element, in source order: the k-th copy of a message in the source is added exactly
//! when the archive holds fewer than k copies of it at that moment. After the whole
//! source the archive holds max(M, N) copies, which is the rule.
//!
//! The element-by-element form needs no memory for the source. k − 1, the copies seen
//! before in the unit, is the copies the unit added (its rows: the unit's batch id) plus
//! the copies it skipped as already archived (a per-connection temporary table, on
//! disk, not in the process); the copies archived are found among the messages of the
//! element's sort key (a function of its `created`, so every copy has it), read through
//! the time index and compared by fingerprint (a hash of the six fields, computed here,
//! not stored). It also converges: if a run dies after committing some transactions, a re-run of the
//! same source counts k from 1 again and finds the copies the dead run added, so it adds
//! exactly the rest. Two writers cannot race, because each transaction takes the write
//! lock (`IMMEDIATE`) before it counts.
//!
//! Most elements of a first import are certainly new: the archive holds no copy and the
//! unit has seen none. Once a connection has applied enough elements (an eighth of the
//! archive), it reads the archive's sort keys into a Bloom filter
//! ([`known`](crate::known)) and adds such elements without any lookup; only the
//! elements whose second the filter may know go through the lookups.
//!
//! A unit is applied either in groups of whole [`apply`](Reconciler::apply) calls
//! ([`Store::begin`]: a file, whose elements before a damage are kept) or all or nothing
//! ([`Store::begin_atomic`]: a sync window, which is applied whole together with the
//! sync state, or not at all). A group's transaction commits once it holds
//! [`GROUP_ELEMENTS`] elements, at the end of the unit, or when the reconciler is
//! dropped. Each commit rewrites every page it changed, so fewer, larger commits write
//! much less (measured when a fingerprint index changed pages all over the file: an
//! import of 1M messages, its index built after it, took 57 s with a commit every 8,192
//! elements, 49 s every 32,768, 47 s every 131,072). A run that dies
//! loses at most its open group, which the next run adds again. A call that fails
//! leaves nothing behind, nor do the calls before it in the open group: the group is
//! rolled back, as a crash would leave it. (A savepoint per call would keep those, but
//! SQLite copies every page a savepoint first changes to a sub-journal: an import of 1M
//! messages spent a second of system time on it, 5M about 3 % of all its CPU.)

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use rusqlite::{Connection, OptionalExtension};

use chrono::Datelike;
use plupper_model::Fingerprint;
use plupper_model::date::is_java_date;
use plupper_model::element::{Element, OriginalKind};
use plupper_model::wire::is_canonical_element;

use crate::added::AddedMessages;
use crate::known::KnownKeys;
use crate::quarantine::{Quarantined, insert_quarantined};
use crate::{BatchId, Store, StoreError};

/// A parsed element on its way into the archive, with what the store needs computed in
/// advance (off the writer thread): its fingerprint, its sort key and whether its
/// original text is the canonical form.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The element.
    pub element: Element,
    /// Its identity.
    pub fingerprint: Fingerprint,
    /// Its answer-order key, as the archive computes it (`sort_key`: the wall clock
    /// read as UTC, less the zone's offset when the zone is known).
    sort_key: i64,
    /// Its element number (0-based) in the source.
    pub position: u64,
    /// `None` when the original is the canonical element (then it is not stored twice).
    stored_original: Option<(u8, String)>,
    /// Whether `created` is what Java writes for its wall clock and zone (then only the
    /// zone is stored; see [`crate::read`]).
    created_is_canonical: bool,
}

impl Arrival {
    /// Prepares an element found at `position` in its source.
    pub fn new(element: Element, position: u64) -> Arrival {
        let fingerprint = element.message.fingerprint();
        let original = &element.original;
        let stored_original = match original.kind {
            OriginalKind::String if is_canonical_element(&element.message, &original.text) => None,
            OriginalKind::String => Some((1, original.text.clone())),
            OriginalKind::Object => Some((2, original.text.clone())),
        };
        let date = &element.date;
        let created_is_canonical = is_java_date(
            date.wall_clock(),
            date.zone().written(),
            &element.message.created,
        );
        let offset = date
            .zone()
            .offset()
            .map_or(0, |offset| offset.local_minus_utc());
        let sort_key = date.wall_clock().and_utc().timestamp() - i64::from(offset);
        Arrival {
            element,
            fingerprint,
            sort_key,
            position,
            stored_original,
            created_is_canonical,
        }
    }
}

/// What one [`Reconciler::apply`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Messages added to the archive.
    pub added: u64,
    /// Messages not added because the archive already held enough copies.
    pub already_archived: u64,
    /// Elements newly put into quarantine.
    pub quarantined: u64,
    /// Elements already in quarantine with the same text.
    pub already_quarantined: u64,
}

impl std::ops::AddAssign for Applied {
    fn add_assign(&mut self, other: Applied) {
        self.added += other.added;
        self.already_archived += other.already_archived;
        self.quarantined += other.quarantined;
        self.already_quarantined += other.already_quarantined;
    }
}

/// Applies one source's elements to the archive.
///
/// Made by [`Store::begin`] (each [`apply`](Reconciler::apply) is a transaction) or
/// [`Store::begin_atomic`] (one transaction for the whole unit); one reconciler is one
/// source (one file, one sync window), so that N counts the copies in the whole source.
///
/// An atomic reconciler dropped without [`finish`](Reconciler::finish) (an error, a
/// panic) rolls back everything it applied.
#[derive(Debug)]
pub struct Reconciler<'a> {
    pub(crate) store: &'a mut Store,
    batch: BatchId,
    source: String,
    /// Whether this reconciler holds an open transaction: an atomic unit's one, or the
    /// current group's.
    pub(crate) in_transaction: bool,
    /// All or nothing ([`Store::begin_atomic`]).
    atomic: bool,
    /// Elements applied in the open group.
    grouped: u64,
    /// [`GROUP_ELEMENTS`], but for tests.
    group_elements: u64,
    /// Whether an `apply` is under way: true after a panic in it.
    applying: bool,
    /// Whether a call failed (and rolled the open group or the atomic unit back): the
    /// unit takes no more calls.
    failed: bool,
    /// Copies skipped in this unit so far (while none are, `temp.skipped` is empty).
    skipped: u64,
}

/// The per-connection table that counts the copies of each message that the unit skipped
/// because the archive already held enough of them.
const RESET_SKIPPED: &str = "CREATE TEMP TABLE IF NOT EXISTS skipped (fingerprint BLOB PRIMARY KEY, copies INTEGER NOT NULL) WITHOUT ROWID;
     DELETE FROM temp.skipped;";
/// Foreign keys while a reconciler applies a unit (see [`ROWS_PER_INSERT`]), and after; a
/// connection takes this only outside a transaction.
const FOREIGN_KEYS_OFF: &str = "PRAGMA foreign_keys = OFF";
const FOREIGN_KEYS_ON: &str = "PRAGMA foreign_keys = ON";
/// The page cache of a connection while it applies a unit: a write touches pages of the
/// message table, its B-tree indexes and the conversation tables, and with SQLite's
/// default 2 MiB cache it spills and re-reads them within each transaction (32 MiB cut
/// the import's CPU time by about a sixth). Reset to the default when the unit ends, so
/// that readers stay small.
const WRITE_CACHE: &str = "PRAGMA cache_size = -32768";
/// Elements (messages and quarantined) after which a unit's group commits: fewer, larger
/// commits write much less (see [`Reconciler`]).
pub const GROUP_ELEMENTS: u64 = 65_536;
const DEFAULT_CACHE: &str = "PRAGMA cache_size = -2000";
const INSERT_BATCH: &str =
    "INSERT INTO batch (source, started_at) VALUES (?1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
pub(crate) const FINISH_BATCH: &str =
    "UPDATE batch SET finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1";

impl Store {
    /// Starts reading one source into the archive. `source` says where the elements come
    /// from (a file path, a URL with its window) and is recorded with each of them.
    pub fn begin(&mut self, source: &str) -> Result<Reconciler<'_>, StoreError> {
        self.check_writable("adding messages")?;
        self.conn.execute_batch(RESET_SKIPPED)?;
        self.conn.execute_batch(WRITE_CACHE)?;
        self.conn.execute_batch(FOREIGN_KEYS_OFF)?;
        self.conn.execute(INSERT_BATCH, [source])?;
        let batch = BatchId(self.conn.last_insert_rowid());
        Ok(Reconciler {
            store: self,
            batch,
            source: source.to_owned(),
            in_transaction: false,
            atomic: false,
            grouped: 0,
            group_elements: GROUP_ELEMENTS,
            applying: false,
            failed: false,
            skipped: 0,
        })
    }

    /// Starts reading one source into the archive all or nothing: the reconciler holds one
    /// `IMMEDIATE` transaction (the archive's write lock) from here to
    /// [`finish`](Reconciler::finish) or [`finish_window`](Reconciler::finish_window),
    /// which commit it; dropped before that, it rolls back and the archive is as if the
    /// source had never been read. Other writers wait meanwhile (up to the busy timeout).
    ///
    /// ```
    /// use plupper_model::element::parse_element;
    /// use plupper_store::{Arrival, Store};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut store = Store::open(dir.path())?;
    /// let element = parse_element(br#"{"content":"Hi","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}"#)?;
    /// {
    ///     let mut unit = store.begin_atomic("a window that fails")?;
    ///     unit.apply(&[Arrival::new(element.clone(), 0)], &[])?;
    ///     // dropped without finishing: rolled back
    /// }
    /// assert_eq!(store.message_count()?, 0);
    /// let mut unit = store.begin_atomic("a window that succeeds")?;
    /// unit.apply(&[Arrival::new(element, 0)], &[])?;
    /// unit.finish()?;
    /// assert_eq!(store.message_count()?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn begin_atomic(&mut self, source: &str) -> Result<Reconciler<'_>, StoreError> {
        self.check_writable("adding messages")?;
        self.conn.execute_batch(RESET_SKIPPED)?;
        self.conn.execute_batch(WRITE_CACHE)?;
        self.conn.execute_batch(FOREIGN_KEYS_OFF)?;
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let mut unit = Reconciler {
            store: self,
            batch: BatchId(0),
            source: source.to_owned(),
            in_transaction: true,
            atomic: true,
            grouped: 0,
            group_elements: GROUP_ELEMENTS,
            applying: false,
            failed: false,
            skipped: 0,
        };
        // From here on, an error drops `unit`, which rolls back.
        unit.store.conn.execute(INSERT_BATCH, [source])?;
        unit.batch = BatchId(unit.store.conn.last_insert_rowid());
        Ok(unit)
    }
}

impl Reconciler<'_> {
    /// The batch these elements are recorded under.
    pub fn batch(&self) -> BatchId {
        self.batch
    }

    /// Applies the next elements of the source (in source order) and puts the quarantined
    /// ones away, all or nothing: an error leaves nothing of this call behind, nor of the
    /// calls before it that are not committed yet (the open group, or an atomic unit).
    /// They are committed with their group, or with an atomic unit's transaction.
    pub fn apply(
        &mut self,
        arrivals: &[Arrival],
        quarantined: &[Quarantined],
    ) -> Result<Applied, StoreError> {
        self.check_not_failed()?;
        let Store {
            conn,
            known,
            applied_elements,
            ..
        } = &mut *self.store;
        *applied_elements += arrivals.len() as u64;
        let mut unit = Unit {
            batch: self.batch,
            source: &self.source,
            skipped: &mut self.skipped,
            known,
            applied_elements: *applied_elements,
        };
        if !self.in_transaction {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            self.in_transaction = true;
            self.grouped = 0;
        }
        self.applying = true;
        let applied = match unit.apply_in(conn, arrivals, quarantined) {
            Ok(applied) => applied,
            Err(error) => {
                // No savepoint per call (its sub-journal copied every page a call first
                // changed): a failed call takes the open group with it.
                self.roll_back();
                self.failed = true;
                return Err(error);
            }
        };
        self.applying = false;
        self.grouped += (arrivals.len() + quarantined.len()) as u64;
        if !self.atomic && self.grouped >= self.group_elements {
            // A group that fails to commit is rolled back: later calls would leave a hole.
            if let Err(error) = self.commit() {
                self.failed = true;
                return Err(error);
            }
        }
        Ok(applied)
    }

    /// Records that the whole source has been read, and commits.
    pub fn finish(mut self) -> Result<(), StoreError> {
        self.check_not_failed()?;
        self.store.conn.execute(FINISH_BATCH, [self.batch.0])?;
        self.commit()
    }

    /// Commits the open transaction, if there is one; rolls it back if that fails.
    pub(crate) fn commit(&mut self) -> Result<(), StoreError> {
        if self.in_transaction {
            // The messages this transaction added change the archive's last id.
            let committed = crate::mark::write_mark(&self.store.conn)
                .and_then(|()| Ok(self.store.conn.execute_batch("COMMIT")?));
            if let Err(error) = committed {
                self.roll_back();
                return Err(error);
            }
            self.in_transaction = false;
        }
        Ok(())
    }

    /// An error when a call of this unit failed before.
    pub(crate) fn check_not_failed(&self) -> Result<(), StoreError> {
        if self.failed {
            return Err(StoreError::UnitFailed {
                source_name: self.source.clone(),
            });
        }
        Ok(())
    }

    /// Rolls the open transaction back. The Bloom filter may have read in rows of it (an
    /// atomic unit's or a group's earlier calls), whose ids will be used again, so it is
    /// dropped and read in afresh when next needed.
    fn roll_back(&mut self) {
        self.in_transaction = false;
        self.applying = false;
        self.store.known = None;
        // Should even the rollback fail, SQLite rolls the transaction back when the
        // connection closes.
        if let Err(error) = self.store.conn.execute_batch("ROLLBACK") {
            tracing::warn!(%error, "rolling back an unfinished unit failed");
        }
    }
}

impl Drop for Reconciler<'_> {
    fn drop(&mut self) {
        if self.in_transaction && (self.atomic || self.applying) {
            // Nothing of an unfinished atomic unit may stay; of a group, nothing of a call
            // that did not return. The group's earlier calls go with it: the next run of
            // the source adds them again.
            self.roll_back();
        } else if let Err(error) = self.commit() {
            // What the group's calls applied was whole; keeping it only saves work.
            tracing::warn!(%error, "committing an unfinished unit's last group failed");
        }
        // Shrinking the cache frees its pages; failing to only costs memory.
        if let Err(error) = self.store.conn.execute_batch(DEFAULT_CACHE) {
            tracing::debug!(%error, "resetting the page cache failed");
        }
        if let Err(error) = self.store.conn.execute_batch(FOREIGN_KEYS_ON) {
            tracing::warn!(%error, "enforcing foreign keys again failed");
        }
    }
}

/// Messages inserted by one statement. SQLite opens and closes a cursor on the table and
/// on each of its indexes for every statement, and runs the statement's program from the
/// start, so rows inserted a few dozen at a time cost much less each than one by one.
///
/// A statement that writes several rows and may stop half-way (a constraint that aborts
/// it) makes SQLite copy every page it touches to a statement journal first, so that it
/// can undo itself alone; inside a transaction that journal only grows, and it cost
/// more than the statements saved (an import of 1M messages: 10 s of system time instead
/// of 2.6). So the insert says `OR FAIL` (a failing row stops the statement and keeps the
/// rows before it: the failed `apply` call rolls the open group back all the same), and a
/// reconciler's connection does not enforce the schema's foreign keys (their one parent,
/// the unit's `batch` row, is written by the reconciler itself before any child), which
/// leaves no statement that may abort.
const ROWS_PER_INSERT: usize = 32;

/// The columns of one inserted message, in the order [`PendingRows::bind`] binds them.
const INSERT_COLUMNS: &str = "content, customer_id, created, visitor_id, type, operator, \
     written_date, wall_clock, utc_offset, original_kind, original, batch_id, position";
const COLUMNS_PER_ROW: usize = 13;

/// The statement that inserts `rows` messages.
fn insert_statement(rows: usize) -> String {
    let row = format!("({})", vec!["?"; COLUMNS_PER_ROW].join(","));
    format!(
        "INSERT OR FAIL INTO message ({INSERT_COLUMNS}) VALUES {}",
        vec![row.as_str(); rows].join(",")
    )
}

/// Messages decided to be added and not inserted yet, inserted [`ROWS_PER_INSERT`] at a
/// time in the order they were decided on. Archive ids are assigned in insertion order
/// and one after another (`AUTOINCREMENT` gives each row one more than the largest id
/// ever used, and the writer holds the write lock), so the last row's id names them all.
struct PendingRows<'a> {
    batch: BatchId,
    rows: Vec<&'a Arrival>,
    /// The statement for a full set of rows, made once.
    full: String,
}

impl<'a> PendingRows<'a> {
    fn new(batch: BatchId) -> PendingRows<'a> {
        PendingRows {
            batch,
            rows: Vec::with_capacity(ROWS_PER_INSERT),
            full: insert_statement(ROWS_PER_INSERT),
        }
    }

    /// Adds `arrival` to the rows to insert, inserting them when there are enough.
    fn push(
        &mut self,
        tx: &Connection,
        arrival: &'a Arrival,
        added: &mut AddedMessages<'a>,
    ) -> Result<(), StoreError> {
        self.rows.push(arrival);
        if self.rows.len() == ROWS_PER_INSERT {
            self.insert(tx, added)?;
        }
        Ok(())
    }

    /// Inserts the pending rows, and notes each with its archive id in `added`.
    fn insert(&mut self, tx: &Connection, added: &mut AddedMessages<'a>) -> Result<(), StoreError> {
        let rows = self.rows.len();
        if rows == 0 {
            return Ok(());
        }
        let sql = if rows == ROWS_PER_INSERT {
            std::borrow::Cow::Borrowed(self.full.as_str())
        } else {
            std::borrow::Cow::Owned(insert_statement(rows))
        };
        let mut statement = tx.prepare_cached(&sql)?;
        for (row, arrival) in self.rows.iter().enumerate() {
            self.bind(&mut statement, row * COLUMNS_PER_ROW, arrival)?;
        }
        statement.raw_execute()?;
        let first = tx.last_insert_rowid() - rows as i64 + 1;
        for (offset, arrival) in self.rows.drain(..).enumerate() {
            added.push(first + offset as i64, &arrival.element);
        }
        Ok(())
    }

    /// Binds one message's columns after the first `before` parameters.
    fn bind(
        &self,
        statement: &mut rusqlite::CachedStatement<'_>,
        before: usize,
        arrival: &Arrival,
    ) -> Result<(), StoreError> {
        let message = &arrival.element.message;
        let date = &arrival.element.date;
        let written = date.written_date();
        let (kind, original) = match &arrival.stored_original {
            None => (0u8, None),
            Some((kind, text)) => (*kind, Some(text.as_str())),
        };
        let at = |column: usize| before + column;
        statement.raw_bind_parameter(at(1), message.content.as_str())?;
        statement.raw_bind_parameter(at(2), message.customer_id.as_deref())?;
        if arrival.created_is_canonical {
            statement.raw_bind_parameter(at(3), date.zone().written().as_bytes())?;
        } else {
            statement.raw_bind_parameter(at(3), message.created.as_str())?;
        }
        statement.raw_bind_parameter(at(4), message.visitor_id)?;
        statement.raw_bind_parameter(at(5), message.message_type.as_str())?;
        statement.raw_bind_parameter(at(6), message.operator.as_deref())?;
        statement.raw_bind_parameter(
            at(7),
            written.year() * 10_000 + written.month() as i32 * 100 + written.day() as i32,
        )?;
        statement.raw_bind_parameter(at(8), date.wall_clock().and_utc().timestamp())?;
        statement.raw_bind_parameter(
            at(9),
            date.zone().offset().map(|offset| offset.local_minus_utc()),
        )?;
        statement.raw_bind_parameter(at(10), kind)?;
        statement.raw_bind_parameter(at(11), original)?;
        statement.raw_bind_parameter(at(12), self.batch.0)?;
        statement.raw_bind_parameter(at(13), arrival.position as i64)?;
        Ok(())
    }
}

/// The archived messages of one sort key, and their batches, through the time index.
/// `batch_id` follows [`crate::read::COLUMNS`].
fn same_second_statement() -> String {
    format!(
        "SELECT {}, batch_id FROM message INDEXED BY message_by_time WHERE sort_key = ?1",
        crate::read::COLUMNS
    )
}

const BATCH_COLUMN: usize = 12;

/// Copies of a message: archived (the transaction's own rows included), and of those,
/// added by this unit.
#[derive(Debug, Clone, Copy, Default)]
struct Copies {
    archived: u64,
    added_here: u64,
}

/// The copies of each message of the seconds an [`Unit::apply_in`] call has looked up,
/// by sort key and fingerprint, kept current as the call adds messages. Each second is
/// read (and its messages hashed) once a call, so a second that holds many messages
/// costs its rows once, not once for each of its elements.
#[derive(Default)]
struct Seconds {
    seen: HashMap<i64, HashMap<Fingerprint, Copies>>,
}

impl Seconds {
    /// The copies of `arrival`'s message, reading its second in when it is new here:
    /// its archived rows and the rows still `pending`.
    fn copies(
        &mut self,
        same_second: &mut rusqlite::CachedStatement<'_>,
        pending: &PendingRows<'_>,
        arrival: &Arrival,
        batch: BatchId,
    ) -> Result<Copies, StoreError> {
        let second = match self.seen.entry(arrival.sort_key) {
            Entry::Occupied(second) => second.into_mut(),
            Entry::Vacant(vacant) => {
                let mut second: HashMap<Fingerprint, Copies> = HashMap::new();
                let mut rows = same_second.query([arrival.sort_key])?;
                while let Some(row) = rows.next()? {
                    let stored = crate::read::from_row(row)?;
                    let copies = second.entry(stored.message.fingerprint()).or_default();
                    copies.archived += 1;
                    if row.get::<_, i64>(BATCH_COLUMN)? == batch.0 {
                        copies.added_here += 1;
                    }
                }
                for row in pending
                    .rows
                    .iter()
                    .filter(|row| row.sort_key == arrival.sort_key)
                {
                    let copies = second.entry(row.fingerprint).or_default();
                    copies.archived += 1;
                    copies.added_here += 1;
                }
                vacant.insert(second)
            }
        };
        Ok(second
            .get(&arrival.fingerprint)
            .copied()
            .unwrap_or_default())
    }

    /// Notes that `arrival` is added, if its second has been read in.
    fn add(&mut self, arrival: &Arrival) {
        if let Some(second) = self.seen.get_mut(&arrival.sort_key) {
            let copies = second.entry(arrival.fingerprint).or_default();
            copies.archived += 1;
            copies.added_here += 1;
        }
    }
}

/// What [`Unit::apply_in`] needs of the reconciler and the store, borrowed apart from the
/// connection.
struct Unit<'u> {
    batch: BatchId,
    source: &'u str,
    skipped: &'u mut u64,
    known: &'u mut Option<KnownKeys>,
    applied_elements: u64,
}

impl Unit<'_> {
    /// Makes the Bloom filter current, inside the write transaction: reads in what other
    /// writers archived since, or reads the whole archive once this connection has
    /// applied an eighth of it (or the filter is full).
    fn prepare_known(&mut self, tx: &Connection) -> Result<(), StoreError> {
        if let Some(known) = self.known.as_mut()
            && !known.is_full()
        {
            return known.catch_up(tx);
        }
        let archived = crate::assigned_ids(tx)?.max(0) as u64;
        let grown = self.known.as_ref().map_or(0, KnownKeys::entries);
        if self.known.is_some() || self.applied_elements.saturating_mul(8) >= archived {
            // What the archive holds now: the filter's size rounds up to a power of two
            // above it, so a full one is read in again at twice its size.
            let expected = archived.max(self.applied_elements).max(grown);
            *self.known = Some(KnownKeys::load(tx, expected)?);
        }
        Ok(())
    }

    /// The §1b rule for the next elements of a unit, inside the caller's transaction.
    fn apply_in(
        &mut self,
        tx: &Connection,
        arrivals: &[Arrival],
        quarantined: &[Quarantined],
    ) -> Result<Applied, StoreError> {
        self.prepare_known(tx)?;
        let mut applied = Applied::default();
        let mut added = AddedMessages::default();
        {
            let mut same_second = tx.prepare_cached(&same_second_statement())?;
            let mut count_skipped =
                tx.prepare_cached("SELECT copies FROM temp.skipped WHERE fingerprint = ?1")?;
            let mut skip = tx.prepare_cached(
                "INSERT INTO temp.skipped (fingerprint, copies) VALUES (?1, 1)
                     ON CONFLICT (fingerprint) DO UPDATE SET copies = copies + 1",
            )?;
            let mut pending = PendingRows::new(self.batch);
            let mut seconds = Seconds::default();
            for arrival in arrivals {
                let certainly_new = self
                    .known
                    .as_ref()
                    .is_some_and(|known| !known.may_contain(arrival.sort_key));
                if !certainly_new {
                    let fingerprint = &arrival.fingerprint.0[..];
                    // The unit's rows count too: those inserted, and those still pending.
                    let Copies {
                        archived,
                        added_here,
                    } = seconds.copies(&mut same_second, &pending, arrival, self.batch)?;
                    let skipped_here: u64 = if *self.skipped == 0 {
                        0
                    } else {
                        count_skipped
                            .query_row([fingerprint], |row| row.get::<_, i64>(0))
                            .optional()?
                            .map_or(0, |copies| copies.max(0) as u64)
                    };
                    let copy_number = 1 + added_here + skipped_here;
                    if archived >= copy_number {
                        skip.execute([fingerprint])?;
                        *self.skipped += 1;
                        applied.already_archived += 1;
                        continue;
                    }
                }
                if let Some(known) = self.known.as_mut() {
                    known.insert(arrival.sort_key);
                }
                seconds.add(arrival);
                pending.push(tx, arrival, &mut added)?;
                applied.added += 1;
            }
            pending.insert(tx, &mut added)?;
            for entry in quarantined {
                if insert_quarantined(tx, entry, self.source, self.batch)? {
                    applied.quarantined += 1;
                } else {
                    applied.already_quarantined += 1;
                }
            }
        }
        // The chain link, the conversations and the content blocks, in the transaction
        // of the messages they cover.
        added.record(tx, self.batch)?;
        crate::content_block::extend(tx)?;
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests: a failure is a panic

    use plupper_model::element::parse_element;

    use super::*;

    fn arrival(content: &str) -> Arrival {
        let text = format!(
            r#"{{"content":"{content}","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}}"#
        );
        Arrival::new(parse_element(text.as_bytes()).unwrap(), 0)
    }

    #[test]
    fn rows_inserted_together_get_consecutive_ids_in_source_order_and_keys_are_enforced_after() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let contents: Vec<String> = (0..ROWS_PER_INSERT * 2 + 3)
            .map(|i| format!("m{i}"))
            .collect();
        let arrivals: Vec<Arrival> = contents.iter().map(|c| arrival(c)).collect();
        let mut unit = store.begin("file").unwrap();
        assert_eq!(
            unit.apply(&arrivals, &[]).unwrap().added,
            arrivals.len() as u64
        );
        unit.finish().unwrap();
        for (i, content) in contents.iter().enumerate() {
            let stored = store
                .message(crate::ArchiveId(i as i64 + 1))
                .unwrap()
                .unwrap();
            assert_eq!(&stored.message.content, content);
        }
        let enforced: bool = store
            .conn
            .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
            .unwrap();
        assert!(enforced);
    }

    #[test]
    fn a_group_commits_once_it_holds_enough_elements() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let reader = Store::open(dir.path()).unwrap();
        let mut unit = store.begin("file").unwrap();
        unit.group_elements = 3;
        unit.apply(&[arrival("a"), arrival("b")], &[]).unwrap();
        assert_eq!(reader.message_count().unwrap(), 0, "the group is open");
        unit.apply(&[arrival("c")], &[]).unwrap();
        assert_eq!(reader.message_count().unwrap(), 3, "the group committed");
        unit.apply(&[arrival("d")], &[]).unwrap();
        assert_eq!(reader.message_count().unwrap(), 3);
        unit.finish().unwrap();
        assert_eq!(reader.message_count().unwrap(), 4);
    }
}
