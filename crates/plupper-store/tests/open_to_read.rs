//! Opening an archive only to answer queries: without write access when the schema is
//! current, as `Store::open` does otherwise.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use plupper_model::element::parse_element;
use plupper_store::{Arrival, DATABASE_FILE, Store};
use rusqlite::Connection;

fn archive(dir: &std::path::Path, content: &str) {
    let mut store = Store::open(dir).unwrap();
    let text = format!(
        r#"{{"content":"{content}","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO","visitorId":1}}"#
    );
    let element = parse_element(text.as_bytes()).unwrap();
    let mut unit = store.begin("test").unwrap();
    unit.apply(&[Arrival::new(element, 0)], &[]).unwrap();
    unit.finish().unwrap();
}

#[test]
fn a_current_archive_is_read_without_write_access_and_a_writer_still_works_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path(), "Hi");
    let reader = Store::open_to_read(dir.path()).unwrap();
    assert!(reader.is_read_only());
    assert_eq!(reader.message_count().unwrap(), 1);
    assert!(reader.check_writable("adding messages").is_err());
    // A writer beside it adds, and the reader's next read sees it.
    archive(dir.path(), "Hello");
    assert_eq!(reader.message_count().unwrap(), 2);
    drop(reader);
    // What the reader left behind (its WAL files) does not stop a writer.
    let mut writer = Store::open(dir.path()).unwrap();
    assert!(!writer.is_read_only());
    assert!(writer.begin("more").is_ok());
}

#[test]
fn an_archive_of_an_older_schema_is_brought_up_to_date_first() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path(), "Hi");
    Connection::open(dir.path().join(DATABASE_FILE))
        .unwrap()
        .execute_batch(
            "CREATE TABLE conversation_message (message_id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL);
             PRAGMA user_version = 5;",
        )
        .unwrap();
    let store = Store::open_to_read(dir.path()).unwrap();
    assert!(!store.is_read_only(), "opened to migrate");
    assert_eq!(
        store.info().unwrap().schema_version,
        plupper_store::schema::CURRENT_VERSION
    );
    drop(store);
    assert!(Store::open_to_read(dir.path()).unwrap().is_read_only());
}

fn journal_mode(dir: &std::path::Path) -> String {
    Connection::open(dir.join(DATABASE_FILE))
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap()
}

fn wal_files(dir: &std::path::Path) -> Vec<bool> {
    ["-wal", "-shm"]
        .iter()
        .map(|suffix| dir.join(format!("{DATABASE_FILE}{suffix}")).exists())
        .collect()
}

#[test]
fn an_idle_archive_is_left_without_wal_files_and_a_reader_makes_none() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path(), "Hi");
    assert_eq!(journal_mode(dir.path()), "delete");
    assert_eq!(wal_files(dir.path()), [false, false]);
    let reader = Store::open_to_read(dir.path()).unwrap();
    assert!(reader.is_read_only());
    assert_eq!(reader.message_count().unwrap(), 1);
    assert_eq!(wal_files(dir.path()), [false, false]);
    drop(reader);
    // A writer works in WAL mode again, and a reader open beside it keeps it there.
    let writer = Store::open(dir.path()).unwrap();
    assert_eq!(journal_mode(dir.path()), "wal");
    let reader = Store::open_to_read(dir.path()).unwrap();
    assert_eq!(reader.message_count().unwrap(), 1);
    drop(writer);
    assert_eq!(journal_mode(dir.path()), "wal");
    archive(dir.path(), "Hello");
    assert_eq!(reader.message_count().unwrap(), 2);
    drop(reader);
    // The last writer to close, alone, leaves it idle again.
    drop(Store::open(dir.path()).unwrap());
    assert_eq!(journal_mode(dir.path()), "delete");
}

#[test]
fn a_reader_closed_at_exit_leaves_the_archive_as_it_was_and_a_writer_still_ends_its_wal() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path(), "Hi");
    let reader = Store::open_to_read(dir.path()).unwrap();
    assert_eq!(reader.message_count().unwrap(), 1);
    reader.close_at_exit();
    // Its connection is still open, holding nothing: a writer adds beside it, and the
    // archive reads as before.
    archive(dir.path(), "Hello");
    assert_eq!(
        Store::open_to_read(dir.path())
            .unwrap()
            .message_count()
            .unwrap(),
        2
    );
    // A writer closed so is closed: it leaves the archive out of WAL mode, as a drop does.
    let writer = Store::open(dir.path()).unwrap();
    assert_eq!(journal_mode(dir.path()), "wal");
    writer.close_at_exit();
    assert_eq!(journal_mode(dir.path()), "delete");
    assert_eq!(wal_files(dir.path()), [false, false]);
}
