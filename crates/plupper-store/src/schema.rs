//! The archive's schema: numbered migrations, applied in order, never edited once
//! released. `PRAGMA user_version` holds the number of migrations applied.

use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;

/// The migrations, in order. Migration *n* (1-based) is `MIGRATIONS[n - 1]`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_archive.sql"),
    include_str!("../migrations/0002_sync.sql"),
    include_str!("../migrations/0003_audit.sql"),
    include_str!("../migrations/0004_date_index.sql"),
    include_str!("../migrations/0005_content_blocks.sql"),
    include_str!("../migrations/0006_conversation_runs.sql"),
    include_str!("../migrations/0007_created_as_zone.sql"),
    include_str!("../migrations/0008_exports.sql"),
    include_str!("../migrations/0009_exact_fields_by_index.sql"),
    include_str!("../migrations/0010_identity_by_time.sql"),
    include_str!("../migrations/0011_message_mark.sql"),
];

/// The migration that adds the chain and the conversations; its Rust step links and
/// groups the messages archived before it.
const AUDIT_MIGRATION: u32 = 3;

/// The migration that adds the content blocks; its Rust step writes the blocks of the
/// messages archived before it.
const CONTENT_BLOCK_MIGRATION: u32 = 5;

/// The migration that stops storing fingerprints; its Rust step drops the column.
const IDENTITY_BY_TIME_MIGRATION: u32 = 10;

/// The migration that adds the message mark ([`crate::mark`]); its Rust step writes the
/// mark of the messages archived before it.
const MESSAGE_MARK_MIGRATION: u32 = 11;

/// The schema version this program writes.
pub const CURRENT_VERSION: u32 = MIGRATIONS.len() as u32;

/// The schema version of an open database.
pub(crate) fn version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}

/// Applies the migrations the database lacks, each in its own transaction, and gives a
/// new archive its uuid.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found = version(conn)?;
    if found > CURRENT_VERSION {
        return Err(StoreError::TooNew {
            path: Default::default(),
            found,
            known: CURRENT_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let number = index as u32 + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated while this one waited for the lock.
        if version(&tx)? >= number {
            continue;
        }
        tx.execute_batch(sql)?;
        if number == AUDIT_MIGRATION {
            crate::chain::link_existing(&tx)?;
            crate::conversation::regroup_all(&tx)?;
        }
        if number == CONTENT_BLOCK_MIGRATION {
            crate::content_block::extend(&tx)?;
        }
        if number == IDENTITY_BY_TIME_MIGRATION {
            drop_fingerprint_column(&tx)?;
        }
        if number == 1 {
            tx.execute(
                "INSERT INTO archive_info (singleton, uuid, created_at) VALUES (1, ?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                [uuid::Uuid::new_v4().to_string()],
            )?;
        }
        if number == MESSAGE_MARK_MIGRATION {
            crate::mark::write_mark(&tx)?;
        }
        tx.pragma_update(None, "user_version", number)?;
        tx.commit()?;
        tracing::debug!(number, "applied migration");
    }
    Ok(())
}

/// Drops `message.fingerprint` when the table has it (SQLite has no `DROP COLUMN IF
/// EXISTS`; a database migrated again from an earlier version number has none).
fn drop_fingerprint_column(conn: &Connection) -> Result<(), StoreError> {
    let present: bool = conn.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('message') WHERE name = 'fingerprint'",
        [],
        |row| row.get(0),
    )?;
    if present {
        conn.execute_batch("ALTER TABLE message DROP COLUMN fingerprint")?;
    }
    Ok(())
}
