//! The evidence bundles exported from the archive, each recorded in the integrity
//! [chain](crate::chain) as a link of its own.
//!
//! An export's link records no message: its id range is the empty one after the link
//! before (`first_id` one past that link's `last_id`, `last_id` equal to it, `added` 0),
//! and its hash is [`export_hash`] over the link before and the [`ExportEntry`]. Links
//! written later chain over it, so changing or removing an export record breaks the chain
//! the way changing a message does; [`Store::verify`] checks both.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};

use crate::chain::{GENESIS, to_hash};
use crate::{Store, StoreError};

/// What an export records about its bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportEntry {
    /// When (RFC 3339, UTC, as the bundle's manifest says).
    pub exported_at: String,
    /// The filter as applied, as an API query string.
    pub filter: String,
    /// The selected messages.
    pub messages: u64,
    /// The other messages of their conversations, in the bundle as context.
    pub context: u64,
    /// The conversations.
    pub conversations: u64,
    /// The SHA-256 of the bundle's `manifest.json`, lowercase hex.
    pub manifest_sha256: String,
}

/// An export as the archive records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRecord {
    /// The number of its chain link (also the export's number).
    pub link: i64,
    /// What it recorded.
    pub entry: ExportEntry,
}

/// What an export link's hash covers (besides the hash before it): a tag that no message
/// link starts with, then each field as 8 bytes little-endian of its length and its bytes,
/// the counts as 8 bytes little-endian.
///
/// ```
/// use plupper_store::chain::GENESIS;
/// use plupper_store::exports::{ExportEntry, export_hash};
///
/// let entry = ExportEntry {
///     exported_at: "2026-11-25T12:00:00Z".into(),
///     filter: "operator=john".into(),
///     messages: 5,
///     context: 0,
///     conversations: 2,
///     manifest_sha256: "ab".repeat(32),
/// };
/// let other = ExportEntry { messages: 4, ..entry.clone() };
/// assert_ne!(export_hash(&GENESIS, &entry), export_hash(&GENESIS, &other));
/// ```
pub fn export_hash(previous: &[u8; 32], entry: &ExportEntry) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(EXPORT_TAG);
    for text in [&entry.exported_at, &entry.filter, &entry.manifest_sha256] {
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    for count in [entry.messages, entry.context, entry.conversations] {
        hasher.update(count.to_le_bytes());
    }
    hasher.finalize().into()
}

/// Starts what an export link hashes; a message link starts with an archive id (8 bytes).
const EXPORT_TAG: &[u8] = b"plupper-archive export\0";

const SELECT: &str = "SELECT e.link_id, e.exported_at, e.filter, e.messages, e.context,
        e.conversations, e.manifest_sha256
     FROM export e";

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ExportRecord> {
    let count = |i| row.get::<_, i64>(i).map(|n| n.max(0) as u64);
    Ok(ExportRecord {
        link: row.get(0)?,
        entry: ExportEntry {
            exported_at: row.get(1)?,
            filter: row.get(2)?,
            messages: count(3)?,
            context: count(4)?,
            conversations: count(5)?,
            manifest_sha256: row.get(6)?,
        },
    })
}

impl Store {
    /// Records an export at the head of the chain, in one transaction.
    pub fn record_export(&mut self, entry: &ExportEntry) -> Result<ExportRecord, StoreError> {
        self.check_writable("recording an export")?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let head: Option<(Vec<u8>, i64)> = tx
            .query_row(
                "SELECT hash, last_id FROM chain_link ORDER BY id DESC LIMIT 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let (previous, after) = head.map_or((GENESIS, 0), |(hash, last)| (to_hash(&hash), last));
        let hash = export_hash(&previous, entry);
        tx.execute(
            "INSERT INTO chain_link (batch_id, first_id, last_id, added, hash, previous_hash)
             VALUES (NULL, ?1, ?2, 0, ?3, ?4)",
            params![after + 1, after, &hash[..], &previous[..]],
        )?;
        let link = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO export (link_id, exported_at, filter, messages, context,
                 conversations, manifest_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                link,
                entry.exported_at,
                entry.filter,
                entry.messages as i64,
                entry.context as i64,
                entry.conversations as i64,
                entry.manifest_sha256,
            ],
        )?;
        tx.commit()?;
        Ok(ExportRecord {
            link,
            entry: entry.clone(),
        })
    }

    /// Every recorded export, in the order they were made.
    pub fn exports(&self) -> Result<Vec<ExportRecord>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!("{SELECT} ORDER BY e.link_id"))?;
        let rows = statement.query_map([], from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The recorded exports whose bundle's manifest has this SHA-256 (hex, any case).
    pub fn exports_with_manifest(&self, sha256: &str) -> Result<Vec<ExportRecord>, StoreError> {
        let mut statement = self.conn.prepare_cached(&format!(
            "{SELECT} WHERE e.manifest_sha256 = ?1 ORDER BY e.link_id"
        ))?;
        let rows = statement.query_map([sha256.to_ascii_lowercase()], from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
