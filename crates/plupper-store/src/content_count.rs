//! Counting the contents of a selection: every content it holds is given to a counter
//! ([`ContentCount`], such as the API's `contains`), which says how many it counts; and
//! finding the messages whose contents hold a needle ([`ContentMatch`]), by id.
//!
//! A count of every message reads the [content blocks](crate::content_block) and then
//! the rows after the last block, split by archive id over two connections; a count of
//! a narrower selection feeds the rows its B-tree indexes select to the counter through
//! an SQL aggregate, because SQLite steps through rows inside one call for much less than
//! it costs to hand each row out. A search for the matching ids reads every message the
//! way a count of every message does.

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::str::Utf8Error;
use std::sync::{Arc, Mutex};

use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::{FromSqlError, Value, ValueRef};
use rusqlite::{Connection, TransactionState};

use crate::content_block::{self, BLOCK_MESSAGES};
use crate::query::{Selection, conversion_failure};
use crate::{ArchiveId, Store, StoreError};

/// What a content count gives each content to, such as a `contains` test; see
/// [`Store::count_contents`].
pub trait ContentCount {
    /// Takes one content, as stored: its bytes, UTF-8 unless the database was altered.
    fn add(&mut self, content: &[u8]) -> Result<(), Utf8Error>;

    /// How many of the contents taken it counts.
    fn total(&mut self) -> Result<u64, Utf8Error>;
}

/// The `contains` count of the API's filter counts contents as they are stored.
impl ContentCount for plupper_model::ContainsCount {
    fn add(&mut self, content: &[u8]) -> Result<(), Utf8Error> {
        plupper_model::ContainsCount::add(self, content)
    }

    fn total(&mut self) -> Result<u64, Utf8Error> {
        plupper_model::ContainsCount::total(self)
    }
}

/// What a search for matching contents gives each content to, with its message's id,
/// such as a `contains` test; see [`Store::content_matches`].
pub trait ContentMatch {
    /// Takes the content of message `id`, as stored: its bytes, UTF-8 unless the
    /// database was altered.
    fn add(&mut self, id: ArchiveId, content: &[u8]) -> Result<(), Utf8Error>;

    /// How many of the contents taken it has found so far (it may not have looked at
    /// the last few yet).
    fn found(&self) -> usize;

    /// The ids of the contents it finds among all those taken, in the order taken.
    fn finish(self) -> Result<Vec<ArchiveId>, Utf8Error>;
}

/// The `contains` of the API's filter finds contents as they are stored.
impl ContentMatch for plupper_model::ContainsMatches<ArchiveId> {
    fn add(&mut self, id: ArchiveId, content: &[u8]) -> Result<(), Utf8Error> {
        plupper_model::ContainsMatches::add(self, id, content)
    }

    fn found(&self) -> usize {
        plupper_model::ContainsMatches::found(self)
    }

    fn finish(self) -> Result<Vec<ArchiveId>, Utf8Error> {
        plupper_model::ContainsMatches::finish(self)
    }
}

impl Store {
    /// How many messages of the selection a [`ContentCount`] counts, made by `counter`
    /// for each connection that reads; reads the contents only.
    ///
    /// A count of every message reads the [content blocks](crate::content_block), and
    /// the rows of the messages after the last one, split by archive id across up to two
    /// connections (no more than the machine's cores), the second on another thread. It
    /// reads the snapshot of this connection: the other one counts only ids up to the
    /// highest this one sees, and archived messages and blocks are never changed or
    /// removed, so it sees exactly those. Inside a write transaction, whose changes
    /// another connection could not see, it does not split. While it scans, this
    /// connection's page cache is made small (a scan reads each page once), and then set
    /// back. A selection's rows are read one by one, as the indexes select them.
    pub fn count_contents<C: ContentCount + 'static>(
        &self,
        selection: &Selection,
        counter: &(dyn Fn() -> C + Sync),
    ) -> Result<u64, StoreError> {
        self.count_contents_split_from(selection, counter, SPLIT_MIN_ROWS)
    }

    /// [`count_contents`](Store::count_contents), splitting the scan from `min_rows` on.
    fn count_contents_split_from<C: ContentCount + 'static>(
        &self,
        selection: &Selection,
        counter: &(dyn Fn() -> C + Sync),
        min_rows: i64,
    ) -> Result<u64, StoreError> {
        let _snapshot = self.snapshot()?;
        let cache_before: i64 = self
            .conn
            .query_row("PRAGMA cache_size", [], |row| row.get(0))?;
        self.conn.execute_batch(SCAN_CACHE)?;
        let count = self.count_contents_in_parts(selection, counter, min_rows);
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = {cache_before}"))?;
        count
    }

    fn count_contents_in_parts<C: ContentCount + 'static>(
        &self,
        selection: &Selection,
        counter: &(dyn Fn() -> C + Sync),
        min_rows: i64,
    ) -> Result<u64, StoreError> {
        if *selection != Selection::default() {
            // The indexes select the rows; blocks hold every message.
            return count_in(&self.conn, selection, None, counter());
        }
        let blocks_end = content_block::blocks_end(&self.conn)?;
        let parts = self.every_content_in_parts(min_rows, &|conn, range| {
            count_every_content(conn, range, blocks_end, counter())
        })?;
        Ok(parts.into_iter().sum())
    }

    /// The ids of the messages whose contents `matcher` finds (made for each connection
    /// that reads), among every message, in id order; `None` as soon as it finds more
    /// than `cap`. Reads every content as a count of every message does
    /// ([`count_contents`](Store::count_contents)): the content blocks, then the rows
    /// after them, split by archive id across up to two connections, with a small page
    /// cache. A block that does not hold a content for each id of its range, which only
    /// a database changed outside plupper-archive has, is read from the rows instead.
    pub fn content_matches<M: ContentMatch + 'static>(
        &self,
        matcher: &(dyn Fn() -> M + Sync),
        cap: usize,
    ) -> Result<Option<Vec<ArchiveId>>, StoreError> {
        self.content_matches_split_from(matcher, cap, SPLIT_MIN_ROWS)
    }

    /// [`content_matches`](Store::content_matches), splitting the scan from `min_rows` on.
    fn content_matches_split_from<M: ContentMatch + 'static>(
        &self,
        matcher: &(dyn Fn() -> M + Sync),
        cap: usize,
        min_rows: i64,
    ) -> Result<Option<Vec<ArchiveId>>, StoreError> {
        let _snapshot = self.snapshot()?;
        let cache_before: i64 = self
            .conn
            .query_row("PRAGMA cache_size", [], |row| row.get(0))?;
        self.conn.execute_batch(SCAN_CACHE)?;
        let parts = content_block::blocks_end(&self.conn).and_then(|blocks_end| {
            self.every_content_in_parts(min_rows, &|conn, range| {
                match_every_content(conn, range, blocks_end, matcher(), cap)
            })
        });
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = {cache_before}"))?;
        let mut ids = Vec::new();
        for part in parts? {
            let Some(part) = part else {
                return Ok(None);
            };
            ids.extend(part);
            if ids.len() > cap {
                return Ok(None);
            }
        }
        Ok(Some(ids))
    }

    /// `scan` of every message, in id ranges ([`split_ids`](Store::split_ids)): the
    /// first on this connection, each other one on a second connection and thread. The
    /// answers in id order.
    fn every_content_in_parts<T: Send>(
        &self,
        min_rows: i64,
        scan: &(dyn Fn(&Connection, IdRange) -> Result<T, StoreError> + Sync),
    ) -> Result<Vec<T>, StoreError> {
        let Some(ranges) = self.split_ids(min_rows)? else {
            let range = IdRange {
                after: None,
                up_to: i64::MAX,
            };
            return Ok(vec![scan(&self.conn, range)?]);
        };
        let path = self.dir.join(crate::DATABASE_FILE);
        let immutable = self.immutable;
        std::thread::scope(|scope| {
            let others: Vec<_> = ranges[1..]
                .iter()
                .map(|&range| {
                    let path = &path;
                    crate::cores::spawn_beside(scope, move || {
                        scan(&open_reader(path, immutable)?, range)
                    })
                })
                .collect();
            let mut parts = vec![scan(&self.conn, ranges[0])];
            for other in others {
                parts.push(
                    other
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                );
            }
            parts.into_iter().collect()
        })
    }

    /// The id ranges a count of every content is split into, or `None` to count in one
    /// piece: inside a write transaction, on a single core, or when the archive is too
    /// small for a second connection to pay. The bounds between the ranges are the
    /// bounds of content blocks.
    fn split_ids(&self, min_rows: i64) -> Result<Option<Vec<IdRange>>, StoreError> {
        if self.conn.transaction_state(None::<&str>)? == TransactionState::Write {
            return Ok(None);
        }
        let highest: Option<i64> =
            self.conn
                .query_row("SELECT max(id) FROM message", [], |row| row.get(0))?;
        let highest = highest.unwrap_or(0);
        let parts = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(SCAN_PARTS);
        if highest < min_rows || parts < 2 {
            return Ok(None);
        }
        // i128: no bound may overflow, whatever ids a database holds.
        let bound = |part: usize| {
            let share = (i128::from(highest) * part as i128 / parts as i128) as i64;
            if part == parts {
                share
            } else {
                share - share.rem_euclid(BLOCK_MESSAGES)
            }
        };
        Ok(Some(
            (0..parts)
                .map(|part| IdRange {
                    after: (part > 0).then(|| bound(part)),
                    up_to: bound(part + 1),
                })
                .collect(),
        ))
    }
}

/// Archive ids `after < id <= up_to`; the first range has no lower bound.
#[derive(Debug, Clone, Copy)]
struct IdRange {
    after: Option<i64>,
    up_to: i64,
}

/// Into how many id ranges a scan of every message is split. Measured on two cores, a
/// count over 1M messages took about 170 ms in two parts against 270 ms in one.
const SCAN_PARTS: usize = 2;

/// Below this many messages a scan is not split: the second connection and thread cost
/// more than they save.
const SPLIT_MIN_ROWS: i64 = 50_000;

/// The page cache of a content scan, which reads each page once: one that fits in a
/// core's cache served a count over 1M messages about 15 % faster than the default 2 MiB.
const SCAN_CACHE: &str = "PRAGMA cache_size = -256";

/// Feeds every content with an id in `range` to `counter`, on `conn`: from the content
/// blocks up to `blocks_end` (the end the counting connection saw; blocks are never
/// changed, so every connection reads the same ones), then from the message rows after
/// them. `range.after` is `None` or the end of a block. (Ids start at 1: a row with a
/// lower id, which only a change outside plupper-archive makes and `verify` reports, is
/// counted only while there are no blocks.)
fn count_every_content<C: ContentCount + 'static>(
    conn: &Connection,
    range: IdRange,
    blocks_end: i64,
    mut counter: C,
) -> Result<u64, StoreError> {
    let after = range.after.unwrap_or(0);
    let covered = range.up_to.min(blocks_end);
    let covered = covered - covered.rem_euclid(BLOCK_MESSAGES);
    if covered <= after {
        return count_in(conn, &Selection::default(), Some(range), counter);
    }
    each_block(conn, after, covered, |first, lengths, contents| {
        for content in content_block::contents(lengths, contents) {
            let content = content.map_err(|why| damaged(first, why))?;
            counter.add(content).map_err(not_utf8)?;
        }
        Ok(true)
    })?;
    let rest = IdRange {
        after: Some(covered),
        up_to: range.up_to,
    };
    count_in(conn, &Selection::default(), Some(rest), counter)
}

/// Calls `visit` with each content block whose first id is in `after < first <=
/// covered`, in id order: its first id, its lengths and its contents; stops when `visit`
/// answers false.
fn each_block(
    conn: &Connection,
    after: i64,
    covered: i64,
    mut visit: impl FnMut(i64, &[u8], &[u8]) -> Result<bool, StoreError>,
) -> Result<(), StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT first_id, lengths, contents FROM content_block
         WHERE first_id > ?1 AND first_id <= ?2 ORDER BY first_id",
    )?;
    let mut rows = statement.query([after, covered])?;
    while let Some(row) = rows.next()? {
        let first: i64 = row.get(0)?;
        let (ValueRef::Blob(lengths), ValueRef::Blob(contents)) =
            (row.get_ref(1)?, row.get_ref(2)?)
        else {
            return Err(damaged(first, "it holds values that are not blobs"));
        };
        if !visit(first, lengths, contents)? {
            break;
        }
    }
    Ok(())
}

/// The error of a content block (the one from id `first`) that is not what it should be.
fn damaged(first: i64, why: &'static str) -> StoreError {
    StoreError::ContentBlock {
        first,
        last: first + BLOCK_MESSAGES - 1,
        why,
    }
}

/// Gives every content with an id in `range` to `matcher`, on `conn`, as
/// [`count_every_content`] does, and answers the ids it finds; `None` as soon as they
/// are more than `cap`. Also reads the rows with ids below 1 in the first range (which
/// only a change outside plupper-archive makes), so that it finds every matching row.
fn match_every_content<M: ContentMatch>(
    conn: &Connection,
    range: IdRange,
    blocks_end: i64,
    mut matcher: M,
    cap: usize,
) -> Result<Option<Vec<ArchiveId>>, StoreError> {
    let after = range.after.unwrap_or(0);
    if range.after.is_none() {
        match_rows(conn, None, 0, &mut matcher)?;
    }
    let covered = range.up_to.min(blocks_end);
    let covered = (covered - covered.rem_euclid(BLOCK_MESSAGES)).max(after);
    let mut within_cap = true;
    each_block(conn, after, covered, |first, lengths, contents| {
        // A length's last byte is below 0x80: one such byte a content.
        let held = lengths.iter().filter(|&&byte| byte < 0x80).count();
        if held as i64 == BLOCK_MESSAGES {
            for (id, content) in (first..).zip(content_block::contents(lengths, contents)) {
                let content = content.map_err(|why| damaged(first, why))?;
                matcher.add(ArchiveId(id), content).map_err(not_utf8)?;
            }
        } else {
            match_rows(
                conn,
                Some(first - 1),
                first + BLOCK_MESSAGES - 1,
                &mut matcher,
            )?;
        }
        within_cap = matcher.found() <= cap;
        Ok(within_cap)
    })?;
    if !within_cap {
        return Ok(None);
    }
    match_rows(conn, Some(covered), range.up_to, &mut matcher)?;
    let ids = matcher.finish().map_err(not_utf8)?;
    Ok((ids.len() <= cap).then_some(ids))
}

/// Gives the contents of the messages with ids `after < id <= up_to` (no lower bound
/// without `after`) to `matcher`, in id order, stepping through their rows.
fn match_rows<M: ContentMatch>(
    conn: &Connection,
    after: Option<i64>,
    up_to: i64,
    matcher: &mut M,
) -> Result<(), StoreError> {
    // Two statements, so that each is a range of the rowid B-tree.
    let (mut statement, bounds) = match after {
        Some(after) => (
            conn.prepare_cached(
                "SELECT id, content FROM message WHERE id > ?1 AND id <= ?2 ORDER BY id",
            )?,
            vec![after, up_to],
        ),
        None => (
            conn.prepare_cached("SELECT id, content FROM message WHERE id <= ?1 ORDER BY id")?,
            vec![up_to],
        ),
    };
    let mut rows = statement.query(rusqlite::params_from_iter(bounds))?;
    while let Some(row) = rows.next()? {
        let id = ArchiveId(row.get(0)?);
        match row.get_ref(1)? {
            ValueRef::Text(content) => matcher.add(id, content).map_err(not_utf8)?,
            _ => return Err(conversion_failure(1, FromSqlError::InvalidType)),
        }
    }
    Ok(())
}

/// The name of the SQL aggregate through which [`count_in`] feeds contents to a counter.
const FEED: &str = "plupper_count_contents";

/// Feeds the contents of the selection (within `range`) to `counter`, on `conn`: through
/// an SQL aggregate, because SQLite steps through rows inside one call for much less
/// than it costs to hand each row out.
fn count_in<C: ContentCount + 'static>(
    conn: &Connection,
    selection: &Selection,
    range: Option<IdRange>,
    counter: C,
) -> Result<u64, StoreError> {
    let (mut clause, mut values) = selection.where_clause();
    if let Some(range) = range {
        values.push(Value::Integer(range.up_to));
        clause.push_str(&format!(" AND id <= ?{}", values.len()));
        if let Some(after) = range.after {
            values.push(Value::Integer(after));
            clause.push_str(&format!(" AND id > ?{}", values.len()));
        }
    }
    let failure = Failure::default();
    let feed = Feed {
        counter: RefCell::new(Some(counter)),
        failure: Arc::clone(&failure),
    };
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    conn.create_aggregate_function(FEED, 1, flags, feed)?;
    let answer = conn.query_row(
        &format!("SELECT {FEED}(content) FROM message WHERE {clause}"),
        rusqlite::params_from_iter(values),
        |row| row.get::<_, i64>(0),
    );
    if let Err(error) = conn.remove_function(FEED, 1) {
        // Only while another statement of the connection is running; it is replaced the
        // next time.
        tracing::debug!(%error, "the content counter stays registered");
    }
    let failed = failure.lock().ok().and_then(|mut failed| failed.take());
    match (answer, failed) {
        (_, Some(error)) => Err(error),
        (Ok(total), None) => Ok(u64::try_from(total).unwrap_or_default()), // never negative
        (Err(error), None) => Err(error.into()),
    }
}

/// Why a [`Feed`] stopped, for [`count_in`]: SQLite passes on only a message.
type Failure = Arc<Mutex<Option<StoreError>>>;

/// The SQL aggregate that gives each content to a counter and answers its total.
struct Feed<C> {
    /// Until the first row, or the end of a scan without rows.
    counter: RefCell<Option<C>>,
    failure: Failure,
}

impl<C> Feed<C> {
    fn fail(&self, error: StoreError) -> rusqlite::Error {
        let message = error.to_string();
        if let Ok(mut failure) = self.failure.lock() {
            *failure = Some(error);
        }
        rusqlite::Error::UserFunctionError(message.into())
    }

    fn take_counter(&self) -> rusqlite::Result<C> {
        self.counter
            .borrow_mut()
            .take()
            .ok_or_else(|| rusqlite::Error::UserFunctionError("the counter is used up".into()))
    }
}

fn not_utf8(error: Utf8Error) -> StoreError {
    conversion_failure(0, FromSqlError::other(error))
}

// A counter that panicked is dropped with its scan, never looked at again.
impl<C: ContentCount> Aggregate<AssertUnwindSafe<C>, i64> for Feed<C> {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<AssertUnwindSafe<C>> {
        self.take_counter().map(AssertUnwindSafe)
    }

    fn step(
        &self,
        context: &mut Context<'_>,
        counter: &mut AssertUnwindSafe<C>,
    ) -> rusqlite::Result<()> {
        let added = match context.get_raw(0) {
            ValueRef::Text(content) => counter.add(content).map_err(not_utf8),
            _ => Err(conversion_failure(0, FromSqlError::InvalidType)),
        };
        added.map_err(|error| self.fail(error))
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        counter: Option<AssertUnwindSafe<C>>,
    ) -> rusqlite::Result<i64> {
        let mut counter = match counter {
            Some(counter) => counter.0,
            None => self.take_counter()?,
        };
        let total = counter
            .total()
            .map_err(|error| self.fail(not_utf8(error)))?;
        Ok(i64::try_from(total).unwrap_or(i64::MAX))
    }
}

/// A second, read-only connection to the archive's database, for a split scan.
fn open_reader(path: &Path, immutable: bool) -> Result<Connection, StoreError> {
    let conn = crate::open_second_connection(path, immutable)?;
    conn.execute_batch(SCAN_CACHE)?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests: a failure is a panic

    use plupper_model::element::parse_element;

    use super::*;
    use crate::Arrival;

    fn arrival(content: &str, position: u64) -> Arrival {
        let text = format!(
            r#"{{"content":"{content}","customerId":null,"created":"Wed Apr 29 17:16:13 CEST 2009","visitorId":1,"type":"VO","operator":"john"}}"#
        );
        Arrival::new(parse_element(text.as_bytes()).unwrap(), position)
    }

    /// An archive of `count` messages, the i-th with content "m{i}".
    fn archive(count: u64) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let arrivals: Vec<Arrival> = (0..count).map(|i| arrival(&format!("m{i}"), i)).collect();
        let mut unit = store.begin("test").unwrap();
        unit.apply(&arrivals, &[]).unwrap();
        unit.finish().unwrap();
        (dir, store)
    }

    /// Counts the contents that `keep` accepts, checking that they are UTF-8.
    struct Keep<F>(F, u64);

    impl<F: FnMut(&[u8]) -> bool> ContentCount for Keep<F> {
        fn add(&mut self, content: &[u8]) -> Result<(), Utf8Error> {
            std::str::from_utf8(content)?;
            self.1 += u64::from(self.0(content));
            Ok(())
        }

        fn total(&mut self) -> Result<u64, Utf8Error> {
            Ok(self.1)
        }
    }

    /// The ids of the messages of `archive(count)` whose contents end in `digit`: message
    /// i has content "m{i}" and id i + 1.
    fn ids_ending_in(count: u64, digit: u8) -> Vec<i64> {
        (0..count)
            .filter(|i| i.to_string().ends_with(char::from(digit)))
            .map(|i| i as i64 + 1)
            .collect()
    }

    /// Counts the contents ending in `digit`, split from `min_rows` on.
    fn ending_in(store: &Store, digit: u8, min_rows: i64) -> u64 {
        let counter = || Keep(move |content: &[u8]| content.last() == Some(&digit), 0);
        store
            .count_contents_split_from(&Selection::default(), &counter, min_rows)
            .unwrap()
    }

    #[test]
    fn a_split_count_equals_the_count_in_one_piece() {
        // Content blocks, and rows after them, in either piece.
        let blocks = 2 * BLOCK_MESSAGES as u64;
        for count in [0, 1, 2, 3, 101, blocks, blocks + 3] {
            let (_dir, store) = archive(count);
            for digit in [b'0', b'1', b'7'] {
                let expected = ids_ending_in(count, digit).len() as u64;
                assert_eq!(
                    ending_in(&store, digit, i64::MAX),
                    expected,
                    "{count} {digit}"
                );
                assert_eq!(ending_in(&store, digit, 0), expected, "{count} {digit}");
            }
        }
    }

    /// The ids of the messages whose contents end in `digit` (message i, content "m{i}",
    /// has id i + 1), found with a cap of `cap`, split from `min_rows` on.
    fn found_ending_in(store: &Store, digit: u8, cap: usize, min_rows: i64) -> Option<Vec<i64>> {
        let matcher = || EndsIn(digit, Vec::new());
        store
            .content_matches_split_from(&matcher, cap, min_rows)
            .unwrap()
            .map(|ids| ids.into_iter().map(|id| id.0).collect())
    }

    /// Finds the contents ending in a byte, checking that they are UTF-8.
    struct EndsIn(u8, Vec<ArchiveId>);

    impl ContentMatch for EndsIn {
        fn add(&mut self, id: ArchiveId, content: &[u8]) -> Result<(), Utf8Error> {
            std::str::from_utf8(content)?;
            if content.last() == Some(&self.0) {
                self.1.push(id);
            }
            Ok(())
        }

        fn found(&self) -> usize {
            self.1.len()
        }

        fn finish(self) -> Result<Vec<ArchiveId>, Utf8Error> {
            Ok(self.1)
        }
    }

    #[test]
    fn matches_are_the_ids_of_the_matching_contents_split_or_not() {
        let blocks = 2 * BLOCK_MESSAGES as u64;
        for count in [0, 1, 2, 3, 101, blocks, blocks + 3] {
            let (_dir, store) = archive(count);
            for digit in [b'0', b'1', b'7'] {
                let expected = ids_ending_in(count, digit);
                for min_rows in [i64::MAX, 0] {
                    let found = found_ending_in(&store, digit, usize::MAX, min_rows);
                    assert_eq!(
                        found.as_ref(),
                        Some(&expected),
                        "{count} {digit} {min_rows}"
                    );
                }
                // One more than the cap is too many, in either piece.
                if let Some(cap) = expected.len().checked_sub(1) {
                    for min_rows in [i64::MAX, 0] {
                        let found = found_ending_in(&store, digit, cap, min_rows);
                        assert_eq!(found, None, "{count} {digit} {min_rows}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_contains_matcher_finds_what_the_contains_count_counts() {
        let (_dir, store) = archive(2 * BLOCK_MESSAGES as u64 + 5);
        for needle in ["m1", "M99", "7", "", "x"] {
            let contains = plupper_model::Contains::new(needle);
            let found = store
                .content_matches_split_from(&|| contains.matcher(), usize::MAX, 0)
                .unwrap()
                .unwrap();
            let counted = store
                .count_contents(&Selection::default(), &|| contains.counter())
                .unwrap();
            assert_eq!(found.len() as u64, counted, "{needle}");
            let every: Vec<ArchiveId> = (1..=2 * BLOCK_MESSAGES + 5).map(ArchiveId).collect();
            let expected: Vec<ArchiveId> = store
                .messages_by_ids(&every)
                .unwrap()
                .into_iter()
                .filter(|message| contains.matches(&message.message.content))
                .map(|message| message.id)
                .collect();
            assert_eq!(found, expected, "{needle}");
        }
    }

    #[test]
    fn a_block_with_an_id_missing_is_read_from_the_rows() {
        // Only a change outside plupper-archive removes a message: then its block, made
        // again, holds one content fewer, and the ids after the gap are not the block's
        // first id plus their place in it.
        let (_dir, store) = archive(BLOCK_MESSAGES as u64 + 10);
        store
            .conn
            .execute_batch("DELETE FROM message WHERE id = 5")
            .unwrap();
        let block = content_block::derive(&store.conn, 1).unwrap();
        store
            .conn
            .execute(
                "UPDATE content_block SET lengths = ?1, contents = ?2 WHERE first_id = 1",
                rusqlite::params![block.lengths, block.contents],
            )
            .unwrap();
        // Message i has content "m{i}" and id i + 1: the contents ending in 7 are those
        // of ids ending in 8; id 5 (content m4) is gone.
        let expected: Vec<i64> = (1..=BLOCK_MESSAGES + 10)
            .filter(|id| id % 10 == 8)
            .collect();
        for min_rows in [i64::MAX, 0] {
            assert_eq!(
                found_ending_in(&store, b'7', usize::MAX, min_rows),
                Some(expected.clone())
            );
            let gone: Vec<i64> = (1..=BLOCK_MESSAGES + 10)
                .filter(|id| id % 10 == 5)
                .skip(1)
                .collect();
            assert_eq!(
                found_ending_in(&store, b'4', usize::MAX, min_rows),
                Some(gone)
            );
        }
    }

    #[test]
    fn rows_below_id_1_are_found_too() {
        // Only a change outside plupper-archive gives a row such an id; the blocks start
        // at id 1, so these are read from the rows, the lowest possible id included.
        let (_dir, store) = archive(BLOCK_MESSAGES as u64 + 3);
        for id in [i64::MIN, -5, 0] {
            store
                .conn
                .execute(
                    "INSERT INTO message (id, content, customer_id, created, visitor_id, type,
                         operator, written_date, wall_clock, utc_offset, original_kind,
                         original, batch_id, position)
                     SELECT ?1, 'below 7', customer_id, created, visitor_id, type, operator,
                         written_date, wall_clock, utc_offset, original_kind, original,
                         batch_id, position
                     FROM message WHERE id = 1",
                    [id],
                )
                .unwrap();
        }
        let expected: Vec<i64> = [i64::MIN, -5, 0]
            .into_iter()
            .chain((1..=BLOCK_MESSAGES + 3).filter(|id| id % 10 == 8))
            .collect();
        for min_rows in [i64::MAX, 0] {
            let found = found_ending_in(&store, b'7', usize::MAX, min_rows);
            assert_eq!(found, Some(expected.clone()), "{min_rows}");
        }
    }

    #[test]
    fn a_count_gives_the_connection_its_page_cache_back() {
        let (_dir, store) = archive(10);
        let cache = || -> i64 {
            store
                .conn
                .query_row("PRAGMA cache_size", [], |row| row.get(0))
                .unwrap()
        };
        store
            .conn
            .execute_batch("PRAGMA cache_size = -3000")
            .unwrap();
        assert_eq!(ending_in(&store, b'1', 0), 1);
        assert_eq!(cache(), -3000);
    }

    #[test]
    fn a_split_count_reads_the_snapshot_it_is_in() {
        let (dir, store) = archive(50);
        let mut writer = Store::open(dir.path()).unwrap();
        let snapshot = store.snapshot().unwrap();
        assert_eq!(ending_in(snapshot.store(), b'1', 0), 5);
        // Committed after the snapshot began: a second connection opened now sees them.
        let late: Vec<Arrival> = (0..20).map(|i| arrival("late 1", i)).collect();
        let mut unit = writer.begin("later").unwrap();
        unit.apply(&late, &[]).unwrap();
        unit.finish().unwrap();
        assert_eq!(ending_in(snapshot.store(), b'1', 0), 5);
        drop(snapshot);
        assert_eq!(ending_in(&store, b'1', 0), 25);
    }

    #[test]
    fn a_count_inside_a_write_transaction_sees_its_own_changes() {
        let (_dir, store) = archive(50);
        store.conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        store
            .conn
            .execute(
                "INSERT INTO message (content, created, type, written_date, wall_clock, original_kind, original, batch_id, position)
                 SELECT 'uncommitted 1', created, type, written_date, wall_clock, original_kind, original, batch_id, position
                 FROM message WHERE id = 50",
                [],
            )
            .unwrap();
        assert_eq!(ending_in(&store, b'1', 0), 6);
        store.conn.execute_batch("ROLLBACK").unwrap();
        assert_eq!(ending_in(&store, b'1', 0), 5);
    }

    #[test]
    fn contents_that_are_not_text_or_not_utf8_are_errors_in_either_piece() {
        let (dir, store) = archive(50);
        let tamper = Connection::open(dir.path().join(crate::DATABASE_FILE)).unwrap();
        let accept = || Keep(|_: &[u8]| true, 0);
        // Text that is not UTF-8, then a blob.
        for content in ["CAST(x'ff' AS TEXT)", "x'41'"] {
            tamper
                .execute(
                    &format!("UPDATE message SET content = {content} WHERE id = 40"),
                    [],
                )
                .unwrap();
            for min_rows in [0, i64::MAX] {
                let error = store
                    .count_contents_split_from(&Selection::default(), &accept, min_rows)
                    .unwrap_err();
                assert!(
                    matches!(
                        error,
                        StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(..))
                    ),
                    "{content}: {error:?}"
                );
            }
        }
    }
}
