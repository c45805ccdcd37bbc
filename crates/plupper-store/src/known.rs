//! A Bloom filter of the fingerprints the archive may hold, so that the §1b rule needs no
//! lookup for a message that is certainly new.
//!
//! The rule asks, for the k-th copy of a message in a unit, whether the archive holds
//! fewer than k copies. For almost every element of a first import the answer is plain —
//! the archive holds none and the unit has not seen it — but finding that out costs two
//! B-tree probes. The filter answers "certainly absent" from memory instead.
//!
//! It errs only one way: a fingerprint it says is absent is absent; one it says may be
//! present goes through the exact lookups. Everything that can make it stale makes it
//! say "present" too often, never too rarely:
//! - messages are never deleted from the archive;
//! - the writer adds each fingerprint it inserts at once, even if its transaction later
//!   rolls back (a false positive, nothing worse);
//! - other writers' messages are read in ([`KnownFingerprints::catch_up`]) inside each
//!   write transaction, after its write lock is taken and before anything is decided:
//!   committed archive ids only grow, so the messages with an id above the highest one
//!   read so far are exactly the ones it lacks. Within one transaction it also reads
//!   the writer's own earlier rows; when that transaction rolls back, their ids are
//!   used again, so the writer drops the filter and reads it in afresh.
//!
//! It is sized for at least 16 bits per archived message (about 0.2 % false positives
//! with 4 probes), rounded up to a power of two, so 2 to 4 bytes per message (16 MiB
//! while importing 5 million), at most [`MAX_BYTES`]. Past its capacity it is read in
//! again at twice the size, from the fingerprints' covering index; past [`MAX_BYTES`]
//! it only grows less selective. (Sized for four times the archive, as it once was, it
//! took 64 MiB during a 5M import; doubling reads about twice as many fingerprints in
//! all as the archive ends with, from an index a quarter of the table's size.)

use rusqlite::Connection;

use plupper_model::Fingerprint;

use crate::StoreError;

/// Bits per fingerprint the filter is sized for.
const BITS_PER_ENTRY: u64 = 16;
/// The smallest filter: 2^20 bits (128 KiB), room for 65,536 fingerprints.
const MIN_BITS: u64 = 1 << 20;
/// The largest filter: 64 MiB (33 million fingerprints at full selectivity).
pub(crate) const MAX_BYTES: u64 = 64 << 20;
/// Probes per fingerprint.
const PROBES: u64 = 4;

/// The fingerprints the archive may hold; see the [module](self).
#[derive(Debug)]
pub(crate) struct KnownFingerprints {
    words: Vec<u64>,
    /// `words.len() * 64 - 1`: the bit count is a power of two.
    mask: u64,
    entries: u64,
    /// The highest archive id whose fingerprint has been read in.
    caught_up_to: i64,
}

impl KnownFingerprints {
    /// Reads every fingerprint of the archive into a new filter sized for `expected`
    /// entries (at least).
    pub(crate) fn load(conn: &Connection, expected: u64) -> Result<Self, StoreError> {
        let want = expected.max(1).saturating_mul(BITS_PER_ENTRY);
        let bits = want
            .next_power_of_two()
            .clamp(MIN_BITS, MAX_BYTES.saturating_mul(8));
        let mut known = KnownFingerprints {
            words: vec![0; (bits / 64) as usize],
            mask: bits - 1,
            entries: 0,
            caught_up_to: 0,
        };
        // The fingerprints alone, through their covering index: a quarter of the bytes of
        // the message table. Inside the caller's transaction, `max(id)` bounds them.
        known.caught_up_to = conn
            .query_row("SELECT max(id) FROM message", [], |row| {
                row.get::<_, Option<i64>>(0)
            })?
            .unwrap_or(0);
        let mut statement = conn.prepare("SELECT fingerprint FROM message")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            known.add_read(row.get_ref(0)?);
        }
        Ok(known)
    }

    /// Reads in the messages archived since the last catch-up (by this or another
    /// writer). Call it inside the write transaction, before deciding on anything.
    pub(crate) fn catch_up(&mut self, conn: &Connection) -> Result<(), StoreError> {
        let mut statement =
            conn.prepare_cached("SELECT id, fingerprint FROM message WHERE id > ?1 ORDER BY id")?;
        let mut rows = statement.query([self.caught_up_to])?;
        while let Some(row) = rows.next()? {
            self.caught_up_to = row.get(0)?;
            self.add_read(row.get_ref(1)?);
        }
        Ok(())
    }

    /// Adds an archived message's fingerprint, as read from the archive.
    fn add_read(&mut self, fingerprint: rusqlite::types::ValueRef<'_>) {
        self.entries += 1;
        if let Ok(bytes) = fingerprint.as_blob()
            && let Ok(fingerprint) = <[u8; 16]>::try_from(bytes)
        {
            self.insert(&Fingerprint(fingerprint));
        }
        // A fingerprint that is not 16 bytes (a damaged row) can never equal a computed
        // one, so leaving it out cannot hide a copy.
    }

    /// Whether the filter holds more fingerprints than it was sized for (then the
    /// caller loads a larger one).
    pub(crate) fn is_full(&self) -> bool {
        let bits = self.mask + 1;
        self.entries.saturating_mul(BITS_PER_ENTRY) > bits && bits < MAX_BYTES * 8
    }

    /// The number of archived messages read in.
    pub(crate) fn entries(&self) -> u64 {
        self.entries
    }

    /// Notes a fingerprint as possibly archived. Only [`catch_up`](Self::catch_up)
    /// counts entries: it reads each committed message once, while a writer inserts
    /// what it adds here too, before it commits (or rolls back).
    pub(crate) fn insert(&mut self, fingerprint: &Fingerprint) {
        for bit in self.bits(fingerprint) {
            self.words[(bit / 64) as usize] |= 1 << (bit % 64);
        }
    }

    /// `false` when the archive certainly does not hold the fingerprint.
    pub(crate) fn may_contain(&self, fingerprint: &Fingerprint) -> bool {
        self.bits(fingerprint)
            .all(|bit| self.words[(bit / 64) as usize] & (1 << (bit % 64)) != 0)
    }

    /// The probed bits: double hashing on the fingerprint's two halves, which are
    /// already uniformly distributed (SHA-256).
    fn bits(&self, fingerprint: &Fingerprint) -> impl Iterator<Item = u64> + use<> {
        let (low, high) = fingerprint.0.split_at(8);
        let h1 = u64::from_le_bytes(low.try_into().unwrap_or_default());
        let h2 = u64::from_le_bytes(high.try_into().unwrap_or_default()) | 1;
        let mask = self.mask;
        (0..PROBES).map(move |i| h1.wrapping_add(i.wrapping_mul(h2)) & mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint(n: u32) -> Fingerprint {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(n.to_le_bytes());
        let mut bytes = [0; 16];
        bytes.copy_from_slice(&digest[..16]);
        Fingerprint(bytes)
    }

    fn empty() -> KnownFingerprints {
        KnownFingerprints {
            words: vec![0; (MIN_BITS / 64) as usize],
            mask: MIN_BITS - 1,
            entries: 0,
            caught_up_to: 0,
        }
    }

    #[test]
    fn never_forgets_what_was_inserted() {
        let mut known = empty();
        for n in 0..50_000 {
            known.insert(&fingerprint(n));
        }
        assert!((0..50_000).all(|n| known.may_contain(&fingerprint(n))));
    }

    #[test]
    fn says_absent_for_most_of_what_was_not_inserted() {
        let mut known = empty();
        for n in 0..50_000 {
            known.insert(&fingerprint(n));
        }
        let false_positives = (50_000..150_000)
            .filter(|&n| known.may_contain(&fingerprint(n)))
            .count();
        // 50,000 entries in 2^20 bits with 4 probes: about 0.2 % expected.
        assert!(false_positives < 1_000, "{false_positives} of 100,000");
    }

    #[test]
    fn reads_the_archive_in_and_reports_full_past_its_capacity() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE message (id INTEGER PRIMARY KEY, fingerprint BLOB)")
            .unwrap();
        let capacity = (MIN_BITS / BITS_PER_ENTRY) as u32;
        let mut insert = conn
            .prepare("INSERT INTO message (id, fingerprint) VALUES (?1, ?2)")
            .unwrap();
        for n in 1..=capacity {
            insert
                .execute(rusqlite::params![n, &fingerprint(n).0[..]])
                .unwrap();
        }
        let mut known = KnownFingerprints::load(&conn, 1).unwrap();
        assert_eq!(known.entries(), u64::from(capacity));
        assert!(!known.is_full());
        assert!((1..=capacity).all(|n| known.may_contain(&fingerprint(n))));
        // One more, archived by "another writer": read in by the next catch-up.
        insert
            .execute(rusqlite::params![
                capacity + 1,
                &fingerprint(capacity + 1).0[..]
            ])
            .unwrap();
        known.catch_up(&conn).unwrap();
        assert!(known.may_contain(&fingerprint(capacity + 1)));
        assert!(known.is_full());
        // Reading again reads nothing twice.
        known.catch_up(&conn).unwrap();
        assert_eq!(known.entries(), u64::from(capacity) + 1);
    }
}
