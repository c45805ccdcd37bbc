//! The integrity chain: a SHA-256 link for every write transaction that adds messages.
//!
//! Each [`Reconciler::apply`](crate::Reconciler::apply) that adds messages records one
//! [`ChainLink`] in the same transaction as the messages it covers (an import file
//! commits in chunks, one link per chunk; a sync window in one transaction, one link per
//! chunk applied inside it). The link's hash is
//!
//! ```text
//! SHA-256(previous_hash ‖ for each added message, in archive id order:
//!             id as 8 bytes little-endian ‖ length of its original text as 8 bytes
//!             little-endian ‖ the text's bytes)
//! ```
//!
//! where the original text is [`StoredMessage::original`](crate::StoredMessage)'s text:
//! the element exactly as the API (or the file) gave it. Originals that are the
//! canonical element are stored as their fields only; for them the text is the canonical
//! encoding regenerated from the fields, which is the same text, and which changes when
//! a field is changed. `previous_hash` is the hash of the link before, or
//! [`GENESIS`] (32 zero bytes) for the first.
//!
//! Messages archived before the chain existed (schema migration 3) are covered by one
//! link, written by the migration, with no batch.
//!
//! The chain shows that the archive is as its writer left it, to anyone who holds a link
//! hash from before (the head that `verify` prints, or the one an evidence bundle's
//! manifest records): rewriting history means recomputing every later link, which changes
//! the head. Without such an outside copy of the head, someone who can write the file can
//! recompute the whole chain too; the chain then still catches every edit that does not.

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::{ArchiveId, BatchId, Store, StoreError};

/// The `previous_hash` of the first link.
pub const GENESIS: [u8; 32] = [0; 32];

/// One link of the chain, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    /// The link's number, increasing in the order the links were written.
    pub id: i64,
    /// The batch whose messages it covers; `None` for the link of the messages archived
    /// before the chain existed.
    pub batch: Option<BatchId>,
    /// The first archive id it covers.
    pub first_id: ArchiveId,
    /// The last archive id it covers.
    pub last_id: ArchiveId,
    /// How many messages it covers (the ids `first_id..=last_id`: a writer holds the
    /// write lock while it adds them, so they are consecutive).
    pub added: u64,
    /// The hash over `previous_hash` and the messages.
    pub hash: [u8; 32],
    /// The hash of the link before ([`GENESIS`] for the first).
    pub previous_hash: [u8; 32],
}

/// Computes a link hash: [`LinkHasher::new`] with the previous hash, [`add`](LinkHasher::add)
/// each message in id order, [`finish`](LinkHasher::finish).
///
/// ```
/// use plupper_store::chain::{GENESIS, LinkHasher};
///
/// let mut hasher = LinkHasher::new(&GENESIS);
/// hasher.add(1, b"{\"content\":\"Hi\"}");
/// let one = hasher.finish();
/// let mut hasher = LinkHasher::new(&GENESIS);
/// hasher.add(2, b"{\"content\":\"Hi\"}");
/// assert_ne!(one, hasher.finish()); // the id is part of what is hashed
/// ```
#[derive(Debug, Clone)]
pub struct LinkHasher {
    hasher: Sha256,
}

impl LinkHasher {
    /// Starts a link after the link whose hash is `previous`.
    pub fn new(previous: &[u8; 32]) -> LinkHasher {
        let mut hasher = Sha256::new();
        hasher.update(previous);
        LinkHasher { hasher }
    }

    /// Adds the message with archive id `id` and original text `text`.
    pub fn add(&mut self, id: i64, text: &[u8]) {
        self.hasher.update(id.to_le_bytes());
        self.hasher.update((text.len() as u64).to_le_bytes());
        self.hasher.update(text);
    }

    /// The link's hash.
    pub fn finish(self) -> [u8; 32] {
        self.hasher.finalize().into()
    }
}

/// The hash of the last link, or [`GENESIS`] when there is none yet.
fn head_hash(conn: &Connection) -> Result<[u8; 32], StoreError> {
    let mut statement =
        conn.prepare_cached("SELECT hash FROM chain_link ORDER BY id DESC LIMIT 1")?;
    let hash: Option<Vec<u8>> = statement.query_row([], |row| row.get(0)).optional()?;
    Ok(hash.map_or(GENESIS, |bytes| to_hash(&bytes)))
}

/// A stored hash as 32 bytes; a value of another length (only an edit can make one)
/// becomes all ones, which never matches a computed hash.
pub(crate) fn to_hash(bytes: &[u8]) -> [u8; 32] {
    bytes.try_into().unwrap_or([0xff; 32])
}

/// Records the link of messages just added in the caller's transaction. `added` holds
/// (archive id, original text) in id order; nothing is recorded when it is empty.
pub(crate) fn record(
    conn: &Connection,
    batch: Option<BatchId>,
    added: &[(i64, &str)],
) -> Result<(), StoreError> {
    let (Some(first), Some(last)) = (added.first(), added.last()) else {
        return Ok(());
    };
    let previous = head_hash(conn)?;
    let mut hasher = LinkHasher::new(&previous);
    for (id, text) in added {
        hasher.add(*id, text.as_bytes());
    }
    let hash = hasher.finish();
    let mut insert = conn.prepare_cached(
        "INSERT INTO chain_link (batch_id, first_id, last_id, added, hash, previous_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    insert.execute(params![
        batch.map(|b| b.0),
        first.0,
        last.0,
        added.len() as i64,
        &hash[..],
        &previous[..],
    ])?;
    Ok(())
}

/// The migration's step for an archive that holds messages already: one link over all
/// of them, with no batch. Reads the messages in id order, a page at a time.
pub(crate) fn link_existing(conn: &Connection) -> Result<(), StoreError> {
    const PAGE: i64 = 4096;
    let mut hasher = LinkHasher::new(&GENESIS);
    let (mut first, mut last, mut count) = (None, 0i64, 0i64);
    let mut select = conn.prepare(&format!(
        "SELECT {} FROM message WHERE id > ?1 ORDER BY id LIMIT {PAGE}",
        crate::read::COLUMNS
    ))?;
    loop {
        let page = select
            .query_map([last], crate::read::from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        if page.is_empty() {
            break;
        }
        for stored in &page {
            first.get_or_insert(stored.id.0);
            last = stored.id.0;
            count += 1;
            hasher.add(stored.id.0, stored.original().text.as_bytes());
        }
    }
    let Some(first) = first else { return Ok(()) };
    let hash = hasher.finish();
    conn.execute(
        "INSERT INTO chain_link (batch_id, first_id, last_id, added, hash, previous_hash)
         VALUES (NULL, ?1, ?2, ?3, ?4, ?5)",
        params![first, last, count, &hash[..], &GENESIS[..]],
    )?;
    Ok(())
}

impl Store {
    /// Every link of the chain, in the order written.
    pub fn chain_links(&self) -> Result<Vec<ChainLink>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id, batch_id, first_id, last_id, added, hash, previous_hash
             FROM chain_link ORDER BY id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(ChainLink {
                id: row.get(0)?,
                batch: row.get::<_, Option<i64>>(1)?.map(BatchId),
                first_id: ArchiveId(row.get(2)?),
                last_id: ArchiveId(row.get(3)?),
                added: row.get::<_, i64>(4)?.max(0) as u64,
                hash: to_hash(&row.get::<_, Vec<u8>>(5)?),
                previous_hash: to_hash(&row.get::<_, Vec<u8>>(6)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The last link of the chain (its hash stands for the whole archive), if any.
    pub fn chain_head(&self) -> Result<Option<ChainLink>, StoreError> {
        Ok(self.chain_links()?.pop())
    }
}

/// A hash as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_the_documented_encoding() {
        let mut by_hand = Sha256::new();
        by_hand.update([7u8; 32]);
        by_hand.update(3i64.to_le_bytes());
        by_hand.update(2u64.to_le_bytes());
        by_hand.update(b"ab");
        by_hand.update(4i64.to_le_bytes());
        by_hand.update(0u64.to_le_bytes());
        let expected: [u8; 32] = by_hand.finalize().into();

        let mut hasher = LinkHasher::new(&[7; 32]);
        hasher.add(3, b"ab");
        hasher.add(4, b"");
        assert_eq!(hasher.finish(), expected);
    }

    #[test]
    fn lengths_keep_texts_apart() {
        // "ab" + "c" and "a" + "bc" must not hash alike.
        let mut one = LinkHasher::new(&GENESIS);
        one.add(1, b"ab");
        one.add(2, b"c");
        let mut two = LinkHasher::new(&GENESIS);
        two.add(1, b"a");
        two.add(2, b"bc");
        assert_ne!(one.finish(), two.finish());
    }

    #[test]
    fn hex_is_lowercase_and_two_digits_a_byte() {
        assert_eq!(hex(&[0, 1, 0xab, 0xff]), "0001abff");
    }
}
