//! Reading archived messages back.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use rusqlite::types::ValueRef;
use rusqlite::{OptionalExtension, Row};

use plupper_model::date::{format_java_date, format_rfc3339};
use plupper_model::wire::canonical_element;
use plupper_model::{Message, Original, OriginalKind};

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

/// The columns [`from_row`] reads, in its order.
pub(crate) const COLUMNS: &str = "id, content, customer_id, created, visitor_id, type, operator, \
     written_date, wall_clock, utc_offset, original_kind, original";

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<StoredMessage> {
    from_row_at(row, 0)
}

/// Reads [`COLUMNS`] from a row in which they start at column `base`.
pub(crate) fn from_row_at(row: &Row<'_>, base: usize) -> rusqlite::Result<StoredMessage> {
    let column = |i: usize| base + i;
    let wall_clock = DateTime::from_timestamp(row.get(column(8))?, 0)
        .ok_or_else(|| corrupt(column(8), "wall_clock"))?
        .naive_utc();
    let message = Message {
        content: row.get(column(1))?,
        customer_id: row.get(column(2))?,
        created: created(row.get_ref(column(3))?, wall_clock)
            .ok_or_else(|| corrupt(column(3), "created"))?,
        visitor_id: row.get(column(4))?,
        message_type: row.get(column(5))?,
        operator: row.get(column(6))?,
    };
    let written: i64 = row.get(column(7))?;
    let written_date = NaiveDate::from_ymd_opt(
        (written / 10_000) as i32,
        (written / 100 % 100) as u32,
        (written % 100) as u32,
    )
    .ok_or_else(|| corrupt(column(7), "written_date"))?;
    let utc_offset = match row.get::<_, Option<i32>>(column(9))? {
        None => None,
        Some(seconds) => {
            Some(FixedOffset::east_opt(seconds).ok_or_else(|| corrupt(column(9), "utc_offset"))?)
        }
    };
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
        id: ArchiveId(row.get(column(0))?),
        message,
        written_date,
        wall_clock,
        utc_offset,
        kept_original,
    })
}

/// `created` as stored: the text itself, or (migration 7) the zone alone, as a BLOB, when
/// Java's format of the wall clock and zone gives the text back. `None`: neither.
pub(crate) fn created(stored: ValueRef<'_>, wall_clock: NaiveDateTime) -> Option<String> {
    match stored {
        ValueRef::Text(text) => String::from_utf8(text.to_vec()).ok(),
        ValueRef::Blob(zone) => std::str::from_utf8(zone)
            .ok()
            .map(|zone| format_java_date(wall_clock, zone)),
        _ => None,
    }
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
        let mut statement = self.conn.prepare_cached(
            "SELECT id, content, operator, customer_id, visitor_id, written_date, sort_key
             FROM message WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT ?3",
        )?;
        let rows =
            statement.query_map(rusqlite::params![after.0, up_to.0, limit as i64], |row| {
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
        let mut statement = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM message WHERE id = ?1"))?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(message) = statement.query_row([id.0], from_row).optional()? {
                out.push(message);
            }
        }
        Ok(out)
    }
}
