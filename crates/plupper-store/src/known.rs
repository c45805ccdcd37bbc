//! A Bloom filter of the sort keys the archive holds, so that the §1b rule needs no
//! lookup for a message that is certainly new.
//!
//! The rule asks, for the k-th copy of a message in a unit, whether the archive holds
//! fewer than k copies. A message's copies all have its sort key (a function of its
//! `created`), so they are among the messages of that second, which the writer finds
//! through the time index and hashes (see [`reconcile`](crate::reconcile)). For almost
//! every element of a first import the answer is plain — no archived message has that
//! sort key — and the filter says so from memory instead. The keys are read in from the
//! time index (8 bytes a message), so a filter costs a fraction of a second even for an
//! archive of millions; a key that another message of the same second shares goes
//! through the lookup (a few percent of a large import).
//!
//! It errs only one way: a key it says is absent is absent; one it says may be present
//! goes through the exact lookup. Everything that can make it stale makes it say
//! "present" too often, never too rarely:
//! - messages are never deleted from the archive;
//! - the writer adds each key it inserts at once, even if its transaction later rolls
//!   back (a false positive, nothing worse);
//! - other writers' messages are read in ([`KnownKeys::catch_up`]) inside each write
//!   transaction, after its write lock is taken and before anything is decided:
//!   committed archive ids only grow, so the messages with an id above the highest one
//!   read so far are exactly the ones it lacks. Within one transaction it also reads
//!   the writer's own earlier rows; when that transaction rolls back, their ids are
//!   used again, so the writer drops the filter and reads it in afresh.
//!
//! It is sized for at least 16 bits per archived message (about 0.2 % false positives
//! with 4 probes), rounded up to a power of two, so 2 to 4 bytes per message (16 MiB
//! while importing 5 million), at most [`MAX_BYTES`]. Past its capacity it is read in
//! again at twice the size; past [`MAX_BYTES`] it only grows less selective.

use rusqlite::Connection;

use crate::StoreError;

/// Bits per key the filter is sized for.
const BITS_PER_ENTRY: u64 = 16;
/// The smallest filter: 2^20 bits (128 KiB), room for 65,536 keys.
const MIN_BITS: u64 = 1 << 20;
/// The largest filter: 64 MiB (33 million keys at full selectivity).
pub(crate) const MAX_BYTES: u64 = 64 << 20;
/// Probes per key.
const PROBES: u64 = 4;

/// The sort keys the archive may hold; see the [module](self).
#[derive(Debug)]
pub(crate) struct KnownKeys {
    words: Vec<u64>,
    /// `words.len() * 64 - 1`: the bit count is a power of two.
    mask: u64,
    entries: u64,
    /// The highest archive id whose key has been read in.
    caught_up_to: i64,
}

impl KnownKeys {
    /// Reads every sort key of the archive into a new filter sized for `expected`
    /// entries (at least).
    pub(crate) fn load(conn: &Connection, expected: u64) -> Result<Self, StoreError> {
        let want = expected.max(1).saturating_mul(BITS_PER_ENTRY);
        let bits = want
            .next_power_of_two()
            .clamp(MIN_BITS, MAX_BYTES.saturating_mul(8));
        let mut known = KnownKeys {
            words: vec![0; (bits / 64) as usize],
            mask: bits - 1,
            entries: 0,
            caught_up_to: 0,
        };
        // The keys alone, through the time index (it covers them). Inside the caller's
        // transaction, `max(id)` bounds them.
        known.caught_up_to = conn
            .query_row("SELECT max(id) FROM message", [], |row| {
                row.get::<_, Option<i64>>(0)
            })?
            .unwrap_or(0);
        let mut statement =
            conn.prepare("SELECT sort_key FROM message INDEXED BY message_by_time")?;
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
            conn.prepare_cached("SELECT id, sort_key FROM message WHERE id > ?1 ORDER BY id")?;
        let mut rows = statement.query([self.caught_up_to])?;
        while let Some(row) = rows.next()? {
            self.caught_up_to = row.get(0)?;
            self.add_read(row.get_ref(1)?);
        }
        Ok(())
    }

    /// Adds an archived message's sort key, as read from the archive.
    fn add_read(&mut self, key: rusqlite::types::ValueRef<'_>) {
        self.entries += 1;
        if let Ok(key) = key.as_i64() {
            self.insert(key);
        }
        // A key that is not an integer (a damaged row) can never equal a computed one,
        // so leaving it out cannot hide a copy.
    }

    /// Whether the filter holds more keys than it was sized for (then the caller loads a
    /// larger one).
    pub(crate) fn is_full(&self) -> bool {
        let bits = self.mask + 1;
        self.entries.saturating_mul(BITS_PER_ENTRY) > bits && bits < MAX_BYTES * 8
    }

    /// The number of archived messages read in.
    pub(crate) fn entries(&self) -> u64 {
        self.entries
    }

    /// Notes a sort key as possibly archived. Only [`catch_up`](Self::catch_up) counts
    /// entries: it reads each committed message once, while a writer inserts what it
    /// adds here too, before it commits (or rolls back).
    pub(crate) fn insert(&mut self, key: i64) {
        for bit in self.bits(key) {
            self.words[(bit / 64) as usize] |= 1 << (bit % 64);
        }
    }

    /// `false` when no archived message certainly has this sort key.
    pub(crate) fn may_contain(&self, key: i64) -> bool {
        self.bits(key)
            .all(|bit| self.words[(bit / 64) as usize] & (1 << (bit % 64)) != 0)
    }

    /// The probed bits: double hashing on two mixes of the key (SplitMix64's finalizer:
    /// keys one second apart land far apart).
    fn bits(&self, key: i64) -> impl Iterator<Item = u64> + use<> {
        let h1 = mix(key as u64);
        let h2 = mix(h1) | 1;
        let mask = self.mask;
        (0..PROBES).map(move |i| h1.wrapping_add(i.wrapping_mul(h2)) & mask)
    }
}

/// SplitMix64's output function: a bijection of 64-bit words that spreads every input
/// bit over the output.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys as an import sees them: seconds in a row, from a day in 2009.
    fn key(n: u32) -> i64 {
        1_241_000_000 + i64::from(n) * 7
    }

    fn empty() -> KnownKeys {
        KnownKeys {
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
            known.insert(key(n));
        }
        assert!((0..50_000).all(|n| known.may_contain(key(n))));
    }

    #[test]
    fn says_absent_for_most_of_what_was_not_inserted() {
        let mut known = empty();
        for n in 0..50_000 {
            known.insert(key(n));
        }
        // The seconds between and after the inserted ones: neighbours must not collide.
        let false_positives = (0..100_000)
            .map(|n| 1_241_000_000 + 1 + i64::from(n) * 3)
            .filter(|&k| (k - 1_241_000_000) % 7 != 0 || k >= key(50_000))
            .filter(|&k| known.may_contain(k))
            .count();
        // 50,000 entries in 2^20 bits with 4 probes: about 0.2 % expected.
        assert!(false_positives < 1_000, "{false_positives} of 100,000");
    }

    #[test]
    fn reads_the_archive_in_and_reports_full_past_its_capacity() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE message (id INTEGER PRIMARY KEY, sort_key INTEGER);
             CREATE INDEX message_by_time ON message (sort_key);",
        )
        .unwrap();
        let capacity = (MIN_BITS / BITS_PER_ENTRY) as u32;
        let mut insert = conn
            .prepare("INSERT INTO message (id, sort_key) VALUES (?1, ?2)")
            .unwrap();
        for n in 1..=capacity {
            insert.execute(rusqlite::params![n, key(n)]).unwrap();
        }
        let mut known = KnownKeys::load(&conn, 1).unwrap();
        assert_eq!(known.entries(), u64::from(capacity));
        assert!(!known.is_full());
        assert!((1..=capacity).all(|n| known.may_contain(key(n))));
        // One more, archived by "another writer": read in by the next catch-up.
        insert
            .execute(rusqlite::params![capacity + 1, key(capacity + 1)])
            .unwrap();
        known.catch_up(&conn).unwrap();
        assert!(known.may_contain(key(capacity + 1)));
        assert!(known.is_full());
        // Reading again reads nothing twice.
        known.catch_up(&conn).unwrap();
        assert_eq!(known.entries(), u64::from(capacity) + 1);
    }
}
