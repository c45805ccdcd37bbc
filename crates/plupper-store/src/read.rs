//! Reading archived messages back.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use rusqlite::types::{FromSqlError, Type, ValueRef};
use rusqlite::{OptionalExtension, Row};

use plupper_model::date::{format_java_date, format_rfc3339};
use plupper_model::wire::{CreatedText, MessageView, canonical_element};
use plupper_model::{Message, Original, OriginalKind};

use crate::query::OrderKey;
use crate::{ArchiveId, Store, StoreError};

/// An archived message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// Its archive id.
    pub id: ArchiveId,
    /// The six fields.
    pub message: Message,
    /// The calendar date written in `created`.
    pub written_date: NaiveDate,
    /// The wall clock written in `created`.
    pub wall_clock: NaiveDateTime,
    /// The offset of the zone written in `created`, when known.
    pub utc_offset: Option<FixedOffset>,
    /// The element's original text when the archive keeps it, that is, when it is not
    /// the canonical element of `message` (`None`, most messages: see
    /// [`StoredMessage::original`]).
    pub kept_original: Option<Original>,
}

impl StoredMessage {
    /// The instant, with the offset written in `created`; `None` when the zone is unknown.
    pub fn timestamp(&self) -> Option<DateTime<FixedOffset>> {
        self.wall_clock
            .and_local_timezone(self.utc_offset?)
            .single()
    }

    /// [`StoredMessage::timestamp`] as RFC 3339 (`2009-04-29T17:16:13+02:00`), as
    /// chrono's `to_rfc3339` writes it, without its formatting machinery.
    pub fn timestamp_rfc3339(&self) -> Option<String> {
        Some(format_rfc3339(self.wall_clock, self.utc_offset?))
    }

    /// The fields a listing prints, borrowed.
    pub fn view(&self) -> MessageView<'_> {
        let message = &self.message;
        MessageView {
            id: self.id.0,
            content: &message.content,
            customer_id: message.customer_id.as_deref(),
            created: CreatedText::Written(&message.created),
            visitor_id: message.visitor_id,
            message_type: &message.message_type,
            operator: message.operator.as_deref(),
            wall_clock: self.wall_clock,
            utc_offset: self.utc_offset,
        }
    }

    /// The element's original text, byte for byte. Most elements are the canonical
    /// element of their six fields, which the archive does not store twice: it is written
    /// out here, when asked for, not each time a message is read.
    pub fn original(&self) -> Cow<'_, Original> {
        match &self.kept_original {
            Some(original) => Cow::Borrowed(original),
            None => Cow::Owned(Original {
                kind: OriginalKind::String,
                text: canonical_element(&self.message),
            }),
        }
    }
}

// The literal of `VIEW_COLUMNS`, for `concat!`.
macro_rules! view_columns {
    () => {
        "id, content, customer_id, created, visitor_id, type, operator, wall_clock, utc_offset"
    };
}

/// The columns [`view_at`] reads, in its order: what a listing prints.
pub(crate) const VIEW_COLUMNS: &str = view_columns!();

/// The columns [`from_row`] reads, in its order: [`VIEW_COLUMNS`], then what only a whole
/// message needs. A listing selects the view's columns alone, since SQLite decodes every
/// selected column of every row it gives.
pub(crate) const COLUMNS: &str =
    concat!(view_columns!(), ", written_date, original_kind, original");

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<StoredMessage> {
    from_row_at(row, 0)
}

/// Reads [`COLUMNS`] from a row in which they start at column `base`.
pub(crate) fn from_row_at(row: &Row<'_>, base: usize) -> rusqlite::Result<StoredMessage> {
    let column = |i: usize| base + i;
    let view = view_at(row, base)?;
    let message = Message {
        content: view.content.to_owned(),
        customer_id: view.customer_id.map(str::to_owned),
        created: match view.created {
            CreatedText::Written(text) => text.to_owned(),
            CreatedText::JavaFormat { zone } => format_java_date(view.wall_clock, zone),
        },
        visitor_id: view.visitor_id,
        message_type: view.message_type.to_owned(),
        operator: view.operator.map(str::to_owned),
    };
    let written: i64 = row.get(column(9))?;
    let written_date = NaiveDate::from_ymd_opt(
        (written / 10_000) as i32,
        (written / 100 % 100) as u32,
        (written % 100) as u32,
    )
    .ok_or_else(|| corrupt(column(9), "written_date"))?;
    let kept_original = match (
        row.get::<_, u8>(column(10))?,
        row.get::<_, Option<String>>(column(11))?,
    ) {
        (0, None) => None,
        (1, Some(text)) => Some(Original {
            kind: OriginalKind::String,
            text,
        }),
        (2, Some(text)) => Some(Original {
            kind: OriginalKind::Object,
            text,
        }),
        _ => return Err(corrupt(column(10), "original_kind")),
    };
    Ok(StoredMessage {
        id: ArchiveId(view.id),
        message,
        written_date,
        wall_clock: view.wall_clock,
        utc_offset: view.utc_offset,
        kept_original,
    })
}

/// The fields a listing prints from a row of [`COLUMNS`] starting at column `base`,
/// borrowed from the row.
pub(crate) fn view_at<'r>(row: &'r Row<'_>, base: usize) -> rusqlite::Result<MessageView<'r>> {
    let column = |i: usize| base + i;
    // As `ValueRef::as_str_or_null` and `as_str` say, with a faster UTF-8 check.
    let failure = |i: usize, error: FromSqlError| {
        rusqlite::Error::FromSqlConversionFailure(column(i), Type::Text, error.into())
    };
    let optional_text = |i: usize| -> rusqlite::Result<Option<&'r str>> {
        match row.get_ref(column(i))? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(bytes) => utf8(bytes)
                .map(Some)
                .map_err(|e| failure(i, FromSqlError::Other(e.into()))),
            _ => Err(failure(i, FromSqlError::InvalidType)),
        }
    };
    let text = |i: usize| -> rusqlite::Result<&'r str> {
        optional_text(i)?.ok_or_else(|| failure(i, FromSqlError::InvalidType))
    };
    let wall_clock = DateTime::from_timestamp(row.get(column(7))?, 0)
        .ok_or_else(|| corrupt(column(7), "wall_clock"))?
        .naive_utc();
    let created = match row.get_ref(column(3))? {
        ValueRef::Text(text) => utf8(text).map(CreatedText::Written),
        ValueRef::Blob(zone) => utf8(zone).map(|zone| CreatedText::JavaFormat { zone }),
        _ => return Err(corrupt(column(3), "created")),
    }
    .map_err(|_| corrupt(column(3), "created"))?;
    let utc_offset = match row.get::<_, Option<i32>>(column(8))? {
        None => None,
        Some(seconds) => {
            Some(FixedOffset::east_opt(seconds).ok_or_else(|| corrupt(column(8), "utc_offset"))?)
        }
    };
    Ok(MessageView {
        id: row.get(column(0))?,
        content: text(1)?,
        customer_id: optional_text(2)?,
        created,
        visitor_id: row.get(column(4))?,
        message_type: text(5)?,
        operator: optional_text(6)?,
        wall_clock,
        utc_offset,
    })
}

/// `bytes` as text, checked with SIMD first (a listing checks every text it prints);
/// the standard library says what is wrong with bytes that are not UTF-8.
fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    simdutf8::basic::from_utf8(bytes).or_else(|_| std::str::from_utf8(bytes))
}

fn corrupt(column: usize, name: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Integer,
        format!("column {name} holds a value no version of plupper-archive writes").into(),
    )
}

impl Store {
    /// The message with this archive id, if there is one.
    pub fn message(&self, id: ArchiveId) -> Result<Option<StoredMessage>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM message WHERE id = ?1"))?;
        Ok(statement.query_row([id.0], from_row).optional()?)
    }
}

/// What the search index needs of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexRow {
    /// The archive id.
    pub id: ArchiveId,
    /// The content.
    pub content: String,
    /// The operator.
    pub operator: Option<String>,
    /// The customer id.
    pub customer_id: Option<String>,
    /// The visitor id.
    pub visitor_id: Option<i64>,
    /// The written date as YYYYMMDD.
    pub written_date: i64,
    /// The answer-order key (instant, or wall clock read as UTC).
    pub sort_key: i64,
}

impl Store {
    /// Up to `limit` messages with ids after `after` and up to `up_to`, in id order, as the
    /// search index takes them.
    pub fn index_rows(
        &self,
        after: ArchiveId,
        up_to: ArchiveId,
        limit: usize,
    ) -> Result<Vec<IndexRow>, StoreError> {
        // The limit written out, as in `scan_page`.
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT id, content, operator, customer_id, visitor_id, written_date, sort_key
             FROM message WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT {limit}"
        ))?;
        let rows = statement.query_map(rusqlite::params![after.0, up_to.0], |row| {
            Ok(IndexRow {
                id: ArchiveId(row.get(0)?),
                content: row.get(1)?,
                operator: row.get(2)?,
                customer_id: row.get(3)?,
                visitor_id: row.get(4)?,
                written_date: row.get(5)?,
                sort_key: row.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The messages with these ids, in the order given (ids that do not exist are left out).
    pub fn messages_by_ids(&self, ids: &[ArchiveId]) -> Result<Vec<StoredMessage>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        self.rows_by_ids(COLUMNS, ids, |row| {
            out.push(from_row(row)?);
            Ok::<_, StoreError>(())
        })?;
        Ok(out)
    }

    /// The order keys of the messages with these ids, in the order given (ids that do not
    /// exist are left out): for an index whose hits in a segment are too few to be worth
    /// opening its column of order keys.
    pub fn order_keys(&self, ids: &[ArchiveId]) -> Result<Vec<OrderKey>, StoreError> {
        let mut keys = Vec::with_capacity(ids.len());
        self.rows_by_ids("sort_key, id", ids, |row| {
            keys.push(OrderKey {
                sort_key: row.get(0).map_err(StoreError::from)?,
                id: row.get(1).map_err(StoreError::from)?,
            });
            Ok::<_, StoreError>(())
        })?;
        Ok(keys)
    }

    /// Calls `visit` with each message with these ids, in the order given (ids that do not
    /// exist are left out), borrowed from its row: what a listing prints, without a copy
    /// of its fields. Stops at `visit`'s first error.
    pub fn visit_by_ids<E: From<StoreError>>(
        &self,
        ids: &[ArchiveId],
        mut visit: impl FnMut(&MessageView<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.rows_by_ids(VIEW_COLUMNS, ids, |row| {
            visit(&view_at(row, 0).map_err(StoreError::from)?)
        })
    }

    /// Writes the `ndjson` line ([`MessageView::write_ndjson`]) of each message with these
    /// ids, in the order given (ids that do not exist are left out), and hands the lines
    /// to `emit` in that order, some at a time, with how many lines each piece holds.
    /// Stops at `emit`'s first error.
    ///
    /// A listing of [`NDJSON_TWO_THREADS_FROM`] ids or more is read and written on two threads
    /// when the machine has two cores (and this connection has no write open): this one
    /// and another with a second, read-only connection, taking parts of [`NDJSON_PART`]
    /// ids in turn.
    /// The lines are the same, in the same order: an archived message never changes, so
    /// both connections read the same row for an id.
    pub fn ndjson_by_ids<E: From<StoreError>>(
        &self,
        ids: &[ArchiveId],
        mut emit: impl FnMut(&[u8], u64) -> Result<(), E>,
    ) -> Result<(), E> {
        // A second connection that cannot be opened leaves the work to this one.
        let helper = if ids.len() >= NDJSON_TWO_THREADS_FROM && crate::cores::two_cores() {
            self.second_reader().unwrap_or_else(|error| {
                tracing::debug!(%error, "a listing on one thread: no second connection");
                None
            })
        } else {
            None
        };
        let mut scratch = String::new();
        let Some(helper) = helper else {
            // A line at a time, through one small buffer.
            let mut line = Vec::new();
            return self.visit_by_ids(ids, |view| {
                line.clear();
                view.write_ndjson(&mut line, &mut scratch);
                emit(&line, 1)
            });
        };
        std::thread::scope(|scope| {
            // Two parts in the channel and one being written: memory stays bounded
            // whatever the answer's size, and the helper waits when this thread lags.
            // The helper's buffers come back to it once emitted (no new pages to fault
            // in for every part).
            let (sender, written) = std::sync::mpsc::sync_channel(2);
            let (give_back, given_back) = std::sync::mpsc::channel::<Vec<u8>>();
            crate::cores::spawn_beside(scope, move || {
                // One read transaction for all its parts: a statement outside one starts
                // its own, with a lock and a look at the journal and the file's header.
                let _snapshot = match helper.snapshot() {
                    Ok(snapshot) => snapshot,
                    Err(error) => {
                        let _ = sender.send(Err(error));
                        return;
                    }
                };
                let mut scratch = String::new();
                for part in ids.chunks(NDJSON_PART).skip(1).step_by(2) {
                    let mut bytes = given_back.try_recv().unwrap_or_default();
                    let result = write_lines(&helper, part, &mut bytes, &mut scratch)
                        .map(|count| (bytes, count));
                    let failed = result.is_err();
                    if sender.send(result).is_err() || failed {
                        return; // this thread stopped, or the helper failed
                    }
                }
            });
            // The helper's next part, emitted; it sends every part, or its error, and
            // stops before only by panicking (the scope then panics with it once this
            // returns).
            let helpers = |emit: &mut dyn Emit<E>| -> Result<(), E> {
                if let Some((bytes, count)) = written.recv().ok().transpose()? {
                    emit(&bytes, count)?;
                    let _ = give_back.send(bytes);
                }
                Ok(())
            };
            // This thread writes parts 0, 2, 4, …, each before it waits for the helper's
            // part before it, so that neither waits for the other's turn.
            let mut own = Vec::new();
            let parts = ids.len().div_ceil(NDJSON_PART);
            for (n, part) in ids.chunks(NDJSON_PART).enumerate().step_by(2) {
                let count = write_lines(self, part, &mut own, &mut scratch)?;
                if n > 0 {
                    helpers(&mut emit)?;
                }
                emit(&own, count)?;
            }
            if parts.is_multiple_of(2) {
                helpers(&mut emit)?;
            }
            Ok(())
        })
    }

    /// Calls `each` with the row of `columns` of each of these ids, in the order given.
    ///
    /// Ids that come in ascending order close together (a listing whose answer order is
    /// archive order, as upstream's order mostly is) are read in one walk of their id
    /// range, which steps over the rows between them instead of looking each one up from
    /// the table's root; the rows stepped over are tested by id alone, their columns never
    /// read. Any other id is looked up on its own.
    fn rows_by_ids<E: From<StoreError>>(
        &self,
        columns: &str,
        ids: &[ArchiveId],
        mut each: impl FnMut(&Row<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        // The lookup of one id is taken from the cache once for all of them: a sparse
        // listing makes one for each row, and formatting its SQL and asking the cache for
        // every row cost a sixth of the listing (`100%` at 5M messages, by callgrind:
        // 241M instructions, 203M with this).
        let mut single = None;
        let mut rest = ids;
        while !rest.is_empty() {
            let (window, after) = rest.split_at(id_window(rest));
            rest = after;
            let (first, last) = (window[0].0, window[window.len() - 1].0);
            if window.len() == 1 {
                let statement = match &mut single {
                    Some(statement) => statement,
                    None => single.insert(
                        self.conn
                            .prepare_cached(&format!("SELECT {columns} FROM message WHERE id = ?1"))
                            .map_err(StoreError::from)?,
                    ),
                };
                let mut rows = statement.query([first]).map_err(StoreError::from)?;
                if let Some(row) = rows.next().map_err(StoreError::from)? {
                    each(row)?;
                }
                continue;
            }
            // One bit per id of the range, set for the ids asked for.
            let mut wanted = vec![0u8; ((last - first) / 8 + 1) as usize];
            for id in window {
                let bit = (id.0 - first) as usize;
                wanted[bit / 8] |= 1 << (bit % 8);
            }
            let mut statement = self
                .conn
                .prepare_cached(&format!(
                    "SELECT {columns} FROM message WHERE id BETWEEN ?1 AND ?2 \
                     AND {WANTED}(?3, id - ?1) ORDER BY id"
                ))
                .map_err(StoreError::from)?;
            let mut rows = statement
                .query(rusqlite::params![first, last, wanted])
                .map_err(StoreError::from)?;
            while let Some(row) = rows.next().map_err(StoreError::from)? {
                each(row)?;
            }
        }
        Ok(())
    }
}

/// Ids in a part of a listing that [`Store::ndjson_by_ids`] writes at once.
pub const NDJSON_PART: usize = 512;

/// How many ids a listing needs for [`Store::ndjson_by_ids`] to read it on two threads:
/// below, a second connection (about 0.3 ms to open), its cold page cache and a thread
/// can cost more than they save. From 1,024, a 20k-message archive's listing of 1,127
/// dense rows took 4.1 ms on two threads against 3.2 on one; a 1M archive's sparse
/// 2,044 rows 11.7 against 14.1 ms.
pub const NDJSON_TWO_THREADS_FROM: usize = 4 * NDJSON_PART;

/// Hands out `ndjson` lines, with how many (see [`Store::ndjson_by_ids`]).
trait Emit<E>: FnMut(&[u8], u64) -> Result<(), E> {}

impl<E, F: FnMut(&[u8], u64) -> Result<(), E>> Emit<E> for F {}

/// Writes the `ndjson` lines of the messages with these ids into `bytes` (after clearing
/// it); how many.
fn write_lines(
    store: &Store,
    ids: &[ArchiveId],
    bytes: &mut Vec<u8>,
    scratch: &mut String,
) -> Result<u64, StoreError> {
    bytes.clear();
    let mut count = 0;
    store.visit_by_ids(ids, |view| {
        view.write_ndjson(bytes, scratch);
        count += 1;
        Ok::<_, StoreError>(())
    })?;
    Ok(count)
}

/// The SQL function that tells the rows a walk wants from those it steps over:
/// `WANTED(bits, n)` is 1 when bit `n` of the BLOB `bits` is set (bit 0 is the lowest of
/// the first byte), else 0 (also for `n` outside it). Stepping over a row then costs a
/// call that returns an integer, where `substr` on a byte per id made a BLOB to compare.
const WANTED: &str = "plupper_wanted";

/// Adds the functions the store's statements use to a connection.
pub(crate) fn add_functions(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        WANTED,
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |context| {
            let bits = match context.get_raw(0) {
                ValueRef::Blob(bits) => bits,
                _ => return Ok(0),
            };
            let n = match context.get_raw(1) {
                ValueRef::Integer(n) => n,
                _ => return Ok(0),
            };
            Ok(i64::from(bit_is_set(bits, n)))
        },
    )
}

/// Whether bit `n` of `bits` is set (false outside them).
fn bit_is_set(bits: &[u8], n: i64) -> bool {
    usize::try_from(n)
        .ok()
        .and_then(|n| bits.get(n / 8).map(|byte| byte & (1 << (n % 8)) != 0))
        .unwrap_or(false)
}

/// Ids further apart than this are looked up on their own rather than walked to: a lookup
/// costs about as much as stepping over this many rows.
const WINDOW_GAP: i64 = 16;

/// The most ids a walk's range spans (its BLOB holds a bit for each).
const WINDOW_SPAN: i64 = 1 << 16;

/// How many of `ids` (not empty) one walk reads: a run in ascending order, each within
/// [`WINDOW_GAP`] of the one before, spanning at most [`WINDOW_SPAN`] ids.
fn id_window(ids: &[ArchiveId]) -> usize {
    let first = ids[0].0;
    1 + ids
        .windows(2)
        .take_while(|pair| {
            let (before, id) = (pair[0].0, pair[1].0);
            id > before && id - before <= WINDOW_GAP && id - first < WINDOW_SPAN
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_wants_the_ids_whose_bits_are_set() {
        let bits = [0b0000_0101, 0b1000_0000];
        let set: Vec<i64> = (-2..20).filter(|&n| bit_is_set(&bits, n)).collect();
        // Bit 0 is the lowest of the first byte; nothing before or past the BLOB.
        assert_eq!(set, [0, 2, 15]);
        assert!(!bit_is_set(&[], 0));
    }

    #[test]
    fn the_wanted_function_answers_in_sql() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        add_functions(&conn).unwrap();
        let wanted = |n: &str| -> i64 {
            conn.query_row(&format!("SELECT {WANTED}(x'0580', {n})"), [], |row| {
                row.get(0)
            })
            .unwrap()
        };
        assert_eq!(
            ["0", "1", "2", "15", "16", "-1", "NULL", "'2'"].map(wanted),
            [1, 0, 1, 1, 0, 0, 0, 0]
        );
        // Not a BLOB: nothing is wanted.
        let text: i64 = conn
            .query_row(&format!("SELECT {WANTED}('abc', 0)"), [], |row| row.get(0))
            .unwrap();
        assert_eq!(text, 0);
    }
}
