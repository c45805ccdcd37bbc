//! Elements that could not be archived, kept verbatim with the reason.

use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

use crate::{BatchId, Store, StoreError};

/// An element (or the damaged rest of a file) on its way into quarantine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    /// The bytes exactly as they stood in the source.
    pub text: Vec<u8>,
    /// Why it could not be archived.
    pub reason: String,
    /// Its element number (0-based) in the source, when it is one element.
    pub element: Option<u64>,
    /// Where it starts in the source, when the source is a file.
    pub byte_offset: Option<u64>,
}

/// A quarantine entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantineEntry {
    /// The entry's number.
    pub id: i64,
    /// The bytes exactly as they stood in the source.
    pub text: Vec<u8>,
    /// Why it could not be archived.
    pub reason: String,
    /// The file or URL it came from (the first time it was seen).
    pub source: String,
    /// Its element number (0-based) in the source, when it is one element.
    pub element: Option<u64>,
    /// Where it starts in the source, when known.
    pub byte_offset: Option<u64>,
}

/// Puts an entry away unless the same text is already there. Returns whether it was new.
///
/// The entry is looked for before the insert, not left to the `UNIQUE` constraint: with
/// `AUTOINCREMENT`, an insert the constraint turns away (`ON CONFLICT DO NOTHING`) still
/// uses up its id, so every text seen again made the next entry's number skip one
/// (issue 17, item 9).
pub(crate) fn insert_quarantined(
    tx: &Connection,
    entry: &Quarantined,
    source: &str,
    batch: BatchId,
) -> Result<bool, StoreError> {
    let hash = Sha256::digest(&entry.text);
    let mut insert = tx.prepare_cached(
        "INSERT INTO quarantine (text, text_hash, reason, source, element, byte_offset, batch_id)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
         WHERE NOT EXISTS (SELECT 1 FROM quarantine WHERE text_hash = ?2)",
    )?;
    let inserted = insert.execute(params![
        entry.text,
        &hash[..],
        entry.reason,
        source,
        entry.element.map(|n| n as i64),
        entry.byte_offset.map(|n| n as i64),
        batch.0,
    ])?;
    Ok(inserted == 1)
}

impl Store {
    /// Every quarantine entry, oldest first.
    pub fn quarantine(&self) -> Result<Vec<QuarantineEntry>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id, text, reason, source, element, byte_offset FROM quarantine ORDER BY id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(QuarantineEntry {
                id: row.get(0)?,
                text: row.get(1)?,
                reason: row.get(2)?,
                source: row.get(3)?,
                element: row.get::<_, Option<i64>>(4)?.map(|n| n as u64),
                byte_offset: row.get::<_, Option<i64>>(5)?.map(|n| n as u64),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The number of quarantine entries.
    pub fn quarantine_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM quarantine", [], |row| row.get(0))?)
    }
}
