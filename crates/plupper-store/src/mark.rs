//! The message mark: which messages an archive holds, in four bytes of its database
//! file's header, where a process reads it without opening the database.
//!
//! Opening the database costs a process that asks one question more than the question
//! often does: SQLite parses the whole schema (17 tables and indexes) before the first
//! statement. A count the search index answers alone needs from the store only to know
//! that the index holds exactly the archived messages: the archive's uuid and its last
//! id, which the index's last commit also records. So every write transaction that adds
//! messages also writes [`message_mark`] of the archive's uuid and last id into the
//! header's application id (offset 68), in the same transaction. [`read_mark`] reads it
//! back from the file's first 100 bytes, and a mark equal to the one of the index's
//! commit says what opening the database and reading both would: the index is current.
//!
//! The file alone says the archive's committed state only when no write is in progress
//! or was cut short: no `-wal` and no `-journal` file beside it, and its header in
//! rollback-journal mode, which a writer leaves when it closes the archive (a writer
//! switches it to WAL mode first, before its first write). [`read_mark`] gives `None`
//! otherwise, and for a schema of another version (the migration that adds the mark
//! writes it for the messages archived before it).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use rusqlite::Connection;

use crate::{DATABASE_FILE, StoreError, schema};

/// The mark of an archive's messages: FNV-1a (32 bits) of its uuid's text followed by its
/// last archive id (eight bytes, little-endian), never 0 (a database without a mark has
/// 0). Stored in archives: never change it.
///
/// ```
/// use plupper_store::mark::message_mark;
///
/// let uuid = "0d9f4b4e-6f36-4f4c-9b69-0c1a2b3c4d5e";
/// assert_ne!(message_mark(uuid, 7), message_mark(uuid, 8));
/// assert_ne!(message_mark(uuid, 7), message_mark("another archive", 7));
/// ```
pub fn message_mark(archive_uuid: &str, last_id: i64) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in archive_uuid.bytes().chain(last_id.to_le_bytes()) {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash.max(1)
}

/// Where SQLite's header keeps what this module reads (the file format's section 1.3).
const HEADER: usize = 100;
const MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// The write and read versions: 1 for a rollback journal, 2 for WAL.
const FORMAT_VERSIONS: std::ops::Range<usize> = 18..20;
const USER_VERSION: usize = 60;
const APPLICATION_ID: usize = 68;

/// The mark in the header of the database in `dir`, when the file alone is the
/// archive's committed state (see the [module](self)); `None` when it may not be, when
/// the file is not a database of this program's schema version, has no mark, or cannot
/// be read. `None` says only that the database must be opened to know.
pub fn read_mark(dir: &Path) -> Option<u32> {
    let path = dir.join(DATABASE_FILE);
    // A write in progress, or one a crash cut short: its WAL holds committed
    // transactions, or its journal what a rollback will put back.
    for suffix in ["-wal", "-journal"] {
        let mut beside = path.clone().into_os_string();
        beside.push(suffix);
        match std::fs::symlink_metadata(&beside) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            _ => return None,
        }
    }
    let mut header = [0u8; HEADER];
    File::open(&path).ok()?.read_exact(&mut header).ok()?;
    let be_u32 = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let rollback_journal = header[FORMAT_VERSIONS].iter().all(|&version| version == 1);
    if &header[..MAGIC.len()] != MAGIC
        || !rollback_journal
        || be_u32(USER_VERSION) != schema::CURRENT_VERSION
    {
        return None;
    }
    Some(be_u32(APPLICATION_ID)).filter(|&mark| mark != 0)
}

/// Writes the mark of the archive's messages as they are in `conn`'s transaction; the
/// writer calls it before it commits each transaction of a unit that adds messages
/// ([`crate::Reconciler`]), and the migration that adds the mark once.
pub(crate) fn write_mark(conn: &Connection) -> Result<(), StoreError> {
    let uuid: String = conn.query_row("SELECT uuid FROM archive_info", [], |row| row.get(0))?;
    let mark = message_mark(&uuid, crate::assigned_ids(conn)?);
    // SQLite keeps the application id as a signed integer: the same four bytes.
    conn.pragma_update(None, "application_id", mark as i32)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_is_fnv_1a_of_the_uuid_and_the_last_id() {
        // Archives keep marks: this value must never change.
        assert_eq!(message_mark("", 0), 0x9be1_7165);
        assert_eq!(
            message_mark("0d9f4b4e-6f36-4f4c-9b69-0c1a2b3c4d5e", 1_000_000),
            0x9609_651f
        );
        assert_ne!(message_mark("a", 1), message_mark("a", 2));
        assert_ne!(message_mark("a", 1), message_mark("b", 1));
    }

    #[test]
    fn no_mark_without_a_database() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_mark(dir.path()), None);
        assert_eq!(read_mark(&dir.path().join("missing")), None);
        std::fs::write(
            dir.path().join(DATABASE_FILE),
            b"SQLite format 3\0 but short",
        )
        .unwrap();
        assert_eq!(read_mark(dir.path()), None);
        std::fs::write(dir.path().join(DATABASE_FILE), [0u8; 4096]).unwrap();
        assert_eq!(read_mark(dir.path()), None);
    }
}
