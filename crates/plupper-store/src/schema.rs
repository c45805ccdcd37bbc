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
    include_str!("../migrations/0012_kind_check_by_comparisons.sql"),
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

/// The migration that writes the message table's `original_kind` check by comparisons;
/// its Rust step rewrites the table's definition.
const KIND_CHECK_MIGRATION: u32 = 12;

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
        if number == KIND_CHECK_MIGRATION {
            write_kind_check_by_comparisons(&tx)?;
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

/// The `original_kind` check as migration 1 wrote it.
const KIND_CHECK_BY_LIST: &str = "CHECK (original_kind IN (0, 1, 2))";

/// The same check by comparisons, as migration 12 writes it.
const KIND_CHECK_BY_COMPARISONS: &str =
    "CHECK (original_kind = 0 OR original_kind = 1 OR original_kind = 2)";

/// Rewrites the message table's `original_kind` check by comparisons in its definition
/// (see migration 12), following SQLite's procedure for a change that leaves the stored
/// rows as they are: the new text through `writable_schema`, the schema version one up
/// (other connections then read the schema again), and `RESET` (this one does too). A
/// definition without the old check is left as it is.
fn write_kind_check_by_comparisons(conn: &Connection) -> Result<(), StoreError> {
    const DEFINITION: &str =
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'message'";
    let definition: String = conn.query_row(DEFINITION, [], |row| row.get(0))?;
    if !definition.contains(KIND_CHECK_BY_LIST) {
        return Ok(());
    }
    let rewritten = definition.replace(KIND_CHECK_BY_LIST, KIND_CHECK_BY_COMPARISONS);
    let schema_version: i64 = conn.query_row("PRAGMA schema_version", [], |row| row.get(0))?;
    conn.execute_batch("PRAGMA writable_schema = ON")?;
    let written = conn
        .execute(
            "UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = 'message'",
            [&rewritten],
        )
        .and_then(|_| conn.pragma_update(None, "schema_version", schema_version + 1));
    // Whatever happened: writing the schema stops here (a failure rolls the migration's
    // transaction back).
    let reset = conn.execute_batch("PRAGMA writable_schema = RESET");
    written?;
    reset?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statements that insert messages, in the form `PendingRows` prepares.
    const INSERT: &str = "INSERT OR FAIL INTO message (content, customer_id, created, visitor_id, type, operator, written_date, wall_clock, utc_offset, original_kind, original, batch_id, position) VALUES ('a', NULL, X'', 1, 'VO', NULL, 20090428, 0, 0, ?1, ?2, 1, 0), ('b', NULL, X'', 1, 'VO', NULL, 20090428, 0, 0, 0, NULL, 1, 1)";

    fn migrated() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO batch (source, started_at) VALUES ('test', '2009-04-28')",
            [],
        )
        .unwrap();
        conn
    }

    fn opcodes(conn: &Connection, sql: &str) -> Vec<String> {
        let mut explain = conn.prepare(&format!("EXPLAIN {sql}")).unwrap();
        explain
            .query_map([0i64.into(), rusqlite::types::Value::Null], |row| {
                row.get(1)
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn an_insert_tests_the_kind_without_a_temporary_b_tree() {
        let conn = migrated();
        let definition: String = conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'message'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert!(
            definition.contains(KIND_CHECK_BY_COMPARISONS),
            "{definition}"
        );
        assert!(!definition.contains(KIND_CHECK_BY_LIST));
        let ephemeral =
            |conn: &Connection| opcodes(conn, INSERT).iter().any(|op| op == "OpenEphemeral");
        assert!(!ephemeral(&conn));
        // Before the migration, the list took one.
        let before = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..KIND_CHECK_MIGRATION as usize - 1] {
            before.execute_batch(sql).unwrap();
        }
        assert!(ephemeral(&before));
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }

    #[test]
    fn the_rewritten_check_refuses_what_the_list_refused() {
        let conn = migrated();
        let insert = |kind: rusqlite::types::Value, original: Option<&str>| {
            conn.execute(INSERT, rusqlite::params![kind, original])
        };
        use rusqlite::types::Value::{Integer, Real, Text};
        assert!(insert(Integer(0), None).is_ok());
        assert!(insert(Integer(1), Some("\"x\"")).is_ok());
        assert!(insert(Integer(2), Some("{}")).is_ok());
        // Text and whole reals take the column's integer affinity first, as before.
        assert!(insert(Text("1".into()), Some("\"x\"")).is_ok());
        assert!(insert(Real(2.0), Some("{}")).is_ok());
        for refused in [Integer(3), Integer(-1), Real(1.5), Text("one".into())] {
            let error = insert(refused.clone(), Some("{}")).unwrap_err();
            assert!(
                error.to_string().contains("CHECK constraint failed"),
                "{refused:?}: {error}"
            );
        }
    }

    #[test]
    fn a_definition_without_the_list_is_left_as_it_is() {
        let conn = migrated();
        let before: i64 = conn
            .query_row("PRAGMA schema_version", [], |row| row.get(0))
            .unwrap();
        write_kind_check_by_comparisons(&conn).unwrap();
        let after: i64 = conn
            .query_row("PRAGMA schema_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(before, after);
    }
}
